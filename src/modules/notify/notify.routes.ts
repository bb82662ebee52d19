import { z } from 'zod';
import { newId } from '../../platform/crypto.ts';
import { actorOf, type App } from '../../platform/http.ts';
import type { NotifyService } from './notify.service.ts';
import {
  channelView,
  createChannelBody,
  inboxItem,
  listNotificationsQuery,
  notificationDetail,
  notificationRef,
  notificationView,
  preferenceBody,
  preferenceKinds,
  preferenceView,
  sendBody,
  sinkView,
  updateChannelBody,
} from './notify.schema.ts';

const idParam = z.object({ id: z.string().min(1).max(64) });
const subjectParams = z.object({ kind: z.enum(preferenceKinds), id: z.string().min(1).max(64) });
const ok = z.object({ ok: z.literal(true) });

export function notifyRoutes(app: App, notify: NotifyService): void {
  app.get('/api/notify/notifications', {
    schema: {
      tags: ['notify'],
      querystring: listNotificationsQuery,
      response: { 200: z.object({ items: z.array(notificationView), total: z.number(), counts: z.record(z.string(), z.number()) }) },
    },
    config: { permission: 'notify:read' },
  }, async (req) => notify.list(actorOf(req), req.query));

  app.get('/api/notify/notifications/:id', {
    schema: { tags: ['notify'], params: idParam, response: { 200: notificationDetail } },
    config: { permission: 'notify:read' },
  }, async (req) => notify.get(actorOf(req), req.params.id));

  // A message from the console to a person (the rule engine calls the service directly).
  app.post('/api/notify/notifications', {
    schema: { tags: ['notify'], body: sendBody, response: { 201: z.object({ items: z.array(notificationRef) }) } },
    config: { permission: 'alerts:handle' },
  }, async (req, reply) => {
    const b = req.body;
    const items = await notify.enqueue(actorOf(req), { ...b, dedupeKey: b.dedupeKey ?? `manual:${newId()}` });
    return reply.status(201).send({ items });
  });

  app.post('/api/notify/notifications/:id/retry', {
    schema: { tags: ['notify'], params: idParam, response: { 200: notificationView } },
    config: { permission: 'notify:manage' },
  }, async (req) => notify.retry(actorOf(req), req.params.id));

  app.get('/api/notify/inbox', {
    schema: { tags: ['notify'], response: { 200: z.object({ items: z.array(inboxItem), unread: z.number() }) } },
  }, async (req) => notify.inbox(actorOf(req)));

  app.post('/api/notify/inbox/:id/read', {
    schema: { tags: ['notify'], params: idParam, response: { 200: ok } },
  }, async (req) => {
    await notify.markRead(actorOf(req), req.params.id);
    return { ok: true as const };
  });

  app.get('/api/notify/channels', {
    schema: { tags: ['notify'], response: { 200: z.object({ items: z.array(channelView) }) } },
    config: { permission: 'notify:manage' },
  }, async (req) => ({ items: await notify.listChannels(actorOf(req)) }));

  app.post('/api/notify/channels', {
    schema: { tags: ['notify'], body: createChannelBody, response: { 201: channelView } },
    config: { permission: 'notify:manage' },
  }, async (req, reply) => reply.status(201).send(await notify.createChannel(actorOf(req), req.body)));

  app.patch('/api/notify/channels/:id', {
    schema: { tags: ['notify'], params: idParam, body: updateChannelBody, response: { 200: channelView } },
    config: { permission: 'notify:manage' },
  }, async (req) => notify.updateChannel(actorOf(req), req.params.id, req.body));

  app.post('/api/notify/channels/:id/test', {
    schema: { tags: ['notify'], params: idParam, body: z.object({ address: z.string().min(3).max(300).optional() }), response: { 201: z.object({ items: z.array(notificationRef) }) } },
    config: { permission: 'notify:manage' },
  }, async (req, reply) => reply.status(201).send({ items: await notify.testChannel(actorOf(req), req.params.id, req.body.address) }));

  app.get('/api/notify/preferences/me', {
    schema: { tags: ['notify'], response: { 200: preferenceView } },
  }, async (req) => {
    const actor = actorOf(req);
    return notify.getPreference(actor, 'user', actor.userId ?? '');
  });

  app.put('/api/notify/preferences/me', {
    schema: { tags: ['notify'], body: preferenceBody, response: { 200: preferenceView } },
  }, async (req) => {
    const actor = actorOf(req);
    return notify.setPreference(actor, 'user', actor.userId ?? '', req.body.channels);
  });

  app.get('/api/notify/preferences/:kind/:id', {
    schema: { tags: ['notify'], params: subjectParams, response: { 200: preferenceView } },
  }, async (req) => notify.getPreference(actorOf(req), req.params.kind, req.params.id));

  app.put('/api/notify/preferences/:kind/:id', {
    schema: { tags: ['notify'], params: subjectParams, body: preferenceBody, response: { 200: preferenceView } },
  }, async (req) => notify.setPreference(actorOf(req), req.params.kind, req.params.id, req.body.channels));

  app.get('/api/notify/sink', {
    schema: { tags: ['notify'], querystring: z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) }), response: { 200: z.object({ items: z.array(sinkView) }) } },
    config: { permission: 'notify:read' },
  }, async (req) => ({ items: await notify.sink(actorOf(req), req.query.limit) }));
}
