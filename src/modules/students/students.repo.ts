// The only place with SQL for the student library.
import type { Executor } from '../../platform/db/database.ts';
import { prefixPattern, type Dialect } from '../../platform/db/dialect.ts';
import type { FaceSearchRow, SchoolClassRow, SchoolRow, SchoolTeacherRow, StudentFaceRow, StudentGuardianRow, StudentRow } from './students.tables.ts';

export type StudentWithNames = StudentRow & { school_name: string; class_name: string | null; faces: number };

export const studentsRepo = {
  // ---- schools -------------------------------------------------------------------------------------------------
  async listSchools(db: Executor, dialect: Dialect, scope: string, areaPrefix: string | undefined, q: string | undefined) {
    let query = db.selectFrom('schools').where('area_code', 'like', prefixPattern(scope));
    if (areaPrefix) query = query.where('area_code', 'like', prefixPattern(areaPrefix));
    if (q) query = query.where(dialect.containsInsensitive('name', q));
    return query
      .selectAll()
      .select((eb) => [
        eb.selectFrom('school_classes').select((e) => e.fn.countAll<number>().as('n')).whereRef('school_classes.school_id', '=', 'schools.id').as('classes'),
        eb.selectFrom('students').select((e) => e.fn.countAll<number>().as('n')).whereRef('students.school_id', '=', 'schools.id').where('students.status', '=', 'active').as('students'),
      ])
      .orderBy('area_code')
      .orderBy('name')
      .limit(500)
      .execute();
  },
  getSchool: (db: Executor, id: string) => db.selectFrom('schools').selectAll().where('id', '=', id).executeTakeFirst(),
  insertSchool: async (db: Executor, row: SchoolRow) => void (await db.insertInto('schools').values(row).execute()),
  updateSchool: async (db: Executor, id: string, patch: Partial<SchoolRow>) => void (await db.updateTable('schools').set(patch).where('id', '=', id).execute()),

  // ---- teachers and classes ------------------------------------------------------------------------------------
  teachersOf: (db: Executor, schoolId: string) => db.selectFrom('school_teachers').selectAll().where('school_id', '=', schoolId).orderBy('created_at').execute(),
  getTeacher: (db: Executor, id: string) => db.selectFrom('school_teachers').selectAll().where('id', '=', id).executeTakeFirst(),
  insertTeacher: async (db: Executor, row: SchoolTeacherRow) => void (await db.insertInto('school_teachers').values(row).execute()),

  classesOf: (db: Executor, schoolId: string) =>
    db
      .selectFrom('school_classes')
      .selectAll()
      .select((eb) => eb.selectFrom('students').select((e) => e.fn.countAll<number>().as('n')).whereRef('students.class_id', '=', 'school_classes.id').where('students.status', '=', 'active').as('students'))
      .where('school_id', '=', schoolId)
      .orderBy('grade')
      .orderBy('name')
      .execute(),
  getClass: (db: Executor, id: string) => db.selectFrom('school_classes').selectAll().where('id', '=', id).executeTakeFirst(),
  insertClass: async (db: Executor, row: SchoolClassRow) => void (await db.insertInto('school_classes').values(row).execute()),
  updateClass: async (db: Executor, id: string, patch: Partial<SchoolClassRow>) => void (await db.updateTable('school_classes').set(patch).where('id', '=', id).execute()),

  // ---- students ------------------------------------------------------------------------------------------------
  async listStudents(
    db: Executor,
    f: { scope: string; schoolId?: string | undefined; classId?: string | undefined; nameIndex?: string | undefined; idNumberIndex?: string | undefined; limit: number; offset: number },
  ): Promise<{ rows: StudentWithNames[]; total: number }> {
    let q = db
      .selectFrom('students')
      .innerJoin('schools', 'schools.id', 'students.school_id')
      .leftJoin('school_classes', 'school_classes.id', 'students.class_id')
      .where('students.area_code', 'like', prefixPattern(f.scope));
    if (f.schoolId) q = q.where('students.school_id', '=', f.schoolId);
    if (f.classId) q = q.where('students.class_id', '=', f.classId);
    if (f.nameIndex) q = q.where('students.name_index', '=', f.nameIndex);
    if (f.idNumberIndex) q = q.where('students.id_number_index', '=', f.idNumberIndex);
    const [rows, count] = await Promise.all([
      q
        .selectAll('students')
        .select(['schools.name as school_name', 'school_classes.name as class_name'])
        .select((eb) => eb.selectFrom('student_faces').select((e) => e.fn.countAll<number>().as('n')).whereRef('student_faces.student_id', '=', 'students.id').as('faces'))
        .orderBy('students.school_id')
        .orderBy('students.class_id')
        .orderBy('students.created_at')
        .limit(f.limit)
        .offset(f.offset)
        .execute(),
      q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows: rows.map((r) => ({ ...r, faces: Number(r.faces ?? 0) })), total: Number(count.n) };
  },
  async getStudent(db: Executor, id: string): Promise<StudentWithNames | undefined> {
    const r = await db
      .selectFrom('students')
      .innerJoin('schools', 'schools.id', 'students.school_id')
      .leftJoin('school_classes', 'school_classes.id', 'students.class_id')
      .selectAll('students')
      .select(['schools.name as school_name', 'school_classes.name as class_name'])
      .select((eb) => eb.selectFrom('student_faces').select((e) => e.fn.countAll<number>().as('n')).whereRef('student_faces.student_id', '=', 'students.id').as('faces'))
      .where('students.id', '=', id)
      .executeTakeFirst();
    return r ? { ...r, faces: Number(r.faces ?? 0) } : undefined;
  },
  insertStudent: async (db: Executor, row: StudentRow) => void (await db.insertInto('students').values(row).execute()),
  updateStudent: async (db: Executor, id: string, patch: Partial<StudentRow>) => void (await db.updateTable('students').set(patch).where('id', '=', id).execute()),

  // ---- guardians -----------------------------------------------------------------------------------------------
  guardiansOf: (db: Executor, studentId: string) => db.selectFrom('student_guardians').selectAll().where('student_id', '=', studentId).orderBy('priority').orderBy('created_at').execute(),
  getGuardian: (db: Executor, id: string) => db.selectFrom('student_guardians').selectAll().where('id', '=', id).executeTakeFirst(),
  insertGuardian: async (db: Executor, row: StudentGuardianRow) => void (await db.insertInto('student_guardians').values(row).execute()),
  deleteGuardian: async (db: Executor, id: string) => void (await db.deleteFrom('student_guardians').where('id', '=', id).execute()),

  // ---- faces ---------------------------------------------------------------------------------------------------
  facesOf: (db: Executor, studentId: string) => db.selectFrom('student_faces').selectAll().where('student_id', '=', studentId).orderBy('created_at').execute(),
  getFace: (db: Executor, id: string) => db.selectFrom('student_faces').selectAll().where('id', '=', id).executeTakeFirst(),
  insertFace: async (db: Executor, row: StudentFaceRow) => void (await db.insertInto('student_faces').values(row).execute()),
  deleteFace: async (db: Executor, id: string) => void (await db.deleteFrom('student_faces').where('id', '=', id).execute()),
  deleteFacesOf: async (db: Executor, studentId: string) => void (await db.deleteFrom('student_faces').where('student_id', '=', studentId).execute()),

  /** The enrolled faces of one county and model, a page at a time (keyset on id: a county may hold 10^5–10^6). */
  async facesOfCounty(db: Executor, countyCode: string, model: string, afterId: string, limit: number) {
    return db
      .selectFrom('student_faces')
      .select(['id', 'student_id', 'embedding_enc'])
      .where('county_code', '=', countyCode)
      .where('model', '=', model)
      .where('id', '>', afterId)
      .orderBy('id')
      .limit(limit)
      .execute();
  },
  async faceCountsByCounty(db: Executor, scope: string, model: string) {
    const rows = await db
      .selectFrom('student_faces')
      .select(['county_code', (eb) => eb.fn.countAll<number>().as('n')])
      .where('model', '=', model)
      .where('area_code', 'like', prefixPattern(scope))
      .groupBy('county_code')
      .execute();
    return rows.map((r) => ({ countyCode: r.county_code, faces: Number(r.n) }));
  },
  insertSearch: async (db: Executor, row: FaceSearchRow) => void (await db.insertInto('face_searches').values(row).execute()),
};
