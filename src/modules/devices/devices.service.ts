// The device registry: create, edit, retire, rotate credentials, list and map devices, online rates, and a
// device's latest events and snapshots. Everything is read and written within the caller's area scope.
import crypto from 'node:crypto';
import type { Actor } from '../../platform/access.ts';
import { assertInScope, inScope, requirePermission, scopePrefix } from '../../platform/access.ts';
import type { Platform } from '../../platform/context.ts';
import { newId, sha256Hex } from '../../platform/crypto.ts';
import type { Executor } from '../../platform/db/database.ts';
import { errors, type FieldIssue } from '../../platform/errors.ts';
import type { AreasService } from '../areas/areas.service.ts';
import { capabilities as allCapabilities, commandTypes, deviceKinds, eventKinds, isDeviceKind, subsystems, voicePresets } from './devices.catalog.ts';
import { devicesRepo, type DeviceWithArea } from './devices.repo.ts';
import type { CreateDeviceInput, DeviceView, DeviceWithSecret, EventView, ListDevicesQuery, MapView, OnlineRateView, UpdateDeviceInput } from './devices.schema.ts';
import type { DeviceEventRow, DeviceRow, DeviceSnapshotRow } from './devices.tables.ts';
import type { DeviceDirectory } from './device-directory.ts';
import { eventsRepo } from './events.repo.ts';
import { locate, shapeOf, type Shape } from './geo.ts';
import type { SnapshotStore } from './snapshots.ts';

declare module '../../platform/bus.ts' {
  interface DomainEvents {
    'device.created': { id: string; code: string; areaCode: string; subsystem: string; kind: string };
    'device.updated': { id: string; areaCode: string };
    'device.retired': { id: string; code: string; areaCode: string };
  }
}

const SHAPES_TTL_MS = 5 * 60_000;

export function newDeviceSecret(): string {
  return 'sdk_' + crypto.randomBytes(24).toString('base64url');
}

export class DevicesService {
  private shapes: { at: number; list: Shape[] } | null = null;

  constructor(
    private readonly p: Platform,
    private readonly areas: AreasService,
    private readonly directory: DeviceDirectory,
    private readonly store: SnapshotStore,
  ) {}

  catalog() {
    return {
      subsystems: [...subsystems],
      kinds: Object.entries(deviceKinds).map(([kind, caps]) => ({ kind, capabilities: [...caps] as string[] })),
      capabilities: [...allCapabilities],
      eventKinds: [...eventKinds],
      voicePresets: Object.entries(voicePresets).map(([name, text]) => ({ name, text })),
      commandTypes: Object.entries(commandTypes).map(([type, capability]) => ({ type, capability: capability as string | null })),
    };
  }

  // ---- registry ----------------------------------------------------------------------------------------------

  async create(actor: Actor, input: CreateDeviceInput): Promise<DeviceWithSecret> {
    requirePermission(actor, 'devices:write');
    const { row, secret } = await this.prepare(actor, input);
    const db = this.p.db.kysely;
    await this.assertUnique(db, input.code, input.gbId ?? null, row.token_hash);
    await db.transaction().execute(async (trx) => {
      await devicesRepo.insert(trx, row);
      await this.p.audit.record(trx, actor, {
        action: 'device.create', entityType: 'device', entityId: row.id, areaCode: row.area_code,
        detail: { code: row.code, subsystem: row.subsystem, kind: row.kind, gbId: row.gb_id },
      });
    });
    this.p.bus.emit('device.created', { id: row.id, code: row.code, areaCode: row.area_code, subsystem: row.subsystem, kind: row.kind });
    return { ...(await this.get(actor, row.id)), secret };
  }

  /**
   * Checks a new device and builds its row (area derived from position or GB/T 28181 ID when not given).
   * Throws a validation error naming the field; used by create and by the bulk import, row by row.
   */
  async prepare(actor: Actor, input: CreateDeviceInput, opts: { checkScope?: boolean } = {}): Promise<{ row: DeviceRow; secret: string }> {
    const issues: FieldIssue[] = [];
    if ((input.lon === undefined || input.lon === null) !== (input.lat === undefined || input.lat === null)) {
      issues.push({ field: input.lon == null ? 'lon' : 'lat', message: 'give both longitude and latitude, or neither' });
    }
    const caps = input.capabilities ?? (isDeviceKind(input.kind) ? [...deviceKinds[input.kind]] : []);
    if (issues.length) throw errors.validation('device.invalid', issues.map((i) => `${i.field}: ${i.message}`).join('; '), issues);
    const areaCode = await this.resolveArea(actor, input, opts.checkScope !== false);
    const secret = input.secret ?? newDeviceSecret();
    const now = this.p.clock.now().toISOString();
    return {
      secret,
      row: {
        id: newId(),
        code: input.code,
        gb_id: input.gbId ?? null,
        name: input.name,
        subsystem: input.subsystem,
        kind: input.kind,
        capabilities: JSON.stringify([...new Set(caps)]),
        lon: input.lon ?? null,
        lat: input.lat ?? null,
        area_code: areaCode,
        address: input.address ?? null,
        vendor: input.vendor ?? null,
        model: input.model ?? null,
        heartbeat_interval_s: input.heartbeatIntervalS ?? 60,
        status: 'active',
        online: 0,
        last_seen_at: null,
        online_changed_at: null,
        token_hash: sha256Hex(secret),
        secret_enc: this.p.pii.encrypt(secret),
        created_at: now,
        updated_at: now,
        retired_at: null,
      },
    };
  }

  async update(actor: Actor, id: string, input: UpdateDeviceInput): Promise<DeviceView> {
    requirePermission(actor, 'devices:write');
    const current = await this.loadInScope(actor, id);
    if (current.status === 'retired') throw errors.invalidState('device.retired', 'A retired device cannot be edited.');
    const lon = input.lon !== undefined ? input.lon : current.lon;
    const lat = input.lat !== undefined ? input.lat : current.lat;
    if ((lon === null) !== (lat === null)) {
      throw errors.validation('device.invalid', 'Give both longitude and latitude, or neither.', [{ field: lon === null ? 'lon' : 'lat', message: 'give both or neither' }]);
    }
    const patch: Partial<DeviceRow> = { updated_at: this.p.clock.now().toISOString() };
    const changed: Record<string, unknown> = {};
    const set = <K extends keyof DeviceRow>(k: K, v: DeviceRow[K], label: string) => {
      if (v !== current[k]) {
        patch[k] = v;
        changed[label] = v;
      }
    };
    if (input.name !== undefined) set('name', input.name, 'name');
    if (input.subsystem !== undefined) set('subsystem', input.subsystem, 'subsystem');
    if (input.kind !== undefined) set('kind', input.kind, 'kind');
    if (input.capabilities !== undefined) set('capabilities', JSON.stringify([...new Set(input.capabilities)]), 'capabilities');
    if (input.lon !== undefined) set('lon', input.lon, 'lon');
    if (input.lat !== undefined) set('lat', input.lat, 'lat');
    if (input.address !== undefined) set('address', input.address, 'address');
    if (input.vendor !== undefined) set('vendor', input.vendor, 'vendor');
    if (input.model !== undefined) set('model', input.model, 'model');
    if (input.heartbeatIntervalS !== undefined) set('heartbeat_interval_s', input.heartbeatIntervalS, 'heartbeatIntervalS');
    if (input.gbId !== undefined && input.gbId !== current.gb_id) {
      if (input.gbId && (await devicesRepo.findByGbId(this.p.db.kysely, input.gbId))) {
        throw errors.conflict('device.gb_id_taken', `The GB/T 28181 ID ${input.gbId} is registered to another device.`);
      }
      set('gb_id', input.gbId ?? null, 'gbId');
    }
    // A new position re-derives the area unless one is given; either way the new area must be in scope.
    if (input.areaCode !== undefined || input.lon !== undefined || input.lat !== undefined) {
      const areaCode = await this.resolveArea(actor, { areaCode: input.areaCode, lon, lat, gbId: input.gbId ?? current.gb_id }, true, current.area_code);
      set('area_code', areaCode, 'areaCode');
    }
    await this.p.db.kysely.transaction().execute(async (trx) => {
      await devicesRepo.update(trx, id, patch);
      await this.p.audit.record(trx, actor, { action: 'device.update', entityType: 'device', entityId: id, areaCode: current.area_code, detail: changed });
    });
    this.directory.invalidate(id);
    this.p.bus.emit('device.updated', { id, areaCode: patch.area_code ?? current.area_code });
    return this.get(actor, id);
  }

  async retire(actor: Actor, id: string): Promise<DeviceView> {
    requirePermission(actor, 'devices:write');
    const current = await this.loadInScope(actor, id);
    if (current.status === 'retired') return this.present(current);
    const now = this.p.clock.now().toISOString();
    await this.p.db.kysely.transaction().execute(async (trx) => {
      await devicesRepo.update(trx, id, { status: 'retired', retired_at: now, updated_at: now, online: 0, online_changed_at: now });
      await this.p.audit.record(trx, actor, { action: 'device.retire', entityType: 'device', entityId: id, areaCode: current.area_code, detail: { code: current.code } });
    });
    this.directory.invalidate(id);
    this.p.bus.emit('device.retired', { id, code: current.code, areaCode: current.area_code });
    return this.get(actor, id);
  }

  /** Issues a new secret (the old one stops working at once on this node, within 30 s on others). */
  async rotateSecret(actor: Actor, id: string): Promise<DeviceWithSecret> {
    requirePermission(actor, 'devices:write');
    const current = await this.loadInScope(actor, id);
    if (current.status === 'retired') throw errors.invalidState('device.retired', 'A retired device has no credentials.');
    const secret = newDeviceSecret();
    const now = this.p.clock.now().toISOString();
    await this.p.db.kysely.transaction().execute(async (trx) => {
      await devicesRepo.update(trx, id, { token_hash: sha256Hex(secret), secret_enc: this.p.pii.encrypt(secret), updated_at: now });
      await this.p.audit.record(trx, actor, { action: 'device.rotate_secret', entityType: 'device', entityId: id, areaCode: current.area_code });
    });
    this.directory.invalidate(id);
    this.p.bus.emit('device.updated', { id, areaCode: current.area_code });
    return { ...(await this.get(actor, id)), secret };
  }

  async get(actor: Actor, id: string): Promise<DeviceView> {
    requirePermission(actor, 'devices:read');
    return this.present(await this.loadInScope(actor, id));
  }

  async list(actor: Actor, q: ListDevicesQuery): Promise<{ items: DeviceView[]; total: number }> {
    requirePermission(actor, 'devices:read');
    const { rows, total } = await devicesRepo.list(this.p.db.kysely, this.p.db.dialect, { ...q, scope: actor.scope }, q.pageSize, (q.page - 1) * q.pageSize);
    return { items: rows.map((r) => this.present(r)), total };
  }

  async map(actor: Actor, areaCode: string | undefined, subsystem: string | undefined, limit: number): Promise<MapView> {
    requirePermission(actor, 'devices:read');
    const rows = await devicesRepo.mapRows(this.p.db.kysely, actor.scope, areaCode, subsystem, limit + 1);
    return {
      items: rows.slice(0, limit).map((r) => [r.id, r.lon ?? 0, r.lat ?? 0, r.subsystem, r.kind, r.online, r.name]),
      truncated: rows.length > limit,
    };
  }

  /** Online rate of the active devices under an area, by its child areas or by subsystem. */
  async onlineRate(actor: Actor, areaCode: string | undefined, by: 'area' | 'subsystem'): Promise<OnlineRateView> {
    requirePermission(actor, 'devices:read');
    const code = areaCode ?? (actor.areaCode || '430500');
    const area = await this.areas.get(actor, code);
    const prefix = scopePrefix(area.code);
    const childLength = area.code.length === 6 ? (area.level === 'county' ? 9 : 6) : area.code.length + 3;
    const rows = await devicesRepo.onlineCounts(this.p.db.kysely, prefix, by, childLength);
    const names = by === 'area' ? new Map((await this.areas.children(actor, area.code)).map((a) => [a.code, a.name])) : new Map<string, string>();
    let total = 0;
    let online = 0;
    const items = rows.map((r) => {
      const t = Number(r.total);
      const o = Number(r.online ?? 0);
      total += t;
      online += o;
      return { key: r.key, name: by === 'area' ? (names.get(r.key) ?? null) : null, total: t, online: o, rate: t ? o / t : 0 };
    });
    return { areaCode: area.code, by, items, total, online, rate: total ? online / total : 0 };
  }

  // ---- events and snapshots ----------------------------------------------------------------------------------

  async events(actor: Actor, id: string, limit: number, before?: string, kind?: string): Promise<EventView[]> {
    const device = await this.get(actor, id);
    const rows = await eventsRepo.latestForDevice(this.p.db.kysely, device.id, limit, before, kind);
    const snapIds = rows.flatMap((r) => (r.snapshot_ids ? (JSON.parse(r.snapshot_ids) as string[]) : []));
    const snaps = new Map((await eventsRepo.snapshotsOf(this.p.db.kysely, snapIds)).map((s) => [s.id, s]));
    return rows.map((r) => presentEvent(r, snaps));
  }

  async snapshots(actor: Actor, id: string, limit: number) {
    const device = await this.get(actor, id);
    return (await eventsRepo.latestSnapshotsForDevice(this.p.db.kysely, device.id, limit)).map((s) => ({ ...presentSnapshot(s), eventId: s.event_id, createdAt: s.created_at }));
  }

  /** A snapshot's bytes, only for callers whose scope covers the device that took it. */
  async snapshotContent(actor: Actor, snapshotId: string): Promise<{ contentType: string; data: Buffer }> {
    requirePermission(actor, 'devices:read');
    const s = await eventsRepo.snapshot(this.p.db.kysely, snapshotId);
    assertInScope(actor, s?.area_code, 'snapshot', snapshotId);
    const data = await this.store.get(s!.storage_key);
    if (!data) throw errors.notFound('snapshot', snapshotId);
    return { contentType: s!.content_type, data };
  }

  // ---- helpers -----------------------------------------------------------------------------------------------

  async loadInScope(actor: Actor, id: string): Promise<DeviceWithArea> {
    const row = await devicesRepo.get(this.p.db.kysely, id);
    assertInScope(actor, row?.area_code, 'device', id);
    return row!;
  }

  async assertUnique(db: Executor, code: string, gbId: string | null, tokenHash?: string): Promise<void> {
    if (await devicesRepo.findByCode(db, code)) throw errors.conflict('device.code_taken', `The device code ${code} is taken.`);
    if (gbId && (await devicesRepo.findByGbId(db, gbId))) throw errors.conflict('device.gb_id_taken', `The GB/T 28181 ID ${gbId} is registered to another device.`);
    // A secret identifies its device (its hash is the look-up key), so two devices cannot share one.
    if (tokenHash && (await devicesRepo.findByTokenHash(db, tokenHash))) {
      throw errors.conflict('device.secret_taken', 'Another device uses this secret: choose another, or leave it empty to have one generated.');
    }
  }

  /**
   * The device's area: as given, else the deepest area whose boundary holds the position, else the county in
   * the first six digits of its GB/T 28181 ID. It must exist and lie in the caller's scope.
   */
  async resolveArea(
    actor: Actor,
    input: { areaCode?: string | undefined; lon?: number | null | undefined; lat?: number | null | undefined; gbId?: string | null | undefined },
    checkScope: boolean,
    fallback?: string,
  ): Promise<string> {
    let code: string | null = input.areaCode ?? null;
    let field = 'areaCode';
    if (!code && input.lon != null && input.lat != null) {
      code = locate(input.lon, input.lat, await this.boundaryShapes());
      field = 'lon';
    }
    if (!code && input.gbId) {
      const county = input.gbId.slice(0, 6);
      if (await this.areas.find(county)) code = county;
      field = 'gbId';
    }
    if (!code) code = fallback ?? null;
    if (!code) {
      const msg = input.lon != null ? 'the position lies outside every known area boundary: give the area code' : 'give an area code or a position';
      throw errors.validation('device.area_required', `areaCode: ${msg}`, [{ field: 'areaCode', message: msg }]);
    }
    const area = await this.areas.find(code);
    if (!area) throw errors.validation('device.area_unknown', `${field}: no area ${code}`, [{ field, message: `no area ${code}` }]);
    if (checkScope && !inScope(actor, code)) throw errors.notFound('area', code);
    return code;
  }

  private async boundaryShapes(): Promise<Shape[]> {
    if (this.shapes && performance.now() - this.shapes.at < SHAPES_TTL_MS) return this.shapes.list;
    const rows = await devicesRepo.boundaries(this.p.db.kysely);
    const list = rows.map((r) => shapeOf(r.area_code, JSON.parse(r.geometry))).filter((s): s is Shape => s !== null);
    this.shapes = { at: performance.now(), list };
    return list;
  }

  present(r: DeviceWithArea | (DeviceRow & { area_name?: string | null })): DeviceView {
    return {
      id: r.id,
      code: r.code,
      gbId: r.gb_id,
      name: r.name,
      subsystem: r.subsystem,
      kind: r.kind,
      capabilities: JSON.parse(r.capabilities) as string[],
      lon: r.lon,
      lat: r.lat,
      areaCode: r.area_code,
      areaName: r.area_name ?? null,
      address: r.address,
      vendor: r.vendor,
      model: r.model,
      heartbeatIntervalS: r.heartbeat_interval_s,
      status: r.status,
      online: r.online === 1,
      lastSeenAt: r.last_seen_at,
      onlineChangedAt: r.online_changed_at,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      retiredAt: r.retired_at,
    };
  }
}

function presentSnapshot(s: DeviceSnapshotRow) {
  return { id: s.id, kind: s.kind, contentType: s.content_type, size: s.size, url: `/api/snapshots/${s.id}` };
}

function presentEvent(r: DeviceEventRow, snaps: Map<string, DeviceSnapshotRow>): EventView {
  const ids = r.snapshot_ids ? (JSON.parse(r.snapshot_ids) as string[]) : [];
  return {
    id: r.id,
    eventId: r.event_id,
    deviceId: r.device_id,
    kind: r.kind,
    occurredAt: r.occurred_at,
    receivedAt: r.received_at,
    areaCode: r.area_code,
    subsystem: r.subsystem,
    lon: r.lon,
    lat: r.lat,
    zones: r.zones ? (JSON.parse(r.zones) as string[]) : [],
    attributes: r.attributes ? (JSON.parse(r.attributes) as Record<string, unknown>) : {},
    snapshots: ids.map((id) => snaps.get(id)).filter((s): s is DeviceSnapshotRow => !!s).map(presentSnapshot),
    source: r.source,
  };
}
