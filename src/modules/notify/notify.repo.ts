// The only place with SQL for notifications.
import type { Executor } from '../../platform/db/database.ts';
import { prefixPattern } from '../../platform/db/dialect.ts';
import type {
  ChannelKind,
  NotificationAttemptRow,
  NotificationRow,
  NotifyChannelRow,
  NotifyPreferenceRow,
  NotifySinkRow,
} from './notify.tables.ts';

export interface NotificationFilter {
  scope: string;
  state?: string | undefined;
  channel?: string | undefined;
  alertId?: string | undefined;
  ruleId?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  limit: number;
  offset: number;
}

export const notifyRepo = {
  // ---- channels ------------------------------------------------------------------------------------------------
  async listChannels(db: Executor, scope: string): Promise<NotifyChannelRow[]> {
    return db.selectFrom('notify_channels').selectAll().where('area_code', 'like', prefixPattern(scope)).orderBy('kind').orderBy('area_code').execute();
  },

  async getChannel(db: Executor, id: string): Promise<NotifyChannelRow | undefined> {
    return db.selectFrom('notify_channels').selectAll().where('id', '=', id).executeTakeFirst();
  },

  /** The enabled channels of a kind that cover an area (their code is a prefix of it), most specific first. */
  async channelsCovering(db: Executor, kind: ChannelKind, areaCode: string): Promise<NotifyChannelRow[]> {
    const prefixes = new Set<string>();
    for (const len of [2, 4, 6, 9, 12, 15]) if (areaCode.length >= len) prefixes.add(areaCode.slice(0, len));
    // Channel areas are stored as full codes (430500 for the city): include the padded forms of the short prefixes.
    prefixes.add(areaCode.slice(0, 2) + '0000');
    prefixes.add(areaCode.slice(0, 4) + '00');
    const rows = await db
      .selectFrom('notify_channels')
      .selectAll()
      .where('kind', '=', kind)
      .where('enabled', '=', 1)
      .where('area_code', 'in', [...prefixes])
      .execute();
    return rows.sort((a, b) => specificity(b.area_code) - specificity(a.area_code) || a.created_at.localeCompare(b.created_at));
  },

  async insertChannel(db: Executor, row: NotifyChannelRow): Promise<void> {
    await db.insertInto('notify_channels').values(row).execute();
  },

  async updateChannel(db: Executor, id: string, patch: Partial<NotifyChannelRow>): Promise<void> {
    await db.updateTable('notify_channels').set(patch).where('id', '=', id).execute();
  },

  // ---- notifications -------------------------------------------------------------------------------------------
  /** Inserts unless the dedupe key exists; answers whether a row was written. */
  async insertIfNew(db: Executor, row: NotificationRow): Promise<boolean> {
    const r = await db.insertInto('notifications').values(row).onConflict((oc) => oc.column('dedupe_key').doNothing()).executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
  },

  /**
   * Inserts many rows in as few statements as the engine's parameter limit allows; a row whose dedupe key exists
   * is skipped. Answers the rows actually written.
   */
  async insertManyIfNew(db: Executor, rows: readonly NotificationRow[], maxParams: number): Promise<{ id: string; dedupe_key: string }[]> {
    if (rows.length === 0) return [];
    const per = Math.max(1, Math.floor(maxParams / Object.keys(rows[0]!).length));
    const out: { id: string; dedupe_key: string }[] = [];
    for (let i = 0; i < rows.length; i += per) {
      const chunk = rows.slice(i, i + per);
      out.push(...(await db.insertInto('notifications').values(chunk).onConflict((oc) => oc.column('dedupe_key').doNothing()).returning(['id', 'dedupe_key']).execute()));
    }
    return out;
  },

  async byDedupeKeys(db: Executor, keys: string[]): Promise<NotificationRow[]> {
    if (keys.length === 0) return [];
    return db.selectFrom('notifications').selectAll().where('dedupe_key', 'in', keys).execute();
  },

  async get(db: Executor, id: string): Promise<NotificationRow | undefined> {
    return db.selectFrom('notifications').selectAll().where('id', '=', id).executeTakeFirst();
  },

  async list(db: Executor, f: NotificationFilter): Promise<{ rows: NotificationRow[]; total: number }> {
    let q = db.selectFrom('notifications').where('area_code', 'like', prefixPattern(f.scope));
    if (f.state) q = q.where('state', '=', f.state as NotificationRow['state']);
    if (f.channel) q = q.where('channel_kind', '=', f.channel as ChannelKind);
    if (f.alertId) q = q.where('alert_id', '=', f.alertId);
    if (f.ruleId) q = q.where('rule_id', '=', f.ruleId);
    if (f.from) q = q.where('created_at', '>=', f.from);
    if (f.to) q = q.where('created_at', '<', f.to);
    const [rows, count] = await Promise.all([
      q.selectAll().orderBy('created_at', 'desc').orderBy('id').limit(f.limit).offset(f.offset).execute(),
      q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(count.n) };
  },

  async countByState(db: Executor, scope: string): Promise<Record<string, number>> {
    const rows = await db
      .selectFrom('notifications')
      .select(['state', (eb) => eb.fn.countAll<number>().as('n')])
      .where('area_code', 'like', prefixPattern(scope))
      .groupBy('state')
      .execute();
    return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
  },

  /** Ids of notifications a worker may take now: due (queued or failed) or stuck in `sending` past their lease. */
  async dueIds(db: Executor, now: string, limit: number): Promise<string[]> {
    const rows = await db
      .selectFrom('notifications')
      .select('id')
      .where((eb) =>
        eb.or([
          eb.and([eb('state', 'in', ['queued', 'failed']), eb('next_attempt_at', '<=', now)]),
          eb.and([eb('state', '=', 'sending'), eb('lease_until', '<=', now)]),
        ]),
      )
      .orderBy('next_attempt_at')
      .limit(limit)
      .execute();
    return rows.map((r) => r.id);
  },

  /** Atomically takes a due notification: the conditional update succeeds for exactly one worker. */
  async claim(db: Executor, id: string, now: string, leaseUntil: string): Promise<NotificationRow | undefined> {
    const r = await db
      .updateTable('notifications')
      .set((eb) => ({ state: 'sending' as const, lease_until: leaseUntil, attempts: eb('attempts', '+', 1), updated_at: now }))
      .where('id', '=', id)
      .where((eb) =>
        eb.or([
          eb.and([eb('state', 'in', ['queued', 'failed']), eb('next_attempt_at', '<=', now)]),
          eb.and([eb('state', '=', 'sending'), eb('lease_until', '<=', now)]),
        ]),
      )
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) return undefined;
    return notifyRepo.get(db, id);
  },

  /** Records the outcome of an attempt, only if this worker's claim still holds (same attempt, still sending). */
  async finish(db: Executor, id: string, attempt: number, patch: Partial<NotificationRow>): Promise<boolean> {
    const r = await db
      .updateTable('notifications')
      .set(patch)
      .where('id', '=', id)
      .where('attempts', '=', attempt)
      .where('state', '=', 'sending')
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  },

  async update(db: Executor, id: string, patch: Partial<NotificationRow>): Promise<void> {
    await db.updateTable('notifications').set(patch).where('id', '=', id).execute();
  },

  async insertAttempt(db: Executor, row: NotificationAttemptRow): Promise<void> {
    await db.insertInto('notification_attempts').values(row).execute();
  },

  async attempts(db: Executor, notificationId: string): Promise<NotificationAttemptRow[]> {
    return db.selectFrom('notification_attempts').selectAll().where('notification_id', '=', notificationId).orderBy('attempt').execute();
  },

  async inbox(db: Executor, userId: string, limit: number): Promise<NotificationRow[]> {
    return db
      .selectFrom('notifications')
      .selectAll()
      .where('recipient_kind', '=', 'user')
      .where('recipient_id', '=', userId)
      .where('channel_kind', '=', 'inapp')
      .orderBy('created_at', 'desc')
      .limit(limit)
      .execute();
  },

  // ---- preferences ---------------------------------------------------------------------------------------------
  async preference(db: Executor, kind: string, id: string): Promise<NotifyPreferenceRow | undefined> {
    return db.selectFrom('notify_preferences').selectAll().where('subject_kind', '=', kind).where('subject_id', '=', id).executeTakeFirst();
  },

  /** The chosen channels of several subjects at once, by `preferenceKey(kind, id)`. */
  async preferences(db: Executor, subjects: readonly { kind: string; id: string }[]): Promise<Map<string, ChannelKind[]>> {
    if (subjects.length === 0) return new Map();
    const byKind = new Map<string, Set<string>>();
    for (const s of subjects) byKind.set(s.kind, (byKind.get(s.kind) ?? new Set()).add(s.id));
    const rows = await db
      .selectFrom('notify_preferences')
      .select(['subject_kind', 'subject_id', 'channels'])
      .where((eb) => eb.or([...byKind].map(([kind, ids]) => eb.and([eb('subject_kind', '=', kind), eb('subject_id', 'in', [...ids])]))))
      .execute();
    return new Map(rows.map((r) => [preferenceKey(r.subject_kind, r.subject_id), JSON.parse(r.channels) as ChannelKind[]]));
  },

  async upsertPreference(db: Executor, row: NotifyPreferenceRow): Promise<void> {
    await db
      .insertInto('notify_preferences')
      .values(row)
      .onConflict((oc) =>
        oc.columns(['subject_kind', 'subject_id']).doUpdateSet((eb) => ({
          channels: eb.ref('excluded.channels'),
          area_code: eb.ref('excluded.area_code'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .execute();
  },

  async deletePreference(db: Executor, kind: string, id: string): Promise<void> {
    await db.deleteFrom('notify_preferences').where('subject_kind', '=', kind).where('subject_id', '=', id).execute();
  },

  // ---- sink ----------------------------------------------------------------------------------------------------
  async insertSink(db: Executor, row: NotifySinkRow): Promise<void> {
    await db.insertInto('notify_sink').values(row).onConflict((oc) => oc.column('notification_id').doNothing()).execute();
  },

  async listSink(db: Executor, scope: string, limit: number): Promise<NotifySinkRow[]> {
    return db.selectFrom('notify_sink').selectAll().where('area_code', 'like', prefixPattern(scope)).orderBy('at', 'desc').limit(limit).execute();
  },
};

export function preferenceKey(kind: string, id: string): string {
  return `${kind}\n${id}`;
}

/** 430500 (a city) is less specific than 430523 (a county), which is less specific than a town code. */
function specificity(code: string): number {
  if (code.length === 6) return code.endsWith('0000') ? 2 : code.endsWith('00') ? 4 : 6;
  return code.length;
}
