// Early warning: zones (with their contacts and the school-holiday calendar), rules (versioned, with the stored
// state of their windows and firings), alerts (timeline, attachments, timers), responders and dispatches.
import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('zones')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('risk_level', 'integer', (c) => c.notNull())
    .addColumn('area_code', 'text', (c) => c.notNull().references('areas.code'))
    .addColumn('geometry', 'text', (c) => c.notNull())
    .addColumn('min_lon', dialect.floatType, (c) => c.notNull())
    .addColumn('min_lat', dialect.floatType, (c) => c.notNull())
    .addColumn('max_lon', dialect.floatType, (c) => c.notNull())
    .addColumn('max_lat', dialect.floatType, (c) => c.notNull())
    .addColumn('active_periods', 'text', (c) => c.notNull())
    .addColumn('speaker_ids', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('zones_area').on('zones').column('area_code').execute();

  await db.schema
    .createTable('zone_contacts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('zone_id', 'text', (c) => c.notNull().references('zones.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.references('users.id'))
    .addColumn('name_enc', 'text')
    .addColumn('phone_enc', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('zone_contacts_zone').on('zone_contacts').column('zone_id').execute();

  await db.schema
    .createTable('school_holidays')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('area_code', 'text', (c) => c.notNull().references('areas.code'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('from_date', 'text', (c) => c.notNull())
    .addColumn('to_date', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('school_holidays_area').on('school_holidays').column('area_code').execute();

  await db.schema
    .createTable('rules')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('area_code', 'text', (c) => c.notNull().references('areas.code'))
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('definition', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('rules_area').on('rules').column('area_code').execute();

  await db.schema
    .createTable('rule_versions')
    .addColumn('rule_id', 'text', (c) => c.notNull().references('rules.id'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('definition', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('rule_versions_pk', ['rule_id', 'version'])
    .execute();
  await dialect.appendOnly(db, 'rule_versions');

  await db.schema
    .createTable('rule_firings')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('rule_id', 'text', (c) => c.notNull())
    .addColumn('rule_version', 'integer', (c) => c.notNull())
    .addColumn('trigger_key', 'text', (c) => c.notNull())
    .addColumn('alert_id', 'text')
    .addColumn('fired_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('rule_firings_once').on('rule_firings').columns(['rule_id', 'trigger_key']).unique().execute();

  await db.schema
    .createTable('rule_window_hits')
    .addColumn('rule_id', 'text', (c) => c.notNull())
    .addColumn('window_key', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('rule_window_hits_pk', ['rule_id', 'window_key', 'event_id'])
    .execute();
  await db.schema.createIndex('rule_window_hits_at').on('rule_window_hits').columns(['rule_id', 'window_key', 'at']).execute();

  await db.schema
    .createTable('alerts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('tier', 'text', (c) => c.notNull())
    .addColumn('tier_area_code', 'text', (c) => c.notNull())
    .addColumn('area_code', 'text', (c) => c.notNull())
    .addColumn('subsystem', 'text', (c) => c.notNull())
    .addColumn('event_kind', 'text', (c) => c.notNull())
    .addColumn('rule_id', 'text')
    .addColumn('rule_version', 'integer')
    .addColumn('rule_ids', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text')
    .addColumn('device_id', 'text')
    .addColumn('zone_id', 'text')
    .addColumn('zone_name', 'text')
    .addColumn('lon', dialect.floatType)
    .addColumn('lat', dialect.floatType)
    .addColumn('snapshot_ids', 'text')
    .addColumn('match', 'text')
    .addColumn('ladder', 'text', (c) => c.notNull())
    .addColumn('ladder_step', 'integer', (c) => c.notNull())
    .addColumn('raised_at', 'text', (c) => c.notNull())
    .addColumn('acknowledged_at', 'text')
    .addColumn('acknowledged_by', 'text')
    .addColumn('dispatched_at', 'text')
    .addColumn('on_scene_at', 'text')
    .addColumn('closed_at', 'text')
    .addColumn('closed_by', 'text')
    .addColumn('outcome', 'text')
    .addColumn('outcome_note', 'text')
    .addColumn('overdue', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('alerts_area_time').on('alerts').columns(['area_code', 'raised_at']).execute();
  await db.schema.createIndex('alerts_time').on('alerts').column('raised_at').execute();
  await db.schema.createIndex('alerts_state').on('alerts').columns(['state', 'raised_at']).execute();
  // One alert per event: a second rule on the same event adds itself to the alert instead of raising another.
  await db.schema.createIndex('alerts_event').on('alerts').column('event_id').unique().execute();

  await db.schema
    .createTable('alert_steps')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('alert_id', 'text', (c) => c.notNull().references('alerts.id'))
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('actor_name', 'text', (c) => c.notNull())
    .addColumn('detail', 'text')
    .execute();
  await db.schema.createIndex('alert_steps_alert').on('alert_steps').columns(['alert_id', 'at']).execute();
  await dialect.appendOnly(db, 'alert_steps');

  await db.schema
    .createTable('alert_attachments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('alert_id', 'text', (c) => c.notNull().references('alerts.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('storage_key', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('alert_attachments_alert').on('alert_attachments').column('alert_id').execute();

  await db.schema
    .createTable('alert_timers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('alert_id', 'text', (c) => c.notNull().references('alerts.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('due_at', 'text', (c) => c.notNull())
    .addColumn('payload', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('fired_at', 'text')
    .execute();
  await db.schema.createIndex('alert_timers_due').on('alert_timers').columns(['status', 'due_at']).execute();
  await db.schema.createIndex('alert_timers_alert').on('alert_timers').column('alert_id').execute();

  await db.schema
    .createTable('responders')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.references('users.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('phone_enc', 'text')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('area_code', 'text', (c) => c.notNull().references('areas.code'))
    .addColumn('lon', dialect.floatType)
    .addColumn('lat', dialect.floatType)
    .addColumn('position_at', 'text')
    .addColumn('available', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('responders_area').on('responders').columns(['area_code', 'available']).execute();

  await db.schema
    .createTable('dispatches')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('alert_id', 'text', (c) => c.notNull().references('alerts.id'))
    .addColumn('responder_id', 'text', (c) => c.notNull().references('responders.id'))
    .addColumn('area_code', 'text', (c) => c.notNull())
    .addColumn('distance_m', dialect.floatType)
    .addColumn('dispatched_at', 'text', (c) => c.notNull())
    .addColumn('dispatched_by', 'text', (c) => c.notNull())
    .addColumn('answer_due_at', 'text', (c) => c.notNull())
    .addColumn('on_scene_due_at', 'text', (c) => c.notNull())
    .addColumn('answered_at', 'text')
    .addColumn('on_scene_at', 'text')
    .addColumn('answer_overdue', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('on_scene_overdue', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('state', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('dispatches_alert').on('dispatches').column('alert_id').execute();
  await db.schema.createIndex('dispatches_responder').on('dispatches').columns(['responder_id', 'state']).execute();
}
