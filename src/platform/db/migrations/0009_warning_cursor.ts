import type { Kysely } from 'kysely';

// Early warning's recovery state (docs/warning.md, "Recovery"):
//   - warning_cursors: per engine node, the position (a device_events id prefix) below which every stored event has
//     been evaluated by the rules; on start the events from there on are evaluated again (idempotently).
//   - rule_window_hits.retired_by: a hit that no longer counts (its window fired, or it fell out of a later event's
//     window) is marked with the event that retired it instead of being deleted at once, so that an event evaluated a
//     second time is not counted again, and the event that made a window fire still fires it when its first
//     evaluation died before the alert was written.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('warning_cursors')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('position', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.alterTable('rule_window_hits').addColumn('retired_by', 'text').execute();
}
