// The cases module's HTTP shapes (zod), shared by routes, services and tests.
import { z } from 'zod';
import { areaCodeSchema, phoneSchema } from '../accounts/accounts.schema.ts';
import { caseStates, caseTypes, centreLevels, channels, massStages, mediatorKinds, outcomes, riskLevels } from './cases.policy.ts';

export const caseTypeSchema = z.enum(caseTypes);
export const riskSchema = z.enum(riskLevels);
export const caseStateSchema = z.enum(caseStates);
export const outcomeSchema = z.enum(outcomes);
export const massStageSchema = z.enum(massStages);
/** Channels a person can use; `alert` is reserved for alerts turned into cases by the early-warning module. */
export const intakeChannelSchema = z.enum(channels.filter((c) => c !== 'alert') as ['walk_in', 'hotline', 'representative', 'visit', 'online']);
export const departmentKinds = ['justice', 'police', 'court', 'labour', 'petition', 'housing', 'agriculture', 'health', 'market', 'finance', 'other'] as const;

const idNumberSchema = z.string().trim().regex(/^\d{17}[\dXx]$/, 'an 18-character resident ID number');
const text = (max: number) => z.string().trim().min(1).max(max);
const reason = z.string().trim().min(5, 'give a reason of at least 5 characters').max(500);

export const partyInput = z.object({
  role: z.enum(['applicant', 'respondent', 'other']),
  name: text(40),
  idNumber: idNumberSchema.optional(),
  phone: phoneSchema.optional(),
  sex: z.enum(['male', 'female']).optional(),
});
export type PartyInput = z.infer<typeof partyInput>;

const caseFields = {
  title: text(100),
  type: caseTypeSchema,
  risk: riskSchema.default('low'),
  areaCode: areaCodeSchema,
  place: text(200).optional(),
  lon: z.number().min(-180).max(180).optional(),
  lat: z.number().min(-90).max(90).optional(),
  summary: text(2000),
  peopleCount: z.number().int().min(1).max(1_000_000).optional(),
  amountInvolved: z.number().min(0).max(1e12).optional(),
  massStage: massStageSchema.optional(),
};

function massEconomicNeedsFigures(v: { type: string; peopleCount?: number | undefined; amountInvolved?: number | undefined }, ctx: z.RefinementCtx): void {
  if (v.type !== 'mass_economic') return;
  if (v.peopleCount === undefined) ctx.addIssue({ code: 'custom', path: ['peopleCount'], message: 'a mass economic case needs the number of people involved' });
  if (v.amountInvolved === undefined) ctx.addIssue({ code: 'custom', path: ['amountInvolved'], message: 'a mass economic case needs the sum involved' });
}

export const intakeBody = z
  .object({
    ...caseFields,
    channel: intakeChannelSchema,
    parties: z.array(partyInput).min(1, 'at least one party').max(20),
    reporterName: text(40).optional(),
  })
  .superRefine(massEconomicNeedsFigures);
export type IntakeInput = z.infer<typeof intakeBody>;

/** What the early-warning module passes when an operator turns an alert into a case. */
export const alertIntakeInput = z
  .object({
    ...caseFields,
    title: text(100).optional(),
    type: caseTypeSchema.default('other'),
    risk: riskSchema.default('medium'),
    alertId: z.string().trim().min(1).max(64),
    parties: z.array(partyInput).max(20).default([]),
  })
  .superRefine(massEconomicNeedsFigures);
export type AlertIntakeInput = z.input<typeof alertIntakeInput>;

export const assignBody = z.object({ mediatorId: z.string().min(1).max(64).optional() });
export const returnBody = z.object({ reason });
export const sessionBody = z.object({
  heldAt: z.iso.datetime().optional(),
  place: text(200).optional(),
  attendees: text(200).optional(),
  note: text(2000),
});
export const extendBody = z.object({
  days: z.number().int().min(1).max(30),
  reason,
  partiesConsent: z.literal(true, 'an extension needs the consent of both parties'),
});
export const concludeBody = z.object({ outcome: outcomeSchema, note: text(2000), agreement: text(2000).optional() });
export const followUpBody = z.object({ method: z.enum(['phone', 'visit', 'sms']), note: text(1000) });
export const rateBody = z.object({ satisfaction: z.number().int().min(1).max(5), comment: text(500).optional() });
export const escalateBody = z.object({ reason });
export const updateCaseBody = z
  .object({
    title: text(100).optional(),
    risk: riskSchema.optional(),
    summary: text(2000).optional(),
    place: text(200).optional(),
    peopleCount: z.number().int().min(1).max(1_000_000).optional(),
    amountInvolved: z.number().min(0).max(1e12).optional(),
  })
  .refine((v) => Object.keys(v).length > 0, 'nothing to change');
export type UpdateCaseInput = z.infer<typeof updateCaseBody>;
export const stageBody = z.object({ stage: massStageSchema, note: text(1000).optional(), amountRecovered: z.number().min(0).max(1e12).optional() });
export const attachmentBody = z.object({
  name: text(200),
  contentType: z.string().regex(/^[a-z]+\/[a-z0-9.+-]+$/i, 'a MIME type such as image/jpeg').max(100),
  /** The file, base64-encoded; at most 5 MB. */
  dataBase64: z.string().min(1).max(7_000_000),
});
export const joinDepartmentBody = z.object({ departmentId: z.string().min(1).max(64), note: text(500).optional() });

const bool = z.enum(['true', 'false']).transform((v) => v === 'true');
export const listCasesQuery = z.object({
  state: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (!v) return undefined;
      const parts = v.split(',');
      const bad = parts.filter((p) => !(caseStates as readonly string[]).includes(p));
      if (bad.length) ctx.addIssue({ code: 'custom', message: `unknown state ${bad.join(',')}` });
      return parts as (typeof caseStates)[number][];
    }),
  type: caseTypeSchema.optional(),
  risk: riskSchema.optional(),
  areaCode: areaCodeSchema.optional(),
  centreId: z.string().max(64).optional(),
  overdue: bool.optional(),
  mine: bool.optional(),
  q: z.string().trim().max(60).optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});
export type ListCasesQuery = z.infer<typeof listCasesQuery>;

export const figuresQuery = z.object({
  areaCode: areaCodeSchema.optional(),
  from: z.iso.datetime().optional(),
  to: z.iso.datetime().optional(),
});

export const idParam = z.object({ id: z.string().min(1).max(64) });
export const attachmentParam = z.object({ id: z.string().min(1).max(64), attachmentId: z.string().min(1).max(64) });

// ---- views -----------------------------------------------------------------------------------------------------

export const partyView = z.object({
  id: z.string(),
  role: z.string(),
  name: z.string(),
  idNumber: z.string().nullable(),
  phone: z.string().nullable(),
  sex: z.string().nullable(),
});
export type PartyView = z.infer<typeof partyView>;

export const caseSummaryView = z.object({
  id: z.string(),
  code: z.string(),
  title: z.string(),
  type: caseTypeSchema,
  risk: riskSchema,
  state: caseStateSchema,
  channel: z.string(),
  areaCode: z.string(),
  areaName: z.string().nullable(),
  centreId: z.string(),
  centreName: z.string().nullable(),
  level: z.enum(centreLevels),
  mediatorId: z.string().nullable(),
  mediatorName: z.string().nullable(),
  responsibleLeader: z.string().nullable(),
  deadlineAt: z.string(),
  /** Open and past its deadline now. */
  overdue: z.boolean(),
  /** Went past a deadline at some point (counts in the overdue rate). */
  wasOverdue: z.boolean(),
  escalationCount: z.number(),
  reportCount: z.number(),
  peopleCount: z.number().nullable(),
  amountInvolved: z.number().nullable(),
  massStage: massStageSchema.nullable(),
  outcome: outcomeSchema.nullable(),
  satisfaction: z.number().nullable(),
  concludedAt: z.string().nullable(),
  createdAt: z.string(),
});
export type CaseSummaryView = z.infer<typeof caseSummaryView>;

export const caseEventView = z.object({
  seq: z.number(),
  at: z.string(),
  actorName: z.string(),
  action: z.string(),
  fromState: z.string().nullable(),
  toState: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()).nullable(),
});

export const caseDetailView = caseSummaryView.extend({
  summary: z.string(),
  place: z.string().nullable(),
  lon: z.number().nullable(),
  lat: z.number().nullable(),
  deadlineDays: z.number(),
  extensionCount: z.number(),
  outcomeNote: z.string().nullable(),
  followedUpAt: z.string().nullable(),
  ratedAt: z.string().nullable(),
  amountRecovered: z.number().nullable(),
  createdByName: z.string(),
  /** The caller is the assigned mediator. */
  mine: z.boolean(),
  parties: z.array(partyView),
  reports: z.array(z.object({ id: z.string(), channel: z.string(), sourceRef: z.string().nullable(), summary: z.string(), reportedAt: z.string(), createdByName: z.string() })),
  events: z.array(caseEventView),
  attachments: z.array(z.object({ id: z.string(), name: z.string(), contentType: z.string(), size: z.number(), createdAt: z.string(), createdByName: z.string() })),
  departments: z.array(z.object({ id: z.string(), name: z.string(), kind: z.string(), note: z.string().nullable(), addedAt: z.string() })),
});
export type CaseDetailView = z.infer<typeof caseDetailView>;

export const intakeResult = z.object({
  /** False: the report was recognised as a second report of an open case and linked to it. */
  created: z.boolean(),
  case: caseDetailView,
});

const count = z.number();
const rate = z.number().nullable();
export const figuresView = z.object({
  areaCode: z.string(),
  from: z.string().nullable(),
  to: z.string().nullable(),
  total: count,
  open: count,
  concluded: count,
  resolved: count,
  overdue: count,
  /** resolved (concluded with an agreement) / total. */
  resolutionRate: rate,
  /** concluded / total. */
  concludedRate: rate,
  /** cases that went past a deadline / total. */
  overdueRate: rate,
  meanDaysToConclude: z.number().nullable(),
  satisfaction: z.object({ rated: count, mean: z.number().nullable(), satisfiedRate: rate }),
  byType: z.array(z.object({ type: z.string(), count, resolved: count })),
  byArea: z.array(z.object({ areaCode: z.string(), areaName: z.string().nullable(), count, resolved: count, overdue: count })),
  byMonth: z.array(z.object({ month: z.string(), count, concluded: count })),
  byState: z.array(z.object({ state: z.string(), count })),
  massEconomic: z.object({ cases: count, people: count, amountInvolved: count, amountRecovered: count }),
});
export type FiguresView = z.infer<typeof figuresView>;

// ---- centres, mediators, departments ----------------------------------------------------------------------------

export const createCentreBody = z.object({
  areaCode: z.string().regex(/^\d{6}$|^\d{9}$/, 'a city, county or town code'),
  name: text(100),
  leaderName: text(40).optional(),
  phone: z.string().trim().regex(/^[\d-]{5,20}$/, 'a phone number').optional(),
  address: text(200).optional(),
});
export const updateCentreBody = z
  .object({
    name: text(100).optional(),
    leaderName: text(40).nullable().optional(),
    phone: z.string().trim().regex(/^[\d-]{5,20}$/, 'a phone number').nullable().optional(),
    address: text(200).nullable().optional(),
    active: z.boolean().optional(),
  })
  .refine((v) => Object.keys(v).length > 0, 'nothing to change');
export type CreateCentreInput = z.infer<typeof createCentreBody>;
export type UpdateCentreInput = z.infer<typeof updateCentreBody>;

export const centreView = z.object({
  id: z.string(),
  areaCode: z.string(),
  areaName: z.string().nullable(),
  level: z.enum(centreLevels),
  name: z.string(),
  leaderName: z.string().nullable(),
  phone: z.string().nullable(),
  address: z.string().nullable(),
  active: z.boolean(),
  mediatorCount: z.number(),
  openCases: z.number(),
});
export type CentreView = z.infer<typeof centreView>;

export const createMediatorBody = z.object({
  centreId: z.string().min(1).max(64),
  name: text(40),
  phone: phoneSchema.optional(),
  userId: z.string().min(1).max(64).optional(),
  areaCode: areaCodeSchema,
  kind: z.enum(mediatorKinds),
  specialities: z.array(caseTypeSchema).max(caseTypes.length).default([]),
  capacity: z.number().int().min(1).max(200).default(10),
});
export const updateMediatorBody = z
  .object({
    name: text(40).optional(),
    phone: phoneSchema.nullable().optional(),
    areaCode: areaCodeSchema.optional(),
    kind: z.enum(mediatorKinds).optional(),
    specialities: z.array(caseTypeSchema).max(caseTypes.length).optional(),
    capacity: z.number().int().min(1).max(200).optional(),
    active: z.boolean().optional(),
  })
  .refine((v) => Object.keys(v).length > 0, 'nothing to change');
export type CreateMediatorInput = z.infer<typeof createMediatorBody>;
export type UpdateMediatorInput = z.infer<typeof updateMediatorBody>;

export const mediatorView = z.object({
  id: z.string(),
  centreId: z.string(),
  centreName: z.string().nullable(),
  userId: z.string().nullable(),
  username: z.string().nullable(),
  name: z.string(),
  phoneMasked: z.string().nullable(),
  areaCode: z.string(),
  areaName: z.string().nullable(),
  kind: z.enum(mediatorKinds),
  specialities: z.array(caseTypeSchema),
  capacity: z.number(),
  /** Open cases (assigned or being mediated) on the mediator's desk now. */
  load: z.number(),
  active: z.boolean(),
});
export type MediatorView = z.infer<typeof mediatorView>;

export const listMediatorsQuery = z.object({ centreId: z.string().max(64).optional(), areaCode: areaCodeSchema.optional() });

export const createDepartmentBody = z.object({
  areaCode: areaCodeSchema,
  name: text(100),
  kind: z.enum(departmentKinds),
  contact: z.string().trim().regex(/^[\d-]{5,20}$/, 'a phone number').optional(),
});
export const departmentView = z.object({
  id: z.string(),
  areaCode: z.string(),
  areaName: z.string().nullable(),
  name: z.string(),
  kind: z.string(),
  contact: z.string().nullable(),
});
export type DepartmentView = z.infer<typeof departmentView>;
