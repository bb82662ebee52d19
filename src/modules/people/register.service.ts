// The register: buildings, households and residents, and moves between households kept as history.
import type { Actor } from '../../platform/access.ts';
import { assertInScope, inScope, requirePermission } from '../../platform/access.ts';
import type { Platform } from '../../platform/context.ts';
import { maskIdNumber, maskName, maskPhone, newId } from '../../platform/crypto.ts';
import type { Executor } from '../../platform/db/database.ts';
import { errors } from '../../platform/errors.ts';
import { areasRepo } from '../areas/areas.repo.ts';
import { parseIdNumber } from './idcard.ts';
import { peopleRepo, type HouseholdWithNames } from './people.repo.ts';
import type { z } from 'zod';
import type {
  BuildingView,
  CreateHouseholdInput,
  CreateResidentInput,
  HouseholdView,
  ListResidentsQuery,
  ResidentDetail,
  ResidentView,
  createBuildingBody,
  listHouseholdsQuery,
  moveResidentBody,
  updateResidentBody,
} from './people.schema.ts';
import type { PeopleBuildingRow, PeopleHouseholdRow, PeopleResidentRow } from './people.tables.ts';

/** Runs a change and its audit record in one transaction. */
export async function auditedTx<T>(p: Platform, actor: Actor, action: string, entityType: string, entityId: string, areaCode: string, detail: Record<string, unknown>, work: (trx: Executor) => Promise<T>): Promise<T> {
  return p.db.kysely.transaction().execute(async (trx) => {
    const r = await work(trx);
    await p.audit.record(trx, actor, { action, entityType, entityId, areaCode, detail });
    return r;
  });
}

export class RegisterService {
  constructor(private readonly p: Platform) {}

  /** A household's area: a village or a grid, in the actor's scope. */
  async cellArea(actor: Actor, code: string): Promise<{ code: string; name: string }> {
    const area = await areasRepo.get(this.p.db.kysely, code);
    if (!area || !inScope(actor, code)) throw errors.notFound('area', code);
    if (area.level !== 'village' && area.level !== 'grid') {
      throw errors.validation('household.area_level', 'A household belongs to a village or a grid (the lowest level of the tree).', [{ field: 'areaCode', message: `${area.name} is a ${area.level}` }]);
    }
    return area;
  }

  // ---- buildings -----------------------------------------------------------------------------------------------
  async listBuildings(actor: Actor, areaCode?: string): Promise<BuildingView[]> {
    requirePermission(actor, 'people:read');
    const rows = await peopleRepo.listBuildings(this.p.db.kysely, actor.scope, areaCode);
    return rows.map((b) => ({ id: b.id, areaCode: b.area_code, name: b.name, lon: b.lon, lat: b.lat, households: Number(b.households ?? 0) }));
  }

  async createBuilding(actor: Actor, input: z.infer<typeof createBuildingBody>): Promise<BuildingView> {
    requirePermission(actor, 'people:write');
    const area = await this.cellArea(actor, input.areaCode);
    const row: PeopleBuildingRow = { id: newId(), area_code: area.code, name: input.name, lon: input.lon ?? null, lat: input.lat ?? null, created_at: this.now() };
    await auditedTx(this.p, actor, 'building.create', 'building', row.id, row.area_code, { name: row.name }, (trx) => peopleRepo.insertBuilding(trx, row));
    return { id: row.id, areaCode: row.area_code, name: row.name, lon: row.lon, lat: row.lat, households: 0 };
  }

  // ---- households ----------------------------------------------------------------------------------------------
  async listHouseholds(actor: Actor, q: z.infer<typeof listHouseholdsQuery>): Promise<{ items: HouseholdView[]; total: number }> {
    requirePermission(actor, 'people:read');
    if (q.areaCode && !inScope(actor, q.areaCode)) throw errors.notFound('area', q.areaCode);
    const { rows, total } = await peopleRepo.listHouseholds(this.p.db.kysely, {
      scope: actor.scope, areaPrefix: q.areaCode, isKey: q.isKey === undefined ? undefined : q.isKey === 'true',
      withoutRep: q.withoutRep === undefined ? undefined : q.withoutRep === 'true', limit: q.pageSize, offset: (q.page - 1) * q.pageSize,
    });
    return { items: rows.map((r) => this.presentHousehold(r)), total };
  }

  async getHousehold(actor: Actor, id: string): Promise<HouseholdView & { residents: ResidentView[] }> {
    requirePermission(actor, 'people:read');
    const h = await this.household(actor, id);
    const { rows } = await peopleRepo.listHouseholds(this.p.db.kysely, { scope: actor.scope, ids: [h.id], limit: 1, offset: 0 });
    const residents = await this.listResidents(actor, { householdId: id, page: 1, pageSize: 200 });
    return { ...this.presentHousehold(rows[0]!), residents: residents.items };
  }

  async createHousehold(actor: Actor, input: CreateHouseholdInput): Promise<HouseholdView> {
    requirePermission(actor, 'people:write');
    const area = await this.cellArea(actor, input.areaCode);
    if (input.buildingId) {
      const b = await peopleRepo.getBuilding(this.p.db.kysely, input.buildingId);
      if (!b || b.area_code !== area.code) throw errors.validation('household.building', 'The building is not in this area.', [{ field: 'buildingId', message: 'not a building of this area' }]);
    }
    const now = this.now();
    const row: PeopleHouseholdRow = {
      id: newId(), area_code: area.code, building_id: input.buildingId ?? null, address: input.address, kind: input.kind, is_key: input.isKey ? 1 : 0,
      lon: input.lon ?? null, lat: input.lat ?? null, created_at: now, updated_at: now,
    };
    await auditedTx(this.p, actor, 'household.create', 'household', row.id, row.area_code, { address: row.address, kind: row.kind }, (trx) => peopleRepo.insertHousehold(trx, row));
    return this.presentHousehold({ ...row, area_name: area.name, members: 0, head_name_enc: null, rep_id: null });
  }

  async household(actor: Actor, id: string): Promise<PeopleHouseholdRow> {
    const h = await peopleRepo.getHouseholdRow(this.p.db.kysely, id);
    assertInScope(actor, h?.area_code, 'household', id);
    return h!;
  }

  // ---- residents -----------------------------------------------------------------------------------------------
  async listResidents(actor: Actor, q: Partial<ListResidentsQuery> & { page: number; pageSize: number }): Promise<{ items: ResidentView[]; total: number }> {
    requirePermission(actor, 'people:read');
    if (q.areaCode && !inScope(actor, q.areaCode)) throw errors.notFound('area', q.areaCode);
    const { pii } = this.p;
    const { rows, total } = await peopleRepo.listResidents(this.p.db.kysely, {
      scope: actor.scope, areaPrefix: q.areaCode, householdId: q.householdId, residenceKind: q.residenceKind,
      nameIndex: q.name ? pii.blindIndex(q.name) : undefined, idNumberIndex: q.idNumber ? pii.blindIndex(q.idNumber) : undefined, phoneIndex: q.phone ? pii.blindIndex(q.phone) : undefined,
      limit: q.pageSize, offset: (q.page - 1) * q.pageSize,
    });
    const cats = await peopleRepo.categoriesOf(this.p.db.kysely, rows.map((r) => r.id));
    return { items: rows.map((r) => this.presentResident(r, cats.get(r.id) ?? [], false)), total };
  }

  async getResident(actor: Actor, id: string, reveal = false): Promise<ResidentDetail> {
    requirePermission(actor, 'people:read');
    if (reveal) requirePermission(actor, 'pii:reveal');
    const db = this.p.db.kysely;
    const r = await this.resident(actor, id);
    if (reveal) await this.p.audit.personalDataRead(db, actor, 'resident', id, r.area_code, ['name', 'idNumber', 'phone']);
    const [cats, moves] = await Promise.all([peopleRepo.categoriesOf(db, [id]), peopleRepo.movesOf(db, id)]);
    return {
      ...this.presentResident(r, cats.get(id) ?? [], reveal),
      moves: moves.map((m) => ({ id: m.id, fromHouseholdId: m.from_household_id, toHouseholdId: m.to_household_id, fromAreaCode: m.from_area_code, toAreaCode: m.to_area_code, reason: m.reason, movedAt: m.moved_at, actorName: m.actor_name })),
    };
  }

  async createResident(actor: Actor, input: CreateResidentInput): Promise<ResidentDetail> {
    requirePermission(actor, 'people:write');
    const h = await this.household(actor, input.householdId);
    const parsed = parseIdNumber(input.idNumber);
    if (!parsed.ok) throw errors.validation('resident.id_number', parsed.reason, [{ field: 'idNumber', message: parsed.reason }]);
    const { pii } = this.p;
    const idIndex = pii.blindIndex(parsed.value);
    if (await peopleRepo.residentByIdIndex(this.p.db.kysely, idIndex)) {
      throw errors.conflict('resident.duplicate', 'A resident with this ID number is already registered; move them instead.', { field: 'idNumber' });
    }
    const now = this.now();
    const registered = input.registeredAreaCode ?? parsed.facts.areaCode;
    const row: PeopleResidentRow = {
      id: newId(), area_code: h.area_code, household_id: h.id, household_role: input.householdRole,
      name_enc: pii.encrypt(input.name), name_index: pii.blindIndex(input.name), id_number_enc: pii.encrypt(parsed.value), id_number_index: idIndex,
      phone_enc: input.phone ? pii.encrypt(input.phone) : null, phone_index: input.phone ? pii.blindIndex(input.phone) : null,
      gender: parsed.facts.gender, birth_year: parsed.facts.birthYear, registered_area_code: registered,
      residence_kind: input.residenceKind ?? (h.area_code.startsWith(registered) ? 'registered' : 'floating'),
      status: 'active', created_at: now, updated_at: now,
    };
    await auditedTx(this.p, actor, 'resident.create', 'resident', row.id, row.area_code, { householdId: h.id, role: row.household_role, residenceKind: row.residence_kind }, (trx) => peopleRepo.insertResident(trx, row));
    return this.getResident(actor, row.id);
  }

  async updateResident(actor: Actor, id: string, input: z.infer<typeof updateResidentBody>): Promise<ResidentDetail> {
    requirePermission(actor, 'people:write');
    const r = await this.resident(actor, id);
    const { pii } = this.p;
    const patch: Partial<PeopleResidentRow> = { updated_at: this.now() };
    if (input.phone !== undefined) Object.assign(patch, { phone_enc: input.phone ? pii.encrypt(input.phone) : null, phone_index: input.phone ? pii.blindIndex(input.phone) : null });
    if (input.householdRole !== undefined) patch.household_role = input.householdRole;
    if (input.residenceKind !== undefined) patch.residence_kind = input.residenceKind;
    if (input.status !== undefined) patch.status = input.status;
    const detail = Object.fromEntries(Object.entries(input).map(([k, v]) => [k, k === 'phone' ? 'changed' : v]));
    await auditedTx(this.p, actor, 'resident.update', 'resident', id, r.area_code, detail, (trx) => peopleRepo.updateResident(trx, id, patch));
    return this.getResident(actor, id);
  }

  /** Moves a resident to another household (or out); the move is kept as history, the old household is not rewritten. */
  async moveResident(actor: Actor, id: string, input: z.infer<typeof moveResidentBody>): Promise<ResidentDetail> {
    requirePermission(actor, 'people:write');
    const r = await this.resident(actor, id);
    if (r.status !== 'active') throw errors.invalidState('resident.not_active', 'Only a resident who lives here can move.');
    const to = input.toHouseholdId ? await this.household(actor, input.toHouseholdId) : null;
    if (to && to.id === r.household_id) throw errors.validation('resident.same_household', 'The resident already lives in this household.', [{ field: 'toHouseholdId', message: 'the same household' }]);
    const now = this.now();
    await auditedTx(this.p, actor, 'resident.move', 'resident', id, r.area_code, { from: r.household_id, to: to?.id ?? null, reason: input.reason }, async (trx) => {
      await peopleRepo.insertMove(trx, { id: newId(), resident_id: id, from_household_id: r.household_id, to_household_id: to?.id ?? null, from_area_code: r.area_code, to_area_code: to?.area_code ?? null, reason: input.reason, moved_at: now, actor_name: actor.displayName });
      await peopleRepo.updateResident(trx, id, to ? { household_id: to.id, area_code: to.area_code, household_role: input.householdRole, updated_at: now } : { household_id: null, status: 'moved_out', updated_at: now });
      // The key-person record follows the person to where they now live.
      if (to) await trx.updateTable('key_persons').set({ area_code: to.area_code, updated_at: now }).where('resident_id', '=', id).execute();
    });
    return this.getResident(actor, id);
  }

  async resident(actor: Actor, id: string): Promise<PeopleResidentRow> {
    const r = await peopleRepo.getResident(this.p.db.kysely, id);
    assertInScope(actor, r?.area_code, 'resident', id);
    return r!;
  }

  presentHousehold(r: HouseholdWithNames): HouseholdView {
    return {
      id: r.id, areaCode: r.area_code, areaName: r.area_name, buildingId: r.building_id, address: r.address, kind: r.kind, isKey: r.is_key === 1,
      lon: r.lon, lat: r.lat, members: r.members, headName: r.head_name_enc ? maskName(this.p.pii.decrypt(r.head_name_enc)) : null, repId: r.rep_id,
    };
  }

  presentResident(r: PeopleResidentRow, keyCategories: string[], reveal: boolean): ResidentView {
    const { pii } = this.p;
    const name = pii.decrypt(r.name_enc);
    const idNumber = pii.decrypt(r.id_number_enc);
    const phone = r.phone_enc ? pii.decrypt(r.phone_enc) : null;
    return {
      id: r.id, areaCode: r.area_code, householdId: r.household_id, householdRole: r.household_role,
      name: reveal ? name : maskName(name), idNumber: reveal ? idNumber : maskIdNumber(idNumber), phone: phone ? (reveal ? phone : maskPhone(phone)) : null,
      gender: r.gender, birthYear: r.birth_year, registeredAreaCode: r.registered_area_code, residenceKind: r.residence_kind, status: r.status, keyCategories,
    };
  }

  private now(): string {
    return this.p.clock.now().toISOString();
  }
}
