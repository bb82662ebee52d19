// Opens the configured engine behind one Kysely instance and applies migrations.
import fs from 'node:fs';
import path from 'node:path';
import { CompiledQuery, Kysely, Migrator, PostgresDialect, SqliteDialect, SqliteDriver, sql, type DatabaseConnection, type Driver, type SqliteDialectConfig } from 'kysely';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { sqlitePath, type Config } from '../../config.ts';
import { dialectFor, type Dialect, type Engine } from './dialect.ts';
import type { Database } from './tables.ts';
import { migrationProvider } from './migrations/index.ts';
import { PostgresBulkWriter, SqliteBulkWriter, SqliteThreadBulkWriter, type BulkWriter } from './bulk.ts';

export interface Db {
  readonly kysely: Kysely<Database>;
  readonly dialect: Dialect;
  readonly engine: Engine;
  /** Bulk inserts for the hottest write paths (platform/db/bulk.ts). */
  readonly bulk: BulkWriter;
  /** PostgreSQL schema in use (null on SQLite). */
  readonly schema: string | null;
  close(): Promise<void>;
}

// PostgreSQL returns BIGINT (int8, e.g. count(*)) and NUMERIC as strings; every such value here fits a JS number.
pg.types.setTypeParser(20, (v) => Number.parseInt(v, 10));
pg.types.setTypeParser(1700, (v) => Number.parseFloat(v));

export async function openDatabase(config: Config): Promise<Db> {
  if (config.databaseUrl) return openPostgres(config.databaseUrl, config.databaseSchema);
  return openSqlite(sqlitePath(config), config.sqliteWriterThread);
}

// SQLite transactions take the write lock when they begin (BEGIN IMMEDIATE), not at their first write: the event
// writer thread (bulk.ts) is a second connection, and a deferred transaction that read before the thread committed
// could not upgrade to a writer (SQLITE_BUSY_SNAPSHOT, which no busy timeout retries).
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}
class ImmediateSqliteDialect extends SqliteDialect {
  constructor(private readonly settings: SqliteDialectConfig) {
    super(settings);
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.settings);
  }
}

const SQLITE_BUSY_TIMEOUT_MS = 5000;

function openSqlite(file: string, writerThread: boolean): Db {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const native = new BetterSqlite3(file);
  native.pragma('journal_mode = WAL');
  // FULL: a committed transaction survives a power cut, not only a process crash ("accept means durable").
  native.pragma('synchronous = FULL');
  native.pragma('foreign_keys = ON');
  native.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
  const kysely = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: native }) });
  const bulk =
    writerThread && file !== ':memory:'
      ? new SqliteThreadBulkWriter(path.resolve(file), SQLITE_BUSY_TIMEOUT_MS)
      : new SqliteBulkWriter(native, kysely as unknown as Kysely<unknown>);
  return {
    kysely,
    dialect: dialectFor('sqlite'),
    engine: 'sqlite',
    bulk,
    schema: null,
    close: async () => {
      await bulk.close();
      await kysely.destroy();
    },
  };
}

async function openPostgres(url: string, schema: string): Promise<Db> {
  const options = schema === 'public' ? undefined : `-c search_path=${schema}`;
  if (schema !== 'public') {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      await admin.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    } finally {
      await admin.end();
    }
  }
  const pool = new pg.Pool({ connectionString: url, max: 10, ...(options ? { options } : {}) });
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  await sql`select 1`.execute(kysely);
  return {
    kysely,
    dialect: dialectFor('postgres'),
    engine: 'postgres',
    bulk: new PostgresBulkWriter(kysely as unknown as Kysely<unknown>),
    schema,
    close: () => kysely.destroy(),
  };
}

export async function migrate(db: Db): Promise<string[]> {
  const migrator = new Migrator({
    db: db.kysely,
    provider: migrationProvider(db.dialect),
    // Modules add their migrations independently; order by name, tolerate a late-arriving earlier name.
    allowUnorderedMigrations: true,
    // Kysely looks for its bookkeeping table across schemas; pin it to ours so that schemas never share it.
    ...(db.schema ? { migrationTableSchema: db.schema } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Drops a PostgreSQL schema (used by tests that gave each run its own schema). */
export async function dropPostgresSchema(url: string, schema: string): Promise<void> {
  if (schema === 'public') return;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await admin.end();
  }
}

/** A query executor: the database itself or an open transaction. Repositories accept either. */
export type Executor = Kysely<Database>;
