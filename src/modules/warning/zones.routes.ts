import { z } from 'zod';
import { actorOf, type App } from '../../platform/http.ts';
import { areaCodeSchema } from '../accounts/accounts.schema.ts';
import type { WarningModule } from './warning.module.ts';
import {
  createZoneBody,
  holidaysBody,
  holidayView,
  importZonesBody,
  importZonesResult,
  updateZoneBody,
  zoneListQuery,
  zoneView,
} from './zones.schema.ts';

const idParam = z.object({ id: z.string().min(1).max(64) });
const ok = z.object({ ok: z.literal(true) });

export function zonesRoutes(app: App, w: WarningModule): void {
  app.get('/api/zones', {
    schema: { tags: ['zones'], querystring: zoneListQuery, response: { 200: z.object({ items: z.array(zoneView) }) } },
    config: { permission: 'alerts:read' },
  }, async (req) => ({ items: await w.zones.list(actorOf(req), req.query) }));

  app.get('/api/zones/lookup', {
    schema: {
      tags: ['zones'],
      querystring: z.object({ lon: z.coerce.number().min(-180).max(180), lat: z.coerce.number().min(-90).max(90) }),
      response: { 200: z.object({ items: z.array(z.object({ id: z.string(), code: z.string(), name: z.string(), kind: z.string(), riskLevel: z.number() })) }) },
    },
    config: { permission: 'alerts:read' },
  }, async (req) => ({
    items: w.zones.lookup(actorOf(req), req.query.lon, req.query.lat).map((z) => ({ id: z.id, code: z.code, name: z.name, kind: z.kind, riskLevel: z.riskLevel })),
  }));

  app.get('/api/zones/:id', {
    schema: { tags: ['zones'], params: idParam, response: { 200: zoneView } },
    config: { permission: 'alerts:read' },
  }, async (req) => w.zones.get(actorOf(req), req.params.id));

  app.post('/api/zones', {
    schema: { tags: ['zones'], body: createZoneBody, response: { 201: zoneView } },
    config: { permission: 'rules:write' },
  }, async (req, reply) => reply.status(201).send(await w.zones.create(actorOf(req), req.body)));

  app.patch('/api/zones/:id', {
    schema: { tags: ['zones'], params: idParam, body: updateZoneBody, response: { 200: zoneView } },
    config: { permission: 'rules:write' },
  }, async (req) => w.zones.update(actorOf(req), req.params.id, req.body));

  app.delete('/api/zones/:id', {
    schema: { tags: ['zones'], params: idParam, response: { 200: ok } },
    config: { permission: 'rules:write' },
  }, async (req) => {
    await w.zones.remove(actorOf(req), req.params.id);
    return { ok: true as const };
  });

  app.post('/api/zones/import', {
    schema: { tags: ['zones'], body: importZonesBody, response: { 200: importZonesResult } },
    config: { permission: 'rules:write' },
  }, async (req) => w.zones.import(actorOf(req), req.body.features));

  app.post('/api/zones/:id/reveal-contacts', {
    schema: {
      tags: ['zones'],
      params: idParam,
      response: { 200: z.object({ items: z.array(z.object({ id: z.string(), role: z.string(), name: z.string().nullable(), phone: z.string().nullable() })) }) },
    },
    config: { permission: 'pii:reveal' },
  }, async (req) => ({ items: await w.zones.revealContacts(actorOf(req), req.params.id) }));

  app.get('/api/school-holidays', {
    schema: { tags: ['zones'], response: { 200: z.object({ items: z.array(holidayView) }) } },
    config: { permission: 'alerts:read' },
  }, async (req) => ({ items: await w.zones.listHolidays(actorOf(req)) }));

  app.put('/api/school-holidays/:areaCode', {
    schema: { tags: ['zones'], params: z.object({ areaCode: areaCodeSchema }), body: holidaysBody, response: { 200: z.object({ items: z.array(holidayView) }) } },
    config: { permission: 'rules:write' },
  }, async (req) => ({ items: await w.zones.replaceHolidays(actorOf(req), req.params.areaCode, req.body.items) }));
}
