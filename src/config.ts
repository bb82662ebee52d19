// One typed configuration, read from the environment. Every variable is documented here and in docs/operations.md.
import { z } from 'zod';
import path from 'node:path';

const bool = z
  .union([z.boolean(), z.enum(['1', '0', 'true', 'false', 'yes', 'no', ''])])
  .transform((v) => v === true || v === '1' || v === 'true' || v === 'yes');

export const configSchema = z.object({
  /** HTTP listen address. */
  host: z.string().default('0.0.0.0'),
  /** HTTP port (PORT). 0 picks a free port. */
  port: z.coerce.number().int().min(0).max(65535).default(8080),
  /** PostgreSQL connection string (DATABASE_URL). When unset, the embedded SQLite engine is used. */
  databaseUrl: z.string().url().optional(),
  /** Folder for the SQLite file, the secret key and stored files (DATA_DIR). */
  dataDir: z.string().default('./data'),
  /** SQLite file (SQLITE_FILE); defaults to <dataDir>/shiyu.db. ':memory:' is allowed for tests. */
  sqliteFile: z.string().optional(),
  /** SQLite: device events are inserted by a writer thread on its own connection (SQLITE_WRITER_THREAD, default on; see platform/db/bulk.ts). */
  sqliteWriterThread: bool.default(true),
  /** PostgreSQL schema to use (DATABASE_SCHEMA); tests give each run its own. */
  databaseSchema: z.string().regex(/^[a-z_][a-z0-9_]*$/).default('public'),
  /** Key that protects personal data at rest (SHIYU_SECRET_KEY, 64 hex chars). Generated into <dataDir>/secret.key when absent. */
  secretKey: z.string().regex(/^[0-9a-f]{64}$/i).optional(),
  /** Session lifetime in hours (SESSION_TTL_HOURS). */
  sessionTtlHours: z.coerce.number().positive().default(12),
  /** Demo mode (SHIYU_DEMO or `start --demo`): imports the demo city and creates one account per role. */
  demo: bool.default(false),
  /** Events per second the demo start's simulated fleet sends (SHIYU_DEMO_RATE); 0 keeps the demo fleet silent. */
  demoRate: z.coerce.number().min(0).max(1000).default(1),
  /** Log level (LOG_LEVEL). */
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Optional map tile URL template (MAP_TILE_URL), e.g. a Tianditu service; the map works without it. */
  mapTileUrl: z.string().optional(),
  /** Embedded MQTT broker port (MQTT_PORT); if taken, the next free port above it is used. 0 disables the embedded broker. */
  mqttPort: z.coerce.number().int().min(0).max(65535).default(1883),
  /** External MQTT broker (MQTT_URL); when set, the embedded broker is not started. */
  mqttUrl: z.string().optional(),
  /** MQTT 5 shared-subscription group on an external broker (MQTT_SHARE_GROUP): the nodes of one deployment use the same. */
  mqttShareGroup: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/).default('shiyu'),
  /**
   * Session expiry on an external broker, in seconds (MQTT_SESSION_EXPIRY_SECONDS): a node that comes back within it
   * gets the messages it had not acknowledged; a node that never returns stops holding messages after it.
   */
  mqttSessionExpirySeconds: z.coerce.number().int().min(0).max(86_400).default(60),
  /** NATS server (NATS_URL, e.g. nats://127.0.0.1:4222): when set, the event bus spans the nodes (platform/bus.nats.ts). */
  natsUrl: z.string().optional(),
  /** Prefix of this deployment's NATS subjects, streams and buckets (NATS_PREFIX); every node of it uses the same. */
  natsPrefix: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).default('shiyu'),
  /** With NATS: how often a node compares the versions of rules, zones, devices and faces with what it loaded, in ms (CLUSTER_CHECK_MS); 0: never. */
  clusterCheckMs: z.coerce.number().int().min(0).default(5000),
  /**
   * Connections each node opens to the external broker (MQTT_EXTERNAL_CONNECTIONS), all in the shared group: each
   * has one message in flight (its PUBACK follows the commit), so this bounds the messages per group commit.
   */
  mqttExternalConnections: z.coerce.number().int().min(1).max(256).default(16),
  /** Failed logins per username within 15 minutes before the account is locked for 15 minutes (LOGIN_MAX_FAILURES). */
  loginMaxFailures: z.coerce.number().int().positive().default(5),
  /** Login requests per IP per minute (LOGIN_RATE_PER_MINUTE). */
  loginRatePerMinute: z.coerce.number().int().positive().default(20),
  /** Folder of the built web app (WEB_DIR). */
  webDir: z.string().default('web/dist'),
  /** How often the case deadline sweeper (reminders, overdue escalation) runs, in seconds (CASE_SWEEP_SECONDS); 0: never. */
  caseSweepSeconds: z.coerce.number().int().min(0).default(30),
  /** How often the key-person sweeper (overdue visits and tests, escalation) runs, in seconds (PEOPLE_SWEEP_SECONDS); 0: never. */
  peopleSweepSeconds: z.coerce.number().int().min(0).default(60),
  /** How often the notification worker looks for due notifications, in ms (NOTIFY_POLL_MS). */
  notifyPollMs: z.coerce.number().int().min(10).default(1000),
  /** How long a notification being sent is leased to one worker before another may retry it (NOTIFY_LEASE_SECONDS). */
  notifyLeaseSeconds: z.coerce.number().positive().default(60),
  /** Delivery attempts before a notification is dead (NOTIFY_MAX_ATTEMPTS). */
  notifyMaxAttempts: z.coerce.number().int().min(1).max(50).default(6),
  /** Cosine similarity at or above which a face counts as a match in 1:N search (FACE_MATCH_THRESHOLD). */
  faceMatchThreshold: z.coerce.number().min(0).max(1).default(0.72),
  /** Face model for embedding images (FACE_MODEL): 'human' (@vladmandic/human, tfjs WASM, offline) or 'none'. */
  faceModel: z.enum(['human', 'none']).default('human'),
  /** How often the early-warning sweeper (escalation, reminders, 135 due times, device silence) runs, in ms (WARNING_TICK_MS); 0: never. */
  warningTickMs: z.coerce.number().int().min(0).default(1000),
  /**
   * How far behind the newest evaluated event the stored evaluation position stays, in ms (WARNING_REPLAY_LAG_MS): an
   * event committed later than this after its arrival could be skipped by a recovery. docs/warning.md, "Recovery".
   */
  warningReplayLagMs: z.coerce.number().int().min(0).default(30_000),
  /** This node's name (SHIYU_NODE_ID): on several nodes, each needs its own, stable across restarts. */
  nodeId: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/).default('main'),
  /** Device events older than this many days (INGEST_MAX_AGE_DAYS) are refused as a wrong time (docs/devices.md). */
  ingestMaxAgeDays: z.coerce.number().positive().max(36_500).default(366),
  /** Device events more than this many seconds in the future (INGEST_MAX_FUTURE_SECONDS) are refused: clock drift. */
  ingestMaxFutureSeconds: z.coerce.number().int().min(0).max(31_622_400).default(3600),
  /** Tests only (SHIYU_TEST_EVAL_DELAY_MS): the rule engine waits this long before evaluating each stored event. */
  testEvalDelayMs: z.coerce.number().int().min(0).default(0),
});

export type Config = z.infer<typeof configSchema>;

/** Reads the configuration from environment variables, with `overrides` (from the command line or tests) on top. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const raw = {
    host: env.HOST,
    port: env.PORT,
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: env.DATA_DIR,
    sqliteFile: env.SQLITE_FILE,
    sqliteWriterThread: env.SQLITE_WRITER_THREAD,
    databaseSchema: env.DATABASE_SCHEMA,
    secretKey: env.SHIYU_SECRET_KEY,
    sessionTtlHours: env.SESSION_TTL_HOURS,
    demo: env.SHIYU_DEMO,
    demoRate: env.SHIYU_DEMO_RATE,
    logLevel: env.LOG_LEVEL,
    mapTileUrl: env.MAP_TILE_URL,
    mqttPort: env.MQTT_PORT,
    mqttUrl: env.MQTT_URL || undefined,
    mqttShareGroup: env.MQTT_SHARE_GROUP,
    mqttSessionExpirySeconds: env.MQTT_SESSION_EXPIRY_SECONDS,
    natsUrl: env.NATS_URL || undefined,
    natsPrefix: env.NATS_PREFIX,
    clusterCheckMs: env.CLUSTER_CHECK_MS,
    mqttExternalConnections: env.MQTT_EXTERNAL_CONNECTIONS,
    loginMaxFailures: env.LOGIN_MAX_FAILURES,
    loginRatePerMinute: env.LOGIN_RATE_PER_MINUTE,
    webDir: env.WEB_DIR,
    caseSweepSeconds: env.CASE_SWEEP_SECONDS,
    peopleSweepSeconds: env.PEOPLE_SWEEP_SECONDS,
    notifyPollMs: env.NOTIFY_POLL_MS,
    notifyLeaseSeconds: env.NOTIFY_LEASE_SECONDS,
    notifyMaxAttempts: env.NOTIFY_MAX_ATTEMPTS,
    faceMatchThreshold: env.FACE_MATCH_THRESHOLD,
    faceModel: env.FACE_MODEL,
    warningTickMs: env.WARNING_TICK_MS,
    warningReplayLagMs: env.WARNING_REPLAY_LAG_MS,
    nodeId: env.SHIYU_NODE_ID,
    testEvalDelayMs: env.SHIYU_TEST_EVAL_DELAY_MS,
    ingestMaxAgeDays: env.INGEST_MAX_AGE_DAYS,
    ingestMaxFutureSeconds: env.INGEST_MAX_FUTURE_SECONDS,
  };
  const defined = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = configSchema.safeParse({ ...defined, ...overrides });
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

export function sqlitePath(config: Config): string {
  if (config.sqliteFile) return config.sqliteFile;
  return path.join(config.dataDir, 'shiyu.db');
}
