import { z } from 'zod';
import { actorOf, type App } from '../../platform/http.ts';
import type { WarningModule } from './warning.module.ts';
import { dryRunBody, dryRunResult, ruleBody, rulePatchBody, ruleVersionView, ruleView } from './rules.schema.ts';

const idParam = z.object({ id: z.string().min(1).max(64) });

export function rulesRoutes(app: App, w: WarningModule): void {
  app.get('/api/rules', {
    schema: { tags: ['rules'], response: { 200: z.object({ items: z.array(ruleView) }) } },
    config: { permission: 'alerts:read' },
  }, async (req) => ({ items: await w.rules.list(actorOf(req)) }));

  app.get('/api/rules/:id', {
    schema: { tags: ['rules'], params: idParam, response: { 200: ruleView } },
    config: { permission: 'alerts:read' },
  }, async (req) => w.rules.get(actorOf(req), req.params.id));

  app.get('/api/rules/:id/versions', {
    schema: { tags: ['rules'], params: idParam, response: { 200: z.object({ items: z.array(ruleVersionView) }) } },
    config: { permission: 'alerts:read' },
  }, async (req) => ({ items: await w.rules.versions(actorOf(req), req.params.id) }));

  app.post('/api/rules', {
    schema: { tags: ['rules'], body: ruleBody, response: { 201: ruleView } },
    config: { permission: 'rules:write' },
  }, async (req, reply) => reply.status(201).send(await w.rules.create(actorOf(req), req.body)));

  app.patch('/api/rules/:id', {
    schema: { tags: ['rules'], params: idParam, body: rulePatchBody, response: { 200: ruleView } },
    config: { permission: 'rules:write' },
  }, async (req) => w.rules.update(actorOf(req), req.params.id, req.body));

  app.post('/api/rules/dry-run', {
    schema: { tags: ['rules'], body: dryRunBody, response: { 200: dryRunResult } },
    config: { permission: 'rules:write' },
  }, async (req) => w.rules.dryRun(actorOf(req), req.body));
}
