// The student-library API as the screens use it.
import { request } from '../../api';

export interface School { id: string; areaCode: string; name: string; kind: string; address: string | null; classes: number; students: number }
export interface Teacher { id: string; schoolId: string; name: string; phone: string | null; userId: string | null }
export interface SchoolClass { id: string; schoolId: string; name: string; grade: number | null; teacher: Teacher | null; students: number }
export interface Guardian { id: string; name: string; phone: string; relation: string; priority: number }
export interface Student {
  id: string; schoolId: string; schoolName: string; classId: string | null; className: string | null; areaCode: string; name: string;
  idNumber: string | null; gender: string | null; birthYear: number | null; status: string; faces: number;
}
export interface StudentDetail extends Student {
  guardians: Guardian[]; classTeacher: Teacher | null;
  faceList: { id: string; model: string; source: string; quality: number | null; createdAt: string; createdBy: string }[];
}
export interface Identify {
  matched: boolean; score: number | null; threshold: number; librarySize: number; tookMs: number; model: string; facesInImage: number | null;
  match: { faceId: string; score: number; student: Student; guardians: Guardian[]; classTeacher: Teacher | null } | null;
}
export interface NewStudent { schoolId: string; classId?: string; areaCode?: string; name: string; idNumber?: string; gender?: 'male' | 'female'; birthYear?: number; guardians: { name: string; phone: string; relation: string }[] }

const enc = encodeURIComponent;
export const studentsApi = {
  schools: () => request<{ items: School[] }>('GET', '/api/students/schools'),
  createSchool: (body: { areaCode: string; name: string; kind: string; address?: string }) => request<School>('POST', '/api/students/schools', { body }),
  classes: (schoolId: string) => request<{ items: SchoolClass[] }>('GET', `/api/students/schools/${enc(schoolId)}/classes`),
  teachers: (schoolId: string) => request<{ items: Teacher[] }>('GET', `/api/students/schools/${enc(schoolId)}/teachers`),
  createTeacher: (body: { schoolId: string; name: string; phone?: string }) => request<Teacher>('POST', '/api/students/teachers', { body }),
  createClass: (body: { schoolId: string; name: string; grade?: number; teacherId?: string }) => request<SchoolClass>('POST', '/api/students/classes', { body }),
  list: (q: { schoolId?: string; classId?: string; name?: string; page: number; pageSize: number }) => request<{ items: Student[]; total: number }>('GET', '/api/students', { query: { ...q } }),
  get: (id: string) => request<StudentDetail>('GET', `/api/students/${enc(id)}`),
  reveal: (id: string) => request<StudentDetail>('POST', `/api/students/${enc(id)}/reveal`),
  create: (body: NewStudent) => request<StudentDetail>('POST', '/api/students', { body }),
  update: (id: string, body: Record<string, unknown>) => request<StudentDetail>('PATCH', `/api/students/${enc(id)}`, { body }),
  enrol: (id: string, image: string) => request<{ id: string }>('POST', `/api/students/${enc(id)}/faces`, { body: { image } }),
  removeFace: (faceId: string) => request<{ ok: true }>('DELETE', `/api/students/faces/${enc(faceId)}`),
  identify: (body: { countyCode: string; image?: string; feature?: number[]; threshold?: number }) => request<Identify>('POST', '/api/students/identify', { body }),
};

/** Reads a chosen file as base64 (without the data: prefix). */
export function fileToBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result).replace(/^data:[^,]*,/, ''));
    r.onerror = () => reject(r.error ?? new Error('read failed'));
    r.readAsDataURL(file);
  });
}
