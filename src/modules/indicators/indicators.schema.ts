// The indicators module's HTTP shapes (zod), shared by routes, services and tests.
import { z } from 'zod';
import { areaCodeSchema } from '../accounts/accounts.schema.ts';
import { exprSchema } from './indicators.expr.ts';
import { rankingRulesSchema } from './indicators.ranking.ts';

const text = (max: number) => z.string().trim().min(1).max(max);
export const levels = ['county', 'town', 'village'] as const;
export const approvalLevels = ['city', 'county', 'town'] as const;
export const categories = ['negative_list', 'seven_up', 'six_down', 'operations'] as const;

export const idParam = z.object({ id: z.string().min(1).max(64) });

const defFields = {
  code: z.string().trim().regex(/^[a-z][a-z0-9_]{1,39}$/, 'lower-case letters, digits and _ (2–40)'),
  name: text(60),
  category: z.enum(categories),
  polarity: z.enum(['negative', 'positive']),
  unit: text(20),
  factor: z.number().positive().max(1e9).default(1),
  numerator: exprSchema,
  denominator: exprSchema.nullable().default(null),
  entryLevel: z.enum(levels).nullable().default(null),
  approvalLevels: z.array(z.enum(approvalLevels)).max(3).default(['county', 'city']),
  areaCode: areaCodeSchema.optional(),
  description: z.string().trim().max(500).nullable().optional(),
  sort: z.number().int().min(0).max(10000).default(100),
};
export const createDefBody = z.object(defFields).strict();
export type CreateDefInput = z.infer<typeof createDefBody>;
export const updateDefBody = z.object({
  name: defFields.name, category: defFields.category, polarity: defFields.polarity, unit: defFields.unit,
  factor: z.number().positive().max(1e9), numerator: exprSchema, denominator: exprSchema.nullable(), entryLevel: z.enum(levels).nullable(),
  approvalLevels: z.array(z.enum(approvalLevels)).max(3), description: z.string().trim().max(500).nullable(), sort: defFields.sort.unwrap(), active: z.boolean(),
}).partial().strict();
export type UpdateDefInput = z.infer<typeof updateDefBody>;

export const periodKey = z.string().trim().min(2).max(20);
export const reportQuery = z.object({
  period: periodKey.default('ytd'),
  areaCode: areaCodeSchema.optional(),
  level: z.enum(levels).optional(),
  indicatorIds: z.string().max(2000).optional(),
}).strict();
export type ReportQuery = z.infer<typeof reportQuery>;

const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'YYYY-MM');
export const listValuesQuery = z.object({
  indicatorId: z.string().max(64).optional(),
  areaCode: areaCodeSchema.optional(),
  state: z.enum(['submitted', 'approved', 'accepted', 'returned']).optional(),
  fromMonth: month.optional(),
  toMonth: month.optional(),
  limit: z.coerce.number().int().min(1).max(2000).default(500),
}).strict();
export const enterValueBody = z.object({
  indicatorId: z.string().min(1).max(64),
  areaCode: areaCodeSchema,
  month,
  value: z.number().min(0).max(1e12),
  source: text(100),
  /** Required to change a figure that has been approved. */
  reason: z.string().trim().min(5, 'give a reason of at least 5 characters').max(500).optional(),
}).strict();
export type EnterValueInput = z.infer<typeof enterValueBody>;
export const reasonBody = z.object({ reason: z.string().trim().min(5, 'give a reason of at least 5 characters').max(500) }).strict();
export const approveBody = z.object({ note: z.string().trim().max(500).optional() }).strict();

export const listTargetsQuery = z.object({ indicatorId: z.string().max(64).optional(), year: z.string().regex(/^\d{4}$/).optional() }).strict();
export const putTargetBody = z.object({
  indicatorId: z.string().min(1).max(64),
  areaCode: areaCodeSchema,
  year: z.string().regex(/^\d{4}$/, 'YYYY'),
  kind: z.enum(['change_pct', 'ceiling', 'floor']),
  amount: z.number().min(-100).max(1e12),
  note: z.string().trim().max(200).optional(),
}).strict();
export type PutTargetInput = z.infer<typeof putTargetBody>;

export const createSchemeBody = z.object({
  name: text(60),
  areaCode: areaCodeSchema,
  level: z.enum(levels),
  rules: rankingRulesSchema,
}).strict();
export type CreateSchemeInput = z.infer<typeof createSchemeBody>;
export const runRankingBody = z.object({ period: periodKey.default('ytd') }).strict();
