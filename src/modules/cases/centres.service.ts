// One-stop mediation centres (一站式矛盾纠纷调处化解中心) at city, county and town level, their mediators (including
// backpack mediators attached to villages) and the departments that join in handling cases.
import type { Actor } from '../../platform/access.ts';
import { assertInScope, inScope, requirePermission, scopePrefix } from '../../platform/access.ts';
import type { Platform } from '../../platform/context.ts';
import { maskPhone, newId } from '../../platform/crypto.ts';
import { errors } from '../../platform/errors.ts';
import { accountsRepo } from '../accounts/accounts.repo.ts';
import { areasRepo } from '../areas/areas.repo.ts';
import { ancestorsOf } from '../areas/areas.service.ts';
import { caseTypes, centreLevelOf, type CaseType } from './cases.policy.ts';
import type {
  CentreView,
  CreateCentreInput,
  CreateMediatorInput,
  DepartmentView,
  MediatorView,
  UpdateCentreInput,
  UpdateMediatorInput,
} from './cases.schema.ts';
import { centresRepo, type CentreWithCounts, type DepartmentWithArea, type MediatorWithLoad } from './centres.repo.ts';

export class CentresService {
  constructor(private readonly p: Platform) {}

  async listCentres(actor: Actor): Promise<CentreView[]> {
    requirePermission(actor, 'cases:read');
    return (await centresRepo.listCentres(this.p.db.kysely, actor.scope)).map(presentCentre);
  }

  async getCentre(actor: Actor, id: string): Promise<CentreView> {
    requirePermission(actor, 'cases:read');
    const c = await centresRepo.getCentre(this.p.db.kysely, id);
    assertInScope(actor, c?.area_code, 'centre', id);
    return presentCentre(c!);
  }

  async createCentre(actor: Actor, input: CreateCentreInput): Promise<CentreView> {
    requirePermission(actor, 'cases:manage');
    const level = centreLevelOf(input.areaCode);
    if (!level) throw errors.validation('centre.level', 'A centre belongs to a city, a county or a town.', [{ field: 'areaCode', message: 'a city, county or town code' }]);
    await this.areaInScope(actor, input.areaCode);
    if (level === 'county' && !input.leaderName) {
      throw errors.validation('centre.leader_required', 'A county centre needs a responsible leader (包案领导).', [{ field: 'leaderName', message: 'required at county level' }]);
    }
    const db = this.p.db.kysely;
    if (await centresRepo.centreByArea(db, input.areaCode)) {
      throw errors.conflict('centre.exists', `There is already a mediation centre for ${input.areaCode}.`);
    }
    const now = this.p.clock.now().toISOString();
    const id = newId();
    await db.transaction().execute(async (trx) => {
      await centresRepo.insertCentre(trx, {
        id, area_code: input.areaCode, level, name: input.name, leader_name: input.leaderName ?? null, phone: input.phone ?? null,
        address: input.address ?? null, active: 1, created_at: now, updated_at: now,
      });
      await this.p.audit.record(trx, actor, { action: 'centre.create', entityType: 'centre', entityId: id, areaCode: input.areaCode, detail: { name: input.name, level } });
    });
    return this.getCentre(actor, id);
  }

  async updateCentre(actor: Actor, id: string, input: UpdateCentreInput): Promise<CentreView> {
    requirePermission(actor, 'cases:manage');
    const current = await this.getCentre(actor, id);
    if (current.level === 'county' && input.leaderName === null) {
      throw errors.validation('centre.leader_required', 'A county centre needs a responsible leader (包案领导).', [{ field: 'leaderName', message: 'required at county level' }]);
    }
    const patch: Parameters<typeof centresRepo.updateCentre>[2] = { updated_at: this.p.clock.now().toISOString() };
    if (input.name !== undefined) patch.name = input.name;
    if (input.leaderName !== undefined) patch.leader_name = input.leaderName;
    if (input.phone !== undefined) patch.phone = input.phone;
    if (input.address !== undefined) patch.address = input.address;
    if (input.active !== undefined) patch.active = input.active ? 1 : 0;
    await this.p.db.kysely.transaction().execute(async (trx) => {
      await centresRepo.updateCentre(trx, id, patch);
      await this.p.audit.record(trx, actor, { action: 'centre.update', entityType: 'centre', entityId: id, areaCode: current.areaCode, detail: { ...input } });
    });
    return this.getCentre(actor, id);
  }

  // ---- mediators -----------------------------------------------------------------------------------------------

  async listMediators(actor: Actor, f: { centreId?: string | undefined; areaCode?: string | undefined }): Promise<MediatorView[]> {
    requirePermission(actor, 'cases:read');
    if (f.areaCode && !inScope(actor, f.areaCode)) throw errors.notFound('area', f.areaCode);
    const rows = await centresRepo.listMediators(this.p.db.kysely, actor.scope, f);
    return rows.map((r) => this.presentMediator(r));
  }

  async getMediator(actor: Actor, id: string): Promise<MediatorView> {
    requirePermission(actor, 'cases:read');
    const m = await centresRepo.getMediator(this.p.db.kysely, id);
    assertInScope(actor, m?.area_code, 'mediator', id);
    return this.presentMediator(m!);
  }

  async createMediator(actor: Actor, input: CreateMediatorInput): Promise<MediatorView> {
    requirePermission(actor, 'cases:manage');
    const centre = await this.getCentre(actor, input.centreId);
    await this.checkMediatorArea(actor, centre, input.areaCode);
    const db = this.p.db.kysely;
    if (input.userId) await this.checkMediatorUser(actor, input.userId, input.areaCode);
    const now = this.p.clock.now().toISOString();
    const id = newId();
    await db.transaction().execute(async (trx) => {
      await centresRepo.insertMediator(trx, {
        id, centre_id: centre.id, user_id: input.userId ?? null, name: input.name, phone_enc: input.phone ? this.p.pii.encrypt(input.phone) : null,
        area_code: input.areaCode, kind: input.kind, specialities: JSON.stringify(input.specialities), capacity: input.capacity, active: 1,
        created_at: now, updated_at: now,
      });
      await this.p.audit.record(trx, actor, {
        action: 'mediator.create', entityType: 'mediator', entityId: id, areaCode: input.areaCode,
        detail: { name: input.name, centreId: centre.id, kind: input.kind, userId: input.userId ?? null, phone: input.phone ? 'set' : 'none' },
      });
    });
    return this.getMediator(actor, id);
  }

  async updateMediator(actor: Actor, id: string, input: UpdateMediatorInput): Promise<MediatorView> {
    requirePermission(actor, 'cases:manage');
    const current = await this.getMediator(actor, id);
    if (input.areaCode !== undefined) {
      await this.checkMediatorArea(actor, await this.getCentre(actor, current.centreId), input.areaCode);
      if (current.userId) await this.checkMediatorUser(actor, current.userId, input.areaCode, id);
    }
    const patch: Parameters<typeof centresRepo.updateMediator>[2] = { updated_at: this.p.clock.now().toISOString() };
    const { phone: _phone, ...changed }: Record<string, unknown> = { ...input };
    if (input.name !== undefined) patch.name = input.name;
    if (input.areaCode !== undefined) patch.area_code = input.areaCode;
    if (input.kind !== undefined) patch.kind = input.kind;
    if (input.specialities !== undefined) patch.specialities = JSON.stringify(input.specialities);
    if (input.capacity !== undefined) patch.capacity = input.capacity;
    if (input.active !== undefined) patch.active = input.active ? 1 : 0;
    if (input.phone !== undefined) {
      patch.phone_enc = input.phone ? this.p.pii.encrypt(input.phone) : null;
      changed.phone = input.phone ? 'changed' : 'removed';
    }
    await this.p.db.kysely.transaction().execute(async (trx) => {
      await centresRepo.updateMediator(trx, id, patch);
      await this.p.audit.record(trx, actor, { action: 'mediator.update', entityType: 'mediator', entityId: id, areaCode: current.areaCode, detail: changed });
    });
    return this.getMediator(actor, id);
  }

  // ---- departments ---------------------------------------------------------------------------------------------

  async listDepartments(actor: Actor): Promise<DepartmentView[]> {
    requirePermission(actor, 'cases:read');
    return (await centresRepo.listDepartments(this.p.db.kysely, actor.scope, actor.areaCode ? ancestorsOf(actor.areaCode) : [])).map(presentDepartment);
  }

  async createDepartment(actor: Actor, input: { areaCode: string; name: string; kind: string; contact?: string | undefined }): Promise<DepartmentView> {
    requirePermission(actor, 'cases:manage');
    await this.areaInScope(actor, input.areaCode);
    const id = newId();
    const row = { id, area_code: input.areaCode, name: input.name, kind: input.kind, contact: input.contact ?? null, created_at: this.p.clock.now().toISOString() };
    await this.p.db.kysely.transaction().execute(async (trx) => {
      await centresRepo.insertDepartment(trx, row);
      await this.p.audit.record(trx, actor, { action: 'department.create', entityType: 'department', entityId: id, areaCode: input.areaCode, detail: { name: input.name, kind: input.kind } });
    });
    const area = await areasRepo.get(this.p.db.kysely, input.areaCode);
    return presentDepartment({ ...row, area_name: area?.name ?? null });
  }

  // ---- helpers -------------------------------------------------------------------------------------------------

  private async areaInScope(actor: Actor, areaCode: string): Promise<void> {
    const area = await areasRepo.get(this.p.db.kysely, areaCode);
    assertInScope(actor, area?.code, 'area', areaCode);
  }

  /** A mediator serves inside the centre's area (a backpack mediator: a village of it). */
  private async checkMediatorArea(actor: Actor, centre: CentreView, areaCode: string): Promise<void> {
    await this.areaInScope(actor, areaCode);
    if (!areaCode.startsWith(scopePrefix(centre.areaCode))) {
      throw errors.validation('mediator.area_outside_centre', `A mediator of ${centre.name} serves inside its area (${centre.areaCode}).`, [
        { field: 'areaCode', message: `must be inside ${centre.areaCode}` },
      ]);
    }
  }

  /** The linked account must exist in scope, be free, and be able to read the cases of the mediator's area. */
  private async checkMediatorUser(actor: Actor, userId: string, areaCode: string, selfId?: string): Promise<void> {
    const db = this.p.db.kysely;
    const user = await accountsRepo.findUser(db, userId);
    assertInScope(actor, user?.area_code, 'user', userId);
    const taken = await centresRepo.mediatorByUser(db, userId);
    if (taken && taken.id !== selfId) throw errors.conflict('mediator.user_taken', 'This account already belongs to another mediator.');
    if (!areaCode.startsWith(scopePrefix(user!.area_code)) && !scopePrefix(user!.area_code).startsWith(areaCode)) {
      throw errors.validation('mediator.user_area', "The mediator's account cannot see the area the mediator serves.", [
        { field: 'userId', message: `the account is bound to ${user!.area_code}` },
      ]);
    }
  }

  private presentMediator(m: MediatorWithLoad): MediatorView {
    return {
      id: m.id,
      centreId: m.centre_id,
      centreName: m.centre_name,
      userId: m.user_id,
      username: m.username,
      name: m.name,
      phoneMasked: m.phone_enc ? maskPhone(this.p.pii.decrypt(m.phone_enc)) : null,
      areaCode: m.area_code,
      areaName: m.area_name,
      kind: m.kind,
      specialities: parseSpecialities(m.specialities),
      capacity: m.capacity,
      load: m.load,
      active: m.active === 1,
    };
  }
}

export function parseSpecialities(json: string): CaseType[] {
  const v = JSON.parse(json) as unknown;
  return Array.isArray(v) ? v.filter((x): x is CaseType => (caseTypes as readonly unknown[]).includes(x)) : [];
}

function presentCentre(c: CentreWithCounts): CentreView {
  return {
    id: c.id,
    areaCode: c.area_code,
    areaName: c.area_name,
    level: c.level,
    name: c.name,
    leaderName: c.leader_name,
    phone: c.phone,
    address: c.address,
    active: c.active === 1,
    mediatorCount: c.mediator_count,
    openCases: c.open_cases,
  };
}

function presentDepartment(d: DepartmentWithArea): DepartmentView {
  return { id: d.id, areaCode: d.area_code, areaName: d.area_name, name: d.name, kind: d.kind, contact: d.contact };
}
