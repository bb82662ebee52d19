import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCsvLine } from './areas.import.ts';

test('CSV lines with quoted fields', () => {
  assert.deepEqual(parseCsvLine('430523100,"塘渡口镇",430523,43,4305'), ['430523100', '塘渡口镇', '430523', '43', '4305']);
  assert.deepEqual(parseCsvLine('1,"a, ""b""",2'), ['1', 'a, "b"', '2']);
  assert.deepEqual(parseCsvLine(''), ['']);
});
