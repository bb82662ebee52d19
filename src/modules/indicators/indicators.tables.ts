// Tables of the indicators module (migration 0030_indicators). Timestamps: ISO-8601 UTC text; booleans: 0/1; JSON: text.

export interface IndicatorDefRow {
  id: string;
  /** Short stable code (safety_accidents); unique. */
  code: string;
  name: string;
  /** negative_list (负面清单), seven_up (七上升), six_down (六下降), operations. */
  category: string;
  /** negative: lower is better; positive: higher is better. */
  polarity: 'negative' | 'positive';
  unit: string;
  /** Value = numerator / denominator × factor (factor 100000 with the population: per 100,000 residents). */
  factor: number;
  /** JSON expression (indicators.expr.ts). */
  numerator: string;
  /** JSON expression or null (a plain count or sum). */
  denominator: string | null;
  /** For entered indicators: the level that enters (town, county); null for computed ones. */
  entry_level: string | null;
  /** JSON array of the levels that approve in order, e.g. ["county","city"]. */
  approval_levels: string;
  /** The area that owns the definition (the city for the city's list). */
  area_code: string;
  description: string | null;
  sort: number;
  active: number;
  version: number;
  created_at: string;
  updated_at: string;
}

/** One entered value: an indicator × area × month. */
export interface IndicatorValueRow {
  id: string;
  indicator_id: string;
  area_code: string;
  /** YYYY-MM (Asia/Shanghai). */
  month: string;
  value: number;
  /** Where the figure comes from (公安局统计、应急局台账 …). */
  source: string;
  /** submitted → approved → accepted (or returned). */
  state: string;
  /** Index of the next approval level in the definition's approval_levels. */
  approval_step: number;
  /** The last value that completed approval, kept while a change is pending. */
  approved_value: number | null;
  /** 1 once a value was changed after approval. */
  flagged: number;
  version: number;
  entered_by: string | null;
  entered_by_name: string;
  entered_at: string;
  updated_at: string;
}

/** The history of an entered value: every entry, change, approval and return (append-only). */
export interface IndicatorValueEventRow {
  id: string;
  value_id: string;
  seq: number;
  at: string;
  actor_id: string | null;
  actor_name: string;
  action: string;
  value: number;
  from_state: string | null;
  to_state: string;
  reason: string | null;
}

export interface IndicatorTargetRow {
  id: string;
  indicator_id: string;
  /** Applies to this area and, unless overridden, to every area below it. */
  area_code: string;
  /** YYYY. */
  year: string;
  /** change_pct: at most (negative) / at least (positive) the same period last year × (1 + amount/100);
   *  ceiling / floor: an absolute limit for the year (pro rata for shorter periods). */
  kind: 'change_pct' | 'ceiling' | 'floor';
  amount: number;
  note: string | null;
  created_by_name: string;
  created_at: string;
  updated_at: string;
}

export interface AreaPopulationRow {
  area_code: string;
  year: string;
  population: number;
  source: string;
}

export interface IndicatorSchemeRow {
  id: string;
  name: string;
  /** The parent area whose children are ranked. */
  area_code: string;
  /** county, town or village: the level ranked. */
  level: string;
  /** JSON: { items: [...], vetoes: [...] } (indicators.ranking.ts). */
  rules: string;
  created_by_name: string;
  created_at: string;
  updated_at: string;
}

/** A ranking computed for a period, stored with the inputs it used, so that it can be shown and checked later. */
export interface IndicatorRankingRunRow {
  id: string;
  scheme_id: string;
  area_code: string;
  period: string;
  /** JSON: the scheme's rules as used. */
  rules: string;
  /** JSON: the measured inputs per area and item. */
  inputs: string;
  /** JSON: the ranked result. */
  result: string;
  /** sha256 of rules + inputs + result: the same period and data give the same digest. */
  digest: string;
  computed_by_name: string;
  computed_at: string;
}

export interface IndicatorTables {
  indicator_defs: IndicatorDefRow;
  indicator_values: IndicatorValueRow;
  indicator_value_events: IndicatorValueEventRow;
  indicator_targets: IndicatorTargetRow;
  area_populations: AreaPopulationRow;
  indicator_schemes: IndicatorSchemeRow;
  indicator_ranking_runs: IndicatorRankingRunRow;
}
