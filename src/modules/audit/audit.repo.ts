import type { Executor } from '../../platform/db/database.ts';
import { prefixPattern, startsWith } from '../../platform/db/dialect.ts';
import type { AuditRow } from './audit.tables.ts';

export interface AuditQuery {
  scope: string;
  action?: string | undefined;
  actor?: string | undefined;
  entityType?: string | undefined;
  entityId?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  limit: number;
  offset: number;
}

export const auditRepo = {
  async insert(db: Executor, row: AuditRow): Promise<void> {
    await db.insertInto('audit_log').values(row).execute();
  },

  async insertMany(db: Executor, rows: readonly AuditRow[]): Promise<void> {
    if (rows.length) await db.insertInto('audit_log').values([...rows]).execute();
  },

  async list(db: Executor, q: AuditQuery): Promise<{ rows: AuditRow[]; total: number }> {
    let query = db.selectFrom('audit_log');
    // System-wide records (no area) are visible only to a whole-tree scope.
    query = q.scope === '' ? query : query.where('area_code', 'like', prefixPattern(q.scope));
    if (q.action) query = query.where(startsWith('action', q.action));
    if (q.actor) query = query.where('actor_name', '=', q.actor);
    if (q.entityType) query = query.where('entity_type', '=', q.entityType);
    if (q.entityId) query = query.where('entity_id', '=', q.entityId);
    if (q.from) query = query.where('at', '>=', q.from);
    if (q.to) query = query.where('at', '<', q.to);
    const [rows, count] = await Promise.all([
      query.selectAll().orderBy('at', 'desc').orderBy('id', 'desc').limit(q.limit).offset(q.offset).execute(),
      query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(count.n) };
  },
};
