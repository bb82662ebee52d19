// Small pieces of state that every node must see alike, kept in the database (both engines): the replay state of
// GA/T 1400 Digest nonces and fixed-window rate-limit counters. Each operation is one atomic statement (an upsert
// with a condition), so two nodes racing on the same key cannot both win.
import { sql, type Kysely } from 'kysely';
import type { FastifyRateLimitOptions, FastifyRateLimitStore } from '@fastify/rate-limit';
import type { Database } from './db/tables.ts';

export interface SharedStateTables {
  digest_nonces: { nonce: string; nc: number; expires_at: number };
  rate_limits: { key: string; window_start: number; count: number };
}

/** Remembers the highest `nc` accepted per Digest nonce. */
export interface NonceStore {
  /** True when `nc` is above every `nc` accepted so far for this nonce (and records it); false for a replay. */
  advance(nonce: string, nc: number, expiresAtMs: number): Promise<boolean>;
}

export class DbNonceStore implements NonceStore {
  private calls = 0;
  constructor(private readonly db: Kysely<Database>, private readonly now: () => number) {}

  async advance(nonce: string, nc: number, expiresAtMs: number): Promise<boolean> {
    const r = await this.db
      .insertInto('digest_nonces')
      .values({ nonce, nc, expires_at: expiresAtMs })
      .onConflict((oc) => oc.column('nonce').doUpdateSet({ nc }).where('digest_nonces.nc', '<', nc))
      .executeTakeFirst();
    if (++this.calls % 256 === 0) await this.db.deleteFrom('digest_nonces').where('expires_at', '<', this.now()).execute();
    return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
  }
}

/** One atomic fixed-window increment: the count in the current window after this hit, and when the window began. */
export async function incrementWindow(db: Kysely<Database>, key: string, windowMs: number, nowMs: number): Promise<{ count: number; windowStart: number }> {
  const expired = sql<boolean>`rate_limits.window_start + ${windowMs} <= ${nowMs}`;
  const row = await db
    .insertInto('rate_limits')
    .values({ key, window_start: nowMs, count: 1 })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        count: sql<number>`CASE WHEN ${expired} THEN 1 ELSE rate_limits.count + 1 END`,
        window_start: sql<number>`CASE WHEN ${expired} THEN ${nowMs} ELSE rate_limits.window_start END`,
      }),
    )
    .returning(['count', 'window_start'])
    .executeTakeFirstOrThrow();
  return { count: Number(row.count), windowStart: Number(row.window_start) };
}

/**
 * A store for @fastify/rate-limit that keeps the counters in the database, so that a limit holds across all the
 * nodes behind a load balancer (the plugin's default store is per process).
 */
export function dbRateLimitStore(db: Kysely<Database>, now: () => number = Date.now): new (options: FastifyRateLimitOptions) => FastifyRateLimitStore {
  let calls = 0;
  class DbRateLimitStore implements FastifyRateLimitStore {
    constructor(_options?: FastifyRateLimitOptions, private readonly prefix = '') {}

    incr(key: string, callback: (error: Error | null, result?: { current: number; ttl: number }) => void, timeWindow: number): void {
      const t = now();
      incrementWindow(db, `${this.prefix}${key}`, timeWindow, t)
        .then(async (r) => {
          if (++calls % 256 === 0) await db.deleteFrom('rate_limits').where('window_start', '<', t - 24 * 3600_000).execute();
          callback(null, { current: r.count, ttl: Math.max(0, r.windowStart + timeWindow - t) });
        })
        .catch((err: unknown) => callback(err instanceof Error ? err : new Error(String(err))));
    }

    // The plugin passes the route's merged options, with the route under `routeInfo`: one counter per route and key.
    child(params: object): FastifyRateLimitStore {
      const route = (params as { routeInfo?: { method?: string | string[]; url?: string } }).routeInfo ?? {};
      const method = Array.isArray(route.method) ? route.method.join(',') : (route.method ?? '');
      return new DbRateLimitStore(undefined, `${method} ${route.url ?? ''}|`);
    }
  }
  return DbRateLimitStore;
}
