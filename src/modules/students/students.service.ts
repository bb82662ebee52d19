// The student library: schools, classes, class teachers, students and guardians, with face enrolment and 1:N
// identification (faces.service.ts).
//
// Entry point for the warning module:
//
//   students.identify(actor | systemActor(), { countyCode: '430523', feature?: number[], image?: Buffer,
//                     threshold?, trace?: { alertId?, eventId? } })
//     → { matched, score, threshold, librarySize, tookMs, model, facesInImage, searchId,
//         match: null | { faceId, score, student, guardians: [{ id, name, phone, relation, priority }],
//                         classTeacher: { id, name, phone, userId } | null } }
//
//   Searches the enrolled faces of that county only. Names and phones are in full for the system actor (to write the
//   message to guardians: notify them with recipient { kind: 'guardian', id } / { kind: 'teacher', id }) and for
//   users holding pii:reveal; masked otherwise. Every search is logged (face_searches) and a revealing one audited.
//   Put `match.score` and `match.student.id` on the alert.
//
// Personal data (names, phones, ID numbers, face embeddings) is encrypted at rest; lists show it masked; the
// `reveal*` methods need pii:reveal and are audited. School and class names are not personal data and stay plain
// (they must be searchable).
import type { Actor } from '../../platform/access.ts';
import { assertInScope, inScope, requirePermission } from '../../platform/access.ts';
import type { Platform } from '../../platform/context.ts';
import { maskIdNumber, maskName, maskPhone, newId } from '../../platform/crypto.ts';
import type { Executor } from '../../platform/db/database.ts';
import { errors } from '../../platform/errors.ts';
import type { NotifyService, ResolvedRecipient } from '../notify/notify.service.ts';
import type { FaceEmbedder } from './face.embedder.ts';
import { FacesService, type IdentifyInput } from './faces.service.ts';
import { studentsRepo, type StudentWithNames } from './students.repo.ts';
import type {
  ClassView,
  CreateStudentInput,
  GuardianView,
  IdentifyView,
  ListStudentsQuery,
  SchoolView,
  StudentDetail,
  StudentView,
  TeacherView,
  UpdateStudentInput,
} from './students.schema.ts';
import type { createClassBody, createSchoolBody, createTeacherBody, guardianInput, updateClassBody, updateSchoolBody } from './students.schema.ts';
import type { SchoolRow, SchoolTeacherRow, StudentGuardianRow } from './students.tables.ts';
import type { z } from 'zod';

export class StudentsService {
  readonly faces: FacesService;

  constructor(
    private readonly p: Platform,
    notify: NotifyService,
    embedder?: FaceEmbedder,
  ) {
    this.faces = new FacesService(p, this, embedder);
    notify.registerRecipients('guardian', (db, id) => this.guardianRecipient(db, id));
    notify.registerRecipients('teacher', (db, id) => this.teacherRecipient(db, id));
  }

  identify(actor: Actor, input: IdentifyInput): Promise<IdentifyView> {
    return this.faces.identify(actor, input);
  }

  // ---- schools -------------------------------------------------------------------------------------------------

  async listSchools(actor: Actor, areaCode?: string, q?: string): Promise<SchoolView[]> {
    requirePermission(actor, 'students:read');
    const rows = await studentsRepo.listSchools(this.p.db.kysely, this.p.db.dialect, actor.scope, areaCode, q);
    return rows.map((r) => presentSchool(r, Number(r.classes ?? 0), Number(r.students ?? 0)));
  }

  async createSchool(actor: Actor, input: z.infer<typeof createSchoolBody>): Promise<SchoolView> {
    requirePermission(actor, 'students:write');
    const area = await this.p.db.kysely.selectFrom('areas').select('code').where('code', '=', input.areaCode).executeTakeFirst();
    if (!area || !inScope(actor, input.areaCode)) throw errors.notFound('area', input.areaCode);
    const now = this.now();
    const row: SchoolRow = {
      id: newId(), area_code: input.areaCode, name: input.name, kind: input.kind, address: input.address ?? null,
      lon: input.lon ?? null, lat: input.lat ?? null, created_at: now, updated_at: now,
    };
    await this.tx(actor, 'school.create', 'school', row.id, row.area_code, { name: row.name }, (trx) => studentsRepo.insertSchool(trx, row));
    return presentSchool(row, 0, 0);
  }

  async updateSchool(actor: Actor, id: string, input: z.infer<typeof updateSchoolBody>): Promise<SchoolView> {
    requirePermission(actor, 'students:write');
    const school = await this.school(actor, id);
    const patch: Partial<SchoolRow> = { updated_at: this.now() };
    if (input.name !== undefined) patch.name = input.name;
    if (input.kind !== undefined) patch.kind = input.kind;
    if (input.address !== undefined) patch.address = input.address;
    if (input.lon !== undefined) patch.lon = input.lon;
    if (input.lat !== undefined) patch.lat = input.lat;
    await this.tx(actor, 'school.update', 'school', id, school.area_code, { ...input }, (trx) => studentsRepo.updateSchool(trx, id, patch));
    return (await this.listSchools(actor)).find((s) => s.id === id)!;
  }

  async school(actor: Actor, id: string): Promise<SchoolRow> {
    const row = await studentsRepo.getSchool(this.p.db.kysely, id);
    assertInScope(actor, row?.area_code, 'school', id);
    return row!;
  }

  // ---- teachers and classes ------------------------------------------------------------------------------------

  async listTeachers(actor: Actor, schoolId: string): Promise<TeacherView[]> {
    requirePermission(actor, 'students:read');
    await this.school(actor, schoolId);
    return (await studentsRepo.teachersOf(this.p.db.kysely, schoolId)).map((t) => this.presentTeacher(t, false));
  }

  async createTeacher(actor: Actor, input: z.infer<typeof createTeacherBody>): Promise<TeacherView> {
    requirePermission(actor, 'students:write');
    const school = await this.school(actor, input.schoolId);
    const now = this.now();
    const { pii } = this.p;
    const row: SchoolTeacherRow = {
      id: newId(), school_id: school.id, area_code: school.area_code, name_enc: pii.encrypt(input.name),
      phone_enc: input.phone ? pii.encrypt(input.phone) : null, phone_index: input.phone ? pii.blindIndex(input.phone) : null,
      user_id: input.userId ?? null, created_at: now, updated_at: now,
    };
    await this.tx(actor, 'school_teacher.create', 'school_teacher', row.id, row.area_code, { schoolId: school.id }, (trx) => studentsRepo.insertTeacher(trx, row));
    return this.presentTeacher(row, false);
  }

  async revealTeacher(actor: Actor, id: string): Promise<TeacherView> {
    requirePermission(actor, 'students:read');
    requirePermission(actor, 'pii:reveal');
    const t = await studentsRepo.getTeacher(this.p.db.kysely, id);
    assertInScope(actor, t?.area_code, 'school_teacher', id);
    await this.p.audit.personalDataRead(this.p.db.kysely, actor, 'school_teacher', id, t!.area_code, ['name', 'phone']);
    return this.presentTeacher(t!, true);
  }

  async listClasses(actor: Actor, schoolId: string): Promise<ClassView[]> {
    requirePermission(actor, 'students:read');
    await this.school(actor, schoolId);
    const db = this.p.db.kysely;
    const teachers = new Map((await studentsRepo.teachersOf(db, schoolId)).map((t) => [t.id, t]));
    return (await studentsRepo.classesOf(db, schoolId)).map((c) => ({
      id: c.id, schoolId: c.school_id, name: c.name, grade: c.grade, students: Number(c.students ?? 0),
      teacher: c.teacher_id && teachers.has(c.teacher_id) ? this.presentTeacher(teachers.get(c.teacher_id)!, false) : null,
    }));
  }

  async createClass(actor: Actor, input: z.infer<typeof createClassBody>): Promise<ClassView> {
    requirePermission(actor, 'students:write');
    const school = await this.school(actor, input.schoolId);
    if (input.teacherId) await this.teacherOfSchool(input.teacherId, school.id);
    const now = this.now();
    const row = { id: newId(), school_id: school.id, area_code: school.area_code, name: input.name, grade: input.grade ?? null, teacher_id: input.teacherId ?? null, created_at: now, updated_at: now };
    await this.tx(actor, 'school_class.create', 'school_class', row.id, row.area_code, { schoolId: school.id, name: row.name }, (trx) => studentsRepo.insertClass(trx, row));
    return (await this.listClasses(actor, school.id)).find((c) => c.id === row.id)!;
  }

  async updateClass(actor: Actor, id: string, input: z.infer<typeof updateClassBody>): Promise<ClassView> {
    requirePermission(actor, 'students:write');
    const cls = await studentsRepo.getClass(this.p.db.kysely, id);
    assertInScope(actor, cls?.area_code, 'school_class', id);
    if (input.teacherId) await this.teacherOfSchool(input.teacherId, cls!.school_id);
    const patch = { updated_at: this.now(), ...(input.name !== undefined ? { name: input.name } : {}), ...(input.grade !== undefined ? { grade: input.grade } : {}), ...(input.teacherId !== undefined ? { teacher_id: input.teacherId } : {}) };
    await this.tx(actor, 'school_class.update', 'school_class', id, cls!.area_code, { ...input }, (trx) => studentsRepo.updateClass(trx, id, patch));
    return (await this.listClasses(actor, cls!.school_id)).find((c) => c.id === id)!;
  }

  private async teacherOfSchool(teacherId: string, schoolId: string): Promise<void> {
    const t = await studentsRepo.getTeacher(this.p.db.kysely, teacherId);
    if (!t || t.school_id !== schoolId) throw errors.validation('school_class.teacher', 'The class teacher must teach at this school.', [{ field: 'teacherId', message: 'not a teacher of this school' }]);
  }

  // ---- students ------------------------------------------------------------------------------------------------

  async listStudents(actor: Actor, q: ListStudentsQuery): Promise<{ items: StudentView[]; total: number }> {
    requirePermission(actor, 'students:read');
    const { rows, total } = await studentsRepo.listStudents(this.p.db.kysely, {
      scope: actor.scope, schoolId: q.schoolId, classId: q.classId,
      nameIndex: q.name ? this.p.pii.blindIndex(q.name) : undefined, idNumberIndex: q.idNumber ? this.p.pii.blindIndex(q.idNumber) : undefined,
      limit: q.pageSize, offset: (q.page - 1) * q.pageSize,
    });
    return { items: rows.map((r) => this.presentStudent(r, false)), total };
  }

  async getStudent(actor: Actor, id: string, reveal = false): Promise<StudentDetail> {
    requirePermission(actor, 'students:read');
    if (reveal) requirePermission(actor, 'pii:reveal');
    const db = this.p.db.kysely;
    const s = await this.studentRow(actor, id);
    if (reveal) await this.p.audit.personalDataRead(db, actor, 'student', id, s.area_code, ['name', 'idNumber', 'guardians', 'classTeacher']);
    const { guardians, classTeacher } = await this.contacts(db, s, reveal);
    const faces = await studentsRepo.facesOf(db, id);
    return {
      ...this.presentStudent(s, reveal), guardians, classTeacher,
      faceList: faces.map((f) => ({ id: f.id, model: f.model, source: f.source, quality: f.quality, createdAt: f.created_at, createdBy: f.created_by })),
    };
  }

  async createStudent(actor: Actor, input: CreateStudentInput): Promise<StudentDetail> {
    requirePermission(actor, 'students:write');
    const school = await this.school(actor, input.schoolId);
    await this.checkClass(input.classId, school.id);
    const areaCode = await this.checkHome(actor, input.areaCode ?? school.area_code, school);
    const now = this.now();
    const { pii } = this.p;
    const id = newId();
    await this.tx(actor, 'student.create', 'student', id, areaCode, { schoolId: school.id, classId: input.classId ?? null, guardians: input.guardians.length }, async (trx) => {
      await studentsRepo.insertStudent(trx, {
        id, school_id: school.id, class_id: input.classId ?? null, area_code: areaCode, name_enc: pii.encrypt(input.name), name_index: pii.blindIndex(input.name),
        id_number_enc: input.idNumber ? pii.encrypt(input.idNumber.toUpperCase()) : null, id_number_index: input.idNumber ? pii.blindIndex(input.idNumber) : null,
        gender: input.gender ?? null, birth_year: input.birthYear ?? null, status: 'active', created_at: now, updated_at: now,
      });
      for (const g of input.guardians) await studentsRepo.insertGuardian(trx, this.guardianRow(id, areaCode, g));
    });
    return this.getStudent(actor, id);
  }

  async updateStudent(actor: Actor, id: string, input: UpdateStudentInput): Promise<StudentDetail> {
    requirePermission(actor, 'students:write');
    const s = await this.studentRow(actor, id);
    const school = await this.school(actor, s.school_id);
    if (input.classId) await this.checkClass(input.classId, school.id);
    const { pii } = this.p;
    const patch: Parameters<typeof studentsRepo.updateStudent>[2] = { updated_at: this.now() };
    if (input.classId !== undefined) patch.class_id = input.classId;
    if (input.areaCode !== undefined) patch.area_code = await this.checkHome(actor, input.areaCode, school);
    if (input.name !== undefined) Object.assign(patch, { name_enc: pii.encrypt(input.name), name_index: pii.blindIndex(input.name) });
    if (input.idNumber !== undefined) Object.assign(patch, { id_number_enc: input.idNumber ? pii.encrypt(input.idNumber.toUpperCase()) : null, id_number_index: input.idNumber ? pii.blindIndex(input.idNumber) : null });
    if (input.gender !== undefined) patch.gender = input.gender;
    if (input.birthYear !== undefined) patch.birth_year = input.birthYear;
    if (input.status !== undefined) patch.status = input.status;
    const changed = Object.fromEntries(Object.entries(input).map(([k, v]) => [k, k === 'name' || k === 'idNumber' ? 'changed' : v]));
    const leaving = input.status === 'left' && s.status !== 'left';
    const faceIds = leaving ? (await studentsRepo.facesOf(this.p.db.kysely, id)).map((f) => f.id) : [];
    await this.tx(actor, 'student.update', 'student', id, s.area_code, changed, async (trx) => {
      await studentsRepo.updateStudent(trx, id, patch);
      // A student who left keeps no biometric data.
      if (leaving) await studentsRepo.deleteFacesOf(trx, id);
    });
    if (leaving) await this.faces.forget(s.area_code.slice(0, 6), faceIds);
    return this.getStudent(actor, id);
  }

  async addGuardian(actor: Actor, studentId: string, input: z.infer<typeof guardianInput>): Promise<GuardianView> {
    requirePermission(actor, 'students:write');
    const s = await this.studentRow(actor, studentId);
    const row = this.guardianRow(studentId, s.area_code, input);
    await this.tx(actor, 'student_guardian.create', 'student', studentId, s.area_code, { guardianId: row.id, relation: row.relation }, (trx) => studentsRepo.insertGuardian(trx, row));
    return this.presentGuardian(row, false);
  }

  async removeGuardian(actor: Actor, guardianId: string): Promise<void> {
    requirePermission(actor, 'students:write');
    const g = await studentsRepo.getGuardian(this.p.db.kysely, guardianId);
    assertInScope(actor, g?.area_code, 'guardian', guardianId);
    await this.tx(actor, 'student_guardian.delete', 'student', g!.student_id, g!.area_code, { guardianId }, (trx) => studentsRepo.deleteGuardian(trx, guardianId));
  }

  /** The student row in scope (404 otherwise), for this module's other services. */
  async studentRow(actor: Actor, id: string): Promise<StudentWithNames> {
    const s = await studentsRepo.getStudent(this.p.db.kysely, id);
    assertInScope(actor, s?.area_code, 'student', id);
    return s!;
  }

  /** Guardians and class teacher of a student, masked or in full. */
  async contacts(db: Executor, s: StudentWithNames, reveal: boolean): Promise<{ guardians: GuardianView[]; classTeacher: TeacherView | null }> {
    const guardians = (await studentsRepo.guardiansOf(db, s.id)).map((g) => this.presentGuardian(g, reveal));
    const cls = s.class_id ? await studentsRepo.getClass(db, s.class_id) : undefined;
    const teacher = cls?.teacher_id ? await studentsRepo.getTeacher(db, cls.teacher_id) : undefined;
    return { guardians, classTeacher: teacher ? this.presentTeacher(teacher, reveal) : null };
  }

  private async checkClass(classId: string | undefined | null, schoolId: string): Promise<void> {
    if (!classId) return;
    const c = await studentsRepo.getClass(this.p.db.kysely, classId);
    if (!c || c.school_id !== schoolId) throw errors.validation('student.class', 'The class must belong to the student’s school.', [{ field: 'classId', message: 'not a class of this school' }]);
  }

  /** A student lives in the school's county (1:N search runs per county), inside the actor's scope. */
  private async checkHome(actor: Actor, areaCode: string, school: SchoolRow): Promise<string> {
    const area = await this.p.db.kysely.selectFrom('areas').select('code').where('code', '=', areaCode).executeTakeFirst();
    if (!area || !inScope(actor, areaCode)) throw errors.notFound('area', areaCode);
    if (!areaCode.startsWith(school.area_code.slice(0, 6))) {
      throw errors.validation('student.area', 'A student lives in the county of their school.', [{ field: 'areaCode', message: 'outside the school’s county' }]);
    }
    return areaCode;
  }

  private guardianRow(studentId: string, areaCode: string, g: z.infer<typeof guardianInput>): StudentGuardianRow {
    const now = this.now();
    const { pii } = this.p;
    return {
      id: newId(), student_id: studentId, area_code: areaCode, name_enc: pii.encrypt(g.name), phone_enc: pii.encrypt(g.phone), phone_index: pii.blindIndex(g.phone),
      relation: g.relation, priority: g.priority, created_at: now, updated_at: now,
    };
  }

  // ---- recipients for notifications ----------------------------------------------------------------------------

  private async guardianRecipient(db: Executor, id: string): Promise<ResolvedRecipient | null> {
    const g = await studentsRepo.getGuardian(db, id);
    if (!g) return null;
    const phone = this.p.pii.decrypt(g.phone_enc);
    return { kind: 'guardian', id, name: this.p.pii.decrypt(g.name_enc), areaCode: g.area_code, addresses: { sms: phone, voice: phone, webhook: null }, defaults: ['sms'] };
  }

  private async teacherRecipient(db: Executor, id: string): Promise<ResolvedRecipient | null> {
    const t = await studentsRepo.getTeacher(db, id);
    if (!t) return null;
    const phone = t.phone_enc ? this.p.pii.decrypt(t.phone_enc) : null;
    return {
      kind: 'teacher', id, name: this.p.pii.decrypt(t.name_enc), areaCode: t.area_code,
      addresses: { webhook: null, ...(phone ? { sms: phone, voice: phone } : {}) }, defaults: phone ? ['sms'] : ['webhook'],
    };
  }

  // ---- presenters and helpers ----------------------------------------------------------------------------------

  presentStudent(s: StudentWithNames, reveal: boolean): StudentView {
    const { pii } = this.p;
    const name = pii.decrypt(s.name_enc);
    const idNumber = s.id_number_enc ? pii.decrypt(s.id_number_enc) : null;
    return {
      id: s.id, schoolId: s.school_id, schoolName: s.school_name, classId: s.class_id, className: s.class_name, areaCode: s.area_code,
      name: reveal ? name : maskName(name), idNumber: idNumber ? (reveal ? idNumber : maskIdNumber(idNumber)) : null,
      gender: s.gender, birthYear: s.birth_year, status: s.status, faces: s.faces,
    };
  }

  private presentGuardian(g: StudentGuardianRow, reveal: boolean): GuardianView {
    const name = this.p.pii.decrypt(g.name_enc);
    const phone = this.p.pii.decrypt(g.phone_enc);
    return { id: g.id, name: reveal ? name : maskName(name), phone: reveal ? phone : maskPhone(phone), relation: g.relation, priority: g.priority };
  }

  private presentTeacher(t: SchoolTeacherRow, reveal: boolean): TeacherView {
    const name = this.p.pii.decrypt(t.name_enc);
    const phone = t.phone_enc ? this.p.pii.decrypt(t.phone_enc) : null;
    return { id: t.id, schoolId: t.school_id, name: reveal ? name : maskName(name), phone: phone ? (reveal ? phone : maskPhone(phone)) : null, userId: t.user_id };
  }

  private now(): string {
    return this.p.clock.now().toISOString();
  }

  /** Runs a change and its audit record in one transaction. */
  private async tx(actor: Actor, action: string, entityType: string, entityId: string, areaCode: string, detail: Record<string, unknown>, work: (trx: Executor) => Promise<void>): Promise<void> {
    await this.p.db.kysely.transaction().execute(async (trx) => {
      await work(trx);
      await this.p.audit.record(trx, actor, { action, entityType, entityId, areaCode, detail });
    });
  }
}

function presentSchool(r: SchoolRow, classes: number, students: number): SchoolView {
  return { id: r.id, areaCode: r.area_code, name: r.name, kind: r.kind, address: r.address, lon: r.lon, lat: r.lat, classes, students };
}
