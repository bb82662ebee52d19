import type { Kysely } from 'kysely';

// GA/T 1400 registrations: which capture devices or platforms are registered, and when they were last heard.
// Stored, so that every node (and a restarted one) knows who is registered.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('gat1400_registrations')
    .addColumn('gb_id', 'text', (c) => c.primaryKey())
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('registered_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .addColumn('ip', 'text')
    .execute();
}
