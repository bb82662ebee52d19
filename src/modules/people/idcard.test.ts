import { test } from 'node:test';
import assert from 'node:assert/strict';
import { idCheckChar, makeIdNumber, parseIdNumber } from './idcard.ts';

test('the ISO 7064 MOD 11-2 check character, as on published sample numbers', () => {
  // GB 11643's own example: 11010519491231002X.
  assert.equal(idCheckChar('11010519491231002'), 'X');
  assert.equal(parseIdNumber('11010519491231002x').ok, true);
  assert.equal(parseIdNumber('110105194912310021').ok, false);
});

test('birth date, sex and area from an ID number; impossible dates refused', () => {
  const id = makeIdNumber('430523', '19850229', 13);
  assert.equal(parseIdNumber(id).ok, false, '1985 has no 29 February');
  const good = parseIdNumber(makeIdNumber('430523', '19840229', 13));
  assert.ok(good.ok);
  assert.deepEqual(good.facts, { areaCode: '430523', birthDate: '1984-02-29', birthYear: 1984, gender: 'male' });
  const f = parseIdNumber(makeIdNumber('430524', '20010101', 8));
  assert.ok(f.ok && f.facts.gender === 'female');
  assert.equal(parseIdNumber('43052319840229013').ok, false);
});
