import { sql } from 'kysely';
import { z } from 'zod';
import type { App } from '../../platform/http.ts';
import type { Platform } from '../../platform/context.ts';

export function systemRoutes(app: App, p: Platform, version: string): void {
  app.get('/api/health', {
    schema: { tags: ['system'], response: { 200: z.object({ status: z.literal('ok'), db: z.enum(['sqlite', 'postgres']), version: z.string(), node: z.string() }) } },
    config: { public: true },
  }, async () => {
    await sql`select 1`.execute(p.db.kysely);
    // `node` (SHIYU_NODE_ID) tells an operator behind a load balancer which node answered.
    return { status: 'ok' as const, db: p.db.engine, version, node: p.config.nodeId };
  });

  app.get('/api/config/public', {
    schema: { tags: ['system'], response: { 200: z.object({ mapTileUrl: z.string().nullable(), demo: z.boolean(), version: z.string() }) } },
    config: { public: true },
  }, async () => ({ mapTileUrl: p.config.mapTileUrl ?? null, demo: p.config.demo, version }));

  app.get('/api/openapi.json', { schema: { hide: true }, config: { public: true } }, async () => app.swagger());
}
