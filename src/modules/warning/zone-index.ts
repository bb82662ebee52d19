// The event → zones look-up, in memory: an R-tree of the zones' bounding boxes narrows the candidates, then an
// exact point-in-polygon test decides. Kept in step with edits by the zones service (and, on other nodes, by the
// `zone.changed` bus event); each entry carries the zone's version so that a late, older update never wins.
import RBush from 'rbush';
import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import { bboxOf, type BBox, type ZoneGeometry } from './geo.ts';
import type { Period } from './periods.ts';

export interface IndexedZone {
  id: string;
  code: string;
  name: string;
  kind: string;
  riskLevel: number;
  areaCode: string;
  geometry: ZoneGeometry;
  periods: Period[];
  speakerIds: string[];
  version: number;
}

interface Entry extends BBox {
  zone: IndexedZone;
}

export class ZoneIndex {
  private readonly tree = new RBush<Entry>();
  private readonly byId = new Map<string, Entry>();
  private readonly byCode = new Map<string, IndexedZone>();

  get size(): number {
    return this.byId.size;
  }

  load(zones: readonly IndexedZone[]): void {
    this.tree.clear();
    this.byId.clear();
    this.byCode.clear();
    const entries = zones.map((zone) => ({ ...bboxOf(zone.geometry), zone }));
    this.tree.load(entries);
    for (const e of entries) {
      this.byId.set(e.zone.id, e);
      this.byCode.set(e.zone.code, e.zone);
    }
  }

  /** Adds or replaces a zone; an update older than what the index holds is ignored. */
  upsert(zone: IndexedZone): void {
    const old = this.byId.get(zone.id);
    if (old && old.zone.version > zone.version) return;
    if (old) {
      this.tree.remove(old);
      this.byCode.delete(old.zone.code);
    }
    const entry = { ...bboxOf(zone.geometry), zone };
    this.tree.insert(entry);
    this.byId.set(zone.id, entry);
    this.byCode.set(zone.code, zone);
  }

  remove(id: string): void {
    const old = this.byId.get(id);
    if (!old) return;
    this.tree.remove(old);
    this.byId.delete(id);
    this.byCode.delete(old.zone.code);
  }

  get(id: string): IndexedZone | undefined {
    return this.byId.get(id)?.zone;
  }

  getByCode(code: string): IndexedZone | undefined {
    return this.byCode.get(code);
  }

  /** The zones that contain the point (boundary included), smallest risk last … highest risk first. */
  at(lon: number, lat: number): IndexedZone[] {
    const candidates = this.tree.search({ minX: lon, minY: lat, maxX: lon, maxY: lat });
    return candidates
      .filter((e) => booleanPointInPolygon([lon, lat], e.zone.geometry))
      .map((e) => e.zone)
      .sort((a, b) => b.riskLevel - a.riskLevel || a.code.localeCompare(b.code));
  }

  /** The zones of an event: those containing its position, plus any it names by code (a camera configured for a zone). */
  forEvent(lon: number | null, lat: number | null, codes: readonly string[] = []): IndexedZone[] {
    const out = lon !== null && lat !== null ? this.at(lon, lat) : [];
    for (const c of codes) {
      const z = this.byCode.get(c);
      if (z && !out.some((o) => o.id === z.id)) out.push(z);
    }
    return out;
  }
}
