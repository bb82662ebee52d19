// Indicators: definitions, entered values with their approval history, targets, populations, ranking schemes and runs.
import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('indicator_defs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('polarity', 'text', (c) => c.notNull())
    .addColumn('unit', 'text', (c) => c.notNull())
    .addColumn('factor', dialect.floatType, (c) => c.notNull())
    .addColumn('numerator', 'text', (c) => c.notNull())
    .addColumn('denominator', 'text')
    .addColumn('entry_level', 'text')
    .addColumn('approval_levels', 'text', (c) => c.notNull())
    .addColumn('area_code', 'text', (c) => c.notNull().references('areas.code'))
    .addColumn('description', 'text')
    .addColumn('sort', 'integer', (c) => c.notNull())
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('indicator_values')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('indicator_id', 'text', (c) => c.notNull().references('indicator_defs.id'))
    .addColumn('area_code', 'text', (c) => c.notNull().references('areas.code'))
    .addColumn('month', 'text', (c) => c.notNull())
    .addColumn('value', dialect.floatType, (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('approval_step', 'integer', (c) => c.notNull())
    .addColumn('approved_value', dialect.floatType)
    .addColumn('flagged', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('entered_by', 'text')
    .addColumn('entered_by_name', 'text', (c) => c.notNull())
    .addColumn('entered_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('indicator_values_key', ['indicator_id', 'area_code', 'month'])
    .execute();
  await db.schema.createIndex('indicator_values_month').on('indicator_values').columns(['indicator_id', 'month']).execute();

  await db.schema
    .createTable('indicator_value_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('value_id', 'text', (c) => c.notNull().references('indicator_values.id'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('actor_name', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('value', dialect.floatType, (c) => c.notNull())
    .addColumn('from_state', 'text')
    .addColumn('to_state', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addUniqueConstraint('indicator_value_events_seq', ['value_id', 'seq'])
    .execute();
  await dialect.appendOnly(db, 'indicator_value_events');

  await db.schema
    .createTable('indicator_targets')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('indicator_id', 'text', (c) => c.notNull().references('indicator_defs.id'))
    .addColumn('area_code', 'text', (c) => c.notNull().references('areas.code'))
    .addColumn('year', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('amount', dialect.floatType, (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('created_by_name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('indicator_targets_key', ['indicator_id', 'area_code', 'year'])
    .execute();

  await db.schema
    .createTable('area_populations')
    .addColumn('area_code', 'text', (c) => c.notNull().references('areas.code'))
    .addColumn('year', 'text', (c) => c.notNull())
    .addColumn('population', 'integer', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('area_populations_pk', ['area_code', 'year'])
    .execute();

  await db.schema
    .createTable('indicator_schemes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('area_code', 'text', (c) => c.notNull().references('areas.code'))
    .addColumn('level', 'text', (c) => c.notNull())
    .addColumn('rules', 'text', (c) => c.notNull())
    .addColumn('created_by_name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('indicator_ranking_runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('scheme_id', 'text', (c) => c.notNull().references('indicator_schemes.id'))
    .addColumn('area_code', 'text', (c) => c.notNull())
    .addColumn('period', 'text', (c) => c.notNull())
    .addColumn('rules', 'text', (c) => c.notNull())
    .addColumn('inputs', 'text', (c) => c.notNull())
    .addColumn('result', 'text', (c) => c.notNull())
    .addColumn('digest', 'text', (c) => c.notNull())
    .addColumn('computed_by_name', 'text', (c) => c.notNull())
    .addColumn('computed_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('indicator_ranking_runs_scheme').on('indicator_ranking_runs').columns(['scheme_id', 'computed_at']).execute();
}
