// Geometry helpers: GeoJSON zone polygons (validated), their bounding boxes, and distances on the sphere.
import { z } from 'zod';

const position = z.tuple([z.number().min(-180).max(180), z.number().min(-90).max(90)]);
const ring = z
  .array(position)
  .min(4, 'a ring needs at least 4 positions')
  .max(5000)
  .refine((r) => {
    const a = r[0];
    const b = r[r.length - 1];
    return !!a && !!b && a[0] === b[0] && a[1] === b[1];
  }, 'a ring must be closed (first position = last position)');

export const polygonSchema = z.object({ type: z.literal('Polygon'), coordinates: z.array(ring).min(1).max(50) });
export const multiPolygonSchema = z.object({ type: z.literal('MultiPolygon'), coordinates: z.array(z.array(ring).min(1).max(50)).min(1).max(100) });
export const zoneGeometrySchema = z.discriminatedUnion('type', [polygonSchema, multiPolygonSchema]);
export type ZoneGeometry = z.infer<typeof zoneGeometrySchema>;

export interface BBox {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

export function bboxOf(g: ZoneGeometry): BBox {
  const box = { minX: Infinity, minY: Infinity, maxX: -Infinity, maxY: -Infinity };
  const polygons = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  for (const poly of polygons) {
    for (const [x, y] of poly[0] ?? []) {
      if (x < box.minX) box.minX = x;
      if (y < box.minY) box.minY = y;
      if (x > box.maxX) box.maxX = x;
      if (y > box.maxY) box.maxY = y;
    }
  }
  return box;
}

/** The centre of the bounding box: good enough to place a zone's marker on the map and to find its area. */
export function centreOf(g: ZoneGeometry): [number, number] {
  const b = bboxOf(g);
  return [(b.minX + b.maxX) / 2, (b.minY + b.maxY) / 2];
}

const R = 6371008.8;
const rad = (d: number) => (d * Math.PI) / 180;

/** Great-circle distance in metres. */
export function distanceM(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const dLat = rad(lat2 - lat1);
  const dLon = rad(lon2 - lon1);
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(rad(lat1)) * Math.cos(rad(lat2)) * Math.sin(dLon / 2) ** 2;
  return 2 * R * Math.asin(Math.min(1, Math.sqrt(a)));
}
