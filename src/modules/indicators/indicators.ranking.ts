// Rankings and scoring as pure functions: areas are scored per item by a rule (rank → points, ratio to the best,
// deductions per unit), the weighted total ranks them, and a veto item (一票否决) sets an area's total to zero.
import { z } from 'zod';

const id = z.string().min(1).max(64);
export const scoreRuleSchema = z.discriminatedUnion('kind', [
  /** points[0] for the best, points[1] for the second …; beyond the list: the last entry. */
  z.object({ kind: z.literal('rank_points'), points: z.array(z.number().min(0).max(100)).min(1).max(300) }).strict(),
  /** 100 × best ÷ value (lower is better) or 100 × value ÷ best (higher is better). */
  z.object({ kind: z.literal('ratio_to_best') }).strict(),
  /** 100 − perUnit × value, not below 0. */
  z.object({ kind: z.literal('deduction'), perUnit: z.number().positive().max(100) }).strict(),
]);
export type ScoreRule = z.infer<typeof scoreRuleSchema>;

export const rankingRulesSchema = z.object({
  items: z.array(z.object({
    indicatorId: id,
    weight: z.number().positive().max(100),
    /** What is compared: the value for the period, or its change against the same period last year (%). */
    measure: z.enum(['value', 'yoy_pct']),
    rule: scoreRuleSchema,
  }).strict()).min(1).max(30),
  vetoes: z.array(z.object({
    indicatorId: id,
    /** The area is vetoed when the indicator's value for the period is above this. */
    above: z.number().min(0),
    label: z.string().trim().min(1).max(60),
  }).strict()).max(10).default([]),
}).strict();
export type RankingRules = z.infer<typeof rankingRulesSchema>;

export interface RankingInput {
  areaCode: string;
  /** Per item index: the measured figure (null: no figure). */
  items: (number | null)[];
  /** Per veto index: the indicator's value (null: no figure). */
  vetoes: (number | null)[];
}

export interface RankedArea {
  areaCode: string;
  rank: number;
  total: number;
  /** Per item: its score 0..100 (null: no figure, scored 0). */
  scores: (number | null)[];
  vetoed: string[];
}

const round = (x: number) => Math.round(x * 100) / 100;

/** Ranks with ties: equal figures share the better rank (1, 2, 2, 4). */
function ranksOf(values: (number | null)[], lowerIsBetter: boolean): (number | null)[] {
  const present = values.filter((v): v is number => v !== null);
  return values.map((v) => (v === null ? null : 1 + present.filter((o) => (lowerIsBetter ? o < v : o > v)).length));
}

export function scoreItem(values: (number | null)[], rule: ScoreRule, lowerIsBetter: boolean): (number | null)[] {
  switch (rule.kind) {
    case 'rank_points': {
      const ranks = ranksOf(values, lowerIsBetter);
      return ranks.map((r) => (r === null ? null : rule.points[Math.min(r, rule.points.length) - 1]!));
    }
    case 'ratio_to_best': {
      const present = values.filter((v): v is number => v !== null);
      if (present.length === 0) return values.map(() => null);
      const best = lowerIsBetter ? Math.min(...present) : Math.max(...present);
      return values.map((v) => {
        if (v === null) return null;
        if (v === best) return 100;
        if (lowerIsBetter) return v <= 0 ? 100 : round(Math.max(0, (100 * best) / v));
        return best <= 0 ? 0 : round(Math.max(0, (100 * v) / best));
      });
    }
    case 'deduction':
      return values.map((v) => (v === null ? null : round(Math.max(0, 100 - rule.perUnit * Math.max(0, v)))));
  }
}

/** Scores and ranks. `lowerIsBetter[i]` is item i's direction (a negative indicator, or a change of one). */
export function rank(rules: RankingRules, lowerIsBetter: boolean[], inputs: RankingInput[]): RankedArea[] {
  const perItem = rules.items.map((item, i) => scoreItem(inputs.map((a) => a.items[i] ?? null), item.rule, lowerIsBetter[i] ?? true));
  const weights = rules.items.reduce((s, x) => s + x.weight, 0);
  const scored = inputs.map((a, ai) => {
    const scores = rules.items.map((_, i) => perItem[i]![ai] ?? null);
    const vetoed = rules.vetoes.filter((v, vi) => (a.vetoes[vi] ?? null) !== null && a.vetoes[vi]! > v.above).map((v) => v.label);
    const total = vetoed.length ? 0 : round(rules.items.reduce((s, x, i) => s + x.weight * (scores[i] ?? 0), 0) / weights);
    return { areaCode: a.areaCode, total, scores, vetoed };
  });
  const ranks = ranksOf(scored.map((s) => s.total), false);
  return scored
    .map((s, i) => ({ ...s, rank: ranks[i]! }))
    .sort((a, b) => a.rank - b.rank || a.areaCode.localeCompare(b.areaCode));
}
