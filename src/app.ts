// Assembles the platform and the server from the modules.
import fs from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import { pino, type Logger } from 'pino';
import type { Config } from './config.ts';
import { InProcessBus } from './platform/bus.ts';
import { NatsBus } from './platform/bus.nats.ts';
import { ClusterSync } from './modules/system/cluster.sync.ts';
import { systemClock, type Clock } from './platform/clock.ts';
import type { Platform } from './platform/context.ts';
import { loadSecretKey, PiiProtector } from './platform/crypto.ts';
import { migrate, openDatabase } from './platform/db/database.ts';
import { createHttpServer, type App, type RouteInfo } from './platform/http.ts';
import { dbRateLimitStore } from './platform/shared-state.ts';
import { AuditService } from './modules/audit/audit.service.ts';
import { auditRoutes } from './modules/audit/audit.routes.ts';
import { AreasService } from './modules/areas/areas.service.ts';
import { areasRoutes } from './modules/areas/areas.routes.ts';
import { AccountsService } from './modules/accounts/accounts.service.ts';
import { accountsRoutes } from './modules/accounts/accounts.routes.ts';
import { systemRoutes } from './modules/system/system.routes.ts';
import { DevicesModule } from './modules/devices/devices.module.ts';
import { devicesRoutes } from './modules/devices/devices.routes.ts';
import { ingestRoutes } from './modules/devices/ingest.routes.ts';
import { Gat1400Service } from './modules/devices/gat1400/gat1400.service.ts';
import { gat1400Routes } from './modules/devices/gat1400/gat1400.routes.ts';
import { CasesService } from './modules/cases/cases.service.ts';
import { casesRoutes } from './modules/cases/cases.routes.ts';
import { CentresService } from './modules/cases/centres.service.ts';
import { centresRoutes } from './modules/cases/centres.routes.ts';

import { NotifyService } from './modules/notify/notify.service.ts';
import { WarningModule } from './modules/warning/warning.module.ts';
import { warningRoutes } from './modules/warning/warning.routes.ts';
import { StudentsIdentifier } from './modules/warning/adapters.ts';
import { notifyRoutes } from './modules/notify/notify.routes.ts';
import { StudentsService } from './modules/students/students.service.ts';
import { studentsRoutes } from './modules/students/students.routes.ts';
import { PeopleModule } from './modules/people/people.module.ts';
import { peopleRoutes } from './modules/people/people.routes.ts';
import { IndicatorsService } from './modules/indicators/indicators.service.ts';
import { indicatorsRoutes } from './modules/indicators/indicators.routes.ts';

export const VERSION = JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version as string;

export async function createPlatform(config: Config, opts: { clock?: Clock; logger?: Logger } = {}): Promise<Platform> {
  const log = opts.logger ?? pino({ level: config.logLevel, base: { service: 'shiyu' } });
  const db = await openDatabase(config);
  const applied = await migrate(db);
  if (applied.length) log.info({ applied, engine: db.engine }, 'migrations applied');
  const clock = opts.clock ?? systemClock;
  const bus = config.natsUrl
    ? await NatsBus.connect({ url: config.natsUrl, prefix: config.natsPrefix, nodeId: config.nodeId, log })
    : new InProcessBus((name, err) => log.error({ err, event: name }, 'event listener failed'));
  return {
    config,
    db,
    clock,
    bus,
    pii: new PiiProtector(loadSecretKey(config.secretKey, config.dataDir)),
    audit: new AuditService(clock),
    log,
  };
}

export interface Services {
  areas: AreasService;
  accounts: AccountsService;
  notify: NotifyService;
  students: StudentsService;
  devices: DevicesModule;
  gat1400: Gat1400Service;
  cases: CasesService;
  mediationCentres: CentresService;
  warning: WarningModule;
  people: PeopleModule;
  indicators: IndicatorsService;
}

export function createServices(p: Platform): Services {
  const areas = new AreasService(p);
  const accounts = new AccountsService(p, areas);
  const notify = new NotifyService(p);
  const students = new StudentsService(p, notify);
  const devices = new DevicesModule(p, areas);
  const gat1400 = new Gat1400Service(p, devices);
  const cases = new CasesService(p);
  cases.timers.notifier = notify;
  const mediationCentres = new CentresService(p);
  const warning = new WarningModule(p, areas, { devices, notify, identifier: new StudentsIdentifier(p, students, devices.snapshots) });
  const indicators = new IndicatorsService(p);
  const people = new PeopleModule(p, { notify, cases });
  return { areas, accounts, notify, students, devices, gat1400, cases, mediationCentres, warning, indicators, people };
}

export interface Server {
  app: App;
  routes: RouteInfo[];
  services: Services;
  platform: Platform;
  /** Keeps this node's memory in step with changes made on the others (NATS bus). */
  cluster: ClusterSync;
}

export async function buildServer(p: Platform): Promise<Server> {
  const services = createServices(p);
  const { app, routes } = await createHttpServer({
    logger: p.log,
    authenticate: (token, ip) => services.accounts.authenticate(token, ip),
    loginRatePerMinute: p.config.loginRatePerMinute,
    version: VERSION,
    rateLimitStore: dbRateLimitStore(p.db.kysely, () => p.clock.now().getTime()),
  });

  systemRoutes(app, p, VERSION);
  accountsRoutes(app, services.accounts, { loginRatePerMinute: p.config.loginRatePerMinute, secureCookie: false });
  areasRoutes(app, services.areas);
  notifyRoutes(app, services.notify);
  studentsRoutes(app, services.students);
  app.addHook('onClose', async () => services.notify.worker.stop());
  devicesRoutes(app, services.devices);
  ingestRoutes(app, services.devices);
  gat1400Routes(app, services.gat1400, () => p.clock.now());
  auditRoutes(app, p);
  casesRoutes(app, services.cases);
  centresRoutes(app, services.mediationCentres);
  warningRoutes(app, services.warning, p);
  indicatorsRoutes(app, services.indicators);
  await services.warning.start();
  app.addHook('onClose', async () => services.warning.stop());
  peopleRoutes(app, services.people);
  app.addHook('onClose', async () => services.people.stop());
  const cluster = new ClusterSync(p, services);
  await cluster.start();
  app.addHook('onClose', async () => {
    cluster.stop();
    await p.bus.drain();
    await p.bus.close?.();
  });

  await serveWeb(app, p.config.webDir);
  return { app, routes, services, platform: p, cluster };
}

/** Serves the built command-centre app; unknown non-API paths get index.html (client-side routes). */
async function serveWeb(app: App, webDir: string): Promise<void> {
  const root = path.resolve(webDir);
  if (!fs.existsSync(path.join(root, 'index.html'))) {
    app.log.warn({ webDir: root }, 'web app not built (npm run build:web); serving the API only');
    return;
  }
  // serve: false — only reply.sendFile is used, by the one public route below (static routes would miss its config).
  await app.register(fastifyStatic, { root, serve: false });
  app.get('/*', { schema: { hide: true }, config: { public: true } }, async (req, reply) => {
    if (req.url.startsWith('/api/')) {
      return reply.status(404).send({ error: { code: 'route.not_found', message: `No route ${req.method} ${req.url}.` } });
    }
    const file = path.join(root, decodeURIComponent(req.url.split('?')[0] ?? '/'));
    if (file.startsWith(root) && fs.existsSync(file) && fs.statSync(file).isFile()) {
      return reply.sendFile(path.relative(root, file));
    }
    return reply.sendFile('index.html');
  });
}
