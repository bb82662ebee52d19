import { sql } from 'kysely';
import type { Executor } from '../../platform/db/database.ts';
import { prefixPattern, type Dialect } from '../../platform/db/dialect.ts';
import type { AreaBoundaryRow, AreaRow } from './areas.tables.ts';

export const areasRepo = {
  async get(db: Executor, code: string): Promise<AreaRow | undefined> {
    return db.selectFrom('areas').selectAll().where('code', '=', code).executeTakeFirst();
  },

  async getMany(db: Executor, codes: string[]): Promise<AreaRow[]> {
    if (codes.length === 0) return [];
    return db.selectFrom('areas').selectAll().where('code', 'in', codes).execute();
  },

  async children(db: Executor, parentCode: string): Promise<AreaRow[]> {
    return db.selectFrom('areas').selectAll().where('parent_code', '=', parentCode).orderBy('code').execute();
  },

  async search(db: Executor, dialect: Dialect, scope: string, q: string, limit: number): Promise<AreaRow[]> {
    return db
      .selectFrom('areas')
      .selectAll()
      .where('code', 'like', prefixPattern(scope))
      .where(dialect.containsInsensitive('name', q))
      // Shorter codes first: a county before the villages that share its name.
      .orderBy(sql`length(code)`)
      .orderBy('code')
      .limit(limit)
      .execute();
  },

  async upsertMany(db: Executor, dialect: Dialect, rows: AreaRow[]): Promise<void> {
    const perRow = 7;
    const chunk = Math.floor(dialect.maxParams / perRow / 2);
    for (let i = 0; i < rows.length; i += chunk) {
      await db
        .insertInto('areas')
        .values(rows.slice(i, i + chunk))
        .onConflict((oc) =>
          oc.column('code').doUpdateSet((eb) => ({
            name: eb.ref('excluded.name'),
            level: eb.ref('excluded.level'),
            parent_code: eb.ref('excluded.parent_code'),
          })),
        )
        .execute();
    }
  },

  async insert(db: Executor, row: AreaRow): Promise<void> {
    await db.insertInto('areas').values(row).execute();
  },

  /** Recomputes the stored child counts under a prefix (after an import or a new child). */
  async refreshChildCounts(db: Executor, prefix: string): Promise<void> {
    await db
      .updateTable('areas')
      .set((eb) => ({
        child_count: eb
          .selectFrom('areas as c')
          .select((e) => e.fn.countAll<number>().as('n'))
          .whereRef('c.parent_code', '=', 'areas.code'),
      }))
      .where('code', 'like', prefixPattern(prefix))
      .execute();
  },

  async maxChildCode(db: Executor, parentCode: string): Promise<string | undefined> {
    const r = await db
      .selectFrom('areas')
      .select((eb) => eb.fn.max('code').as('max'))
      .where('parent_code', '=', parentCode)
      .executeTakeFirst();
    return r?.max ?? undefined;
  },

  async boundariesOf(db: Executor, codes: string[]): Promise<(AreaBoundaryRow & { name: string; level: string })[]> {
    if (codes.length === 0) return [];
    return db
      .selectFrom('area_boundaries')
      .innerJoin('areas', 'areas.code', 'area_boundaries.area_code')
      .selectAll('area_boundaries')
      .select(['areas.name', 'areas.level'])
      .where('area_boundaries.area_code', 'in', codes)
      .orderBy('area_boundaries.area_code')
      .execute();
  },

  /** Stored boundaries of the areas of one level whose code starts with `prefix`. */
  async boundariesUnder(db: Executor, prefix: string, level: AreaRow['level']): Promise<(AreaBoundaryRow & { name: string; level: string })[]> {
    return db
      .selectFrom('area_boundaries')
      .innerJoin('areas', 'areas.code', 'area_boundaries.area_code')
      .selectAll('area_boundaries')
      .select(['areas.name', 'areas.level'])
      .where('areas.code', 'like', prefixPattern(prefix))
      .where('areas.level', '=', level)
      .orderBy('area_boundaries.area_code')
      .limit(5000)
      .execute();
  },

  async upsertBoundary(db: Executor, row: AreaBoundaryRow): Promise<void> {
    await db
      .insertInto('area_boundaries')
      .values(row)
      .onConflict((oc) =>
        oc.column('area_code').doUpdateSet((eb) => ({
          geometry: eb.ref('excluded.geometry'),
          center_lon: eb.ref('excluded.center_lon'),
          center_lat: eb.ref('excluded.center_lat'),
          source: eb.ref('excluded.source'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .execute();
  },

  async count(db: Executor, prefix: string): Promise<Record<string, number>> {
    const rows = await db
      .selectFrom('areas')
      .select(['level', (eb) => eb.fn.countAll<number>().as('n')])
      .where('code', 'like', prefixPattern(prefix))
      .groupBy('level')
      .execute();
    return Object.fromEntries(rows.map((r) => [r.level, Number(r.n)]));
  },
};
