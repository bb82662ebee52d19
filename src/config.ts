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
  /** PostgreSQL schema to use (DATABASE_SCHEMA); tests give each run its own. */
  databaseSchema: z.string().regex(/^[a-z_][a-z0-9_]*$/).default('public'),
  /** Key that protects personal data at rest (SHIYU_SECRET_KEY, 64 hex chars). Generated into <dataDir>/secret.key when absent. */
  secretKey: z.string().regex(/^[0-9a-f]{64}$/i).optional(),
  /** Session lifetime in hours (SESSION_TTL_HOURS). */
  sessionTtlHours: z.coerce.number().positive().default(12),
  /** Demo mode (SHIYU_DEMO or `start --demo`): imports the demo city and creates one account per role. */
  demo: bool.default(false),
  /** Log level (LOG_LEVEL). */
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Optional map tile URL template (MAP_TILE_URL), e.g. a Tianditu service; the map works without it. */
  mapTileUrl: z.string().optional(),
  /** Embedded MQTT broker port (MQTT_PORT); if taken, the next free port above it is used. 0 disables the embedded broker. */
  mqttPort: z.coerce.number().int().min(0).max(65535).default(1883),
  /** External MQTT broker (MQTT_URL); when set, the embedded broker is not started. */
  mqttUrl: z.string().optional(),
  /** Failed logins per username within 15 minutes before the account is locked for 15 minutes (LOGIN_MAX_FAILURES). */
  loginMaxFailures: z.coerce.number().int().positive().default(5),
  /** Login requests per IP per minute (LOGIN_RATE_PER_MINUTE). */
  loginRatePerMinute: z.coerce.number().int().positive().default(20),
  /** Folder of the built web app (WEB_DIR). */
  webDir: z.string().default('web/dist'),
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
    databaseSchema: env.DATABASE_SCHEMA,
    secretKey: env.SHIYU_SECRET_KEY,
    sessionTtlHours: env.SESSION_TTL_HOURS,
    demo: env.SHIYU_DEMO,
    logLevel: env.LOG_LEVEL,
    mapTileUrl: env.MAP_TILE_URL,
    mqttPort: env.MQTT_PORT,
    mqttUrl: env.MQTT_URL || undefined,
    loginMaxFailures: env.LOGIN_MAX_FAILURES,
    loginRatePerMinute: env.LOGIN_RATE_PER_MINUTE,
    webDir: env.WEB_DIR,
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
