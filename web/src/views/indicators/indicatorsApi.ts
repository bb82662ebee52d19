// The indicators module's client: types of the server's answers (indicators.service.ts) and the calls.
import { request } from '../../api';

export type Status = 'met' | 'at_risk' | 'missed';
export type Level = 'county' | 'town' | 'village';
export interface Period { key: string; kind: string; from: string; to: string; year: string; label: string; labelEn: string }
export interface Target { id: string; kind: 'change_pct' | 'ceiling' | 'floor'; amount: number; year: string; areaCode: string; inherited: boolean; note: string | null }
export interface Cell {
  areaCode: string; areaName: string; value: number | null; base: number | null; yoyPct: number | null;
  target: Target | null; limit: number | null; status: Status | null; pending: boolean;
}
export interface Indicator {
  id: string; code: string; name: string; category: string; polarity: 'negative' | 'positive'; unit: string; factor: number;
  kind: 'computed' | 'entered'; snapshot: boolean; entryLevel: string | null; approvalLevels: string[]; areaCode: string;
  description: string | null; active: boolean; numerator: { source: string }; denominator: { source: string } | null;
}
export interface Report {
  period: Period; basePeriod: Period; areaCode: string; areaName: string; level: Level;
  areas: { code: string; name: string }[]; rows: { indicator: Indicator; total: Cell; cells: Cell[] }[]; computedAt: string;
}
export interface EnteredValue {
  id: string; indicatorId: string; areaCode: string; areaName: string | null; month: string; value: number; source: string;
  state: 'submitted' | 'approved' | 'accepted' | 'returned'; approvalStep: number; approvedValue: number | null; flagged: boolean;
  enteredByName: string; enteredAt: string; updatedAt: string;
}
export interface ValueEvent { seq: number; at: string; actorName: string; action: string; value: number; fromState: string | null; toState: string; reason: string | null }
export interface TargetRow { id: string; indicatorId: string; areaCode: string; areaName: string | null; year: string; kind: Target['kind']; amount: number; note: string | null; editable: boolean }
export interface Scheme { id: string; name: string; areaCode: string; level: Level }
export interface Ranked { areaCode: string; areaName: string; rank: number; total: number; scores: (number | null)[]; vetoed: string[] }
export interface Ranking { schemeId: string; schemeName: string; period: Period; digest: string; result: Ranked[]; items: { indicatorName: string; weight: number; measure: string }[] }

const enc = encodeURIComponent;
type Q = Record<string, string | number | undefined>;

export const indicatorsApi = {
  report: (q: { period: string; areaCode?: string; level?: string; indicatorIds?: string }) => request<Report>('GET', '/api/indicator-report', { query: q }),
  exportUrl: (q: Q) => `/api/indicator-report/export?${new URLSearchParams(Object.entries(q).filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => [k, String(v)])).toString()}`,
  indicators: () => request<{ items: Indicator[] }>('GET', '/api/indicators', { query: { active: 'true' } }),
  values: (q: Q) => request<{ items: EnteredValue[] }>('GET', '/api/indicator-values', { query: q }),
  enter: (body: { indicatorId: string; areaCode: string; month: string; value: number; source: string; reason?: string }) => request<EnteredValue>('POST', '/api/indicator-values', { body }),
  approve: (id: string) => request<EnteredValue>('POST', `/api/indicator-values/${enc(id)}/approve`, { body: {} }),
  returnValue: (id: string, reason: string) => request<EnteredValue>('POST', `/api/indicator-values/${enc(id)}/return`, { body: { reason } }),
  history: (id: string) => request<{ value: EnteredValue; events: ValueEvent[] }>('GET', `/api/indicator-values/${enc(id)}/history`),
  targets: (q: Q) => request<{ items: TargetRow[] }>('GET', '/api/indicator-targets', { query: q }),
  putTarget: (body: { indicatorId: string; areaCode: string; year: string; kind: string; amount: number; note?: string }) => request<TargetRow>('PUT', '/api/indicator-targets', { body }),
  schemes: () => request<{ items: Scheme[] }>('GET', '/api/indicator-schemes'),
  ranking: (id: string, period: string) => request<Ranking>('GET', `/api/indicator-schemes/${enc(id)}/ranking`, { query: { period } }),
  saveRanking: (id: string, period: string) => request<{ id: string; digest: string }>('POST', `/api/indicator-schemes/${enc(id)}/runs`, { body: { period } }),
};

export const PERIODS = ['ytd', 'this_month', 'last_month', 'this_quarter', 'this_year', 'last_12_months'] as const;
export const statusColour: Record<Status, string> = { met: '#2ec4b6', at_risk: '#f5a623', missed: '#ff5252' };

export function fmt(v: number | null | undefined, digits = 2): string {
  if (v === null || v === undefined) return '—';
  return Number.isInteger(v) ? String(v) : v.toFixed(digits).replace(/\.?0+$/, '');
}
export function fmtPct(v: number | null | undefined): string {
  if (v === null || v === undefined) return '—';
  return `${v > 0 ? '+' : ''}${v.toFixed(1)}%`;
}
