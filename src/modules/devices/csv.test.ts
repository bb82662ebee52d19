import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCsv, toCsv } from './csv.ts';

test('CSV: quotes, doubled quotes, CRLF, BOM and blank lines', () => {
  const text = '\ufeffcode,name,address\r\nA1,"球机, 东门","说 ""你好"""\r\n\r\nA2,喇叭,\nA3,"多\n行",x';
  assert.deepEqual(parseCsv(text), [
    ['code', 'name', 'address'],
    ['A1', '球机, 东门', '说 "你好"'],
    ['A2', '喇叭', ''],
    ['A3', '多\n行', 'x'],
  ]);
});

test('CSV: tab-separated files are read too', () => {
  assert.deepEqual(parseCsv('a\tb\n1\t2\n'), [['a', 'b'], ['1', '2']]);
});

test('CSV: what toCsv writes, parseCsv reads back', () => {
  const rows = [['code', 'text'], ['X', 'a,"b"\nc'], ['Y', '']];
  assert.deepEqual(parseCsv(toCsv(rows)), rows);
});
