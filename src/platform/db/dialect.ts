// The one place where SQLite and PostgreSQL differ. Services and repositories never ask which engine they run on;
// they call these helpers. Migrations use them for column types and engine-level guards.
import { sql, type Kysely, type RawBuilder } from 'kysely';

export type Engine = 'sqlite' | 'postgres';

export interface Dialect {
  readonly engine: Engine;
  /** Column type for floating-point numbers. */
  readonly floatType: 'real' | 'double precision';
  /** Column type for binary data. */
  readonly binaryType: 'blob' | 'bytea';
  /** How many bound parameters one statement may carry (SQLite: 32766, PostgreSQL: 65535), for chunked inserts. */
  readonly maxParams: number;
  /** Makes a table append-only at the engine level: UPDATE and DELETE raise an error. */
  appendOnly(db: Kysely<unknown>, table: string): Promise<void>;
  /** Case-insensitive substring match on a text column. */
  containsInsensitive(column: string, value: string): RawBuilder<boolean>;
  /** The tables of this database (on PostgreSQL: of the schema in use only, never other schemas). */
  listTables(db: Kysely<unknown>): Promise<string[]>;
}

const sqliteDialect: Dialect = {
  engine: 'sqlite',
  floatType: 'real',
  binaryType: 'blob',
  maxParams: 32766,
  async appendOnly(db, table) {
    for (const op of ['UPDATE', 'DELETE']) {
      await sql
        .raw(
          `CREATE TRIGGER IF NOT EXISTS ${table}_no_${op.toLowerCase()} BEFORE ${op} ON ${table} ` +
            `BEGIN SELECT RAISE(ABORT, '${table} is append-only'); END`,
        )
        .execute(db);
    }
  },
  containsInsensitive(column, value) {
    return sql<boolean>`${sql.ref(column)} LIKE ${'%' + escapeLike(value) + '%'} ESCAPE '\\'`;
  },
  async listTables(db) {
    const r = await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`.execute(db);
    return r.rows.map((x) => x.name);
  },
};

const postgresDialect: Dialect = {
  engine: 'postgres',
  floatType: 'double precision',
  binaryType: 'bytea',
  maxParams: 65535,
  async appendOnly(db, table) {
    await sql
      .raw(
        `CREATE OR REPLACE FUNCTION ${table}_append_only() RETURNS trigger AS $$ ` +
          `BEGIN RAISE EXCEPTION '${table} is append-only'; END; $$ LANGUAGE plpgsql`,
      )
      .execute(db);
    await sql
      .raw(
        `CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table} ` +
          `FOR EACH ROW EXECUTE FUNCTION ${table}_append_only()`,
      )
      .execute(db);
  },
  containsInsensitive(column, value) {
    return sql<boolean>`${sql.ref(column)} ILIKE ${'%' + escapeLike(value) + '%'} ESCAPE '\\'`;
  },
  async listTables(db) {
    const r = await sql<{ name: string }>`SELECT table_name AS name FROM information_schema.tables
      WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`.execute(db);
    return r.rows.map((x) => x.name);
  },
};

export function dialectFor(engine: Engine): Dialect {
  return engine === 'sqlite' ? sqliteDialect : postgresDialect;
}

/** Escapes LIKE wildcards so that user input matches literally. */
export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => '\\' + c);
}

/**
 * The LIKE pattern for area-scoped reads: `code LIKE '430523%'`. Scopes are area-code prefixes, digits only;
 * anything else is refused rather than escaped, so that a wildcard can never widen a scope.
 */
export function prefixPattern(prefix: string): string {
  if (!/^\d*$/.test(prefix)) throw new Error(`not an area-code prefix: ${JSON.stringify(prefix)}`);
  return prefix + '%';
}

/** `column LIKE 'value%'` for any text, wildcards in the value matched literally (same on both engines). */
export function startsWith(column: string, value: string): RawBuilder<boolean> {
  return sql<boolean>`${sql.ref(column)} LIKE ${escapeLike(value) + '%'} ESCAPE '\\'`;
}
