import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FaceIndex } from './face.index.ts';

function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
  };
}
const randomVector = (r: () => number, dim: number) => Float32Array.from({ length: dim }, r);
/** A vector at cosine ≈ `cos` from v (v plus orthogonal-ish noise). */
function near(v: Float32Array, r: () => number, cos: number): Float32Array {
  const noise = randomVector(r, v.length);
  const nv = Math.hypot(...v);
  const nn = Math.hypot(...noise);
  const w = Math.sqrt(1 - cos * cos) / cos;
  return v.map((x, i) => x / nv + (w * noise[i]!) / nn);
}

test('a small library is searched exactly; scores are cosine similarities', () => {
  const idx = new FaceIndex(8);
  idx.add('f1', 's1', [1, 0, 0, 0, 0, 0, 0, 0]);
  idx.add('f2', 's2', [0, 2, 0, 0, 0, 0, 0, 0]);
  idx.add('f3', 's3', [1, 1, 0, 0, 0, 0, 0, 0]);
  const [hit] = idx.search([3, 0.1, 0, 0, 0, 0, 0, 0]);
  assert.equal(hit!.studentId, 's1');
  assert.ok(Math.abs(hit!.score - 3 / Math.hypot(3, 0.1)) < 1e-6);
  const top2 = idx.search([1, 1, 0, 0, 0, 0, 0, 0], 2);
  assert.deepEqual(top2.map((h) => h.faceId), ['f3', top2[1]!.faceId]);
  assert.ok(Math.abs(top2[0]!.score - 1) < 1e-6);
  assert.throws(() => idx.add('bad', 's', [1, 2]), /8 values/);
  assert.throws(() => idx.add('zero', 's', new Array(8).fill(0)), /not all zero/);
});

test('removal moves the last face into the freed slot and keeps every other face findable', () => {
  const r = rng(1);
  const idx = new FaceIndex(64, 16);
  const vs = Array.from({ length: 300 }, () => randomVector(r, 64));
  vs.forEach((v, i) => idx.add(`f${i}`, `s${i}`, v));
  assert.equal(idx.size, 300);
  assert.ok(idx.remove('f10'));
  assert.ok(!idx.remove('f10'));
  assert.equal(idx.size, 299);
  assert.ok(!idx.has('f10'));
  for (const i of [0, 11, 150, 299]) assert.equal(idx.search(vs[i]!)[0]!.faceId, `f${i}`);
  assert.notEqual(idx.search(vs[10]!)[0]!.faceId, 'f10');
  idx.add('f0', 's0-new', vs[5]!);
  assert.equal(idx.size, 299, 'adding an existing face id replaces it');
  assert.equal(idx.search(vs[5]!, 2).filter((h) => h.score > 0.999).length, 2);
});

test('two-stage search finds planted neighbours among many random faces (1,024 dimensions)', () => {
  const r = rng(7);
  const dim = 1024;
  const idx = new FaceIndex(dim);
  const n = 20_000;
  const planted: Float32Array[] = [];
  for (let i = 0; i < n; i++) {
    const v = randomVector(r, dim);
    if (i % 1000 === 0) planted.push(v);
    idx.add(`f${i}`, `s${i}`, v);
  }
  let found = 0;
  for (const [j, v] of planted.entries()) {
    const [hit] = idx.search(near(v, r, 0.7));
    if (hit?.faceId === `f${j * 1000}`) found++;
    assert.ok(!hit || hit.score <= 1.0001);
  }
  assert.equal(found, planted.length, `recall ${found}/${planted.length}`);
  const [stranger] = idx.search(randomVector(r, dim));
  assert.ok(stranger!.score < 0.3, `a stranger scores low: ${stranger!.score}`);
});
