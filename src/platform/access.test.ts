import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inScope, scopePrefix, assertInScope } from './access.ts';
import { ancestorsOf, levelOf } from '../modules/areas/areas.service.ts';
import { prefixPattern, escapeLike } from './db/dialect.ts';

test('scope prefixes follow the code hierarchy', () => {
  assert.equal(scopePrefix('430000'), '43');
  assert.equal(scopePrefix('430500'), '4305');
  assert.equal(scopePrefix('430523'), '430523');
  assert.equal(scopePrefix('430523100'), '430523100');
  assert.equal(scopePrefix('430523100203'), '430523100203');
  assert.equal(scopePrefix(''), '');
});

test('inScope: a county sees itself and below, not its neighbour or its city', () => {
  const op = { scope: scopePrefix('430523') };
  assert.ok(inScope(op, '430523'));
  assert.ok(inScope(op, '430523100203'));
  assert.ok(!inScope(op, '430524'));
  assert.ok(!inScope(op, '430524001001'));
  assert.ok(!inScope(op, '430500'));
  assert.ok(!inScope(op, null));
  assert.ok(inScope({ scope: '4305' }, '430500'));
  assert.throws(() => assertInScope(op, '430524', 'area', '430524'), { code: 'area.not_found' });
});

test('ancestors and levels are derived from the code', () => {
  assert.deepEqual(ancestorsOf('430523100203'), ['430000', '430500', '430523', '430523100']);
  assert.deepEqual(ancestorsOf('430523'), ['430000', '430500']);
  assert.deepEqual(ancestorsOf('430500'), ['430000']);
  assert.deepEqual(ancestorsOf('430000'), []);
  assert.deepEqual(ancestorsOf('430523100203001'), ['430000', '430500', '430523', '430523100', '430523100203']);
  assert.equal(levelOf('430000'), 'province');
  assert.equal(levelOf('430500'), 'city');
  assert.equal(levelOf('430582'), 'county');
  assert.equal(levelOf('430523100'), 'town');
  assert.equal(levelOf('430523100203'), 'village');
  assert.equal(levelOf('430523100203001'), 'grid');
});

test('a scope pattern can never carry a wildcard', () => {
  assert.equal(prefixPattern('430523'), '430523%');
  assert.equal(prefixPattern(''), '%');
  assert.throws(() => prefixPattern('4305%'));
  assert.throws(() => prefixPattern('43_5'));
  assert.equal(escapeLike('a_b%c\\'), 'a\\_b\\%c\\\\');
});
