// GA/T 1400 (视图库) gateway: registration with HTTP Digest, keepalive, system time, and the object collections
// (Faces, Persons, MotorVehicles, NonMotorVehicles) mapped onto the one event model and stored through the same
// ingest pipeline as HTTP and MQTT — so idempotency, durability and the 'device.event' bus event are the same.
import { scopePrefix } from '../../../platform/access.ts';
import { jsonIssue } from '../../../platform/text.ts';
import type { Platform } from '../../../platform/context.ts';
import type { DevicesModule } from '../devices.module.ts';
import type { DeviceContext } from '../device-directory.ts';
import type { ItemResult } from '../devices.schema.ts';
import { DbNonceStore } from '../../../platform/shared-state.ts';
import { DigestAuth } from './digest.ts';
import {
  collections,
  field,
  formatViidTime,
  parseViidTime,
  registerBody,
  responseStatus,
  StatusCode,
  unregisterBody,
  keepaliveBody,
  type CollectionName,
  type ResponseStatus,
} from './gat1400.schema.ts';

/** A registration lapses after this long without any request from the device; it must register again. */
export const REGISTRATION_LAPSE_MS = 5 * 60_000;
/** Nonces older than this are stale (the device retries with the fresh challenge). */
export const NONCE_MAX_AGE_MS = 30_000;
export const REALM = 'shiyu-viid';
/** How long this node trusts its memory of a registration before reading the table again. */
const SENDER_CACHE_MS = 5_000;
/** How often a registration's last-seen time is written while the device keeps talking. */
const SEEN_WRITE_MS = 30_000;

export interface GatAnswer {
  httpStatus: number;
  body: unknown;
  challenge?: string;
}

const imageKinds: Record<string, string> = {
  '01': 'vehicle', '02': 'plate', '03': 'plate', '04': 'face', '05': 'face', '08': 'vehicle', '09': 'vehicle',
  '10': 'person', '11': 'face', '12': 'nonmotor', '14': 'scene',
};
const contentTypes: Record<string, string> = { jpeg: 'image/jpeg', jpg: 'image/jpeg', png: 'image/png', webp: 'image/webp' };

export class Gat1400Service {
  readonly digest: DigestAuth;
  private readonly senders = new Map<string, { device: DeviceContext; checkedAt: number; lastSeen: number; written: number }>();

  constructor(
    private readonly p: Platform,
    private readonly devices: DevicesModule,
  ) {
    const now = () => p.clock.now().getTime();
    // The same key and the same replay state on every node: a challenge from one node is answered on another.
    this.digest = new DigestAuth({ realm: REALM, maxAgeMs: NONCE_MAX_AGE_MS, now, key: p.pii.deriveKey('gat1400-digest-nonce'), store: new DbNonceStore(p.db.kysely, now) });
  }

  async register(url: string, authorization: string | undefined, body: unknown, ip: string | null): Promise<GatAnswer> {
    if (!authorization) return { ...this.single(url, 401, StatusCode.INVALID_OPERATION, 'unauthorised: missing', ''), challenge: this.digest.challenge() };
    const parsed = registerBody.safeParse(body);
    if (!parsed.success) return this.single(url, 400, StatusCode.INVALID_JSON_CONTENT, 'RegisterObject.DeviceID: a 20-digit DeviceID', '');
    const gbId = parsed.data.RegisterObject.DeviceID;
    const auth = await this.authenticate(authorization, gbId);
    if (!auth.ok) return { ...this.single(url, 401, StatusCode.INVALID_OPERATION, `unauthorised: ${auth.reason}`, gbId), challenge: auth.challenge };
    const now = this.p.clock.now().toISOString();
    await this.p.db.kysely
      .insertInto('gat1400_registrations')
      .values({ gb_id: gbId, device_id: auth.device.id, registered_at: now, last_seen_at: now, ip })
      .onConflict((oc) => oc.column('gb_id').doUpdateSet({ device_id: auth.device.id, registered_at: now, last_seen_at: now, ip }))
      .execute();
    this.senders.delete(gbId);
    await this.devices.health.touch(auth.device);
    return this.single(url, 200, StatusCode.OK, 'OK', gbId);
  }

  async unregister(url: string, authorization: string | undefined, body: unknown): Promise<GatAnswer> {
    if (!authorization) return { ...this.single(url, 401, StatusCode.INVALID_OPERATION, 'unauthorised: missing', ''), challenge: this.digest.challenge() };
    const parsed = unregisterBody.safeParse(body);
    if (!parsed.success) return this.single(url, 400, StatusCode.INVALID_JSON_CONTENT, 'UnRegisterObject.DeviceID: a 20-digit DeviceID', '');
    const gbId = parsed.data.UnRegisterObject.DeviceID;
    const auth = await this.authenticate(authorization, gbId);
    if (!auth.ok) return { ...this.single(url, 401, StatusCode.INVALID_OPERATION, `unauthorised: ${auth.reason}`, gbId), challenge: auth.challenge };
    await this.p.db.kysely.deleteFrom('gat1400_registrations').where('gb_id', '=', gbId).execute();
    this.senders.delete(gbId);
    return this.single(url, 200, StatusCode.OK, 'OK', gbId);
  }

  async keepalive(url: string, userIdentify: string | undefined, body: unknown): Promise<GatAnswer> {
    const parsed = keepaliveBody.safeParse(body);
    if (!parsed.success) return this.single(url, 400, StatusCode.INVALID_JSON_CONTENT, 'KeepaliveObject.DeviceID: a 20-digit DeviceID', '');
    const gbId = parsed.data.KeepaliveObject.DeviceID;
    if (userIdentify && userIdentify !== gbId) return this.single(url, 400, StatusCode.INVALID_JSON_CONTENT, 'User-Identify and DeviceID differ', gbId);
    const sender = await this.registered(gbId);
    if (!sender) return this.single(url, 401, StatusCode.INVALID_OPERATION, 'not registered', gbId);
    await this.devices.health.heartbeat(sender);
    await this.seen(sender);
    return this.single(url, 200, StatusCode.OK, 'OK', gbId);
  }

  time(): unknown {
    return {
      SystemTimeObject: {
        VIIDServerID: this.serverId(),
        TimeMode: '1',
        LocalTime: formatViidTime(this.p.clock.now()),
        TimeZone: 'Asia/Shanghai',
      },
    };
  }

  /** A batch of one collection's objects. Each object gets its own status; HTTP 200 once all good ones are committed. */
  async push(url: string, collection: CollectionName, userIdentify: string | undefined, body: unknown): Promise<GatAnswer> {
    const now = this.p.clock.now();
    const sender = userIdentify ? await this.registered(userIdentify) : null;
    if (!sender) return this.single(url, 401, StatusCode.INVALID_OPERATION, 'not registered: send User-Identify after /VIID/System/Register', userIdentify ?? '');
    const spec = collections[collection];
    const objects = listOf(body, spec);
    if (!objects) {
      return this.single(url, 400, StatusCode.INVALID_JSON_CONTENT, `expected ${spec.list}.${spec.item}[]`, '');
    }
    const statuses: ResponseStatus[] = new Array(objects.length);
    // Objects name their capture device; a platform may push for the cameras below it.
    const groups = new Map<string, { device: DeviceContext | null; items: { index: number; item: Record<string, unknown> }[] }>();
    for (let i = 0; i < objects.length; i++) {
      const obj = objects[i]!;
      // Text the engines cannot store (NUL, lone surrogates) and absurd nesting: refused before any look-up.
      const unsafe = jsonIssue(obj, spec.item, { maxDepth: 8, maxNodes: 20_000 });
      if (unsafe) {
        statuses[i] = responseStatus(url, StatusCode.INVALID_JSON_CONTENT, `${unsafe.field}: ${unsafe.message}`, '', now);
        continue;
      }
      const id = str(field(obj, spec.idField));
      if (!id) {
        statuses[i] = responseStatus(url, StatusCode.INVALID_JSON_CONTENT, `${spec.idField} is missing`, '', now);
        continue;
      }
      const deviceId = str(field(obj, 'DeviceID')) ?? sender.gbId ?? '';
      let g = groups.get(deviceId);
      if (!g) {
        g = { device: await this.captureDevice(sender, deviceId), items: [] };
        groups.set(deviceId, g);
      }
      if (!g.device) {
        statuses[i] = responseStatus(url, StatusCode.INVALID_OPERATION, `DeviceID ${deviceId} is not a registered device under the sender`, id, now);
        continue;
      }
      const mapped = toEventItem(obj, spec, id, now);
      if (typeof mapped === 'string') {
        statuses[i] = responseStatus(url, StatusCode.INVALID_JSON_CONTENT, mapped, id, now);
        continue;
      }
      g.items.push({ index: i, item: mapped });
    }
    for (const g of groups.values()) {
      if (!g.device || g.items.length === 0) continue;
      const results: ItemResult[] = await this.devices.ingest.ingest(g.device, g.items.map((x) => x.item), 'gat1400');
      results.forEach((r, k) => {
        const index = g.items[k]!.index;
        const id = r.id ?? '';
        statuses[index] =
          r.status === 'rejected'
            ? responseStatus(url, StatusCode.INVALID_JSON_CONTENT, (r.errors ?? []).map((e) => `${e.field}: ${e.message}`).join('; '), id, now)
            : responseStatus(url, StatusCode.OK, r.status === 'duplicate' ? 'OK (already stored)' : 'OK', id, now);
      });
    }
    await this.seen(sender);
    return { httpStatus: 200, body: { ResponseStatusListObject: { ResponseStatusObject: statuses } } };
  }

  private async authenticate(
    authorization: string | undefined,
    gbId: string,
  ): Promise<{ ok: true; device: DeviceContext } | { ok: false; reason: string; challenge: string }> {
    let device: DeviceContext | null = null;
    const result = await this.digest.verify('POST', authorization, async (username) => {
      if (username !== gbId) return null;
      const found = await this.devices.directory.byGbId(username);
      device = found?.device ?? null;
      return found?.secret ?? null;
    });
    if (!result.ok) return { ok: false, reason: result.reason, challenge: result.challenge };
    return { ok: true, device: device! };
  }

  /** The sender's device when it is registered and its registration has not lapsed. */
  private async registered(gbId: string): Promise<DeviceContext | null> {
    const now = this.p.clock.now().getTime();
    const cached = this.senders.get(gbId);
    // The hot path (a camera pushing objects) is served from memory; the table is read at most every few seconds.
    if (cached && now - cached.checkedAt < SENDER_CACHE_MS && now - cached.lastSeen <= REGISTRATION_LAPSE_MS) return cached.device;
    const reg = await this.p.db.kysely.selectFrom('gat1400_registrations').selectAll().where('gb_id', '=', gbId).executeTakeFirst();
    if (!reg || now - Date.parse(reg.last_seen_at) > REGISTRATION_LAPSE_MS) {
      this.senders.delete(gbId);
      return null;
    }
    const found = await this.devices.directory.byGbId(gbId);
    if (!found || found.device.id !== reg.device_id) return null;
    this.senders.set(gbId, { device: found.device, checkedAt: now, lastSeen: Date.parse(reg.last_seen_at), written: Date.parse(reg.last_seen_at) });
    return found.device;
  }

  /** Records traffic from a registered device; the stored time is refreshed at most every SEEN_WRITE_MS. */
  private async seen(sender: DeviceContext): Promise<void> {
    if (!sender.gbId) return;
    const now = this.p.clock.now().getTime();
    const cached = this.senders.get(sender.gbId);
    if (cached) cached.lastSeen = now;
    if (cached && now - cached.written < SEEN_WRITE_MS) return;
    if (cached) cached.written = now;
    await this.p.db.kysely
      .updateTable('gat1400_registrations')
      .set({ last_seen_at: new Date(now).toISOString() })
      .where('gb_id', '=', sender.gbId)
      .execute();
  }

  /** The capture device named by an object: the sender itself, or a device in the sender's area (a platform). */
  private async captureDevice(sender: DeviceContext, gbId: string): Promise<DeviceContext | null> {
    if (gbId === sender.gbId) return sender;
    const found = gbId ? await this.devices.directory.byGbId(gbId) : null;
    if (!found) return null;
    return found.device.areaCode.startsWith(scopePrefix(sender.areaCode)) ? found.device : null;
  }

  private serverId(): string {
    return '43050000005030000001';
  }

  private single(url: string, httpStatus: number, code: number, text: string, id: string): GatAnswer {
    return { httpStatus, body: { ResponseStatusObject: responseStatus(url, code, text, id, this.p.clock.now()) } };
  }
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : typeof v === 'number' ? String(v) : undefined;
}

/** Finds the object list in the standard envelope or the common variants. */
export function listOf(body: unknown, spec: (typeof collections)[CollectionName]): Record<string, unknown>[] | null {
  if (!body || typeof body !== 'object') return null;
  const b = body as Record<string, unknown>;
  const envelope = (field(b, spec.list) ?? field(b, spec.altList)) as unknown;
  let list: unknown = envelope;
  if (envelope && typeof envelope === 'object' && !Array.isArray(envelope)) {
    list = field(envelope as Record<string, unknown>, spec.item) ?? field(envelope as Record<string, unknown>, spec.altItem);
  }
  if (!Array.isArray(list)) return null;
  return list.every((o) => o && typeof o === 'object' && !Array.isArray(o)) ? (list as Record<string, unknown>[]) : null;
}

/** One GA/T 1400 object → one event of the model; a string is the reason it cannot be. */
export function toEventItem(obj: Record<string, unknown>, spec: (typeof collections)[CollectionName], id: string, now: Date): Record<string, unknown> | string {
  if (id.length > 64) return `${spec.idField}: at most 64 characters`;
  const subList = field(obj, 'SubImageList');
  const subImages = Array.isArray(subList)
    ? subList
    : subList && typeof subList === 'object'
      ? (field(subList as Record<string, unknown>, 'SubImageInfoObject') as unknown)
      : [];
  const images = Array.isArray(subImages) ? (subImages as Record<string, unknown>[]) : [];
  // The first time field present is the capture time; one present but unparsable is refused, never replaced by the
  // receipt time (which is used only when the object carries no time at all).
  let time: Date | null = null;
  const present: [string, unknown][] = [
    ...spec.timeFields.map((f): [string, unknown] => [f, field(obj, f)]),
    ...images.map((img, k): [string, unknown] => [`SubImageList.${k}.ShotTime`, img && typeof img === 'object' ? field(img, 'ShotTime') : undefined]),
  ].filter(([, v]) => v !== undefined && v !== null && v !== '');
  for (const [f, v] of present) {
    const t = parseViidTime(v);
    if (!t) return `${f}: not a time (yyyyMMddHHmmss, China Standard Time)`;
    time ??= t;
  }
  const snapshots: Record<string, unknown>[] = [];
  for (const img of images.slice(0, 4)) {
    const data = field(img, 'Data');
    if (typeof data !== 'string' || data.length === 0) continue;
    const format = String(field(img, 'FileFormat') ?? 'Jpeg').toLowerCase();
    const contentType = contentTypes[format];
    if (!contentType) return `SubImageList: FileFormat ${format} is not supported (Jpeg, Png, Webp)`;
    snapshots.push({ kind: imageKinds[String(field(img, 'Type') ?? '')] ?? 'scene', contentType, data: data.replace(/\s+/g, '') });
  }
  const attributes: Record<string, unknown> = { collection: spec.item };
  for (const [k, v] of Object.entries(obj)) {
    if (k.toLowerCase() === 'subimagelist' || v === null || v === undefined) continue;
    if (/^(featurevector|feature|facefeature)$/i.test(k)) {
      const vector = featureOf(v);
      if (vector) attributes.faceFeature = vector;
      continue;
    }
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') attributes[k] = v;
  }
  const lon = Number(field(obj, 'Longitude'));
  const lat = Number(field(obj, 'Latitude'));
  return {
    id,
    kind: spec.kind,
    time: (time ?? now).toISOString(),
    ...(Number.isFinite(lon) && Number.isFinite(lat) && lon !== 0 && lat !== 0 ? { position: { lon, lat } } : {}),
    attributes,
    ...(snapshots.length ? { snapshots } : {}),
  };
}

/** A face feature a camera sends (a vendor extension): a number array, or base64 of little-endian float32. */
function featureOf(v: unknown): number[] | null {
  if (Array.isArray(v) && v.length > 0 && v.length <= 1024 && v.every((x) => typeof x === 'number' && Number.isFinite(x))) return v as number[];
  if (typeof v === 'string' && v.length > 0) {
    const buf = Buffer.from(v, 'base64');
    if (buf.length === 0 || buf.length % 4 !== 0 || buf.length > 4096) return null;
    const out: number[] = [];
    for (let i = 0; i < buf.length; i += 4) out.push(buf.readFloatLE(i));
    return out.every(Number.isFinite) ? out : null;
  }
  return null;
}
