import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inShape, locate, pointIn, shapeOf } from './geo.ts';

const square = (x: number, y: number, s: number) => [[[x, y], [x + s, y], [x + s, y + s], [x, y + s], [x, y]]] as [number, number][][];

test('a point is located in the deepest area whose polygon contains it', () => {
  const county = shapeOf('430523', { type: 'Polygon', coordinates: square(0, 0, 10) })!;
  const town = shapeOf('430523100', { type: 'Polygon', coordinates: square(2, 2, 2) })!;
  const other = shapeOf('430524', { type: 'MultiPolygon', coordinates: [square(20, 0, 5), square(30, 0, 5)] })!;
  assert.equal(locate(3, 3, [county, town, other]), '430523100');
  assert.equal(locate(8, 8, [county, town, other]), '430523');
  assert.equal(locate(32, 1, [county, town, other]), '430524');
  assert.equal(locate(15, 1, [county, town, other]), null);
});

test('holes are outside', () => {
  const withHole = shapeOf('1', { type: 'Polygon', coordinates: [...square(0, 0, 10), ...square(4, 4, 2)] })!;
  assert.equal(inShape(1, 1, withHole), true);
  assert.equal(inShape(5, 5, withHole), false);
});

test('non-polygon geometries give no shape; generated points fall inside', () => {
  assert.equal(shapeOf('1', { type: 'Point', coordinates: [1, 2] }), null);
  const s = shapeOf('1', { type: 'Polygon', coordinates: [[[0, 0], [10, 0], [0, 10], [0, 0]]] })!;
  let seed = 1;
  const rand = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
  for (let i = 0; i < 50; i++) {
    const [x, y] = pointIn(s, rand);
    assert.ok(inShape(x, y, s), `${x},${y}`);
  }
});
