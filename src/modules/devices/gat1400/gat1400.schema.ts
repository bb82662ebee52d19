// GA/T 1400.4 (视图库) objects as Shiyu accepts them: strict in what it sends (the standard's envelopes), tolerant
// in what it accepts (PascalCase or camelCase fields, `FaceListObject.FaceObject[]` or `FaceList.Face[]`).
import { z } from 'zod';

/** GA/T 1400 status codes of ResponseStatusObject. */
export const StatusCode = {
  OK: 0,
  OTHER_ERROR: 1,
  DEVICE_BUSY: 2,
  DEVICE_ERROR: 3,
  INVALID_OPERATION: 4,
  INVALID_XML_FORMAT: 5,
  INVALID_XML_CONTENT: 6,
  INVALID_JSON_FORMAT: 7,
  INVALID_JSON_CONTENT: 8,
  REBOOT: 9,
} as const;

export const VIID_CONTENT_TYPE = 'application/VIID+JSON';

/** The four object collections Shiyu ingests, with their envelope names and the event kind each becomes. */
export const collections = {
  Faces: { list: 'FaceListObject', item: 'FaceObject', altList: 'FaceList', altItem: 'Face', idField: 'FaceID', kind: 'face.captured', timeFields: ['FaceAppearTime', 'ShotTime'] },
  Persons: { list: 'PersonListObject', item: 'PersonObject', altList: 'PersonList', altItem: 'Person', idField: 'PersonID', kind: 'person.captured', timeFields: ['PersonAppearTime', 'ShotTime'] },
  MotorVehicles: { list: 'MotorVehicleListObject', item: 'MotorVehicleObject', altList: 'MotorVehicleList', altItem: 'MotorVehicle', idField: 'MotorVehicleID', kind: 'vehicle.captured', timeFields: ['PassTime', 'AppearTime', 'ShotTime'] },
  NonMotorVehicles: { list: 'NonMotorVehicleListObject', item: 'NonMotorVehicleObject', altList: 'NonMotorVehicleList', altItem: 'NonMotorVehicle', idField: 'NonMotorVehicleID', kind: 'nonmotor.captured', timeFields: ['AppearTime', 'ShotTime'] },
} as const;
export type CollectionName = keyof typeof collections;

/** Looks a field up as PascalCase, camelCase or any case. */
export function field(obj: Record<string, unknown>, name: string): unknown {
  if (name in obj) return obj[name];
  const camel = name[0]!.toLowerCase() + name.slice(1);
  if (camel in obj) return obj[camel];
  const lower = name.toLowerCase();
  for (const k of Object.keys(obj)) if (k.toLowerCase() === lower) return obj[k];
  return undefined;
}

export const deviceIdSchema = z.string().regex(/^\d{20}$/, 'a 20-digit GA/T 1400 DeviceID');

export const registerBody = z.object({ RegisterObject: z.object({ DeviceID: deviceIdSchema }) });
export const unregisterBody = z.object({ UnRegisterObject: z.object({ DeviceID: deviceIdSchema }) });
export const keepaliveBody = z.object({ KeepaliveObject: z.object({ DeviceID: deviceIdSchema }) });

/** `yyyyMMddHHmmss` in China Standard Time (the standard's local time) ↔ a Date. */
export function parseViidTime(v: unknown): Date | null {
  if (typeof v !== 'string' && typeof v !== 'number') return null;
  const s = String(v);
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{0,3})$/.exec(s);
  if (m) {
    const [, y, mo, d, h, mi, se] = m;
    const date = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h) - 8, Number(mi), Number(se)));
    // Round-trip to refuse impossible dates such as 20260231250000.
    return formatViidTime(date) === s.slice(0, 14) ? date : null;
  }
  const iso = Date.parse(s);
  return Number.isNaN(iso) ? null : new Date(iso);
}

export function formatViidTime(d: Date): string {
  const local = new Date(d.getTime() + 8 * 3600_000);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${local.getUTCFullYear()}${p(local.getUTCMonth() + 1)}${p(local.getUTCDate())}${p(local.getUTCHours())}${p(local.getUTCMinutes())}${p(local.getUTCSeconds())}`;
}

export interface ResponseStatus {
  RequestURL: string;
  StatusCode: number;
  StatusString: string;
  Id: string;
  LocalTime: string;
}

export function responseStatus(url: string, code: number, text: string, id: string, now: Date): ResponseStatus {
  return { RequestURL: url, StatusCode: code, StatusString: text, Id: id, LocalTime: formatViidTime(now) };
}
