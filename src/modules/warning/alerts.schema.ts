import { z } from 'zod';
import { areaCodeSchema } from '../accounts/accounts.schema.ts';
import { alertStates, outcomes } from './alerts.policy.ts';
import { severities } from './rules.schema.ts';

export const alertListQuery = z.object({
  /** Comma-separated states, e.g. `raised,acknowledged`; `open` = everything not closed. */
  state: z.string().regex(/^(open|[a-z_]+(,[a-z_]+)*)$/).optional(),
  severity: z.enum(severities).optional(),
  subsystem: z.string().max(40).optional(),
  areaCode: areaCodeSchema.optional(),
  from: z.string().datetime().optional(),
  to: z.string().datetime().optional(),
  overdue: z.enum(['true', 'false']).optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(500).default(50),
});
export type AlertListQuery = z.infer<typeof alertListQuery>;

export const matchView = z
  .object({
    class: z.string(),
    personId: z.string().nullable(),
    nameMasked: z.string().nullable(),
    school: z.string().nullable(),
    className: z.string().nullable(),
    score: z.number().nullable(),
  })
  .nullable();

export const alertView = z.object({
  id: z.string(),
  code: z.string(),
  title: z.string(),
  severity: z.string(),
  state: z.enum(alertStates),
  tier: z.string(),
  tierAreaCode: z.string(),
  areaCode: z.string(),
  subsystem: z.string(),
  eventKind: z.string(),
  ruleId: z.string().nullable(),
  ruleIds: z.array(z.string()),
  eventId: z.string().nullable(),
  deviceId: z.string().nullable(),
  zoneId: z.string().nullable(),
  zoneName: z.string().nullable(),
  lon: z.number().nullable(),
  lat: z.number().nullable(),
  snapshotIds: z.array(z.string()),
  match: matchView,
  raisedAt: z.string(),
  acknowledgedAt: z.string().nullable(),
  acknowledgedBy: z.string().nullable(),
  dispatchedAt: z.string().nullable(),
  onSceneAt: z.string().nullable(),
  closedAt: z.string().nullable(),
  closedBy: z.string().nullable(),
  outcome: z.string().nullable(),
  outcomeNote: z.string().nullable(),
  overdue: z.boolean(),
  updatedAt: z.string(),
});
export type AlertView = z.infer<typeof alertView>;

export const stepView = z.object({ id: z.string(), at: z.string(), action: z.string(), actorName: z.string(), detail: z.record(z.string(), z.unknown()).nullable() });
export const dispatchView = z.object({
  id: z.string(),
  alertId: z.string(),
  responderId: z.string(),
  responderName: z.string(),
  responderKind: z.string(),
  distanceM: z.number().nullable(),
  dispatchedAt: z.string(),
  dispatchedBy: z.string(),
  answerDueAt: z.string(),
  onSceneDueAt: z.string(),
  answeredAt: z.string().nullable(),
  onSceneAt: z.string().nullable(),
  /** Seconds from dispatch to answer and to arrival: the "135" figures. */
  answerSeconds: z.number().nullable(),
  onSceneSeconds: z.number().nullable(),
  answerOverdue: z.boolean(),
  onSceneOverdue: z.boolean(),
  state: z.string(),
});
export type DispatchView = z.infer<typeof dispatchView>;
export const attachmentView = z.object({ id: z.string(), name: z.string(), contentType: z.string(), size: z.number(), createdBy: z.string(), createdAt: z.string() });
export const timerView = z.object({ kind: z.string(), dueAt: z.string(), status: z.string(), firedAt: z.string().nullable() });

export const alertDetail = alertView.extend({
  steps: z.array(stepView),
  dispatches: z.array(dispatchView),
  attachments: z.array(attachmentView),
  timers: z.array(timerView),
  ladder: z.unknown(),
  speakers: z.array(z.object({ id: z.string(), name: z.string().nullable(), online: z.boolean().nullable() })),
});
export type AlertDetail = z.infer<typeof alertDetail>;

const note = z.string().trim().max(1000).optional();
export const acknowledgeBody = z.object({ note });
export const speakBody = z.object({
  text: z.string().trim().min(1).max(200),
  repeat: z.number().int().min(1).max(10).default(1),
  /** A subset of the zone's loudspeakers; all of them when absent. */
  deviceIds: z.array(z.string().min(1).max(64)).max(50).optional(),
});
export const dispatchBody = z.object({
  /** A chosen responder; the nearest available one of `kinds` when absent. */
  responderId: z.string().min(1).max(64).optional(),
  kinds: z.array(z.string().regex(/^[a-z_]{1,40}$/)).min(1).max(5).default(['fast_response']),
});
export const closeBody = z.object({ outcome: z.enum(outcomes), note });
export const commentBody = z.object({ text: z.string().trim().min(1).max(2000) });
export const attachBody = z.object({
  name: z.string().trim().min(1).max(120).regex(/^[^/\\]+$/, 'a file name without folders'),
  contentType: z.string().regex(/^[a-z]+\/[a-z0-9.+-]+$/i).max(100),
  /** The file, base64-encoded (at most 5 MiB). */
  data: z.string().min(1).max(7_000_000),
});
/** The responder's report from the scene: the outcome (closes the alert), a note and a photo from the camera. */
export const reportBody = z.object({ outcome: z.enum(outcomes), note, photo: attachBody.optional() });

export const statsView = z.object({
  /** Local day (Asia/Shanghai) the counts are for. */
  day: z.string(),
  total: z.number(),
  open: z.number(),
  byCounty: z.array(z.object({ code: z.string(), name: z.string().nullable(), total: z.number(), open: z.number() })),
  bySubsystem: z.array(z.object({ subsystem: z.string(), total: z.number() })),
  latest: z.array(alertView),
});
export type StatsView = z.infer<typeof statsView>;

export const responderKinds = ['fast_response', 'auxiliary_police', 'keeper', 'rescue', 'fire_brigade', 'medical'] as const;
export const responderBody = z.object({
  name: z.string().trim().min(1).max(40),
  kind: z.enum(responderKinds),
  areaCode: areaCodeSchema,
  userId: z.string().min(1).max(64).nullable().optional(),
  phone: z.string().regex(/^\+?\d{7,15}$/).nullable().optional(),
  lon: z.number().min(-180).max(180).nullable().optional(),
  lat: z.number().min(-90).max(90).nullable().optional(),
  available: z.boolean().default(true),
});
export const responderPatch = z
  .object({
    lon: z.number().min(-180).max(180).optional(),
    lat: z.number().min(-90).max(90).optional(),
    available: z.boolean().optional(),
    name: z.string().trim().min(1).max(40).optional(),
  })
  .refine((v) => Object.keys(v).length > 0, 'nothing to change')
  .refine((v) => (v.lon === undefined) === (v.lat === undefined), 'give both lon and lat');
export const responderView = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.string(),
  areaCode: z.string(),
  userId: z.string().nullable(),
  phoneMasked: z.string().nullable(),
  lon: z.number().nullable(),
  lat: z.number().nullable(),
  positionAt: z.string().nullable(),
  available: z.boolean(),
  busy: z.boolean(),
});
export type ResponderView = z.infer<typeof responderView>;
