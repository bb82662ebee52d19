// npm run bench:alerts — how fast an event at a key water area becomes a loudspeaker command and notifications in
// the outbox, while the platform ingests 10,000 other events per second.
//
// In one process (the server's services, no HTTP in between, so the figure is the platform's own work): a
// background load ingests BACKGROUND_RATE events/s from BACKGROUND_DEVICES devices through the real ingest pipeline
// (group commit, the 'device.event' bus, the rule engine's look-ups; a tenth of them are people near water
// outside any zone, so the engine matches and rejects them). Meanwhile a camera in a key water area sends PROBES
// events one after another. For each: the time from handing the event to ingest until (1) both loudspeakers'
// commands have been handed to the transport (a recording MQTT publisher), and (2) the alert, its timeline, its
// notifications (outbox) and timers are committed — the engine announces the alert after both. p50/p99 of each.
// The 1:N face search and embedding figures are `npm run bench:faces` (bench/results/faces-*.md).
//
//   npm run bench:alerts                         # SQLite, and PostgreSQL too when DATABASE_URL is set
//   BENCH_PROBES=500 BENCH_RATE=10000 npm run bench:alerts
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { loadConfig } from '../src/config.ts';
import { buildServer, createPlatform } from '../src/app.ts';
import { systemActor } from '../src/platform/access.ts';
import { dropPostgresSchema } from '../src/platform/db/database.ts';
import { importBoundaries, importPrefecture } from '../src/modules/areas/areas.import.ts';
import { DEMO_BOUNDARIES } from '../src/modules/system/demo.ts';
import type { DeviceContext } from '../src/modules/devices/device-directory.ts';
import { machine, percentile } from './machine.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const PROBES = Number(process.env.BENCH_PROBES ?? 300);
const RATE = Number(process.env.BENCH_RATE ?? 10_000);
const DEVICES = Number(process.env.BENCH_DEVICES ?? 100);
const WATER = { lon: 111.273805, lat: 26.990637 };
const square = (d: number) => ({
  type: 'Polygon' as const,
  coordinates: [[[WATER.lon - d, WATER.lat - d], [WATER.lon + d, WATER.lat - d], [WATER.lon + d, WATER.lat + d], [WATER.lon - d, WATER.lat + d], [WATER.lon - d, WATER.lat - d]] as [number, number][]],
});

interface Result {
  engine: string;
  probes: number;
  backgroundTargetPerS: number;
  backgroundAchievedPerS: number;
  /** Until both: the loudspeakers' commands sent and the alert with its notifications committed. */
  bothP50Ms: number;
  bothP99Ms: number;
  bothMaxMs: number;
  commandP50Ms: number;
  commandP99Ms: number;
  committedP50Ms: number;
  committedP99Ms: number;
  notificationsPerAlert: number;
  commandsPerAlert: number;
  /** How late the event loop ran timers during the probes (blocking work: synchronous SQLite commits, GC). */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  /** The machine's 1-minute load average when the probes started and ended (other work on the machine shows here). */
  loadAvgStart: number;
  loadAvgEnd: number;
}

async function run(engine: 'sqlite' | 'postgres'): Promise<Result> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shiyu-bench-alerts-'));
  const schema = 'bench_' + crypto.randomBytes(4).toString('hex');
  const config = loadConfig(
    { DATABASE_URL: engine === 'postgres' ? process.env.DATABASE_URL : undefined },
    { dataDir: dir, databaseSchema: engine === 'postgres' ? schema : 'public', secretKey: crypto.randomBytes(32).toString('hex'), logLevel: 'warn', webDir: path.join(dir, 'none') },
  );
  const p = await createPlatform(config);
  const server = await buildServer(p);
  const s = server.services;
  try {
    process.stdout.write(`[${engine}] importing the demo areas …\n`);
    await importPrefecture(p, '430500');
    await importBoundaries(p, DEMO_BOUNDARIES, 'bench');
    const actor = systemActor('bench');
    await s.accounts.createUser(actor, { username: 'town_duty', displayName: '乡镇值班', role: 'town_officer', areaCode: '430523100', password: 'Bench#Pass1' });

    // The loudspeakers' transport: records when each command is handed over (as MQTT would send it).
    const published: { at: number; code: string }[] = [];
    s.devices.commands.publisher = { publish: async (code) => (published.push({ at: performance.now(), code }), true) };

    const mk = async (code: string, kind: string, lon: number, lat: number, subsystem = 'smart_water') =>
      s.devices.registry.create(actor, { code, name: code, subsystem: subsystem as 'smart_water', kind, lon, lat, areaCode: '430523100' });
    const camera = await mk('BENCH-CAM', 'bullet_camera', WATER.lon, WATER.lat);
    const speakers = [await mk('BENCH-SPK-1', 'loudspeaker', WATER.lon, WATER.lat), await mk('BENCH-SPK-2', 'loudspeaker', WATER.lon + 0.001, WATER.lat)];
    const zone = await s.warning.zones.create(actor, {
      name: '资江塘渡口段', kind: 'key_water', riskLevel: 4, areaCode: '430523100', geometry: square(0.002), activePeriods: [],
      speakerIds: speakers.map((x) => x.id), contacts: [{ role: 'keeper', name: '李护水', phone: '13900000101' }],
    });
    await s.warning.rules.create(actor, {
      name: '重点水域有人靠近', areaCode: '430523', enabled: true,
      definition: {
        trigger: { type: 'event', eventKinds: ['person.near_water'] },
        zone: { ids: [zone.id], activeOnly: true },
        actions: [
          { type: 'broadcast', text: '水边危险，请速离开', repeat: 3 },
          { type: 'raise_alert', severity: 'orange', title: '{zone}有人靠近水边' },
          { type: 'notify', roles: ['keeper'], userIds: [], channel: 'sms', text: '{zone}有人靠近水边，请前往劝离（{alert}）' },
        ],
      },
    });
    const background: DeviceContext[] = [];
    for (let i = 0; i < DEVICES; i++) {
      const d = await mk(`BENCH-BG-${i}`, i % 10 === 0 ? 'bullet_camera' : 'plate_camera', WATER.lon + 0.05 + (i % 10) * 0.001, WATER.lat + 0.02, i % 10 === 0 ? 'smart_water' : 'smart_traffic');
      background.push((await s.devices.directory.byToken(d.secret))!);
    }
    const cameraCtx = (await s.devices.directory.byToken(camera.secret))!;

    // ---- the background load ------------------------------------------------------------------------------------
    let stop = false;
    let sent = 0;
    let stored = 0;
    let seq = 0;
    const started = performance.now();
    const loop = (async () => {
      const inflight = new Set<Promise<void>>();
      while (!stop) {
        const due = Math.floor(((performance.now() - started) / 1000) * RATE) - sent;
        if (due <= 0 || inflight.size > 64) {
          await new Promise((r) => setTimeout(r, 2));
          continue;
        }
        const n = Math.min(due, 100);
        const d = background[seq % background.length]!;
        const now = new Date().toISOString();
        const items = Array.from({ length: n }, () => {
          seq++;
          const nearWater = d.kind === 'bullet_camera';
          return { id: `bg-${seq}`, kind: nearWater ? 'person.near_water' : 'vehicle.captured', time: now, attributes: nearWater ? { confidence: 0.9 } : { plate: `湘E${(seq % 100000).toString().padStart(5, '0')}` } };
        });
        sent += n;
        const w = s.devices.ingest.ingest(d, items, 'http').then((r) => {
          stored += r.filter((x) => x.status === 'stored').length;
        });
        inflight.add(w);
        void w.finally(() => inflight.delete(w));
      }
      await Promise.all([...inflight]);
    })();

    // ---- the probes ----------------------------------------------------------------------------------------------
    const raised = new Map<string, (at: number) => void>();
    const eventOfStored = new Map<string, string>();
    p.bus.on('device.event', (e) => {
      if (e.deviceId === cameraCtx.id) eventOfStored.set(e.id, e.eventId);
    });
    p.bus.on('alert.changed', async (a) => {
      if (a.change !== 'raised') return;
      const at = performance.now();
      const row = await p.db.kysely.selectFrom('alerts').select('event_id').where('id', '=', a.id).executeTakeFirst();
      const probeId = row?.event_id ? eventOfStored.get(row.event_id) : undefined;
      if (probeId) raised.get(probeId)?.(at);
    });
    await new Promise((r) => setTimeout(r, 2000)); // let the background reach its rate
    const command: number[] = [];
    const committed: number[] = [];
    const both: number[] = [];
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    const loadAvgStart = os.loadavg()[0]!;
    process.stdout.write(`[${engine}] ${PROBES} probes under ${RATE} background events/s …\n`);
    for (let i = 0; i < PROBES; i++) {
      const id = `probe-${i}`;
      const done = new Promise<number>((resolve) => raised.set(id, resolve));
      const t0 = performance.now();
      const mark = published.length;
      const [r] = await s.devices.ingest.ingest(cameraCtx, [{ id, kind: 'person.near_water', time: new Date().toISOString() }], 'http');
      if (r?.status !== 'stored') throw new Error(`probe not stored: ${JSON.stringify(r)}`);
      const t1 = await done;
      // The commands may still be on their way when the alert is committed: wait for both loudspeakers.
      let sends = published.slice(mark).filter((x) => x.code.startsWith('BENCH-SPK'));
      for (let w = 0; sends.length < 2 && w < 5000; w++) {
        await new Promise((r2) => setTimeout(r2, 1));
        sends = published.slice(mark).filter((x) => x.code.startsWith('BENCH-SPK'));
      }
      if (sends.length < 2) throw new Error(`probe ${i}: ${sends.length} loudspeaker commands`);
      const tc = Math.max(...sends.slice(0, 2).map((x) => x.at));
      command.push(tc - t0);
      committed.push(t1 - t0);
      both.push(Math.max(tc, t1) - t0);
      raised.delete(id);
      if (i % 50 === 49) process.stdout.write(`  ${i + 1}/${PROBES}\n`);
      await new Promise((r2) => setTimeout(r2, 20 + Math.random() * 30));
    }
    const elapsed = (performance.now() - started) / 1000;
    const loadAvgEnd = os.loadavg()[0]!;
    lag.disable();
    stop = true;
    await loop;
    await s.warning.idle();
    await p.bus.drain();

    const alerts = await p.db.kysely.selectFrom('alerts').select('id').where('device_id', '=', cameraCtx.id).execute();
    const notes = await p.db.kysely.selectFrom('notifications').select((eb) => eb.fn.countAll<number>().as('n')).where('alert_id', 'in', alerts.map((a) => a.id)).executeTakeFirstOrThrow();
    const cmds = await p.db.kysely.selectFrom('device_commands').select((eb) => eb.fn.countAll<number>().as('n')).where('device_id', 'in', speakers.map((x) => x.id)).executeTakeFirstOrThrow();
    command.sort((a, b) => a - b);
    committed.sort((a, b) => a - b);
    both.sort((a, b) => a - b);
    const round = (v: number) => Math.round(v * 100) / 100;
    return {
      engine,
      probes: PROBES,
      backgroundTargetPerS: RATE,
      backgroundAchievedPerS: Math.round(stored / elapsed),
      bothP50Ms: round(percentile(both, 50)),
      bothP99Ms: round(percentile(both, 99)),
      bothMaxMs: round(both.at(-1) ?? NaN),
      commandP50Ms: round(percentile(command, 50)),
      commandP99Ms: round(percentile(command, 99)),
      committedP50Ms: round(percentile(committed, 50)),
      committedP99Ms: round(percentile(committed, 99)),
      notificationsPerAlert: round(Number(notes.n) / alerts.length),
      commandsPerAlert: round(Number(cmds.n) / alerts.length),
      loopDelayP99Ms: round(lag.percentile(99) / 1e6),
      loopDelayMaxMs: round(lag.max / 1e6),
      loadAvgStart: round(loadAvgStart),
      loadAvgEnd: round(loadAvgEnd),
    };
  } finally {
    await server.app.close();
    await s.devices.stop();
    await p.db.close();
    if (engine === 'postgres' && process.env.DATABASE_URL) await dropPostgresSchema(process.env.DATABASE_URL, schema);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const engines: ('sqlite' | 'postgres')[] = ['sqlite', ...(process.env.DATABASE_URL ? (['postgres'] as const) : [])];
const results: Result[] = [];
for (const e of engines) {
  const r = await run(e);
  results.push(r);
  process.stdout.write(`${JSON.stringify(r)}\n`);
}
const m = machine();
const day = m.date.slice(0, 10);
const out = path.join(root, 'bench', 'results');
fs.mkdirSync(out, { recursive: true });
fs.writeFileSync(path.join(out, `alerts-${day}.json`), JSON.stringify({ machine: m, probes: PROBES, results }, null, 2) + '\n');
const faces = fs.readdirSync(out).filter((f) => /^faces-.*\.md$/.test(f)).sort().at(-1);
const md = [
  `# Event → loudspeaker and outbox latency under load — ${m.date.slice(0, 16).replace('T', ' ')} UTC`,
  '',
  `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GB memory, Node ${m.node}, ${m.platform}.`,
  '',
  `One process with the server's services. A camera in a key water area sends ${PROBES} events one after another while ${RATE.toLocaleString('en')} other events/s`,
  `are ingested through the same pipeline. From handing the event to ingest until **both** the loudspeakers' commands were handed to the`,
  `transport and the alert with its timeline, notifications (outbox) and timers was committed (target: p99 < 50 ms); then each alone.`,
  `The machine has ${m.cores} cores: the load average (which includes this benchmark itself) says how much else was running.`,
  '',
  '| engine | background target/s | achieved/s | both p50 (ms) | both p99 (ms) | both max (ms) | command sent p50 / p99 (ms) | committed p50 / p99 (ms) | notifications/alert | commands/alert | event-loop delay p99 / max (ms) | load average (1 min) at start / end |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ...results.map((r) => `| ${r.engine} | ${r.backgroundTargetPerS} | ${r.backgroundAchievedPerS} | ${r.bothP50Ms} | ${r.bothP99Ms} | ${r.bothMaxMs} | ${r.commandP50Ms} / ${r.commandP99Ms} | ${r.committedP50Ms} / ${r.committedP99Ms} | ${r.notificationsPerAlert} | ${r.commandsPerAlert} | ${r.loopDelayP99Ms} / ${r.loopDelayMaxMs} | ${r.loadAvgStart} / ${r.loadAvgEnd} |`),
  '',
  `1:N face search and embedding: see ${faces ? `\`${faces}\`` : '`npm run bench:faces`'} (the student library's benchmark).`,
  '',
];
fs.writeFileSync(path.join(out, `alerts-${day}.md`), md.join('\n'));
process.stdout.write(md.join('\n'));
process.exit(0);
