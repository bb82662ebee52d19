// What each kind of simulated device says: the events of the one event model (and their GA/T 1400 form for
// cameras), with realistic kinds, attributes and proportions. Rare events are rare, as in the field.
import { demoFaceFeature, demoStudents } from '../../students/students.demo.ts';
import type { SimDevice } from './fleet.ts';

/** How busy each kind is relative to the others (events per device per unit of time). */
export const weights: Record<string, number> = {
  water_area_terminal: 1,
  blind_spot_monitor: 0.5,
  gas_detector: 0.01,
  bullet_camera: 2,
};

/** A 1×1 JPEG, for runs that attach snapshots. */
export const TINY_JPEG_BASE64 =
  '/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/wAALCAABAAEBAREA/8QAFAABAAAAAAAAAAAAAAAAAAAACf/EABQQAQAAAAAAAAAAAAAAAAAAAAD/2gAIAQEAAD8AKp//2Q==';

export interface SimEvent {
  id: string;
  kind: string;
  time: string;
  position?: { lon: number; lat: number };
  zones?: string[];
  attributes: Record<string, unknown>;
  snapshots?: { kind: string; contentType: 'image/jpeg'; data: string }[];
}

const plates = '湘E';
const letters = 'ABCDEFGHJKLMNPQRSTUVWXYZ';

/** The zone a water-area terminal watches: the platform zone it was placed at, else one named after the device. */
export function waterZoneOf(d: SimDevice): string {
  return d.zone ?? `WA-${d.code.slice(-6)}`;
}

/** The county whose student library holds the demo students (邵阳县): its terminals now and then see one of them. */
export const STUDENTS_COUNTY = '430523';

/**
 * What a water-area terminal reports, per observation. Most people it sees pass by outside the danger line
 * (`person.passing`, which no rule acts on); a few come close to the water, fewer climb the railing, very few fall
 * in. At the demo's 1 event/s (about 0.6/s from water terminals) that is a warning every minute or so, and a person
 * in the water about every quarter of an hour.
 */
export const waterOdds = { inWater: 0.002, intrusion: 0.006, nearWater: 0.025, studentFace: 0.03 };

export type WaterStory = 'person.in_water' | 'intrusion' | 'person.near_water' | 'student' | 'person.passing';

/** A point within the device's spread (inside its zone when it stands at one). */
function positionOf(d: SimDevice, rand: () => number): { lon: number; lat: number } | undefined {
  if (d.spread === undefined) return undefined;
  return { lon: round6(d.lon + (rand() * 2 - 1) * d.spread), lat: round6(d.lat + (rand() * 2 - 1) * d.spread) };
}

/** A water-area terminal's observation of a given kind (`student`: a face the camera's algorithm matched to a feature). */
export function waterEvent(d: SimDevice, id: string, time: string, story: WaterStory, rand: () => number, snap?: SimEvent['snapshots']): SimEvent {
  const position = positionOf(d, rand);
  const common = { id, time, zones: [waterZoneOf(d)], ...(position ? { position } : {}), ...(snap ? { snapshots: snap } : {}) };
  if (story === 'student') {
    const s = demoStudents[Math.floor(rand() * demoStudents.length)]!;
    return { ...common, kind: 'face.captured', attributes: { confidence: round2(0.8 + rand() * 0.2), personCount: 1, ageGroup: 'child', faceFeature: demoFaceFeature(s.name, 0.3).map((v) => Math.round(v * 1e4) / 1e4) } };
  }
  return {
    ...common, kind: story,
    attributes: { confidence: round2(0.6 + rand() * 0.4), personCount: 1 + Math.floor(rand() * 3), ageGroup: rand() < 0.4 ? 'child' : 'adult' },
  };
}

/** A household gas detector's alarm, inside its household when it stands at one. */
export function gasEvent(d: SimDevice, id: string, time: string, rand: () => number): SimEvent {
  const position = positionOf(d, rand);
  return {
    id, kind: 'gas.alarm', time, ...(position ? { position } : {}), ...(d.zone ? { zones: [d.zone] } : {}),
    attributes: { concentrationLel: Math.round(10 + rand() * 40), valveClosed: rand() < 0.5 },
  };
}

export function eventFor(d: SimDevice, seq: number, now: Date, rand: () => number, withSnapshot: boolean): SimEvent {
  const id = `${now.getTime().toString(36)}-${seq.toString(36)}`;
  const time = now.toISOString();
  const snap = withSnapshot ? [{ kind: 'scene', contentType: 'image/jpeg' as const, data: TINY_JPEG_BASE64 }] : undefined;
  switch (d.kind) {
    case 'water_area_terminal': {
      const r = rand();
      const o = waterOdds;
      const student = d.countyCode === STUDENTS_COUNTY && d.zone !== undefined;
      const story: WaterStory =
        r < o.inWater ? 'person.in_water'
        : r < o.inWater + o.intrusion ? 'intrusion'
        : r < o.inWater + o.intrusion + o.nearWater ? 'person.near_water'
        : student && r < o.inWater + o.intrusion + o.nearWater + o.studentFace ? 'student'
        : 'person.passing';
      return waterEvent(d, id, time, story, rand, snap);
    }
    case 'blind_spot_monitor': {
      const accident = rand() < 0.0005;
      return {
        id, kind: accident ? 'vehicle.accident' : 'blind_spot.warning', time,
        position: { lon: round6(d.lon + (rand() - 0.5) * 0.05), lat: round6(d.lat + (rand() - 0.5) * 0.05) },
        attributes: { speedKmh: Math.round(10 + rand() * 50), side: 'right', target: rand() < 0.6 ? 'ebike' : 'pedestrian', plate: plateOf(d) },
      };
    }
    case 'gas_detector':
      return gasEvent(d, id, time, rand);
    default: {
      const vehicle = rand() < 0.5;
      return {
        id, kind: vehicle ? 'vehicle.captured' : 'person.captured', time,
        attributes: vehicle ? { plate: `${plates}${letters[Math.floor(rand() * letters.length)]}${Math.floor(10000 + rand() * 89999)}` } : { gender: rand() < 0.5 ? 'male' : 'female' },
        ...(snap ? { snapshots: snap } : {}),
      };
    }
  }
}

/** The same observation as a GA/T 1400 object for the collection that fits it. */
export function gatObjectFor(d: SimDevice, e: SimEvent): { collection: 'Faces' | 'Persons' | 'MotorVehicles'; object: Record<string, unknown> } {
  const viidTime = toViid(new Date(e.time));
  const objectId = (d.gbId ?? '').padEnd(20, '0') + '02' + viidTime + e.id.replace(/[^0-9a-z]/g, '').slice(-12).padStart(12, '0');
  const image = e.snapshots?.length
    ? { SubImageList: { SubImageInfoObject: [{ ImageID: objectId, Type: e.kind === 'vehicle.captured' ? '01' : '14', FileFormat: 'Jpeg', ShotTime: viidTime, Width: 1, Height: 1, Data: e.snapshots[0]!.data }] } }
    : {};
  if (e.kind === 'vehicle.captured') {
    return { collection: 'MotorVehicles', object: { MotorVehicleID: objectId, InfoKind: 1, DeviceID: d.gbId, PassTime: viidTime, PlateNo: e.attributes.plate, ...image } };
  }
  if (d.kind === 'water_area_terminal') {
    return { collection: 'Persons', object: { PersonID: objectId, InfoKind: 1, DeviceID: d.gbId, PersonAppearTime: viidTime, EventKind: e.kind, ...image } };
  }
  return { collection: 'Faces', object: { FaceID: objectId, InfoKind: 1, DeviceID: d.gbId, FaceAppearTime: viidTime, ...image } };
}

function plateOf(d: SimDevice): string {
  let h = 0;
  for (const c of d.code) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return `${plates}${letters[h % letters.length]}${String(10000 + (h % 89999))}`;
}

function toViid(d: Date): string {
  const l = new Date(d.getTime() + 8 * 3600_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${l.getUTCFullYear()}${p(l.getUTCMonth() + 1)}${p(l.getUTCDate())}${p(l.getUTCHours())}${p(l.getUTCMinutes())}${p(l.getUTCSeconds())}`;
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}
function round6(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}
