// The only place with SQL for the grassroots register.
import { sql } from 'kysely';
import type { Executor } from '../../platform/db/database.ts';
import { prefixPattern } from '../../platform/db/dialect.ts';
import type {
  KeyPersonRecordRow,
  KeyPersonRow,
  KeyPersonTaskRow,
  PeopleBuildingRow,
  PeopleHouseholdRow,
  PeopleMoveRow,
  PeopleResidentRow,
  PeopleTimerRow,
  PeopleVisitRow,
  VillageRepOverrideRow,
  VillageRepRow,
} from './people.tables.ts';

export type HouseholdWithNames = PeopleHouseholdRow & { area_name: string; members: number; head_name_enc: string | null; rep_id: string | null };

export const peopleRepo = {
  // ---- buildings, households -----------------------------------------------------------------------------------
  insertBuilding: async (db: Executor, row: PeopleBuildingRow) => void (await db.insertInto('people_buildings').values(row).execute()),
  getBuilding: (db: Executor, id: string) => db.selectFrom('people_buildings').selectAll().where('id', '=', id).executeTakeFirst(),
  async listBuildings(db: Executor, scope: string, areaPrefix: string | undefined) {
    let q = db.selectFrom('people_buildings').where('area_code', 'like', prefixPattern(scope));
    if (areaPrefix) q = q.where('area_code', 'like', prefixPattern(areaPrefix));
    return q
      .selectAll()
      .select((eb) => eb.selectFrom('people_households').select((e) => e.fn.countAll<number>().as('n')).whereRef('people_households.building_id', '=', 'people_buildings.id').as('households'))
      .orderBy('area_code')
      .orderBy('name')
      .limit(500)
      .execute();
  },
  insertHousehold: async (db: Executor, row: PeopleHouseholdRow) => void (await db.insertInto('people_households').values(row).execute()),
  getHouseholdRow: (db: Executor, id: string) => db.selectFrom('people_households').selectAll().where('id', '=', id).executeTakeFirst(),
  setHouseholdKey: async (db: Executor, id: string, isKey: number, now: string) => void (await db.updateTable('people_households').set({ is_key: isKey, updated_at: now }).where('id', '=', id).execute()),

  async listHouseholds(db: Executor, f: { scope: string; areaPrefix?: string | undefined; isKey?: boolean | undefined; withoutRep?: boolean | undefined; ids?: string[] | undefined; limit: number; offset: number }): Promise<{ rows: HouseholdWithNames[]; total: number }> {
    let q = db
      .selectFrom('people_households as h')
      .innerJoin('areas', 'areas.code', 'h.area_code')
      .leftJoin('village_rep_links as l', 'l.household_id', 'h.id')
      .where('h.area_code', 'like', prefixPattern(f.scope));
    if (f.areaPrefix) q = q.where('h.area_code', 'like', prefixPattern(f.areaPrefix));
    if (f.isKey !== undefined) q = q.where('h.is_key', '=', f.isKey ? 1 : 0);
    if (f.withoutRep !== undefined) q = f.withoutRep ? q.where('l.rep_id', 'is', null) : q.where('l.rep_id', 'is not', null);
    if (f.ids) q = q.where('h.id', 'in', f.ids.length ? f.ids : ['']);
    const [rows, count] = await Promise.all([
      q
        .selectAll('h')
        .select(['areas.name as area_name', 'l.rep_id'])
        .select((eb) => [
          eb.selectFrom('people_residents as r').select((e) => e.fn.countAll<number>().as('n')).whereRef('r.household_id', '=', 'h.id').where('r.status', '=', 'active').as('members'),
          eb.selectFrom('people_residents as r').select('r.name_enc').whereRef('r.household_id', '=', 'h.id').where('r.household_role', '=', 'head').where('r.status', '=', 'active').limit(1).as('head_name_enc'),
        ])
        .orderBy('h.area_code')
        .orderBy('h.address')
        .limit(f.limit)
        .offset(f.offset)
        .execute(),
      q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows: rows.map((r) => ({ ...r, members: Number(r.members ?? 0), head_name_enc: r.head_name_enc ?? null, rep_id: r.rep_id ?? null })), total: Number(count.n) };
  },

  // ---- residents -----------------------------------------------------------------------------------------------
  insertResident: async (db: Executor, row: PeopleResidentRow) => void (await db.insertInto('people_residents').values(row).execute()),
  getResident: (db: Executor, id: string) => db.selectFrom('people_residents').selectAll().where('id', '=', id).executeTakeFirst(),
  residentByIdIndex: (db: Executor, idx: string) => db.selectFrom('people_residents').selectAll().where('id_number_index', '=', idx).executeTakeFirst(),
  updateResident: async (db: Executor, id: string, patch: Partial<PeopleResidentRow>) => void (await db.updateTable('people_residents').set(patch).where('id', '=', id).execute()),
  async listResidents(db: Executor, f: { scope: string; areaPrefix?: string | undefined; householdId?: string | undefined; nameIndex?: string | undefined; idNumberIndex?: string | undefined; phoneIndex?: string | undefined; residenceKind?: string | undefined; limit: number; offset: number }) {
    let q = db.selectFrom('people_residents').where('area_code', 'like', prefixPattern(f.scope));
    if (f.areaPrefix) q = q.where('area_code', 'like', prefixPattern(f.areaPrefix));
    if (f.householdId) q = q.where('household_id', '=', f.householdId);
    if (f.nameIndex) q = q.where('name_index', '=', f.nameIndex);
    if (f.idNumberIndex) q = q.where('id_number_index', '=', f.idNumberIndex);
    if (f.phoneIndex) q = q.where('phone_index', '=', f.phoneIndex);
    if (f.residenceKind) q = q.where('residence_kind', '=', f.residenceKind);
    if (!f.householdId && !f.idNumberIndex) q = q.where('status', '=', 'active');
    const [rows, count] = await Promise.all([
      q.selectAll().orderBy('area_code').orderBy('household_id').orderBy('created_at').limit(f.limit).offset(f.offset).execute(),
      q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(count.n) };
  },
  async categoriesOf(db: Executor, residentIds: string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    if (!residentIds.length) return out;
    const rows = await db.selectFrom('key_persons').select(['resident_id', 'category']).where('resident_id', 'in', residentIds).where('status', '=', 'active').execute();
    for (const r of rows) out.set(r.resident_id, [...(out.get(r.resident_id) ?? []), r.category]);
    return out;
  },
  insertMove: async (db: Executor, row: PeopleMoveRow) => void (await db.insertInto('people_moves').values(row).execute()),
  movesOf: (db: Executor, residentId: string) => db.selectFrom('people_moves').selectAll().where('resident_id', '=', residentId).orderBy('moved_at').execute(),

  // ---- key persons ---------------------------------------------------------------------------------------------
  insertKeyPerson: async (db: Executor, row: KeyPersonRow) => void (await db.insertInto('key_persons').values(row).execute()),
  getKeyPerson: (db: Executor, id: string) => db.selectFrom('key_persons').selectAll().where('id', '=', id).executeTakeFirst(),
  keyPersonOf: (db: Executor, residentId: string, category: string) => db.selectFrom('key_persons').selectAll().where('resident_id', '=', residentId).where('category', '=', category).executeTakeFirst(),
  /** Optimistic: only when the row is still at the version read. */
  async updateKeyPerson(db: Executor, row: KeyPersonRow, patch: Partial<KeyPersonRow>): Promise<boolean> {
    const r = await db.updateTable('key_persons').set({ ...patch, version: row.version + 1 }).where('id', '=', row.id).where('version', '=', row.version).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  },
  async listKeyPersons(db: Executor, f: { scope: string; areaPrefix?: string | undefined; category?: string | undefined; level?: string | undefined; overdue?: boolean | undefined; helperUserId?: string | undefined; limit: number; offset: number }, now: string) {
    let q = db.selectFrom('key_persons as k').innerJoin('people_residents as r', 'r.id', 'k.resident_id').leftJoin('users as u', 'u.id', 'k.helper_user_id').where('k.area_code', 'like', prefixPattern(f.scope)).where('k.status', '=', 'active');
    if (f.areaPrefix) q = q.where('k.area_code', 'like', prefixPattern(f.areaPrefix));
    if (f.category) q = q.where('k.category', '=', f.category);
    if (f.level) q = q.where('k.level', '=', f.level);
    if (f.helperUserId) q = q.where('k.helper_user_id', '=', f.helperUserId);
    if (f.overdue !== undefined) {
      q = f.overdue
        ? q.where((eb) => eb.or([eb('k.next_visit_due_at', '<=', now), eb('k.next_test_due_at', '<=', now)]))
        : q.where('k.next_visit_due_at', '>', now).where((eb) => eb.or([eb('k.next_test_due_at', 'is', null), eb('k.next_test_due_at', '>', now)]));
    }
    const [rows, count] = await Promise.all([
      q
        .selectAll('k')
        .select(['r.name_enc', 'r.id_number_enc', 'u.display_name as helper_name'])
        .select((eb) => eb.selectFrom('key_person_tasks as t').select((e) => e.fn.countAll<number>().as('n')).whereRef('t.key_person_id', '=', 'k.id').where('t.done_at', 'is', null).as('open_tasks'))
        .orderBy('k.next_visit_due_at')
        .orderBy('k.id')
        .limit(f.limit)
        .offset(f.offset)
        .execute(),
      q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows: rows.map((r) => ({ ...r, helper_name: r.helper_name ?? null, open_tasks: Number(r.open_tasks ?? 0) })), total: Number(count.n) };
  },
  async getKeyPersonJoined(db: Executor, id: string) {
    const r = await db
      .selectFrom('key_persons as k')
      .innerJoin('people_residents as r', 'r.id', 'k.resident_id')
      .leftJoin('users as u', 'u.id', 'k.helper_user_id')
      .selectAll('k')
      .select(['r.name_enc', 'r.id_number_enc', 'u.display_name as helper_name'])
      .select((eb) => eb.selectFrom('key_person_tasks as t').select((e) => e.fn.countAll<number>().as('n')).whereRef('t.key_person_id', '=', 'k.id').where('t.done_at', 'is', null).as('open_tasks'))
      .where('k.id', '=', id)
      .executeTakeFirst();
    return r ? { ...r, helper_name: r.helper_name ?? null, open_tasks: Number(r.open_tasks ?? 0) } : undefined;
  },
  insertRecord: async (db: Executor, row: KeyPersonRecordRow) => void (await db.insertInto('key_person_records').values(row).execute()),
  recordsOf: (db: Executor, id: string) => db.selectFrom('key_person_records').selectAll().where('key_person_id', '=', id).orderBy('done_at', 'desc').limit(100).execute(),
  insertTask: async (db: Executor, row: KeyPersonTaskRow) => void (await db.insertInto('key_person_tasks').values(row).execute()),
  getTask: (db: Executor, id: string) => db.selectFrom('key_person_tasks').selectAll().where('id', '=', id).executeTakeFirst(),
  async completeTask(db: Executor, id: string, now: string, by: string): Promise<boolean> {
    const r = await db.updateTable('key_person_tasks').set({ done_at: now, done_by: by }).where('id', '=', id).where('done_at', 'is', null).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  },
  tasksOf: (db: Executor, id: string) => db.selectFrom('key_person_tasks').selectAll().where('key_person_id', '=', id).orderBy('due_at').execute(),

  /** Completion figures grouped by the first `len` characters of the area code (the child level). */
  async rates(db: Executor, scope: string, len: number, now: string, since: string) {
    const grp = sql<string>`substr(area_code, 1, ${sql.lit(Math.trunc(len))})`;
    const [kp, rec, tasks] = await Promise.all([
      db
        .selectFrom('key_persons')
        .select([
          grp.as('g'),
          (eb) => eb.fn.countAll<number>().as('n'),
          sql<number>`sum(case when next_visit_due_at <= ${now} then 1 else 0 end)`.as('visit_overdue'),
          sql<number>`sum(case when test_interval_days is not null then 1 else 0 end)`.as('tests_due'),
          sql<number>`sum(case when test_interval_days is not null and next_test_due_at > ${now} then 1 else 0 end)`.as('tests_ok'),
        ])
        .where('area_code', 'like', prefixPattern(scope))
        .where('status', '=', 'active')
        .groupBy(grp)
        .execute(),
      db
        .selectFrom('key_person_records')
        .select([grp.as('g'), (eb) => eb.fn.countAll<number>().as('n'), sql<number>`sum(on_time)`.as('on_time')])
        .where('area_code', 'like', prefixPattern(scope))
        .where('kind', '=', 'visit')
        .where('done_at', '>=', since)
        .groupBy(grp)
        .execute(),
      db
        .selectFrom('key_person_tasks')
        .select([grp.as('g'), (eb) => eb.fn.countAll<number>().as('n'), sql<number>`sum(case when done_at is not null then 1 else 0 end)`.as('done')])
        .where('area_code', 'like', prefixPattern(scope))
        .groupBy(grp)
        .execute(),
    ]);
    return { kp, rec, tasks };
  },

  // ---- timers --------------------------------------------------------------------------------------------------
  /** Schedules a timer once per (person, kind, cycle); a second call for the same cycle changes nothing. */
  async schedule(db: Executor, row: PeopleTimerRow): Promise<void> {
    await db.insertInto('people_timers').values(row).onConflict((oc) => oc.columns(['key_person_id', 'kind', 'cycle_due_at']).doNothing()).execute();
  },
  dueTimers: (db: Executor, now: string, limit: number) => db.selectFrom('people_timers').selectAll().where('fired_at', 'is', null).where('due_at', '<=', now).orderBy('due_at').orderBy('id').limit(limit).execute(),
  async claimTimer(db: Executor, id: string, now: string): Promise<boolean> {
    const r = await db.updateTable('people_timers').set({ fired_at: now }).where('id', '=', id).where('fired_at', 'is', null).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  },
  timersOf: (db: Executor, keyPersonId: string) => db.selectFrom('people_timers').selectAll().where('key_person_id', '=', keyPersonId).orderBy('due_at').execute(),

  // ---- representatives and visits ------------------------------------------------------------------------------
  insertRep: async (db: Executor, row: VillageRepRow) => void (await db.insertInto('village_reps').values(row).execute()),
  getRep: (db: Executor, id: string) => db.selectFrom('village_reps').selectAll().where('id', '=', id).executeTakeFirst(),
  repOfUser: (db: Executor, userId: string) => db.selectFrom('village_reps').selectAll().where('user_id', '=', userId).executeTakeFirst(),
  async listReps(db: Executor, scope: string, areaPrefix: string | undefined, limit: number, offset: number) {
    let q = db.selectFrom('village_reps as v').innerJoin('areas', 'areas.code', 'v.area_code').where('v.area_code', 'like', prefixPattern(scope));
    if (areaPrefix) q = q.where('v.area_code', 'like', prefixPattern(areaPrefix));
    const [rows, count] = await Promise.all([
      q
        .selectAll('v')
        .select('areas.name as area_name')
        .select((eb) => eb.selectFrom('village_rep_links as l').select((e) => e.fn.countAll<number>().as('n')).whereRef('l.rep_id', '=', 'v.id').as('households'))
        .orderBy('v.area_code')
        .orderBy('v.created_at')
        .limit(limit)
        .offset(offset)
        .execute(),
      q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows: rows.map((r) => ({ ...r, households: Number(r.households ?? 0) })), total: Number(count.n) };
  },
  linksOf: (db: Executor, repId: string) => db.selectFrom('village_rep_links').selectAll().where('rep_id', '=', repId).execute(),
  linksOfHouseholds: (db: Executor, ids: string[]) => db.selectFrom('village_rep_links').selectAll().where('household_id', 'in', ids.length ? ids : ['']).execute(),
  async replaceLinks(db: Executor, repId: string, areaCode: string, householdIds: string[], now: string): Promise<void> {
    await db.deleteFrom('village_rep_links').where('rep_id', '=', repId).execute();
    if (householdIds.length) await db.insertInto('village_rep_links').values(householdIds.map((h) => ({ rep_id: repId, household_id: h, area_code: areaCode, created_at: now }))).execute();
  },
  insertOverride: async (db: Executor, row: VillageRepOverrideRow) => void (await db.insertInto('village_rep_overrides').values(row).execute()),
  async coverage(db: Executor, scope: string, len: number) {
    const grp = sql<string>`substr(h.area_code, 1, ${sql.lit(Math.trunc(len))})`;
    const rows = await db
      .selectFrom('people_households as h')
      .leftJoin('village_rep_links as l', 'l.household_id', 'h.id')
      .select([grp.as('g'), (eb) => eb.fn.countAll<number>().as('n'), sql<number>`sum(case when l.rep_id is not null then 1 else 0 end)`.as('covered'), sql<number>`sum(h.is_key)`.as('key')])
      .where('h.area_code', 'like', prefixPattern(scope))
      .groupBy(grp)
      .execute();
    const repGrp = sql<string>`substr(area_code, 1, ${sql.lit(Math.trunc(len))})`;
    const reps = await db.selectFrom('village_reps').select([repGrp.as('g'), (eb) => eb.fn.countAll<number>().as('n')]).where('area_code', 'like', prefixPattern(scope)).groupBy(repGrp).execute();
    return { rows, reps };
  },
  visitByKey: (db: Executor, key: string) => db.selectFrom('people_visits').selectAll().where('client_key', '=', key).executeTakeFirst(),
  insertVisit: async (db: Executor, row: PeopleVisitRow) => void (await db.insertInto('people_visits').values(row).execute()),
  async listVisits(db: Executor, f: { scope: string; areaPrefix?: string | undefined; householdId?: string | undefined; visitorUserId?: string | undefined; limit: number; offset: number }) {
    let q = db.selectFrom('people_visits as v').innerJoin('people_households as h', 'h.id', 'v.household_id').where('v.area_code', 'like', prefixPattern(f.scope));
    if (f.areaPrefix) q = q.where('v.area_code', 'like', prefixPattern(f.areaPrefix));
    if (f.householdId) q = q.where('v.household_id', '=', f.householdId);
    if (f.visitorUserId) q = q.where('v.visitor_user_id', '=', f.visitorUserId);
    const [rows, count] = await Promise.all([
      q.selectAll('v').select('h.address').orderBy('v.visited_at', 'desc').limit(f.limit).offset(f.offset).execute(),
      q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(count.n) };
  },
  async lastVisits(db: Executor, householdIds: string[]): Promise<Map<string, string>> {
    if (!householdIds.length) return new Map();
    const rows = await db.selectFrom('people_visits').select(['household_id', (eb) => eb.fn.max('visited_at').as('last')]).where('household_id', 'in', householdIds).groupBy('household_id').execute();
    return new Map(rows.map((r) => [r.household_id, String(r.last)]));
  },
};
