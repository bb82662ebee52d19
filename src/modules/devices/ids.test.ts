import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newTimeOrderedId } from './ids.ts';

test('time-ordered ids are UUID v7, unique and increasing, also within one millisecond', () => {
  const ids = Array.from({ length: 5000 }, () => newTimeOrderedId(1_780_000_000_000));
  assert.match(ids[0]!, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(new Set(ids).size, ids.length);
  assert.deepEqual([...ids].sort(), ids);
  const later = newTimeOrderedId(1_780_000_000_100);
  assert.ok(later > ids[ids.length - 1]!);
  assert.ok(later.startsWith((1_780_000_000_100).toString(16).padStart(12, '0').slice(0, 8)));
});

test('a new millisecond draws new random bits', () => {
  const a = newTimeOrderedId(1_790_000_000_000);
  const b = newTimeOrderedId(1_790_000_000_001);
  assert.notEqual(a.slice(19), b.slice(19));
  assert.ok(b > a);
});
