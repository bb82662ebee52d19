// A real Shiyu server process (the built `bin/shiyu.js`), for end-to-end and browser tests. It runs in demo mode on
// a free port with its own data folder, and on PostgreSQL (its own schema) when DATABASE_URL is set.
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { dropPostgresSchema } from '../../src/platform/db/database.ts';
import type { TestResponse } from './app.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

export interface TestServer {
  url: string;
  port: number;
  mqttPort: number;
  dataDir: string;
  env: Record<string, string>;
  /** Graceful stop (SIGTERM). */
  stop(): Promise<void>;
  /** Hard kill (SIGKILL): no shutdown code runs. */
  kill(): Promise<void>;
  /** Starts the process again on the same data (and the same ports where free). */
  restart(): Promise<void>;
  /** Stops and removes the data. */
  dispose(): Promise<void>;
  output(): string;
}

/**
 * `demoTraffic`: the demo fleet sends its traffic as under `npm start` (SHIYU_DEMO_RATE left to its default)
 * instead of staying silent.
 */
export async function startTestServer(opts: { env?: Record<string, string>; mqtt?: boolean; nodeArgs?: string[]; demoTraffic?: boolean } = {}): Promise<TestServer> {
  if (!fs.existsSync(path.join(root, 'dist', 'main.js'))) throw new Error('dist/main.js is missing: run `npm run build` first');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shiyu-e2e-'));
  const schema = 'e_' + crypto.randomBytes(6).toString('hex');
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    DATA_DIR: dataDir,
    PORT: '0',
    HOST: '127.0.0.1',
    MQTT_PORT: opts.mqtt ? String(20000 + Math.floor(Math.random() * 20000)) : '0',
    SHIYU_SECRET_KEY: crypto.randomBytes(32).toString('hex'),
    LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'warn',
    // The demo fleet stays silent in tests unless a test asks for it: its traffic would mix with the test's.
    SHIYU_DEMO_RATE: '0',
    WEB_DIR: path.join(root, 'web', 'dist'),
    ...(process.env.DATABASE_URL ? { DATABASE_SCHEMA: schema } : {}),
    ...opts.env,
  };
  if (opts.demoTraffic) delete env.SHIYU_DEMO_RATE;
  let child: ChildProcess | null = null;
  let out = '';
  const server: TestServer = {
    url: '',
    port: 0,
    mqttPort: 0,
    dataDir,
    env,
    output: () => out,
    async stop() {
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const c = child;
      const exited = new Promise((r) => c.once('exit', r));
      c.kill('SIGTERM');
      await exited;
    },
    async kill() {
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const c = child;
      const exited = new Promise((r) => c.once('exit', r));
      c.kill('SIGKILL');
      await exited;
    },
    async restart() {
      await server.stop();
      await launch();
    },
    async dispose() {
      await server.stop();
      if (process.env.DATABASE_URL) await dropPostgresSchema(process.env.DATABASE_URL, schema);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  async function launch(): Promise<void> {
    const c = spawn(process.execPath, [...(opts.nodeArgs ?? ['--max-semi-space-size=64']), path.join(root, 'bin', 'shiyu.js'), 'start', '--demo'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child = c;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not start in 60 s:\n${out}`)), 60_000);
      const onData = (buf: Buffer) => {
        out += buf.toString();
        const m = /SHIYU_READY port=(\d+) mqtt=(\d+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          server.port = Number(m[1]);
          server.mqttPort = Number(m[2]);
          server.url = `http://127.0.0.1:${server.port}`;
          // Keep the same ports on restart, so that clients can reconnect.
          env.PORT = String(server.port);
          if (server.mqttPort) env.MQTT_PORT = String(server.mqttPort);
          out = out.replace(/SHIYU_READY/g, 'SHIYU_WAS_READY');
          resolve();
        }
      };
      c.stdout!.on('data', onData);
      c.stderr!.on('data', (b: Buffer) => (out += b.toString()));
      c.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`server exited with ${code} before it was ready:\n${out}`));
      });
    });
  }
  await launch();
  return server;
}

/** A JSON client for a server process: `api(method, url, bearer token or null, body?)`. */
export interface Api {
  (method: string, url: string, token: string | null, body?: unknown): Promise<Pick<TestResponse, 'status' | 'body'>>;
}

/** The client of `server` (its url is read at each call, so it follows a restart). */
export function apiOf(server: TestServer): Api {
  return async (method, url, token, body) => {
    const res = await fetch(server.url + url, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed };
  };
}
