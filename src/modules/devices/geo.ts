// Point-in-polygon over GeoJSON boundaries, to derive a device's area from its position. Pure functions; the
// boundaries come from the areas module (county polygons in the demo; deeper levels where a deployment has them).

export type Ring = [number, number][];
export type PolygonCoords = Ring[];

export interface Shape {
  code: string;
  bbox: [number, number, number, number];
  polygons: PolygonCoords[];
}

/** Polygons of a GeoJSON Polygon or MultiPolygon geometry; anything else gives none. */
export function polygonsOf(geometry: unknown): PolygonCoords[] {
  const g = geometry as { type?: string; coordinates?: unknown } | null;
  if (!g || !Array.isArray(g.coordinates)) return [];
  if (g.type === 'Polygon') return [g.coordinates as PolygonCoords];
  if (g.type === 'MultiPolygon') return g.coordinates as PolygonCoords[];
  return [];
}

export function shapeOf(code: string, geometry: unknown): Shape | null {
  const polygons = polygonsOf(geometry);
  if (polygons.length === 0) return null;
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const poly of polygons) {
    for (const [x, y] of poly[0] ?? []) {
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
  }
  return { code, bbox: [minX, minY, maxX, maxY], polygons };
}

/** Even-odd ray casting; a point inside a hole is outside. */
export function inRing(lon: number, lat: number, ring: Ring): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]!;
    const [xj, yj] = ring[j]!;
    if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

export function inShape(lon: number, lat: number, shape: Shape): boolean {
  const [minX, minY, maxX, maxY] = shape.bbox;
  if (lon < minX || lon > maxX || lat < minY || lat > maxY) return false;
  for (const poly of shape.polygons) {
    const [outer, ...holes] = poly;
    if (outer && inRing(lon, lat, outer) && !holes.some((h) => inRing(lon, lat, h))) return true;
  }
  return false;
}

/** The deepest (longest code) shape containing the point, or null. */
export function locate(lon: number, lat: number, shapes: readonly Shape[]): string | null {
  let best: string | null = null;
  for (const s of shapes) {
    if ((best === null || s.code.length > best.length) && inShape(lon, lat, s)) best = s.code;
  }
  return best;
}

/** A deterministic pseudo-random point inside a shape (demo data), from a seed in [0, 1). */
export function pointIn(shape: Shape, rand: () => number): [number, number] {
  const [minX, minY, maxX, maxY] = shape.bbox;
  for (let i = 0; i < 1000; i++) {
    const lon = minX + (maxX - minX) * rand();
    const lat = minY + (maxY - minY) * rand();
    if (inShape(lon, lat, shape)) return [round6(lon), round6(lat)];
  }
  return [round6((minX + maxX) / 2), round6((minY + maxY) / 2)];
}

function round6(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}
