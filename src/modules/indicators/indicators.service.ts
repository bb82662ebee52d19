// Indicators and evaluation (清单管理、考核): definitions, figures for any period with year-over-year against
// targets, entered figures with their approval, and rankings. Every read is limited to the caller's area subtree.
import crypto from 'node:crypto';
import ExcelJS from 'exceljs';
import type { Actor } from '../../platform/access.ts';
import { assertInScope, inScope, requirePermission, scopePrefix } from '../../platform/access.ts';
import type { Platform } from '../../platform/context.ts';
import { newId } from '../../platform/crypto.ts';
import type { Executor } from '../../platform/db/database.ts';
import { prefixPattern } from '../../platform/db/dialect.ts';
import { errors } from '../../platform/errors.ts';
import { areasRepo } from '../areas/areas.repo.ts';
import { ancestorsOf, levelOf } from '../areas/areas.service.ts';
import { computedSources, exprSchema, type Expr } from './indicators.expr.ts';
import { daysBetween, elapsedFraction, localToday, resolvePeriod, samePeriodLastYear, type Period } from './indicators.periods.ts';
import { rank, rankingRulesSchema, type RankingRules } from './indicators.ranking.ts';
import { indicatorsRepo, type Measured } from './indicators.repo.ts';
import type { CreateDefInput, CreateSchemeInput, EnterValueInput, PutTargetInput, ReportQuery, UpdateDefInput } from './indicators.schema.ts';
import type { IndicatorDefRow, IndicatorTargetRow, IndicatorValueRow } from './indicators.tables.ts';

export type Status = 'met' | 'at_risk' | 'missed';
export interface TargetView { id: string; kind: IndicatorTargetRow['kind']; amount: number; year: string; areaCode: string; inherited: boolean; note: string | null }
export interface Cell {
  areaCode: string;
  areaName: string;
  value: number | null;
  base: number | null;
  yoyPct: number | null;
  target: TargetView | null;
  /** The limit the target sets for this period (a ceiling for negative indicators, a floor for positive ones). */
  limit: number | null;
  status: Status | null;
  /** Entered figures in it are still awaiting approval. */
  pending: boolean;
}
export interface DefView {
  id: string; code: string; name: string; category: string; polarity: 'negative' | 'positive'; unit: string; factor: number;
  numerator: Expr; denominator: Expr | null; entryLevel: string | null; approvalLevels: string[]; areaCode: string;
  description: string | null; sort: number; active: boolean; version: number;
  /** computed: from the platform's own records; entered: figures entered per area and month. */
  kind: 'computed' | 'entered';
  /** A current state (devices online), not a count over the period: no year-over-year. */
  snapshot: boolean;
  updatedAt: string;
}
export interface ReportRow { indicator: DefView; total: Cell; cells: Cell[] }
export interface Report {
  period: Period; basePeriod: Period; areaCode: string; areaName: string; level: string;
  areas: { code: string; name: string }[]; rows: ReportRow[]; computedAt: string;
}

const groupLenOf: Record<string, number> = { county: 6, town: 9, village: 12 };
const childLevel: Record<string, string> = { province: 'county', city: 'county', county: 'town', town: 'village' };
const r2 = (x: number) => Math.round(x * 100) / 100;
const isComputed = (e: Expr) => computedSources.includes(e.source);

function presentDef(r: IndicatorDefRow): DefView {
  const numerator = exprSchema.parse(JSON.parse(r.numerator));
  const denominator = r.denominator ? exprSchema.parse(JSON.parse(r.denominator)) : null;
  return {
    id: r.id, code: r.code, name: r.name, category: r.category, polarity: r.polarity, unit: r.unit, factor: r.factor, numerator, denominator,
    entryLevel: r.entry_level, approvalLevels: JSON.parse(r.approval_levels) as string[], areaCode: r.area_code, description: r.description,
    sort: r.sort, active: r.active === 1, version: r.version, kind: numerator.source === 'entered' ? 'entered' : 'computed',
    snapshot: numerator.source === 'devices', updatedAt: r.updated_at,
  };
}

/** Met, at risk or missed against the limit; an unfinished month, quarter or year is judged by its pace. */
export function statusOf(polarity: 'negative' | 'positive', value: number | null, limit: number | null, period: Period, now: Date): Status | null {
  if (value === null || limit === null) return null;
  const elapsed = elapsedFraction(period, now);
  // Year to date compares like with like, but the year is still running: close to the limit is at risk.
  const inProgress = elapsed < 1 || (period.kind === 'ytd' && !period.to.endsWith('-01-01'));
  const v = inProgress && (period.kind === 'month' || period.kind === 'quarter' || period.kind === 'year') && elapsed > 0 ? value / elapsed : value;
  const margin = inProgress ? 0.1 : 0;
  if (polarity === 'negative') {
    if (v > limit) return 'missed';
    return v > limit * (1 - margin) && limit > 0 ? 'at_risk' : 'met';
  }
  if (v < limit) return 'missed';
  return v < limit * (1 + margin) ? 'at_risk' : 'met';
}

export function limitOf(target: Pick<IndicatorTargetRow, 'kind' | 'amount'>, base: number | null, period: Period): number | null {
  if (target.kind === 'change_pct') return base === null ? null : r2(base * (1 + target.amount / 100));
  const year = Number(period.year);
  const yearDays = daysBetween(`${year}-01-01`, `${year + 1}-01-01`);
  return r2(target.amount * Math.min(1, daysBetween(period.from, period.to) / yearDays));
}

export class IndicatorsService {
  constructor(private readonly p: Platform) {}

  private get db(): Executor {
    return this.p.db.kysely;
  }

  // ---- definitions -----------------------------------------------------------------------------------------------

  /** A definition is visible to those inside its area and to those above it (the city's list reaches every county). */
  private visible(actor: Actor, def: IndicatorDefRow): boolean {
    return inScope(actor, def.area_code) || actor.areaCode === def.area_code || ancestorsOf(actor.areaCode).includes(def.area_code);
  }

  async listDefs(actor: Actor, opts: { activeOnly?: boolean } = {}): Promise<DefView[]> {
    requirePermission(actor, 'indicators:read');
    return (await indicatorsRepo.listDefs(this.db, opts)).filter((d) => this.visible(actor, d)).map(presentDef);
  }

  private async defRow(actor: Actor, id: string): Promise<IndicatorDefRow> {
    const d = await indicatorsRepo.getDef(this.db, id);
    if (!d || !this.visible(actor, d)) throw errors.notFound('indicator', id);
    return d;
  }

  async getDef(actor: Actor, id: string): Promise<DefView> {
    requirePermission(actor, 'indicators:read');
    return presentDef(await this.defRow(actor, id));
  }

  private checkShape(numerator: Expr, denominator: Expr | null, entryLevel: string | null, factor: number): void {
    if (numerator.source === 'population') {
      throw errors.validation('indicator.numerator', 'The population is a denominator, not something counted.', [{ field: 'numerator.source', message: 'alerts, cases, devices, events or entered' }]);
    }
    if (numerator.source === 'entered' && !entryLevel) {
      throw errors.validation('indicator.entry_level_required', 'An entered indicator says which level enters its figures.', [{ field: 'entryLevel', message: 'county, town or village' }]);
    }
    if (isComputed(numerator) && entryLevel) {
      throw errors.validation('indicator.computed_not_entered', 'Shiyu counts this indicator from its own records: it is computed, never typed.', [{ field: 'entryLevel', message: 'must be null for a computed indicator' }]);
    }
    if (denominator?.source === 'entered') {
      throw errors.validation('indicator.denominator', 'A denominator is counted from records or is the population.', [{ field: 'denominator.source', message: 'alerts, cases, devices, events or population' }]);
    }
    if ((numerator.source === 'devices') !== (denominator?.source === 'devices') && (numerator.source === 'devices' || denominator?.source === 'devices')) {
      throw errors.validation('indicator.devices_ratio', 'Devices are a current state: a device count is divided by another device count.', [{ field: 'denominator.source', message: 'devices' }]);
    }
    if (!Number.isFinite(factor) || factor <= 0) throw errors.validation('indicator.factor', 'The factor is a positive number.', [{ field: 'factor', message: 'positive' }]);
  }

  async createDef(actor: Actor, input: CreateDefInput): Promise<DefView> {
    requirePermission(actor, 'indicators:write');
    const areaCode = input.areaCode ?? actor.areaCode;
    const area = await areasRepo.get(this.db, areaCode);
    assertInScope(actor, area?.code, 'area', areaCode);
    this.checkShape(input.numerator, input.denominator, input.entryLevel, input.factor);
    if (await indicatorsRepo.defByCode(this.db, input.code)) throw errors.conflict('indicator.code_taken', `An indicator with code ${input.code} exists.`);
    const now = this.p.clock.now().toISOString();
    const id = newId();
    await this.db.transaction().execute(async (trx) => {
      await indicatorsRepo.insertDef(trx, {
        id, code: input.code, name: input.name, category: input.category, polarity: input.polarity, unit: input.unit, factor: input.factor,
        numerator: JSON.stringify(input.numerator), denominator: input.denominator ? JSON.stringify(input.denominator) : null,
        entry_level: input.entryLevel, approval_levels: JSON.stringify(input.approvalLevels), area_code: areaCode,
        description: input.description ?? null, sort: input.sort, active: 1, version: 0, created_at: now, updated_at: now,
      });
      await this.p.audit.record(trx, actor, { action: 'indicator.create', entityType: 'indicator', entityId: id, areaCode, detail: { code: input.code, name: input.name } });
    });
    return this.getDef(actor, id);
  }

  async updateDef(actor: Actor, id: string, input: UpdateDefInput): Promise<DefView> {
    requirePermission(actor, 'indicators:write');
    const cur = await this.defRow(actor, id);
    assertInScope(actor, cur.area_code, 'indicator', id);
    const view = presentDef(cur);
    const numerator = input.numerator ?? view.numerator;
    const denominator = input.denominator !== undefined ? input.denominator : view.denominator;
    const entryLevel = input.entryLevel !== undefined ? input.entryLevel : view.entryLevel;
    this.checkShape(numerator, denominator, entryLevel, input.factor ?? view.factor);
    if (view.kind === 'entered' && numerator.source !== 'entered' && (await indicatorsRepo.countValues(this.db, id)) > 0) {
      throw errors.invalidState('indicator.has_entered_values', 'This indicator has entered figures; archive it and define a computed one instead.');
    }
    const patch: Partial<IndicatorDefRow> = { updated_at: this.p.clock.now().toISOString() };
    if (input.name !== undefined) patch.name = input.name;
    if (input.category !== undefined) patch.category = input.category;
    if (input.polarity !== undefined) patch.polarity = input.polarity;
    if (input.unit !== undefined) patch.unit = input.unit;
    if (input.factor !== undefined) patch.factor = input.factor;
    if (input.numerator !== undefined) patch.numerator = JSON.stringify(input.numerator);
    if (input.denominator !== undefined) patch.denominator = input.denominator ? JSON.stringify(input.denominator) : null;
    if (input.entryLevel !== undefined) patch.entry_level = input.entryLevel;
    if (input.approvalLevels !== undefined) patch.approval_levels = JSON.stringify(input.approvalLevels);
    if (input.description !== undefined) patch.description = input.description;
    if (input.sort !== undefined) patch.sort = input.sort;
    if (input.active !== undefined) patch.active = input.active ? 1 : 0;
    await this.db.transaction().execute(async (trx) => {
      if (!(await indicatorsRepo.updateDef(trx, id, cur.version, patch))) throw errors.conflict('indicator.changed', 'The indicator was changed meanwhile; reload it.');
      await this.p.audit.record(trx, actor, { action: 'indicator.update', entityType: 'indicator', entityId: id, areaCode: cur.area_code, detail: { ...input } });
    });
    return this.getDef(actor, id);
  }

  async archiveDef(actor: Actor, id: string): Promise<DefView> {
    return this.updateDef(actor, id, { active: false });
  }

  // ---- figures ---------------------------------------------------------------------------------------------------

  private async areaOrScope(actor: Actor, areaCode: string | undefined): Promise<{ code: string; name: string }> {
    const code = areaCode ?? actor.areaCode;
    const area = code ? await areasRepo.get(this.db, code) : undefined;
    if (!area || !inScope(actor, area.code)) throw errors.notFound('area', code || '(none)');
    return { code: area.code, name: area.name };
  }

  private async measureValue(def: DefView, prefix: string, groupLen: number, period: Period, now: Date) {
    const num = await indicatorsRepo.measure(this.db, def.numerator, { indicatorId: def.id, prefix, groupLen, period, now });
    const den = def.denominator ? await indicatorsRepo.measure(this.db, def.denominator, { indicatorId: def.id, prefix, groupLen, period, now }) : null;
    return { num, den };
  }

  private valueOf(def: DefView, num: Measured, den: Measured | null, key: string | null): number | null {
    const sum = (m: Measured) => (key === null ? [...m.byGroup.values()].reduce((s, x) => s + x, 0) : (m.byGroup.get(key) ?? 0));
    const present = (m: Measured) => (key === null ? m.present.size > 0 : m.present.has(key));
    if (def.kind === 'entered' && !present(num)) return null;
    if (!den) return r2(sum(num) * def.factor);
    const d = sum(den);
    return d > 0 ? r2((sum(num) / d) * def.factor) : null;
  }

  private async targetsByIndicator(defs: DefView[], year: string): Promise<Map<string, Map<string, IndicatorTargetRow>>> {
    const out = new Map<string, Map<string, IndicatorTargetRow>>();
    for (const t of await indicatorsRepo.targetsFor(this.db, defs.map((d) => d.id), year)) {
      if (!out.has(t.indicator_id)) out.set(t.indicator_id, new Map());
      out.get(t.indicator_id)!.set(t.area_code, t);
    }
    return out;
  }

  /** The target of the area itself, or the nearest one above it (inherited down the tree unless overridden). */
  private targetFor(targets: Map<string, IndicatorTargetRow> | undefined, areaCode: string): TargetView | null {
    if (!targets) return null;
    for (const code of [areaCode, ...ancestorsOf(areaCode).reverse()]) {
      const t = targets.get(code);
      if (t) return { id: t.id, kind: t.kind, amount: t.amount, year: t.year, areaCode: t.area_code, inherited: code !== areaCode, note: t.note };
    }
    return null;
  }

  async report(actor: Actor, q: ReportQuery): Promise<Report> {
    requirePermission(actor, 'indicators:read');
    const now = this.p.clock.now();
    const period = resolvePeriod(q.period, now);
    const base = samePeriodLastYear(period);
    const area = await this.areaOrScope(actor, q.areaCode);
    const level = q.level ?? childLevel[levelOf(area.code)] ?? 'village';
    const groupLen = groupLenOf[level]!;
    const prefix = scopePrefix(area.code);
    if (groupLen <= area.code.length && levelOf(area.code) !== 'city') {
      throw errors.validation('report.level', `The level must be below ${area.name}.`, [{ field: 'level', message: 'a level below the area' }]);
    }
    const ids = q.indicatorIds ? new Set(q.indicatorIds.split(',').map((s) => s.trim()).filter(Boolean)) : null;
    const defs = (await this.listDefs(actor, { activeOnly: true })).filter((d) => !ids || ids.has(d.id) || ids.has(d.code));
    const areas = await this.db.selectFrom('areas').select(['code', 'name']).where('level', '=', level as 'county').where('code', 'like', prefixPattern(prefix)).orderBy('code').execute();
    const targets = await this.targetsByIndicator(defs, period.year);
    const rows: ReportRow[] = [];
    for (const def of defs) {
      const cur = await this.measureValue(def, prefix, groupLen, period, now);
      const old = def.snapshot ? null : await this.measureValue(def, prefix, groupLen, base, now);
      const cell = (code: string, name: string, key: string | null): Cell => {
        const value = this.valueOf(def, cur.num, cur.den, key);
        const b = old ? this.valueOf(def, old.num, old.den, key) : null;
        const target = this.targetFor(targets.get(def.id), code);
        const limit = target && (target.kind === 'change_pct' || (def.polarity === 'negative') === (target.kind === 'ceiling')) ? limitOf(target, b, period) : null;
        return {
          areaCode: code, areaName: name, value, base: b,
          yoyPct: value !== null && b !== null && b > 0 ? r2(((value - b) / b) * 100) : value === 0 && b === 0 ? 0 : null,
          target, limit, status: statusOf(def.polarity, value, limit, period, now),
          pending: key === null ? cur.num.pending.size > 0 : cur.num.pending.has(key),
        };
      };
      rows.push({ indicator: def, total: cell(area.code, area.name, null), cells: areas.map((a) => cell(a.code, a.name, a.code)) });
    }
    return { period, basePeriod: base, areaCode: area.code, areaName: area.name, level, areas, rows, computedAt: now.toISOString() };
  }

  async exportReport(actor: Actor, q: ReportQuery): Promise<Buffer> {
    const r = await this.report(actor, q);
    const wb = new ExcelJS.Workbook();
    wb.creator = 'Shiyu';
    const ws = wb.addWorksheet('指标');
    const statusZh: Record<Status, string> = { met: '达标', at_risk: '预警', missed: '未达标' };
    ws.addRow([`${r.areaName} 指标清单 ${r.period.label}（同比：${r.basePeriod.label}）`]);
    ws.addRow(['指标', '单位', '地区', '本期', '同期', '同比(%)', '目标', '限值', '状态', '待审核']);
    ws.getRow(2).font = { bold: true };
    for (const row of r.rows) {
      for (const c of [row.total, ...row.cells]) {
        const t = c.target ? (c.target.kind === 'change_pct' ? `同比${c.target.amount > 0 ? '+' : ''}${c.target.amount}%` : `${c.target.kind === 'ceiling' ? '不超过' : '不低于'}${c.target.amount}`) : '';
        ws.addRow([row.indicator.name, row.indicator.unit, c.areaName, c.value, c.base, c.yoyPct, t, c.limit, c.status ? statusZh[c.status] : '', c.pending ? '是' : '']);
      }
    }
    ws.columns.forEach((col, i) => { col.width = [22, 10, 16, 10, 10, 10, 14, 10, 8, 8][i] ?? 10; });
    return Buffer.from(await wb.xlsx.writeBuffer());
  }

  // ---- entered figures and their approval ------------------------------------------------------------------------

  async listValues(actor: Actor, f: { indicatorId?: string | undefined; areaCode?: string | undefined; state?: string | undefined; fromMonth?: string | undefined; toMonth?: string | undefined; limit: number }) {
    requirePermission(actor, 'indicators:read');
    if (f.areaCode && !inScope(actor, f.areaCode)) throw errors.notFound('area', f.areaCode);
    if (f.indicatorId) await this.defRow(actor, f.indicatorId);
    const { areaCode, ...rest } = f;
    return (await indicatorsRepo.listValues(this.db, actor.scope, { ...rest, areaPrefix: areaCode ? scopePrefix(areaCode) : undefined })).map(presentValue);
  }

  private async valueRow(actor: Actor, id: string): Promise<IndicatorValueRow> {
    const v = await indicatorsRepo.getValue(this.db, id);
    assertInScope(actor, v?.area_code, 'indicator_value', id);
    return v!;
  }

  async history(actor: Actor, id: string) {
    requirePermission(actor, 'indicators:read');
    const v = await this.valueRow(actor, id);
    const events = await indicatorsRepo.history(this.db, id);
    return { value: presentValue({ ...v, area_name: null }), events: events.map((e) => ({ seq: e.seq, at: e.at, actorName: e.actor_name, action: e.action, value: e.value, fromState: e.from_state, toState: e.to_state, reason: e.reason })) };
  }

  async enterValue(actor: Actor, input: EnterValueInput) {
    requirePermission(actor, 'indicators:enter');
    const def = presentDef(await this.defRow(actor, input.indicatorId));
    if (def.kind !== 'entered') {
      throw errors.invalidState('indicator.computed', `${def.name} is computed from the platform's own records; it is never typed.`);
    }
    const area = await areasRepo.get(this.db, input.areaCode);
    assertInScope(actor, area?.code, 'area', input.areaCode);
    if (levelOf(input.areaCode) !== def.entryLevel) {
      throw errors.validation('indicator_value.level', `${def.name} is entered per ${def.entryLevel}.`, [{ field: 'areaCode', message: `a ${def.entryLevel} code` }]);
    }
    if (input.month > localToday(this.p.clock.now()).slice(0, 7)) {
      throw errors.validation('indicator_value.future', 'No figures for months to come.', [{ field: 'month', message: 'this month or earlier' }]);
    }
    const now = this.p.clock.now().toISOString();
    return this.db.transaction().execute(async (trx) => {
      const cur = await indicatorsRepo.valueByKey(trx, def.id, input.areaCode, input.month);
      if (!cur) {
        const id = newId();
        await indicatorsRepo.insertValue(trx, {
          id, indicator_id: def.id, area_code: input.areaCode, month: input.month, value: input.value, source: input.source, state: 'submitted',
          approval_step: 0, approved_value: null, flagged: 0, version: 0, entered_by: actor.userId, entered_by_name: actor.displayName, entered_at: now, updated_at: now,
        });
        await this.event(trx, actor, id, 'entered', input.value, null, 'submitted', null, now);
        await this.p.audit.record(trx, actor, { action: 'indicator_value.enter', entityType: 'indicator_value', entityId: id, areaCode: input.areaCode, detail: { indicator: def.code, month: input.month, value: input.value } });
        return presentValue({ ...(await indicatorsRepo.getValue(trx, id))!, area_name: area!.name });
      }
      if (cur.value === input.value && cur.source === input.source) return presentValue({ ...cur, area_name: area!.name });
      const locked = cur.state === 'approved' || cur.state === 'accepted';
      if (locked && !input.reason) {
        throw errors.validation('indicator_value.locked', 'This figure has been approved; a change needs a reason and goes through approval again.', [{ field: 'reason', message: 'required to change an approved figure' }]);
      }
      const patch: Partial<IndicatorValueRow> = {
        value: input.value, source: input.source, state: 'submitted', approval_step: 0, updated_at: now,
        ...(locked ? { flagged: 1, approved_value: cur.state === 'accepted' ? cur.value : cur.approved_value } : {}),
      };
      if (!(await indicatorsRepo.updateValue(trx, cur.id, cur.version, patch))) throw errors.conflict('indicator_value.changed', 'The figure was changed meanwhile; reload it.');
      await this.event(trx, actor, cur.id, locked ? 'changed_after_approval' : 'changed', input.value, cur.state, 'submitted', input.reason ?? null, now);
      await this.p.audit.record(trx, actor, { action: 'indicator_value.change', entityType: 'indicator_value', entityId: cur.id, areaCode: cur.area_code, detail: { from: cur.value, to: input.value, reason: input.reason ?? null, afterApproval: locked } });
      return presentValue({ ...(await indicatorsRepo.getValue(trx, cur.id))!, area_name: area!.name });
    });
  }

  /** Approves at the next level (county approves, city accepts): only an account bound to that level's area. */
  async approve(actor: Actor, id: string, note?: string) {
    requirePermission(actor, 'indicators:approve');
    const v = await this.valueRow(actor, id);
    const def = presentDef((await indicatorsRepo.getDef(this.db, v.indicator_id))!);
    if (v.state !== 'submitted' && v.state !== 'approved') throw errors.invalidState('indicator_value.not_pending', `This figure is ${v.state}; nothing to approve.`);
    const levels = def.approvalLevels;
    const step = v.approval_step;
    const needed = levels[step];
    if (!needed) throw errors.invalidState('indicator_value.not_pending', 'This figure needs no further approval.');
    if (levelOf(actor.areaCode) !== needed) {
      throw errors.forbidden('indicator_value.wrong_level', `This step is for the ${needed} level (levels: ${levels.join(' → ')}).`);
    }
    const last = step === levels.length - 1;
    const to = last ? 'accepted' : 'approved';
    const now = this.p.clock.now().toISOString();
    await this.db.transaction().execute(async (trx) => {
      const patch: Partial<IndicatorValueRow> = { state: to, approval_step: step + 1, updated_at: now, ...(last ? { approved_value: v.value } : {}) };
      if (!(await indicatorsRepo.updateValue(trx, id, v.version, patch))) throw errors.conflict('indicator_value.changed', 'The figure was changed meanwhile; reload it.');
      await this.event(trx, actor, id, last ? 'accepted' : 'approved', v.value, v.state, to, note ?? null, now);
      await this.p.audit.record(trx, actor, { action: `indicator_value.${last ? 'accept' : 'approve'}`, entityType: 'indicator_value', entityId: id, areaCode: v.area_code, detail: { value: v.value, level: needed } });
    });
    return presentValue({ ...(await indicatorsRepo.getValue(this.db, id))!, area_name: null });
  }

  async returnValue(actor: Actor, id: string, reason: string) {
    requirePermission(actor, 'indicators:approve');
    const v = await this.valueRow(actor, id);
    if (v.state !== 'submitted' && v.state !== 'approved') throw errors.invalidState('indicator_value.not_pending', `This figure is ${v.state}; nothing to return.`);
    const def = presentDef((await indicatorsRepo.getDef(this.db, v.indicator_id))!);
    const needed = def.approvalLevels[v.approval_step];
    if (!needed || levelOf(actor.areaCode) !== needed) throw errors.forbidden('indicator_value.wrong_level', `Returning is for the ${needed ?? 'approving'} level.`);
    const now = this.p.clock.now().toISOString();
    await this.db.transaction().execute(async (trx) => {
      if (!(await indicatorsRepo.updateValue(trx, id, v.version, { state: 'returned', approval_step: 0, updated_at: now }))) throw errors.conflict('indicator_value.changed', 'The figure was changed meanwhile; reload it.');
      await this.event(trx, actor, id, 'returned', v.value, v.state, 'returned', reason, now);
      await this.p.audit.record(trx, actor, { action: 'indicator_value.return', entityType: 'indicator_value', entityId: id, areaCode: v.area_code, detail: { reason } });
    });
    return presentValue({ ...(await indicatorsRepo.getValue(this.db, id))!, area_name: null });
  }

  private async event(trx: Executor, actor: Actor, valueId: string, action: string, value: number, from: string | null, to: string, reason: string | null, at: string) {
    await indicatorsRepo.insertEvent(trx, { id: newId(), value_id: valueId, seq: await indicatorsRepo.nextSeq(trx, valueId), at, actor_id: actor.userId, actor_name: actor.displayName, action, value, from_state: from, to_state: to, reason });
  }

  // ---- targets ---------------------------------------------------------------------------------------------------

  async listTargets(actor: Actor, f: { indicatorId?: string | undefined; year?: string | undefined }) {
    requirePermission(actor, 'indicators:read');
    // Targets of the caller's own subtree, and those above it that it inherits.
    const above = new Set(ancestorsOf(actor.areaCode));
    return (await indicatorsRepo.listTargets(this.db, f))
      .filter((t) => inScope(actor, t.area_code) || above.has(t.area_code) || t.area_code === actor.areaCode)
      .map((t) => ({ id: t.id, indicatorId: t.indicator_id, areaCode: t.area_code, areaName: t.area_name, year: t.year, kind: t.kind, amount: t.amount, note: t.note, updatedAt: t.updated_at, editable: inScope(actor, t.area_code) }));
  }

  async putTarget(actor: Actor, input: PutTargetInput) {
    requirePermission(actor, 'indicators:write');
    const def = presentDef(await this.defRow(actor, input.indicatorId));
    const area = await areasRepo.get(this.db, input.areaCode);
    assertInScope(actor, area?.code, 'area', input.areaCode);
    if (input.kind !== 'change_pct' && input.amount < 0) throw errors.validation('target.amount', 'A ceiling or floor is not negative.', [{ field: 'amount', message: '0 or more' }]);
    if ((input.kind === 'ceiling' && def.polarity === 'positive') || (input.kind === 'floor' && def.polarity === 'negative')) {
      throw errors.validation('target.kind', `${def.name} is ${def.polarity === 'negative' ? 'lower-is-better: a ceiling' : 'higher-is-better: a floor'}.`, [{ field: 'kind', message: def.polarity === 'negative' ? 'change_pct or ceiling' : 'change_pct or floor' }]);
    }
    const now = this.p.clock.now().toISOString();
    return this.db.transaction().execute(async (trx) => {
      const cur = await indicatorsRepo.targetByKey(trx, def.id, input.areaCode, input.year);
      const id = cur?.id ?? newId();
      if (cur) await indicatorsRepo.updateTarget(trx, id, { kind: input.kind, amount: input.amount, note: input.note ?? null, updated_at: now });
      else await indicatorsRepo.insertTarget(trx, { id, indicator_id: def.id, area_code: input.areaCode, year: input.year, kind: input.kind, amount: input.amount, note: input.note ?? null, created_by_name: actor.displayName, created_at: now, updated_at: now });
      await this.p.audit.record(trx, actor, { action: 'indicator_target.set', entityType: 'indicator_target', entityId: id, areaCode: input.areaCode, detail: { indicator: def.code, year: input.year, kind: input.kind, amount: input.amount } });
      return { id, indicatorId: def.id, areaCode: input.areaCode, areaName: area!.name, year: input.year, kind: input.kind, amount: input.amount, note: input.note ?? null, updatedAt: now, editable: true };
    });
  }

  async deleteTarget(actor: Actor, id: string): Promise<void> {
    requirePermission(actor, 'indicators:write');
    const t = await indicatorsRepo.getTarget(this.db, id);
    assertInScope(actor, t?.area_code, 'indicator_target', id);
    await this.db.transaction().execute(async (trx) => {
      await indicatorsRepo.deleteTarget(trx, id);
      await this.p.audit.record(trx, actor, { action: 'indicator_target.delete', entityType: 'indicator_target', entityId: id, areaCode: t!.area_code, detail: { year: t!.year } });
    });
  }

  // ---- rankings --------------------------------------------------------------------------------------------------

  async listSchemes(actor: Actor) {
    requirePermission(actor, 'indicators:read');
    return (await indicatorsRepo.listSchemes(this.db, actor.scope)).map(presentScheme);
  }

  private async schemeRow(actor: Actor, id: string) {
    const s = await indicatorsRepo.getScheme(this.db, id);
    assertInScope(actor, s?.area_code, 'indicator_scheme', id);
    return s!;
  }

  async createScheme(actor: Actor, input: CreateSchemeInput) {
    requirePermission(actor, 'indicators:write');
    const area = await areasRepo.get(this.db, input.areaCode);
    assertInScope(actor, area?.code, 'area', input.areaCode);
    for (const [i, item] of [...input.rules.items, ...input.rules.vetoes].entries()) {
      const d = await indicatorsRepo.getDef(this.db, item.indicatorId);
      if (!d || !this.visible(actor, d)) throw errors.validation('scheme.indicator', `No indicator ${item.indicatorId}.`, [{ field: i < input.rules.items.length ? `rules.items.${i}.indicatorId` : `rules.vetoes.${i - input.rules.items.length}.indicatorId`, message: 'an indicator id' }]);
    }
    const now = this.p.clock.now().toISOString();
    const id = newId();
    await this.db.transaction().execute(async (trx) => {
      await indicatorsRepo.insertScheme(trx, { id, name: input.name, area_code: input.areaCode, level: input.level, rules: JSON.stringify(input.rules), created_by_name: actor.displayName, created_at: now, updated_at: now });
      await this.p.audit.record(trx, actor, { action: 'indicator_scheme.create', entityType: 'indicator_scheme', entityId: id, areaCode: input.areaCode, detail: { name: input.name } });
    });
    return presentScheme((await indicatorsRepo.getScheme(this.db, id))!);
  }

  /** Computes the ranking for a period without storing it (the big screen, a preview). */
  async previewRanking(actor: Actor, schemeId: string, periodKey: string) {
    const c = await this.computeRanking(actor, schemeId, periodKey);
    return { schemeId: c.s.id, schemeName: c.s.name, areaCode: c.s.area_code, period: c.period, digest: c.digest, result: c.result, items: c.itemNames };
  }

  /** Computes the ranking for a period and stores it with its inputs and a digest (same data, same digest). */
  async runRanking(actor: Actor, schemeId: string, periodKey: string) {
    const { s, period, rules, inputs, result, digest } = await this.computeRanking(actor, schemeId, periodKey);
    const id = newId();
    const now = this.p.clock.now().toISOString();
    await this.db.transaction().execute(async (trx) => {
      await indicatorsRepo.insertRun(trx, { id, scheme_id: s.id, area_code: s.area_code, period: period.key, rules: JSON.stringify(rules), inputs: JSON.stringify(inputs), result: JSON.stringify(result), digest, computed_by_name: actor.displayName, computed_at: now });
      await this.p.audit.record(trx, actor, { action: 'indicator_ranking.run', entityType: 'indicator_scheme', entityId: s.id, areaCode: s.area_code, detail: { period: period.key, digest } });
    });
    return this.getRun(actor, id);
  }

  private async computeRanking(actor: Actor, schemeId: string, periodKey: string) {
    requirePermission(actor, 'indicators:read');
    const s = await this.schemeRow(actor, schemeId);
    const rules: RankingRules = rankingRulesSchema.parse(JSON.parse(s.rules));
    const period = resolvePeriod(periodKey, this.p.clock.now());
    const wanted = [...new Set([...rules.items.map((i) => i.indicatorId), ...rules.vetoes.map((v) => v.indicatorId)])];
    const report = await this.report(actor, { period: period.key, areaCode: s.area_code, level: s.level as 'county', indicatorIds: wanted.join(',') });
    const byId = new Map(report.rows.map((r) => [r.indicator.id, r]));
    const missing = wanted.filter((w) => !byId.has(w));
    if (missing.length) throw errors.invalidState('scheme.indicator_missing', `Indicators no longer active: ${missing.join(', ')}.`);
    const cellOf = (indicatorId: string, code: string) => byId.get(indicatorId)!.cells.find((c) => c.areaCode === code)!;
    const inputs = report.areas.map((a) => ({
      areaCode: a.code,
      items: rules.items.map((it) => { const c = cellOf(it.indicatorId, a.code); return it.measure === 'value' ? c.value : c.yoyPct; }),
      vetoes: rules.vetoes.map((v) => cellOf(v.indicatorId, a.code).value),
    }));
    // A change is better when lower for a negative indicator, and so is its value.
    const lowerIsBetter = rules.items.map((it) => byId.get(it.indicatorId)!.indicator.polarity === 'negative');
    const ranked = rank(rules, lowerIsBetter, inputs);
    const names = new Map(report.areas.map((a) => [a.code, a.name]));
    const result = ranked.map((r) => ({ ...r, areaName: names.get(r.areaCode) ?? r.areaCode }));
    const digest = crypto.createHash('sha256').update(JSON.stringify({ period: period.key, rules, inputs, result })).digest('hex');
    const itemNames = rules.items.map((it) => ({ ...it, indicatorName: byId.get(it.indicatorId)!.indicator.name }));
    return { s, period, rules, inputs, result, digest, itemNames };
  }

  async getRun(actor: Actor, id: string) {
    requirePermission(actor, 'indicators:read');
    const r = await indicatorsRepo.getRun(this.db, id);
    assertInScope(actor, r?.area_code, 'indicator_ranking', id);
    const scheme = (await indicatorsRepo.getScheme(this.db, r!.scheme_id))!;
    const rules = JSON.parse(r!.rules) as RankingRules;
    const defs = new Map((await indicatorsRepo.listDefs(this.db)).map((d) => [d.id, d.name]));
    return {
      id: r!.id, schemeId: r!.scheme_id, schemeName: scheme.name, areaCode: r!.area_code, period: resolvePeriod(r!.period, this.p.clock.now()),
      items: rules.items.map((i) => ({ ...i, indicatorName: defs.get(i.indicatorId) ?? i.indicatorId })),
      vetoes: rules.vetoes.map((v) => ({ ...v, indicatorName: defs.get(v.indicatorId) ?? v.indicatorId })),
      inputs: JSON.parse(r!.inputs) as unknown, result: JSON.parse(r!.result) as unknown[], digest: r!.digest, computedByName: r!.computed_by_name, computedAt: r!.computed_at,
    };
  }

  async listRuns(actor: Actor, schemeId: string) {
    requirePermission(actor, 'indicators:read');
    await this.schemeRow(actor, schemeId);
    return (await indicatorsRepo.listRuns(this.db, schemeId)).map((r) => ({ id: r.id, period: r.period, digest: r.digest, computedByName: r.computed_by_name, computedAt: r.computed_at }));
  }
}

function presentValue(v: IndicatorValueRow & { area_name: string | null }) {
  return {
    id: v.id, indicatorId: v.indicator_id, areaCode: v.area_code, areaName: v.area_name, month: v.month, value: v.value, source: v.source, state: v.state,
    approvalStep: v.approval_step, approvedValue: v.approved_value, flagged: v.flagged === 1, version: v.version, enteredByName: v.entered_by_name,
    enteredAt: v.entered_at, updatedAt: v.updated_at,
  };
}

function presentScheme(s: { id: string; name: string; area_code: string; level: string; rules: string; created_by_name: string; created_at: string }) {
  return { id: s.id, name: s.name, areaCode: s.area_code, level: s.level, rules: JSON.parse(s.rules) as RankingRules, createdByName: s.created_by_name, createdAt: s.created_at };
}
