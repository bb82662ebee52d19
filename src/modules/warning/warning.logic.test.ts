// Unit tests of the pure parts of early warning: active periods, the spatial index, rule conditions and
// validation, the alert lifecycle, the ladder's tiers and the "135" targets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alertCode, fastResponseDue, localDayBounds, onSceneTargetSeconds, startTier, tierArea, tierOfCode, transition } from './alerts.policy.ts';
import { isActive, localParts, type Period } from './periods.ts';
import { attributeHolds, fillTemplate, identityHolds, matchEvent, windowKey, type CompiledRule, type WarningEvent } from './rules.match.ts';
import { ladderSchema, ruleDefinitionSchema } from './rules.schema.ts';
import { ZoneIndex, type IndexedZone } from './zone-index.ts';
import { distanceM } from './geo.ts';
import { areasAbove } from './rules.service.ts';

const sq = (lon: number, lat: number, d: number) => ({
  type: 'Polygon' as const,
  coordinates: [[[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d], [lon - d, lat - d]] as [number, number][]],
});

function zone(id: string, extra: Partial<IndexedZone> = {}): IndexedZone {
  return { id, code: id.toUpperCase(), name: id, kind: 'key_water', riskLevel: 3, areaCode: '430523100', geometry: sq(111, 27, 0.01), periods: [], speakerIds: [], version: 1, ...extra };
}

test('local time is Asia/Shanghai (UTC+8) whatever the machine zone', () => {
  const p = localParts(new Date('2026-07-01T16:30:00.000Z'));
  assert.deepEqual(p, { date: '2026-07-02', monthDay: '07-02', minutes: 30, weekday: 4 });
});

test('active periods: seasons, hours (wrapping at midnight), weekdays, school holidays', () => {
  const summer: Period = { seasons: [{ from: '05-01', to: '10-31' }] };
  const night: Period = { hours: [{ from: '22:00', to: '06:00' }] };
  const holidays = [{ areaCode: '430523', from: '2026-07-05', to: '2026-08-31' }];
  const at = (iso: string) => new Date(iso);
  assert.equal(isActive([], at('2026-01-01T00:00:00Z'), '430523100', []), true, 'no period: always');
  assert.equal(isActive([summer], at('2026-05-22T06:00:00Z'), '430523100', []), true);
  assert.equal(isActive([summer], at('2026-11-02T06:00:00Z'), '430523100', []), false);
  assert.equal(isActive([{ seasons: [{ from: '11-01', to: '02-28' }] }], at('2026-01-15T06:00:00Z'), '430523', []), true, 'a winter season wraps');
  assert.equal(isActive([night], at('2026-05-22T15:00:00Z'), '430523', []), true, '23:00 local');
  assert.equal(isActive([night], at('2026-05-22T22:30:00Z'), '430523', []), false, '06:30 local');
  assert.equal(isActive([{ hours: [{ from: '08:00', to: '12:00' }] }], at('2026-05-22T04:00:00Z'), '430523', []), false, '12:00 is the end, exclusive');
  assert.equal(isActive([{ weekdays: [6, 7] }], at('2026-05-23T02:00:00Z'), '430523', []), true, 'Saturday');
  const inHoliday = at('2026-07-10T02:00:00Z');
  assert.equal(isActive([{ schoolHolidays: true }], inHoliday, '430523100203', holidays), true);
  assert.equal(isActive([{ schoolHolidays: true }], inHoliday, '430524001', holidays), false, 'another county has its own calendar');
  assert.equal(isActive([{ schoolHolidays: false }], inHoliday, '430523100', holidays), false);
  assert.equal(isActive([{ schoolHolidays: true, weekendsAsHoliday: true }], at('2026-05-23T02:00:00Z'), '430523', holidays), true);
  // Periods are ORed; fields within one period are ANDed.
  assert.equal(isActive([{ ...summer, ...night }], at('2026-05-22T06:00:00Z'), '430523', []), false);
  assert.equal(isActive([summer, night], at('2026-12-22T15:00:00Z'), '430523', []), true);
});

test('the zone index: bounding boxes, exact polygons, holes, updates and removals', () => {
  const idx = new ZoneIndex();
  const holed = { type: 'Polygon' as const, coordinates: [sq(112, 27, 0.01).coordinates[0]!, sq(112, 27, 0.002).coordinates[0]!] };
  idx.load([zone('a', { riskLevel: 2 }), zone('b', { geometry: sq(111.005, 27, 0.01), riskLevel: 4 }), zone('h', { geometry: holed })]);
  assert.deepEqual(idx.at(111.008, 27).map((z) => z.id), ['b', 'a'], 'highest risk first');
  assert.deepEqual(idx.at(110.992, 27).map((z) => z.id), ['a']);
  assert.deepEqual(idx.at(112, 27).map((z) => z.id), [], 'inside the hole');
  assert.deepEqual(idx.at(112.005, 27).map((z) => z.id), ['h']);
  // A triangle: inside its bounding box but outside the polygon.
  idx.upsert(zone('t', { geometry: { type: 'Polygon', coordinates: [[[113, 27], [113.01, 27], [113, 27.01], [113, 27]]] } }));
  assert.deepEqual(idx.at(113.009, 27.009).map((z) => z.id), []);
  assert.deepEqual(idx.at(113.001, 27.001).map((z) => z.id), ['t']);
  // Moving a zone moves it in the index; an older version never overwrites a newer one.
  idx.upsert(zone('a', { geometry: sq(120, 30, 0.01), version: 3 }));
  assert.deepEqual(idx.at(110.992, 27).map((z) => z.id), []);
  idx.upsert(zone('a', { version: 2 }));
  assert.deepEqual(idx.at(120, 30).map((z) => z.id), ['a']);
  idx.remove('a');
  assert.deepEqual(idx.at(120, 30), []);
  assert.deepEqual(idx.forEvent(null, null, ['B', 'nope']).map((z) => z.id), ['b'], 'zones named by code');
  assert.equal(idx.size, 3);
});

function rule(definition: unknown, areaCode = '430523'): CompiledRule {
  return { id: 'r1', name: 'r', areaCode, version: 1, definition: ruleDefinitionSchema.parse(definition) };
}
const ev = (extra: Partial<WarningEvent> = {}): WarningEvent => ({
  id: 'e1', deviceId: 'd1', kind: 'person.near_water', subsystem: 'smart_water', occurredAt: '2026-05-22T06:00:00.000Z', areaCode: '430523100',
  lon: 111, lat: 27, zones: [], attributes: {}, snapshotIds: [], ...extra,
});
const broadcast = { type: 'broadcast', text: '水边危险，请速离开' };

test('rule conditions: kind, subsystem, attributes, area, zone kind/id/risk/activity, the rule period', () => {
  const z = [zone('a'), zone('s', { kind: 'school_surroundings', riskLevel: 1 })];
  const r = rule({ trigger: { type: 'event', eventKinds: ['person.near_water'], subsystems: ['smart_water'], attributes: [{ path: 'person.age', op: 'lt', value: 18 }] }, zone: { kinds: ['key_water'] }, actions: [broadcast] });
  assert.equal(matchEvent(r, ev({ attributes: { person: { age: 12 } } }), z, []).ok, true);
  assert.deepEqual((matchEvent(r, ev({ attributes: { person: { age: 12 } } }), z, []) as { zones: IndexedZone[] }).zones.map((x) => x.id), ['a']);
  assert.equal(matchEvent(r, ev({ attributes: { person: { age: 40 } } }), z, []).ok, false);
  assert.equal(matchEvent(r, ev({ attributes: {} }), z, []).ok, false, 'a missing attribute does not compare');
  assert.equal(matchEvent(r, ev({ kind: 'intrusion', attributes: { person: { age: 12 } } }), z, []).ok, false);
  assert.equal(matchEvent(r, ev({ areaCode: '430524001', attributes: { person: { age: 12 } } }), z, []).ok, false, 'outside the rule area');
  assert.equal(matchEvent(r, ev({ attributes: { person: { age: 12 } } }), [zone('s', { kind: 'school_surroundings' })], []).ok, false);
  const risky = rule({ trigger: { type: 'event', eventKinds: ['person.near_water'] }, zone: { minRiskLevel: 4 }, actions: [broadcast] });
  assert.equal(matchEvent(risky, ev(), z, []).ok, false);
  const byId = rule({ trigger: { type: 'event', eventKinds: ['person.near_water'] }, zone: { ids: ['s'] }, actions: [broadcast] });
  assert.equal(matchEvent(byId, ev(), z, []).ok, true);
  const winterZone = [zone('w', { periods: [{ seasons: [{ from: '12-01', to: '02-28' }] }] })];
  const anyZone = rule({ trigger: { type: 'event', eventKinds: ['person.near_water'] }, zone: {}, actions: [broadcast] });
  assert.equal(matchEvent(anyZone, ev(), winterZone, []).ok, false, 'the zone is not active in May');
  const ignoreActivity = rule({ trigger: { type: 'event', eventKinds: ['person.near_water'] }, zone: { activeOnly: false }, actions: [broadcast] });
  assert.equal(matchEvent(ignoreActivity, ev(), winterZone, []).ok, true);
  const nights = rule({ trigger: { type: 'event', eventKinds: ['person.near_water'] }, activePeriods: [{ hours: [{ from: '20:00', to: '06:00' }] }], actions: [broadcast] });
  assert.equal(matchEvent(nights, ev(), [], []).ok, false, '14:00 local');
  assert.equal(matchEvent(nights, ev({ occurredAt: '2026-05-22T13:00:00.000Z' }), [], []).ok, true, '21:00 local');
  const noZone = rule({ trigger: { type: 'event', eventKinds: ['gas.alarm'] }, actions: [broadcast] });
  assert.equal(matchEvent(noZone, ev({ kind: 'gas.alarm' }), [], []).ok, true, 'no zone condition: anywhere');
});

test('a rule matches its whole subtree: city, county and town rules against a village below and a sibling county', () => {
  const def = { trigger: { type: 'event', eventKinds: ['person.near_water'] }, actions: [broadcast] };
  const village = ev({ areaCode: '430523100203' });
  const sibling = ev({ areaCode: '430524001' });
  const siblingVillage = ev({ areaCode: '430524001001' });
  // A village of the same town's county but another town.
  const otherTown = ev({ areaCode: '430523101005' });
  const province = rule(def, '430000');
  const city = rule(def, '430500');
  const county = rule(def, '430523');
  const town = rule(def, '430523100');
  for (const [name, r] of [['province', province], ['city', city], ['county', county], ['town', town]] as const) {
    assert.equal(matchEvent(r, village, [], []).ok, true, `${name} rule, village below it`);
  }
  assert.equal(matchEvent(province, siblingVillage, [], []).ok, true, 'the province covers every county');
  assert.equal(matchEvent(city, siblingVillage, [], []).ok, true, 'the city covers every county of the city');
  assert.equal(matchEvent(city, ev({ areaCode: '430600001' }), [], []).ok, false, 'another city');
  assert.deepEqual(matchEvent(county, sibling, [], []), { ok: false, reason: 'outside the rule area' }, 'sibling county');
  assert.equal(matchEvent(county, siblingVillage, [], []).ok, false, 'village of the sibling county');
  assert.equal(matchEvent(town, siblingVillage, [], []).ok, false, 'village of the sibling county');
  assert.equal(matchEvent(town, otherTown, [], []).ok, false, 'a village of another town');
  assert.equal(matchEvent(county, otherTown, [], []).ok, true, 'the county covers all its towns');
});

test('attribute operators, identity classes, window keys, templates', () => {
  const a = { gas: { ppm: '350' }, tags: 'x', on: true };
  assert.equal(attributeHolds(a, { path: 'gas.ppm', op: 'gte', value: 300 }), true, 'numeric strings compare as numbers');
  assert.equal(attributeHolds(a, { path: 'tags', op: 'in', value: ['x', 'y'] }), true);
  assert.equal(attributeHolds(a, { path: 'on', op: 'eq', value: true }), true);
  assert.equal(attributeHolds(a, { path: 'off', op: 'exists' }), false);
  assert.equal(attributeHolds(a, { path: 'tags', op: 'neq', value: 'x' }), false);
  const r = rule({ trigger: { type: 'event', eventKinds: ['person.near_water'] }, identity: { classes: ['student'] }, count: { threshold: 3, windowSeconds: 60, per: 'device' }, actions: [broadcast] });
  assert.equal(identityHolds(r, 'student'), true);
  assert.equal(identityHolds(r, 'unknown'), false);
  assert.equal(windowKey(r, ev(), []), 'device:d1');
  assert.equal(fillTemplate('{student}同学出现在{zone}附近{nope}', { student: '张三', zone: '资江' }), '张三同学出现在资江附近{nope}');
});

test('rule validation names the field that is wrong', () => {
  const bad = (d: unknown) => {
    const r = ruleDefinitionSchema.safeParse(d);
    assert.equal(r.success, false);
    return r.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };
  assert.ok(bad({ trigger: { type: 'event', eventKinds: [] }, actions: [broadcast] }).some((m) => m.startsWith('trigger.eventKinds')));
  assert.ok(bad({ trigger: { type: 'event', eventKinds: ['x'] }, actions: [] }).some((m) => m.startsWith('actions')));
  assert.ok(bad({ trigger: { type: 'event', eventKinds: ['x'] }, actions: [{ type: 'broadcast', text: 'a', repeat: 11 }] }).some((m) => m.startsWith('actions.0.repeat')));
  assert.ok(bad({ trigger: { type: 'event', eventKinds: ['x'] }, actions: [{ type: 'dispatch' }] }).some((m) => m.includes('raise_alert')));
  assert.ok(bad({ trigger: { type: 'event', eventKinds: ['x'] }, actions: [{ type: 'notify', text: 'x' }] }).some((m) => m.startsWith('actions.0.roles')));
  assert.ok(bad({ trigger: { type: 'event', eventKinds: ['x'], attributes: [{ path: 'a', op: 'gt', value: 'high' }] }, actions: [broadcast] }).some((m) => m.includes('number')));
  assert.ok(bad({ trigger: { type: 'silence', deviceKinds: ['loudspeaker'], silentForSeconds: 600 }, identity: { classes: ['student'] }, actions: [broadcast] }).some((m) => m.startsWith('trigger')));
  assert.ok(bad({ trigger: { type: 'event', eventKinds: ['x'] }, actions: [broadcast], extra: 1 }).length > 0, 'unknown keys are refused');
  const ladder = ladderSchema.safeParse({ start: 'county', steps: [{ tier: 'town', afterSeconds: 60 }] });
  assert.equal(ladder.success, false, 'a ladder only goes up');
  assert.equal(ladderSchema.safeParse({ start: 'town', steps: [{ tier: 'county', afterSeconds: 60 }, { tier: 'city', afterSeconds: 30 }] }).success, false, 'steps come in time order');
});

test('the alert lifecycle: legal moves only', () => {
  assert.equal(transition('raised', 'acknowledge'), 'acknowledged');
  assert.equal(transition('acknowledged', 'dispatch'), 'dispatched');
  assert.equal(transition('dispatched', 'on_scene'), 'on_scene');
  assert.equal(transition('on_scene', 'dispatch'), 'on_scene', 'a second responder keeps it on scene');
  assert.equal(transition('on_scene', 'close'), 'closed');
  assert.equal(transition('closed', 'comment'), 'closed');
  assert.throws(() => transition('closed', 'close'), /cannot be closed/);
  assert.throws(() => transition('acknowledged', 'acknowledge'), (e: { code?: string }) => e.code === 'alert.invalid_state');
  assert.throws(() => transition('closed', 'speak'));
});

test('tiers of the ladder and their areas; alerts never start below their own area', () => {
  assert.equal(tierArea('430523100203', 'village'), '430523100203');
  assert.equal(tierArea('430523100203', 'town'), '430523100');
  assert.equal(tierArea('430523100203', 'county'), '430523');
  assert.equal(tierArea('430523100203', 'city'), '430500');
  assert.equal(tierOfCode('430523'), 'county');
  assert.equal(tierOfCode('430523100'), 'town');
  assert.equal(startTier('430523', 'village'), 'county');
  assert.equal(startTier('430523100203', 'town'), 'town');
});

test('"135": 1 minute to answer; 3 minutes on scene in the core city (districts), 5 elsewhere', () => {
  assert.equal(onSceneTargetSeconds('430502001'), 180, '双清区 is a district');
  assert.equal(onSceneTargetSeconds('430511'), 180, '北塔区');
  assert.equal(onSceneTargetSeconds('430523100'), 300, '邵阳县');
  assert.equal(onSceneTargetSeconds('430581'), 300, '武冈市, a county-level city');
  const due = fastResponseDue('430523100', new Date('2026-05-22T06:00:00.000Z'));
  assert.equal(due.answerDueAt.toISOString(), '2026-05-22T06:01:00.000Z');
  assert.equal(due.onSceneDueAt.toISOString(), '2026-05-22T06:05:00.000Z');
});

test('alert codes and the local day', () => {
  assert.equal(alertCode('430523100203', new Date('2026-05-22T17:00:00.000Z'), 7), 'YJ430523-20260523-0007', 'after 16:00 UTC it is the next day in Shaoyang');
  assert.deepEqual(localDayBounds(new Date('2026-05-22T17:00:00.000Z')), { from: '2026-05-22T16:00:00.000Z', to: '2026-05-23T16:00:00.000Z' });
  const d = distanceM(111.27, 26.99, 111.28, 26.99);
  assert.ok(d > 980 && d < 1000, String(d));
});

test('the areas above a scope, whose rules apply in it', () => {
  assert.deepEqual(areasAbove('430523'), ['430500', '430000']);
  assert.deepEqual(areasAbove('430523100203'), ['430523100', '430523', '430500', '430000']);
  assert.deepEqual(areasAbove('4305'), ['430000']);
  assert.deepEqual(areasAbove(''), []);
});
