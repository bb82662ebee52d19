import { z } from 'zod';
import { actorOf, type App } from '../../platform/http.ts';
import { requirePermission } from '../../platform/access.ts';
import type { Platform } from '../../platform/context.ts';

const auditQuery = z.object({
  action: z.string().max(60).optional(),
  actor: z.string().max(60).optional(),
  entityType: z.string().max(40).optional(),
  entityId: z.string().max(64).optional(),
  from: z.iso.datetime().optional(),
  to: z.iso.datetime().optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(500).default(50),
});

const auditRecord = z.object({
  id: z.string(),
  at: z.string(),
  actorId: z.string().nullable(),
  actorName: z.string(),
  ip: z.string().nullable(),
  action: z.string(),
  entityType: z.string(),
  entityId: z.string().nullable(),
  areaCode: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()).nullable(),
});

// Read-only on purpose: the API offers no way to change or delete an audit record.
export function auditRoutes(app: App, p: Platform): void {
  app.get('/api/audit', {
    schema: { tags: ['audit'], querystring: auditQuery, response: { 200: z.object({ items: z.array(auditRecord), total: z.number() }) } },
    config: { permission: 'audit:read' },
  }, async (req) => {
    const actor = actorOf(req);
    requirePermission(actor, 'audit:read');
    const q = req.query;
    return p.audit.list(p.db.kysely, {
      scope: actor.scope,
      action: q.action,
      actor: q.actor,
      entityType: q.entityType,
      entityId: q.entityId,
      from: q.from,
      to: q.to,
      limit: q.pageSize,
      offset: (q.page - 1) * q.pageSize,
    });
  });
}
