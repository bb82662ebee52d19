// Cross-area probes for the grassroots register: 邵阳县 accounts against a 隆回县 household, resident, key person,
// task, village representative and visit.
import assert from 'node:assert/strict';
import { systemActor } from '../../../src/platform/access.ts';
import { makeIdNumber } from '../../../src/modules/people/idcard.ts';
import type { CrossAreaProbe, ProbeContext } from '../probe.ts';

const denied = 'denied' as const;
const FOREIGN_ID = makeIdNumber('430524', '19700707', 77);
let prepared: Promise<{ household: string; resident: string; keyPerson: string; task: string; rep: string; visitKey: string }> | null = null;

function foreign(ctx: ProbeContext) {
  prepared ??= (async () => {
    const { register, keyPersons, reps } = ctx.app.services.people;
    const sys = systemActor('probe');
    const h = await register.createHousehold(sys, { areaCode: ctx.foreign.village, address: '隆回测试户', kind: 'registered', isKey: false });
    const r = await register.createResident(sys, { householdId: h.id, householdRole: 'head', name: '隆回居民', idNumber: FOREIGN_ID, phone: '13900008001' });
    const kp = await keyPersons.create(sys, { residentId: r.id, category: 'drug_user', level: 'key', details: { drug: 'x' } });
    const withTask = await keyPersons.addTask(sys, kp.id, { title: '隆回任务', dueAt: '2030-01-01T00:00:00.000Z' });
    const rep = await reps.create(sys, { areaCode: ctx.foreign.village, name: '隆回代表' });
    const visitKey = 'probe-foreign-visit';
    await reps.createVisit(sys, { clientKey: visitKey, householdId: h.id, met: true, chatted: true, groupJoined: false, infoRegistered: false, problems: [], ideas: [] });
    return { household: h.id, resident: r.id, keyPerson: kp.id, task: withTask.tasks[0]!.id, rep: rep.id, visitKey };
  })();
  return prepared;
}

const onlyHome = (items: { areaCode: string }[]) => assert.ok(items.every((i) => i.areaCode.startsWith('430523')), JSON.stringify(items.map((i) => i.areaCode)));
const visitBody = (householdId: string, clientKey: string) => ({ clientKey, householdId, met: true, chatted: true, groupJoined: true, infoRegistered: true });

export const probes: CrossAreaProbe[] = [
  { route: 'GET /api/people/buildings', requests: async (c) => (await foreign(c), [{ method: 'GET', url: '/api/people/buildings', expect: (res) => onlyHome(res.body.items) }, { method: 'GET', url: `/api/people/buildings?areaCode=${c.foreign.village}`, expect: (res) => assert.equal(res.body.items.length, 0) }]) },
  { route: 'POST /api/people/buildings', requests: async (c) => [{ method: 'POST', url: '/api/people/buildings', body: { areaCode: c.foreign.village, name: '越界楼' }, expect: denied }] },
  {
    route: 'GET /api/people/households',
    requests: async (c) => (await foreign(c), [
      { method: 'GET', url: '/api/people/households?pageSize=200', expect: (res) => onlyHome(res.body.items) },
      { method: 'GET', url: `/api/people/households?areaCode=${c.foreign.village}`, expect: denied },
    ]),
  },
  { route: 'POST /api/people/households', requests: async (c) => [{ method: 'POST', url: '/api/people/households', body: { areaCode: c.foreign.village, address: '越界户' }, expect: denied }] },
  { route: 'GET /api/people/households/:id', requests: async (c) => [{ method: 'GET', url: `/api/people/households/${(await foreign(c)).household}`, expect: denied }] },
  {
    route: 'GET /api/people/residents',
    requests: async (c) => (await foreign(c), [
      { method: 'GET', url: '/api/people/residents?pageSize=200', expect: (res) => onlyHome(res.body.items) },
      { method: 'GET', url: `/api/people/residents?idNumber=${FOREIGN_ID}`, expect: (res) => assert.equal(res.body.total, 0) },
      { method: 'GET', url: '/api/people/residents?name=' + encodeURIComponent('隆回居民'), expect: (res) => assert.equal(res.body.total, 0) },
    ]),
  },
  { route: 'POST /api/people/residents', requests: async (c) => [{ method: 'POST', url: '/api/people/residents', body: { householdId: (await foreign(c)).household, householdRole: 'child', name: '越界', idNumber: makeIdNumber('430524', '20000101', 5) }, expect: denied }] },
  { route: 'GET /api/people/residents/:id', requests: async (c) => [{ method: 'GET', url: `/api/people/residents/${(await foreign(c)).resident}`, expect: denied }] },
  { route: 'PATCH /api/people/residents/:id', requests: async (c) => [{ method: 'PATCH', url: `/api/people/residents/${(await foreign(c)).resident}`, body: { phone: '13900000000' }, expect: denied }] },
  { route: 'POST /api/people/residents/:id/move', requests: async (c) => [{ method: 'POST', url: `/api/people/residents/${(await foreign(c)).resident}/move`, body: { toHouseholdId: null, reason: '越界迁出' }, expect: denied }] },
  { route: 'POST /api/people/residents/:id/reveal', requests: async (c) => [{ method: 'POST', url: `/api/people/residents/${(await foreign(c)).resident}/reveal`, expect: denied }] },
  {
    route: 'GET /api/people/key-persons',
    requests: async (c) => (await foreign(c), [
      { method: 'GET', url: '/api/people/key-persons?pageSize=200', expect: (res) => onlyHome(res.body.items) },
      { method: 'GET', url: `/api/people/key-persons?areaCode=${c.foreign.county}`, expect: denied },
    ]),
  },
  { route: 'POST /api/people/key-persons', requests: async (c) => [{ method: 'POST', url: '/api/people/key-persons', body: { residentId: (await foreign(c)).resident, category: 'key_youth', level: 'general' }, expect: denied }] },
  {
    route: 'GET /api/people/key-persons/rates',
    requests: async (c) => (await foreign(c), [
      { method: 'GET', url: `/api/people/key-persons/rates?areaCode=${c.foreign.county}`, expect: denied },
      { method: 'GET', url: '/api/people/key-persons/rates', expect: (res) => onlyHome(res.body.children) },
    ]),
  },
  { route: 'GET /api/people/key-persons/:id', requests: async (c) => [{ method: 'GET', url: `/api/people/key-persons/${(await foreign(c)).keyPerson}`, expect: denied }] },
  { route: 'PATCH /api/people/key-persons/:id', requests: async (c) => [{ method: 'PATCH', url: `/api/people/key-persons/${(await foreign(c)).keyPerson}`, body: { level: 'general' }, expect: denied }] },
  { route: 'POST /api/people/key-persons/:id/reveal', requests: async (c) => [{ method: 'POST', url: `/api/people/key-persons/${(await foreign(c)).keyPerson}/reveal`, expect: denied }] },
  { route: 'POST /api/people/key-persons/:id/records', requests: async (c) => [{ method: 'POST', url: `/api/people/key-persons/${(await foreign(c)).keyPerson}/records`, body: { kind: 'visit' }, expect: denied }] },
  { route: 'POST /api/people/key-persons/:id/tasks', requests: async (c) => [{ method: 'POST', url: `/api/people/key-persons/${(await foreign(c)).keyPerson}/tasks`, body: { title: '越界任务', dueAt: '2030-01-01T00:00:00Z' }, expect: denied }] },
  { route: 'POST /api/people/tasks/:id/done', requests: async (c) => [{ method: 'POST', url: `/api/people/tasks/${(await foreign(c)).task}/done`, expect: denied }] },
  { route: 'GET /api/people/reps', requests: async (c) => (await foreign(c), [{ method: 'GET', url: '/api/people/reps?pageSize=200', expect: (res) => onlyHome(res.body.items) }, { method: 'GET', url: `/api/people/reps?areaCode=${c.foreign.village}`, expect: denied }]) },
  { route: 'POST /api/people/reps', requests: async (c) => [{ method: 'POST', url: '/api/people/reps', body: { areaCode: c.foreign.village, name: '越界代表' }, expect: denied }] },
  { route: 'POST /api/people/reps/:id/reveal', requests: async (c) => [{ method: 'POST', url: `/api/people/reps/${(await foreign(c)).rep}/reveal`, expect: denied }] },
  { route: 'PUT /api/people/reps/:id/households', requests: async (c) => [{ method: 'PUT', url: `/api/people/reps/${(await foreign(c)).rep}/households`, body: { householdIds: [], overrideReason: '越界清空联户' }, expect: denied }] },
  { route: 'GET /api/people/coverage', requests: async (c) => (await foreign(c), [{ method: 'GET', url: `/api/people/coverage?areaCode=${c.foreign.town}`, expect: denied }, { method: 'GET', url: '/api/people/coverage', expect: (res) => onlyHome(res.body.items) }]) },
  { route: 'GET /api/people/visits', requests: async (c) => (await foreign(c), [{ method: 'GET', url: '/api/people/visits?pageSize=200', expect: (res) => onlyHome(res.body.items) }, { method: 'GET', url: `/api/people/visits?householdId=${(await foreign(c)).household}`, expect: (res) => assert.equal(res.body.total, 0) }]) },
  {
    route: 'POST /api/people/visits',
    requests: async (c) => {
      const f = await foreign(c);
      // A new visit to a foreign household, and a replay of a foreign visit's client key: both refused.
      return [
        { method: 'POST', url: '/api/people/visits', body: visitBody(f.household, 'probe-new-visit-key'), expect: denied },
        { method: 'POST', url: '/api/people/visits', body: visitBody(f.household, f.visitKey), expect: denied },
      ];
    },
  },
  { route: 'GET /api/people/mine', requests: async (c) => (await foreign(c), [{ method: 'GET', url: '/api/people/mine', expect: (res) => { onlyHome(res.body.items); onlyHome(res.body.keyPersonsDue); } }]) },
];
