// Device health: every event and heartbeat marks a device as seen; a sweeper driven by the injected clock marks
// devices offline once they have been silent for OFFLINE_AFTER_MISSES heartbeat intervals and raises an event.
// Last-seen times are kept in memory and written in batches (a busy city sends tens of thousands of events a
// second; liveness needs seconds, not a write per event). Online/offline flips are conditional updates, so
// that with several nodes exactly one raises each change.
import type { Platform } from '../../platform/context.ts';
import { OFFLINE_AFTER_MISSES } from './devices.catalog.ts';
import { devicesRepo } from './devices.repo.ts';
import type { DeviceContext, DeviceDirectory } from './device-directory.ts';

declare module '../../platform/bus.ts' {
  interface DomainEvents {
    'device.online': { deviceId: string; code: string; areaCode: string; subsystem: string; at: string };
    'device.offline': { deviceId: string; code: string; areaCode: string; subsystem: string; at: string; lastSeenAt: string | null };
  }
}

export type StatusChange = (device: DeviceContext, kind: 'device.online' | 'device.offline', at: Date, attributes: Record<string, unknown>) => Promise<void>;

export class HealthService {
  /** Device id → latest time seen (ms), not yet written. */
  private seen = new Map<string, number>();
  private readonly flipping = new Set<string>();
  /** Set by the module: stores the online/offline change as a device event (ingest pipeline). */
  onChange: StatusChange = async () => {};

  constructor(
    private readonly p: Platform,
    private readonly directory: DeviceDirectory,
  ) {}

  /** The device was heard from (an event or a heartbeat). An offline device is brought online at once. */
  touch(device: DeviceContext, at: Date = this.p.clock.now()): Promise<void> {
    const t = at.getTime();
    if ((this.seen.get(device.id) ?? 0) < t) this.seen.set(device.id, t);
    if (device.online || this.flipping.has(device.id)) return Promise.resolve();
    return this.bringOnline(device, at);
  }

  async heartbeat(device: DeviceContext): Promise<void> {
    await this.touch(device, this.p.clock.now());
  }

  private async bringOnline(device: DeviceContext, at: Date): Promise<void> {
    this.flipping.add(device.id);
    try {
      const iso = at.toISOString();
      if (await devicesRepo.markOnline(this.p.db.kysely, device.id, iso)) await this.changed(device, 'device.online', at, {});
      this.directory.setOnline(device.id, true);
      device.online = true;
    } finally {
      this.flipping.delete(device.id);
    }
  }

  /** Writes pending last-seen times; devices seen while marked offline (e.g. by another node) come back online. */
  async flush(): Promise<void> {
    if (this.seen.size === 0) return;
    const pending = this.seen;
    this.seen = new Map();
    // Whole seconds are precise enough for liveness and turn thousands of devices into a few UPDATEs.
    const bySecond = new Map<number, string[]>();
    for (const [id, t] of pending) {
      const s = Math.floor(t / 1000) * 1000;
      const list = bySecond.get(s);
      if (list) list.push(id);
      else bySecond.set(s, [id]);
    }
    for (const [s, ids] of bySecond) {
      const at = new Date(s);
      const flipped = await devicesRepo.markOnlineMany(this.p.db.kysely, ids, at.toISOString());
      await devicesRepo.setLastSeen(this.p.db.kysely, ids, at.toISOString());
      for (const d of flipped) {
        this.directory.setOnline(d.id, true);
        await this.changed(minimalContext(d, true), 'device.online', at, {});
      }
    }
  }

  /** Marks devices offline that have been silent too long; returns how many. Called by a timer and by tests. */
  async sweep(now: Date = this.p.clock.now()): Promise<number> {
    await this.flush();
    const db = this.p.db.kysely;
    const minInterval = await devicesRepo.minHeartbeatInterval(db);
    if (minInterval === null) return 0;
    const earliestDeadline = new Date(now.getTime() - minInterval * OFFLINE_AFTER_MISSES * 1000).toISOString();
    let n = 0;
    for (const d of await devicesRepo.silentSince(db, earliestDeadline)) {
      const limit = new Date(now.getTime() - d.heartbeat_interval_s * OFFLINE_AFTER_MISSES * 1000).toISOString();
      if (d.last_seen_at !== null && d.last_seen_at >= limit) continue;
      if (!(await devicesRepo.markOffline(db, d.id, now.toISOString(), limit))) continue;
      n++;
      this.directory.setOnline(d.id, false);
      const ctx = minimalContext(d, false);
      const silentForS = d.last_seen_at ? Math.round((now.getTime() - Date.parse(d.last_seen_at)) / 1000) : null;
      await this.changed(ctx, 'device.offline', now, { lastSeenAt: d.last_seen_at, silentForS, heartbeatIntervalS: d.heartbeat_interval_s });
    }
    return n;
  }

  private async changed(device: DeviceContext, kind: 'device.online' | 'device.offline', at: Date, attributes: Record<string, unknown>): Promise<void> {
    await this.onChange(device, kind, at, attributes);
    const base = { deviceId: device.id, code: device.code, areaCode: device.areaCode, subsystem: device.subsystem, at: at.toISOString() };
    if (kind === 'device.online') this.p.bus.emit('device.online', base);
    else this.p.bus.emit('device.offline', { ...base, lastSeenAt: (attributes.lastSeenAt as string | null) ?? null });
  }
}

function minimalContext(
  d: { id: string; code: string; area_code: string; subsystem: string; kind: string; lon: number | null; lat: number | null; heartbeat_interval_s: number },
  online: boolean,
): DeviceContext {
  return {
    id: d.id, code: d.code, gbId: null, name: d.code, areaCode: d.area_code, subsystem: d.subsystem, kind: d.kind,
    capabilities: [], lon: d.lon, lat: d.lat, heartbeatIntervalS: d.heartbeat_interval_s, online,
  };
}
