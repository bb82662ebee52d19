import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  caseCode,
  centreAreasFor,
  centreLevelOf,
  codeSeries,
  deadlineDays,
  escalatedDeadlineDays,
  levelAbove,
  nextState,
  pickMediator,
  reminderAt,
  shanghaiDay,
  targetLevel,
  type MediatorCandidate,
} from './cases.policy.ts';
import { childCodeLength } from './cases.figures.ts';

test('the closed loop: each action moves the case from the states it is allowed in', () => {
  assert.equal(nextState('accepted', 'assign'), 'assigned');
  assert.equal(nextState('assigned', 'assign'), 'assigned');
  assert.equal(nextState('assigned', 'sign'), 'mediating');
  assert.equal(nextState('assigned', 'return'), 'accepted');
  assert.equal(nextState('mediating', 'return'), 'accepted');
  assert.equal(nextState('mediating', 'session'), 'mediating');
  assert.equal(nextState('mediating', 'conclude', { outcome: 'agreement' }), 'concluded');
  assert.equal(nextState('concluded', 'follow_up'), 'followed_up');
  assert.equal(nextState('followed_up', 'rate'), 'rated');
  assert.equal(nextState('mediating', 'escalate'), 'accepted');
});

test('illegal transitions are refused with the state and where the action is allowed', () => {
  assert.throws(() => nextState('accepted', 'sign'), (e: { code: string; kind: string; details: { allowedFrom: string[] } }) => {
    assert.equal(e.code, 'case.illegal_transition');
    assert.equal(e.kind, 'invalid_state');
    assert.deepEqual(e.details.allowedFrom, ['assigned']);
    return true;
  });
  assert.throws(() => nextState('rated', 'rate'), { code: 'case.illegal_transition' });
  assert.throws(() => nextState('concluded', 'rate'), { code: 'case.illegal_transition' });
  assert.throws(() => nextState('accepted', 'conclude', { outcome: 'agreement' }), { code: 'case.illegal_transition' });
  assert.throws(() => nextState('concluded', 'escalate'), { code: 'case.illegal_transition' });
  assert.throws(() => nextState('accepted', 'return'), { code: 'case.illegal_transition' });
  // A withdrawal may close a case nobody signed for yet.
  assert.equal(nextState('accepted', 'conclude', { outcome: 'withdrawn' }), 'concluded');
  assert.throws(() => nextState('rated', 'conclude', { outcome: 'withdrawn' }), { code: 'case.illegal_transition' });
});

test('deadlines by type and risk: a month for people\'s mediation, 15 days for wages, 10 for traffic, halved when high-risk', () => {
  assert.equal(deadlineDays('neighbour', 'low'), 30);
  assert.equal(deadlineDays('neighbour', 'medium'), 30);
  assert.equal(deadlineDays('neighbour', 'high'), 15);
  assert.equal(deadlineDays('wages', 'low'), 15);
  assert.equal(deadlineDays('wages', 'high'), 8);
  assert.equal(deadlineDays('traffic', 'high'), 5);
  assert.equal(escalatedDeadlineDays('neighbour', 'low'), 15);
  assert.equal(escalatedDeadlineDays('traffic', 'high'), 5);
  const deadline = new Date('2026-06-21T06:00:00.000Z');
  assert.equal(reminderAt(deadline, 30).toISOString(), '2026-06-18T06:00:00.000Z');
  assert.equal(reminderAt(deadline, 5).toISOString(), '2026-06-20T06:00:00.000Z');
});

test('routing: ordinary disputes at the town, high-risk and mass economic ones at the county; centres up the tree', () => {
  assert.equal(targetLevel('neighbour', 'low'), 'town');
  assert.equal(targetLevel('neighbour', 'high'), 'county');
  assert.equal(targetLevel('mass_economic', 'low'), 'county');
  assert.deepEqual(centreAreasFor('430523100203', 'town'), [
    { level: 'town', areaCode: '430523100' },
    { level: 'county', areaCode: '430523' },
    { level: 'city', areaCode: '430500' },
  ]);
  assert.deepEqual(centreAreasFor('430523100203', 'county').map((c) => c.areaCode), ['430523', '430500']);
  assert.deepEqual(centreAreasFor('430523', 'town').map((c) => c.areaCode), ['430523', '430500']);
  assert.equal(levelAbove('town'), 'county');
  assert.equal(levelAbove('county'), 'city');
  assert.equal(levelAbove('city'), null);
  assert.equal(centreLevelOf('430500'), 'city');
  assert.equal(centreLevelOf('430523'), 'county');
  assert.equal(centreLevelOf('430523100'), 'town');
  assert.equal(centreLevelOf('430523100203'), null);
  assert.equal(centreLevelOf('430000'), null);
});

const m = (id: string, over: Partial<MediatorCandidate> = {}): MediatorCandidate => ({
  id, name: id, areaCode: '430523100', specialities: [], capacity: 5, load: 0, active: true, userScope: null, ...over,
});

test('a mediator with capacity: speciality first, then the village\'s backpack mediator, then the lightest load', () => {
  const c = { type: 'wages' as const, areaCode: '430523100203' };
  const backpack = m('backpack', { areaCode: '430523100203' });
  const specialist = m('specialist', { specialities: ['wages'], load: 4 });
  const idle = m('idle');
  assert.equal(pickMediator([idle, backpack, specialist], c)?.id, 'specialist');
  assert.equal(pickMediator([idle, backpack], c)?.id, 'backpack');
  assert.equal(pickMediator([m('busy', { load: 3 }), m('free', { load: 1 })], c)?.id, 'free');
  // Relative load: 2 of 10 is lighter than 1 of 2.
  assert.equal(pickMediator([m('small', { capacity: 2, load: 1 }), m('large', { capacity: 10, load: 2 })], c)?.id, 'large');
  // Full, inactive, returned it, or cannot see the village: not picked.
  assert.equal(pickMediator([m('full', { load: 5 })], c), null);
  assert.equal(pickMediator([m('off', { active: false })], c), null);
  assert.equal(pickMediator([idle], c, new Set(['idle'])), null);
  assert.equal(pickMediator([m('other-village', { userScope: '430523100205' })], c), null);
  assert.equal(pickMediator([m('town-account', { userScope: '430523100' })], c)?.id, 'town-account');
});

test('case codes: county of the dispute, Shanghai day of intake, a 4-digit serial', () => {
  // 17:30 UTC on 21 May is already 22 May in Shanghai.
  const at = new Date('2026-05-21T17:30:00.000Z');
  assert.equal(shanghaiDay(at), '2026-05-22');
  assert.equal(codeSeries('430523100203', at), 'MJ430523-20260522');
  assert.equal(caseCode('MJ430523-20260522', 1), 'MJ430523-20260522-0001');
  assert.equal(caseCode('MJ430523-20260522', 12345), 'MJ430523-20260522-12345');
});

test('figures by area group one level below the scope', () => {
  assert.equal(childCodeLength('4305'), 6);
  assert.equal(childCodeLength('430523'), 9);
  assert.equal(childCodeLength('430523100'), 12);
  assert.equal(childCodeLength(''), 4);
});
