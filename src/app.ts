// Assembles the platform and the server from the modules.
import fs from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import { pino, type Logger } from 'pino';
import type { Config } from './config.ts';
import { InProcessBus } from './platform/bus.ts';
import { systemClock, type Clock } from './platform/clock.ts';
import type { Platform } from './platform/context.ts';
import { loadSecretKey, PiiProtector } from './platform/crypto.ts';
import { migrate, openDatabase } from './platform/db/database.ts';
import { createHttpServer, type App, type RouteInfo } from './platform/http.ts';
import { AuditService } from './modules/audit/audit.service.ts';
import { auditRoutes } from './modules/audit/audit.routes.ts';
import { AreasService } from './modules/areas/areas.service.ts';
import { areasRoutes } from './modules/areas/areas.routes.ts';
import { AccountsService } from './modules/accounts/accounts.service.ts';
import { accountsRoutes } from './modules/accounts/accounts.routes.ts';
import { systemRoutes } from './modules/system/system.routes.ts';

export const VERSION = JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version as string;

export async function createPlatform(config: Config, opts: { clock?: Clock; logger?: Logger } = {}): Promise<Platform> {
  const log = opts.logger ?? pino({ level: config.logLevel, base: { service: 'shiyu' } });
  const db = await openDatabase(config);
  const applied = await migrate(db);
  if (applied.length) log.info({ applied, engine: db.engine }, 'migrations applied');
  const clock = opts.clock ?? systemClock;
  return {
    config,
    db,
    clock,
    bus: new InProcessBus((name, err) => log.error({ err, event: name }, 'event listener failed')),
    pii: new PiiProtector(loadSecretKey(config.secretKey, config.dataDir)),
    audit: new AuditService(clock),
    log,
  };
}

export interface Services {
  areas: AreasService;
  accounts: AccountsService;
}

export function createServices(p: Platform): Services {
  const areas = new AreasService(p);
  const accounts = new AccountsService(p, areas);
  return { areas, accounts };
}

export interface Server {
  app: App;
  routes: RouteInfo[];
  services: Services;
  platform: Platform;
}

export async function buildServer(p: Platform): Promise<Server> {
  const services = createServices(p);
  const { app, routes } = await createHttpServer({
    logger: p.log,
    authenticate: (token, ip) => services.accounts.authenticate(token, ip),
    loginRatePerMinute: p.config.loginRatePerMinute,
    version: VERSION,
  });

  systemRoutes(app, p, VERSION);
  accountsRoutes(app, services.accounts, { loginRatePerMinute: p.config.loginRatePerMinute, secureCookie: false });
  areasRoutes(app, services.areas);
  auditRoutes(app, p);

  await serveWeb(app, p.config.webDir);
  return { app, routes, services, platform: p };
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
