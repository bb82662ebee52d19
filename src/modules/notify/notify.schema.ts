// Zod schemas of the notification API and of the stored channel settings, with their inferred types.
import { z } from 'zod';

export const channelKinds = ['webhook', 'sms', 'voice', 'email', 'inapp'] as const;
export const channelKindSchema = z.enum(channelKinds);
export const notificationStates = ['queued', 'sending', 'delivered', 'failed', 'dead'] as const;
export const notificationStateSchema = z.enum(notificationStates);

const httpUrl = z.url({ protocol: /^https?$/, error: 'an http(s) URL' });

/** Settings per channel kind. Secrets (tokens, passwords, signing keys) are stored encrypted and never shown. */
export const channelConfigSchemas = {
  webhook: z.object({ url: httpUrl, secret: z.string().min(16, 'at least 16 characters').max(200) }),
  sms: z.object({ url: httpUrl, token: z.string().max(500).optional(), sender: z.string().max(40).optional() }),
  voice: z.object({ url: httpUrl, token: z.string().max(500).optional(), caller: z.string().max(40).optional(), repeat: z.number().int().min(1).max(5).default(2) }),
  email: z.object({
    host: z.string().min(1).max(200),
    port: z.number().int().min(1).max(65535),
    secure: z.boolean().default(false),
    user: z.string().max(200).optional(),
    pass: z.string().max(500).optional(),
    from: z.string().min(3).max(200),
  }),
  inapp: z.object({}),
} as const;
export type ChannelConfig = {
  webhook: z.infer<(typeof channelConfigSchemas)['webhook']>;
  sms: z.infer<(typeof channelConfigSchemas)['sms']>;
  voice: z.infer<(typeof channelConfigSchemas)['voice']>;
  email: z.infer<(typeof channelConfigSchemas)['email']>;
  inapp: z.infer<(typeof channelConfigSchemas)['inapp']>;
};
/** Keys whose values are secrets: shown as "set"/"not set", kept when an update leaves them out. */
export const secretKeys = new Set(['secret', 'token', 'pass']);

export const areaCodeField = z.string().regex(/^\d{6}$|^\d{9}$|^\d{12}$|^\d{15}$/, 'an area code of 6, 9, 12 or 15 digits');

export const createChannelBody = z.object({
  kind: channelKindSchema,
  name: z.string().trim().min(1).max(60),
  areaCode: areaCodeField,
  sink: z.boolean().default(false),
  enabled: z.boolean().default(true),
  config: z.record(z.string(), z.unknown()).default({}),
});
export type CreateChannelInput = z.infer<typeof createChannelBody>;

export const updateChannelBody = z
  .object({
    name: z.string().trim().min(1).max(60).optional(),
    sink: z.boolean().optional(),
    enabled: z.boolean().optional(),
    config: z.record(z.string(), z.unknown()).optional(),
  })
  .refine((v) => Object.keys(v).length > 0, 'nothing to change');
export type UpdateChannelInput = z.infer<typeof updateChannelBody>;

export const channelView = z.object({
  id: z.string(),
  kind: channelKindSchema,
  name: z.string(),
  areaCode: z.string(),
  sink: z.boolean(),
  enabled: z.boolean(),
  /** Settings with secrets replaced by '••••••' (or null when unset). */
  config: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ChannelView = z.infer<typeof channelView>;

export const recipientSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('user'), id: z.string().min(1).max(64) }),
  z.object({ kind: z.literal('guardian'), id: z.string().min(1).max(64) }),
  z.object({ kind: z.literal('teacher'), id: z.string().min(1).max(64) }),
  z.object({ kind: z.literal('address'), address: z.string().min(3).max(300), name: z.string().max(60).optional() }),
]);
export type RecipientRef = z.infer<typeof recipientSchema> | { kind: string; id: string };

export const traceSchema = z.object({
  alertId: z.string().max(64).optional(),
  ruleId: z.string().max(64).optional(),
  caseId: z.string().max(64).optional(),
});
export type Trace = z.infer<typeof traceSchema>;

/** A manual notification from the console (the rule engine calls the service directly). */
export const sendBody = z
  .object({
    channel: channelKindSchema.optional(),
    kind: z.enum(['message', 'call']).default('message'),
    recipient: recipientSchema,
    subject: z.string().max(120).optional(),
    text: z.string().min(1).max(1000).optional(),
    template: z.string().max(60).optional(),
    params: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
    areaCode: areaCodeField.optional(),
    trace: traceSchema.optional(),
    dedupeKey: z.string().min(1).max(200).optional(),
  })
  .refine((v) => v.text !== undefined || v.template !== undefined, { message: 'give a text or a template', path: ['text'] });

export const notificationRef = z.object({
  id: z.string(),
  channel: channelKindSchema,
  state: notificationStateSchema,
  /** false when the dedupe key had been used before: nothing new was queued. */
  created: z.boolean(),
});
export type NotificationRef = z.infer<typeof notificationRef>;

export const notificationView = z.object({
  id: z.string(),
  kind: z.enum(['message', 'call']),
  channel: channelKindSchema,
  channelId: z.string().nullable(),
  state: notificationStateSchema,
  areaCode: z.string(),
  recipientKind: z.string(),
  recipientId: z.string().nullable(),
  recipientName: z.string().nullable(),
  address: z.string().nullable(),
  subject: z.string().nullable(),
  template: z.string().nullable(),
  trace: z.object({ alertId: z.string().nullable(), ruleId: z.string().nullable(), caseId: z.string().nullable() }),
  attempts: z.number().int(),
  maxAttempts: z.number().int(),
  nextAttemptAt: z.string().nullable(),
  lastError: z.string().nullable(),
  createdBy: z.string(),
  createdAt: z.string(),
  deliveredAt: z.string().nullable(),
  readAt: z.string().nullable(),
});
export type NotificationView = z.infer<typeof notificationView>;

export const attemptView = z.object({
  attempt: z.number().int(),
  channelId: z.string().nullable(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  outcome: z.enum(['delivered', 'failed']),
  error: z.string().nullable(),
  providerRef: z.string().nullable(),
});

export const notificationDetail = notificationView.extend({ body: z.string(), history: z.array(attemptView) });
export type NotificationDetail = z.infer<typeof notificationDetail>;

export const listNotificationsQuery = z.object({
  state: notificationStateSchema.optional(),
  channel: channelKindSchema.optional(),
  alertId: z.string().max(64).optional(),
  ruleId: z.string().max(64).optional(),
  from: z.iso.datetime().optional(),
  to: z.iso.datetime().optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});
export type ListNotificationsQuery = z.infer<typeof listNotificationsQuery>;

export const inboxItem = z.object({
  id: z.string(),
  subject: z.string().nullable(),
  body: z.string(),
  trace: z.object({ alertId: z.string().nullable(), ruleId: z.string().nullable(), caseId: z.string().nullable() }),
  createdAt: z.string(),
  readAt: z.string().nullable(),
});

export const preferenceKinds = ['user', 'guardian', 'teacher'] as const;
export const preferenceView = z.object({
  subjectKind: z.enum(preferenceKinds),
  subjectId: z.string(),
  /** Channels in order; null: the defaults for this kind of person. */
  channels: z.array(channelKindSchema).nullable(),
  defaults: z.array(channelKindSchema),
});
export const preferenceBody = z.object({ channels: z.array(channelKindSchema).max(5).nullable() });

export const sinkView = z.object({
  id: z.string(),
  notificationId: z.string(),
  areaCode: z.string(),
  channel: channelKindSchema,
  address: z.string().nullable(),
  subject: z.string().nullable(),
  body: z.string(),
  at: z.string(),
});
export type SinkView = z.infer<typeof sinkView>;
