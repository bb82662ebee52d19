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
