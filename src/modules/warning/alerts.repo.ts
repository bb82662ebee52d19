import { sql } from 'kysely';
import type { Executor } from '../../platform/db/database.ts';
import { prefixPattern } from '../../platform/db/dialect.ts';
import type { AlertAttachmentRow, AlertCommandRow, AlertRow, AlertStepRow, AlertTimerRow } from './warning.tables.ts';

export interface AlertFilter {
  scope: string;
  areaCode?: string | undefined;
  states?: string[] | undefined;
  severity?: string | undefined;
  subsystem?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  overdue?: boolean | undefined;
}

export const alertsRepo = {
  async insert(db: Executor, row: AlertRow): Promise<void> {
    await db.insertInto('alerts').values(row).execute();
  },

  async get(db: Executor, id: string): Promise<AlertRow | undefined> {
    return db.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirst();
  },

  async byEvent(db: Executor, eventId: string): Promise<AlertRow | undefined> {
    return db.selectFrom('alerts').selectAll().where('event_id', '=', eventId).executeTakeFirst();
  },

  async update(db: Executor, id: string, patch: Partial<AlertRow>): Promise<void> {
    await db.updateTable('alerts').set(patch).where('id', '=', id).execute();
  },

  /** Moves the state only if it is still `from` (two operators acting at once: one wins, one is told). */
  async updateFromState(db: Executor, id: string, from: string, patch: Partial<AlertRow>): Promise<boolean> {
    const r = await db.updateTable('alerts').set(patch).where('id', '=', id).where('state', '=', from).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  },

  /** Remembers the loudspeaker commands sent for an alert (a command already known is left as it is). */
  async insertCommands(db: Executor, rows: AlertCommandRow[]): Promise<void> {
    if (rows.length === 0) return;
    await db.insertInto('alert_commands').values(rows).onConflict((oc) => oc.column('command_id').doNothing()).execute();
  },

  /** Marks a command of an alert as failed, once: the row when this call marked it, else undefined. */
  async markCommandFailed(db: Executor, commandId: string, at: string): Promise<AlertCommandRow | undefined> {
    const r = await db.updateTable('alert_commands').set({ failed_at: at }).where('command_id', '=', commandId).where('failed_at', 'is', null).executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) return undefined;
    return db.selectFrom('alert_commands').selectAll().where('command_id', '=', commandId).executeTakeFirst();
  },

  async commandsOf(db: Executor, alertId: string): Promise<AlertCommandRow[]> {
    return db.selectFrom('alert_commands').selectAll().where('alert_id', '=', alertId).orderBy('created_at').execute();
  },

  /** The last number taken in a code series (0 when none): a prediction of the next, read outside the firing. */
  async lastCodeNumber(db: Executor, series: string): Promise<number> {
    const r = await db.selectFrom('alert_counters').select('value').where('series', '=', series).executeTakeFirst();
    return r ? Number(r.value) : 0;
  },

  /** Takes the next number of a code series, atomically, in the firing's transaction (as case_counters do). */
  async nextCodeNumber(db: Executor, series: string): Promise<number> {
    const r = await db
      .insertInto('alert_counters')
      .values({ series, value: 1 })
      .onConflict((oc) => oc.column('series').doUpdateSet((eb) => ({ value: eb('alert_counters.value', '+', 1) })))
      .returning('value')
      .executeTakeFirstOrThrow();
    return Number(r.value);
  },

  async list(db: Executor, f: AlertFilter, limit: number, offset: number): Promise<{ rows: AlertRow[]; total: number }> {
    let q = db.selectFrom('alerts').where('area_code', 'like', prefixPattern(f.scope));
    if (f.areaCode) q = q.where('area_code', 'like', prefixPattern(f.areaCode));
    if (f.states?.length) q = q.where('state', 'in', f.states);
    if (f.severity) q = q.where('severity', '=', f.severity);
    if (f.subsystem) q = q.where('subsystem', '=', f.subsystem);
    if (f.from) q = q.where('raised_at', '>=', f.from);
    if (f.to) q = q.where('raised_at', '<', f.to);
    if (f.overdue !== undefined) q = q.where('overdue', '=', f.overdue ? 1 : 0);
    const [rows, count] = await Promise.all([
      q.selectAll().orderBy('raised_at', 'desc').orderBy('id').limit(limit).offset(offset).execute(),
      q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(count.n) };
  },

  /** Alerts per county (first 6 digits) and subsystem since `from`: the big screen's counts. */
  async countsByCountyAndSubsystem(db: Executor, scope: string, from: string, to: string) {
    const county = sql<string>`substr(area_code, 1, 6)`;
    const rows = await db
      .selectFrom('alerts')
      .select([county.as('county'), 'subsystem', 'state', (eb) => eb.fn.countAll<number>().as('n')])
      .where('area_code', 'like', prefixPattern(scope))
      .where('raised_at', '>=', from)
      .where('raised_at', '<', to)
      .groupBy([county, 'subsystem', 'state'])
      .execute();
    return rows.map((r) => ({ county: r.county, subsystem: r.subsystem, state: r.state, n: Number(r.n) }));
  },

  async insertStep(db: Executor, row: AlertStepRow): Promise<void> {
    await db.insertInto('alert_steps').values(row).execute();
  },

  async insertSteps(db: Executor, rows: readonly AlertStepRow[]): Promise<void> {
    if (rows.length) await db.insertInto('alert_steps').values([...rows]).execute();
  },

  async steps(db: Executor, alertId: string): Promise<AlertStepRow[]> {
    return db.selectFrom('alert_steps').selectAll().where('alert_id', '=', alertId).orderBy('at').orderBy('id').execute();
  },

  async insertAttachment(db: Executor, row: AlertAttachmentRow): Promise<void> {
    await db.insertInto('alert_attachments').values(row).execute();
  },

  async attachments(db: Executor, alertId: string): Promise<AlertAttachmentRow[]> {
    return db.selectFrom('alert_attachments').selectAll().where('alert_id', '=', alertId).orderBy('created_at').execute();
  },

  async attachment(db: Executor, id: string): Promise<AlertAttachmentRow | undefined> {
    return db.selectFrom('alert_attachments').selectAll().where('id', '=', id).executeTakeFirst();
  },

  // ---- timers -------------------------------------------------------------------------------------------------------

  async insertTimers(db: Executor, rows: AlertTimerRow[]): Promise<void> {
    if (rows.length) await db.insertInto('alert_timers').values(rows).execute();
  },

  async dueTimers(db: Executor, now: string, limit: number): Promise<AlertTimerRow[]> {
    return db.selectFrom('alert_timers').selectAll().where('status', '=', 'pending').where('due_at', '<=', now).orderBy('due_at').limit(limit).execute();
  },

  /** pending → done, once: the caller does the timer's work only when this returns true, in the same transaction. */
  async claimTimer(db: Executor, id: string, at: string): Promise<boolean> {
    const r = await db.updateTable('alert_timers').set({ status: 'done', fired_at: at }).where('id', '=', id).where('status', '=', 'pending').executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  },

  async cancelTimers(db: Executor, alertId: string, kinds: string[]): Promise<void> {
    await db.updateTable('alert_timers').set({ status: 'cancelled' }).where('alert_id', '=', alertId).where('status', '=', 'pending').where('kind', 'in', kinds).execute();
  },

  async timersOf(db: Executor, alertId: string): Promise<AlertTimerRow[]> {
    return db.selectFrom('alert_timers').selectAll().where('alert_id', '=', alertId).orderBy('due_at').execute();
  },

  /** The users on duty for a tier: the given roles, bound exactly to the tier's area. */
  async dutyUsers(db: Executor, areaCode: string, roles: readonly string[]): Promise<{ id: string; username: string }[]> {
    return db.selectFrom('users').select(['id', 'username']).where('area_code', '=', areaCode).where('role', 'in', [...roles]).where('disabled', '=', 0).orderBy('username').execute();
  },
};
