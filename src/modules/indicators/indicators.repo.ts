// SQL for the indicators module: definitions, entered values and their history, targets, populations, schemes and
// ranking runs, and the measures that count the platform's own records per area for a period.
import { sql } from 'kysely';
import type { Executor } from '../../platform/db/database.ts';
import { prefixPattern } from '../../platform/db/dialect.ts';
import type { Expr } from './indicators.expr.ts';
import { localDateStartUtc, monthShares, type Period } from './indicators.periods.ts';
import type {
  IndicatorDefRow,
  IndicatorRankingRunRow,
  IndicatorSchemeRow,
  IndicatorTargetRow,
  IndicatorValueEventRow,
  IndicatorValueRow,
} from './indicators.tables.ts';

/** Counts per group: the first `groupLen` characters of the area code (a county, town or village). */
export interface Measured {
  byGroup: Map<string, number>;
  /** Groups with an entered figure still awaiting approval. */
  pending: Set<string>;
  /** Groups with any figure at all (entered sources: no figure is not zero). */
  present: Set<string>;
}

const empty = (): Measured => ({ byGroup: new Map(), pending: new Set(), present: new Set() });

function collect(rows: { k: string; n: number | string | null }[]): Measured {
  const m = empty();
  for (const r of rows) {
    m.byGroup.set(r.k, (m.byGroup.get(r.k) ?? 0) + Number(r.n ?? 0));
    m.present.add(r.k);
  }
  return m;
}

export const indicatorsRepo = {
  // ---- definitions -----------------------------------------------------------------------------------------------
  listDefs(db: Executor, opts: { activeOnly?: boolean } = {}): Promise<IndicatorDefRow[]> {
    let q = db.selectFrom('indicator_defs').selectAll().orderBy('sort').orderBy('code');
    if (opts.activeOnly) q = q.where('active', '=', 1);
    return q.execute();
  },
  getDef: (db: Executor, id: string) => db.selectFrom('indicator_defs').selectAll().where('id', '=', id).executeTakeFirst(),
  defByCode: (db: Executor, code: string) => db.selectFrom('indicator_defs').selectAll().where('code', '=', code).executeTakeFirst(),
  insertDef: (db: Executor, row: IndicatorDefRow) => db.insertInto('indicator_defs').values(row).execute(),
  async updateDef(db: Executor, id: string, version: number, patch: Partial<IndicatorDefRow>): Promise<boolean> {
    const r = await db.updateTable('indicator_defs').set({ ...patch, version: version + 1 }).where('id', '=', id).where('version', '=', version).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  },
  countValues: async (db: Executor, indicatorId: string) =>
    Number((await db.selectFrom('indicator_values').select((e) => e.fn.countAll<number>().as('n')).where('indicator_id', '=', indicatorId).executeTakeFirstOrThrow()).n),

  // ---- entered values ----------------------------------------------------------------------------------------------
  getValue: (db: Executor, id: string) => db.selectFrom('indicator_values').selectAll().where('id', '=', id).executeTakeFirst(),
  valueByKey: (db: Executor, indicatorId: string, areaCode: string, month: string) =>
    db.selectFrom('indicator_values').selectAll().where('indicator_id', '=', indicatorId).where('area_code', '=', areaCode).where('month', '=', month).executeTakeFirst(),
  listValues(db: Executor, scope: string, f: { indicatorId?: string | undefined; areaPrefix?: string | undefined; state?: string | undefined; fromMonth?: string | undefined; toMonth?: string | undefined; limit: number }) {
    let q = db.selectFrom('indicator_values').leftJoin('areas', 'areas.code', 'indicator_values.area_code').selectAll('indicator_values').select('areas.name as area_name')
      .where('indicator_values.area_code', 'like', prefixPattern(scope));
    if (f.indicatorId) q = q.where('indicator_values.indicator_id', '=', f.indicatorId);
    if (f.areaPrefix) q = q.where('indicator_values.area_code', 'like', prefixPattern(f.areaPrefix));
    if (f.state) q = q.where('indicator_values.state', '=', f.state);
    if (f.fromMonth) q = q.where('indicator_values.month', '>=', f.fromMonth);
    if (f.toMonth) q = q.where('indicator_values.month', '<=', f.toMonth);
    return q.orderBy('indicator_values.month', 'desc').orderBy('indicator_values.area_code').limit(f.limit).execute();
  },
  insertValue: (db: Executor, row: IndicatorValueRow) => db.insertInto('indicator_values').values(row).execute(),
  async updateValue(db: Executor, id: string, version: number, patch: Partial<IndicatorValueRow>): Promise<boolean> {
    const r = await db.updateTable('indicator_values').set({ ...patch, version: version + 1 }).where('id', '=', id).where('version', '=', version).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  },
  async insertValueRows(db: Executor, rows: IndicatorValueRow[], events: IndicatorValueEventRow[], chunk = 500): Promise<void> {
    for (let i = 0; i < rows.length; i += chunk) await db.insertInto('indicator_values').values(rows.slice(i, i + chunk)).execute();
    for (let i = 0; i < events.length; i += chunk) await db.insertInto('indicator_value_events').values(events.slice(i, i + chunk)).execute();
  },
  history: (db: Executor, valueId: string) => db.selectFrom('indicator_value_events').selectAll().where('value_id', '=', valueId).orderBy('seq').execute(),
  async nextSeq(db: Executor, valueId: string): Promise<number> {
    const r = await db.selectFrom('indicator_value_events').select((e) => e.fn.max('seq').as('s')).where('value_id', '=', valueId).executeTakeFirst();
    return Number(r?.s ?? 0) + 1;
  },
  insertEvent: (db: Executor, row: IndicatorValueEventRow) => db.insertInto('indicator_value_events').values(row).execute(),

  // ---- targets and populations --------------------------------------------------------------------------------------
  targetsFor: (db: Executor, indicatorIds: string[], year: string) =>
    indicatorIds.length === 0 ? Promise.resolve([] as IndicatorTargetRow[]) : db.selectFrom('indicator_targets').selectAll().where('indicator_id', 'in', indicatorIds).where('year', '=', year).execute(),
  listTargets(db: Executor, f: { indicatorId?: string | undefined; year?: string | undefined }) {
    let q = db.selectFrom('indicator_targets').leftJoin('areas', 'areas.code', 'indicator_targets.area_code').selectAll('indicator_targets').select('areas.name as area_name');
    if (f.indicatorId) q = q.where('indicator_targets.indicator_id', '=', f.indicatorId);
    if (f.year) q = q.where('indicator_targets.year', '=', f.year);
    return q.orderBy('indicator_targets.year', 'desc').orderBy('indicator_targets.area_code').execute();
  },
  getTarget: (db: Executor, id: string) => db.selectFrom('indicator_targets').selectAll().where('id', '=', id).executeTakeFirst(),
  targetByKey: (db: Executor, indicatorId: string, areaCode: string, year: string) =>
    db.selectFrom('indicator_targets').selectAll().where('indicator_id', '=', indicatorId).where('area_code', '=', areaCode).where('year', '=', year).executeTakeFirst(),
  insertTarget: (db: Executor, row: IndicatorTargetRow) => db.insertInto('indicator_targets').values(row).execute(),
  updateTarget: (db: Executor, id: string, patch: Partial<IndicatorTargetRow>) => db.updateTable('indicator_targets').set(patch).where('id', '=', id).execute(),
  deleteTarget: (db: Executor, id: string) => db.deleteFrom('indicator_targets').where('id', '=', id).execute(),

  // ---- schemes and runs ------------------------------------------------------------------------------------------
  listSchemes: (db: Executor, scope: string) => db.selectFrom('indicator_schemes').selectAll().where('area_code', 'like', prefixPattern(scope)).orderBy('created_at').execute(),
  getScheme: (db: Executor, id: string) => db.selectFrom('indicator_schemes').selectAll().where('id', '=', id).executeTakeFirst(),
  insertScheme: (db: Executor, row: IndicatorSchemeRow) => db.insertInto('indicator_schemes').values(row).execute(),
  insertRun: (db: Executor, row: IndicatorRankingRunRow) => db.insertInto('indicator_ranking_runs').values(row).execute(),
  getRun: (db: Executor, id: string) => db.selectFrom('indicator_ranking_runs').selectAll().where('id', '=', id).executeTakeFirst(),
  listRuns: (db: Executor, schemeId: string) =>
    db.selectFrom('indicator_ranking_runs').select(['id', 'scheme_id', 'area_code', 'period', 'digest', 'computed_by_name', 'computed_at']).where('scheme_id', '=', schemeId).orderBy('computed_at', 'desc').limit(50).execute(),

  // ---- measures ----------------------------------------------------------------------------------------------------
  /**
   * Counts what `expr` counts inside the area prefix during the period, per group of the first `groupLen` characters
   * of the area code. Counts and sums are additive, so a parent's figure is the sum of its groups.
   */
  async measure(db: Executor, expr: Expr, opts: { indicatorId: string; prefix: string; groupLen: number; period: Period; now: Date }): Promise<Measured> {
    const { prefix, groupLen, period } = opts;
    const like = prefixPattern(prefix);
    const k = (col: string) => sql<string>`substr(${sql.ref(col)}, 1, ${sql.lit(groupLen)})`.as('k');
    const fromUtc = localDateStartUtc(period.from);
    const toUtc = localDateStartUtc(period.to);
    switch (expr.source) {
      case 'alerts': {
        let q = db.selectFrom('alerts').select([k('area_code'), (e) => e.fn.countAll<number>().as('n')])
          .where('area_code', 'like', like).where('raised_at', '>=', fromUtc).where('raised_at', '<', toUtc);
        if (expr.subsystems) q = q.where('subsystem', 'in', expr.subsystems);
        if (expr.eventKinds) q = q.where('event_kind', 'in', expr.eventKinds);
        if (expr.outcomes) q = q.where('outcome', 'in', expr.outcomes);
        if (expr.severities) q = q.where('severity', 'in', expr.severities);
        return collect(await q.groupBy(sql`1`).execute());
      }
      case 'cases': {
        let q = db.selectFrom('cases').select([k('area_code'), (e) => e.fn.countAll<number>().as('n')])
          .where('area_code', 'like', like).where('intake_day', '>=', period.from).where('intake_day', '<', period.to);
        if (expr.types) q = q.where('type', 'in', expr.types);
        if (expr.states) q = q.where('state', 'in', expr.states);
        if (expr.outcomes) q = q.where('outcome', 'in', expr.outcomes);
        if (expr.overdue !== undefined) q = q.where('overdue_at', expr.overdue ? 'is not' : 'is', null);
        return collect(await q.groupBy(sql`1`).execute());
      }
      case 'events': {
        let q = db.selectFrom('device_events').select([k('area_code'), (e) => e.fn.countAll<number>().as('n')])
          .where('area_code', 'like', like).where('occurred_at', '>=', fromUtc).where('occurred_at', '<', toUtc);
        if (expr.subsystems) q = q.where('subsystem', 'in', expr.subsystems);
        if (expr.kinds) q = q.where('kind', 'in', expr.kinds);
        return collect(await q.groupBy(sql`1`).execute());
      }
      case 'devices': {
        let q = db.selectFrom('devices').select([k('area_code'), (e) => e.fn.countAll<number>().as('n')])
          .where('area_code', 'like', like).where('status', '=', 'active');
        if (expr.subsystems) q = q.where('subsystem', 'in', expr.subsystems);
        if (expr.online !== undefined) q = q.where('online', '=', expr.online ? 1 : 0);
        return collect(await q.groupBy(sql`1`).execute());
      }
      case 'entered': {
        const shares = monthShares(period, opts.now);
        if (shares.length === 0) return empty();
        const share = new Map(shares.map((s) => [s.month, s.share]));
        const rows = await db.selectFrom('indicator_values').select(['area_code', 'month', 'value', 'state'])
          .where('indicator_id', '=', opts.indicatorId).where('area_code', 'like', like).where('month', 'in', [...share.keys()]).execute();
        const m = empty();
        for (const r of rows) {
          const g = r.area_code.slice(0, groupLen);
          m.byGroup.set(g, (m.byGroup.get(g) ?? 0) + Number(r.value) * (share.get(r.month) ?? 0));
          m.present.add(g);
          if (r.state !== 'accepted') m.pending.add(g);
        }
        return m;
      }
      case 'population': {
        const rows = await db.selectFrom('area_populations').select(['area_code', 'year', 'population'])
          .where('area_code', 'like', like).where('year', '<=', period.year).orderBy('year', 'desc').execute();
        // The latest year known for each area; then per group the area's own figure, or the sum of the topmost
        // figures below it.
        const latest = new Map<string, number>();
        for (const r of rows) if (!latest.has(r.area_code)) latest.set(r.area_code, Number(r.population));
        const groups = new Map<string, { own: number | null; len: number; sum: number }>();
        for (const [code, pop] of latest) {
          const g = code.slice(0, groupLen);
          const cur = groups.get(g) ?? { own: null, len: Infinity, sum: 0 };
          if (code.length <= g.length) cur.own = pop;
          else if (code.length < cur.len) { cur.len = code.length; cur.sum = pop; } else if (code.length === cur.len) cur.sum += pop;
          groups.set(g, cur);
        }
        const m = empty();
        for (const [g, v] of groups) { m.byGroup.set(g, v.own ?? v.sum); m.present.add(g); }
        return m;
      }
    }
  },
};

export type ValueWithArea = IndicatorValueRow & { area_name: string | null };
export type TargetWithArea = IndicatorTargetRow & { area_name: string | null };
