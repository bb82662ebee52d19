// The rules of alert handling as pure functions: the lifecycle's legal moves, the tiers of the escalation ladder,
// the "135" fast-response targets and the alert code. No I/O, so all of it is unit-tested.
import { errors } from '../../platform/errors.ts';
import { localParts } from './periods.ts';
import type { Ladder, Tier } from './rules.schema.ts';

export const alertStates = ['raised', 'acknowledged', 'dispatched', 'on_scene', 'closed'] as const;
export type AlertState = (typeof alertStates)[number];

export const outcomes = ['persuaded_away', 'rescued', 'false_alarm', 'handled', 'not_found', 'duplicate', 'casualty'] as const;
export type Outcome = (typeof outcomes)[number];

export type AlertAction = 'acknowledge' | 'speak' | 'dispatch' | 'on_scene' | 'close' | 'comment' | 'attach';

const allowedFrom: Record<AlertAction, readonly AlertState[]> = {
  acknowledge: ['raised'],
  speak: ['raised', 'acknowledged', 'dispatched', 'on_scene'],
  // Another responder may be sent while the first is on the way or on scene.
  dispatch: ['raised', 'acknowledged', 'dispatched', 'on_scene'],
  on_scene: ['raised', 'acknowledged', 'dispatched'],
  close: ['raised', 'acknowledged', 'dispatched', 'on_scene'],
  comment: ['raised', 'acknowledged', 'dispatched', 'on_scene', 'closed'],
  attach: ['raised', 'acknowledged', 'dispatched', 'on_scene', 'closed'],
};

const nextState: Partial<Record<AlertAction, AlertState>> = {
  acknowledge: 'acknowledged',
  dispatch: 'dispatched',
  on_scene: 'on_scene',
  close: 'closed',
};

/** The state after an action, or an invalid-state error naming what is allowed. */
export function transition(state: string, action: AlertAction): AlertState {
  const from = allowedFrom[action];
  if (!(from as readonly string[]).includes(state)) {
    throw errors.invalidState('alert.invalid_state', `An alert that is ${state} cannot be ${action === 'close' ? 'closed' : action + 'd'} now.`, { state, action, allowedFrom: from });
  }
  const to = nextState[action];
  // Sending a second responder keeps an alert that is already on scene there.
  if (action === 'dispatch' && state === 'on_scene') return 'on_scene';
  return to ?? (state as AlertState);
}

/** The area of a tier that contains `areaCode`: 430523100203 at town tier is 430523100; at city tier, 430500. */
export function tierArea(areaCode: string, tier: Tier): string {
  const len = { village: 12, town: 9, county: 6, city: 4 }[tier];
  if (tier === 'city') return areaCode.slice(0, 4) + '00';
  return areaCode.length >= len ? areaCode.slice(0, len) : areaCode;
}

/** The tier of the smallest area an alert's area code names. */
export function tierOfCode(areaCode: string): Tier {
  if (areaCode.length >= 12) return 'village';
  if (areaCode.length >= 9) return 'town';
  return areaCode.endsWith('00') && areaCode.length === 6 ? 'city' : 'county';
}

/** An alert cannot start below the area it was raised in (an event known only to the county starts at the county). */
export function startTier(areaCode: string, wanted: Tier): Tier {
  const order = ['village', 'town', 'county', 'city'] as const;
  const floor = order.indexOf(tierOfCode(areaCode));
  return order[Math.max(floor, order.indexOf(wanted))] ?? wanted;
}

export const defaultLadder: Ladder = {
  start: 'town',
  steps: [
    { tier: 'county', afterSeconds: 300 },
    { tier: 'city', afterSeconds: 900 },
  ],
  remindEverySeconds: 120,
};

/**
 * "135": answered within 1 minute; on scene within 3 minutes in the core city (the districts: county digits 01–18,
 * GB/T 2260) and 5 minutes elsewhere.
 */
export const ANSWER_TARGET_S = 60;
export function onSceneTargetSeconds(areaCode: string): number {
  const county = Number(areaCode.slice(4, 6));
  return county >= 1 && county <= 18 ? 180 : 300;
}

export function fastResponseDue(areaCode: string, dispatchedAt: Date): { answerDueAt: Date; onSceneDueAt: Date } {
  return {
    answerDueAt: new Date(dispatchedAt.getTime() + ANSWER_TARGET_S * 1000),
    onSceneDueAt: new Date(dispatchedAt.getTime() + onSceneTargetSeconds(areaCode) * 1000),
  };
}

/** YJ430523-20260522-0007: the county, the local date, the day's sequence number in that county. */
export function alertCode(areaCode: string, at: Date, seq: number): string {
  return `${alertCodeSeries(areaCode, at)}-${String(seq).padStart(4, '0')}`;
}

/** The series an alert code's number counts in: the county and the local day (`YJ430523-20260522`). */
export function alertCodeSeries(areaCode: string, at: Date): string {
  return `YJ${areaCode.slice(0, 6)}-${localParts(at).date.replace(/-/g, '')}`;
}

/** The UTC instants of the local (Asia/Shanghai) day containing `at`, for "today's" counts and the code sequence. */
export function localDayBounds(at: Date): { from: string; to: string } {
  const date = localParts(at).date;
  const from = new Date(`${date}T00:00:00.000+08:00`);
  return { from: from.toISOString(), to: new Date(from.getTime() + 86400_000).toISOString() };
}
