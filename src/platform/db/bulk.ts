// Bulk inserts for the hottest write paths (device events): many rows, one transaction, rows that collide on a
// unique key skipped, and for every row whether it was inserted. The query builder is too slow for 50,000 rows a
// second, so each engine gets its own primitive here — still the one place where the engines differ:
//   SQLite: one cached prepared statement per table, run row by row inside one native transaction, under
//           Kysely's connection lock so no other query interleaves;
//   PostgreSQL: one `INSERT … SELECT FROM unnest($1::type[], …) ON CONFLICT DO NOTHING RETURNING key` per table.
import type BetterSqlite3 from 'better-sqlite3';
import { sql, type Kysely } from 'kysely';

export type BulkColumnType = 'text' | 'float' | 'int';

export interface BulkInsert {
  table: string;
  columns: readonly string[];
  types: readonly BulkColumnType[];
  /** The unique key whose collisions are skipped (a retried event). */
  key: readonly string[];
  rows: readonly (readonly unknown[])[];
}

export interface BulkWriter {
  /** Runs every insert in one transaction; per insert, per row: true if inserted, false if its key existed. */
  insertIgnoringDuplicates(inserts: readonly BulkInsert[]): Promise<boolean[][]>;
}

const ident = (s: string) => {
  if (!/^[a-z_][a-z0-9_]*$/.test(s)) throw new Error(`not an identifier: ${s}`);
  return s;
};

export class SqliteBulkWriter implements BulkWriter {
  private readonly statements = new Map<string, BetterSqlite3.Statement>();
  constructor(
    private readonly native: BetterSqlite3.Database,
    private readonly kysely: Kysely<unknown>,
  ) {}

  private statement(ins: BulkInsert): BetterSqlite3.Statement {
    const sqlText =
      `INSERT INTO ${ident(ins.table)} (${ins.columns.map(ident).join(', ')}) VALUES (${ins.columns.map(() => '?').join(', ')}) ` +
      `ON CONFLICT (${ins.key.map(ident).join(', ')}) DO NOTHING`;
    let st = this.statements.get(sqlText);
    if (!st) {
      st = this.native.prepare(sqlText);
      this.statements.set(sqlText, st);
    }
    return st;
  }

  async insertIgnoringDuplicates(inserts: readonly BulkInsert[]): Promise<boolean[][]> {
    const prepared = inserts.map((ins) => ({ ins, st: this.statement(ins) }));
    // Hold Kysely's lock on the one connection: nothing else may run inside this synchronous transaction.
    return this.kysely.connection().execute(async () =>
      this.native.transaction(() => prepared.map(({ ins, st }) => ins.rows.map((r) => st.run(r as unknown[]).changes === 1)))(),
    );
  }
}

export class PostgresBulkWriter implements BulkWriter {
  constructor(private readonly kysely: Kysely<unknown>) {}

  async insertIgnoringDuplicates(inserts: readonly BulkInsert[]): Promise<boolean[][]> {
    const pgType = { text: 'text[]', float: 'float8[]', int: 'int8[]' } as const;
    return this.kysely.transaction().execute(async (trx) => {
      const out: boolean[][] = [];
      for (const ins of inserts) {
        if (ins.rows.length === 0) {
          out.push([]);
          continue;
        }
        const arrays = ins.columns.map((_, c) => ins.rows.map((r) => r[c] ?? null));
        const params = arrays.map((a, c) => sql`${a}::${sql.raw(pgType[ins.types[c]!])}`);
        const keyIdx = ins.key.map((k) => ins.columns.indexOf(k));
        const result = await sql<Record<string, unknown>>`
          INSERT INTO ${sql.raw(ident(ins.table))} (${sql.raw(ins.columns.map(ident).join(', '))})
          SELECT * FROM unnest(${sql.join(params)})
          ON CONFLICT (${sql.raw(ins.key.map(ident).join(', '))}) DO NOTHING
          RETURNING ${sql.raw(ins.key.map(ident).join(', '))}`.execute(trx);
        const inserted = new Set(result.rows.map((r) => ins.key.map((k) => String(r[k])).join('\n')));
        out.push(ins.rows.map((r) => inserted.has(keyIdx.map((i) => String(r[i])).join('\n'))));
      }
      return out;
    });
  }
}
