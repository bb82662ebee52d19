// The grassroots register through the real app: households and residents (ID numbers checked, personal values
// encrypted, masked, revealed with an audit record, looked up by blind index), moves kept as history, key persons by
// category with their visit and test schedule, village representatives with 5–15 households, the "five ones" visit
// idempotent by its client key with its problems turned into cases.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, engine, type TestApp } from '../helpers/app.ts';
import { makeIdNumber } from '../../src/modules/people/idcard.ts';

const VILLAGE = '430523100203';
const OTHER_VILLAGE = '430523100205';
let app: TestApp;
let town: string;
let grid: string;
let admin: string;
let lhOperator: string;
let seq = 100;
const idNo = (birth = '19800101') => makeIdNumber('430523', birth, seq++);

before(async () => {
  app = await createTestApp();
  town = await app.login('sy_town');
  grid = await app.login('sy_grid');
  admin = await app.login('admin');
  lhOperator = await app.login('lh_operator');
});
after(async () => app?.close());

async function household(areaCode = VILLAGE, address = `${seq}号`) {
  const h = await app.request('POST', '/api/people/households', { token: town, body: { areaCode, address } });
  assert.equal(h.status, 201, JSON.stringify(h.body));
  return h.body as { id: string; areaCode: string };
}

async function resident(householdId: string, over: Record<string, unknown> = {}) {
  const r = await app.request('POST', '/api/people/residents', { token: town, body: { householdId, householdRole: 'head', name: '王建军', idNumber: idNo(), phone: '13907390' + String(seq).padStart(3, '0'), ...over } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body as { id: string; name: string; idNumber: string; phone: string };
}

test(`households and residents: checked, encrypted, masked, found by blind index, revealed with an audit record (${engine})`, async () => {
  const h = await household(VILLAGE, '塘渡口镇3组12号');
  const id = makeIdNumber('430523', '19750316', 31);
  const r = await resident(h.id, { name: '李春生', idNumber: id, phone: '13907391234' });
  assert.equal(r.name, '李*生');
  assert.equal(r.idNumber, '430523********' + id.slice(-4));
  assert.equal(r.phone, '139****1234');
  const row = await app.platform.db.kysely.selectFrom('people_residents').selectAll().where('id', '=', r.id).executeTakeFirstOrThrow();
  assert.ok(!row.name_enc.includes('李春生') && !row.id_number_enc.includes(id) && !row.phone_enc!.includes('1390739'));
  assert.equal(row.birth_year, 1975);
  assert.equal(row.gender, 'male');
  assert.equal(row.residence_kind, 'registered');

  const byId = await app.request('GET', `/api/people/residents?idNumber=${id}`, { token: grid });
  assert.equal(byId.status, 200);
  assert.deepEqual(byId.body.items.map((x: { id: string }) => x.id), [r.id]);
  const byName = await app.request('GET', `/api/people/residents?areaCode=${VILLAGE}&name=${encodeURIComponent('李春生')}`, { token: grid });
  assert.ok(byName.body.items.some((x: { id: string }) => x.id === r.id));
  const byPhone = await app.request('GET', `/api/people/residents?phone=13907391234`, { token: town });
  assert.equal(byPhone.body.total, 1);

  const hh = await app.request('GET', `/api/people/households/${h.id}`, { token: grid });
  assert.equal(hh.body.members, 1);
  assert.equal(hh.body.headName, '李*生');

  const revealed = await app.request('POST', `/api/people/residents/${r.id}/reveal`, { token: town });
  assert.equal(revealed.status, 200);
  assert.equal(revealed.body.name, '李春生');
  assert.equal(revealed.body.idNumber, id);
  const audit = await app.request('GET', `/api/audit?action=pii.read&entityId=${r.id}`, { token: admin });
  assert.equal(audit.body.total, 1);
  assert.equal((await app.request('POST', `/api/people/residents/${r.id}/reveal`, { token: grid })).status, 403, 'grid workers see masked values only');
});

test(`bad input gets a 4xx naming the field and changes nothing (${engine})`, async () => {
  const h = await household();
  const before = await app.platform.db.kysely.selectFrom('people_residents').select((e) => e.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const wrongCheck = makeIdNumber('430523', '19800101', 7).slice(0, 17) + (makeIdNumber('430523', '19800101', 7).endsWith('1') ? '2' : '1');
  const bad = await app.request('POST', '/api/people/residents', { token: town, body: { householdId: h.id, householdRole: 'head', name: '张三', idNumber: wrongCheck } });
  assert.equal(bad.status, 400);
  assert.match(JSON.stringify(bad.body), /idNumber/);
  assert.match(JSON.stringify(bad.body), /check character/);
  const town9 = await app.request('POST', '/api/people/households', { token: town, body: { areaCode: '430523100', address: '镇上' } });
  assert.equal(town9.status, 400);
  assert.equal(town9.body.error.code, 'household.area_level');
  const dupId = idNo();
  await resident(h.id, { idNumber: dupId });
  const dup = await app.request('POST', '/api/people/residents', { token: town, body: { householdId: h.id, householdRole: 'child', name: '张三', idNumber: dupId } });
  assert.equal(dup.status, 409);
  const afterCount = await app.platform.db.kysely.selectFrom('people_residents').select((e) => e.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  assert.equal(Number(afterCount.n), Number(before.n) + 1);
});

test(`a move between households is kept as history; floating population from the registered area (${engine})`, async () => {
  const a = await household(VILLAGE, '老屋');
  const b = await household(OTHER_VILLAGE, '新屋');
  const r = await resident(a.id);
  const moved = await app.request('POST', `/api/people/residents/${r.id}/move`, { token: town, body: { toHouseholdId: b.id, householdRole: 'spouse', reason: '婚嫁迁入' } });
  assert.equal(moved.status, 200, JSON.stringify(moved.body));
  assert.equal(moved.body.householdId, b.id);
  assert.equal(moved.body.areaCode, OTHER_VILLAGE);
  assert.equal(moved.body.moves.length, 1);
  assert.deepEqual([moved.body.moves[0].fromHouseholdId, moved.body.moves[0].toHouseholdId, moved.body.moves[0].reason], [a.id, b.id, '婚嫁迁入']);
  const oldMembers = await app.request('GET', `/api/people/households/${a.id}`, { token: town });
  assert.equal(oldMembers.body.members, 0);
  const out = await app.request('POST', `/api/people/residents/${r.id}/move`, { token: town, body: { toHouseholdId: null, reason: '迁出本镇' } });
  assert.equal(out.body.status, 'moved_out');
  assert.equal(out.body.moves.length, 2);
  await assert.rejects(app.platform.db.kysely.deleteFrom('people_moves').where('resident_id', '=', r.id).execute(), 'moves are append-only');

  const floating = await resident(a.id, { idNumber: makeIdNumber('430524', '19900505', 22) });
  const f = await app.request('GET', `/api/people/residents/${floating.id}`, { token: town });
  assert.equal(f.body.residenceKind, 'floating');
  assert.equal(f.body.registeredAreaCode, '430524');
});

test(`key persons: the level sets visits and hair tests; records move the schedule; rates per area (${engine})`, async () => {
  const h = await household();
  const r = await resident(h.id, { name: '赵某某' });
  const sessions = await app.request('GET', '/api/auth/me', { token: grid });
  const helperUserId = sessions.body.id ?? sessions.body.user?.id;
  assert.ok(helperUserId, JSON.stringify(sessions.body));
  const kp = await app.request('POST', '/api/people/key-persons', {
    token: town,
    body: { residentId: r.id, category: 'drug_user', level: 'key', details: { drug: '冰毒', controlStart: '2025-11-01' }, helperUserId, guardianName: '赵母', guardianPhone: '13907395555' },
  });
  assert.equal(kp.status, 201, JSON.stringify(kp.body));
  const now = app.clock.now().getTime();
  assert.equal(kp.body.visitIntervalDays, 7);
  assert.equal(kp.body.testIntervalDays, 30);
  assert.equal(kp.body.nextVisitDueAt, new Date(now + 7 * 86_400_000).toISOString());
  assert.equal(kp.body.nextTestDueAt, new Date(now + 30 * 86_400_000).toISOString());
  assert.equal(kp.body.details.drug, '***', 'category details masked');
  assert.equal(kp.body.guardianPhone, '139****5555');
  assert.equal(kp.body.helperName, '网格员');
  const hh = await app.request('GET', `/api/people/households/${h.id}`, { token: town });
  assert.equal(hh.body.isKey, true, 'a household with a key person is a key household');

  const lowered = await app.request('PATCH', `/api/people/key-persons/${kp.body.id}`, { token: town, body: { level: 'general' } });
  assert.equal(lowered.body.visitIntervalDays, 90);
  assert.equal(lowered.body.testIntervalDays, 180);
  assert.equal(lowered.body.nextVisitDueAt, kp.body.nextVisitDueAt, 'a lower level never puts off a visit already due');

  const noResult = await app.request('POST', `/api/people/key-persons/${kp.body.id}/records`, { token: grid, body: { kind: 'test' } });
  assert.equal(noResult.status, 400);
  const tested = await app.request('POST', `/api/people/key-persons/${kp.body.id}/records`, { token: grid, body: { kind: 'test', result: 'negative', note: '尿检毛发均阴性' } });
  assert.equal(tested.status, 201, JSON.stringify(tested.body));
  assert.equal(tested.body.records[0].onTime, true);
  assert.equal(tested.body.records[0].note, '***');
  const visited = await app.request('POST', `/api/people/key-persons/${kp.body.id}/records`, { token: grid, body: { kind: 'visit' } });
  assert.equal(visited.body.nextVisitDueAt, new Date(now + 90 * 86_400_000).toISOString());
  const task = await app.request('POST', `/api/people/key-persons/${kp.body.id}/tasks`, { token: town, body: { title: '协助办理低保', dueAt: new Date(now + 10 * 86_400_000).toISOString() } });
  assert.equal(task.body.openTasks, 1);
  const done = await app.request('POST', `/api/people/tasks/${task.body.tasks[0].id}/done`, { token: grid });
  assert.equal(done.body.openTasks, 0);
  assert.equal((await app.request('POST', `/api/people/tasks/${task.body.tasks[0].id}/done`, { token: grid })).status, 422);

  const mental = await app.request('POST', '/api/people/key-persons', { token: town, body: { residentId: r.id, category: 'mental_disorder', level: 'attention' } });
  assert.equal(mental.body.testIntervalDays, null);
  assert.equal((await app.request('POST', `/api/people/key-persons/${mental.body.id}/records`, { token: town, body: { kind: 'test', result: 'negative' } })).status, 400);
  assert.equal((await app.request('POST', '/api/people/key-persons', { token: town, body: { residentId: r.id, category: 'drug_user', level: 'key' } })).status, 409);

  const revealed = await app.request('POST', `/api/people/key-persons/${kp.body.id}/reveal`, { token: town });
  assert.equal(revealed.body.details.drug, '冰毒');
  assert.equal(revealed.body.records.find((x: { kind: string }) => x.kind === 'test').note, '尿检毛发均阴性');

  const list = await app.request('GET', `/api/people/key-persons?areaCode=${VILLAGE}&category=drug_user`, { token: grid });
  assert.ok(list.body.items.some((x: { id: string }) => x.id === kp.body.id));
  assert.ok(list.body.items.every((x: { category: string }) => x.category === 'drug_user'));

  const rates = await app.request('GET', '/api/people/key-persons/rates?areaCode=430523100', { token: town });
  assert.equal(rates.status, 200, JSON.stringify(rates.body));
  const village = rates.body.children.find((c: { areaCode: string }) => c.areaCode === VILLAGE);
  assert.ok(village, JSON.stringify(rates.body.children.map((c: { areaCode: string }) => c.areaCode)));
  assert.ok(village.keyPersons >= 2);
  assert.ok(village.visitsDone >= 1 && village.visitsOnTime >= 1);
  assert.ok(village.testsDue >= 1 && village.testsUpToDate >= 1);
  assert.ok(village.tasksDone >= 1);
  assert.ok(rates.body.total.keyPersons >= village.keyPersons);
});

test(`village representatives: 5–15 households, refused outside unless a reason is given; coverage (${engine})`, async () => {
  const rep = await app.request('POST', '/api/people/reps', { token: town, body: { areaCode: VILLAGE, name: '刘德华', phone: '13907396666' } });
  assert.equal(rep.status, 201, JSON.stringify(rep.body));
  assert.equal(rep.body.name, '刘*华');
  const hs = [];
  for (let i = 0; i < 16; i++) hs.push((await household(VILLAGE, `联户${i}号`)).id);
  const few = await app.request('PUT', `/api/people/reps/${rep.body.id}/households`, { token: town, body: { householdIds: hs.slice(0, 3) } });
  assert.equal(few.status, 400);
  assert.equal(few.body.error.code, 'rep.household_count');
  assert.match(few.body.error.message, /5–15/);
  const many = await app.request('PUT', `/api/people/reps/${rep.body.id}/households`, { token: town, body: { householdIds: hs } });
  assert.equal(many.status, 400);
  const ok = await app.request('PUT', `/api/people/reps/${rep.body.id}/households`, { token: town, body: { householdIds: hs.slice(0, 12) } });
  assert.equal(ok.status, 200);
  assert.equal(ok.body.households, 12);
  const over = await app.request('PUT', `/api/people/reps/${rep.body.id}/households`, { token: town, body: { householdIds: hs.slice(0, 3), overrideReason: '山区散居户，仅三户' } });
  assert.equal(over.status, 200);
  assert.equal(over.body.households, 3);
  const recorded = await app.platform.db.kysely.selectFrom('village_rep_overrides').selectAll().where('rep_id', '=', rep.body.id).execute();
  assert.equal(recorded.length, 1);
  assert.equal(recorded[0]!.reason, '山区散居户，仅三户');
  const foreignHh = await household(OTHER_VILLAGE, '邻村');
  const wrongVillage = await app.request('PUT', `/api/people/reps/${rep.body.id}/households`, { token: town, body: { householdIds: [...hs.slice(0, 5), foreignHh.id] } });
  assert.equal(wrongVillage.status, 400);
  assert.equal(wrongVillage.body.error.code, 'rep.household_area');

  const other = await app.request('POST', '/api/people/reps', { token: town, body: { areaCode: VILLAGE, name: '陈小红' } });
  const taken = await app.request('PUT', `/api/people/reps/${other.body.id}/households`, { token: town, body: { householdIds: hs.slice(0, 5) } });
  assert.equal(taken.status, 409);

  const cov = await app.request('GET', '/api/people/coverage?areaCode=430523100', { token: town });
  const v = cov.body.items.find((x: { areaCode: string }) => x.areaCode === VILLAGE);
  assert.ok(v.covered >= 3 && v.households > v.covered && v.reps >= 2, JSON.stringify(v));
  assert.equal(v.rate, Math.round((v.covered / v.households) * 1000) / 1000);
});

test(`the five-ones visit: sent twice, stored once; its problem becomes one case with channel "visit" (${engine})`, async () => {
  const h = await household(VILLAGE, '五个一户');
  await resident(h.id, { name: '周大福' });
  const body = {
    clientKey: 'draft-' + Date.now().toString(36), householdId: h.id, met: true, chatted: true, groupJoined: true, infoRegistered: false,
    notes: '老人独居，儿子在广东务工', problems: [{ title: '灌溉水渠堵塞', type: 'land_forest', summary: '3组水渠被邻户堵塞，影响灌溉' }], ideas: ['村口装路灯'], lon: 111.27, lat: 26.99,
  };
  const first = await app.request('POST', '/api/people/visits', { token: grid, body });
  assert.equal(first.status, 201, JSON.stringify(first.body));
  assert.equal(first.body.created, true);
  assert.equal(first.body.visit.caseIds.length, 1);
  assert.equal(first.body.visit.problemsCollected, true);
  const again = await app.request('POST', '/api/people/visits', { token: grid, body });
  assert.equal(again.status, 200);
  assert.equal(again.body.created, false);
  assert.equal(again.body.visit.id, first.body.visit.id);
  const n = await app.platform.db.kysely.selectFrom('people_visits').select((e) => e.fn.countAll<number>().as('n')).where('client_key', '=', body.clientKey).executeTakeFirstOrThrow();
  assert.equal(Number(n.n), 1);
  const c = await app.request('GET', `/api/cases/${first.body.visit.caseIds[0]}`, { token: town });
  assert.equal(c.status, 200);
  assert.equal(c.body.channel, 'visit');
  assert.equal(c.body.title, '灌溉水渠堵塞');
  assert.equal(c.body.reports.length, 1);
  const row = await app.platform.db.kysely.selectFrom('people_visits').selectAll().where('id', '=', first.body.visit.id).executeTakeFirstOrThrow();
  assert.ok(!row.notes_enc!.includes('广东'));

  // sy_grid is a village representative in the demo: the phone's home lists that representative's households.
  const mine = await app.request('GET', '/api/people/mine', { token: grid });
  assert.equal(mine.status, 200);
  assert.ok(mine.body.rep, 'sy_grid is a demo representative');
  assert.equal(mine.body.items.length, mine.body.rep.households);
  assert.ok(mine.body.items.every((x: { repId: string }) => x.repId === mine.body.rep.id));
  const visitKey = 'draft-mine-' + Date.now().toString(36);
  const target = mine.body.items[0];
  await app.request('POST', '/api/people/visits', { token: grid, body: { clientKey: visitKey, householdId: target.id, met: true, chatted: true, groupJoined: false, infoRegistered: false } });
  const after = await app.request('GET', '/api/people/mine', { token: grid });
  const item = after.body.items.find((x: { id: string }) => x.id === target.id);
  assert.ok(item.lastVisitAt && item.visitDue === false, JSON.stringify(item));
  const visits = await app.request('GET', `/api/people/visits?householdId=${h.id}`, { token: town });
  assert.equal(visits.body.total, 1);
});

test(`another county sees none of it and cannot write into it (${engine})`, async () => {
  const list = await app.request('GET', '/api/people/residents?pageSize=200', { token: lhOperator });
  assert.equal(list.status, 200);
  assert.ok(list.body.items.every((x: { areaCode: string }) => x.areaCode.startsWith('430524')));
  const hs = await app.request('GET', '/api/people/households', { token: lhOperator });
  assert.ok(hs.body.items.every((x: { areaCode: string }) => x.areaCode.startsWith('430524')));
  const h = await household();
  assert.equal((await app.request('GET', `/api/people/households/${h.id}`, { token: lhOperator })).status, 404);
  assert.ok([403, 404].includes((await app.request('POST', '/api/people/households', { token: lhOperator, body: { areaCode: VILLAGE, address: '越界' } })).status));
});
