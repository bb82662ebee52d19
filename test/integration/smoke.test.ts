import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp } from '../helpers/app.ts';
test('smoke', async () => {
  const app = await createTestApp();
  const t = await app.login('sy_operator');
  const r = await app.request('GET', '/api/areas/430523', { token: t });
  assert.equal(r.status, 200);
  await app.close();
});
