// npm run bench:ingest — sustained ingest through the real server process, end to end: a client publishes events
// (MQTT QoS 1, or HTTP batches), the server validates and commits them, and the acknowledgement (PUBACK, HTTP 200)
// comes after the commit; so acknowledged events/s is the committed rate, and the publish→ack time is the ingest
// latency. In the same run, the raw batched-insert rate of the same rows into the same engine is measured (the
// ceiling), and the ratio of the two is reported. Every acknowledged event is checked to be in the database.
//
//   npm run bench:ingest                       # SQLite and, when DATABASE_URL is set, PostgreSQL
//   BENCH_SECONDS=20 npm run bench:ingest      # longer runs
//   BENCH_BROKER=external npm run bench:ingest # MQTT through the external Mosquitto on 127.0.0.1:1883 (MQTT_URL)
//                                              # instead of the embedded broker; MQTT_EXTERNAL_CONNECTIONS is passed on
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import mqtt, { type MqttClient } from 'mqtt';
import { startTestServer, type TestServer } from '../test/helpers/server.ts';
import { loadConfig } from '../src/config.ts';
import { migrate, openDatabase, dropPostgresSchema } from '../src/platform/db/database.ts';
import { eventsRepo } from '../src/modules/devices/events.repo.ts';
import { newTimeOrderedId } from '../src/modules/devices/ids.ts';
import type { DeviceEventRow } from '../src/modules/devices/devices.tables.ts';
import { machine, percentile } from './machine.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP_S = 2;
const DEVICES = Number(process.env.BENCH_DEVICES ?? 100);
const EXTERNAL = process.env.BENCH_BROKER === 'external';
const EXTERNAL_URL = process.env.BENCH_MQTT_URL ?? 'mqtt://127.0.0.1:1883';

interface Scenario {
  via: 'mqtt' | 'http';
  /** Events per MQTT message or HTTP request. */
  batch: number;
  /** Messages or requests in flight per connection. */
  window: number;
  connections: number;
}

const allScenarios: Scenario[] = [
  { via: 'mqtt', batch: 1, window: 1, connections: DEVICES },
  { via: 'mqtt', batch: 50, window: 1, connections: DEVICES },
  { via: 'http', batch: 100, window: 1, connections: 32 },
  { via: 'http', batch: 500, window: 1, connections: 16 },
];
// BENCH_ONLY=mqtt50,http500 runs a subset (names: via + batch); BENCH_SERVER_NODE_ARGS passes Node options such
// as --cpu-prof to the server process.
const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim());
const scenarios = only ? allScenarios.filter((s) => only.includes(`${s.via}${s.batch}`)) : allScenarios;

interface Result {
  engine: string;
  via: string;
  batch: number;
  connections: number;
  seconds: number;
  events: number;
  eventsPerS: number;
  p50Ms: number;
  p99Ms: number;
  verifiedInDb: boolean;
  /**
   * External broker only: the broker acknowledges on receipt, not after Shiyu's commit, so the rate that counts is
   * the committed one: events stored from the scenario's start until the last published one was stored.
   */
  committedPerS?: number;
  /** External broker only: seconds from the end of publishing until every published event was stored. */
  drainS?: number;
  /** 1-minute load average when the scenario ended (the benchmark itself makes about 2–3 of it). */
  loadAvg: number;
}

function event(i: number, now: number) {
  return { id: `b${i.toString(36)}`, kind: 'person.near_water', time: new Date(now).toISOString(), zones: ['WA-000001'], attributes: { confidence: 0.93, personCount: 1 } };
}

async function provision(srv: TestServer): Promise<{ code: string; secret: string }[]> {
  const login = await fetch(`${srv.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'integrator', password: 'Shiyu@2026' }) });
  const { token } = (await login.json()) as { token: string };
  const devices = Array.from({ length: DEVICES }, (_, i) => ({ code: `BENCH-${String(i).padStart(5, '0')}`, secret: crypto.randomBytes(18).toString('base64url') }));
  const csv = ['code,name,subsystem,kind,lon,lat,areaCode,secret', ...devices.map((d) => `${d.code},bench ${d.code},smart_water,water_area_terminal,111.27,26.99,430523100,${d.secret}`)].join('\n');
  const res = await fetch(`${srv.url}/api/devices/import`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ fileName: 'bench.csv', content: Buffer.from(csv).toString('base64'), dryRun: false }),
  });
  const body = (await res.json()) as { created: number };
  if (body.created !== DEVICES) throw new Error(`provisioned ${body.created} of ${DEVICES}: ${JSON.stringify(body).slice(0, 300)}`);
  return devices;
}

/** Drives one scenario for WARMUP_S + SECONDS and counts what was acknowledged in the measured window. */
async function drive(srv: TestServer, devices: { code: string; secret: string }[], s: Scenario, counter: { next: number }) {
  const latencies: number[] = [];
  let acked = 0;
  let measuring = false;
  let stop = false;
  const t0 = performance.now();
  const loops: Promise<void>[] = [];
  const clients: MqttClient[] = [];
  for (let c = 0; c < s.connections; c++) {
    const d = devices[c % devices.length]!;
    if (s.via === 'mqtt') {
      const client = await mqtt.connectAsync(EXTERNAL ? EXTERNAL_URL : `mqtt://127.0.0.1:${srv.mqttPort}`, { username: d.code, password: d.secret, clientId: `bench-${c}-${Date.now()}`, clean: true, reconnectPeriod: 0 });
      clients.push(client);
      for (let w = 0; w < s.window; w++) {
        loops.push((async () => {
          while (!stop) {
            const now = Date.now();
            const events = Array.from({ length: s.batch }, () => event(counter.next++, now));
            const start = performance.now();
            await client.publishAsync(`shiyu/${d.code}/events`, JSON.stringify(s.batch === 1 ? events[0] : events), { qos: 1 });
            if (measuring) {
              latencies.push(performance.now() - start);
              acked += s.batch;
            }
          }
        })());
      }
    } else {
      for (let w = 0; w < s.window; w++) {
        loops.push((async () => {
          // Each request comes from the next device, so that every device of the fleet sends.
          let k = c;
          while (!stop) {
            const from = devices[k % devices.length]!;
            k += s.connections;
            const now = Date.now();
            const events = Array.from({ length: s.batch }, () => event(counter.next++, now));
            const start = performance.now();
            const res = await fetch(`${srv.url}/api/ingest/events`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-device-token': from.secret }, body: JSON.stringify({ events }) });
            const body = (await res.json()) as { stored: number };
            if (!res.ok || body.stored !== s.batch) throw new Error(`HTTP ${res.status}: ${JSON.stringify(body).slice(0, 200)}`);
            if (measuring) {
              latencies.push(performance.now() - start);
              acked += s.batch;
            }
          }
        })());
      }
    }
  }
  await new Promise((r) => setTimeout(r, WARMUP_S * 1000));
  measuring = true;
  const m0 = performance.now();
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  measuring = false;
  const seconds = (performance.now() - m0) / 1000;
  stop = true;
  await Promise.all(loops);
  await Promise.all(clients.map((c) => c.endAsync()));
  latencies.sort((a, b) => a - b);
  return { events: acked, seconds, eventsPerS: Math.round(acked / seconds), p50Ms: round(percentile(latencies, 50)), p99Ms: round(percentile(latencies, 99)), wall: (performance.now() - t0) / 1000 };
}

/** The ceiling: the same rows, through the same bulk primitive in transactions of 5,000, into a fresh database. */
async function rawInsertRate(engine: 'sqlite' | 'postgres'): Promise<number> {
  const dir = fs.mkdtempSync(path.join(root, 'data', 'bench-raw-'));
  const schema = 'bench_' + crypto.randomBytes(4).toString('hex');
  const config = loadConfig({ DATABASE_URL: engine === 'postgres' ? process.env.DATABASE_URL : undefined }, { dataDir: dir, databaseSchema: engine === 'postgres' ? schema : 'public', logLevel: 'silent' });
  const db = await openDatabase(config);
  await migrate(db);
  // The same number of devices as the end-to-end runs (the indexes are keyed by device); no device rows are
  // needed, the event table has no foreign key.
  const deviceIds = Array.from({ length: DEVICES }, () => crypto.randomUUID());
  const now = new Date().toISOString();
  const total = 200_000;
  const rows: DeviceEventRow[] = Array.from({ length: total }, (_, i) => ({
    id: newTimeOrderedId(), device_id: deviceIds[i % DEVICES]!, event_id: `r${i.toString(36)}`, kind: 'person.near_water', occurred_at: now, received_at: now,
    area_code: '430523100', subsystem: 'smart_water', lon: 111.27, lat: 26.99, zones: '["WA-000001"]', attributes: '{"confidence":0.93,"personCount":1}', snapshot_ids: null, source: 'mqtt',
  }));
  const t = performance.now();
  // Two transactions in flight, as the server's group commit keeps its writer busy: while one commits, the next is
  // handed over (on SQLite the inserts run in the writer thread; see src/platform/db/bulk.ts).
  let inFlight: Promise<unknown> | null = null;
  for (let i = 0; i < rows.length; i += 5000) {
    const next = eventsRepo.insertBatch(db, rows.slice(i, i + 5000), []);
    if (inFlight) await inFlight;
    inFlight = next;
  }
  await inFlight;
  const rate = Math.round(total / ((performance.now() - t) / 1000));
  await db.close();
  if (engine === 'postgres') await dropPostgresSchema(process.env.DATABASE_URL!, schema);
  fs.rmSync(dir, { recursive: true, force: true });
  return rate;
}

async function countStored(srv: TestServer, engine: 'sqlite' | 'postgres'): Promise<number> {
  if (engine === 'sqlite') {
    const db = new BetterSqlite3(path.join(srv.dataDir, 'shiyu.db'), { readonly: true });
    const n = (db.prepare("select count(*) n from device_events where event_id like 'b%'").get() as { n: number }).n;
    db.close();
    return n;
  }
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  const r = await client.query(`select count(*)::int n from ${srv.env.DATABASE_SCHEMA}.device_events where event_id like 'b%'`);
  await client.end();
  return (r.rows[0] as { n: number }).n;
}

/** The command as it was run, with the settings that were given. */
function commandLine(): string {
  const set = ['BENCH_SECONDS', 'BENCH_DEVICES', 'BENCH_ONLY', 'BENCH_TAG', 'BENCH_BROKER', 'MQTT_EXTERNAL_CONNECTIONS'].filter((k) => process.env[k]).map((k) => `${k}=${process.env[k]}`);
  return [...set, 'npm run bench:ingest'].join(' ');
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}

async function benchEngine(engine: 'sqlite' | 'postgres'): Promise<{ results: Result[]; rawPerS: number }> {
  if (engine === 'sqlite') delete process.env.DATABASE_URL;
  // On the external broker, a share group and node id of this run's own (other runs may use the same broker).
  const tag = crypto.randomBytes(4).toString('hex');
  const external = EXTERNAL
    ? { MQTT_URL: EXTERNAL_URL, MQTT_SHARE_GROUP: `bench${tag}`, SHIYU_NODE_ID: `bench${tag}`, ...(process.env.MQTT_EXTERNAL_CONNECTIONS ? { MQTT_EXTERNAL_CONNECTIONS: process.env.MQTT_EXTERNAL_CONNECTIONS } : {}) }
    : {};
  const srv = await startTestServer({ mqtt: !EXTERNAL, env: { LOG_LEVEL: 'warn', ...external }, nodeArgs: process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) });
  const results: Result[] = [];
  try {
    const devices = await provision(srv);
    const counter = { next: 0 };
    let ackedTotal = 0;
    for (const s of scenarios) {
      const storedBefore = EXTERNAL && s.via === 'mqtt' ? await countStored(srv, engine) : 0;
      const tStart = performance.now();
      const r = await drive(srv, devices, s, counter);
      let committed: { committedPerS: number; drainS: number } | Record<string, never> = {};
      if (EXTERNAL && s.via === 'mqtt') {
        // Until every published event is stored, or nothing more arrives for 5 s (the broker dropped the rest: the
        // summary line then says MISMATCH); the rate counts up to the last event stored.
        const tPublished = performance.now();
        let stored = await countStored(srv, engine);
        let tEnd = performance.now();
        while (stored < counter.next && performance.now() - tEnd < 5000) {
          await new Promise((res) => setTimeout(res, 200));
          const n = await countStored(srv, engine);
          if (n > stored) tEnd = performance.now();
          stored = n;
        }
        committed = { committedPerS: Math.round((stored - storedBefore) / ((tEnd - tStart) / 1000)), drainS: round((tEnd - tPublished) / 1000) };
        process.stderr.write(`  ${engine} external: ${stored - storedBefore} stored, committed ${committed.committedPerS} events/s, drained ${committed.drainS} s after publishing\n`);
      }
      process.stderr.write(`  ${engine} ${s.via} batch ${s.batch} × ${s.connections} connections: ${r.eventsPerS} events/s, p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms\n`);
      results.push({ engine, via: s.via, batch: s.batch, connections: s.connections, seconds: round(r.seconds), events: r.events, eventsPerS: r.eventsPerS, p50Ms: r.p50Ms, p99Ms: r.p99Ms, verifiedInDb: false, ...committed, loadAvg: round(os.loadavg()[0]!) });
      ackedTotal = counter.next;
    }
    // Every event ever published was acknowledged (the loops wait for each ack); all of them must be stored.
    const stored = await countStored(srv, engine);
    const ok = stored === ackedTotal;
    process.stderr.write(`  ${engine}: ${ackedTotal} events acknowledged, ${stored} stored: ${ok ? 'all there' : 'MISMATCH'}\n`);
    for (const r of results) r.verifiedInDb = ok;
  } finally {
    await srv.dispose();
  }
  const rawPerS = await rawInsertRate(engine);
  process.stderr.write(`  ${engine} raw batched insert: ${rawPerS} rows/s\n`);
  return { results, rawPerS };
}

async function main(): Promise<void> {
  fs.mkdirSync(path.join(root, 'data'), { recursive: true });
  const pgUrl = process.env.DATABASE_URL;
  const engines: ('sqlite' | 'postgres')[] = ['sqlite', ...(pgUrl ? (['postgres'] as const) : [])];
  const out: { machine: ReturnType<typeof machine>; seconds: number; devices: number; engines: Record<string, { rawInsertPerS: number; scenarios: (Result & { ratioToRaw: number })[] }> } = {
    machine: machine(), seconds: SECONDS, devices: DEVICES, engines: {},
  };
  for (const engine of engines) {
    if (engine === 'postgres') process.env.DATABASE_URL = pgUrl;
    process.stderr.write(`${engine}:\n`);
    const { results, rawPerS } = await benchEngine(engine);
    out.engines[engine] = { rawInsertPerS: rawPerS, scenarios: results.map((r) => ({ ...r, ratioToRaw: round(r.eventsPerS / rawPerS) })) };
  }
  const lines = [
    `# Ingest benchmark — ${out.machine.date.slice(0, 10)}`,
    '',
    `Machine: ${out.machine.cpu}, ${out.machine.cores} cores, ${out.machine.memoryGiB} GiB, Node ${out.machine.node}, ${out.machine.platform}.`,
    `Command: \`${commandLine()}\` (${SECONDS} s measured per scenario after ${WARMUP_S} s warm-up, ${DEVICES} devices; server and load generator on the same machine).`,
    'Raw insert: the same rows through the same bulk primitive (on SQLite its writer thread), 5,000-row transactions, two handed over at a time; the server commits with one writer on SQLite and up to four on PostgreSQL, which is why its PostgreSQL rate can exceed this "ceiling". Server started with `--max-semi-space-size=64`, as `npm start` does.',
    '',
    ...(EXTERNAL
      ? [
          `Broker: external (${EXTERNAL_URL}), ${process.env.MQTT_EXTERNAL_CONNECTIONS ?? 16} subscriber connections (MQTT_EXTERNAL_CONNECTIONS). The broker sends PUBACK on receipt, so for MQTT rows "events/s" is the broker's accepted rate and "committed/s" the rate Shiyu stored them at (from the scenario start until the last one was stored; "drain s" is how long after the end of publishing that was). The publishers send as fast as the broker accepts: this is overload, and with the broker's default queue limits it drops what it acknowledged ("all acked stored" NO).`,
          '',
          '| engine | channel | events per message | connections | events/s (broker PUBACK) | committed/s | drain s | p50 ms | p99 ms | raw insert rows/s | all acked stored | load avg at end |',
          '|---|---|---|---|---|---|---|---|---|---|---|---|',
          ...Object.entries(out.engines).flatMap(([engine, e]) =>
            e.scenarios.map((r) => `| ${engine} | ${r.via} | ${r.batch} | ${r.connections} | ${r.eventsPerS} | ${r.committedPerS ?? r.eventsPerS} | ${r.drainS ?? '–'} | ${r.p50Ms} | ${r.p99Ms} | ${e.rawInsertPerS} | ${r.verifiedInDb ? 'yes' : 'NO'} | ${r.loadAvg} |`),
          ),
        ]
      : [
          '| engine | channel | events per message | connections | events/s (acknowledged = committed) | p50 ms | p99 ms | raw insert rows/s | ratio | all acked stored | load avg at end |',
          '|---|---|---|---|---|---|---|---|---|---|---|',
          ...Object.entries(out.engines).flatMap(([engine, e]) =>
            e.scenarios.map((r) => `| ${engine} | ${r.via} | ${r.batch} | ${r.connections} | ${r.eventsPerS} | ${r.p50Ms} | ${r.p99Ms} | ${e.rawInsertPerS} | ${r.ratioToRaw} | ${r.verifiedInDb ? 'yes' : 'NO'} | ${r.loadAvg} |`),
          ),
        ]),
    '',
  ];
  const dir = path.join(root, 'bench', 'results');
  fs.mkdirSync(dir, { recursive: true });
  const stamp = out.machine.date.slice(0, 10);
  // BENCH_TAG=fleet5000 writes ingest-<date>-fleet5000.{md,json} instead (runs with other settings).
  const name = `ingest-${stamp}${process.env.BENCH_TAG ? `-${process.env.BENCH_TAG}` : ''}`;
  fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(out, null, 2) + '\n');
  fs.writeFileSync(path.join(dir, `${name}.md`), lines.join('\n'));
  process.stdout.write(lines.join('\n'));
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
