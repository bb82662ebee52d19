import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, engine, type TestApp } from '../helpers/app.ts';
import type { BulkInsert } from '../../src/platform/db/bulk.ts';

let app: TestApp;
before(async () => {
  app = await createTestApp({ seed: 'none' });
});
after(async () => app?.close());

const columns = ['id', 'device_id', 'event_id', 'kind', 'occurred_at', 'received_at', 'area_code', 'subsystem', 'lon', 'lat', 'zones', 'attributes', 'snapshot_ids', 'source'];
const types = ['text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'float', 'float', 'text', 'text', 'text', 'text'] as const;
const row = (id: string, eventId: string, kind: string | null = 'gas.alarm') => [id, 'dev-1', eventId, kind, '2026-05-22T06:03:00.000Z', '2026-05-22T06:03:01.000Z', '430581', 'smart_fire', 110.6, 26.7, null, '{"lel":30}', null, 'http'];
const insert = (rows: unknown[][]): BulkInsert => ({ table: 'device_events', columns, types: [...types], key: ['device_id', 'event_id'], rows });

test(`bulk insert skips rows whose key exists and says which were inserted (${engine})`, async () => {
  const first = await app.platform.db.bulk.insertIgnoringDuplicates([insert([row('a1', 'e1'), row('a2', 'e2')])]);
  assert.deepEqual(first, [[true, true]]);
  const second = await app.platform.db.bulk.insertIgnoringDuplicates([insert([row('a3', 'e2'), row('a4', 'e3')])]);
  assert.deepEqual(second, [[false, true]]);
  const stored = await app.platform.db.kysely.selectFrom('device_events').select(['id', 'event_id', 'lon']).orderBy('event_id').execute();
  assert.deepEqual(stored.map((r) => [r.id, r.event_id]), [['a1', 'e1'], ['a2', 'e2'], ['a4', 'e3']]);
  assert.equal(stored[0]!.lon, 110.6);
});

test(`a failing insert rolls back the whole transaction (${engine})`, async () => {
  await assert.rejects(app.platform.db.bulk.insertIgnoringDuplicates([insert([row('b1', 'f1')]), insert([row('b2', 'f2', null)])]));
  const n = await app.platform.db.kysely.selectFrom('device_events').select('id').where('event_id', 'in', ['f1', 'f2']).execute();
  assert.equal(n.length, 0);
  // The connection is still usable afterwards.
  assert.deepEqual(await app.platform.db.bulk.insertIgnoringDuplicates([insert([row('b3', 'f3')])]), [[true]]);
});

test(`transactions that read before they write run alongside bulk inserts (${engine})`, async () => {
  // On SQLite the bulk inserts come from the writer thread, a second connection: a deferred transaction that read
  // before the thread committed could not become a writer (SQLITE_BUSY_SNAPSHOT). Transactions begin IMMEDIATE.
  const db = app.platform.db;
  if (engine === 'sqlite') assert.equal(db.bulk.constructor.name, 'SqliteThreadBulkWriter');
  const rounds = 30;
  const bulk = (async () => {
    for (let k = 0; k < rounds; k++) {
      const rows = Array.from({ length: 400 }, (_, i) => row(`c${k}-${i}`, `g${k}-${i}`));
      const [ok] = await db.bulk.insertIgnoringDuplicates([insert(rows)]);
      assert.equal(ok!.filter(Boolean).length, 400);
    }
  })();
  const transactions = (async () => {
    for (let k = 0; k < 3 * rounds; k++) {
      await db.kysely.transaction().execute(async (trx) => {
        const before = await trx.selectFrom('device_events').select((eb) => eb.fn.countAll<number>().as('n')).where('event_id', 'like', 'tx%').executeTakeFirstOrThrow();
        // Let the writer thread run between the read and the write.
        await new Promise((r) => setTimeout(r, 1));
        const r = row(`t${k}`, `tx${k}`);
        await trx.insertInto('device_events').values(Object.fromEntries(columns.map((c, i) => [c, r[i]])) as never).execute();
        assert.equal(Number(before.n), k);
      });
    }
  })();
  await Promise.all([bulk, transactions]);
  const n = await db.kysely.selectFrom('device_events').select((eb) => eb.fn.countAll<number>().as('n')).where((eb) => eb.or([eb('event_id', 'like', 'g%'), eb('event_id', 'like', 'tx%')])).executeTakeFirstOrThrow();
  assert.equal(Number(n.n), rounds * 400 + 3 * rounds);
});
