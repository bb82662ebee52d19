import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rank, rankingRulesSchema, scoreItem } from './indicators.ranking.ts';

test('rank → points with ties sharing the better rank', () => {
  assert.deepEqual(scoreItem([5, 3, 3, null, 9], { kind: 'rank_points', points: [100, 90, 80] }, true), [80, 100, 100, null, 80]);
});

test('ratio to the best, both directions, and deductions per unit', () => {
  assert.deepEqual(scoreItem([2, 4, 0], { kind: 'ratio_to_best' }, true), [0, 0, 100]);
  assert.deepEqual(scoreItem([2, 4, 8], { kind: 'ratio_to_best' }, true), [100, 50, 25]);
  assert.deepEqual(scoreItem([2, 4, 8], { kind: 'ratio_to_best' }, false), [25, 50, 100]);
  assert.deepEqual(scoreItem([3, 30, null], { kind: 'deduction', perUnit: 5 }, true), [85, 0, null]);
});

test('weighted total, veto to zero, and a stable order', () => {
  const rules = rankingRulesSchema.parse({
    items: [
      { indicatorId: 'a', weight: 60, measure: 'yoy_pct', rule: { kind: 'rank_points', points: [100, 90, 80] } },
      { indicatorId: 'b', weight: 40, measure: 'value', rule: { kind: 'deduction', perUnit: 10 } },
    ],
    vetoes: [{ indicatorId: 'h', above: 0, label: '发生命案' }],
  });
  const out = rank(rules, [true, true], [
    { areaCode: '430523', items: [-40, 1], vetoes: [0] },
    { areaCode: '430524', items: [-50, 2], vetoes: [1] },
    { areaCode: '430525', items: [-10, 0], vetoes: [null] },
  ]);
  assert.deepEqual(out.map((x) => [x.areaCode, x.rank, x.total, x.vetoed]), [
    ['430523', 1, 90, []],
    ['430525', 2, 88, []],
    ['430524', 3, 0, ['发生命案']],
  ]);
  assert.deepEqual(rank(rules, [true, true], [{ areaCode: '1', items: [1, 1], vetoes: [0] }, { areaCode: '2', items: [1, 1], vetoes: [0] }]).map((x) => x.rank), [1, 1]);
});
