// HTTP shapes of the grassroots module (zod), shared with the web app. Views show personal values masked; the
// reveal endpoints return them in full to pii:reveal holders, audited.
import { z } from 'zod';
import { areaCodeSchema, phoneSchema } from '../accounts/accounts.schema.ts';
import { caseTypes } from '../cases/cases.policy.ts';
import { householdRoles, keyPersonCategories, keyPersonLevels, residenceKinds } from './people.policy.ts';
import { parseIdNumber } from './idcard.ts';

const personName = z.string().trim().min(1).max(40);
const id = z.string().min(1).max(64);
export const idNumberSchema = z.string().superRefine((v, ctx) => {
  const r = parseIdNumber(v);
  if (!r.ok) ctx.addIssue({ code: 'custom', message: r.reason });
});
const page = { page: z.coerce.number().int().min(1).default(1), pageSize: z.coerce.number().int().min(1).max(200).default(50) };
const areaPrefix = z.string().regex(/^\d{6}$|^\d{9}$|^\d{12}$|^\d{15}$/, 'an area code of 6, 9, 12 or 15 digits');

// ---- buildings and households --------------------------------------------------------------------------------
export const createBuildingBody = z.object({ areaCode: areaCodeSchema, name: z.string().trim().min(1).max(80), lon: z.number().min(-180).max(180).optional(), lat: z.number().min(-90).max(90).optional() });
export const buildingView = z.object({ id: z.string(), areaCode: z.string(), name: z.string(), lon: z.number().nullable(), lat: z.number().nullable(), households: z.number().int() });
export type BuildingView = z.infer<typeof buildingView>;

export const createHouseholdBody = z.object({
  areaCode: areaCodeSchema,
  buildingId: id.optional(),
  address: z.string().trim().min(1).max(200),
  kind: z.enum(residenceKinds).default('registered'),
  isKey: z.boolean().default(false),
  lon: z.number().min(-180).max(180).optional(),
  lat: z.number().min(-90).max(90).optional(),
});
export type CreateHouseholdInput = z.infer<typeof createHouseholdBody>;
export const householdView = z.object({
  id: z.string(),
  areaCode: z.string(),
  areaName: z.string(),
  buildingId: z.string().nullable(),
  address: z.string(),
  kind: z.string(),
  isKey: z.boolean(),
  lon: z.number().nullable(),
  lat: z.number().nullable(),
  members: z.number().int(),
  /** The head's name, masked. */
  headName: z.string().nullable(),
  repId: z.string().nullable(),
});
export type HouseholdView = z.infer<typeof householdView>;
export const listHouseholdsQuery = z.object({ areaCode: areaPrefix.optional(), isKey: z.enum(['true', 'false']).optional(), withoutRep: z.enum(['true', 'false']).optional(), ...page });

// ---- residents -----------------------------------------------------------------------------------------------
export const createResidentBody = z.object({
  householdId: id,
  householdRole: z.enum(householdRoles),
  name: personName,
  idNumber: idNumberSchema,
  phone: phoneSchema.optional(),
  /** The registered residence (户籍地) as a county code; defaults to the ID number's area. */
  registeredAreaCode: z.string().regex(/^\d{6}$/, 'a county code of 6 digits').optional(),
  residenceKind: z.enum(residenceKinds).optional(),
});
export type CreateResidentInput = z.infer<typeof createResidentBody>;
export const updateResidentBody = z
  .object({ phone: phoneSchema.nullable().optional(), householdRole: z.enum(householdRoles).optional(), residenceKind: z.enum(residenceKinds).optional(), status: z.enum(['active', 'deceased']).optional() })
  .refine((v) => Object.keys(v).length > 0, 'nothing to change');
export const moveResidentBody = z.object({
  /** null: moved out of the register's area (迁出). */
  toHouseholdId: id.nullable(),
  householdRole: z.enum(householdRoles).default('other'),
  reason: z.string().trim().min(2, 'give a reason').max(200),
});
export const residentView = z.object({
  id: z.string(),
  areaCode: z.string(),
  householdId: z.string().nullable(),
  householdRole: z.string(),
  name: z.string(),
  idNumber: z.string(),
  phone: z.string().nullable(),
  gender: z.string(),
  birthYear: z.number().int(),
  registeredAreaCode: z.string(),
  residenceKind: z.string(),
  status: z.string(),
  keyCategories: z.array(z.string()),
});
export type ResidentView = z.infer<typeof residentView>;
export const moveView = z.object({ id: z.string(), fromHouseholdId: z.string().nullable(), toHouseholdId: z.string().nullable(), fromAreaCode: z.string().nullable(), toAreaCode: z.string().nullable(), reason: z.string(), movedAt: z.string(), actorName: z.string() });
export const residentDetail = residentView.extend({ moves: z.array(moveView) });
export type ResidentDetail = z.infer<typeof residentDetail>;
export const listResidentsQuery = z.object({
  areaCode: areaPrefix.optional(),
  householdId: id.optional(),
  /** Exact full name, looked up by its blind index (names are encrypted). */
  name: z.string().trim().max(40).optional(),
  idNumber: z.string().trim().max(18).optional(),
  phone: z.string().trim().max(15).optional(),
  residenceKind: z.enum(residenceKinds).optional(),
  ...page,
});
export type ListResidentsQuery = z.infer<typeof listResidentsQuery>;

// ---- key persons ---------------------------------------------------------------------------------------------
export const createKeyPersonBody = z.object({
  residentId: id,
  category: z.enum(keyPersonCategories),
  level: z.enum(keyPersonLevels),
  /** The category's own fields (e.g. release date and offence; correction term; diagnosis and guardian), encrypted. */
  details: z.record(z.string().max(40), z.union([z.string().max(500), z.number(), z.boolean()])).default({}),
  helperUserId: id.optional(),
  guardianName: personName.optional(),
  guardianPhone: phoneSchema.optional(),
});
export type CreateKeyPersonInput = z.infer<typeof createKeyPersonBody>;
export const updateKeyPersonBody = z
  .object({ level: z.enum(keyPersonLevels).optional(), helperUserId: id.nullable().optional(), status: z.enum(['active', 'closed']).optional() })
  .refine((v) => Object.keys(v).length > 0, 'nothing to change');
export const recordBody = z.object({
  kind: z.enum(['visit', 'test']),
  /** Tests: the result of the hair test. */
  result: z.enum(['negative', 'positive', 'refused']).optional(),
  note: z.string().trim().max(1000).optional(),
});
export const taskBody = z.object({ title: z.string().trim().min(2).max(200), dueAt: z.string().datetime({ offset: true }) });
export const keyPersonView = z.object({
  id: z.string(),
  residentId: z.string(),
  areaCode: z.string(),
  name: z.string(),
  idNumber: z.string(),
  category: z.string(),
  level: z.string(),
  helperUserId: z.string().nullable(),
  helperName: z.string().nullable(),
  visitIntervalDays: z.number().int(),
  nextVisitDueAt: z.string(),
  visitOverdue: z.boolean(),
  testIntervalDays: z.number().int().nullable(),
  nextTestDueAt: z.string().nullable(),
  testOverdue: z.boolean(),
  status: z.string(),
  openTasks: z.number().int(),
});
export type KeyPersonView = z.infer<typeof keyPersonView>;
export const keyPersonDetail = keyPersonView.extend({
  details: z.record(z.string(), z.unknown()),
  guardianName: z.string().nullable(),
  guardianPhone: z.string().nullable(),
  records: z.array(z.object({ id: z.string(), kind: z.string(), dueAt: z.string(), doneAt: z.string(), onTime: z.boolean(), result: z.string().nullable(), note: z.string().nullable(), actorName: z.string() })),
  tasks: z.array(z.object({ id: z.string(), title: z.string(), dueAt: z.string(), doneAt: z.string().nullable(), doneBy: z.string().nullable() })),
});
export type KeyPersonDetail = z.infer<typeof keyPersonDetail>;
export const listKeyPersonsQuery = z.object({
  areaCode: areaPrefix.optional(),
  category: z.enum(keyPersonCategories).optional(),
  level: z.enum(keyPersonLevels).optional(),
  overdue: z.enum(['true', 'false']).optional(),
  mine: z.enum(['true', 'false']).optional(),
  ...page,
});
export type ListKeyPersonsQuery = z.infer<typeof listKeyPersonsQuery>;
export const ratesQuery = z.object({ areaCode: areaPrefix.optional() });
const rateRow = z.object({
  areaCode: z.string(),
  areaName: z.string(),
  keyPersons: z.number().int(),
  visitsDone: z.number().int(),
  visitsOnTime: z.number().int(),
  visitOnTimeRate: z.number().nullable(),
  visitsOverdueNow: z.number().int(),
  testsDue: z.number().int(),
  testsUpToDate: z.number().int(),
  hairTestRate: z.number().nullable(),
  tasks: z.number().int(),
  tasksDone: z.number().int(),
  taskRate: z.number().nullable(),
});
export const ratesView = z.object({ areaCode: z.string(), total: rateRow, children: z.array(rateRow) });
export type RatesView = z.infer<typeof ratesView>;
export type RateRow = z.infer<typeof rateRow>;

// ---- village representatives and visits ----------------------------------------------------------------------
export const createRepBody = z.object({ areaCode: areaCodeSchema, name: personName, phone: phoneSchema.optional(), userId: id.optional() });
export const linkHouseholdsBody = z.object({
  householdIds: z.array(id).max(100),
  /** Needed when the number of households is outside 5–15. */
  overrideReason: z.string().trim().min(5, 'give a reason of at least 5 characters').max(300).optional(),
});
export const repView = z.object({ id: z.string(), areaCode: z.string(), areaName: z.string(), name: z.string(), phone: z.string().nullable(), userId: z.string().nullable(), households: z.number().int() });
export type RepView = z.infer<typeof repView>;
export const listRepsQuery = z.object({ areaCode: areaPrefix.optional(), ...page });
export const coverageView = z.object({
  areaCode: z.string(),
  items: z.array(z.object({ areaCode: z.string(), areaName: z.string(), households: z.number().int(), covered: z.number().int(), keyHouseholds: z.number().int(), reps: z.number().int(), rate: z.number().nullable() })),
});

export const visitProblem = z.object({
  title: z.string().trim().min(1).max(100),
  type: z.enum(caseTypes).default('other'),
  summary: z.string().trim().min(1).max(2000),
});
export const createVisitBody = z.object({
  /** Generated by the phone when the draft is made: a resend of the same draft returns the first visit. */
  clientKey: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, '8–64 letters, digits, _ or -'),
  householdId: id,
  met: z.boolean(),
  chatted: z.boolean(),
  groupJoined: z.boolean(),
  infoRegistered: z.boolean(),
  notes: z.string().trim().max(2000).optional(),
  problems: z.array(visitProblem).max(10).default([]),
  ideas: z.array(z.string().trim().min(1).max(500)).max(10).default([]),
  lon: z.number().min(-180).max(180).optional(),
  lat: z.number().min(-90).max(90).optional(),
  /** When the visit took place (a draft sent later keeps its time); defaults to now. */
  visitedAt: z.string().datetime({ offset: true }).optional(),
});
export type CreateVisitInput = z.infer<typeof createVisitBody>;
export const visitView = z.object({
  id: z.string(),
  clientKey: z.string(),
  householdId: z.string(),
  address: z.string(),
  areaCode: z.string(),
  repId: z.string().nullable(),
  visitorName: z.string(),
  met: z.boolean(),
  chatted: z.boolean(),
  groupJoined: z.boolean(),
  infoRegistered: z.boolean(),
  problemsCollected: z.boolean(),
  notes: z.string().nullable(),
  lon: z.number().nullable(),
  lat: z.number().nullable(),
  caseIds: z.array(z.string()),
  ideas: z.array(z.string()),
  visitedAt: z.string(),
});
export type VisitView = z.infer<typeof visitView>;
export const listVisitsQuery = z.object({ areaCode: areaPrefix.optional(), householdId: id.optional(), mine: z.enum(['true', 'false']).optional(), ...page });
export const myHouseholdsView = z.object({
  rep: repView.nullable(),
  items: z.array(householdView.extend({ lastVisitAt: z.string().nullable(), visitDue: z.boolean() })),
  keyPersonsDue: z.array(keyPersonView),
});

export { areaPrefix, personName };
export const idParam = z.object({ id });
