import { z } from 'zod';
import { actorOf, type App } from '../../platform/http.ts';
import type { AreasService } from './areas.service.ts';
import { areaCodeParam, areaSearchView, boundariesQuery, areaView, createGridBody, featureCollection, searchAreasQuery } from './areas.schema.ts';

export function areasRoutes(app: App, areas: AreasService): void {
  app.get('/api/areas', {
    schema: { tags: ['areas'], querystring: searchAreasQuery, response: { 200: z.object({ items: z.array(areaSearchView) }) } },
    config: { permission: 'areas:read' },
  }, async (req) => ({ items: await areas.search(actorOf(req), req.query.q, req.query.limit) }));

  app.get('/api/areas/:code', {
    schema: { tags: ['areas'], params: areaCodeParam, response: { 200: areaView } },
    config: { permission: 'areas:read' },
  }, async (req) => areas.get(actorOf(req), req.params.code));

  app.get('/api/areas/:code/children', {
    schema: { tags: ['areas'], params: areaCodeParam, response: { 200: z.object({ items: z.array(areaView) }) } },
    config: { permission: 'areas:read' },
  }, async (req) => ({ items: await areas.children(actorOf(req), req.params.code) }));

  app.get('/api/areas/:code/boundaries', {
    schema: { tags: ['areas'], params: areaCodeParam, querystring: boundariesQuery, response: { 200: featureCollection } },
    config: { permission: 'areas:read' },
  }, async (req) => areas.boundaries(actorOf(req), req.params.code, req.query.level));

  app.post('/api/areas', {
    schema: { tags: ['areas'], body: createGridBody, response: { 201: areaView } },
    config: { permission: 'areas:write' },
  }, async (req, reply) => reply.status(201).send(await areas.createGrid(actorOf(req), req.body.parentCode, req.body.name)));
}
