// HTTP routes of the device registry for signed-in users. Thin: schema, permission, one service call.
import { z } from 'zod';
import { actorOf, type App } from '../../platform/http.ts';
import type { DevicesModule } from './devices.module.ts';
import {
  catalogView,
  commandView,
  createCommandBody,
  createDeviceBody,
  deviceView,
  deviceWithSecret,
  eventView,
  importBody,
  importResult,
  listDevicesQuery,
  listEventsQuery,
  mapQuery,
  mapView,
  onlineRateQuery,
  onlineRateView,
  snapshotView,
  updateDeviceBody,
} from './devices.schema.ts';

const idParam = z.object({ id: z.string().min(1).max(64) });
const limitQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) });
const tags = ['devices'];

export function devicesRoutes(app: App, m: DevicesModule): void {
  const registry = m.registry;

  app.get('/api/devices/catalog', {
    schema: { tags, response: { 200: catalogView } },
    config: { permission: 'devices:read' },
  }, async () => registry.catalog());

  app.get('/api/devices', {
    schema: { tags, querystring: listDevicesQuery, response: { 200: z.object({ items: z.array(deviceView), total: z.number() }) } },
    config: { permission: 'devices:read' },
  }, async (req) => registry.list(actorOf(req), req.query));

  app.get('/api/devices/map', {
    schema: { tags, querystring: mapQuery, response: { 200: mapView } },
    config: { permission: 'devices:read' },
  }, async (req) => registry.map(actorOf(req), req.query.areaCode, req.query.subsystem, req.query.limit));

  app.get('/api/devices/online-rate', {
    schema: { tags, querystring: onlineRateQuery, response: { 200: onlineRateView } },
    config: { permission: 'devices:read' },
  }, async (req) => registry.onlineRate(actorOf(req), req.query.areaCode, req.query.by));

  app.get('/api/devices/import-template', {
    schema: { tags, querystring: z.object({ format: z.enum(['csv', 'xlsx']).default('xlsx') }) },
    config: { permission: 'devices:write' },
  }, async (req, reply) => {
    const { format } = req.query;
    const data = await m.importer.template(format);
    return reply
      .header('content-type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .header('content-disposition', `attachment; filename="devices-template.${format}"`)
      .send(data);
  });

  app.post('/api/devices/import', {
    schema: { tags, body: importBody, response: { 200: importResult } },
    config: { permission: 'devices:write' },
  }, async (req) => m.importer.import(actorOf(req), req.body.fileName, Buffer.from(req.body.content, 'base64'), req.body.dryRun));

  app.post('/api/devices', {
    schema: { tags, body: createDeviceBody, response: { 201: deviceWithSecret } },
    config: { permission: 'devices:write' },
  }, async (req, reply) => reply.status(201).send(await registry.create(actorOf(req), req.body)));

  app.get('/api/devices/:id', {
    schema: { tags, params: idParam, response: { 200: deviceView } },
    config: { permission: 'devices:read' },
  }, async (req) => registry.get(actorOf(req), req.params.id));

  app.patch('/api/devices/:id', {
    schema: { tags, params: idParam, body: updateDeviceBody, response: { 200: deviceView } },
    config: { permission: 'devices:write' },
  }, async (req) => registry.update(actorOf(req), req.params.id, req.body));

  app.post('/api/devices/:id/retire', {
    schema: { tags, params: idParam, response: { 200: deviceView } },
    config: { permission: 'devices:write' },
  }, async (req) => registry.retire(actorOf(req), req.params.id));

  app.post('/api/devices/:id/secret', {
    schema: { tags, params: idParam, response: { 200: deviceWithSecret } },
    config: { permission: 'devices:write' },
  }, async (req) => registry.rotateSecret(actorOf(req), req.params.id));

  app.get('/api/devices/:id/events', {
    schema: { tags, params: idParam, querystring: listEventsQuery, response: { 200: z.object({ items: z.array(eventView) }) } },
    config: { permission: 'devices:read' },
  }, async (req) => ({ items: await registry.events(actorOf(req), req.params.id, req.query.limit, req.query.before, req.query.kind) }));

  app.get('/api/devices/:id/snapshots', {
    schema: {
      tags,
      params: idParam,
      querystring: limitQuery,
      response: { 200: z.object({ items: z.array(snapshotView.extend({ eventId: z.string(), createdAt: z.string() })) }) },
    },
    config: { permission: 'devices:read' },
  }, async (req) => ({ items: await registry.snapshots(actorOf(req), req.params.id, req.query.limit) }));

  app.get('/api/devices/:id/commands', {
    schema: { tags, params: idParam, querystring: limitQuery, response: { 200: z.object({ items: z.array(commandView) }) } },
    config: { permission: 'devices:read' },
  }, async (req) => ({ items: await m.commands.list(actorOf(req), req.params.id, req.query.limit) }));

  app.post('/api/devices/:id/commands', {
    schema: { tags, params: idParam, body: createCommandBody, response: { 201: commandView } },
    config: { permission: 'devices:command' },
  }, async (req, reply) => reply.status(201).send(await m.commands.create(actorOf(req), req.params.id, req.body)));

  app.get('/api/snapshots/:id', {
    schema: { tags, params: idParam },
    config: { permission: 'devices:read' },
  }, async (req, reply) => {
    const s = await registry.snapshotContent(actorOf(req), req.params.id);
    return reply.header('content-type', s.contentType).header('cache-control', 'private, max-age=3600').send(s.data);
  });
}
