import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import { inScope } from '../../platform/access.ts';
import type { Platform } from '../../platform/context.ts';
import { actorOf, type App } from '../../platform/http.ts';
import { alertsRepo } from './alerts.repo.ts';
import {
  acknowledgeBody,
  alertDetail,
  alertListQuery,
  alertView,
  attachBody,
  closeBody,
  commentBody,
  dispatchBody,
  dispatchView,
  reportBody,
  responderBody,
  responderPatch,
  responderView,
  speakBody,
  statsView,
} from './alerts.schema.ts';
import { presentAlert } from './alerts.service.ts';
import type { WarningModule } from './warning.module.ts';

const idParam = z.object({ id: z.string().min(1).max(64) });
const PING_MS = 15_000;

export function alertsRoutes(app: App, w: WarningModule, p: Platform): void {
  app.get('/api/alerts', {
    schema: { tags: ['alerts'], querystring: alertListQuery, response: { 200: z.object({ items: z.array(alertView), total: z.number() }) } },
    config: { permission: 'alerts:read' },
  }, async (req) => w.alerts.list(actorOf(req), req.query));

  app.get('/api/alerts/stats', {
    schema: { tags: ['alerts'], response: { 200: statsView } },
    config: { permission: 'alerts:read' },
  }, async (req) => w.alerts.stats(actorOf(req)));

  streamRoute(app, p);

  app.get('/api/alerts/:id', {
    schema: { tags: ['alerts'], params: idParam, response: { 200: alertDetail } },
    config: { permission: 'alerts:read' },
  }, async (req) => w.alerts.get(actorOf(req), req.params.id));

  app.post('/api/alerts/:id/acknowledge', {
    schema: { tags: ['alerts'], params: idParam, body: acknowledgeBody, response: { 200: alertDetail } },
    config: { permission: 'alerts:handle' },
  }, async (req) => w.alerts.acknowledge(actorOf(req), req.params.id, req.body.note));

  app.post('/api/alerts/:id/speak', {
    schema: { tags: ['alerts'], params: idParam, body: speakBody, response: { 200: alertDetail } },
    config: { permission: 'alerts:handle' },
  }, async (req) => w.alerts.speak(actorOf(req), req.params.id, req.body));

  app.post('/api/alerts/:id/dispatch', {
    schema: { tags: ['alerts'], params: idParam, body: dispatchBody, response: { 200: alertDetail } },
    config: { permission: 'alerts:handle' },
  }, async (req) => w.alerts.dispatch(actorOf(req), req.params.id, req.body));

  app.post('/api/alerts/:id/on-scene', {
    schema: { tags: ['alerts'], params: idParam, response: { 200: alertDetail } },
    config: { permission: 'alerts:handle' },
  }, async (req) => w.alerts.onScene(actorOf(req), req.params.id));

  app.post('/api/alerts/:id/close', {
    schema: { tags: ['alerts'], params: idParam, body: closeBody, response: { 200: alertDetail } },
    config: { permission: 'alerts:handle' },
  }, async (req) => w.alerts.close(actorOf(req), req.params.id, req.body.outcome, req.body.note));

  app.post('/api/alerts/:id/comments', {
    schema: { tags: ['alerts'], params: idParam, body: commentBody, response: { 200: alertDetail } },
    config: { permission: 'alerts:handle' },
  }, async (req) => w.alerts.comment(actorOf(req), req.params.id, req.body.text));

  app.post('/api/alerts/:id/attachments', {
    schema: { tags: ['alerts'], params: idParam, body: attachBody, response: { 200: alertDetail } },
    config: { permission: 'alerts:handle' },
  }, async (req) => w.alerts.attach(actorOf(req), req.params.id, req.body));

  app.get('/api/alerts/:id/attachments/:attachmentId', {
    schema: { tags: ['alerts'], params: z.object({ id: z.string().min(1).max(64), attachmentId: z.string().min(1).max(64) }) },
    config: { permission: 'alerts:read' },
  }, async (req, reply) => {
    const a = await w.alerts.attachment(actorOf(req), req.params.id, req.params.attachmentId);
    return reply
      .header('content-type', a.contentType)
      .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(a.name)}`)
      .header('x-content-type-options', 'nosniff')
      .send(a.data);
  });

  // ---- responders and dispatches -----------------------------------------------------------------------------------

  app.get('/api/responders', {
    schema: { tags: ['responders'], response: { 200: z.object({ items: z.array(responderView) }) } },
    config: { permission: 'alerts:read' },
  }, async (req) => ({ items: await w.responders.list(actorOf(req)) }));

  app.post('/api/responders', {
    schema: { tags: ['responders'], body: responderBody, response: { 201: responderView } },
    config: { permission: 'rules:write' },
  }, async (req, reply) => reply.status(201).send(await w.responders.create(actorOf(req), req.body)));

  app.patch('/api/responders/:id', {
    schema: { tags: ['responders'], params: idParam, body: responderPatch, response: { 200: responderView } },
    config: { permission: 'alerts:handle' },
  }, async (req) => w.responders.update(actorOf(req), req.params.id, req.body));

  app.get('/api/dispatches/mine', {
    schema: { tags: ['responders'], response: { 200: z.object({ items: z.array(dispatchView) }) } },
    config: { permission: 'alerts:read' },
  }, async (req) => ({ items: await w.responders.mine(actorOf(req)) }));

  app.post('/api/dispatches/:id/answer', {
    schema: { tags: ['responders'], params: idParam, response: { 200: dispatchView } },
    config: { permission: 'alerts:handle' },
  }, async (req) => w.responders.answer(actorOf(req), req.params.id));

  app.post('/api/dispatches/:id/arrive', {
    schema: { tags: ['responders'], params: idParam, response: { 200: dispatchView } },
    config: { permission: 'alerts:handle' },
  }, async (req) => w.responders.arrive(actorOf(req), req.params.id));

  app.post('/api/dispatches/:id/report', {
    schema: { tags: ['responders'], params: idParam, body: reportBody, response: { 200: dispatchView } },
    config: { permission: 'alerts:handle' },
  }, async (req) => w.responders.report(actorOf(req), req.params.id, req.body));
}

/**
 * Live push of alerts over Server-Sent Events: each raised or changed alert in the caller's scope is sent as an
 * `alert` event with the alert's view. A comment line every 15 s keeps proxies from closing the stream.
 */
function streamRoute(app: App, p: Platform): void {
  const open = new Set<ServerResponse>();
  // preClose, not onClose: Fastify waits for open connections before onClose, so an open stream would hold the
  // shutdown until its timeout.
  app.addHook('preClose', async () => {
    for (const res of open) res.end();
    open.clear();
  });
  app.get('/api/alerts/stream', {
    schema: { tags: ['alerts'], description: 'text/event-stream of `alert` events (the alert view as JSON)' },
    config: { permission: 'alerts:read' },
  }, async (req, reply) => {
    const actor = actorOf(req);
    const res = reply.raw;
    reply.hijack();
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write(': connected\n\n');
    open.add(res);
    const off = p.bus.on('alert.changed', async (e) => {
      if (!inScope(actor, e.areaCode) || res.writableEnded) return;
      const row = await alertsRepo.get(p.db.kysely, e.id);
      if (!row || !inScope(actor, row.area_code) || res.writableEnded) return;
      res.write(`event: alert\ndata: ${JSON.stringify({ change: e.change, alert: presentAlert(row) })}\n\n`);
    });
    const ping = setInterval(() => {
      if (!res.writableEnded) res.write(': ping\n\n');
    }, PING_MS);
    ping.unref();
    req.raw.on('close', () => {
      off();
      clearInterval(ping);
      open.delete(res);
    });
  });
}
