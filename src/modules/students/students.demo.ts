// Demo student library: one primary school in 塘渡口镇 (邵阳县) with a class, its class teacher, three students
// with guardians, and each student's face enrolled from a deterministic feature vector (`demoFaceFeature`), so that
// a simulated camera can send "the face of 张小明" and be matched without running the model. Idempotent.
import { systemActor } from '../../platform/access.ts';
import type { Platform } from '../../platform/context.ts';
import type { StudentsService } from './students.service.ts';

export const DEMO_SCHOOL = '塘渡口镇中心小学';
export const demoStudents = [
  { name: '张小明', gender: 'male' as const, areaCode: '430523100203', guardians: [{ name: '张建国', phone: '13807391001', relation: 'father' as const, priority: 1 }, { name: '李秀英', phone: '13807391002', relation: 'mother' as const, priority: 2 }] },
  { name: '王芳', gender: 'female' as const, areaCode: '430523100203', guardians: [{ name: '王德明', phone: '13807391003', relation: 'father' as const, priority: 1 }] },
  { name: '刘洋', gender: 'male' as const, areaCode: '430523100', guardians: [{ name: '刘奶奶', phone: '13807391004', relation: 'grandparent' as const, priority: 1 }] },
];

/** A fixed 1,024-value face feature per demo student (what a camera's own algorithm would send for that face). */
export function demoFaceFeature(name: string, noise = 0): number[] {
  let seed = 0;
  for (const ch of name) seed = (seed * 131 + ch.charCodeAt(0)) >>> 0;
  let a = seed;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
  };
  let b = (seed ^ 0x9e3779b9) >>> 0;
  const jitter = () => {
    b = (b * 1664525 + 1013904223) >>> 0;
    return b / 4294967296 - 0.5;
  };
  return Array.from({ length: 1024 }, () => next() + noise * jitter());
}

export async function seedStudentsDemo(p: Platform, students: StudentsService, progress: (msg: string) => void = () => {}): Promise<void> {
  const existing = await p.db.kysely.selectFrom('schools').select('id').where('name', '=', DEMO_SCHOOL).executeTakeFirst();
  if (existing) return;
  const actor = systemActor('demo-seed');
  const school = await students.createSchool(actor, { areaCode: '430523100', name: DEMO_SCHOOL, kind: 'primary', address: '邵阳县塘渡口镇', lon: 111.27, lat: 26.99 });
  const teacher = await students.createTeacher(actor, { schoolId: school.id, name: '陈老师', phone: '13807391100' });
  const cls = await students.createClass(actor, { schoolId: school.id, name: '五年级（2）班', grade: 5, teacherId: teacher.id });
  for (const s of demoStudents) {
    const created = await students.createStudent(actor, { schoolId: school.id, classId: cls.id, areaCode: s.areaCode, name: s.name, gender: s.gender, birthYear: 2015, guardians: s.guardians });
    await students.faces.enrol(actor, created.id, { feature: demoFaceFeature(s.name) });
  }
  progress(`  student library: ${DEMO_SCHOOL}, ${demoStudents.length} students with enrolled faces`);
}
