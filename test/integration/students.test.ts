// The student library through the real app: personal data encrypted, masked and audited; scope; face enrolment
// from device-supplied features and 1:N identification per county; guardians and teachers as notification recipients.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, engine, type TestApp } from '../helpers/app.ts';
import { systemActor } from '../../src/platform/access.ts';
import { demoFaceFeature } from '../../src/modules/students/students.demo.ts';

let app: TestApp;
let admin: string;
let operator: string;
let lhOperator: string;
let schoolId = '';
let classId = '';
let teacherId = '';

before(async () => {
  app = await createTestApp();
  admin = await app.login('admin');
  operator = await app.login('sy_operator');
  lhOperator = await app.login('lh_operator');
});
after(async () => app?.close());

const sys = systemActor('rule-engine');
const db = () => app.platform.db.kysely;

test(`a county operator builds the library; personal data is encrypted, masked in lists and revealed with an audit record (${engine})`, async () => {
  const school = await app.request('POST', '/api/students/schools', { token: operator, body: { areaCode: '430523100', name: '测试小学', kind: 'primary' } });
  assert.equal(school.status, 201, JSON.stringify(school.body));
  schoolId = school.body.id;
  const teacher = await app.request('POST', '/api/students/teachers', { token: operator, body: { schoolId, name: '周老师', phone: '13911112222' } });
  assert.equal(teacher.status, 201);
  teacherId = teacher.body.id;
  assert.equal(teacher.body.name, '周*师');
  assert.equal(teacher.body.phone, '139****2222');
  const cls = await app.request('POST', '/api/students/classes', { token: operator, body: { schoolId, name: '三年级（1）班', grade: 3, teacherId } });
  assert.equal(cls.status, 201);
  classId = cls.body.id;
  assert.equal(cls.body.teacher.id, teacherId);

  const created = await app.request('POST', '/api/students', {
    token: operator,
    body: {
      schoolId, classId, areaCode: '430523100203', name: '赵子龙', idNumber: '430523201501011234', gender: 'male', birthYear: 2015,
      guardians: [{ name: '赵云飞', phone: '13922223333', relation: 'father' }, { name: '孙丽', phone: '13922224444', relation: 'mother', priority: 2 }],
    },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.equal(created.body.name, '赵*龙');
  assert.equal(created.body.idNumber, '430523********1234');
  assert.deepEqual(created.body.guardians.map((g: { name: string; phone: string }) => [g.name, g.phone]), [['赵*飞', '139****3333'], ['孙*', '139****4444']]);
  assert.equal(created.body.classTeacher.name, '周*师');

  const row = await db().selectFrom('students').selectAll().where('id', '=', created.body.id).executeTakeFirstOrThrow();
  assert.ok(!row.name_enc.includes('赵子龙') && !row.id_number_enc!.includes('430523201501011234'));
  const guardianRows = await db().selectFrom('student_guardians').selectAll().where('student_id', '=', created.body.id).execute();
  assert.ok(guardianRows.every((g) => !g.phone_enc.includes('1392222') && !g.name_enc.includes('赵')));

  const found = await app.request('GET', '/api/students?name=' + encodeURIComponent('赵子龙'), { token: operator });
  assert.equal(found.body.total, 1, 'exact name look-up through the blind index');
  assert.equal(found.body.items[0].name, '赵*龙');

  const revealed = await app.request('POST', `/api/students/${created.body.id}/reveal`, { token: operator });
  assert.equal(revealed.status, 200);
  assert.equal(revealed.body.name, '赵子龙');
  assert.equal(revealed.body.guardians[0].phone, '13922223333');
  assert.equal(revealed.body.classTeacher.phone, '13911112222');
  const audit = await app.request('GET', `/api/audit?action=pii.read&entityId=${created.body.id}`, { token: admin });
  assert.equal(audit.body.total, 1);
  assert.equal(audit.body.items[0].actorName, 'sy_operator');

  const grid = await app.login('sy_grid');
  assert.equal((await app.request('GET', '/api/students', { token: grid })).status, 403, 'grid workers do not browse the library');
});

test(`another county sees none of it and cannot write into it (${engine})`, async () => {
  const list = await app.request('GET', '/api/students?pageSize=200', { token: lhOperator });
  assert.equal(list.status, 200);
  assert.ok(list.body.items.every((s: { areaCode: string }) => s.areaCode.startsWith('430524')));
  const schools = await app.request('GET', '/api/students/schools', { token: lhOperator });
  assert.ok(!schools.body.items.some((s: { id: string }) => s.id === schoolId));
  assert.equal((await app.request('GET', `/api/students/schools/${schoolId}/classes`, { token: lhOperator })).status, 404);
  const intrude = await app.request('POST', '/api/students', { token: lhOperator, body: { schoolId, name: '越界', guardians: [] } });
  assert.equal(intrude.status, 404);
  const wrongCounty = await app.request('POST', '/api/students', { token: operator, body: { schoolId, name: '外县学生', areaCode: '430524001', guardians: [] } });
  assert.equal(wrongCounty.status, 404, 'an area outside the operator scope is not found');
  const adminWrongCounty = await app.request('POST', '/api/students', { token: admin, body: { schoolId, name: '外县学生', areaCode: '430524001', guardians: [] } });
  assert.equal(adminWrongCounty.status, 400);
  assert.equal(adminWrongCounty.body.error.code, 'student.area');
});

test(`1:N identification over the county's enrolled faces, with a threshold, logged (${engine})`, async () => {
  // The demo library: three students of 塘渡口镇中心小学 with enrolled features.
  const near = demoFaceFeature('张小明', 0.6);
  const r = await app.services.students.identify(sys, { countyCode: '430523', feature: near, trace: { alertId: 'alert-42', eventId: 'ev-1' } });
  assert.equal(r.matched, true);
  assert.ok(r.match!.score >= r.threshold && r.match!.score < 1, `score ${r.match!.score}`);
  assert.equal(r.match!.student.name, '张小明', 'the system actor gets the name to write to the guardians');
  assert.equal(r.match!.student.className, '五年级（2）班');
  assert.deepEqual(r.match!.guardians.map((g) => [g.name, g.phone]), [['张建国', '13807391001'], ['李秀英', '13807391002']]);
  assert.equal(r.match!.classTeacher!.name, '陈老师');
  assert.ok(r.librarySize >= 3);

  const log = await db().selectFrom('face_searches').selectAll().where('id', '=', r.searchId).executeTakeFirstOrThrow();
  assert.equal(log.alert_id, 'alert-42');
  assert.equal(log.student_id, r.match!.student.id);
  assert.equal(log.score, r.match!.score);

  const viaRoute = await app.request('POST', '/api/students/identify', { token: operator, body: { countyCode: '430523', feature: near } });
  assert.equal(viaRoute.status, 200, JSON.stringify(viaRoute.body).slice(0, 300));
  assert.equal(viaRoute.body.match.student.name, '张*明', 'masked for the console');
  assert.equal(viaRoute.body.match.guardians[0].phone, '138****1001');

  const stranger = await app.services.students.identify(sys, { countyCode: '430523', feature: demoFaceFeature('陌生人') });
  assert.equal(stranger.matched, false);
  assert.equal(stranger.match, null);
  assert.ok(stranger.score !== null && stranger.score < stranger.threshold);

  const strict = await app.services.students.identify(sys, { countyCode: '430523', feature: near, threshold: 0.999 });
  assert.equal(strict.matched, false, 'a higher threshold refuses the same face');

  const otherCounty = await app.services.students.identify(sys, { countyCode: '430524', feature: near });
  assert.equal(otherCounty.matched, false, '隆回县 has no such student: the search stays in the county');
  assert.equal((await app.request('POST', '/api/students/identify', { token: lhOperator, body: { countyCode: '430523', feature: near } })).status, 404);

  const badDim = await app.request('POST', '/api/students/identify', { token: operator, body: { countyCode: '430523', feature: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16] } });
  assert.equal(badDim.status, 400);
  assert.equal(badDim.body.error.code, 'face.feature_dim');
});

test(`enrolment keeps the index in step; a student who leaves keeps no face and is no longer identified (${engine})`, async () => {
  const s = await app.request('POST', '/api/students', { token: operator, body: { schoolId, classId, areaCode: '430523100203', name: '钱小二', guardians: [] } });
  const feature = demoFaceFeature('钱小二');
  const enrolled = await app.request('POST', `/api/students/${s.body.id}/faces`, { token: operator, body: { feature } });
  assert.equal(enrolled.status, 201, JSON.stringify(enrolled.body));
  assert.equal(enrolled.body.source, 'feature');
  const stored = await db().selectFrom('student_faces').selectAll().where('id', '=', enrolled.body.id).executeTakeFirstOrThrow();
  assert.equal(stored.county_code, '430523');
  assert.ok(stored.embedding_enc.startsWith('v1:'), 'the embedding is encrypted');

  const hit = await app.services.students.identify(sys, { countyCode: '430523', feature: demoFaceFeature('钱小二', 0.5) });
  assert.equal(hit.match?.student.id, s.body.id);

  const left = await app.request('PATCH', `/api/students/${s.body.id}`, { token: operator, body: { status: 'left' } });
  assert.equal(left.status, 200);
  assert.equal(left.body.faceList.length, 0);
  const gone = await app.services.students.identify(sys, { countyCode: '430523', feature: demoFaceFeature('钱小二', 0.5) });
  assert.notEqual(gone.match?.student.id, s.body.id);
  const again = await app.request('POST', `/api/students/${s.body.id}/faces`, { token: operator, body: { feature } });
  assert.equal(again.status, 422);

  // A restart (a fresh service over the same database) loads the same library.
  const { StudentsService } = await import('../../src/modules/students/students.service.ts');
  const { NotifyService } = await import('../../src/modules/notify/notify.service.ts');
  const fresh = new StudentsService(app.platform, new NotifyService(app.platform));
  const reloaded = await fresh.identify(sys, { countyCode: '430523', feature: demoFaceFeature('王芳', 0.5) });
  assert.equal(reloaded.match?.student.name, '王芳');
  assert.equal(reloaded.librarySize, (await fresh.faces.stats(sys)).counties.find((c) => c.countyCode === '430523')!.faces);
});

test(`guardians and class teachers are notification recipients, with their own preferences (${engine})`, async () => {
  const r = await app.services.students.identify(sys, { countyCode: '430523', feature: demoFaceFeature('张小明', 0.3) });
  const father = r.match!.guardians[0]!;
  const refs = await app.services.notify.enqueue(sys, {
    recipient: { kind: 'guardian', id: father.id }, template: 'drowning.student_at_water',
    params: { student: r.match!.student.name, time: '14:03', place: '资江' }, trace: { alertId: 'alert-42', ruleId: 'rule-7' }, dedupeKey: `alert-42:guardian:${father.id}`,
  });
  assert.deepEqual(refs.map((x) => x.channel), ['sms']);
  const call = await app.services.notify.placeCall(sys, {
    recipient: { kind: 'guardian', id: father.id }, template: 'drowning.call', params: { student: '张小明', place: '资江' }, trace: { alertId: 'alert-42' }, dedupeKey: `alert-42:call:${father.id}`,
  });
  assert.equal(call[0]!.channel, 'voice');
  await app.services.notify.enqueue(sys, { recipient: { kind: 'teacher', id: r.match!.classTeacher!.id }, text: '您班学生张小明出现在资江附近', dedupeKey: 'alert-42:teacher' });
  await app.services.notify.worker.runOnce();
  const sink = await app.request('GET', '/api/notify/sink', { token: operator });
  const bodies = sink.body.items.map((s: { body: string; address: string; channel: string }) => `${s.channel} ${s.address} ${s.body}`);
  assert.ok(bodies.some((b: string) => b.startsWith('sms 138****1001 【防溺水预警】张小明同学于14:03出现在资江附近')), bodies.join('\n'));
  assert.ok(bodies.some((b: string) => b.startsWith('voice 138****1001 紧急提醒')));
  assert.ok(bodies.some((b: string) => b.startsWith('sms 138****1100 您班学生张小明')));

  const pref = await app.request('PUT', `/api/notify/preferences/guardian/${father.id}`, { token: operator, body: { channels: ['voice', 'sms'] } });
  assert.equal(pref.status, 200, JSON.stringify(pref.body));
  const both = await app.services.notify.enqueue(sys, { recipient: { kind: 'guardian', id: father.id }, text: '再次提醒', dedupeKey: 'alert-43:guardian' });
  assert.deepEqual(both.map((x) => x.channel), ['voice', 'sms']);
  assert.equal((await app.request('GET', `/api/notify/preferences/guardian/${father.id}`, { token: lhOperator })).status, 404);
});
