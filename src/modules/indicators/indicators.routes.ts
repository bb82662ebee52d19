// Thin HTTP layer over IndicatorsService.
import { z } from 'zod';
import { actorOf, type App } from '../../platform/http.ts';
import type { IndicatorsService } from './indicators.service.ts';
import {
  approveBody,
  createDefBody,
  createSchemeBody,
  enterValueBody,
  idParam,
  listTargetsQuery,
  listValuesQuery,
  putTargetBody,
  reasonBody,
  reportQuery,
  runRankingBody,
  updateDefBody,
} from './indicators.schema.ts';

const tags = ['indicators'];
const read = { permission: 'indicators:read' as const };

export function indicatorsRoutes(app: App, s: IndicatorsService): void {
  app.get('/api/indicators', { schema: { tags, querystring: z.object({ active: z.enum(['true', 'false']).optional() }).strict() }, config: read },
    async (req) => ({ items: await s.listDefs(actorOf(req), { activeOnly: req.query.active === 'true' }) }));
  app.get('/api/indicators/:id', { schema: { tags, params: idParam }, config: read }, async (req) => s.getDef(actorOf(req), req.params.id));
  app.post('/api/indicators', { schema: { tags, body: createDefBody }, config: { permission: 'indicators:write' } },
    async (req, reply) => reply.status(201).send(await s.createDef(actorOf(req), req.body)));
  app.patch('/api/indicators/:id', { schema: { tags, params: idParam, body: updateDefBody }, config: { permission: 'indicators:write' } },
    async (req) => s.updateDef(actorOf(req), req.params.id, req.body));
  app.delete('/api/indicators/:id', { schema: { tags, params: idParam, description: 'Archives the definition (its figures stay).' }, config: { permission: 'indicators:write' } },
    async (req) => s.archiveDef(actorOf(req), req.params.id));

  app.get('/api/indicator-report', { schema: { tags, querystring: reportQuery }, config: read }, async (req) => s.report(actorOf(req), req.query));
  app.get('/api/indicator-report/export', { schema: { tags, querystring: reportQuery, description: 'The report as an Excel workbook.' }, config: read }, async (req, reply) => {
    const buf = await s.exportReport(actorOf(req), req.query);
    return reply
      .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .header('content-disposition', `attachment; filename="indicators-${req.query.period}.xlsx"`)
      .send(buf);
  });

  app.get('/api/indicator-values', { schema: { tags, querystring: listValuesQuery }, config: read }, async (req) => ({ items: await s.listValues(actorOf(req), req.query) }));
  app.post('/api/indicator-values', { schema: { tags, body: enterValueBody }, config: { permission: 'indicators:enter' } }, async (req) => s.enterValue(actorOf(req), req.body));
  app.get('/api/indicator-values/:id/history', { schema: { tags, params: idParam }, config: read }, async (req) => s.history(actorOf(req), req.params.id));
  app.post('/api/indicator-values/:id/approve', { schema: { tags, params: idParam, body: approveBody }, config: { permission: 'indicators:approve' } },
    async (req) => s.approve(actorOf(req), req.params.id, req.body.note));
  app.post('/api/indicator-values/:id/return', { schema: { tags, params: idParam, body: reasonBody }, config: { permission: 'indicators:approve' } },
    async (req) => s.returnValue(actorOf(req), req.params.id, req.body.reason));

  app.get('/api/indicator-targets', { schema: { tags, querystring: listTargetsQuery }, config: read }, async (req) => ({ items: await s.listTargets(actorOf(req), req.query) }));
  app.put('/api/indicator-targets', { schema: { tags, body: putTargetBody }, config: { permission: 'indicators:write' } }, async (req) => s.putTarget(actorOf(req), req.body));
  app.delete('/api/indicator-targets/:id', { schema: { tags, params: idParam }, config: { permission: 'indicators:write' } }, async (req, reply) => {
    await s.deleteTarget(actorOf(req), req.params.id);
    return reply.status(204).send();
  });

  app.get('/api/indicator-schemes', { schema: { tags }, config: read }, async (req) => ({ items: await s.listSchemes(actorOf(req)) }));
  app.post('/api/indicator-schemes', { schema: { tags, body: createSchemeBody }, config: { permission: 'indicators:write' } },
    async (req, reply) => reply.status(201).send(await s.createScheme(actorOf(req), req.body)));
  app.get('/api/indicator-schemes/:id/ranking', { schema: { tags, params: idParam, querystring: runRankingBody, description: 'Computes the ranking for a period without storing it.' }, config: read },
    async (req) => s.previewRanking(actorOf(req), req.params.id, req.query.period));
  app.get('/api/indicator-schemes/:id/runs', { schema: { tags, params: idParam }, config: read }, async (req) => ({ items: await s.listRuns(actorOf(req), req.params.id) }));
  app.post('/api/indicator-schemes/:id/runs', { schema: { tags, params: idParam, body: runRankingBody }, config: read },
    async (req, reply) => reply.status(201).send(await s.runRanking(actorOf(req), req.params.id, req.body.period)));
  app.get('/api/indicator-rankings/:id', { schema: { tags, params: idParam }, config: read }, async (req) => s.getRun(actorOf(req), req.params.id));
}
