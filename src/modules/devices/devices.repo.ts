// The only place with SQL for the device registry and device health.
import { sql } from 'kysely';
import type { Executor } from '../../platform/db/database.ts';
import { prefixPattern, type Dialect } from '../../platform/db/dialect.ts';
import type { DeviceRow } from './devices.tables.ts';

export type DeviceWithArea = DeviceRow & { area_name: string | null };

export interface DeviceFilter {
  scope: string;
  areaCode?: string | undefined;
  q?: string | undefined;
  subsystem?: string | undefined;
  kind?: string | undefined;
  online?: boolean | undefined;
  status: 'active' | 'retired' | 'all';
}

export const devicesRepo = {
  async insert(db: Executor, row: DeviceRow): Promise<void> {
    await db.insertInto('devices').values(row).execute();
  },

  async insertMany(db: Executor, dialect: Dialect, rows: DeviceRow[]): Promise<void> {
    const chunk = Math.max(1, Math.floor(dialect.maxParams / 24 / 2));
    for (let i = 0; i < rows.length; i += chunk) await db.insertInto('devices').values(rows.slice(i, i + chunk)).execute();
  },

  async get(db: Executor, id: string): Promise<DeviceWithArea | undefined> {
    return db
      .selectFrom('devices')
      .leftJoin('areas', 'areas.code', 'devices.area_code')
      .selectAll('devices')
      .select('areas.name as area_name')
      .where('devices.id', '=', id)
      .executeTakeFirst();
  },

  async findByCode(db: Executor, code: string): Promise<DeviceRow | undefined> {
    return db.selectFrom('devices').selectAll().where('code', '=', code).executeTakeFirst();
  },

  async findByGbId(db: Executor, gbId: string): Promise<DeviceRow | undefined> {
    return db.selectFrom('devices').selectAll().where('gb_id', '=', gbId).executeTakeFirst();
  },

  async findByTokenHash(db: Executor, hash: string): Promise<DeviceRow | undefined> {
    return db.selectFrom('devices').selectAll().where('token_hash', '=', hash).executeTakeFirst();
  },

  /** Which of these codes / GB ids are taken already (bulk import checks a whole file at once). */
  async takenCodes(db: Executor, codes: string[], gbIds: string[], tokenHashes: string[] = []): Promise<{ codes: Set<string>; gbIds: Set<string>; tokenHashes: Set<string> }> {
    const out = { codes: new Set<string>(), gbIds: new Set<string>(), tokenHashes: new Set<string>() };
    for (let i = 0; i < tokenHashes.length; i += 500) {
      const rows = await db.selectFrom('devices').select('token_hash').where('token_hash', 'in', tokenHashes.slice(i, i + 500)).execute();
      for (const r of rows) out.tokenHashes.add(r.token_hash);
    }
    for (let i = 0; i < codes.length; i += 500) {
      const rows = await db.selectFrom('devices').select('code').where('code', 'in', codes.slice(i, i + 500)).execute();
      for (const r of rows) out.codes.add(r.code);
    }
    for (let i = 0; i < gbIds.length; i += 500) {
      const rows = await db.selectFrom('devices').select('gb_id').where('gb_id', 'in', gbIds.slice(i, i + 500)).execute();
      for (const r of rows) if (r.gb_id) out.gbIds.add(r.gb_id);
    }
    return out;
  },

  async update(db: Executor, id: string, patch: Partial<DeviceRow>): Promise<void> {
    await db.updateTable('devices').set(patch).where('id', '=', id).execute();
  },

  async list(db: Executor, dialect: Dialect, f: DeviceFilter, limit: number, offset: number): Promise<{ rows: DeviceWithArea[]; total: number }> {
    let query = db.selectFrom('devices').leftJoin('areas', 'areas.code', 'devices.area_code').where('devices.area_code', 'like', prefixPattern(f.scope));
    if (f.areaCode) query = query.where('devices.area_code', 'like', prefixPattern(f.areaCode));
    if (f.status !== 'all') query = query.where('devices.status', '=', f.status);
    if (f.subsystem) query = query.where('devices.subsystem', '=', f.subsystem);
    if (f.kind) query = query.where('devices.kind', '=', f.kind);
    if (f.online !== undefined) query = query.where('devices.online', '=', f.online ? 1 : 0);
    if (f.q) {
      const q = f.q;
      query = query.where((eb) =>
        eb.or([
          dialect.containsInsensitive('devices.name', q),
          dialect.containsInsensitive('devices.code', q),
          dialect.containsInsensitive('devices.gb_id', q),
          dialect.containsInsensitive('devices.address', q),
        ]),
      );
    }
    const [rows, count] = await Promise.all([
      query.selectAll('devices').select('areas.name as area_name').orderBy('devices.area_code').orderBy('devices.code').limit(limit).offset(offset).execute(),
      query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(count.n) };
  },

  async mapRows(db: Executor, scope: string, areaCode: string | undefined, subsystem: string | undefined, limit: number) {
    let query = db
      .selectFrom('devices')
      .select(['id', 'lon', 'lat', 'subsystem', 'kind', 'online', 'name'])
      .where('area_code', 'like', prefixPattern(scope))
      .where('status', '=', 'active')
      .where('lon', 'is not', null)
      .where('lat', 'is not', null);
    if (areaCode) query = query.where('area_code', 'like', prefixPattern(areaCode));
    if (subsystem) query = query.where('subsystem', '=', subsystem);
    return query.orderBy('id').limit(limit).execute();
  },

  /** Active devices and how many are online, grouped by the first `keyLength` digits of the area code or by subsystem. */
  async onlineCounts(db: Executor, prefix: string, by: 'area' | 'subsystem', keyLength: number) {
    const key = by === 'area' ? sql<string>`substr(area_code, 1, ${sql.lit(keyLength)})` : sql<string>`subsystem`;
    return db
      .selectFrom('devices')
      .select([key.as('key'), (eb) => eb.fn.countAll<number>().as('total'), (eb) => eb.fn.sum<number>('online').as('online')])
      .where('area_code', 'like', prefixPattern(prefix))
      .where('status', '=', 'active')
      .groupBy(key)
      .orderBy(key)
      .execute();
  },

  async boundaries(db: Executor): Promise<{ area_code: string; geometry: string }[]> {
    return db.selectFrom('area_boundaries').select(['area_code', 'geometry']).execute();
  },

  // ---- health ------------------------------------------------------------------------------------------------

  async setLastSeen(db: Executor, ids: string[], at: string): Promise<void> {
    for (let i = 0; i < ids.length; i += 500) {
      await db
        .updateTable('devices')
        .set({ last_seen_at: at })
        .where('id', 'in', ids.slice(i, i + 500))
        // Never move last-seen backwards (another node may have written a later time).
        .where((eb) => eb.or([eb('last_seen_at', 'is', null), eb('last_seen_at', '<', at)]))
        .execute();
    }
  },

  /** Marks a device online if it was not; true when this call changed it (one node raises the event). */
  async markOnline(db: Executor, id: string, at: string): Promise<boolean> {
    const r = await db
      .updateTable('devices')
      .set({ online: 1, online_changed_at: at, last_seen_at: at })
      .where('id', '=', id)
      .where('online', '=', 0)
      .where('status', '=', 'active')
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  },

  /** Brings back online those of these devices that are marked offline (another node may have marked them). */
  async markOnlineMany(db: Executor, ids: string[], at: string) {
    const out = [];
    for (let i = 0; i < ids.length; i += 500) {
      out.push(
        ...(await db
          .updateTable('devices')
          .set({ online: 1, online_changed_at: at })
          .where('id', 'in', ids.slice(i, i + 500))
          .where('online', '=', 0)
          .where('status', '=', 'active')
          .returning(['id', 'code', 'area_code', 'subsystem', 'kind', 'lon', 'lat', 'heartbeat_interval_s'])
          .execute()),
      );
    }
    return out;
  },

  async markOffline(db: Executor, id: string, at: string, lastSeenBefore: string): Promise<boolean> {
    const r = await db
      .updateTable('devices')
      .set({ online: 0, online_changed_at: at })
      .where('id', '=', id)
      .where('online', '=', 1)
      .where((eb) => eb.or([eb('last_seen_at', 'is', null), eb('last_seen_at', '<', lastSeenBefore)]))
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  },

  /** Online devices not heard from since `before` (the sweeper then applies each device's own interval). */
  async silentSince(db: Executor, before: string) {
    return db
      .selectFrom('devices')
      .select(['id', 'code', 'area_code', 'subsystem', 'kind', 'lon', 'lat', 'last_seen_at', 'heartbeat_interval_s'])
      .where('online', '=', 1)
      .where('status', '=', 'active')
      .where((eb) => eb.or([eb('last_seen_at', 'is', null), eb('last_seen_at', '<', before)]))
      .execute();
  },

  async minHeartbeatInterval(db: Executor): Promise<number | null> {
    const r = await db
      .selectFrom('devices')
      .select((eb) => eb.fn.min<number>('heartbeat_interval_s').as('m'))
      .where('online', '=', 1)
      .where('status', '=', 'active')
      .executeTakeFirst();
    return r?.m === null || r?.m === undefined ? null : Number(r.m);
  },
};
