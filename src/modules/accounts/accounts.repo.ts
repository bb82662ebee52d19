import type { Executor } from '../../platform/db/database.ts';
import { prefixPattern, type Dialect } from '../../platform/db/dialect.ts';
import type { SessionRow, UserRow } from './accounts.tables.ts';

export type UserWithArea = UserRow & { area_name: string | null; area_level: string | null };

export const accountsRepo = {
  async findUserByUsername(db: Executor, username: string): Promise<UserRow | undefined> {
    return db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
  },

  async findUser(db: Executor, id: string): Promise<UserWithArea | undefined> {
    return db
      .selectFrom('users')
      .leftJoin('areas', 'areas.code', 'users.area_code')
      .selectAll('users')
      .select(['areas.name as area_name', 'areas.level as area_level'])
      .where('users.id', '=', id)
      .executeTakeFirst();
  },

  async listUsers(db: Executor, dialect: Dialect, scope: string, q: string | undefined, limit: number, offset: number) {
    let query = db
      .selectFrom('users')
      .leftJoin('areas', 'areas.code', 'users.area_code')
      .where('users.area_code', 'like', prefixPattern(scope));
    if (q) {
      query = query.where((eb) =>
        eb.or([dialect.containsInsensitive('users.username', q), dialect.containsInsensitive('users.display_name', q)]),
      );
    }
    const [rows, count] = await Promise.all([
      query
        .selectAll('users')
        .select(['areas.name as area_name', 'areas.level as area_level'])
        .orderBy('users.area_code')
        .orderBy('users.username')
        .limit(limit)
        .offset(offset)
        .execute(),
      query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows: rows as UserWithArea[], total: Number(count.n) };
  },

  async insertUser(db: Executor, row: UserRow): Promise<void> {
    await db.insertInto('users').values(row).execute();
  },

  async updateUser(db: Executor, id: string, patch: Partial<UserRow>): Promise<void> {
    await db.updateTable('users').set(patch).where('id', '=', id).execute();
  },

  async insertSession(db: Executor, row: SessionRow): Promise<void> {
    await db.insertInto('sessions').values(row).execute();
  },

  async findSessionByHash(db: Executor, tokenHash: string): Promise<SessionRow | undefined> {
    return db.selectFrom('sessions').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
  },

  async touchSession(db: Executor, id: string, at: string): Promise<void> {
    await db.updateTable('sessions').set({ last_used_at: at }).where('id', '=', id).execute();
  },

  async revokeSession(db: Executor, id: string, at: string): Promise<number> {
    const r = await db
      .updateTable('sessions')
      .set({ revoked_at: at })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  },

  async revokeUserSessions(db: Executor, userId: string, at: string, kind?: 'session' | 'api'): Promise<number> {
    let q = db.updateTable('sessions').set({ revoked_at: at }).where('user_id', '=', userId).where('revoked_at', 'is', null);
    if (kind) q = q.where('kind', '=', kind);
    const r = await q.executeTakeFirst();
    return Number(r.numUpdatedRows);
  },

  async listApiTokens(db: Executor, userId: string): Promise<SessionRow[]> {
    return db
      .selectFrom('sessions')
      .selectAll()
      .where('user_id', '=', userId)
      .where('kind', '=', 'api')
      .orderBy('created_at', 'desc')
      .execute();
  },

  async countRecentFailures(db: Executor, username: string, since: string): Promise<number> {
    const r = await db
      .selectFrom('login_failures')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('username', '=', username)
      .where('at', '>=', since)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  },

  async insertFailure(db: Executor, row: { id: string; username: string; at: string; ip: string | null }): Promise<void> {
    await db.insertInto('login_failures').values(row).execute();
  },

  async clearFailures(db: Executor, username: string): Promise<void> {
    await db.deleteFrom('login_failures').where('username', '=', username).execute();
  },
};
