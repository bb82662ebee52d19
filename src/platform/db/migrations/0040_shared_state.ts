import type { Kysely } from 'kysely';

// State that several nodes must share (docs/operations.md, "Several nodes"):
//   - digest_nonces: per GA/T 1400 Digest nonce, the highest `nc` accepted, so that a replay is refused whichever
//     node it reaches (the nonces themselves are signed with a key derived from SHIYU_SECRET_KEY);
//   - rate_limits: fixed-window request counters (the login limit per IP), one row per key.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('digest_nonces')
    .addColumn('nonce', 'text', (c) => c.primaryKey())
    .addColumn('nc', 'integer', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('digest_nonces_expires').on('digest_nonces').column('expires_at').execute();
  await db.schema
    .createTable('rate_limits')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('window_start', 'bigint', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('rate_limits_window').on('rate_limits').column('window_start').execute();
}
