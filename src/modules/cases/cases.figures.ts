// Figures for the indicators, scoped to the caller's area: cases by type, area and month; resolution rate
// (concluded with an agreement / all), overdue rate (went past a deadline / all), mean days to conclude,
// satisfaction (mean of 1–5, and the share rated 4 or 5).
import type { Actor } from '../../platform/access.ts';
import { inScope, scopePrefix } from '../../platform/access.ts';
import type { Platform } from '../../platform/context.ts';
import { errors } from '../../platform/errors.ts';
import { areasRepo } from '../areas/areas.repo.ts';
import type { FiguresView } from './cases.schema.ts';
import { isOpen } from './cases.policy.ts';
import { figuresRepo, type FigureGroup } from './figures.repo.ts';

type Sums = Omit<FigureGroup, 'type' | 'area' | 'month' | 'state'>;
const sumKeys = ['count', 'resolved', 'concluded', 'overdue', 'daysSum', 'daysCount', 'satisfactionSum', 'satisfactionCount', 'satisfied', 'people', 'amountInvolved', 'amountRecovered'] as const;

function fold(groups: readonly FigureGroup[]): Sums {
  const out = Object.fromEntries(sumKeys.map((k) => [k, 0])) as unknown as Sums;
  for (const g of groups) for (const k of sumKeys) out[k] += g[k];
  return out;
}

/** The groups summed by one key, sorted by it. */
function breakdown(groups: readonly FigureGroup[], key: (g: FigureGroup) => string): [string, Sums][] {
  const by = new Map<string, FigureGroup[]>();
  for (const g of groups) {
    const k = key(g);
    const list = by.get(k);
    if (list) list.push(g);
    else by.set(k, [g]);
  }
  return [...by.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, list]) => [k, fold(list)]);
}

const rate = (part: number, whole: number): number | null => (whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000);
const round2 = (v: number | null): number | null => (v === null ? null : Math.round(v * 100) / 100);

/** The code length of the areas one level below a scope prefix: city '4305' → counties (6), county → towns (9) … */
export function childCodeLength(prefix: string): number {
  if (prefix.length < 4) return 4;
  if (prefix.length === 4) return 6;
  return prefix.length + 3;
}

export class CaseFigures {
  constructor(private readonly p: Platform) {}

  async compute(actor: Actor, q: { areaCode?: string | undefined; from?: string | undefined; to?: string | undefined }): Promise<FiguresView> {
    const db = this.p.db.kysely;
    let areaCode = actor.areaCode;
    if (q.areaCode) {
      if (!inScope(actor, q.areaCode)) throw errors.notFound('area', q.areaCode);
      areaCode = q.areaCode;
    }
    const prefix = q.areaCode ? scopePrefix(q.areaCode) : actor.scope;
    const f = { prefix, from: q.from, to: q.to, now: this.p.clock.now().toISOString() };
    const codeLength = childCodeLength(prefix);
    const groups = await figuresRepo.groups(db, f, codeLength);
    const t = fold(groups);
    const byType = breakdown(groups, (g) => g.type);
    const byAreaRaw = breakdown(groups, (g) => (g.area.length === 4 ? g.area + '00' : g.area));
    const byMonth = breakdown(groups, (g) => g.month);
    const byState = breakdown(groups, (g) => g.state);
    const names = new Map((await areasRepo.getMany(db, byAreaRaw.map(([code]) => code))).map((a) => [a.code, a.name]));
    const mass = fold(groups.filter((g) => g.type === 'mass_economic'));
    return {
      areaCode,
      from: q.from ?? null,
      to: q.to ?? null,
      total: t.count,
      open: groups.filter((g) => isOpen(g.state)).reduce((n, g) => n + g.count, 0),
      concluded: t.concluded,
      resolved: t.resolved,
      overdue: t.overdue,
      resolutionRate: rate(t.resolved, t.count),
      concludedRate: rate(t.concluded, t.count),
      overdueRate: rate(t.overdue, t.count),
      meanDaysToConclude: t.daysCount ? round2(t.daysSum / t.daysCount) : null,
      satisfaction: {
        rated: t.satisfactionCount,
        mean: t.satisfactionCount ? round2(t.satisfactionSum / t.satisfactionCount) : null,
        satisfiedRate: rate(t.satisfied, t.satisfactionCount),
      },
      byType: byType.map(([type, g]) => ({ type, count: g.count, resolved: g.resolved })),
      byArea: byAreaRaw.map(([code, g]) => ({ areaCode: code, areaName: names.get(code) ?? null, count: g.count, resolved: g.resolved, overdue: g.overdue })),
      byMonth: byMonth.map(([month, g]) => ({ month, count: g.count, concluded: g.concluded })),
      byState: byState.map(([state, g]) => ({ state, count: g.count })),
      massEconomic: { cases: mass.count, people: mass.people, amountInvolved: mass.amountInvolved, amountRecovered: mass.amountRecovered },
    };
  }
}
