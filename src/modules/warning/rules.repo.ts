import type { Executor } from '../../platform/db/database.ts';
import { prefixPattern } from '../../platform/db/dialect.ts';
import type { RuleFiringRow, RuleRow, RuleVersionRow } from './warning.tables.ts';

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
    const r = await db.insertInto('rule_firings').values(row).onConflict((oc) => oc.columns(['rule_id', 'trigger_key']).doNothing()).executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0n) === 1;
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

  async firingCount(db: Executor, ruleId: string): Promise<number> {
    const r = await db.selectFrom('rule_firings').select((eb) => eb.fn.countAll<number>().as('n')).where('rule_id', '=', ruleId).executeTakeFirstOrThrow();
    return Number(r.n);
  },

  // ---- sliding windows ---------------------------------------------------------------------------------------------

  /** Adds a hit and returns how many hits the window now holds (older ones are dropped first). */
  async addWindowHit(db: Executor, ruleId: string, key: string, eventId: string, at: string, windowStart: string): Promise<number> {
    await db.deleteFrom('rule_window_hits').where('rule_id', '=', ruleId).where('window_key', '=', key).where('at', '<', windowStart).execute();
    await db
      .insertInto('rule_window_hits')
      .values({ rule_id: ruleId, window_key: key, event_id: eventId, at })
      .onConflict((oc) => oc.columns(['rule_id', 'window_key', 'event_id']).doNothing())
      .execute();
    const r = await db
      .selectFrom('rule_window_hits')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('rule_id', '=', ruleId)
      .where('window_key', '=', key)
      .where('at', '>=', windowStart)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  },

  /** After the rule fired, the window starts again. */
  async clearWindow(db: Executor, ruleId: string, key: string): Promise<void> {
    await db.deleteFrom('rule_window_hits').where('rule_id', '=', ruleId).where('window_key', '=', key).execute();
  },

  async windowHits(db: Executor, ruleId: string): Promise<{ window_key: string; n: number }[]> {
    const rows = await db
      .selectFrom('rule_window_hits')
      .select(['window_key', (eb) => eb.fn.countAll<number>().as('n')])
      .where('rule_id', '=', ruleId)
      .groupBy('window_key')
      .execute();
    return rows.map((r) => ({ window_key: r.window_key, n: Number(r.n) }));
  },

  /** Drops hits older than any window could need (the sweeper calls this now and then). */
  async pruneWindows(db: Executor, before: string): Promise<void> {
    await db.deleteFrom('rule_window_hits').where('at', '<', before).execute();
  },
};
