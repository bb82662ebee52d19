import type { Kysely } from 'kysely';

// The loudspeaker commands sent for an alert (by its rule or by an operator), so that a command that times out or
// is refused reaches the alert's timeline once (`failed_at`), and the operator can try again.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('alert_commands')
    .addColumn('command_id', 'text', (c) => c.primaryKey())
    .addColumn('alert_id', 'text', (c) => c.notNull().references('alerts.id'))
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('repeat', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('failed_at', 'text')
    .execute();
  await db.schema.createIndex('alert_commands_alert').on('alert_commands').column('alert_id').execute();
}
