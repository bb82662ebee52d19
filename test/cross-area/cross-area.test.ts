// An operator and an administrator of 邵阳县 (430523) can neither read nor change anything of 隆回县 (430524)
// through any route that exists. Every non-public route must have a probe (probes/*.ts); the database is
// compared before and after each probe's requests, so a "denied" answer that still wrote something fails too.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql, type Kysely } from 'kysely';
import { createTestApp, engine, type TestApp } from '../helpers/app.ts';
import type { CrossAreaProbe, ProbeContext } from './probe.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
// Written by the server itself, not by routes: the audit trail, sign-in bookkeeping, migrations, and the rule
// engine's evaluation position (saved by a timer every second).
const unwatched = new Set(['audit_log', 'sessions', 'login_failures', 'kysely_migration', 'kysely_migration_lock', 'warning_cursors']);

let app: TestApp;
let ctx: ProbeContext;
const attackers: Record<string, string> = {};
const probes = new Map<string, CrossAreaProbe>();

before(async () => {
  app = await createTestApp();
  for (const f of fs.readdirSync(path.join(here, 'probes')).filter((f) => f.endsWith('.ts')).sort()) {
    const mod = (await import(path.join(here, 'probes', f))) as { probes: CrossAreaProbe[] };
    for (const p of mod.probes) {
      assert.ok(!probes.has(p.route), `two probes for ${p.route}`);
      probes.set(p.route, p);
    }
  }
  const cityAdmin = await app.login('admin');
  const created = await app.request('POST', '/api/users', {
    token: cityAdmin,
    body: { username: 'sy_admin', displayName: '邵阳县管理员', role: 'admin', areaCode: '430523', password: 'County#Admin1', phone: '13900000001' },
  });
  assert.equal(created.status, 201);
  attackers.sy_operator = await app.login('sy_operator');
  attackers.sy_admin = await app.login('sy_admin', 'County#Admin1');
  ctx = {
    app,
    cityAdmin,
    foreign: { county: '430524', town: '430524001', village: await firstVillage('430524001') },
    home: { county: '430523', town: '430523100', village: '430523100203' },
  };
});

after(async () => app?.close());

async function firstVillage(town: string): Promise<string> {
  const res = await app.request('GET', `/api/areas/${town}/children`, { token: await app.login('admin') });
  const code = res.body.items[0]?.code as string | undefined;
  assert.ok(code, `a village under ${town}`);
  return code;
}

async function snapshot(): Promise<Map<string, string>> {
  // Only this app's own tables: other test files create and drop their schemas meanwhile.
  const tables = (await app.platform.db.dialect.listTables(app.platform.db.kysely as unknown as Kysely<unknown>)).filter((n) => !unwatched.has(n));
  assert.ok(['areas', 'users', 'device_events', 'cases'].every((t) => tables.includes(t)), `watched tables: ${tables.join(', ')}`);
  const out = new Map<string, string>();
  for (const t of tables.sort()) {
    const rows = await sql<Record<string, unknown>>`select * from ${sql.table(t)}`.execute(app.platform.db.kysely);
    const lines = rows.rows.map((r) => JSON.stringify(r)).sort();
    out.set(t, crypto.createHash('sha256').update(lines.join('\n')).digest('hex') + `:${lines.length}`);
  }
  return out;
}

test(`every non-public route has a cross-area probe (${engine})`, () => {
  const missing = app.routes
    .filter((r) => !r.public && r.url.startsWith('/'))
    .map((r) => `${r.method} ${r.url}`)
    .filter((k) => !probes.has(k));
  assert.deepEqual(missing, [], `routes without a probe in test/cross-area/probes/: ${missing.join(', ')}`);
  const unknown = [...probes.keys()].filter((k) => !app.routes.some((r) => `${r.method} ${r.url}` === k));
  assert.deepEqual(unknown, [], `probes for routes that do not exist: ${unknown.join(', ')}`);
});

test(`邵阳县 accounts cannot read or change 隆回县 through any route (${engine})`, async (t) => {
  let tried = 0;
  for (const [route, probe] of [...probes.entries()].sort()) {
    const requests = await probe.requests(ctx);
    if (requests.length === 0) continue;
    await t.test(route, async () => {
      const beforeState = await snapshot();
      for (const [who, token] of Object.entries(attackers)) {
        for (const r of requests) {
          const res = await app.request(r.method, r.url, { token, body: r.body, ...(r.headers ? { headers: r.headers } : {}) });
          const label = `${who}: ${r.method} ${r.url} → ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`;
          if (r.expect === 'denied') assert.ok([400, 403, 404].includes(res.status), label);
          else {
            assert.ok(res.status < 300 || res.status === 403, label);
            r.expect(res);
          }
          tried++;
        }
      }
      const afterState = await snapshot();
      for (const [table, hash] of beforeState) assert.equal(afterState.get(table), hash, `${route} changed ${table}`);
    });
  }
  assert.ok(tried > 20, `tried ${tried} requests`);
});
