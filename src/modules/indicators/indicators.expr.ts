// What an indicator counts: an expression over the platform's own records (alerts, cases, devices, device events),
// or figures entered per area and month, or the resident population (for rates per 100,000). Numerator and
// denominator are each one expression; the value is numerator / denominator × factor.
import { z } from 'zod';
import { eventKinds, subsystems } from '../devices/devices.catalog.ts';
import { caseStates, caseTypes, outcomes as caseOutcomes } from '../cases/cases.policy.ts';
import { outcomes as alertOutcomes } from '../warning/alerts.policy.ts';

const list = <T extends [string, ...string[]]>(values: T) => z.array(z.enum(values)).min(1).max(50).optional();
const severities = ['red', 'orange', 'yellow', 'blue'] as const;

export const exprSchema = z.discriminatedUnion('source', [
  z.object({
    source: z.literal('alerts'),
    subsystems: list([...subsystems]),
    eventKinds: list([...eventKinds]),
    outcomes: list([...alertOutcomes]),
    severities: list([...severities]),
  }).strict(),
  z.object({
    source: z.literal('cases'),
    types: list([...caseTypes]),
    states: list([...caseStates]),
    outcomes: list([...caseOutcomes]),
    /** true: only cases that went past their deadline. */
    overdue: z.boolean().optional(),
  }).strict(),
  /** Devices in service now (not a period figure): e.g. online ÷ all for the online rate. */
  z.object({ source: z.literal('devices'), subsystems: list([...subsystems]), online: z.boolean().optional() }).strict(),
  z.object({ source: z.literal('events'), subsystems: list([...subsystems]), kinds: list([...eventKinds]) }).strict(),
  /** Figures entered (or imported) per area and month, with their source and approval. */
  z.object({ source: z.literal('entered') }).strict(),
  /** Resident population of the area (for rates per 100,000). */
  z.object({ source: z.literal('population') }).strict(),
]);
export type Expr = z.infer<typeof exprSchema>;
export type ExprSource = Expr['source'];

/** The sources Shiyu holds itself: an indicator over them is computed, never typed. */
export const computedSources: readonly ExprSource[] = ['alerts', 'cases', 'devices', 'events'];
