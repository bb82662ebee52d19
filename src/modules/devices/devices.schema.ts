// The zod schemas of terminal perception, shared by the routes, the MQTT and GA/T 1400 gateways and the web app.
// `eventInput` is the one event model every channel is normalised to.
import { z } from 'zod';
import { areaCodeSchema } from '../accounts/accounts.schema.ts';
import { capabilities, deviceKindNames, subsystems, voicePresets } from './devices.catalog.ts';

/** A device's own identifier: also its MQTT username and topic segment, so no '/', '+', '#' or spaces. */
export const deviceCodeSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{1,63}$/, '2–64 letters, digits, _ . : -');
export const gbIdSchema = z.string().regex(/^\d{20}$/, 'a GB/T 28181 ID of 20 digits');
export const subsystemSchema = z.enum(subsystems, { message: 'not one of the eleven subsystems (GET /api/devices/catalog)' });
export const deviceKindSchema = z.enum(deviceKindNames as [string, ...string[]], { message: 'not a known device kind (GET /api/devices/catalog)' });
export const capabilitySchema = z.enum(capabilities, { message: 'not a known capability (GET /api/devices/catalog)' });
export const lonSchema = z.number().min(-180).max(180);
export const latSchema = z.number().min(-90).max(90);
/** Device secrets chosen by an integrator must be long enough not to be guessed. */
export const deviceSecretSchema = z.string().min(16, 'at least 16 characters').max(128).regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces');

const deviceFields = {
  gbId: gbIdSchema.nullable().optional(),
  name: z.string().trim().min(1).max(80),
  subsystem: subsystemSchema,
  kind: deviceKindSchema,
  capabilities: z.array(capabilitySchema).max(capabilities.length).optional(),
  lon: lonSchema.nullable().optional(),
  lat: latSchema.nullable().optional(),
  /** Derived from the position (or the GB/T 28181 ID) when not given. */
  areaCode: areaCodeSchema.optional(),
  address: z.string().trim().max(200).nullable().optional(),
  vendor: z.string().trim().max(60).nullable().optional(),
  model: z.string().trim().max(60).nullable().optional(),
  heartbeatIntervalS: z.number().int().min(5).max(86_400).optional(),
};

export const createDeviceBody = z.object({ code: deviceCodeSchema, ...deviceFields, secret: deviceSecretSchema.optional() });
export type CreateDeviceInput = z.infer<typeof createDeviceBody>;

export const updateDeviceBody = z.object({
  ...deviceFields,
  name: deviceFields.name.optional(),
  subsystem: subsystemSchema.optional(),
  kind: deviceKindSchema.optional(),
});
export type UpdateDeviceInput = z.infer<typeof updateDeviceBody>;

export const deviceView = z.object({
  id: z.string(),
  code: z.string(),
  gbId: z.string().nullable(),
  name: z.string(),
  subsystem: z.string(),
  kind: z.string(),
  capabilities: z.array(z.string()),
  lon: z.number().nullable(),
  lat: z.number().nullable(),
  areaCode: z.string(),
  areaName: z.string().nullable(),
  address: z.string().nullable(),
  vendor: z.string().nullable(),
  model: z.string().nullable(),
  heartbeatIntervalS: z.number().int(),
  status: z.enum(['active', 'retired']),
  online: z.boolean(),
  lastSeenAt: z.string().nullable(),
  onlineChangedAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  retiredAt: z.string().nullable(),
});
export type DeviceView = z.infer<typeof deviceView>;

/** Answer to create and to credential rotation: the secret is shown once and never again. */
export const deviceWithSecret = deviceView.extend({ secret: z.string() });
export type DeviceWithSecret = z.infer<typeof deviceWithSecret>;

const boolQuery = z.enum(['true', 'false']).transform((v) => v === 'true');

export const listDevicesQuery = z.object({
  q: z.string().trim().max(60).optional(),
  areaCode: areaCodeSchema.optional(),
  subsystem: subsystemSchema.optional(),
  kind: deviceKindSchema.optional(),
  online: boolQuery.optional(),
  status: z.enum(['active', 'retired', 'all']).default('active'),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(500).default(50),
});
export type ListDevicesQuery = z.infer<typeof listDevicesQuery>;

export const mapQuery = z.object({
  areaCode: areaCodeSchema.optional(),
  subsystem: subsystemSchema.optional(),
  limit: z.coerce.number().int().min(1).max(100_000).default(20_000),
});
export const mapView = z.object({
  /** Compact rows for the map layer: [id, lon, lat, subsystem, kind, online (0/1), name]. */
  items: z.array(z.tuple([z.string(), z.number(), z.number(), z.string(), z.string(), z.number(), z.string()])),
  truncated: z.boolean(),
});
export type MapView = z.infer<typeof mapView>;

export const onlineRateQuery = z.object({
  areaCode: areaCodeSchema.optional(),
  by: z.enum(['area', 'subsystem']).default('area'),
});
const rateRow = z.object({ key: z.string(), name: z.string().nullable(), total: z.number(), online: z.number(), rate: z.number() });
export const onlineRateView = z.object({ areaCode: z.string(), by: z.enum(['area', 'subsystem']), items: z.array(rateRow), total: z.number(), online: z.number(), rate: z.number() });
export type OnlineRateView = z.infer<typeof onlineRateView>;

// ---- the one event model ------------------------------------------------------------------------------------

// Milliseconds beyond JavaScript's date range (±8.64e15) stay a number and fail below instead of throwing.
const isoTime = z.preprocess(
  (v) => (typeof v === 'number' && Number.isFinite(v) && Math.abs(v) <= 8.64e15 ? new Date(v).toISOString() : v),
  z.iso.datetime({ offset: true, message: 'an ISO 8601 time with offset, or milliseconds since 1970' }),
);

export const snapshotInput = z.object({
  /** What the image shows: scene, face, person, vehicle, plate … */
  kind: z.string().regex(/^[a-z][a-z0-9_]{0,31}$/).default('scene'),
  contentType: z.enum(['image/jpeg', 'image/png', 'image/webp']),
  /** Base64 of the image, at most 2 MiB decoded. */
  data: z.string().min(4).max(2_796_204).regex(/^[A-Za-z0-9+/\r\n]+={0,2}$/, 'base64'),
});
export type SnapshotInput = z.infer<typeof snapshotInput>;

export const eventInput = z.object({
  /** The device's id for this event; a retried event with the same id is stored once. */
  id: z.string().min(1).max(64),
  /** Dotted lower-case kind, e.g. person.near_water, gas.alarm (see the catalogue). */
  kind: z.string().regex(/^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$/, 'a dotted lower-case name such as gas.alarm').max(64),
  time: isoTime,
  /** Where it happened; the device's position when absent. */
  position: z.object({ lon: lonSchema, lat: latSchema }).optional(),
  /** Codes of the zones the device placed the event in (e.g. the drawn danger area of a camera). */
  zones: z.array(z.string().min(1).max(64)).max(20).optional(),
  attributes: z.record(z.string().max(64), z.unknown()).optional(),
  snapshots: z.array(snapshotInput).max(4).optional(),
});
export type EventInput = z.infer<typeof eventInput>;

export const fieldIssue = z.object({ field: z.string(), message: z.string() });

export const itemResult = z.object({
  index: z.number().int(),
  /** The event's id as sent, when it had one. */
  id: z.string().nullable(),
  status: z.enum(['stored', 'duplicate', 'rejected']),
  errors: z.array(fieldIssue).optional(),
});
export type ItemResult = z.infer<typeof itemResult>;

export const ingestBody = z.object({ events: z.array(z.unknown()).min(1, 'at least one event').max(1000, 'at most 1,000 events per request') });
export const ingestResult = z.object({
  stored: z.number().int(),
  duplicates: z.number().int(),
  rejected: z.number().int(),
  results: z.array(itemResult),
});
export type IngestResult = z.infer<typeof ingestResult>;

export const snapshotView = z.object({ id: z.string(), kind: z.string(), contentType: z.string(), size: z.number(), url: z.string() });
export const eventView = z.object({
  id: z.string(),
  eventId: z.string(),
  deviceId: z.string(),
  kind: z.string(),
  occurredAt: z.string(),
  receivedAt: z.string(),
  areaCode: z.string(),
  subsystem: z.string(),
  lon: z.number().nullable(),
  lat: z.number().nullable(),
  zones: z.array(z.string()),
  attributes: z.record(z.string(), z.unknown()),
  snapshots: z.array(snapshotView),
  source: z.string(),
});
export type EventView = z.infer<typeof eventView>;

export const listEventsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: z.iso.datetime({ offset: true }).optional(),
  kind: z.string().max(64).optional(),
});

export const heartbeatBody = z.object({ status: z.record(z.string(), z.unknown()).optional() }).default({});

// ---- commands -----------------------------------------------------------------------------------------------

const presetNames = Object.keys(voicePresets) as [string, ...string[]];
const ttl = z.number().int().min(5).max(86_400).optional();

export const createCommandBody = z.discriminatedUnion('type', [
  z.object({ type: z.literal('broadcast.text'), params: z.object({ text: z.string().trim().min(1).max(500), repeat: z.number().int().min(1).max(10).default(1), volume: z.number().int().min(0).max(100).optional() }), ttlS: ttl }),
  z.object({ type: z.literal('broadcast.preset'), params: z.object({ preset: z.enum(presetNames), repeat: z.number().int().min(1).max(10).default(3), volume: z.number().int().min(0).max(100).optional() }), ttlS: ttl }),
  z.object({ type: z.literal('broadcast.stop'), params: z.object({}).default({}), ttlS: ttl }),
  z.object({ type: z.literal('strobe'), params: z.object({ on: z.boolean(), seconds: z.number().int().min(1).max(600).optional() }), ttlS: ttl }),
  z.object({ type: z.literal('ptz.preset'), params: z.object({ preset: z.number().int().min(1).max(255) }), ttlS: ttl }),
  z.object({ type: z.literal('reboot'), params: z.object({}).default({}), ttlS: ttl }),
]);
export type CreateCommandInput = z.infer<typeof createCommandBody>;

export const commandView = z.object({
  id: z.string(),
  deviceId: z.string(),
  type: z.string(),
  params: z.record(z.string(), z.unknown()),
  status: z.enum(['pending', 'sent', 'acknowledged', 'failed', 'expired']),
  via: z.string().nullable(),
  createdBy: z.string(),
  createdAt: z.string(),
  sentAt: z.string().nullable(),
  ackedAt: z.string().nullable(),
  expiresAt: z.string(),
  result: z.string().nullable(),
});
export type CommandView = z.infer<typeof commandView>;

/** What a device receives, over MQTT (`shiyu/<code>/commands`) or HTTP polling. */
export const deviceCommandMessage = z.object({ id: z.string(), type: z.string(), params: z.record(z.string(), z.unknown()), expiresAt: z.string() });
export type DeviceCommandMessage = z.infer<typeof deviceCommandMessage>;

/** A device's acknowledgement of a command. */
export const commandAckBody = z.object({
  id: z.string().min(1).max(64).optional(),
  status: z.enum(['ok', 'failed']).default('ok'),
  message: z.string().max(500).optional(),
});
export type CommandAck = z.infer<typeof commandAckBody>;

// ---- import -------------------------------------------------------------------------------------------------

export const importBody = z.object({
  fileName: z.string().min(1).max(200),
  /** The CSV or .xlsx file, base64. */
  content: z.string().min(1).max(14_000_000),
  /** Check every row and report, but create nothing. */
  dryRun: z.boolean().default(false),
});
export const importRowResult = z.object({
  row: z.number().int(),
  code: z.string().nullable(),
  status: z.enum(['created', 'valid', 'error']),
  errors: z.array(fieldIssue),
  id: z.string().optional(),
  secret: z.string().optional(),
});
export const importResult = z.object({
  dryRun: z.boolean(),
  total: z.number().int(),
  created: z.number().int(),
  valid: z.number().int(),
  failed: z.number().int(),
  rows: z.array(importRowResult),
});
export type ImportResult = z.infer<typeof importResult>;

export const catalogView = z.object({
  subsystems: z.array(z.string()),
  kinds: z.array(z.object({ kind: z.string(), capabilities: z.array(z.string()) })),
  capabilities: z.array(z.string()),
  eventKinds: z.array(z.string()),
  voicePresets: z.array(z.object({ name: z.string(), text: z.string() })),
  commandTypes: z.array(z.object({ type: z.string(), capability: z.string().nullable() })),
});
