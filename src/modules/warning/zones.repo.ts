import type { Executor } from '../../platform/db/database.ts';
import { prefixPattern, type Dialect } from '../../platform/db/dialect.ts';
import type { SchoolHolidayRow, ZoneContactRow, ZoneRow } from './warning.tables.ts';

export type ZoneWithArea = ZoneRow & { area_name: string | null };
export type ContactWithUser = ZoneContactRow & { user_name: string | null };

export const zonesRepo = {
  async all(db: Executor): Promise<ZoneRow[]> {
    return db.selectFrom('zones').selectAll().execute();
  },

  async get(db: Executor, id: string): Promise<ZoneWithArea | undefined> {
    return db
      .selectFrom('zones')
      .leftJoin('areas', 'areas.code', 'zones.area_code')
      .selectAll('zones')
      .select('areas.name as area_name')
      .where('zones.id', '=', id)
      .executeTakeFirst();
  },

  async byCode(db: Executor, code: string): Promise<ZoneRow | undefined> {
    return db.selectFrom('zones').selectAll().where('code', '=', code).executeTakeFirst();
  },

  async list(
    db: Executor,
    dialect: Dialect,
    f: { scope: string; kind?: string | undefined; areaCode?: string | undefined; q?: string | undefined },
    limit: number,
  ): Promise<ZoneWithArea[]> {
    let q = db
      .selectFrom('zones')
      .leftJoin('areas', 'areas.code', 'zones.area_code')
      .selectAll('zones')
      .select('areas.name as area_name')
      .where('zones.area_code', 'like', prefixPattern(f.scope));
    if (f.areaCode) q = q.where('zones.area_code', 'like', prefixPattern(f.areaCode));
    if (f.kind) q = q.where('zones.kind', '=', f.kind);
    if (f.q) {
      const text = f.q;
      q = q.where((eb) => eb.or([dialect.containsInsensitive('zones.name', text), dialect.containsInsensitive('zones.code', text)]));
    }
    return q.orderBy('zones.area_code').orderBy('zones.code').limit(limit).execute();
  },

  async insert(db: Executor, row: ZoneRow): Promise<void> {
    await db.insertInto('zones').values(row).execute();
  },

  /** Updates only when the stored version is `version`; returns whether it did. */
  async update(db: Executor, id: string, version: number, patch: Partial<ZoneRow>): Promise<boolean> {
    const r = await db.updateTable('zones').set(patch).where('id', '=', id).where('version', '=', version).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  },

  async delete(db: Executor, id: string): Promise<void> {
    await db.deleteFrom('zone_contacts').where('zone_id', '=', id).execute();
    await db.deleteFrom('zones').where('id', '=', id).execute();
  },

  async contacts(db: Executor, zoneIds: readonly string[]): Promise<ContactWithUser[]> {
    if (zoneIds.length === 0) return [];
    return db
      .selectFrom('zone_contacts')
      .leftJoin('users', 'users.id', 'zone_contacts.user_id')
      .selectAll('zone_contacts')
      .select('users.display_name as user_name')
      .where('zone_contacts.zone_id', 'in', [...zoneIds])
      .orderBy('zone_contacts.zone_id')
      .orderBy('zone_contacts.role')
      .orderBy('zone_contacts.created_at')
      .execute();
  },

  async replaceContacts(db: Executor, zoneId: string, rows: ZoneContactRow[]): Promise<void> {
    await db.deleteFrom('zone_contacts').where('zone_id', '=', zoneId).execute();
    if (rows.length) await db.insertInto('zone_contacts').values(rows).execute();
  },

  async usersInScope(db: Executor, ids: readonly string[], scope: string): Promise<{ id: string; area_code: string; role: string }[]> {
    if (ids.length === 0) return [];
    return db
      .selectFrom('users')
      .select(['id', 'area_code', 'role'])
      .where('id', 'in', [...ids])
      .where('area_code', 'like', prefixPattern(scope))
      .execute();
  },

  async holidays(db: Executor): Promise<SchoolHolidayRow[]> {
    return db.selectFrom('school_holidays').selectAll().orderBy('from_date').execute();
  },

  async holidaysOf(db: Executor, scope: string): Promise<SchoolHolidayRow[]> {
    return db.selectFrom('school_holidays').selectAll().where('area_code', 'like', prefixPattern(scope)).orderBy('area_code').orderBy('from_date').execute();
  },

  async replaceHolidays(db: Executor, areaCode: string, rows: SchoolHolidayRow[]): Promise<void> {
    await db.deleteFrom('school_holidays').where('area_code', '=', areaCode).execute();
    if (rows.length) await db.insertInto('school_holidays').values(rows).execute();
  },
};
