// Bulk inserts for the hottest write paths (device events): many rows, one transaction, rows that collide on a
// unique key skipped, and for every row whether it was inserted. The query builder is too slow for 50,000 rows a
// second, so each engine gets its own primitive here — still the one place where the engines differ:
//   SQLite, file database: a writer thread with its own connection to the same file runs one cached prepared
//           statement per table row by row inside one native transaction. The insert is the largest single cost
//           of ingest (about 40 % of the main thread at 48,000 events/s); in the thread it runs on the second core
//           while the main thread parses and validates the next messages. Handing the rows over costs about
//           0.5 µs a row (structured clone). WAL lets the main connection read meanwhile; its own writes wait for
//           the thread's commit (busy timeout), and its transactions begin IMMEDIATE (database.ts) so that a
//           transaction that read first never finds the snapshot moved under it.
//   SQLite, in memory (or SQLITE_WRITER_THREAD=0): the same statements on the main connection, under Kysely's
//           connection lock so that no other query interleaves.
//   PostgreSQL: one `INSERT … SELECT FROM unnest($1::type[], …) ON CONFLICT DO NOTHING RETURNING key` per table.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
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
  /**
   * How many calls may usefully be in flight at once: 1 on SQLite's main connection; 2 for the SQLite writer
   * thread, which runs them one after the other in the order given (so the next one is ready when a commit ends,
   * and a key inserted by the first is a duplicate in the second); several on PostgreSQL.
   */
  readonly concurrency: number;
  /** Runs every insert in one transaction; per insert, per row: true if inserted, false if its key existed. */
  insertIgnoringDuplicates(inserts: readonly BulkInsert[]): Promise<boolean[][]>;
  /** Waits for the inserts in flight and releases what the writer holds (the SQLite writer thread). */
  close(): Promise<void>;
}

const ident = (s: string) => {
  if (!/^[a-z_][a-z0-9_]*$/.test(s)) throw new Error(`not an identifier: ${s}`);
  return s;
};

function sqliteInsertSql(ins: BulkInsert): string {
  return (
    `INSERT INTO ${ident(ins.table)} (${ins.columns.map(ident).join(', ')}) VALUES (${ins.columns.map(() => '?').join(', ')}) ` +
    `ON CONFLICT (${ins.key.map(ident).join(', ')}) DO NOTHING`
  );
}

export class SqliteBulkWriter implements BulkWriter {
  readonly concurrency = 1;
  private readonly statements = new Map<string, BetterSqlite3.Statement>();
  constructor(
    private readonly native: BetterSqlite3.Database,
    private readonly kysely: Kysely<unknown>,
  ) {}

  private statement(ins: BulkInsert): BetterSqlite3.Statement {
    const sqlText = sqliteInsertSql(ins);
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

  async close(): Promise<void> {}
}

// The writer thread's program. It is plain JavaScript run with `eval` so that it needs no build step and works the
// same from the compiled server and from the TypeScript sources (tests); it is exercised by test/integration/bulk.test.ts.
const writerThreadSource = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.pragma('foreign_keys = ON');
db.pragma('busy_timeout = ' + Number(workerData.busyTimeoutMs));
const statements = new Map();
const run = db.transaction((inserts) => inserts.map((ins) => {
  let st = statements.get(ins.sql);
  if (!st) { st = db.prepare(ins.sql); statements.set(ins.sql, st); }
  const out = new Uint8Array(ins.rows.length);
  for (let i = 0; i < ins.rows.length; i++) out[i] = st.run(ins.rows[i]).changes === 1 ? 1 : 0;
  return out;
}));
parentPort.on('message', (m) => {
  if (m.close) { db.close(); parentPort.close(); return; }
  try {
    const results = run(m.inserts);
    parentPort.postMessage({ id: m.id, results }, results.map((r) => r.buffer));
  } catch (err) {
    parentPort.postMessage({ id: m.id, error: { message: String((err && err.message) || err), code: err && err.code } });
  }
});
`;

interface ThreadReply {
  id: number;
  results?: Uint8Array[];
  error?: { message: string; code?: string };
}

/** SQLite file databases: the inserts run in a writer thread on its own connection (see the top of this file). */
export class SqliteThreadBulkWriter implements BulkWriter {
  readonly concurrency = 2;
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: Uint8Array[]) => void; reject: (e: Error) => void }>();

  constructor(
    private readonly file: string,
    private readonly busyTimeoutMs: number,
  ) {}

  private thread(): Worker {
    if (this.worker) return this.worker;
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    const w = new Worker(writerThreadSource, { eval: true, workerData: { file: this.file, driver, busyTimeoutMs: this.busyTimeoutMs } });
    w.on('message', (m: ThreadReply) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.results) p.resolve(m.results);
      else p.reject(Object.assign(new Error(`SQLite writer thread: ${m.error?.message ?? 'unknown error'}`), { code: m.error?.code }));
    });
    const fail = (err: Error) => {
      if (this.worker === w) this.worker = null;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    w.on('error', (err) => fail(err instanceof Error ? err : new Error(String(err))));
    // A thread that ends with inserts pending has not answered them: nothing of theirs may be acknowledged.
    w.on('exit', (code) => fail(new Error(`SQLite writer thread exited (code ${code})`)));
    this.worker = w;
    return w;
  }

  async insertIgnoringDuplicates(inserts: readonly BulkInsert[]): Promise<boolean[][]> {
    const work = inserts.filter((ins) => ins.rows.length > 0).map((ins) => ({ sql: sqliteInsertSql(ins), rows: ins.rows }));
    if (work.length === 0) return inserts.map(() => []);
    const id = this.nextId++;
    const w = this.thread();
    const results = await new Promise<Uint8Array[]>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      w.postMessage({ id, inserts: work });
    });
    let k = 0;
    return inserts.map((ins) => {
      if (ins.rows.length === 0) return [];
      const r = results[k++]!;
      const out = new Array<boolean>(r.length);
      for (let i = 0; i < r.length; i++) out[i] = r[i] === 1;
      return out;
    });
  }

  async close(): Promise<void> {
    const w = this.worker;
    if (!w) return;
    while (this.pending.size > 0) await new Promise((r) => setTimeout(r, 2));
    const exited = new Promise((r) => w.once('exit', r));
    w.postMessage({ close: true });
    await exited;
    this.worker = null;
  }
}

export class PostgresBulkWriter implements BulkWriter {
  /** PostgreSQL takes several writers at once; four of the pool's ten connections, the rest left for other work. */
  readonly concurrency = 4;
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

  async close(): Promise<void> {}
}
