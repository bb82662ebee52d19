import { z } from 'zod';
import { actorOf, type App } from '../../platform/http.ts';
import type { StudentsService } from './students.service.ts';
import {
  classView,
  createClassBody,
  createSchoolBody,
  createStudentBody,
  createTeacherBody,
  enrolFaceBody,
  faceView,
  guardianInput,
  guardianView,
  identifyBody,
  identifyView,
  libraryStatsView,
  listSchoolsQuery,
  listStudentsQuery,
  schoolView,
  studentDetail,
  studentView,
  teacherView,
  updateClassBody,
  updateSchoolBody,
  updateStudentBody,
} from './students.schema.ts';

const idParam = z.object({ id: z.string().min(1).max(64) });
const ok = z.object({ ok: z.literal(true) });
const tags = ['students'];

/** A base64 JPEG, with or without a `data:image/jpeg;base64,` prefix. */
function imageOf(b64: string): Buffer {
  return Buffer.from(b64.replace(/^data:[^,]*,/, ''), 'base64');
}

export function studentsRoutes(app: App, students: StudentsService): void {
  app.get('/api/students/schools', {
    schema: { tags, querystring: listSchoolsQuery, response: { 200: z.object({ items: z.array(schoolView) }) } },
    config: { permission: 'students:read' },
  }, async (req) => ({ items: await students.listSchools(actorOf(req), req.query.areaCode, req.query.q) }));

  app.post('/api/students/schools', {
    schema: { tags, body: createSchoolBody, response: { 201: schoolView } },
    config: { permission: 'students:write' },
  }, async (req, reply) => reply.status(201).send(await students.createSchool(actorOf(req), req.body)));

  app.patch('/api/students/schools/:id', {
    schema: { tags, params: idParam, body: updateSchoolBody, response: { 200: schoolView } },
    config: { permission: 'students:write' },
  }, async (req) => students.updateSchool(actorOf(req), req.params.id, req.body));

  app.get('/api/students/schools/:id/classes', {
    schema: { tags, params: idParam, response: { 200: z.object({ items: z.array(classView) }) } },
    config: { permission: 'students:read' },
  }, async (req) => ({ items: await students.listClasses(actorOf(req), req.params.id) }));

  app.get('/api/students/schools/:id/teachers', {
    schema: { tags, params: idParam, response: { 200: z.object({ items: z.array(teacherView) }) } },
    config: { permission: 'students:read' },
  }, async (req) => ({ items: await students.listTeachers(actorOf(req), req.params.id) }));

  app.post('/api/students/teachers', {
    schema: { tags, body: createTeacherBody, response: { 201: teacherView } },
    config: { permission: 'students:write' },
  }, async (req, reply) => reply.status(201).send(await students.createTeacher(actorOf(req), req.body)));

  app.post('/api/students/teachers/:id/reveal', {
    schema: { tags, params: idParam, response: { 200: teacherView } },
    config: { permission: 'pii:reveal' },
  }, async (req) => students.revealTeacher(actorOf(req), req.params.id));

  app.post('/api/students/classes', {
    schema: { tags, body: createClassBody, response: { 201: classView } },
    config: { permission: 'students:write' },
  }, async (req, reply) => reply.status(201).send(await students.createClass(actorOf(req), req.body)));

  app.patch('/api/students/classes/:id', {
    schema: { tags, params: idParam, body: updateClassBody, response: { 200: classView } },
    config: { permission: 'students:write' },
  }, async (req) => students.updateClass(actorOf(req), req.params.id, req.body));

  app.get('/api/students', {
    schema: { tags, querystring: listStudentsQuery, response: { 200: z.object({ items: z.array(studentView), total: z.number() }) } },
    config: { permission: 'students:read' },
  }, async (req) => students.listStudents(actorOf(req), req.query));

  app.post('/api/students', {
    schema: { tags, body: createStudentBody, response: { 201: studentDetail } },
    config: { permission: 'students:write' },
  }, async (req, reply) => reply.status(201).send(await students.createStudent(actorOf(req), req.body)));

  app.get('/api/students/:id', {
    schema: { tags, params: idParam, response: { 200: studentDetail } },
    config: { permission: 'students:read' },
  }, async (req) => students.getStudent(actorOf(req), req.params.id));

  app.patch('/api/students/:id', {
    schema: { tags, params: idParam, body: updateStudentBody, response: { 200: studentDetail } },
    config: { permission: 'students:write' },
  }, async (req) => students.updateStudent(actorOf(req), req.params.id, req.body));

  // Unmasked: needs pii:reveal, audited.
  app.post('/api/students/:id/reveal', {
    schema: { tags, params: idParam, response: { 200: studentDetail } },
    config: { permission: 'pii:reveal' },
  }, async (req) => students.getStudent(actorOf(req), req.params.id, true));

  app.post('/api/students/:id/guardians', {
    schema: { tags, params: idParam, body: guardianInput, response: { 201: guardianView } },
    config: { permission: 'students:write' },
  }, async (req, reply) => reply.status(201).send(await students.addGuardian(actorOf(req), req.params.id, req.body)));

  app.delete('/api/students/guardians/:id', {
    schema: { tags, params: idParam, response: { 200: ok } },
    config: { permission: 'students:write' },
  }, async (req) => {
    await students.removeGuardian(actorOf(req), req.params.id);
    return { ok: true as const };
  });

  app.post('/api/students/:id/faces', {
    schema: { tags, params: idParam, body: enrolFaceBody, response: { 201: faceView } },
    config: { permission: 'students:write' },
  }, async (req, reply) => {
    const { image, feature } = req.body;
    const face = await students.faces.enrol(actorOf(req), req.params.id, { image: image ? imageOf(image) : undefined, feature });
    return reply.status(201).send(face);
  });

  app.delete('/api/students/faces/:id', {
    schema: { tags, params: idParam, response: { 200: ok } },
    config: { permission: 'students:write' },
  }, async (req) => {
    await students.faces.removeFace(actorOf(req), req.params.id);
    return { ok: true as const };
  });

  // "Search by photo": the console's test page and manual checks. Results are masked.
  app.post('/api/students/identify', {
    schema: { tags, body: identifyBody, response: { 200: identifyView } },
    config: { permission: 'students:read' },
  }, async (req) => {
    const { countyCode, image, feature, threshold } = req.body;
    return students.identify(actorOf(req), { countyCode, feature, image: image ? imageOf(image) : undefined, threshold, reveal: false });
  });

  app.get('/api/students/face-library', {
    schema: { tags, response: { 200: libraryStatsView } },
    config: { permission: 'students:read' },
  }, async (req) => students.faces.stats(actorOf(req)));
}
