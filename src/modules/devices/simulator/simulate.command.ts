// The `shiyu simulate` command, and the gentle traffic of the demo start.
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { systemActor } from '../../../platform/access.ts';
import type { Platform } from '../../../platform/context.ts';
import { toCsv } from '../csv.ts';
import { demoDeviceSecret } from '../devices.demo.ts';
import type { DevicesModule } from '../devices.module.ts';
import { buildFleet, citySpec, demoSpec, placeAtSites, prng, scaled, type SimDevice, type Site } from './fleet.ts';
import { provision, signIn, Simulation, type Via } from './simulator.ts';
import { gasEvent, STUDENTS_COUNTY, waterEvent, type WaterStory } from './traffic.ts';

const GEOJSON = fileURLToPath(new URL('../../../../assets/geo/shaoyang-counties.geojson', import.meta.url));

export const simulateUsage = `shiyu simulate — drive a Shiyu server as the demo city's terminals would

  --url URL            the server (default http://127.0.0.1:8080)
  --mqtt URL           its MQTT broker (default mqtt://127.0.0.1:1883; the embedded broker logs its port)
  --via CHANNEL        mqtt | http | gat1400 (default mqtt)
  --rate N             events per second across the fleet (default 100)
  --duration S         seconds to run; 0 runs until Ctrl-C (default 60)
  --scale F            fraction of the seed-scale fleet: 1 = 1,744 water terminals, 13,779 blind-spot monitors,
                       5,300 gas detectors, 2,400 Sharp Eyes cameras (default 0.05)
  --connections N      MQTT connections, one device each (default 500)
  --snapshots          attach a small image to camera events
  --no-heartbeats      send no heartbeats
  --skip-provision     the fleet is already registered
  --username U --password P   an integrator account to register the fleet (default integrator / Shiyu@2026)
  --seed TEXT          fleet and device secrets derive from it: keep it secret outside a demo (default shiyu-sim)`;

export async function simulateCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      url: { type: 'string', default: 'http://127.0.0.1:8080' },
      mqtt: { type: 'string', default: 'mqtt://127.0.0.1:1883' },
      via: { type: 'string', default: 'mqtt' },
      rate: { type: 'string', default: '100' },
      duration: { type: 'string', default: '60' },
      scale: { type: 'string', default: '0.05' },
      connections: { type: 'string', default: '500' },
      snapshots: { type: 'boolean', default: false },
      'no-heartbeats': { type: 'boolean', default: false },
      'skip-provision': { type: 'boolean', default: false },
      username: { type: 'string', default: 'integrator' },
      password: { type: 'string', default: 'Shiyu@2026' },
      seed: { type: 'string', default: 'shiyu-sim' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(simulateUsage + '\n');
    return;
  }
  const via = values.via as Via;
  if (!['mqtt', 'http', 'gat1400'].includes(via)) throw new Error(`--via must be mqtt, http or gat1400, not ${values.via}`);
  const num = (name: string, v: string, min: number) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number ≥ ${min}`);
    return n;
  };
  const rate = num('rate', values.rate, 0);
  const duration = num('duration', values.duration, 0);
  const scale = num('scale', values.scale, 0.0001);
  const connections = num('connections', values.connections, 1);
  const tty = process.stderr.isTTY;
  let lines = 0;
  const log = (line: string, final = false) => {
    if (tty && !final) process.stderr.write('\r' + line.padEnd(140).slice(0, 160));
    else if (final || lines++ % 5 === 0) process.stderr.write((tty ? '\r' : '') + line + '\n');
  };
  const url = values.url.replace(/\/$/, '');
  const fleet = buildFleet({ spec: scaled(citySpec, scale), seed: values.seed, key: values.seed + ':secrets', geojson: GEOJSON });
  process.stderr.write(`[simulate] fleet of ${fleet.length} devices (scale ${scale}) for ${url}\n`);
  if (!values['skip-provision']) {
    const token = await signIn(url, values.username, values.password);
    await provision(fleet, url, token, log);
  }
  const sim = new Simulation(fleet, {
    url, mqttUrl: values.mqtt, via, rate, duration, connections, snapshots: values.snapshots, heartbeats: !values['no-heartbeats'], seed: values.seed, log,
  });
  process.once('SIGINT', () => sim.stop());
  process.once('SIGTERM', () => sim.stop());
  const stats = await sim.run();
  if (stats.acked === 0 && rate > 0) throw new Error('no event was acknowledged: check the URL, the MQTT port and the fleet');
}

/**
 * The opening of the demo: the seed's story told once, in the first two minutes after a start, by the simulated
 * terminals themselves — a person near the water warned by the loudspeaker, a student seen and the guardians told,
 * a gas alarm in a household, a person in the water and a team dispatched. Then the random traffic goes on at
 * its realistic, gentle rates.
 */
export const demoStory: { afterS: number; what: WaterStory | 'gas' }[] = [
  { afterS: 10, what: 'person.near_water' },
  { afterS: 35, what: 'student' },
  { afterS: 60, what: 'gas' },
  { afterS: 90, what: 'person.in_water' },
];

/** The demo's zones, as places for the simulated terminals. */
async function demoSites(p: Platform): Promise<Site[]> {
  const rows = await p.db.kysely
    .selectFrom('zones')
    .select(['code', 'kind', 'area_code', 'min_lon', 'min_lat', 'max_lon', 'max_lat'])
    .where('code', 'like', 'DEMO-ZN-%')
    .where('kind', 'in', ['key_water', 'household'])
    .execute();
  return rows.map((r) => ({ code: r.code, kind: r.kind as Site['kind'], areaCode: r.area_code, minLon: r.min_lon, minLat: r.min_lat, maxLon: r.max_lon, maxLat: r.max_lat }));
}

/**
 * The demo start's living city: a small fleet registered in-process (once), its water-area terminals and gas
 * detectors standing in the demo's zones, then real device traffic over the embedded broker (or HTTP when it is
 * disabled) at a gentle rate, opening with the demo story. Its secrets derive from the deployment's own key, so the
 * demo fleet cannot be driven from outside.
 */
export async function startDemoTraffic(
  p: Platform,
  devices: DevicesModule,
  o: { httpUrl: string; mqttPort: number; rate: number; log: Logger },
): Promise<() => Promise<void>> {
  const key = p.pii.blindIndex('demo-simulator');
  const fleet = placeAtSites(buildFleet({ spec: demoSpec, seed: 'shiyu-demo', key, geojson: GEOJSON }), await demoSites(p));
  const known = await p.db.kysely.selectFrom('devices').select('code').where('code', 'like', 'SIM-%').execute();
  if (known.length < fleet.length) {
    const header = ['code', 'name', 'subsystem', 'kind', 'gbId', 'lon', 'lat', 'areaCode', 'heartbeatIntervalS', 'secret'];
    const have = new Set(known.map((k) => k.code));
    const rows = fleet.filter((d) => !have.has(d.code)).map((d) => [d.code, d.name, d.subsystem, d.kind, d.gbId ?? '', d.lon, d.lat, d.areaCode, d.heartbeatIntervalS, d.secret]);
    const r = await devices.importer.import(systemActor('demo-simulator'), 'demo-fleet.csv', Buffer.from(toCsv([header, ...rows])), false);
    o.log.info({ created: r.created, devices: fleet.length }, 'demo fleet registered');
  }
  // The loudspeakers of the demo zones (the seeded DEMO- terminals and loudspeakers) are connected too, so that they
  // answer the rules' and the operators' commands as field devices do.
  const speakers = await p.db.kysely
    .selectFrom('devices')
    .select(['code', 'name', 'subsystem', 'kind', 'gb_id', 'area_code', 'lon', 'lat', 'heartbeat_interval_s'])
    .where('code', 'like', 'DEMO-%')
    .where('kind', 'in', ['loudspeaker', 'water_area_terminal'])
    .where('status', '=', 'active')
    .execute();
  const listeners: SimDevice[] = speakers.map((d) => ({
    code: d.code, gbId: d.gb_id, name: d.name, subsystem: d.subsystem, kind: d.kind, countyCode: d.area_code.slice(0, 6), areaCode: d.area_code,
    lon: d.lon ?? 0, lat: d.lat ?? 0, heartbeatIntervalS: d.heartbeat_interval_s, secret: demoDeviceSecret(p, d.code), quiet: true,
  }));
  const sim = new Simulation(o.mqttPort > 0 ? [...fleet, ...listeners] : fleet, {
    url: o.httpUrl,
    mqttUrl: `mqtt://127.0.0.1:${o.mqttPort}`,
    via: o.mqttPort > 0 ? 'mqtt' : 'http',
    rate: o.rate,
    duration: 0,
    connections: fleet.length + listeners.length,
    snapshots: false,
    heartbeats: true,
    seed: 'shiyu-demo',
    log: (line, final) => (final ? o.log.info(line) : undefined),
  });
  const running = sim.run().catch((err: unknown) => o.log.error({ err }, 'demo traffic stopped'));
  const timers: NodeJS.Timeout[] = [];
  if (o.rate > 0) {
    const rand = prng('shiyu-demo:story');
    const water = fleet.filter((d) => d.kind === 'water_area_terminal' && d.zone);
    const gas = fleet.filter((d) => d.kind === 'gas_detector' && d.zone);
    const students = water.filter((d) => d.countyCode === STUDENTS_COUNTY);
    void sim.ready.then(() => {
      for (const [i, step] of demoStory.entries()) {
        const pool = step.what === 'gas' ? gas : step.what === 'student' ? students : water;
        const d = pool[Math.floor(rand() * pool.length)];
        if (!d) continue;
        timers.push(
          setTimeout(() => {
            const now = new Date();
            const id = `story-${now.getTime().toString(36)}-${i}`;
            const e = step.what === 'gas' ? gasEvent(d, id, now.toISOString(), rand) : waterEvent(d, id, now.toISOString(), step.what, rand);
            void sim.inject(d, [e]);
          }, step.afterS * 1000).unref(),
        );
      }
    });
  }
  return async () => {
    for (const t of timers) clearTimeout(t);
    sim.stop();
    await running;
  };
}
