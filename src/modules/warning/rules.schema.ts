// The declarative rule: one schema validates what the screen sends, what is stored, and what the engine runs.
import { z } from 'zod';
import { areaCodeSchema } from '../accounts/accounts.schema.ts';
import { periodsSchema } from './periods.ts';

export const severities = ['red', 'orange', 'yellow', 'blue'] as const;
export type Severity = (typeof severities)[number];
/** Red is the most severe (Chinese early-warning practice). */
export const severityRank: Record<Severity, number> = { red: 4, orange: 3, yellow: 2, blue: 1 };

export const tiers = ['village', 'town', 'county', 'city'] as const;
export type Tier = (typeof tiers)[number];

export const identityClasses = ['student', 'key_person', 'unknown'] as const;
export type IdentityClass = (typeof identityClasses)[number];

/** Who a notification or call goes to. Zone contacts, people found by identification, duty staff, responders. */
export const recipientRoles = [
  'keeper',
  'grid_worker',
  'village_head',
  'principal',
  'police',
  'household',
  'fire_brigade',
  'guardians',
  'class_teacher',
  'duty_officers',
] as const;
export type RecipientRole = (typeof recipientRoles)[number];

export const notifyChannels = ['sms', 'voice', 'webhook', 'email', 'in_app'] as const;

const name = z.string().trim().min(1).max(60);
const kind = z.string().regex(/^[a-z0-9_.-]{1,40}$/, 'a lower-case kind such as person_detected');
const template = z.string().trim().min(1).max(300);

export const attributeConditionSchema = z
  .object({
    /** Dotted path into the event's attributes, e.g. `gas.ppm` or `age`. */
    path: z.string().regex(/^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/, 'a dotted attribute path'),
    op: z.enum(['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'in', 'exists']),
    value: z.union([z.string().max(200), z.number(), z.boolean(), z.array(z.union([z.string().max(200), z.number()])).max(50)]).optional(),
  })
  .strict()
  .refine((c) => c.op === 'exists' || c.value !== undefined, { message: 'a value is needed for this operator', path: ['value'] })
  .refine((c) => !['gt', 'gte', 'lt', 'lte'].includes(c.op) || typeof c.value === 'number', { message: 'compare with a number', path: ['value'] })
  .refine((c) => c.op !== 'in' || Array.isArray(c.value), { message: 'in needs a list', path: ['value'] });
export type AttributeCondition = z.infer<typeof attributeConditionSchema>;

const eventTrigger = z
  .object({
    type: z.literal('event'),
    eventKinds: z.array(kind).min(1).max(20),
    subsystems: z.array(kind).max(11).optional(),
    attributes: z.array(attributeConditionSchema).max(10).optional(),
  })
  .strict();
const silenceTrigger = z
  .object({
    type: z.literal('silence'),
    /** Devices of these kinds (and subsystems) in the rule's area that sent nothing for this long. */
    deviceKinds: z.array(kind).min(1).max(20),
    subsystems: z.array(kind).max(11).optional(),
    silentForSeconds: z.number().int().min(60).max(30 * 86400),
  })
  .strict();

export const ladderSchema = z
  .object({
    /** The tier that handles the alert first. */
    start: z.enum(tiers),
    /** Each step moves an unacknowledged alert up, `afterSeconds` after it was raised. */
    steps: z
      .array(z.object({ tier: z.enum(tiers), afterSeconds: z.number().int().min(1).max(7 * 86400), notify: z.array(z.enum(recipientRoles)).max(10).optional() }).strict())
      .max(3),
    /** Remind the tier in charge this often until someone acknowledges (null: no reminders). */
    remindEverySeconds: z.number().int().min(10).max(86400).nullable().default(null),
  })
  .strict()
  .superRefine((l, ctx) => {
    let last = tiers.indexOf(l.start);
    let after = 0;
    l.steps.forEach((s, i) => {
      if (tiers.indexOf(s.tier) <= last) ctx.addIssue({ code: 'custom', path: ['steps', i, 'tier'], message: 'each step must go up the ladder (village → town → county → city)' });
      if (s.afterSeconds <= after) ctx.addIssue({ code: 'custom', path: ['steps', i, 'afterSeconds'], message: 'steps must come later than the previous one' });
      last = tiers.indexOf(s.tier);
      after = s.afterSeconds;
    });
  });
export type Ladder = z.infer<typeof ladderSchema>;

const recipients = {
  roles: z.array(z.enum(recipientRoles)).max(10).default([]),
  /** Named people: platform users by id. */
  userIds: z.array(z.string().min(1).max(64)).max(20).default([]),
};

export const actionSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('broadcast'), text: z.string().trim().min(1).max(200), repeat: z.number().int().min(1).max(10).default(3) }).strict(),
  z.object({ type: z.literal('raise_alert'), severity: z.enum(severities), title: template, ladder: ladderSchema.optional() }).strict(),
  z
    .object({ type: z.literal('notify'), ...recipients, channel: z.enum(notifyChannels).optional(), text: template })
    .strict()
    .refine((a) => a.roles.length + a.userIds.length > 0, { message: 'name at least one role or person', path: ['roles'] }),
  z
    .object({ type: z.literal('call'), ...recipients, text: template })
    .strict()
    .refine((a) => a.roles.length + a.userIds.length > 0, { message: 'name at least one role or person', path: ['roles'] }),
  z.object({ type: z.literal('dispatch'), responderKinds: z.array(kind).min(1).max(5).default(['fast_response']), maxDistanceM: z.number().positive().max(200_000).optional() }).strict(),
]);
export type RuleAction = z.infer<typeof actionSchema>;

export const ruleDefinitionSchema = z
  .object({
    description: z.string().trim().max(500).optional(),
    trigger: z.discriminatedUnion('type', [eventTrigger, silenceTrigger]),
    zone: z
      .object({
        kinds: z.array(kind).max(10).optional(),
        ids: z.array(z.string().min(1).max(64)).max(50).optional(),
        minRiskLevel: z.number().int().min(1).max(4).optional(),
        /** The zone's own active periods must hold (default: yes). */
        activeOnly: z.boolean().default(true),
      })
      .strict()
      .optional(),
    /** The rule's own active periods (in addition to the zone's). */
    activePeriods: periodsSchema.optional(),
    identity: z.object({ classes: z.array(z.enum(identityClasses)).min(1).max(3) }).strict().optional(),
    count: z
      .object({
        threshold: z.number().int().min(2).max(1000),
        windowSeconds: z.number().int().min(1).max(86400),
        per: z.enum(['zone', 'device', 'area']).default('zone'),
      })
      .strict()
      .optional(),
    actions: z.array(actionSchema).min(1).max(20),
  })
  .strict()
  .superRefine((d, ctx) => {
    if (d.trigger.type === 'silence') {
      for (const [i, a] of d.actions.entries()) {
        if (a.type === 'dispatch') ctx.addIssue({ code: 'custom', path: ['actions', i, 'type'], message: 'a silent device has no place to dispatch to' });
      }
      if (d.identity || d.count) ctx.addIssue({ code: 'custom', path: ['trigger'], message: 'identity and counts apply to event rules only' });
    }
    const raises = d.actions.filter((a) => a.type === 'raise_alert').length;
    if (raises > 1) ctx.addIssue({ code: 'custom', path: ['actions'], message: 'raise at most one alert per rule' });
    if (d.actions.some((a) => a.type === 'dispatch') && raises === 0) {
      ctx.addIssue({ code: 'custom', path: ['actions'], message: 'a dispatch needs an alert: add a raise_alert action' });
    }
  });
export type RuleDefinition = z.infer<typeof ruleDefinitionSchema>;

// ---- HTTP -------------------------------------------------------------------------------------------------------

export const ruleBody = z.object({ name, areaCode: areaCodeSchema, enabled: z.boolean().default(true), definition: ruleDefinitionSchema });
export type RuleInput = z.infer<typeof ruleBody>;
export const rulePatchBody = z
  .object({ name: name.optional(), enabled: z.boolean().optional(), definition: ruleDefinitionSchema.optional(), expectedVersion: z.number().int().min(1).optional() })
  .refine((v) => v.name !== undefined || v.enabled !== undefined || v.definition !== undefined, 'nothing to change');
export type RulePatch = z.infer<typeof rulePatchBody>;

export const ruleView = z.object({
  id: z.string(),
  name: z.string(),
  areaCode: z.string(),
  /** False for a rule of an area above the caller's scope: it applies there, but is edited above. */
  editable: z.boolean(),
  enabled: z.boolean(),
  version: z.number(),
  definition: z.unknown(),
  createdBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type RuleView = z.infer<typeof ruleView>;

export const ruleVersionView = z.object({
  version: z.number(),
  name: z.string(),
  enabled: z.boolean(),
  definition: z.unknown(),
  createdBy: z.string(),
  createdAt: z.string(),
});

export const dryRunBody = z.object({
  areaCode: areaCodeSchema,
  definition: ruleDefinitionSchema,
  /** How far back to look (default: the last 24 hours). */
  sinceMinutes: z.number().int().min(1).max(30 * 1440).default(1440),
  limit: z.number().int().min(1).max(5000).default(1000),
});
export const dryRunResult = z.object({
  examined: z.number(),
  matched: z.number(),
  items: z.array(
    z.object({
      eventId: z.string(),
      deviceId: z.string(),
      kind: z.string(),
      occurredAt: z.string(),
      areaCode: z.string(),
      zones: z.array(z.string()),
      /** What the rule would do (the action types), or why it would wait (identity needs the snapshot). */
      wouldDo: z.array(z.string()),
      note: z.string().nullable(),
    }),
  ),
});
export type DryRunResult = z.infer<typeof dryRunResult>;
