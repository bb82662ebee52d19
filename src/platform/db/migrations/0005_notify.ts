// Notifications: channels (with their secrets encrypted), the outbox with delivery states, the attempts made for
// each notification, per-person channel preferences, and the local sink that records deliveries in demo and tests.
import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('notify_channels')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    // The channel serves notifications whose area starts with this code; the longest match wins.
    .addColumn('area_code', 'text', (c) => c.notNull().references('areas.code'))
    .addColumn('config_enc', 'text', (c) => c.notNull())
    .addColumn('sink', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('notify_channels_kind_area').on('notify_channels').columns(['kind', 'area_code']).execute();

  await db.schema
    .createTable('notifications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    // Unique: a retried rule, a restarted worker or a double click enqueues nothing new.
    .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
    .addColumn('area_code', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('channel_kind', 'text', (c) => c.notNull())
    .addColumn('channel_id', 'text')
    .addColumn('recipient_kind', 'text', (c) => c.notNull())
    .addColumn('recipient_id', 'text')
    .addColumn('recipient_name_enc', 'text')
    .addColumn('address_enc', 'text')
    .addColumn('address_masked', 'text')
    .addColumn('subject', 'text')
    .addColumn('body_enc', 'text', (c) => c.notNull())
    .addColumn('template', 'text')
    .addColumn('alert_id', 'text')
    .addColumn('rule_id', 'text')
    .addColumn('case_id', 'text')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('max_attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    .addColumn('lease_until', 'text')
    .addColumn('last_error', 'text')
    .addColumn('provider_ref', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('delivered_at', 'text')
    .addColumn('read_at', 'text')
    .execute();
  // The worker's query: what is due, by state and time.
  await db.schema.createIndex('notifications_due').on('notifications').columns(['state', 'next_attempt_at']).execute();
  await db.schema.createIndex('notifications_area_time').on('notifications').columns(['area_code', 'created_at']).execute();
  await db.schema.createIndex('notifications_alert').on('notifications').column('alert_id').execute();
  await db.schema.createIndex('notifications_inbox').on('notifications').columns(['recipient_kind', 'recipient_id', 'channel_kind']).execute();

  await db.schema
    .createTable('notification_attempts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('notification_id', 'text', (c) => c.notNull().references('notifications.id'))
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('channel_id', 'text')
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('provider_ref', 'text')
    .execute();
  await db.schema.createIndex('notification_attempts_notification').on('notification_attempts').column('notification_id').execute();

  await db.schema
    .createTable('notify_preferences')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('subject_kind', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('area_code', 'text', (c) => c.notNull())
    .addColumn('channels', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('notify_preferences_subject').on('notify_preferences').columns(['subject_kind', 'subject_id']).unique().execute();

  await db.schema
    .createTable('notify_sink')
    .addColumn('id', 'text', (c) => c.primaryKey())
    // One record per notification: a re-sent notification (after a crash mid-send) is not recorded twice.
    .addColumn('notification_id', 'text', (c) => c.notNull().unique())
    .addColumn('area_code', 'text', (c) => c.notNull())
    .addColumn('channel_kind', 'text', (c) => c.notNull())
    .addColumn('channel_id', 'text')
    .addColumn('address_enc', 'text')
    .addColumn('address_masked', 'text')
    .addColumn('subject', 'text')
    .addColumn('body_enc', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('notify_sink_area_time').on('notify_sink').columns(['area_code', 'at']).execute();
}
