// The rules of dispute handling, as pure functions: the closed loop's legal transitions, deadlines by type and
// risk, where a case is routed, which mediator takes it, and the case code. No I/O here, so all of it is unit-tested.
import { shanghaiDay } from '../../platform/clock.ts';
import { errors } from '../../platform/errors.ts';

export const caseTypes = [
  'neighbour',
  'marriage_family',
  'land_forest',
  'wages',
  'property',
  'traffic',
  'medical',
  'contract',
  'mass_economic',
  'other',
] as const;
export type CaseType = (typeof caseTypes)[number];

export const riskLevels = ['low', 'medium', 'high'] as const;
export type RiskLevel = (typeof riskLevels)[number];

/** How the dispute reached us. `alert` only through intakeFromAlert (the early-warning module). */
export const channels = ['walk_in', 'hotline', 'representative', 'visit', 'online', 'alert'] as const;
export type Channel = (typeof channels)[number];

/** 受理 → 分派 → 调处 → 办结 → 回访 → 评价 */
export const caseStates = ['accepted', 'assigned', 'mediating', 'concluded', 'followed_up', 'rated'] as const;
export type CaseState = (typeof caseStates)[number];
export const openStates: readonly CaseState[] = ['accepted', 'assigned', 'mediating'];

export const outcomes = ['agreement', 'court', 'arbitration', 'withdrawn'] as const;
export type Outcome = (typeof outcomes)[number];

/** The mass-economic-case chain of the brief, in order. */
export const massStages = ['prevention', 'monitoring', 'investigation', 'disposal', 'recovery', 'petition'] as const;
export type MassStage = (typeof massStages)[number];

export const centreLevels = ['city', 'county', 'town'] as const;
export type CentreLevel = (typeof centreLevels)[number];

export const mediatorKinds = ['centre', 'backpack', 'specialist'] as const;
export type MediatorKind = (typeof mediatorKinds)[number];

export type CaseAction =
  | 'assign'
  | 'sign'
  | 'return'
  | 'session'
  | 'extend'
  | 'conclude'
  | 'follow_up'
  | 'rate'
  | 'escalate'
  | 'update'
  | 'stage'
  | 'join_department'
  | 'attach';

interface Transition {
  from: readonly CaseState[];
  /** The state afterwards; null: unchanged. */
  to: CaseState | null;
}

const transitions: Record<CaseAction, Transition> = {
  assign: { from: ['accepted', 'assigned'], to: 'assigned' },
  sign: { from: ['assigned'], to: 'mediating' },
  // A handler may hand a case back to the centre (with a reason) before signing or while handling it.
  return: { from: ['assigned', 'mediating'], to: 'accepted' },
  session: { from: ['mediating'], to: null },
  extend: { from: ['assigned', 'mediating'], to: null },
  conclude: { from: ['mediating'], to: 'concluded' },
  follow_up: { from: ['concluded'], to: 'followed_up' },
  rate: { from: ['followed_up'], to: 'rated' },
  // The upper centre takes the case over and assigns it again.
  escalate: { from: ['accepted', 'assigned', 'mediating'], to: 'accepted' },
  update: { from: ['accepted', 'assigned', 'mediating'], to: null },
  stage: { from: ['accepted', 'assigned', 'mediating', 'concluded', 'followed_up'], to: null },
  join_department: { from: ['accepted', 'assigned', 'mediating'], to: null },
  attach: { from: ['accepted', 'assigned', 'mediating', 'concluded', 'followed_up'], to: null },
};

/** The state after `action`, or an invalid-state error that names the state and where the action is allowed. */
export function nextState(state: CaseState, action: CaseAction, opts: { outcome?: Outcome } = {}): CaseState {
  let t = transitions[action];
  // A withdrawn dispute can be closed before anyone has signed for it.
  if (action === 'conclude' && opts.outcome === 'withdrawn') t = { from: ['accepted', 'assigned', 'mediating'], to: 'concluded' };
  if (!t.from.includes(state)) {
    throw errors.invalidState(
      'case.illegal_transition',
      `A case that is ${state} cannot be ${pastTense[action]}; this is allowed only when it is ${t.from.join(' or ')}.`,
      { state, action, allowedFrom: t.from },
    );
  }
  return t.to ?? state;
}

const pastTense: Record<CaseAction, string> = {
  assign: 'assigned',
  sign: 'signed for',
  return: 'returned',
  session: 'given a mediation session',
  extend: 'extended',
  conclude: 'concluded',
  follow_up: 'followed up',
  rate: 'rated',
  escalate: 'escalated',
  update: 'changed',
  stage: 'moved to another stage',
  join_department: 'joined by a department',
  attach: 'given attachments',
};

export function isOpen(state: string): boolean {
  return (openStates as readonly string[]).includes(state);
}

// ---- deadlines ------------------------------------------------------------------------------------------------

const DAY_MS = 86_400_000;

/**
 * Days to conclude, by type. People's mediation: within a month (司法部《人民调解工作若干规定》). Wages: 15 days,
 * after which the parties may go to arbitration (劳动争议调解仲裁法 §14). Traffic: 10 days (道路交通事故处理程序规定).
 */
export const deadlineDaysByType: Record<CaseType, number> = {
  neighbour: 30,
  marriage_family: 30,
  land_forest: 30,
  wages: 15,
  property: 30,
  traffic: 10,
  medical: 30,
  contract: 30,
  mass_economic: 30,
  other: 30,
};

/** High risk halves the time (at least 5 days): such disputes can turn into incidents. */
export function deadlineDays(type: CaseType, risk: RiskLevel): number {
  const base = deadlineDaysByType[type];
  return risk === 'high' ? Math.max(5, Math.ceil(base / 2)) : base;
}

/** After an overdue escalation the upper centre gets half the usual time (at least 5 days) under supervision. */
export function escalatedDeadlineDays(type: CaseType, risk: RiskLevel): number {
  return Math.max(5, Math.ceil(deadlineDays(type, risk) / 2));
}

export const MAX_EXTENSION_DAYS = 30;
export const MAX_EXTENSIONS = 1;

/** When to remind the handler: 3 days before the deadline, 1 day for short deadlines. */
export function reminderAt(deadline: Date, periodDays: number): Date {
  const lead = periodDays >= 10 ? 3 : 1;
  return new Date(deadline.getTime() - lead * DAY_MS);
}

export function addDays(d: Date, days: number): Date {
  return new Date(d.getTime() + days * DAY_MS);
}

// ---- routing ---------------------------------------------------------------------------------------------------

/** The level a new case is handled at: difficult ones (high risk, mass economic) at the county with a named leader. */
export function targetLevel(type: CaseType, risk: RiskLevel): CentreLevel {
  return risk === 'high' || type === 'mass_economic' ? 'county' : 'town';
}

/** The area codes of the centres that may cover an area, from the given level up: town, county, city. */
export function centreAreasFor(areaCode: string, from: CentreLevel): { level: CentreLevel; areaCode: string }[] {
  const out: { level: CentreLevel; areaCode: string }[] = [];
  if (from === 'town' && areaCode.length >= 9) out.push({ level: 'town', areaCode: areaCode.slice(0, 9) });
  if (from !== 'city' && areaCode.length >= 6) out.push({ level: 'county', areaCode: areaCode.slice(0, 6) });
  if (areaCode.length >= 4) out.push({ level: 'city', areaCode: areaCode.slice(0, 4) + '00' });
  return out;
}

export function levelAbove(level: CentreLevel): CentreLevel | null {
  return level === 'town' ? 'county' : level === 'county' ? 'city' : null;
}

export function centreLevelOf(areaCode: string): CentreLevel | null {
  if (areaCode.length === 9) return 'town';
  if (areaCode.length === 6) return areaCode.endsWith('00') ? (areaCode.endsWith('0000') ? null : 'city') : 'county';
  return null;
}

export interface MediatorCandidate {
  id: string;
  name: string;
  areaCode: string;
  specialities: readonly string[];
  capacity: number;
  load: number;
  active: boolean;
  /** The scope of the mediator's account; a mediator who could not read the case cannot take it. */
  userScope: string | null;
}

/**
 * The mediator for a case: active, with capacity, able to see the case's area, not one who returned it.
 * Preference: speciality in the case's type, then a mediator attached to the case's own village (a backpack
 * mediator), then the lightest relative load, then the name (stable).
 */
export function pickMediator(
  candidates: readonly MediatorCandidate[],
  c: { type: CaseType; areaCode: string },
  exclude: ReadonlySet<string> = new Set(),
): MediatorCandidate | null {
  const eligible = candidates.filter(
    (m) => m.active && m.load < m.capacity && !exclude.has(m.id) && (m.userScope === null || c.areaCode.startsWith(m.userScope)),
  );
  const score = (m: MediatorCandidate) =>
    (m.specialities.includes(c.type) ? 2 : 0) + (m.areaCode.length >= 12 && c.areaCode.startsWith(m.areaCode) ? 1 : 0);
  eligible.sort((a, b) => score(b) - score(a) || a.load / a.capacity - b.load / b.capacity || a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  return eligible[0] ?? null;
}

// ---- codes -----------------------------------------------------------------------------------------------------

export { shanghaiDay };

/** The series a case code belongs to: `MJ430523-20260522` (county of the dispute, day of intake). */
export function codeSeries(areaCode: string, at: Date): string {
  return `MJ${areaCode.slice(0, 6)}-${shanghaiDay(at).replaceAll('-', '')}`;
}

export function caseCode(series: string, serial: number): string {
  return `${series}-${String(serial).padStart(4, '0')}`;
}

export function massStageIndex(stage: MassStage): number {
  return massStages.indexOf(stage);
}
