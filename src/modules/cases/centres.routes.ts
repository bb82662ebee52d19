import { z } from 'zod';
import { actorOf, type App } from '../../platform/http.ts';
import type { CentresService } from './centres.service.ts';
import {
  centreView,
  createCentreBody,
  createDepartmentBody,
  createMediatorBody,
  departmentView,
  idParam,
  listMediatorsQuery,
  mediatorView,
  updateCentreBody,
  updateMediatorBody,
} from './cases.schema.ts';

const tags = ['mediation'];

export function centresRoutes(app: App, centres: CentresService): void {
  app.get('/api/mediation-centres', {
    schema: { tags, response: { 200: z.object({ items: z.array(centreView) }) } },
    config: { permission: 'cases:read' },
  }, async (req) => ({ items: await centres.listCentres(actorOf(req)) }));

  app.get('/api/mediation-centres/:id', {
    schema: { tags, params: idParam, response: { 200: centreView } },
    config: { permission: 'cases:read' },
  }, async (req) => centres.getCentre(actorOf(req), req.params.id));

  app.post('/api/mediation-centres', {
    schema: { tags, body: createCentreBody, response: { 201: centreView } },
    config: { permission: 'cases:manage' },
  }, async (req, reply) => reply.status(201).send(await centres.createCentre(actorOf(req), req.body)));

  app.patch('/api/mediation-centres/:id', {
    schema: { tags, params: idParam, body: updateCentreBody, response: { 200: centreView } },
    config: { permission: 'cases:manage' },
  }, async (req) => centres.updateCentre(actorOf(req), req.params.id, req.body));

  app.get('/api/mediators', {
    schema: { tags, querystring: listMediatorsQuery, response: { 200: z.object({ items: z.array(mediatorView) }) } },
    config: { permission: 'cases:read' },
  }, async (req) => ({ items: await centres.listMediators(actorOf(req), req.query) }));

  app.get('/api/mediators/:id', {
    schema: { tags, params: idParam, response: { 200: mediatorView } },
    config: { permission: 'cases:read' },
  }, async (req) => centres.getMediator(actorOf(req), req.params.id));

  app.post('/api/mediators', {
    schema: { tags, body: createMediatorBody, response: { 201: mediatorView } },
    config: { permission: 'cases:manage' },
  }, async (req, reply) => reply.status(201).send(await centres.createMediator(actorOf(req), req.body)));

  app.patch('/api/mediators/:id', {
    schema: { tags, params: idParam, body: updateMediatorBody, response: { 200: mediatorView } },
    config: { permission: 'cases:manage' },
  }, async (req) => centres.updateMediator(actorOf(req), req.params.id, req.body));

  app.get('/api/case-departments', {
    schema: { tags, response: { 200: z.object({ items: z.array(departmentView) }) } },
    config: { permission: 'cases:read' },
  }, async (req) => ({ items: await centres.listDepartments(actorOf(req)) }));

  app.post('/api/case-departments', {
    schema: { tags, body: createDepartmentBody, response: { 201: departmentView } },
    config: { permission: 'cases:manage' },
  }, async (req, reply) => reply.status(201).send(await centres.createDepartment(actorOf(req), req.body)));
}
