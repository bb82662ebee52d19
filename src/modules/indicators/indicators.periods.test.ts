import { test } from 'node:test';
import assert from 'node:assert/strict';
import { elapsedFraction, monthShares, resolvePeriod, samePeriodLastYear } from './indicators.periods.ts';

// 2026-05-22 01:00 in Shanghai is still 2026-05-21 in UTC: periods follow the local date.
const now = new Date('2026-05-21T17:00:00.000Z');

test('relative periods resolve to absolute keys in Asia/Shanghai', () => {
  assert.equal(resolvePeriod('ytd', now).key, 'ytd:2026-05-22');
  assert.equal(resolvePeriod('this_year', now).key, 'year:2026');
  assert.equal(resolvePeriod('this_quarter', now).key, 'quarter:2026-Q2');
  assert.equal(resolvePeriod('last_month', now).key, 'month:2026-04');
  const r12 = resolvePeriod('last_12_months', now);
  assert.deepEqual([r12.from, r12.to], ['2025-06-01', '2026-05-23']);
  assert.equal(resolvePeriod('last_month', new Date('2026-01-10T00:00:00Z')).key, 'month:2025-12');
});

test('the same period last year, including 29 February', () => {
  assert.equal(samePeriodLastYear(resolvePeriod('ytd:2026-05-22', now)).key, 'ytd:2025-05-22');
  assert.equal(samePeriodLastYear(resolvePeriod('ytd:2024-02-29', now)).key, 'ytd:2023-02-28');
  assert.equal(samePeriodLastYear(resolvePeriod('quarter:2026-Q1', now)).key, 'quarter:2025-Q1');
  const m = samePeriodLastYear(resolvePeriod('month:2026-03', now));
  assert.deepEqual([m.from, m.to], ['2025-03-01', '2025-04-01']);
});

test('bad period keys are refused naming the field', () => {
  for (const k of ['month:2026-13', 'ytd:2026-02-30', 'week:1', '']) {
    assert.throws(() => resolvePeriod(k, now, 'period'), (e: { details?: { issues: { field: string }[] } }) => e.details?.issues[0]?.field === 'period');
  }
});

test('monthly figures count by their share of the period; the current month as month-to-date', () => {
  const ytd = monthShares(resolvePeriod('ytd', now), now);
  assert.deepEqual(ytd.map((x) => x.month), ['2026-01', '2026-02', '2026-03', '2026-04', '2026-05']);
  assert.ok(ytd.every((x) => x.share === 1));
  const lastYear = monthShares(samePeriodLastYear(resolvePeriod('ytd', now)), now);
  assert.equal(lastYear.length, 5);
  assert.equal(lastYear[4]!.share, 22 / 31);
  assert.equal(elapsedFraction(resolvePeriod('this_year', now), now), (31 + 28 + 31 + 30 + 22) / 365);
  assert.equal(elapsedFraction(resolvePeriod('year:2025', now), now), 1);
});
