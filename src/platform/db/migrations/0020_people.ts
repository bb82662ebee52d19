// The grassroots register: buildings, households, residents and their moves; key persons with their records, tasks
// and stored timers; village representatives, their households and the "five ones" visits.
import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('people_buildings')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('area_code', 'text', (c) => c.notNull().references('areas.code'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('lon', dialect.floatType)
    .addColumn('lat', dialect.floatType)
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('people_buildings_area').on('people_buildings').column('area_code').execute();

  await db.schema
    .createTable('people_households')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('area_code', 'text', (c) => c.notNull().references('areas.code'))
    .addColumn('building_id', 'text', (c) => c.references('people_buildings.id'))
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('is_key', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('lon', dialect.floatType)
    .addColumn('lat', dialect.floatType)
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('people_households_area').on('people_households').column('area_code').execute();

  await db.schema
    .createTable('people_residents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('area_code', 'text', (c) => c.notNull().references('areas.code'))
    .addColumn('household_id', 'text', (c) => c.references('people_households.id'))
    .addColumn('household_role', 'text', (c) => c.notNull())
    .addColumn('name_enc', 'text', (c) => c.notNull())
    .addColumn('name_index', 'text', (c) => c.notNull())
    .addColumn('id_number_enc', 'text', (c) => c.notNull())
    .addColumn('id_number_index', 'text', (c) => c.notNull().unique())
    .addColumn('phone_enc', 'text')
    .addColumn('phone_index', 'text')
    .addColumn('gender', 'text', (c) => c.notNull())
    .addColumn('birth_year', 'integer', (c) => c.notNull())
    .addColumn('registered_area_code', 'text', (c) => c.notNull())
    .addColumn('residence_kind', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('people_residents_area').on('people_residents').column('area_code').execute();
  await db.schema.createIndex('people_residents_household').on('people_residents').column('household_id').execute();
  // Name within a village: the blind index first, then the area prefix.
  await db.schema.createIndex('people_residents_name').on('people_residents').columns(['name_index', 'area_code']).execute();
  await db.schema.createIndex('people_residents_phone').on('people_residents').column('phone_index').execute();

  await db.schema
    .createTable('people_moves')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('resident_id', 'text', (c) => c.notNull().references('people_residents.id'))
    .addColumn('from_household_id', 'text')
    .addColumn('to_household_id', 'text')
    .addColumn('from_area_code', 'text')
    .addColumn('to_area_code', 'text')
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('moved_at', 'text', (c) => c.notNull())
    .addColumn('actor_name', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('people_moves_resident').on('people_moves').columns(['resident_id', 'moved_at']).execute();
  await dialect.appendOnly(db, 'people_moves');

  await db.schema
    .createTable('key_persons')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('resident_id', 'text', (c) => c.notNull().references('people_residents.id'))
    .addColumn('area_code', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('level', 'text', (c) => c.notNull())
    .addColumn('details_enc', 'text', (c) => c.notNull())
    .addColumn('helper_user_id', 'text', (c) => c.references('users.id'))
    .addColumn('guardian_name_enc', 'text')
    .addColumn('guardian_phone_enc', 'text')
    .addColumn('visit_interval_days', 'integer', (c) => c.notNull())
    .addColumn('next_visit_due_at', 'text', (c) => c.notNull())
    .addColumn('visit_overdue_at', 'text')
    .addColumn('test_interval_days', 'integer')
    .addColumn('next_test_due_at', 'text')
    .addColumn('test_overdue_at', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('key_persons_area').on('key_persons').columns(['area_code', 'category']).execute();
  await db.schema.createIndex('key_persons_resident_category').on('key_persons').columns(['resident_id', 'category']).unique().execute();
  await db.schema.createIndex('key_persons_visit_due').on('key_persons').columns(['next_visit_due_at']).execute();

  await db.schema
    .createTable('key_person_records')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('key_person_id', 'text', (c) => c.notNull().references('key_persons.id'))
    .addColumn('area_code', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('due_at', 'text', (c) => c.notNull())
    .addColumn('done_at', 'text', (c) => c.notNull())
    .addColumn('on_time', 'integer', (c) => c.notNull())
    .addColumn('result', 'text')
    .addColumn('note_enc', 'text')
    .addColumn('actor_name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('key_person_records_person').on('key_person_records').columns(['key_person_id', 'done_at']).execute();
  await db.schema.createIndex('key_person_records_area').on('key_person_records').columns(['area_code', 'kind', 'done_at']).execute();

  await db.schema
    .createTable('key_person_tasks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('key_person_id', 'text', (c) => c.notNull().references('key_persons.id'))
    .addColumn('area_code', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('due_at', 'text', (c) => c.notNull())
    .addColumn('done_at', 'text')
    .addColumn('done_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('key_person_tasks_person').on('key_person_tasks').column('key_person_id').execute();

  await db.schema
    .createTable('people_timers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('key_person_id', 'text', (c) => c.notNull().references('key_persons.id'))
    .addColumn('area_code', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('cycle_due_at', 'text', (c) => c.notNull())
    .addColumn('due_at', 'text', (c) => c.notNull())
    .addColumn('fired_at', 'text')
    .execute();
  await db.schema.createIndex('people_timers_once').on('people_timers').columns(['key_person_id', 'kind', 'cycle_due_at']).unique().execute();
  await db.schema.createIndex('people_timers_due').on('people_timers').columns(['fired_at', 'due_at']).execute();

  await db.schema
    .createTable('village_reps')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('area_code', 'text', (c) => c.notNull().references('areas.code'))
    .addColumn('name_enc', 'text', (c) => c.notNull())
    .addColumn('name_index', 'text', (c) => c.notNull())
    .addColumn('phone_enc', 'text')
    .addColumn('phone_index', 'text')
    .addColumn('user_id', 'text', (c) => c.references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('village_reps_area').on('village_reps').column('area_code').execute();
  await db.schema.createIndex('village_reps_user').on('village_reps').column('user_id').execute();

  await db.schema
    .createTable('village_rep_links')
    .addColumn('rep_id', 'text', (c) => c.notNull().references('village_reps.id'))
    // A household has one representative.
    .addColumn('household_id', 'text', (c) => c.primaryKey().references('people_households.id'))
    .addColumn('area_code', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('village_rep_links_rep').on('village_rep_links').column('rep_id').execute();
  await db.schema.createIndex('village_rep_links_area').on('village_rep_links').column('area_code').execute();

  await db.schema
    .createTable('village_rep_overrides')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('rep_id', 'text', (c) => c.notNull().references('village_reps.id'))
    .addColumn('area_code', 'text', (c) => c.notNull())
    .addColumn('households', 'integer', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('actor_name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('people_visits')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('client_key', 'text', (c) => c.notNull().unique())
    .addColumn('household_id', 'text', (c) => c.notNull().references('people_households.id'))
    .addColumn('area_code', 'text', (c) => c.notNull())
    .addColumn('rep_id', 'text')
    .addColumn('visitor_user_id', 'text')
    .addColumn('visitor_name', 'text', (c) => c.notNull())
    .addColumn('met', 'integer', (c) => c.notNull())
    .addColumn('chatted', 'integer', (c) => c.notNull())
    .addColumn('group_joined', 'integer', (c) => c.notNull())
    .addColumn('info_registered', 'integer', (c) => c.notNull())
    .addColumn('problems_collected', 'integer', (c) => c.notNull())
    .addColumn('notes_enc', 'text')
    .addColumn('lon', dialect.floatType)
    .addColumn('lat', dialect.floatType)
    .addColumn('case_ids', 'text', (c) => c.notNull())
    .addColumn('ideas', 'text', (c) => c.notNull())
    .addColumn('visited_at', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('people_visits_area').on('people_visits').columns(['area_code', 'visited_at']).execute();
  await db.schema.createIndex('people_visits_household').on('people_visits').columns(['household_id', 'visited_at']).execute();
}
