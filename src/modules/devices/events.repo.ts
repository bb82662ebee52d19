// The only place with SQL for stored device events and snapshots.
import type { Db, Executor } from '../../platform/db/database.ts';
import type { DeviceEventRow, DeviceSnapshotRow } from './devices.tables.ts';

const eventColumns = ['id', 'device_id', 'event_id', 'kind', 'occurred_at', 'received_at', 'area_code', 'subsystem', 'lon', 'lat', 'zones', 'attributes', 'snapshot_ids', 'source'] as const;
const eventTypes = ['text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'float', 'float', 'text', 'text', 'text', 'text'] as const;
const snapshotColumns = ['id', 'device_id', 'event_id', 'seq', 'area_code', 'kind', 'content_type', 'size', 'storage_key', 'created_at'] as const;
const snapshotTypes = ['text', 'text', 'text', 'int', 'text', 'text', 'text', 'int', 'text', 'text'] as const;

export const eventsRepo = {
  /**
   * The ingest hot path: events and their snapshot rows in one transaction through the engine's bulk primitive
   * (platform/db/bulk.ts); events whose (device_id, event_id) is stored already are skipped.
   * Returns, per event, whether it was inserted (false: it was stored before).
   */
  async insertBatch(db: Db, events: readonly DeviceEventRow[], snapshots: readonly DeviceSnapshotRow[]): Promise<boolean[]> {
    const eventRows = new Array<unknown[]>(events.length);
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      eventRows[i] = [e.id, e.device_id, e.event_id, e.kind, e.occurred_at, e.received_at, e.area_code, e.subsystem, e.lon, e.lat, e.zones, e.attributes, e.snapshot_ids, e.source];
    }
    const [inserted] = await db.bulk.insertIgnoringDuplicates([
      { table: 'device_events', columns: eventColumns, types: eventTypes, key: ['device_id', 'event_id'], rows: eventRows },
      { table: 'device_snapshots', columns: snapshotColumns, types: snapshotTypes, key: ['device_id', 'event_id', 'seq'], rows: snapshots.map((s) => snapshotColumns.map((c) => s[c])) },
    ]);
    return inserted!;
  },

  async latestForDevice(db: Executor, deviceId: string, limit: number, before?: string, kind?: string): Promise<DeviceEventRow[]> {
    let q = db.selectFrom('device_events').selectAll().where('device_id', '=', deviceId);
    if (before) q = q.where('occurred_at', '<', before);
    if (kind) q = q.where('kind', '=', kind);
    return q.orderBy('occurred_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
  },

  async find(db: Executor, deviceId: string, eventId: string): Promise<DeviceEventRow | undefined> {
    return db.selectFrom('device_events').selectAll().where('device_id', '=', deviceId).where('event_id', '=', eventId).executeTakeFirst();
  },

  async countForDevice(db: Executor, deviceId: string): Promise<number> {
    const r = await db.selectFrom('device_events').select((eb) => eb.fn.countAll<number>().as('n')).where('device_id', '=', deviceId).executeTakeFirstOrThrow();
    return Number(r.n);
  },

  async snapshotsOf(db: Executor, ids: string[]): Promise<DeviceSnapshotRow[]> {
    if (ids.length === 0) return [];
    return db.selectFrom('device_snapshots').selectAll().where('id', 'in', ids).execute();
  },

  async snapshot(db: Executor, id: string): Promise<DeviceSnapshotRow | undefined> {
    return db.selectFrom('device_snapshots').selectAll().where('id', '=', id).executeTakeFirst();
  },

  async latestSnapshotsForDevice(db: Executor, deviceId: string, limit: number): Promise<DeviceSnapshotRow[]> {
    return db.selectFrom('device_snapshots').selectAll().where('device_id', '=', deviceId).orderBy('created_at', 'desc').limit(limit).execute();
  },
};
