// The student library: schools, classes, class teachers, students, guardians, enrolled faces and the log of 1:N
// searches. Names, phones and ID numbers are encrypted (with blind indexes for exact look-ups); face embeddings
// are biometric data and are encrypted too. Photos are not kept: only the embedding computed from them.
import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('schools')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('area_code', 'text', (c) => c.notNull().references('areas.code'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('address', 'text')
    .addColumn('lon', dialect.floatType)
    .addColumn('lat', dialect.floatType)
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('schools_area').on('schools').column('area_code').execute();

  await db.schema
    .createTable('school_teachers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('school_id', 'text', (c) => c.notNull().references('schools.id'))
    .addColumn('area_code', 'text', (c) => c.notNull())
    .addColumn('name_enc', 'text', (c) => c.notNull())
    .addColumn('phone_enc', 'text')
    .addColumn('phone_index', 'text')
    .addColumn('user_id', 'text', (c) => c.references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('school_teachers_school').on('school_teachers').column('school_id').execute();

  await db.schema
    .createTable('school_classes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('school_id', 'text', (c) => c.notNull().references('schools.id'))
    .addColumn('area_code', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('grade', 'integer')
    .addColumn('teacher_id', 'text', (c) => c.references('school_teachers.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('school_classes_school').on('school_classes').column('school_id').execute();

  await db.schema
    .createTable('students')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('school_id', 'text', (c) => c.notNull().references('schools.id'))
    .addColumn('class_id', 'text', (c) => c.references('school_classes.id'))
    // Where the student lives (a village) when known, else the school's area: scoped reads use it.
    .addColumn('area_code', 'text', (c) => c.notNull().references('areas.code'))
    .addColumn('name_enc', 'text', (c) => c.notNull())
    .addColumn('name_index', 'text', (c) => c.notNull())
    .addColumn('id_number_enc', 'text')
    .addColumn('id_number_index', 'text')
    .addColumn('gender', 'text')
    .addColumn('birth_year', 'integer')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('students_area').on('students').column('area_code').execute();
  await db.schema.createIndex('students_school').on('students').columns(['school_id', 'class_id']).execute();
  await db.schema.createIndex('students_name_index').on('students').column('name_index').execute();
  await db.schema.createIndex('students_id_number_index').on('students').column('id_number_index').execute();

  await db.schema
    .createTable('student_guardians')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('student_id', 'text', (c) => c.notNull().references('students.id'))
    .addColumn('area_code', 'text', (c) => c.notNull())
    .addColumn('name_enc', 'text', (c) => c.notNull())
    .addColumn('phone_enc', 'text', (c) => c.notNull())
    .addColumn('phone_index', 'text', (c) => c.notNull())
    .addColumn('relation', 'text', (c) => c.notNull())
    .addColumn('priority', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('student_guardians_student').on('student_guardians').column('student_id').execute();

  await db.schema
    .createTable('student_faces')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('student_id', 'text', (c) => c.notNull().references('students.id'))
    .addColumn('area_code', 'text', (c) => c.notNull())
    // The county (6 digits) whose in-memory index holds this face: 1:N search runs per county.
    .addColumn('county_code', 'text', (c) => c.notNull())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('dim', 'integer', (c) => c.notNull())
    .addColumn('embedding_enc', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('quality', dialect.floatType)
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('student_faces_county').on('student_faces').columns(['county_code', 'model']).execute();
  await db.schema.createIndex('student_faces_student').on('student_faces').column('student_id').execute();

  await db.schema
    .createTable('face_searches')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('county_code', 'text', (c) => c.notNull())
    .addColumn('area_code', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('student_id', 'text')
    .addColumn('face_id', 'text')
    .addColumn('score', dialect.floatType)
    .addColumn('best_score', dialect.floatType)
    .addColumn('threshold', dialect.floatType, (c) => c.notNull())
    .addColumn('library_size', 'integer', (c) => c.notNull())
    .addColumn('took_ms', dialect.floatType, (c) => c.notNull())
    .addColumn('alert_id', 'text')
    .addColumn('event_id', 'text')
    .addColumn('actor_name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('face_searches_area_time').on('face_searches').columns(['area_code', 'created_at']).execute();
}
