import type { Executor } from '../../platform/db/database.ts';
import { prefixPattern } from '../../platform/db/dialect.ts';
import type { RuleFiringRow, RuleRow, RuleVersionRow, WarningCursorRow } from './warning.tables.ts';

export const rulesRepo = {
  async enabled(db: Executor): Promise<RuleRow[]> {
    return db.selectFrom('rules').selectAll().where('enabled', '=', 1).execute();
  },

  async get(db: Executor, id: string): Promise<RuleRow | undefined> {
    return db.selectFrom('rules').selectAll().where('id', '=', id).executeTakeFirst();
  },

  /** Rules within the scope, and rules of the areas above it (they apply there too). */
  async list(db: Executor, scope: string, above: readonly string[] = []): Promise<RuleRow[]> {
    return db
      .selectFrom('rules')
      .selectAll()
      .where((eb) => eb.or([eb('area_code', 'like', prefixPattern(scope)), ...(above.length ? [eb('area_code', 'in', [...above])] : [])]))
      .orderBy('area_code')
      .orderBy('name')
      .execute();
  },

  async insert(db: Executor, row: RuleRow): Promise<void> {
    await db.insertInto('rules').values(row).execute();
  },

  async update(db: Executor, id: string, version: number, patch: Partial<RuleRow>): Promise<boolean> {
    const r = await db.updateTable('rules').set(patch).where('id', '=', id).where('version', '=', version).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  },

  async insertVersion(db: Executor, row: RuleVersionRow): Promise<void> {
    await db.insertInto('rule_versions').values(row).execute();
  },

  async versions(db: Executor, ruleId: string): Promise<RuleVersionRow[]> {
    return db.selectFrom('rule_versions').selectAll().where('rule_id', '=', ruleId).orderBy('version', 'desc').execute();
  },

  /** Records that a rule fired for a trigger; false when it already had (a re-delivered event, a second node). */
  async claimFiring(db: Executor, row: RuleFiringRow): Promise<boolean> {
    return (await rulesRepo.claimFirings(db, [row])).has(row.rule_id);
  },

  /** Claims several rules' firings for one trigger in one statement; answers the rule ids claimed now. */
  async claimFirings(db: Executor, rows: readonly RuleFiringRow[]): Promise<Set<string>> {
    if (rows.length === 0) return new Set();
    const claimed = await db
      .insertInto('rule_firings')
      .values([...rows])
      .onConflict((oc) => oc.columns(['rule_id', 'trigger_key']).doNothing())
      .returning('rule_id')
      .execute();
    return new Set(claimed.map((r) => r.rule_id));
  },

  /** Which of these rules have fired for the trigger already (checked before anything is sent). */
  async firedRules(db: Executor, ruleIds: readonly string[], triggerKey: string): Promise<Set<string>> {
    if (ruleIds.length === 0) return new Set();
    const rows = await db.selectFrom('rule_firings').select('rule_id').where('trigger_key', '=', triggerKey).where('rule_id', 'in', [...ruleIds]).execute();
    return new Set(rows.map((r) => r.rule_id));
  },

  async setFiringAlert(db: Executor, id: string, alertId: string): Promise<void> {
    await db.updateTable('rule_firings').set({ alert_id: alertId }).where('id', '=', id).execute();
  },

  async setFiringsAlert(db: Executor, ids: readonly string[], alertId: string | null): Promise<void> {
    if (ids.length) await db.updateTable('rule_firings').set({ alert_id: alertId }).where('id', 'in', [...ids]).execute();
  },

  async firingCount(db: Executor, ruleId: string): Promise<number> {
    const r = await db.selectFrom('rule_firings').select((eb) => eb.fn.countAll<number>().as('n')).where('rule_id', '=', ruleId).executeTakeFirstOrThrow();
    return Number(r.n);
  },

  // ---- sliding windows ---------------------------------------------------------------------------------------------

  /**
   * Counts an event in a rule's window. Hits before `windowStart` are retired (they never count again, even for a
   * later event with an earlier time), hits before `pruneBefore` deleted. A new hit answers how many hits the window
   * now counts (`count`); an event counted before (evaluated again after a restart) is not counted twice and answers
   * instead which event retired its hit (`retiredBy`; null while it still counts).
   */
  async countWindowHit(
    db: Executor,
    hit: { ruleId: string; key: string; eventId: string; at: string },
    windowStart: string,
    pruneBefore: string,
  ): Promise<{ counted: true; count: number } | { counted: false; retiredBy: string | null }> {
    const { ruleId, key, eventId, at } = hit;
    await db
      .updateTable('rule_window_hits')
      .set({ retired_by: eventId })
      .where('rule_id', '=', ruleId)
      .where('window_key', '=', key)
      .where('at', '<', windowStart)
      .where('retired_by', 'is', null)
      .execute();
    await db.deleteFrom('rule_window_hits').where('rule_id', '=', ruleId).where('window_key', '=', key).where('at', '<', pruneBefore).execute();
    const inserted = await db
      .insertInto('rule_window_hits')
      .values({ rule_id: ruleId, window_key: key, event_id: eventId, at, retired_by: null })
      .onConflict((oc) => oc.columns(['rule_id', 'window_key', 'event_id']).doNothing())
      .returning('event_id')
      .execute();
    if (inserted.length === 0) {
      const row = await db
        .selectFrom('rule_window_hits')
        .select('retired_by')
        .where('rule_id', '=', ruleId)
        .where('window_key', '=', key)
        .where('event_id', '=', eventId)
        .executeTakeFirst();
      return { counted: false, retiredBy: row?.retired_by ?? null };
    }
    const r = await db
      .selectFrom('rule_window_hits')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('rule_id', '=', ruleId)
      .where('window_key', '=', key)
      .where('at', '>=', windowStart)
      .where('retired_by', 'is', null)
      .executeTakeFirstOrThrow();
    return { counted: true, count: Number(r.n) };
  },

  /** The window fired with this event: every hit still counting is retired by it, and the window starts again. */
  async fireWindow(db: Executor, ruleId: string, key: string, eventId: string): Promise<void> {
    await db.updateTable('rule_window_hits').set({ retired_by: eventId }).where('rule_id', '=', ruleId).where('window_key', '=', key).where('retired_by', 'is', null).execute();
  },

  /** The hits that still count, per window key. */
  async windowHits(db: Executor, ruleId: string): Promise<{ window_key: string; n: number }[]> {
    const rows = await db
      .selectFrom('rule_window_hits')
      .select(['window_key', (eb) => eb.fn.countAll<number>().as('n')])
      .where('rule_id', '=', ruleId)
      .where('retired_by', 'is', null)
      .groupBy('window_key')
      .execute();
    return rows.map((r) => ({ window_key: r.window_key, n: Number(r.n) }));
  },

  // ---- recovery ----------------------------------------------------------------------------------------------------

  async cursor(db: Executor, name: string): Promise<WarningCursorRow | undefined> {
    return db.selectFrom('warning_cursors').selectAll().where('name', '=', name).executeTakeFirst();
  },

  async setCursor(db: Executor, row: WarningCursorRow): Promise<void> {
    await db
      .insertInto('warning_cursors')
      .values(row)
      .onConflict((oc) => oc.column('name').doUpdateSet((eb) => ({ position: eb.ref('excluded.position'), updated_at: eb.ref('excluded.updated_at') })))
      .execute();
  },

  /** Drops hits older than any window could need (the sweeper calls this now and then). */
  async pruneWindows(db: Executor, before: string): Promise<void> {
    await db.deleteFrom('rule_window_hits').where('at', '<', before).execute();
  },
};
