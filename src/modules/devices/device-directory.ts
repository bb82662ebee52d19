// Who is this device? Resolves a device secret (HTTP token, MQTT password, GA/T 1400 Digest) or a code to the
// device's ingest context, with a short-lived cache: ingest is the hottest path and the registry changes rarely.
// A change on this node invalidates at once; other nodes at once through the NATS bus, else within the TTL.
import crypto from 'node:crypto';
import type { Platform } from '../../platform/context.ts';
import { sha256Hex } from '../../platform/crypto.ts';
import { devicesRepo } from './devices.repo.ts';
import type { DeviceRow } from './devices.tables.ts';

/** What the ingest path needs to know about an authenticated device. */
export interface DeviceContext {
  id: string;
  code: string;
  gbId: string | null;
  name: string;
  areaCode: string;
  subsystem: string;
  kind: string;
  capabilities: string[];
  lon: number | null;
  lat: number | null;
  heartbeatIntervalS: number;
  /** As last known on this node; the health service keeps it current. */
  online: boolean;
}

const TTL_MS = 30_000;

export function contextOf(r: DeviceRow): DeviceContext {
  return {
    id: r.id,
    code: r.code,
    gbId: r.gb_id,
    name: r.name,
    areaCode: r.area_code,
    subsystem: r.subsystem,
    kind: r.kind,
    capabilities: JSON.parse(r.capabilities) as string[],
    lon: r.lon,
    lat: r.lat,
    heartbeatIntervalS: r.heartbeat_interval_s,
    online: r.online === 1,
  };
}

export class DeviceDirectory {
  private readonly byHash = new Map<string, { ctx: DeviceContext; at: number }>();
  private readonly byCodeCache = new Map<string, { row: DeviceRow; at: number }>();

  constructor(private readonly p: Platform) {}

  /** The active device holding this secret, or null. */
  async byToken(token: string): Promise<DeviceContext | null> {
    if (!token || token.length > 200) return null;
    const hash = sha256Hex(token);
    const hit = this.byHash.get(hash);
    if (hit && performance.now() - hit.at < TTL_MS) return hit.ctx;
    const row = await devicesRepo.findByTokenHash(this.p.db.kysely, hash);
    if (!row || row.status !== 'active') {
      this.byHash.delete(hash);
      return null;
    }
    const ctx = contextOf(row);
    this.byHash.set(hash, { ctx, at: performance.now() });
    return ctx;
  }

  /** The active device with this code whose secret is `secret` (MQTT username and password), or null. */
  async verify(code: string, secret: string): Promise<DeviceContext | null> {
    const row = await this.rowByCode(code);
    if (!row || row.status !== 'active') return null;
    const a = Buffer.from(sha256Hex(secret), 'hex');
    const b = Buffer.from(row.token_hash, 'hex');
    if (a.length !== b.length || !crypto.timingSafeEqual(a, b)) return null;
    return this.byToken(secret);
  }

  /** The active device with this code (topic segment), or null. */
  async byCode(code: string): Promise<DeviceContext | null> {
    const row = await this.rowByCode(code);
    return row && row.status === 'active' ? (this.byHashOf(row) ?? contextOf(row)) : null;
  }

  /** The active device with this GB/T 28181 ID, and its secret (for GA/T 1400 Digest), or null. */
  async byGbId(gbId: string): Promise<{ device: DeviceContext; secret: string } | null> {
    const row = await devicesRepo.findByGbId(this.p.db.kysely, gbId);
    if (!row || row.status !== 'active') return null;
    return { device: this.byHashOf(row) ?? contextOf(row), secret: this.p.pii.decrypt(row.secret_enc) };
  }

  /** Forgets what is cached about a device (after an edit, a retirement or a new secret). */
  invalidate(id: string): void {
    for (const [k, v] of this.byHash) if (v.ctx.id === id) this.byHash.delete(k);
    for (const [k, v] of this.byCodeCache) if (v.row.id === id) this.byCodeCache.delete(k);
  }

  /** Forgets everything cached (another node changed devices; see modules/system/cluster.sync.ts). */
  clear(): void {
    this.byHash.clear();
    this.byCodeCache.clear();
  }

  /**
   * Updates the online flag of everything cached about the device (the health service calls this on a change), so
   * that the next message from it is not taken for the first one after a silence (an UPDATE per message otherwise).
   */
  setOnline(id: string, online: boolean): void {
    for (const v of this.byHash.values()) if (v.ctx.id === id) v.ctx.online = online;
    for (const v of this.byCodeCache.values()) if (v.row.id === id) v.row.online = online ? 1 : 0;
  }

  private byHashOf(row: DeviceRow): DeviceContext | null {
    const hit = this.byHash.get(row.token_hash);
    return hit && performance.now() - hit.at < TTL_MS ? hit.ctx : null;
  }

  private async rowByCode(code: string): Promise<DeviceRow | undefined> {
    const hit = this.byCodeCache.get(code);
    if (hit && performance.now() - hit.at < TTL_MS) return hit.row;
    const row = await devicesRepo.findByCode(this.p.db.kysely, code);
    if (row) this.byCodeCache.set(code, { row, at: performance.now() });
    else this.byCodeCache.delete(code);
    return row;
  }
}
