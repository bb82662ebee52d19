// SQL for cases: the case row, its parties, reports, timeline, timers, attachments and joined departments.
import type { Executor } from '../../platform/db/database.ts';
import { prefixPattern, startsWith, type Dialect } from '../../platform/db/dialect.ts';
import { openStates, type CaseState } from './cases.policy.ts';
import type {
  CaseAttachmentRow,
  CaseDepartmentLinkRow,
  CaseEventRow,
  CasePartyRow,
  CaseReportRow,
  CaseRow,
  CaseTimerRow,
} from './cases.tables.ts';

export type CaseWithNames = CaseRow & {
  area_name: string | null;
  centre_name: string | null;
  mediator_name: string | null;
  mediator_user_id: string | null;
};

export interface CaseFilter {
  scope: string;
  states?: CaseState[] | undefined;
  type?: string | undefined;
  risk?: string | undefined;
  areaPrefix?: string | undefined;
  centreId?: string | undefined;
  overdue?: boolean | undefined;
  mediatorUserId?: string | undefined;
  q?: string | undefined;
}

function cases(db: Executor) {
  return db
    .selectFrom('cases')
    .leftJoin('areas', 'areas.code', 'cases.area_code')
    .leftJoin('mediation_centres', 'mediation_centres.id', 'cases.centre_id')
    .leftJoin('mediators', 'mediators.id', 'cases.mediator_id')
    .selectAll('cases')
    .select(['areas.name as area_name', 'mediation_centres.name as centre_name', 'mediators.name as mediator_name', 'mediators.user_id as mediator_user_id']);
}

export const casesRepo = {
  /** The next serial of a code series, atomically (one counter row per county and day). */
  async nextSerial(db: Executor, series: string): Promise<number> {
    const r = await db
      .insertInto('case_counters')
      .values({ series, value: 1 })
      .onConflict((oc) => oc.column('series').doUpdateSet((eb) => ({ value: eb('case_counters.value', '+', 1) })))
      .returning('value')
      .executeTakeFirstOrThrow();
    return Number(r.value);
  },

  async insertCase(db: Executor, row: CaseRow): Promise<void> {
    await db.insertInto('cases').values(row).execute();
  },

  async getCase(db: Executor, id: string): Promise<CaseWithNames | undefined> {
    return cases(db).where('cases.id', '=', id).executeTakeFirst();
  },

  /**
   * Changes a case only if nobody changed it since `c` was read (its version): two handlers cannot both move it.
   * On success `c` is updated in place (patch and new version), so the same transaction can change it again.
   */
  async updateCase(db: Executor, c: CaseRow, patch: Partial<CaseRow>): Promise<boolean> {
    const r = await db
      .updateTable('cases')
      .set({ ...patch, version: c.version + 1 })
      .where('id', '=', c.id)
      .where('version', '=', c.version)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) return false;
    Object.assign(c, patch, { version: c.version + 1 });
    return true;
  },

  async listCases(db: Executor, dialect: Dialect, f: CaseFilter, now: string, limit: number, offset: number) {
    let q = cases(db).where('cases.area_code', 'like', prefixPattern(f.scope));
    if (f.states?.length) q = q.where('cases.state', 'in', f.states);
    if (f.type) q = q.where('cases.type', '=', f.type);
    if (f.risk) q = q.where('cases.risk', '=', f.risk);
    if (f.areaPrefix) q = q.where('cases.area_code', 'like', prefixPattern(f.areaPrefix));
    if (f.centreId) q = q.where('cases.centre_id', '=', f.centreId);
    if (f.mediatorUserId) q = q.where('mediators.user_id', '=', f.mediatorUserId);
    if (f.overdue !== undefined) {
      q = f.overdue
        ? q.where('cases.state', 'in', openStates).where('cases.deadline_at', '<', now)
        : q.where((eb) => eb.or([eb('cases.state', 'not in', openStates), eb('cases.deadline_at', '>=', now)]));
    }
    if (f.q) {
      const text = f.q;
      q = q.where((eb) => eb.or([startsWith('cases.code', text.toUpperCase()), dialect.containsInsensitive('cases.title', text)]));
    }
    const [rows, count] = await Promise.all([
      q
        // Overdue open cases first, then the other open ones by deadline, then the closed ones, newest first.
        .orderBy((eb) => eb.case().when(eb.and([eb('cases.state', 'in', openStates), eb('cases.deadline_at', '<', now)])).then(0).else(1).end())
        .orderBy((eb) => eb.case().when('cases.state', 'in', openStates).then(0).else(1).end())
        .orderBy((eb) => eb.case().when('cases.state', 'in', openStates).then(eb.ref('cases.deadline_at')).else(null).end())
        .orderBy('cases.created_at', 'desc')
        .orderBy('cases.id')
        .limit(limit)
        .offset(offset)
        .execute(),
      q.clearSelect().select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows: rows as CaseWithNames[], total: Number(count.n) };
  },

  async insertParties(db: Executor, rows: CasePartyRow[]): Promise<void> {
    if (rows.length) await db.insertInto('case_parties').values(rows).execute();
  },

  async partiesOf(db: Executor, caseId: string): Promise<CasePartyRow[]> {
    return db.selectFrom('case_parties').selectAll().where('case_id', '=', caseId).orderBy('position').execute();
  },

  /**
   * An open case of the same type in the same county that shares a party: same ID number or phone, or the same
   * name in the same village. That is the same dispute reported again.
   */
  async findOpenDuplicate(
    db: Executor,
    k: { county: string; areaCode: string; type: string; idNumbers: string[]; phones: string[]; names: string[] },
  ): Promise<string | undefined> {
    if (!k.idNumbers.length && !k.phones.length && !k.names.length) return undefined;
    const r = await db
      .selectFrom('cases')
      .innerJoin('case_parties', 'case_parties.case_id', 'cases.id')
      .select('cases.id')
      .where('cases.area_code', 'like', prefixPattern(k.county))
      .where('cases.type', '=', k.type)
      .where('cases.state', 'in', openStates)
      .where((eb) => {
        const any = [];
        if (k.idNumbers.length) any.push(eb('case_parties.id_number_index', 'in', k.idNumbers));
        if (k.phones.length) any.push(eb('case_parties.phone_index', 'in', k.phones));
        if (k.names.length) any.push(eb.and([eb('case_parties.name_index', 'in', k.names), eb('cases.area_code', '=', k.areaCode)]));
        return eb.or(any);
      })
      .orderBy('cases.created_at')
      .limit(1)
      .executeTakeFirst();
    return r?.id;
  },

  async insertReport(db: Executor, row: CaseReportRow): Promise<void> {
    await db.insertInto('case_reports').values(row).execute();
  },

  async reportBySource(db: Executor, sourceRef: string): Promise<CaseReportRow | undefined> {
    return db.selectFrom('case_reports').selectAll().where('source_ref', '=', sourceRef).executeTakeFirst();
  },

  async reportsOf(db: Executor, caseId: string): Promise<CaseReportRow[]> {
    return db.selectFrom('case_reports').selectAll().where('case_id', '=', caseId).orderBy('reported_at').orderBy('id').execute();
  },

  async appendEvent(db: Executor, row: Omit<CaseEventRow, 'seq'>): Promise<void> {
    const last = await db
      .selectFrom('case_events')
      .select((eb) => eb.fn.max('seq').as('seq'))
      .where('case_id', '=', row.case_id)
      .executeTakeFirst();
    await db.insertInto('case_events').values({ ...row, seq: Number(last?.seq ?? 0) + 1 }).execute();
  },

  async eventsOf(db: Executor, caseId: string): Promise<CaseEventRow[]> {
    return db.selectFrom('case_events').selectAll().where('case_id', '=', caseId).orderBy('seq').execute();
  },

  async insertTimers(db: Executor, rows: CaseTimerRow[]): Promise<void> {
    if (rows.length) await db.insertInto('case_timers').values(rows).execute();
  },

  async cancelTimers(db: Executor, caseId: string, at: string): Promise<void> {
    await db
      .updateTable('case_timers')
      .set({ cancelled_at: at })
      .where('case_id', '=', caseId)
      .where('fired_at', 'is', null)
      .where('cancelled_at', 'is', null)
      .execute();
  },

  async dueTimers(db: Executor, now: string, limit: number): Promise<CaseTimerRow[]> {
    return db
      .selectFrom('case_timers')
      .selectAll()
      .where('fired_at', 'is', null)
      .where('cancelled_at', 'is', null)
      .where('due_at', '<=', now)
      .orderBy('due_at')
      .orderBy('id')
      .limit(limit)
      .execute();
  },

  /** Claims a due timer; false when another node (or an earlier run) already fired or cancelled it. */
  async claimTimer(db: Executor, id: string, at: string): Promise<boolean> {
    const r = await db
      .updateTable('case_timers')
      .set({ fired_at: at })
      .where('id', '=', id)
      .where('fired_at', 'is', null)
      .where('cancelled_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  },

  async pendingTimers(db: Executor, caseId: string): Promise<CaseTimerRow[]> {
    return db.selectFrom('case_timers').selectAll().where('case_id', '=', caseId).where('fired_at', 'is', null).where('cancelled_at', 'is', null).orderBy('due_at').execute();
  },

  async insertAttachment(db: Executor, row: CaseAttachmentRow): Promise<void> {
    await db.insertInto('case_attachments').values(row).execute();
  },

  async attachmentsOf(db: Executor, caseId: string) {
    return db
      .selectFrom('case_attachments')
      .select(['id', 'name', 'content_type', 'size', 'created_at', 'created_by_name'])
      .where('case_id', '=', caseId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
  },

  async getAttachment(db: Executor, caseId: string, id: string): Promise<CaseAttachmentRow | undefined> {
    return db.selectFrom('case_attachments').selectAll().where('case_id', '=', caseId).where('id', '=', id).executeTakeFirst();
  },

  async insertDepartmentLink(db: Executor, row: CaseDepartmentLinkRow): Promise<boolean> {
    const r = await db.insertInto('case_department_links').values(row).onConflict((oc) => oc.columns(['case_id', 'department_id']).doNothing()).executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
  },

  async departmentsOf(db: Executor, caseId: string) {
    return db
      .selectFrom('case_department_links')
      .innerJoin('case_departments', 'case_departments.id', 'case_department_links.department_id')
      .select(['case_departments.id', 'case_departments.name', 'case_departments.kind', 'case_department_links.note', 'case_department_links.added_at'])
      .where('case_department_links.case_id', '=', caseId)
      .orderBy('case_department_links.added_at')
      .execute();
  },
};
