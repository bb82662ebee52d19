// Unit tests of the recovery position: id prefixes sort with the time-ordered ids of device events, and the position
// stays the lag behind the oldest event in evaluation (or behind now), and at the replay's progress while it runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Platform } from '../../platform/context.ts';
import { newTimeOrderedId } from '../devices/ids.ts';
import { EvaluationCursor, positionAt, timeOfId } from './recovery.ts';

/** A time-ordered id taken at `ms` (the ingest's own generator keeps its ids increasing, whatever time it is given). */
const idAt = (ms: number, rest = '7000-8000-000000000000') => `${positionAt(ms)}-${rest}`;

test('a position sorts before every id taken at or after its time, and after every id taken before', () => {
  const t = Date.parse('2026-11-28T08:00:00.000Z');
  const p = positionAt(t);
  assert.equal(p.length, 13);
  assert.ok(idAt(t - 1, '7fff-bfff-ffffffffffff') < p);
  assert.ok(p < idAt(t) && p < idAt(t + 1));
  assert.equal(timeOfId(idAt(t + 1000)), t + 1000);
  const now = Date.now();
  const live = newTimeOrderedId(now);
  assert.ok(Math.abs(timeOfId(live)! - now) < 1000, 'the ingest\'s ids carry their time');
  assert.ok(positionAt(now - 1000) < live);
  assert.equal(timeOfId('not-a-uuid-v7'), null);
});

test('the position: the lag behind the oldest event in evaluation, or behind now; the replay holds it back', () => {
  const cursor = new EvaluationCursor({} as Platform, 'rules:test', 30_000);
  const now = Date.parse('2026-11-28T08:00:00.000Z');
  assert.equal(cursor.position(now), positionAt(now - 30_000), 'nothing in evaluation');
  const old = idAt(now - 5_000);
  const young = idAt(now - 1_000);
  assert.equal(cursor.begin(young), true);
  assert.equal(cursor.begin(old), true);
  assert.equal(cursor.begin(old), false, 'an event is evaluated once at a time');
  assert.equal(cursor.position(now), positionAt(now - 35_000), 'held by the oldest in evaluation');
  cursor.end(old);
  assert.equal(cursor.position(now), positionAt(now - 31_000));
  cursor.end(young);
  const replaying = idAt(now - 3_600_000);
  cursor.replayedUpTo(replaying);
  assert.equal(cursor.position(now), replaying, 'the replay has not got further');
  cursor.replayedUpTo(null);
  assert.equal(cursor.position(now), positionAt(now - 30_000));
});
