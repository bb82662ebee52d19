// The closed loop through the API: intake → assign → sign → mediate → conclude → follow up → rate, with the
// refusals along the way (illegal transitions, the wrong handler, returns without a reason), duplicate reports,
// masked and revealed parties, and the audit trail.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, engine, type TestApp } from '../helpers/app.ts';
import { FakeClock } from '../../src/platform/clock.ts';
import { actions, BAIYUN, HEFU, intakeBody, openCase, setUpBaicang, type Baicang } from './cases.helpers.ts';

const HOUR = 3600_000;
let app: TestApp;
let clock: FakeClock;
let bc: Baicang;

before(async () => {
  clock = new FakeClock('2026-05-22T02:00:00.000Z');
  // Sessions outlive the days the clock is moved by.
  app = await createTestApp({ clock, config: { sessionTtlHours: 24 * 365 } });
  bc = await setUpBaicang(app);
});
after(async () => app?.close());

test(`centres and mediators are validated (${engine})`, async () => {
  const dup = await app.request('POST', '/api/mediation-centres', { token: bc.operator, body: { areaCode: '430523101', name: '重复中心' } });
  assert.equal(dup.status, 409);
  assert.equal(dup.body.error.code, 'centre.exists');
  const noLeader = await app.request('POST', '/api/mediation-centres', { token: bc.admin, body: { areaCode: '430522', name: '新邵县中心' } });
  assert.equal(noLeader.status, 400);
  assert.equal(noLeader.body.error.code, 'centre.leader_required');
  const village = await app.request('POST', '/api/mediation-centres', { token: bc.operator, body: { areaCode: BAIYUN, name: '村中心' } });
  assert.equal(village.status, 400);
  const outside = await app.request('POST', '/api/mediators', {
    token: bc.operator,
    body: { centreId: bc.centreId, name: '越界', kind: 'backpack', areaCode: '430523100203', specialities: [], capacity: 2 },
  });
  assert.equal(outside.status, 400);
  assert.equal(outside.body.error.code, 'mediator.area_outside_centre');
  const taken = await app.request('POST', '/api/mediators', {
    token: bc.operator,
    body: { centreId: bc.centreId, name: '重复账号', kind: 'centre', areaCode: '430523101', userId: bc.mediatorUserId },
  });
  assert.equal(taken.status, 409);
  const list = await app.request('GET', `/api/mediators?centreId=${bc.centreId}`, { token: bc.operator });
  assert.equal(list.status, 200);
  assert.deepEqual(list.body.items.map((m: { name: string }) => m.name).sort(), ['孙立新', '王春花']);
  const backpack = list.body.items.find((m: { id: string }) => m.id === bc.backpackId);
  assert.equal(backpack.phoneMasked, '139****0001');
  assert.equal(backpack.username, 'bc_mediator');
  assert.equal(backpack.load, 0);
  // A mediator cannot manage centres.
  const denied = await app.request('POST', '/api/mediation-centres', { token: bc.mediator, body: { areaCode: '430523102', name: 'x' } });
  assert.equal(denied.status, 403);
  // Changes: a county centre keeps its leader; a mediator's capacity and speciality can change.
  const county = (await app.request('GET', '/api/mediation-centres', { token: bc.operator })).body.items.find((c: { level: string }) => c.level === 'county');
  const leaderless = await app.request('PATCH', `/api/mediation-centres/${county.id}`, { token: bc.operator, body: { leaderName: null } });
  assert.equal(leaderless.status, 400);
  const renamed = await app.request('PATCH', `/api/mediation-centres/${bc.centreId}`, { token: bc.operator, body: { phone: '0739-6830002' } });
  assert.equal(renamed.body.phone, '0739-6830002');
  const changed = await app.request('PATCH', `/api/mediators/${bc.wagesId}`, { token: bc.operator, body: { capacity: 6, specialities: ['wages', 'contract', 'property'] } });
  assert.equal(changed.status, 200);
  assert.equal(changed.body.capacity, 6);
  assert.deepEqual(changed.body.specialities, ['wages', 'contract', 'property']);
  const one = await app.request('GET', `/api/mediators/${bc.wagesId}`, { token: bc.mediator });
  assert.equal(one.body.name, '孙立新');
});

test(`the whole loop, each step recorded with who and when (${engine})`, async () => {
  const body = intakeBody();
  const first = await app.request('POST', '/api/cases', { token: bc.operator, body });
  assert.equal(first.status, 201, JSON.stringify(first.body));
  const c0 = first.body.case;
  assert.match(c0.code, /^MJ430523-20260522-\d{4}$/);
  assert.equal(c0.centreName, '白仓镇矛盾纠纷调处化解中心');
  assert.equal(c0.level, 'town');
  assert.equal(c0.deadlineAt, '2026-06-21T02:00:00.000Z', 'a people\'s mediation: 30 days');
  // Routed by area and type: the backpack mediator of 白云村, who knows neighbour disputes.
  assert.equal(c0.state, 'assigned');
  assert.equal(c0.mediatorId, bc.backpackId);
  assert.deepEqual(actions(c0), ['accept', 'assign']);
  assert.equal(c0.events[1].actorName, 'router');
  // Personal data leaves masked.
  const applicant = c0.parties.find((p: { role: string }) => p.role === 'applicant');
  assert.match(applicant.name, /^张\*+明$/);
  assert.match(applicant.phone, /^139\*{4}\d{4}$/);
  assert.match(applicant.idNumber, /^430523\*{8}\d{4}$/);
  assert.ok(!JSON.stringify(c0).includes((body.parties as { phone: string }[])[0]!.phone));

  // The same dispute reported again on the hotline: linked, not opened twice.
  clock.advance(HOUR);
  const again = await app.request('POST', '/api/cases', {
    token: await app.login('commander'),
    body: { ...body, channel: 'hotline', summary: '当事人再次来电反映宅基地纠纷。', parties: [(body.parties as object[])[0]] },
  });
  assert.equal(again.status, 200, JSON.stringify(again.body));
  assert.equal(again.body.created, false);
  assert.equal(again.body.case.id, c0.id);
  assert.equal(again.body.case.reportCount, 2);
  assert.deepEqual(again.body.case.reports.map((r: { channel: string }) => r.channel), ['walk_in', 'hotline']);
  assert.equal(actions(again.body.case).at(-1), 'report_linked');

  // Nobody but the assigned mediator signs; nothing can skip ahead.
  const wrong = await app.request('POST', `/api/cases/${c0.id}/sign`, { token: bc.operator });
  assert.equal(wrong.status, 403);
  assert.equal(wrong.body.error.code, 'case.not_assignee');
  const early = await app.request('POST', `/api/cases/${c0.id}/conclude`, { token: bc.mediator, body: { outcome: 'agreement', note: '达成协议' } });
  assert.equal(early.status, 422);
  assert.equal(early.body.error.code, 'case.illegal_transition');
  assert.match(early.body.error.message, /assigned.*mediating/);

  clock.advance(HOUR);
  const signed = await app.request('POST', `/api/cases/${c0.id}/sign`, { token: bc.mediator });
  assert.equal(signed.status, 200, JSON.stringify(signed.body));
  assert.equal(signed.body.state, 'mediating');
  assert.equal(signed.body.mine, true);
  const twice = await app.request('POST', `/api/cases/${c0.id}/sign`, { token: bc.mediator });
  assert.equal(twice.status, 422);

  clock.advance(24 * HOUR);
  const session = await app.request('POST', `/api/cases/${c0.id}/sessions`, {
    token: bc.mediator,
    body: { place: '白云村委会', attendees: '双方当事人、村主任', note: '双方陈述诉求，约定实地测量。' },
  });
  assert.equal(session.status, 200);
  const noConsent = await app.request('POST', `/api/cases/${c0.id}/extend`, { token: bc.mediator, body: { days: 10, reason: '需要实地测量界址', partiesConsent: false } });
  assert.equal(noConsent.status, 400);
  assert.match(JSON.stringify(noConsent.body), /partiesConsent/);
  const extended = await app.request('POST', `/api/cases/${c0.id}/extend`, { token: bc.mediator, body: { days: 10, reason: '需要实地测量界址', partiesConsent: true } });
  assert.equal(extended.status, 200);
  assert.equal(extended.body.deadlineAt, '2026-07-01T02:00:00.000Z');
  const again2 = await app.request('POST', `/api/cases/${c0.id}/extend`, { token: bc.mediator, body: { days: 5, reason: '再次延期申请', partiesConsent: true } });
  assert.equal(again2.status, 422);
  assert.equal(again2.body.error.code, 'case.extension_limit');

  const followTooEarly = await app.request('POST', `/api/cases/${c0.id}/follow-up`, { token: bc.operator, body: { method: 'phone', note: '回访' } });
  assert.equal(followTooEarly.status, 422);

  clock.advance(5 * 24 * HOUR);
  const concluded = await app.request('POST', `/api/cases/${c0.id}/conclude`, {
    token: bc.mediator,
    body: { outcome: 'agreement', note: '双方达成调解协议。', agreement: '以测量结果为界，张某拆除越界围墙。' },
  });
  assert.equal(concluded.status, 200, JSON.stringify(concluded.body));
  assert.equal(concluded.body.state, 'concluded');
  assert.equal(concluded.body.outcome, 'agreement');
  assert.equal(concluded.body.concludedAt, clock.now().toISOString());

  clock.advance(3 * 24 * HOUR);
  const followed = await app.request('POST', `/api/cases/${c0.id}/follow-up`, { token: bc.operator, body: { method: 'phone', note: '协议已履行，双方满意。' } });
  assert.equal(followed.status, 200);
  assert.equal(followed.body.state, 'followed_up');
  const rated = await app.request('POST', `/api/cases/${c0.id}/rate`, { token: bc.operator, body: { satisfaction: 5, comment: '调解及时' } });
  assert.equal(rated.status, 200);
  assert.equal(rated.body.state, 'rated');
  assert.equal(rated.body.satisfaction, 5);
  const rateAgain = await app.request('POST', `/api/cases/${c0.id}/rate`, { token: bc.operator, body: { satisfaction: 1 } });
  assert.equal(rateAgain.status, 422);

  const done = (await app.request('GET', `/api/cases/${c0.id}`, { token: bc.operator })).body;
  assert.deepEqual(actions(done), ['accept', 'assign', 'report_linked', 'sign', 'session', 'extend', 'conclude', 'follow_up', 'rate']);
  assert.deepEqual(
    done.events.map((e: { fromState: string | null; toState: string | null }) => `${e.fromState}>${e.toState}`),
    ['null>accepted', 'accepted>assigned', 'assigned>assigned', 'assigned>mediating', 'mediating>mediating', 'mediating>mediating', 'mediating>concluded', 'concluded>followed_up', 'followed_up>rated'],
  );
  assert.deepEqual(done.events.map((e: { actorName: string }) => e.actorName), ['邵阳县平台值班员', 'router', '市指挥中心值班长', '白仓调解员', '白仓调解员', '白仓调解员', '白仓调解员', '邵阳县平台值班员', '邵阳县平台值班员']);
  assert.equal(done.events.at(-1).at, clock.now().toISOString());
  assert.ok(done.events.every((e: { at: string }, i: number, all: { at: string }[]) => i === 0 || all[i - 1]!.at <= e.at));

  // Every step is in the audit trail too, in the same transactions.
  const audit = await app.request('GET', `/api/audit?entityId=${c0.id}&pageSize=100`, { token: bc.admin });
  const audited = audit.body.items.map((a: { action: string }) => a.action);
  for (const a of ['case.accept', 'case.assign', 'case.sign', 'case.session', 'case.extend', 'case.conclude', 'case.follow_up', 'case.rate']) assert.ok(audited.includes(a), a);
});

test(`parties are revealed only with pii:reveal, and each reveal is audited (${engine})`, async () => {
  const body = intakeBody({ areaCode: HEFU });
  const c = await openCase(app, bc.operator, body);
  const revealed = await app.request('POST', `/api/cases/${c.id}/reveal-parties`, { token: bc.operator });
  assert.equal(revealed.status, 200);
  const parties = body.parties as { name: string; phone: string; idNumber?: string }[];
  assert.deepEqual(revealed.body.parties.map((p: { name: string }) => p.name), parties.map((p) => p.name));
  assert.equal(revealed.body.parties[0].idNumber, parties[0]!.idNumber);
  const grid = await app.request('POST', `/api/cases/${c.id}/reveal-parties`, { token: await app.login('sy_grid') });
  assert.equal(grid.status, 403);
  const audit = await app.request('GET', `/api/audit?entityId=${c.id}&action=pii.read`, { token: bc.admin });
  assert.equal(audit.body.total, 1);
  assert.deepEqual(audit.body.items[0].detail.fields, ['parties.name', 'parties.idNumber', 'parties.phone']);
  assert.ok(!JSON.stringify(audit.body).includes(parties[0]!.phone));
});

test(`a handler returns a case only with a reason; it is then reassigned to someone else (${engine})`, async () => {
  const c = await openCase(app, bc.operator, { type: 'marriage_family', title: '赡养纠纷' });
  assert.equal(c.mediatorId, bc.backpackId);
  const noReason = await app.request('POST', `/api/cases/${c.id}/return`, { token: bc.mediator, body: {} });
  assert.equal(noReason.status, 400);
  const short = await app.request('POST', `/api/cases/${c.id}/return`, { token: bc.mediator, body: { reason: '忙' } });
  assert.equal(short.status, 400);
  assert.match(short.body.error.message, /reason/);
  const returned = await app.request('POST', `/api/cases/${c.id}/return`, { token: bc.mediator, body: { reason: '当事人系本人亲属，需回避' } });
  assert.equal(returned.status, 200);
  assert.equal(returned.body.state, 'accepted');
  assert.equal(returned.body.mediatorId, null);
  assert.equal(returned.body.events.at(-1).detail.reason, '当事人系本人亲属，需回避');
  // A mediator cannot dispatch; the centre can, and the one who returned it is not picked again.
  assert.equal((await app.request('POST', `/api/cases/${c.id}/assign`, { token: bc.mediator, body: {} })).status, 403);
  const reassigned = await app.request('POST', `/api/cases/${c.id}/assign`, { token: bc.operator, body: {} });
  assert.equal(reassigned.status, 200, JSON.stringify(reassigned.body));
  assert.equal(reassigned.body.mediatorId, bc.wagesId);
  // The wages mediator has no account: the centre signs on their behalf.
  const signed = await app.request('POST', `/api/cases/${c.id}/sign`, { token: bc.operator });
  assert.equal(signed.status, 200);
  assert.equal(signed.body.events.at(-1).detail.onBehalfOf, '孙立新');
  // Manual assignment to a mediator of another centre is refused.
  const other = (await app.request('GET', '/api/mediators?areaCode=430523100', { token: bc.operator })).body.items[0];
  const c2 = await openCase(app, bc.operator);
  const foreignCentre = await app.request('POST', `/api/cases/${c2.id}/assign`, { token: bc.operator, body: { mediatorId: other.id } });
  assert.equal(foreignCentre.status, 400);
  assert.equal(foreignCentre.body.error.code, 'case.mediator_other_centre');
});

test(`a withdrawal closes a case before anyone signed; two handlers cannot both move a case (${engine})`, async () => {
  const c = await openCase(app, bc.operator);
  const withdrawn = await app.request('POST', `/api/cases/${c.id}/conclude`, { token: bc.operator, body: { outcome: 'withdrawn', note: '申请人撤回调解申请' } });
  assert.equal(withdrawn.status, 200, JSON.stringify(withdrawn.body));
  assert.equal(withdrawn.body.state, 'concluded');
  const c2 = await openCase(app, bc.operator);
  const both = await Promise.all([
    app.request('POST', `/api/cases/${c2.id}/sign`, { token: bc.mediator }),
    app.request('POST', `/api/cases/${c2.id}/sign`, { token: bc.mediator }),
  ]);
  const statuses = both.map((r) => r.status).sort();
  assert.equal(statuses[0], 200);
  // Refused either by the state check (it is mediating now) or by the compare-and-set on the row (409).
  assert.ok([409, 422].includes(statuses[1]!), String(statuses[1]));
  const after = (await app.request('GET', `/api/cases/${c2.id}`, { token: bc.operator })).body;
  assert.equal(actions(after).filter((a) => a === 'sign').length, 1);
});

test(`high risk goes to the county centre with a named responsible leader; raising the risk escalates (${engine})`, async () => {
  const high = await openCase(app, bc.operator, { risk: 'high', title: '群体性土地纠纷', type: 'land_forest' });
  assert.equal(high.level, 'county');
  assert.equal(high.centreName, '邵阳县一站式矛盾纠纷调处化解中心');
  assert.equal(high.responsibleLeader, '王海涛（县委政法委书记）');
  assert.equal(high.deadlineAt, new Date(clock.now().getTime() + 15 * 24 * HOUR).toISOString());

  const c = await openCase(app, bc.operator);
  assert.equal(c.level, 'town');
  const raised = await app.request('PATCH', `/api/cases/${c.id}`, { token: bc.mediator, body: { risk: 'high', summary: '双方持械对峙，有激化风险。' } });
  assert.equal(raised.status, 200, JSON.stringify(raised.body));
  assert.equal(raised.body.level, 'county');
  assert.equal(raised.body.risk, 'high');
  assert.equal(raised.body.responsibleLeader, '王海涛（县委政法委书记）');
  assert.equal(raised.body.escalationCount, 1);
  const esc = raised.body.events.find((e: { action: string }) => e.action === 'escalate');
  assert.equal(esc.detail.reason, 'high_risk');
  assert.equal(esc.detail.fromLevel, 'town');
  // The mediator of the town no longer holds it; the county reassigned it.
  assert.notEqual(raised.body.mediatorId, bc.backpackId);
});

test(`manual escalation up to the city, and no further (${engine})`, async () => {
  const c = await openCase(app, bc.operator, { risk: 'high' });
  const noReason = await app.request('POST', `/api/cases/${c.id}/escalate`, { token: bc.operator, body: { reason: '' } });
  assert.equal(noReason.status, 400);
  const toCity = await app.request('POST', `/api/cases/${c.id}/escalate`, { token: await app.login('commander'), body: { reason: '涉及多个县，需市级协调' } });
  assert.equal(toCity.status, 200, JSON.stringify(toCity.body));
  assert.equal(toCity.body.level, 'city');
  assert.equal(toCity.body.responsibleLeader, '刘志强（市委政法委副书记）');
  const beyond = await app.request('POST', `/api/cases/${c.id}/escalate`, { token: await app.login('commander'), body: { reason: '再次上报试试' } });
  assert.equal(beyond.status, 422);
  assert.equal(beyond.body.error.code, 'case.no_centre_above');
});

test(`a summary is at most 2,000 characters; an intake needs a party and an area with a centre in scope (${engine})`, async () => {
  const long = await app.request('POST', '/api/cases', { token: bc.operator, body: intakeBody({ summary: '纠'.repeat(2001) }) });
  assert.equal(long.status, 400);
  assert.match(JSON.stringify(long.body.error.details), /summary/);
  assert.equal((await app.request('POST', '/api/cases', { token: bc.operator, body: intakeBody({ summary: '纠'.repeat(2000) }) })).status, 201);
  const noParty = await app.request('POST', '/api/cases', { token: bc.operator, body: intakeBody({ parties: [] }) });
  assert.equal(noParty.status, 400);
  const badId = await app.request('POST', '/api/cases', { token: bc.operator, body: intakeBody({ parties: [{ role: 'applicant', name: '某', idNumber: '12345' }] }) });
  assert.equal(badId.status, 400);
  assert.match(JSON.stringify(badId.body.error.details), /idNumber/);
  // 新邵县 has no centre of its own; with the city's closed, nobody covers it.
  const commander = await app.login('commander');
  const city = (await app.request('GET', '/api/mediation-centres', { token: commander })).body.items.find((c: { level: string }) => c.level === 'city');
  assert.equal((await app.request('PATCH', `/api/mediation-centres/${city.id}`, { token: commander, body: { active: false } })).status, 200);
  const nobody = await app.request('POST', '/api/cases', { token: commander, body: intakeBody({ areaCode: '430522' }) });
  assert.equal(nobody.status, 400);
  assert.equal(nobody.body.error.code, 'case.no_centre');
  assert.equal((await app.request('PATCH', `/api/mediation-centres/${city.id}`, { token: commander, body: { active: true } })).status, 200);
  const cityCase = await openCase(app, commander, { areaCode: '430522' });
  assert.equal(cityCase.level, 'city');
});

test(`mass economic cases carry people and sums, and move forward through the chain (${engine})`, async () => {
  const missing = await app.request('POST', '/api/cases', { token: bc.operator, body: intakeBody({ type: 'mass_economic' }) });
  assert.equal(missing.status, 400);
  assert.match(JSON.stringify(missing.body.error.details), /peopleCount/);
  assert.match(JSON.stringify(missing.body.error.details), /amountInvolved/);
  const c = await openCase(app, bc.operator, { type: 'mass_economic', title: '养老服务非法集资', peopleCount: 230, amountInvolved: 5_600_000, massStage: 'monitoring' });
  assert.equal(c.level, 'county', 'mass economic cases are handled at the county');
  assert.equal(c.massStage, 'monitoring');
  const fwd = await app.request('POST', `/api/cases/${c.id}/stage`, { token: bc.operator, body: { stage: 'recovery', note: '冻结涉案资产', amountRecovered: 1_200_000 } });
  assert.equal(fwd.status, 200);
  assert.equal(fwd.body.massStage, 'recovery');
  assert.equal(fwd.body.amountRecovered, 1_200_000);
  const back = await app.request('POST', `/api/cases/${c.id}/stage`, { token: bc.operator, body: { stage: 'investigation' } });
  assert.equal(back.status, 422);
  assert.equal(back.body.error.code, 'case.stage_backwards');
  const plain = await openCase(app, bc.operator);
  const notMass = await app.request('POST', `/api/cases/${plain.id}/stage`, { token: bc.operator, body: { stage: 'disposal' } });
  assert.equal(notMass.body.error.code, 'case.not_mass_economic');
});

test(`departments join in handling; attachments are stored and served back (${engine})`, async () => {
  const c = await openCase(app, bc.operator, { type: 'wages', title: '工资拖欠' });
  const deps = await app.request('GET', '/api/case-departments', { token: await app.login('sy_town') });
  const labour = deps.body.items.find((d: { kind: string; areaCode: string }) => d.kind === 'labour' && d.areaCode === '430523');
  assert.ok(labour, 'a town sees the county labour bureau');
  assert.ok(deps.body.items.every((d: { areaCode: string }) => !d.areaCode.startsWith('430524')));
  const joined = await app.request('POST', `/api/cases/${c.id}/departments`, { token: bc.operator, body: { departmentId: labour.id, note: '劳动监察介入' } });
  assert.equal(joined.status, 200);
  assert.deepEqual(joined.body.departments.map((d: { name: string }) => d.name), ['邵阳县人力资源和社会保障局']);
  const twice = await app.request('POST', `/api/cases/${c.id}/departments`, { token: bc.operator, body: { departmentId: labour.id } });
  assert.equal(twice.status, 409);

  const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
  const up = await app.request('POST', `/api/cases/${c.id}/attachments`, {
    token: bc.mediator,
    body: { name: '现场照片.png', contentType: 'image/png', dataBase64: png.toString('base64') },
  });
  assert.equal(up.status, 201, JSON.stringify(up.body));
  const att = up.body.attachments[0];
  assert.equal(att.size, png.length);
  const down = await app.platform.db.kysely.selectFrom('case_attachments').select('sha256').where('id', '=', att.id).executeTakeFirstOrThrow();
  assert.equal(down.sha256.length, 64);
  const res = await app.app.inject({ method: 'GET', url: `/api/cases/${c.id}/attachments/${att.id}`, headers: { authorization: `Bearer ${bc.operator}` } });
  assert.equal(res.statusCode, 200);
  assert.equal(res.headers['content-type'], 'image/png');
  assert.deepEqual(res.rawPayload, png);
  const bad = await app.request('POST', `/api/cases/${c.id}/attachments`, { token: bc.operator, body: { name: 'x.png', contentType: 'image/png', dataBase64: '%%%' } });
  assert.equal(bad.status, 400);
});

test(`the board: overdue first, filters by area, type, risk and state, the mediator's own cases (${engine})`, async () => {
  const mine = await app.request('GET', '/api/cases?mine=true', { token: bc.mediator });
  assert.equal(mine.status, 200);
  assert.ok(mine.body.items.length > 0);
  assert.ok(mine.body.items.every((c: { mediatorId: string }) => c.mediatorId === bc.backpackId));

  const board = await app.request('GET', '/api/cases?pageSize=200', { token: bc.operator });
  const items = board.body.items as { overdue: boolean; state: string; deadlineAt: string; areaCode: string }[];
  assert.ok(items.some((c) => c.overdue), 'the demo has overdue cases');
  const firstNotOverdue = items.findIndex((c) => !c.overdue);
  assert.ok(items.slice(firstNotOverdue).every((c) => !c.overdue), 'overdue cases come first');
  assert.ok(items.every((c) => c.areaCode.startsWith('430523')));

  const filtered = await app.request('GET', `/api/cases?areaCode=430523101&type=neighbour&risk=low&state=assigned,mediating`, { token: bc.operator });
  assert.ok(filtered.body.items.length > 0);
  assert.ok(filtered.body.items.every((c: { areaCode: string; type: string; risk: string; state: string }) =>
    c.areaCode.startsWith('430523101') && c.type === 'neighbour' && c.risk === 'low' && ['assigned', 'mediating'].includes(c.state)));
  const byCode = await app.request('GET', `/api/cases?q=${encodeURIComponent(filtered.body.items[0].code)}`, { token: bc.operator });
  assert.equal(byCode.body.total, 1);
  const badState = await app.request('GET', '/api/cases?state=closed', { token: bc.operator });
  assert.equal(badState.status, 400);
  const foreign = await app.request('GET', '/api/cases?areaCode=430524', { token: bc.operator });
  assert.equal(foreign.status, 404);
});

test(`intakeFromAlert: an alert becomes one case, however often it is converted (${engine})`, async () => {
  const operator = (await app.platform.db.kysely.selectFrom('users').select('id').where('username', '=', 'sy_operator').executeTakeFirstOrThrow()).id;
  const actor = (await app.services.accounts.authenticate(bc.operator, null))!.actor;
  assert.equal(actor.userId, operator);
  const input = { alertId: 'alert-7f3a', areaCode: BAIYUN, summary: '河边多次发生争吵，村民报警。', place: '白云村河段' };
  const [a, b] = await Promise.all([app.services.cases.intakeFromAlert(actor, input), app.services.cases.intakeFromAlert(actor, input)]);
  assert.equal(a.case.id, b.case.id);
  assert.deepEqual([a.created, b.created].sort(), [false, true]);
  assert.equal(a.case.channel, 'alert');
  assert.equal(a.case.risk, 'medium');
  assert.equal(a.case.reports[0]?.sourceRef, 'alert:alert-7f3a');
  const third = await app.services.cases.intakeFromAlert(actor, input);
  assert.equal(third.created, false);
  assert.equal(third.case.reportCount, 1);
  await assert.rejects(app.services.cases.intakeFromAlert(actor, { ...input, alertId: 'alert-x', areaCode: '430524001001' }), { code: 'area.not_found' });
  await assert.rejects(app.services.cases.intakeFromAlert(actor, { ...input, alertId: '', summary: '' }), { code: 'case.invalid_alert_intake' });
  const responder = (await app.services.accounts.authenticate(await app.login('sy_responder'), null))!.actor;
  await assert.rejects(app.services.cases.intakeFromAlert(responder, { ...input, alertId: 'alert-y' }), { code: 'auth.permission_denied' });
});
