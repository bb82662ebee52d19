// SQL for mediation centres, mediators and the departments that join in handling cases.
import type { Executor } from '../../platform/db/database.ts';
import { prefixPattern } from '../../platform/db/dialect.ts';
import { openStates } from './cases.policy.ts';
import type { CaseDepartmentRow, MediationCentreRow, MediatorRow } from './cases.tables.ts';

export type CentreWithCounts = MediationCentreRow & { area_name: string | null; mediator_count: number; open_cases: number };
export type MediatorWithLoad = MediatorRow & {
  centre_name: string | null;
  area_name: string | null;
  username: string | null;
  user_area_code: string | null;
  load: number;
};
export type DepartmentWithArea = CaseDepartmentRow & { area_name: string | null };

function centres(db: Executor) {
  return db
    .selectFrom('mediation_centres')
    .leftJoin('areas', 'areas.code', 'mediation_centres.area_code')
    .selectAll('mediation_centres')
    .select((eb) => [
      'areas.name as area_name',
      eb
        .selectFrom('mediators')
        .select((e) => e.fn.countAll<number>().as('n'))
        .whereRef('mediators.centre_id', '=', 'mediation_centres.id')
        .where('mediators.active', '=', 1)
        .as('mediator_count'),
      eb
        .selectFrom('cases')
        .select((e) => e.fn.countAll<number>().as('n'))
        .whereRef('cases.centre_id', '=', 'mediation_centres.id')
        .where('cases.state', 'in', openStates)
        .as('open_cases'),
    ]);
}

function mediators(db: Executor) {
  return db
    .selectFrom('mediators')
    .leftJoin('mediation_centres', 'mediation_centres.id', 'mediators.centre_id')
    .leftJoin('areas', 'areas.code', 'mediators.area_code')
    .leftJoin('users', 'users.id', 'mediators.user_id')
    .selectAll('mediators')
    .select((eb) => [
      'mediation_centres.name as centre_name',
      'areas.name as area_name',
      'users.username as username',
      'users.area_code as user_area_code',
      eb
        .selectFrom('cases')
        .select((e) => e.fn.countAll<number>().as('n'))
        .whereRef('cases.mediator_id', '=', 'mediators.id')
        .where('cases.state', 'in', ['assigned', 'mediating'])
        .as('load'),
    ]);
}

function numbers<T extends { load?: unknown; mediator_count?: unknown; open_cases?: unknown }>(r: T): T {
  // Counts of sub-selects: keep them plain numbers whatever the engine's driver hands back.
  const out = { ...r } as Record<string, unknown>;
  for (const k of ['load', 'mediator_count', 'open_cases']) if (k in out) out[k] = Number(out[k] ?? 0);
  return out as T;
}

export const centresRepo = {
  async insertCentre(db: Executor, row: MediationCentreRow): Promise<void> {
    await db.insertInto('mediation_centres').values(row).execute();
  },

  async updateCentre(db: Executor, id: string, patch: Partial<MediationCentreRow>): Promise<void> {
    await db.updateTable('mediation_centres').set(patch).where('id', '=', id).execute();
  },

  async getCentre(db: Executor, id: string): Promise<CentreWithCounts | undefined> {
    const r = await centres(db).where('mediation_centres.id', '=', id).executeTakeFirst();
    return r ? numbers(r as CentreWithCounts) : undefined;
  },

  async centreByArea(db: Executor, areaCode: string): Promise<MediationCentreRow | undefined> {
    return db.selectFrom('mediation_centres').selectAll().where('area_code', '=', areaCode).executeTakeFirst();
  },

  async activeCentresByAreas(db: Executor, codes: string[]): Promise<MediationCentreRow[]> {
    if (codes.length === 0) return [];
    return db.selectFrom('mediation_centres').selectAll().where('area_code', 'in', codes).where('active', '=', 1).execute();
  },

  async listCentres(db: Executor, scope: string): Promise<CentreWithCounts[]> {
    const rows = await centres(db)
      .where('mediation_centres.area_code', 'like', prefixPattern(scope))
      .orderBy('mediation_centres.area_code')
      .execute();
    return rows.map((r) => numbers(r as CentreWithCounts));
  },

  async insertMediator(db: Executor, row: MediatorRow): Promise<void> {
    await db.insertInto('mediators').values(row).execute();
  },

  async updateMediator(db: Executor, id: string, patch: Partial<MediatorRow>): Promise<void> {
    await db.updateTable('mediators').set(patch).where('id', '=', id).execute();
  },

  async getMediator(db: Executor, id: string): Promise<MediatorWithLoad | undefined> {
    const r = await mediators(db).where('mediators.id', '=', id).executeTakeFirst();
    return r ? numbers(r as MediatorWithLoad) : undefined;
  },

  async mediatorByUser(db: Executor, userId: string): Promise<MediatorRow | undefined> {
    return db.selectFrom('mediators').selectAll().where('user_id', '=', userId).executeTakeFirst();
  },

  async listMediators(db: Executor, scope: string, f: { centreId?: string | undefined; areaCode?: string | undefined }): Promise<MediatorWithLoad[]> {
    let q = mediators(db).where('mediators.area_code', 'like', prefixPattern(scope));
    if (f.centreId) q = q.where('mediators.centre_id', '=', f.centreId);
    if (f.areaCode) q = q.where('mediators.area_code', 'like', prefixPattern(f.areaCode));
    const rows = await q.orderBy('mediators.area_code').orderBy('mediators.name').execute();
    return rows.map((r) => numbers(r as MediatorWithLoad));
  },

  async mediatorsOfCentre(db: Executor, centreId: string): Promise<MediatorWithLoad[]> {
    const rows = await mediators(db).where('mediators.centre_id', '=', centreId).execute();
    return rows.map((r) => numbers(r as MediatorWithLoad));
  },

  async insertDepartment(db: Executor, row: CaseDepartmentRow): Promise<void> {
    await db.insertInto('case_departments').values(row).execute();
  },

  async getDepartment(db: Executor, id: string): Promise<CaseDepartmentRow | undefined> {
    return db.selectFrom('case_departments').selectAll().where('id', '=', id).executeTakeFirst();
  },

  /** Departments in the scope, and those of the areas above it (a town works with the county's labour bureau). */
  async listDepartments(db: Executor, scope: string, above: string[]): Promise<DepartmentWithArea[]> {
    return db
      .selectFrom('case_departments')
      .leftJoin('areas', 'areas.code', 'case_departments.area_code')
      .selectAll('case_departments')
      .select('areas.name as area_name')
      .where((eb) =>
        eb.or([eb('case_departments.area_code', 'like', prefixPattern(scope)), ...(above.length ? [eb('case_departments.area_code', 'in', above)] : [])]),
      )
      .orderBy('case_departments.area_code')
      .orderBy('case_departments.name')
      .execute();
  },
};
