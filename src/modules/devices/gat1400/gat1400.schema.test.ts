import { test } from 'node:test';
import assert from 'node:assert/strict';
import { field, formatViidTime, parseViidTime } from './gat1400.schema.ts';

test('GA/T 1400 local times are China Standard Time', () => {
  assert.equal(parseViidTime('20260522140300')?.toISOString(), '2026-05-22T06:03:00.000Z');
  assert.equal(parseViidTime('20260101003000')?.toISOString(), '2025-12-31T16:30:00.000Z');
  assert.equal(formatViidTime(new Date('2026-05-22T06:03:00Z')), '20260522140300');
  assert.equal(parseViidTime('20260231120000'), null);
  assert.equal(parseViidTime('not a time'), null);
  assert.equal(parseViidTime('2026-05-22T06:03:00Z')?.toISOString(), '2026-05-22T06:03:00.000Z');
});

test('fields are found whatever their casing', () => {
  assert.equal(field({ FaceID: 'a' }, 'FaceID'), 'a');
  assert.equal(field({ faceID: 'b' }, 'FaceID'), 'b');
  assert.equal(field({ faceid: 'c' }, 'FaceID'), 'c');
  assert.equal(field({}, 'FaceID'), undefined);
});
