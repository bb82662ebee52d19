// Placement of region labels on the scope map. ECharts prints a region's name at its `cp` (centre point).
// Small neighbouring regions (a city's urban districts are a few pixels wide at city zoom) would have their names
// printed on top of each other: their centre points are re-arranged into a short north-to-south column over their
// cluster, so each name stays readable and near its region. Positions are in map degrees, so they follow zoom.
import type { BoundaryCollection } from './types';

interface Box {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

function extend(box: Box, coords: unknown): void {
  if (!Array.isArray(coords)) return;
  if (typeof coords[0] === 'number' && typeof coords[1] === 'number') {
    const x = coords[0];
    const y = coords[1];
    box.minX = Math.min(box.minX, x);
    box.maxX = Math.max(box.maxX, x);
    box.minY = Math.min(box.minY, y);
    box.maxY = Math.max(box.maxY, y);
    return;
  }
  for (const c of coords) extend(box, c);
}

function boxOf(geometry: unknown): Box | null {
  const box: Box = { minX: Infinity, minY: Infinity, maxX: -Infinity, maxY: -Infinity };
  extend(box, (geometry as { coordinates?: unknown } | null)?.coordinates);
  return Number.isFinite(box.minX) ? box : null;
}

interface Anchor {
  index: number;
  x: number;
  y: number;
}

/** Groups anchors that lie within `reach` of each other (single linkage). */
function clusters(points: Anchor[], reach: number): Anchor[][] {
  const groups: Anchor[][] = [];
  for (const p of points) {
    const near = groups.filter((g) => g.some((q) => Math.hypot(q.x - p.x, q.y - p.y) <= reach));
    const merged = near.flat();
    merged.push(p);
    for (const g of near) groups.splice(groups.indexOf(g), 1);
    groups.push(merged);
  }
  return groups;
}

/**
 * A copy of the collection in which the centre points of small, crowded regions are spread into a column.
 * `smallShare`: a region is small when its larger side is under this share of the whole map's larger side;
 * `lineShare`: the distance between two names of a column, as a share of the whole map's larger side.
 */
export function spreadSmallLabels(geojson: BoundaryCollection, smallShare = 0.12, lineShare = 0.03): BoundaryCollection {
  const boxes = geojson.features.map((f) => boxOf(f.geometry));
  const all: Box = { minX: Infinity, minY: Infinity, maxX: -Infinity, maxY: -Infinity };
  for (const b of boxes) if (b) extend(all, [[b.minX, b.minY], [b.maxX, b.maxY]]);
  if (!Number.isFinite(all.minX) || geojson.features.length < 3) return geojson;
  const span = Math.max(all.maxX - all.minX, all.maxY - all.minY);

  const small: Anchor[] = [];
  boxes.forEach((b, index) => {
    if (!b || Math.max(b.maxX - b.minX, b.maxY - b.minY) >= span * smallShare) return;
    const cp = geojson.features[index]?.properties.cp;
    small.push({ index, x: cp?.[0] ?? (b.minX + b.maxX) / 2, y: cp?.[1] ?? (b.minY + b.maxY) / 2 });
  });

  const moved = new Map<number, [number, number] | null>();
  const line = span * lineShare;
  for (const group of clusters(small, span * smallShare)) {
    if (group.length < 2) continue;
    const cx = group.reduce((s, p) => s + p.x, 0) / group.length;
    const cy = group.reduce((s, p) => s + p.y, 0) / group.length;
    group
      .sort((a, b) => b.y - a.y) // north first
      .forEach((p, i) => moved.set(p.index, [cx, cy + ((group.length - 1) / 2 - i) * line]));
    // A larger neighbour whose given centre point sits by the column gets its label at its polygon's own centre.
    const reach = line * (group.length / 2 + 1.5);
    geojson.features.forEach((f, i) => {
      const cp = f.properties.cp;
      if (!moved.has(i) && cp && Math.abs(cp[0] - cx) < reach * 1.5 && Math.abs(cp[1] - cy) < reach) moved.set(i, null);
    });
  }
  if (moved.size === 0) return geojson;
  return {
    ...geojson,
    features: geojson.features.map((f, i) => {
      if (!moved.has(i)) return f;
      return { ...f, properties: { ...f.properties, cp: moved.get(i) ?? null } };
    }),
  };
}
