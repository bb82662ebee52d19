// Zones: polygons with a kind, a risk level, active periods, responsible people and covering loudspeakers.
// Every edit goes to the database and, in the same step, to the in-memory spatial index the engine reads.
import type { Actor } from '../../platform/access.ts';
import { assertInScope, inScope, requirePermission } from '../../platform/access.ts';
import type { Platform } from '../../platform/context.ts';
import type { Executor } from '../../platform/db/database.ts';
import { maskName, maskPhone, newId } from '../../platform/crypto.ts';
import { errors, isDomainError, type FieldIssue } from '../../platform/errors.ts';
import type { AreasService } from '../areas/areas.service.ts';
import { bboxOf, centreOf, zoneGeometrySchema, type ZoneGeometry } from './geo.ts';
import { isActive, periodsSchema, type HolidayRange, type Period } from './periods.ts';
import type { DeviceLookup } from './ports.ts';
import type { IndexedZone } from './zone-index.ts';
import { ZoneIndex } from './zone-index.ts';
import { zonesRepo, type ContactWithUser, type ZoneWithArea } from './zones.repo.ts';
import {
  createZoneBody,
  type ContactInput,
  type CreateZoneInput,
  type UpdateZoneInput,
  type ZoneView,
} from './zones.schema.ts';
import type { ZoneContactRow, ZoneRow } from './warning.tables.ts';

declare module '../../platform/bus.ts' {
  interface DomainEvents {
    'zone.changed': { id: string; version: number; areaCode: string; deleted: boolean };
  }
}

export function indexedOf(r: ZoneRow): IndexedZone {
  return {
    id: r.id,
    code: r.code,
    name: r.name,
    kind: r.kind,
    riskLevel: r.risk_level,
    areaCode: r.area_code,
    geometry: JSON.parse(r.geometry) as ZoneGeometry,
    periods: JSON.parse(r.active_periods) as Period[],
    speakerIds: JSON.parse(r.speaker_ids) as string[],
    version: r.version,
  };
}

export class ZonesService {
  readonly index = new ZoneIndex();
  private holidayRanges: HolidayRange[] = [];

  constructor(
    private readonly p: Platform,
    private readonly areas: AreasService,
    private readonly devices: DeviceLookup,
  ) {}

  /** Loads every zone into the spatial index and the holiday calendar into memory (at start). */
  async load(): Promise<void> {
    const db = this.p.db.kysely;
    this.index.load((await zonesRepo.all(db)).map(indexedOf));
    await this.reloadHolidays();
  }

  holidays(): readonly HolidayRange[] {
    return this.holidayRanges;
  }

  async list(actor: Actor, f: { kind?: string | undefined; areaCode?: string | undefined; q?: string | undefined; limit: number }): Promise<ZoneView[]> {
    requirePermission(actor, 'alerts:read');
    const rows = await zonesRepo.list(this.p.db.kysely, this.p.db.dialect, { scope: actor.scope, kind: f.kind, areaCode: f.areaCode, q: f.q }, f.limit);
    return this.present(rows);
  }

  async get(actor: Actor, id: string): Promise<ZoneView> {
    requirePermission(actor, 'alerts:read');
    const [view] = await this.present([await this.loadInScope(actor, id)]);
    return view!;
  }

  /** The zones of the caller's scope that contain a point (the map's "what is here"). */
  lookup(actor: Actor, lon: number, lat: number): IndexedZone[] {
    requirePermission(actor, 'alerts:read');
    return this.index.at(lon, lat).filter((z) => inScope(actor, z.areaCode));
  }

  async create(actor: Actor, input: CreateZoneInput): Promise<ZoneView> {
    requirePermission(actor, 'rules:write');
    await this.checkArea(actor, input.areaCode);
    await this.checkSpeakers(actor, input.speakerIds);
    await this.checkContactUsers(actor, input.contacts);
    const db = this.p.db.kysely;
    const code = input.code ?? `ZN-${newId().slice(0, 8).toUpperCase()}`;
    if (await zonesRepo.byCode(db, code)) throw errors.conflict('zone.code_taken', `The zone code ${code} is taken.`);
    const now = this.p.clock.now().toISOString();
    const id = newId();
    const box = bboxOf(input.geometry);
    const row: ZoneRow = {
      id, code, name: input.name, kind: input.kind, risk_level: input.riskLevel, area_code: input.areaCode,
      geometry: JSON.stringify(input.geometry), min_lon: box.minX, min_lat: box.minY, max_lon: box.maxX, max_lat: box.maxY,
      active_periods: JSON.stringify(input.activePeriods), speaker_ids: JSON.stringify(input.speakerIds),
      description: input.description ?? null, version: 1, created_at: now, updated_at: now,
    };
    await db.transaction().execute(async (trx) => {
      await zonesRepo.insert(trx, row);
      await zonesRepo.replaceContacts(trx, id, this.contactRows(id, input.contacts, now));
      await this.p.audit.record(trx, actor, {
        action: 'zone.create', entityType: 'zone', entityId: id, areaCode: input.areaCode,
        detail: { code, name: input.name, kind: input.kind, riskLevel: input.riskLevel, speakers: input.speakerIds.length, contacts: input.contacts.length },
      });
    });
    this.index.upsert(indexedOf(row));
    this.p.bus.emit('zone.changed', { id, version: 1, areaCode: input.areaCode, deleted: false });
    return this.get(actor, id);
  }

  async update(actor: Actor, id: string, input: UpdateZoneInput): Promise<ZoneView> {
    requirePermission(actor, 'rules:write');
    const current = await this.loadInScope(actor, id);
    if (input.expectedVersion !== undefined && input.expectedVersion !== current.version) {
      throw errors.conflict('zone.version_conflict', 'Someone else changed this zone; reload it and try again.', { version: current.version });
    }
    if (input.areaCode) await this.checkArea(actor, input.areaCode);
    if (input.speakerIds) await this.checkSpeakers(actor, input.speakerIds);
    if (input.contacts) await this.checkContactUsers(actor, input.contacts);
    const now = this.p.clock.now().toISOString();
    const patch: Partial<ZoneRow> = { version: current.version + 1, updated_at: now };
    const changed: string[] = [];
    const set = <K extends keyof ZoneRow>(field: string, key: K, value: ZoneRow[K] | undefined) => {
      if (value === undefined) return;
      patch[key] = value;
      changed.push(field);
    };
    set('name', 'name', input.name);
    set('kind', 'kind', input.kind);
    set('riskLevel', 'risk_level', input.riskLevel);
    set('areaCode', 'area_code', input.areaCode);
    set('description', 'description', input.description);
    set('activePeriods', 'active_periods', input.activePeriods && JSON.stringify(input.activePeriods));
    set('speakers', 'speaker_ids', input.speakerIds && JSON.stringify(input.speakerIds));
    if (input.geometry !== undefined) {
      const box = bboxOf(input.geometry);
      Object.assign(patch, { geometry: JSON.stringify(input.geometry), min_lon: box.minX, min_lat: box.minY, max_lon: box.maxX, max_lat: box.maxY });
      changed.push('geometry');
    }
    if (input.contacts !== undefined) changed.push('contacts');
    await this.p.db.kysely.transaction().execute(async (trx) => {
      if (!(await zonesRepo.update(trx, id, current.version, patch))) {
        throw errors.conflict('zone.version_conflict', 'Someone else changed this zone; reload it and try again.');
      }
      if (input.contacts) await zonesRepo.replaceContacts(trx, id, this.contactRows(id, input.contacts, now));
      await this.p.audit.record(trx, actor, { action: 'zone.update', entityType: 'zone', entityId: id, areaCode: current.area_code, detail: { changed } });
    });
    const row = await zonesRepo.get(this.p.db.kysely, id);
    if (row) this.index.upsert(indexedOf(row));
    this.p.bus.emit('zone.changed', { id, version: current.version + 1, areaCode: row?.area_code ?? current.area_code, deleted: false });
    return this.get(actor, id);
  }

  async remove(actor: Actor, id: string): Promise<void> {
    requirePermission(actor, 'rules:write');
    const current = await this.loadInScope(actor, id);
    await this.p.db.kysely.transaction().execute(async (trx) => {
      await zonesRepo.delete(trx, id);
      await this.p.audit.record(trx, actor, { action: 'zone.delete', entityType: 'zone', entityId: id, areaCode: current.area_code, detail: { code: current.code, name: current.name } });
    });
    this.index.remove(id);
    this.p.bus.emit('zone.changed', { id, version: current.version + 1, areaCode: current.area_code, deleted: true });
  }

  /** Imports zones from a GeoJSON FeatureCollection; a feature whose code exists updates that zone. */
  async import(actor: Actor, features: { geometry: unknown; properties: Record<string, unknown> | null }[]) {
    requirePermission(actor, 'rules:write');
    const out = { created: 0, updated: 0, rejected: [] as { index: number; code: string | null; reason?: string; errors: FieldIssue[] }[] };
    for (const [index, f] of features.entries()) {
      const props = f.properties ?? {};
      const code = typeof props.code === 'string' ? props.code : null;
      const parsed = createZoneBody.safeParse({ ...props, geometry: f.geometry });
      if (!parsed.success) {
        out.rejected.push({ index, code, errors: parsed.error.issues.map((i) => ({ field: i.path.join('.') || '(feature)', message: i.message })) });
        continue;
      }
      try {
        const existing = parsed.data.code ? await zonesRepo.byCode(this.p.db.kysely, parsed.data.code) : undefined;
        if (existing) {
          const { code: _code, ...rest } = parsed.data;
          // Lists the feature does not carry keep their stored values (the schema's defaults are for new zones).
          const patch: UpdateZoneInput = { ...rest };
          for (const k of ['activePeriods', 'speakerIds', 'contacts'] as const) if (!(k in props)) delete patch[k];
          await this.update(actor, existing.id, patch);
          out.updated++;
        } else {
          await this.create(actor, parsed.data);
          out.created++;
        }
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        // The error code lets the interface say why in the user's words (e.g. the area is outside their scope).
        const issues = isDomainError(err) ? (err.details as { issues?: FieldIssue[] } | undefined)?.issues : undefined;
        out.rejected.push({ index, code, ...(isDomainError(err) ? { reason: err.code } : {}), errors: issues?.length ? issues : [{ field: '(feature)', message }] });
      }
    }
    return out;
  }

  /** Names and phones of a zone's contacts in full: needs pii:reveal; the read is audited. */
  async revealContacts(actor: Actor, id: string): Promise<{ id: string; role: string; name: string | null; phone: string | null }[]> {
    requirePermission(actor, 'pii:reveal');
    const zone = await this.loadInScope(actor, id);
    const db = this.p.db.kysely;
    const contacts = await zonesRepo.contacts(db, [id]);
    await this.p.audit.personalDataRead(db, actor, 'zone', id, zone.area_code, ['contacts.name', 'contacts.phone']);
    return contacts.map((c) => ({
      id: c.id,
      role: c.role,
      name: c.name_enc ? this.p.pii.decrypt(c.name_enc) : c.user_name,
      phone: c.phone_enc ? this.p.pii.decrypt(c.phone_enc) : null,
    }));
  }

  /** Contacts of zones for notification (no scope check: the engine acts for the system). */
  async contactsOf(db: Executor, zoneIds: readonly string[]): Promise<(ContactWithUser & { name: string | null; phone: string | null })[]> {
    const rows = await zonesRepo.contacts(db, zoneIds);
    return rows.map((c) => ({ ...c, name: c.name_enc ? this.p.pii.decrypt(c.name_enc) : c.user_name, phone: c.phone_enc ? this.p.pii.decrypt(c.phone_enc) : null }));
  }

  // ---- the school-holiday calendar -------------------------------------------------------------------------------

  async listHolidays(actor: Actor) {
    requirePermission(actor, 'alerts:read');
    const rows = await zonesRepo.holidaysOf(this.p.db.kysely, actor.scope);
    return rows.map((h) => ({ id: h.id, areaCode: h.area_code, name: h.name, from: h.from_date, to: h.to_date }));
  }

  async replaceHolidays(actor: Actor, areaCode: string, items: { name: string; from: string; to: string }[]) {
    requirePermission(actor, 'rules:write');
    await this.checkArea(actor, areaCode);
    const now = this.p.clock.now().toISOString();
    await this.p.db.kysely.transaction().execute(async (trx) => {
      await zonesRepo.replaceHolidays(trx, areaCode, items.map((h) => ({ id: newId(), area_code: areaCode, name: h.name, from_date: h.from, to_date: h.to, created_at: now })));
      await this.p.audit.record(trx, actor, { action: 'holidays.replace', entityType: 'area', entityId: areaCode, areaCode, detail: { items } });
    });
    await this.reloadHolidays();
    return (await this.listHolidays(actor)).filter((h) => h.areaCode === areaCode);
  }

  private async reloadHolidays(): Promise<void> {
    this.holidayRanges = (await zonesRepo.holidays(this.p.db.kysely)).map((h) => ({ areaCode: h.area_code, from: h.from_date, to: h.to_date }));
  }

  // ---- helpers -----------------------------------------------------------------------------------------------------

  private async loadInScope(actor: Actor, id: string): Promise<ZoneWithArea> {
    const row = await zonesRepo.get(this.p.db.kysely, id);
    assertInScope(actor, row?.area_code, 'zone', id);
    return row!;
  }

  private async checkArea(actor: Actor, areaCode: string): Promise<void> {
    if (!inScope(actor, areaCode)) throw errors.notFound('area', areaCode);
    await this.areas.get(actor, areaCode);
  }

  /** Loudspeakers must exist in the caller's scope and be able to broadcast. */
  private async checkSpeakers(actor: Actor, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const found = new Map((await this.devices.get(ids)).map((d) => [d.id, d]));
    const issues: FieldIssue[] = [];
    ids.forEach((id, i) => {
      const d = found.get(id);
      if (!d || !inScope(actor, d.areaCode)) issues.push({ field: `speakerIds.${i}`, message: `no device ${id} in your area` });
      else if (!d.capabilities.includes('broadcast')) issues.push({ field: `speakerIds.${i}`, message: `${d.name} cannot broadcast` });
    });
    if (issues.length) throw errors.validation('zone.invalid_speakers', issues[0]!.message, issues);
  }

  private async checkContactUsers(actor: Actor, contacts: readonly ContactInput[]): Promise<void> {
    const ids = contacts.map((c) => c.userId).filter((v): v is string => !!v);
    if (ids.length === 0) return;
    const found = new Set((await zonesRepo.usersInScope(this.p.db.kysely, ids, actor.scope)).map((u) => u.id));
    const missing = ids.find((id) => !found.has(id));
    if (missing) throw errors.validation('zone.invalid_contact', `no user ${missing} in your area`, [{ field: 'contacts', message: `no user ${missing} in your area` }]);
  }

  private contactRows(zoneId: string, contacts: readonly ContactInput[], now: string): ZoneContactRow[] {
    return contacts.map((c) => ({
      id: newId(),
      zone_id: zoneId,
      role: c.role,
      user_id: c.userId ?? null,
      name_enc: c.name ? this.p.pii.encrypt(c.name) : null,
      phone_enc: c.phone ? this.p.pii.encrypt(c.phone) : null,
      created_at: now,
    }));
  }

  private async present(rows: ZoneWithArea[]): Promise<ZoneView[]> {
    const db = this.p.db.kysely;
    const contacts = await zonesRepo.contacts(db, rows.map((r) => r.id));
    const speakerIds = [...new Set(rows.flatMap((r) => JSON.parse(r.speaker_ids) as string[]))];
    const speakers = new Map((await this.devices.get(speakerIds)).map((d) => [d.id, d]));
    const now = this.p.clock.now();
    return rows.map((r) => {
      const geometry = zoneGeometrySchema.parse(JSON.parse(r.geometry));
      const periods = periodsSchema.parse(JSON.parse(r.active_periods));
      return {
        id: r.id,
        code: r.code,
        name: r.name,
        kind: r.kind,
        riskLevel: r.risk_level,
        areaCode: r.area_code,
        areaName: r.area_name,
        geometry,
        centre: centreOf(geometry),
        activePeriods: periods,
        activeNow: isActive(periods, now, r.area_code, this.holidayRanges),
        speakers: (JSON.parse(r.speaker_ids) as string[]).map((id) => {
          const d = speakers.get(id);
          return { id, code: d?.code ?? null, name: d?.name ?? null, online: d ? d.online : null };
        }),
        contacts: contacts
          .filter((c) => c.zone_id === r.id)
          .map((c) => ({
            id: c.id,
            role: c.role,
            userId: c.user_id,
            userName: c.user_name,
            nameMasked: c.name_enc ? maskName(this.p.pii.decrypt(c.name_enc)) : null,
            phoneMasked: c.phone_enc ? maskPhone(this.p.pii.decrypt(c.phone_enc)) : null,
          })),
        description: r.description,
        version: r.version,
        createdAt: r.created_at,
        updatedAt: r.updated_at,
      };
    });
  }
}
