// Zod schemas of the student-library API, with their inferred types. Views show personal data masked; the
// `reveal` endpoints return it in full to pii:reveal holders, audited.
import { z } from 'zod';

const areaCode = z.string().regex(/^\d{6}$|^\d{9}$|^\d{12}$|^\d{15}$/, 'an area code of 6, 9, 12 or 15 digits');
const phone = z.string().regex(/^\+?\d{7,15}$/, 'a phone number of 7–15 digits');
const personName = z.string().trim().min(1).max(40);
const idNumber = z.string().regex(/^\d{17}[\dXx]$/, 'an 18-character resident ID number');
export const schoolKinds = ['kindergarten', 'primary', 'middle', 'nine_year', 'high', 'vocational', 'other'] as const;
export const guardianRelations = ['father', 'mother', 'grandparent', 'other'] as const;

export const createSchoolBody = z.object({
  areaCode,
  name: z.string().trim().min(2).max(80),
  kind: z.enum(schoolKinds).default('primary'),
  address: z.string().trim().max(200).optional(),
  lon: z.number().min(-180).max(180).optional(),
  lat: z.number().min(-90).max(90).optional(),
});
export const updateSchoolBody = createSchoolBody.omit({ areaCode: true }).partial().refine((v) => Object.keys(v).length > 0, 'nothing to change');
export const schoolView = z.object({
  id: z.string(),
  areaCode: z.string(),
  name: z.string(),
  kind: z.string(),
  address: z.string().nullable(),
  lon: z.number().nullable(),
  lat: z.number().nullable(),
  classes: z.number().int(),
  students: z.number().int(),
});
export type SchoolView = z.infer<typeof schoolView>;
export const listSchoolsQuery = z.object({ areaCode: z.string().regex(/^\d{2,15}$/).optional(), q: z.string().max(40).optional() });

export const createTeacherBody = z.object({ schoolId: z.string().min(1).max(64), name: personName, phone: phone.optional(), userId: z.string().max(64).optional() });
export const teacherView = z.object({ id: z.string(), schoolId: z.string(), name: z.string(), phone: z.string().nullable(), userId: z.string().nullable() });
export type TeacherView = z.infer<typeof teacherView>;

export const createClassBody = z.object({
  schoolId: z.string().min(1).max(64),
  name: z.string().trim().min(1).max(40),
  grade: z.number().int().min(0).max(12).optional(),
  teacherId: z.string().max(64).optional(),
});
export const updateClassBody = z
  .object({ name: z.string().trim().min(1).max(40).optional(), grade: z.number().int().min(0).max(12).optional(), teacherId: z.string().max(64).nullable().optional() })
  .refine((v) => Object.keys(v).length > 0, 'nothing to change');
export const classView = z.object({
  id: z.string(),
  schoolId: z.string(),
  name: z.string(),
  grade: z.number().nullable(),
  teacher: teacherView.nullable(),
  students: z.number().int(),
});
export type ClassView = z.infer<typeof classView>;

export const guardianInput = z.object({ name: personName, phone, relation: z.enum(guardianRelations).default('other'), priority: z.number().int().min(1).max(9).default(1) });
export const guardianView = z.object({ id: z.string(), name: z.string(), phone: z.string(), relation: z.string(), priority: z.number().int() });
export type GuardianView = z.infer<typeof guardianView>;

export const createStudentBody = z.object({
  schoolId: z.string().min(1).max(64),
  classId: z.string().max(64).optional(),
  /** Where the student lives (a village or grid of the school's county); defaults to the school's area. */
  areaCode: areaCode.optional(),
  name: personName,
  idNumber: idNumber.optional(),
  gender: z.enum(['male', 'female']).optional(),
  birthYear: z.number().int().min(1990).max(2030).optional(),
  guardians: z.array(guardianInput).max(6).default([]),
});
export type CreateStudentInput = z.infer<typeof createStudentBody>;
export const updateStudentBody = z
  .object({
    classId: z.string().max(64).nullable().optional(),
    areaCode: areaCode.optional(),
    name: personName.optional(),
    idNumber: idNumber.nullable().optional(),
    gender: z.enum(['male', 'female']).nullable().optional(),
    birthYear: z.number().int().min(1990).max(2030).nullable().optional(),
    /** left: the student is no longer at the school; their enrolled faces are deleted. */
    status: z.enum(['active', 'left']).optional(),
  })
  .refine((v) => Object.keys(v).length > 0, 'nothing to change');
export type UpdateStudentInput = z.infer<typeof updateStudentBody>;

export const studentView = z.object({
  id: z.string(),
  schoolId: z.string(),
  schoolName: z.string(),
  classId: z.string().nullable(),
  className: z.string().nullable(),
  areaCode: z.string(),
  name: z.string(),
  idNumber: z.string().nullable(),
  gender: z.string().nullable(),
  birthYear: z.number().nullable(),
  status: z.string(),
  faces: z.number().int(),
});
export type StudentView = z.infer<typeof studentView>;
export const faceView = z.object({ id: z.string(), model: z.string(), source: z.string(), quality: z.number().nullable(), createdAt: z.string(), createdBy: z.string() });
export const studentDetail = studentView.extend({
  guardians: z.array(guardianView),
  classTeacher: teacherView.nullable(),
  faceList: z.array(faceView),
});
export type StudentDetail = z.infer<typeof studentDetail>;

export const listStudentsQuery = z.object({
  schoolId: z.string().max(64).optional(),
  classId: z.string().max(64).optional(),
  /** Exact full name (looked up by its blind index: names are encrypted). */
  name: z.string().max(40).optional(),
  idNumber: z.string().max(18).optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});
export type ListStudentsQuery = z.infer<typeof listStudentsQuery>;

const feature = z.array(z.number().finite()).min(16).max(4096);
/** A JPEG as base64 (a data: URL prefix is accepted). */
const imageB64 = z.string().min(100).max(14_000_000);

export const enrolFaceBody = z
  .object({ image: imageB64.optional(), feature: feature.optional() })
  .refine((v) => (v.image === undefined) !== (v.feature === undefined), { message: 'give either an image or a feature', path: ['image'] });

export const identifyBody = z
  .object({
    countyCode: z.string().regex(/^\d{6}$/, 'a county code of 6 digits'),
    image: imageB64.optional(),
    feature: feature.optional(),
    threshold: z.number().min(0).max(1).optional(),
  })
  .refine((v) => (v.image === undefined) !== (v.feature === undefined), { message: 'give either an image or a feature', path: ['image'] });

export const identifyView = z.object({
  matched: z.boolean(),
  score: z.number().nullable(),
  threshold: z.number(),
  librarySize: z.number().int(),
  tookMs: z.number(),
  model: z.string(),
  facesInImage: z.number().int().nullable(),
  searchId: z.string(),
  match: z
    .object({
      faceId: z.string(),
      score: z.number(),
      student: studentView,
      guardians: z.array(guardianView),
      classTeacher: teacherView.nullable(),
    })
    .nullable(),
});
export type IdentifyView = z.infer<typeof identifyView>;

export const libraryStatsView = z.object({ counties: z.array(z.object({ countyCode: z.string(), faces: z.number().int(), loaded: z.boolean() })), model: z.string(), dim: z.number().int(), threshold: z.number() });
