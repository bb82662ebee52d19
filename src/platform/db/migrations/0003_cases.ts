// Cases: mediation centres, mediators, departments, cases with their parties, reports, timeline, timers and files.
import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('mediation_centres')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('area_code', 'text', (c) => c.notNull().unique().references('areas.code'))
    .addColumn('level', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('leader_name', 'text')
    .addColumn('phone', 'text')
    .addColumn('address', 'text')
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('mediators')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('centre_id', 'text', (c) => c.notNull().references('mediation_centres.id'))
    .addColumn('user_id', 'text', (c) => c.unique().references('users.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('phone_enc', 'text')
    .addColumn('area_code', 'text', (c) => c.notNull().references('areas.code'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('specialities', 'text', (c) => c.notNull())
    .addColumn('capacity', 'integer', (c) => c.notNull())
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('mediators_centre').on('mediators').column('centre_id').execute();
  await db.schema.createIndex('mediators_area').on('mediators').column('area_code').execute();

  await db.schema
    .createTable('case_departments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('area_code', 'text', (c) => c.notNull().references('areas.code'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('contact', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('case_departments_area').on('case_departments').column('area_code').execute();

  await db.schema
    .createTable('cases')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('risk', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('area_code', 'text', (c) => c.notNull().references('areas.code'))
    .addColumn('place', 'text')
    .addColumn('lon', dialect.floatType)
    .addColumn('lat', dialect.floatType)
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('people_count', 'integer')
    .addColumn('amount_involved', dialect.floatType)
    .addColumn('centre_id', 'text', (c) => c.notNull().references('mediation_centres.id'))
    .addColumn('level', 'text', (c) => c.notNull())
    .addColumn('mediator_id', 'text', (c) => c.references('mediators.id'))
    .addColumn('responsible_leader', 'text')
    .addColumn('deadline_at', 'text', (c) => c.notNull())
    .addColumn('deadline_days', 'integer', (c) => c.notNull())
    .addColumn('extension_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('overdue_at', 'text')
    .addColumn('escalation_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('outcome', 'text')
    .addColumn('outcome_note', 'text')
    .addColumn('concluded_at', 'text')
    .addColumn('days_to_conclude', dialect.floatType)
    .addColumn('followed_up_at', 'text')
    .addColumn('satisfaction', 'integer')
    .addColumn('rated_at', 'text')
    .addColumn('mass_stage', 'text')
    .addColumn('amount_recovered', dialect.floatType)
    .addColumn('report_count', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('intake_day', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_by', 'text')
    .addColumn('created_by_name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('cases_area').on('cases').column('area_code').execute();
  // No index on state: six values, and SQLite's planner (without statistics) would pick it over a scan, which
  // measured 3–6× slower for the board's filters at 100,000 cases (bench/cases.ts).
  await db.schema.createIndex('cases_mediator').on('cases').column('mediator_id').execute();
  await db.schema.createIndex('cases_centre').on('cases').column('centre_id').execute();
  await db.schema.createIndex('cases_intake_day').on('cases').column('intake_day').execute();

  await db.schema
    .createTable('case_parties')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('case_id', 'text', (c) => c.notNull().references('cases.id'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('name_enc', 'text', (c) => c.notNull())
    .addColumn('name_index', 'text', (c) => c.notNull())
    .addColumn('id_number_enc', 'text')
    .addColumn('id_number_index', 'text')
    .addColumn('phone_enc', 'text')
    .addColumn('phone_index', 'text')
    .addColumn('sex', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('case_parties_case').on('case_parties').column('case_id').execute();
  await db.schema.createIndex('case_parties_name').on('case_parties').column('name_index').execute();
  await db.schema.createIndex('case_parties_id_number').on('case_parties').column('id_number_index').execute();
  await db.schema.createIndex('case_parties_phone').on('case_parties').column('phone_index').execute();

  await db.schema
    .createTable('case_reports')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('case_id', 'text', (c) => c.notNull().references('cases.id'))
    .addColumn('channel', 'text', (c) => c.notNull())
    // An alert becomes at most one case, even when two operators convert it at once.
    .addColumn('source_ref', 'text', (c) => c.unique())
    .addColumn('reporter_enc', 'text')
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('reported_at', 'text', (c) => c.notNull())
    .addColumn('created_by_name', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('case_reports_case').on('case_reports').column('case_id').execute();

  await db.schema
    .createTable('case_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('case_id', 'text', (c) => c.notNull().references('cases.id'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('actor_name', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('from_state', 'text')
    .addColumn('to_state', 'text')
    .addColumn('detail', 'text')
    .addUniqueConstraint('case_events_case_seq', ['case_id', 'seq'])
    .execute();
  // The timeline is evidence of who did what and when: nobody rewrites it.
  await dialect.appendOnly(db, 'case_events');

  await db.schema
    .createTable('case_timers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('case_id', 'text', (c) => c.notNull().references('cases.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('due_at', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('fired_at', 'text')
    .addColumn('cancelled_at', 'text')
    .execute();
  await db.schema.createIndex('case_timers_due').on('case_timers').columns(['fired_at', 'cancelled_at', 'due_at']).execute();
  await db.schema.createIndex('case_timers_case').on('case_timers').column('case_id').execute();

  await db.schema
    .createTable('case_attachments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('case_id', 'text', (c) => c.notNull().references('cases.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('data', dialect.binaryType, (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by_name', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('case_attachments_case').on('case_attachments').column('case_id').execute();

  await db.schema
    .createTable('case_department_links')
    .addColumn('case_id', 'text', (c) => c.notNull().references('cases.id'))
    .addColumn('department_id', 'text', (c) => c.notNull().references('case_departments.id'))
    .addColumn('note', 'text')
    .addColumn('added_at', 'text', (c) => c.notNull())
    .addColumn('added_by_name', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('case_department_links_pk', ['case_id', 'department_id'])
    .execute();

  await db.schema
    .createTable('case_counters')
    .addColumn('series', 'text', (c) => c.primaryKey())
    .addColumn('value', 'integer', (c) => c.notNull())
    .execute();
}
