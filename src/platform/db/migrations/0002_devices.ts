// Terminal perception: devices, their events (unique per device and event id: idempotent ingest), snapshots and
// commands. Events carry a copy of the device's area code so that scoped reads need no join.
import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('devices')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('gb_id', 'text', (c) => c.unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('subsystem', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('capabilities', 'text', (c) => c.notNull())
    .addColumn('lon', dialect.floatType)
    .addColumn('lat', dialect.floatType)
    .addColumn('area_code', 'text', (c) => c.notNull().references('areas.code'))
    .addColumn('address', 'text')
    .addColumn('vendor', 'text')
    .addColumn('model', 'text')
    .addColumn('heartbeat_interval_s', 'integer', (c) => c.notNull().defaultTo(60))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('online', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_seen_at', 'text')
    .addColumn('online_changed_at', 'text')
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('secret_enc', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('retired_at', 'text')
    .execute();
  await db.schema.createIndex('devices_area').on('devices').column('area_code').execute();
  await db.schema.createIndex('devices_subsystem').on('devices').columns(['subsystem', 'area_code']).execute();
  await db.schema.createIndex('devices_online').on('devices').columns(['status', 'online']).execute();

  await db.schema
    .createTable('device_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('occurred_at', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('area_code', 'text', (c) => c.notNull())
    .addColumn('subsystem', 'text', (c) => c.notNull())
    .addColumn('lon', dialect.floatType)
    .addColumn('lat', dialect.floatType)
    .addColumn('zones', 'text')
    .addColumn('attributes', 'text')
    .addColumn('snapshot_ids', 'text')
    .addColumn('source', 'text', (c) => c.notNull())
    .execute();
  // No foreign key to devices: the ingest path is the hottest write in the system and the device is checked
  // when the caller is authenticated. The unique index is what makes a retried event a no-op.
  await db.schema.createIndex('device_events_dedup').on('device_events').columns(['device_id', 'event_id']).unique().execute();
  await db.schema.createIndex('device_events_device_time').on('device_events').columns(['device_id', 'occurred_at']).execute();

  await db.schema
    .createTable('device_snapshots')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('area_code', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('storage_key', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('device_snapshots_event').on('device_snapshots').columns(['device_id', 'event_id', 'seq']).unique().execute();

  await db.schema
    .createTable('device_commands')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id'))
    .addColumn('area_code', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('params', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('via', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'text')
    .addColumn('acked_at', 'text')
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('result', 'text')
    .execute();
  await db.schema.createIndex('device_commands_device').on('device_commands').columns(['device_id', 'created_at']).execute();
  await db.schema.createIndex('device_commands_open').on('device_commands').columns(['status', 'expires_at']).execute();
}
