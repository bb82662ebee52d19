// Read-only queries over the device registry's tables that early warning needs and the devices module does not
// offer as a service: devices by id, silent devices of given kinds under an area, recent events under an area.
import type { Executor } from '../../platform/db/database.ts';
import { prefixPattern } from '../../platform/db/dialect.ts';
import type { DeviceEventRow, DeviceRow } from '../devices/devices.tables.ts';
import type { DeviceInfo } from './ports.ts';
import type { WarningEvent } from './rules.match.ts';

function info(r: DeviceRow): DeviceInfo {
  return {
    id: r.id,
    code: r.code,
    name: r.name,
    kind: r.kind,
    subsystem: r.subsystem,
    areaCode: r.area_code,
    lon: r.lon,
    lat: r.lat,
    lastSeenAt: r.last_seen_at,
    online: r.online === 1,
    capabilities: JSON.parse(r.capabilities) as string[],
  };
}

/** A face feature vector a device may send in an event's attributes. */
export function featureOf(attributes: Record<string, unknown>): number[] | null {
  const f = attributes.faceFeature ?? attributes.feature;
  return Array.isArray(f) && f.length > 0 && f.every((x) => typeof x === 'number') ? (f as number[]) : null;
}

export function eventOf(r: DeviceEventRow): WarningEvent {
  const attributes = r.attributes ? (JSON.parse(r.attributes) as Record<string, unknown>) : {};
  return {
    id: r.id,
    deviceId: r.device_id,
    kind: r.kind,
    subsystem: r.subsystem,
    occurredAt: r.occurred_at,
    areaCode: r.area_code,
    lon: r.lon,
    lat: r.lat,
    zones: r.zones ? (JSON.parse(r.zones) as string[]) : [],
    attributes,
    snapshotIds: r.snapshot_ids ? (JSON.parse(r.snapshot_ids) as string[]) : [],
    feature: featureOf(attributes),
  };
}

export const devicesReadRepo = {
  /** The current state of commands (failed or expired ones are what the alerts need to know). */
  async commandStates(db: Executor, ids: readonly string[]): Promise<{ id: string; status: string; result: string | null }[]> {
    if (ids.length === 0) return [];
    return db.selectFrom('device_commands').select(['id', 'status', 'result']).where('id', 'in', [...ids]).execute();
  },

  async get(db: Executor, ids: readonly string[]): Promise<DeviceInfo[]> {
    if (ids.length === 0) return [];
    return (await db.selectFrom('devices').selectAll().where('id', 'in', [...ids]).execute()).map(info);
  },

  async silent(db: Executor, prefix: string, kinds: readonly string[], subsystems: readonly string[] | undefined, before: string, limit: number): Promise<DeviceInfo[]> {
    let q = db
      .selectFrom('devices')
      .selectAll()
      .where('area_code', 'like', prefixPattern(prefix))
      .where('status', '=', 'active')
      .where('kind', 'in', [...kinds])
      // A device never heard from counts from its registration.
      .where((eb) => eb.or([eb('last_seen_at', '<', before), eb.and([eb('last_seen_at', 'is', null), eb('created_at', '<', before)])]));
    if (subsystems?.length) q = q.where('subsystem', 'in', [...subsystems]);
    return (await q.orderBy('code').limit(limit).execute()).map(info);
  },

  /** The stored images of an event, faces first (the identification wants a face crop over a scene). */
  async snapshots(db: Executor, ids: readonly string[]): Promise<{ id: string; kind: string; storage_key: string; content_type: string }[]> {
    if (ids.length === 0) return [];
    const rows = await db.selectFrom('device_snapshots').select(['id', 'kind', 'storage_key', 'content_type', 'seq']).where('id', 'in', [...ids]).execute();
    return rows.sort((a, b) => Number(b.kind === 'face') - Number(a.kind === 'face') || a.seq - b.seq);
  },

  /**
   * Stored events of these kinds with `after < id < until`, in id order (the ids are time-ordered UUIDv7; `after`
   * and `until` may be prefixes of them), at most `limit`: the events the engine evaluates again after a start.
   */
  async eventsAfter(db: Executor, after: string, until: string, kinds: readonly string[], limit: number): Promise<WarningEvent[]> {
    if (kinds.length === 0 || after >= until) return [];
    const rows = await db
      .selectFrom('device_events')
      .selectAll()
      .where('id', '>', after)
      .where('id', '<', until)
      .where('kind', 'in', [...kinds])
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map(eventOf);
  },

  /** Oldest first, the most recent `limit` events. */
  async recentEvents(db: Executor, prefix: string, since: string, limit: number): Promise<WarningEvent[]> {
    const rows = await db
      .selectFrom('device_events')
      .selectAll()
      .where('area_code', 'like', prefixPattern(prefix))
      .where('occurred_at', '>=', since)
      .orderBy('occurred_at', 'desc')
      .limit(limit)
      .execute();
    return rows.reverse().map(eventOf);
  },
};
