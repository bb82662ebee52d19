import { sql, type Kysely } from 'kysely';

// Early warning's keys that cannot clash or repeat (docs/warning.md):
//   - alert_counters: the last number of each day's alert codes per county (series `YJ430523-20260522`), taken in the
//     firing's transaction as case_counters are for cases; started from the alerts that already exist.
//   - device_commands.idempotency_key: a command made on behalf of a rule carries (rule, triggering event, device);
//     the unique index lets a retried evaluation find the command it made instead of sending a second one.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('alert_counters')
    .addColumn('series', 'text', (c) => c.primaryKey())
    .addColumn('value', 'integer', (c) => c.notNull())
    .execute();
  const codes = await sql<{ code: string }>`select code from alerts`.execute(db);
  const last = new Map<string, number>();
  for (const { code } of codes.rows) {
    const m = /^(.+)-(\d+)$/.exec(code);
    if (!m) continue;
    last.set(m[1]!, Math.max(last.get(m[1]!) ?? 0, Number(m[2])));
  }
  const rows = [...last].map(([series, value]) => ({ series, value }));
  for (let i = 0; i < rows.length; i += 400) {
    await (db as Kysely<{ alert_counters: { series: string; value: number } }>).insertInto('alert_counters').values(rows.slice(i, i + 400)).execute();
  }
  await db.schema.alterTable('device_commands').addColumn('idempotency_key', 'text').execute();
  await db.schema.createIndex('device_commands_idempotency').on('device_commands').column('idempotency_key').unique().execute();
}
