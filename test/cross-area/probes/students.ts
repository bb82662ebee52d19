// Cross-area probes for the student library: 邵阳县 accounts against a 隆回县 school, its class, teacher, student,
// guardian and enrolled face.
import assert from 'node:assert/strict';
import { systemActor } from '../../../src/platform/access.ts';
import { demoFaceFeature } from '../../../src/modules/students/students.demo.ts';
import type { CrossAreaProbe, ProbeContext } from '../probe.ts';

const denied = 'denied' as const;
let prepared: Promise<{ school: string; cls: string; teacher: string; student: string; guardian: string; face: string }> | null = null;

function foreign(ctx: ProbeContext) {
  prepared ??= (async () => {
    const { students } = ctx.app.services;
    const sys = systemActor('probe');
    const school = await students.createSchool(sys, { areaCode: ctx.foreign.town, name: '隆回县测试小学', kind: 'primary' });
    const teacher = await students.createTeacher(sys, { schoolId: school.id, name: '隆回老师', phone: '13900007001' });
    const cls = await students.createClass(sys, { schoolId: school.id, name: '一年级（1）班', grade: 1, teacherId: teacher.id });
    const student = await students.createStudent(sys, {
      schoolId: school.id, classId: cls.id, areaCode: ctx.foreign.village, name: '隆回学生', guardians: [{ name: '隆回家长', phone: '13900007002', relation: 'mother', priority: 1 }],
    });
    const face = await students.faces.enrol(sys, student.id, { feature: demoFaceFeature('隆回学生') });
    return { school: school.id, cls: cls.id, teacher: teacher.id, student: student.id, guardian: student.guardians[0]!.id, face: face.id };
  })();
  return prepared;
}

const onlyHome = (items: { areaCode: string }[]) => assert.ok(items.every((i) => i.areaCode.startsWith('430523')), JSON.stringify(items.map((i) => i.areaCode)));

export const probes: CrossAreaProbe[] = [
  { route: 'GET /api/students/schools', requests: async (c) => (await foreign(c), [{ method: 'GET', url: '/api/students/schools', expect: (res) => onlyHome(res.body.items) }, { method: 'GET', url: `/api/students/schools?areaCode=${c.foreign.county}`, expect: (res) => assert.equal(res.body.items.length, 0) }]) },
  { route: 'POST /api/students/schools', requests: async (c) => [{ method: 'POST', url: '/api/students/schools', body: { areaCode: c.foreign.town, name: '越界学校' }, expect: denied }] },
  { route: 'PATCH /api/students/schools/:id', requests: async (c) => [{ method: 'PATCH', url: `/api/students/schools/${(await foreign(c)).school}`, body: { name: '改名' }, expect: denied }] },
  { route: 'GET /api/students/schools/:id/classes', requests: async (c) => [{ method: 'GET', url: `/api/students/schools/${(await foreign(c)).school}/classes`, expect: denied }] },
  { route: 'GET /api/students/schools/:id/teachers', requests: async (c) => [{ method: 'GET', url: `/api/students/schools/${(await foreign(c)).school}/teachers`, expect: denied }] },
  { route: 'POST /api/students/teachers', requests: async (c) => [{ method: 'POST', url: '/api/students/teachers', body: { schoolId: (await foreign(c)).school, name: '越界老师' }, expect: denied }] },
  { route: 'POST /api/students/teachers/:id/reveal', requests: async (c) => [{ method: 'POST', url: `/api/students/teachers/${(await foreign(c)).teacher}/reveal`, expect: denied }] },
  { route: 'POST /api/students/classes', requests: async (c) => [{ method: 'POST', url: '/api/students/classes', body: { schoolId: (await foreign(c)).school, name: '越界班' }, expect: denied }] },
  { route: 'PATCH /api/students/classes/:id', requests: async (c) => [{ method: 'PATCH', url: `/api/students/classes/${(await foreign(c)).cls}`, body: { name: '改名' }, expect: denied }] },
  {
    route: 'GET /api/students',
    requests: async (c) => (await foreign(c), [
      { method: 'GET', url: '/api/students?pageSize=200', expect: (res) => onlyHome(res.body.items) },
      { method: 'GET', url: '/api/students?name=' + encodeURIComponent('隆回学生'), expect: (res) => assert.equal(res.body.total, 0) },
    ]),
  },
  { route: 'POST /api/students', requests: async (c) => [{ method: 'POST', url: '/api/students', body: { schoolId: (await foreign(c)).school, name: '越界学生' }, expect: denied }] },
  { route: 'GET /api/students/:id', requests: async (c) => [{ method: 'GET', url: `/api/students/${(await foreign(c)).student}`, expect: denied }] },
  { route: 'PATCH /api/students/:id', requests: async (c) => [{ method: 'PATCH', url: `/api/students/${(await foreign(c)).student}`, body: { status: 'left' }, expect: denied }] },
  { route: 'POST /api/students/:id/reveal', requests: async (c) => [{ method: 'POST', url: `/api/students/${(await foreign(c)).student}/reveal`, expect: denied }] },
  { route: 'POST /api/students/:id/guardians', requests: async (c) => [{ method: 'POST', url: `/api/students/${(await foreign(c)).student}/guardians`, body: { name: '越界', phone: '13900000000' }, expect: denied }] },
  { route: 'DELETE /api/students/guardians/:id', requests: async (c) => [{ method: 'DELETE', url: `/api/students/guardians/${(await foreign(c)).guardian}`, expect: denied }] },
  { route: 'POST /api/students/:id/faces', requests: async (c) => [{ method: 'POST', url: `/api/students/${(await foreign(c)).student}/faces`, body: { feature: demoFaceFeature('x') }, expect: denied }] },
  { route: 'DELETE /api/students/faces/:id', requests: async (c) => [{ method: 'DELETE', url: `/api/students/faces/${(await foreign(c)).face}`, expect: denied }] },
  // Only the refused search: an allowed one is logged (face_searches), which the probe would count as a change.
  { route: 'POST /api/students/identify', requests: async (c) => [{ method: 'POST', url: '/api/students/identify', body: { countyCode: c.foreign.county, feature: demoFaceFeature('隆回学生') }, expect: denied }] },
  { route: 'GET /api/students/face-library', requests: async (c) => (await foreign(c), [{ method: 'GET', url: '/api/students/face-library', expect: (res) => assert.ok(res.body.counties.every((x: { countyCode: string }) => x.countyCode.startsWith('430523'))) }]) },
];
