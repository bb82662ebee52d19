// An in-process Shiyu on a fresh database of the engine under test: SQLite by default, PostgreSQL (a schema of its
// own) when DATABASE_URL is set. Requests go through Fastify's inject, so the whole stack runs: routes, auth,
// validation, services, SQL.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../../src/config.ts';
import { buildServer, createPlatform, type Server } from '../../src/app.ts';
import { FakeClock, type Clock } from '../../src/platform/clock.ts';
import { dropPostgresSchema } from '../../src/platform/db/database.ts';
import { importBoundaries, importPrefecture } from '../../src/modules/areas/areas.import.ts';
import { DEMO_BOUNDARIES, DEMO_PASSWORD, seedDemo } from '../../src/modules/system/demo.ts';

export interface TestApp extends Server {
  config: Config;
  clock: Clock;
  /** Signs in and returns the bearer token. */
  login(username: string, password?: string): Promise<string>;
  request(method: string, url: string, opts?: { token?: string; body?: unknown; headers?: Record<string, string> }): Promise<TestResponse>;
  close(): Promise<void>;
}

export interface TestResponse {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- test assertions read arbitrary JSON
  headers: Record<string, unknown>;
}

export const engine = process.env.DATABASE_URL ? 'postgres' : 'sqlite';

export async function createTestApp(opts: { seed?: 'areas' | 'demo' | 'none'; clock?: Clock; config?: Partial<Config> } = {}): Promise<TestApp> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shiyu-test-'));
  const schema = 't_' + crypto.randomBytes(6).toString('hex');
  const config = loadConfig(
    { DATABASE_URL: process.env.DATABASE_URL },
    {
      dataDir: dir,
      databaseSchema: process.env.DATABASE_URL ? schema : 'public',
      secretKey: crypto.randomBytes(32).toString('hex'),
      logLevel: (process.env.LOG_LEVEL as Config['logLevel']) ?? 'silent',
      webDir: path.join(dir, 'no-web'),
      loginRatePerMinute: 1000,
      ...opts.config,
    },
  );
  const clock = opts.clock ?? new FakeClock(new Date());
  const platform = await createPlatform(config, { clock });
  const server = await buildServer(platform);
  const seed = opts.seed ?? 'demo';
  if (seed === 'demo') await seedDemo(platform, server.services);
  else if (seed === 'areas') {
    await importPrefecture(platform, '430500');
    await importBoundaries(platform, DEMO_BOUNDARIES, 'test');
  }
  await server.app.ready();

  const request: TestApp['request'] = async (method, url, o = {}) => {
    const res = await server.app.inject({
      method: method as 'GET',
      url,
      headers: { ...(o.token ? { authorization: `Bearer ${o.token}` } : {}), ...o.headers },
      ...(o.body !== undefined ? { payload: o.body as object } : {}),
    });
    let body: unknown = res.body;
    try {
      body = res.body ? JSON.parse(res.body) : null;
    } catch {
      /* not JSON */
    }
    return { status: res.statusCode, body, headers: res.headers };
  };

  return {
    ...server,
    config,
    clock,
    request,
    async login(username, password = DEMO_PASSWORD) {
      const res = await request('POST', '/api/auth/login', { body: { username, password } });
      if (res.status !== 200) throw new Error(`login ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.token as string;
    },
    async close() {
      await server.app.close();
      await platform.bus.drain();
      await platform.db.close();
      if (config.databaseUrl) await dropPostgresSchema(config.databaseUrl, config.databaseSchema);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
