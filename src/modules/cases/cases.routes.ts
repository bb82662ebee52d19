import { z } from 'zod';
import { actorOf, type App } from '../../platform/http.ts';
import type { CasesService } from './cases.service.ts';
import {
  assignBody,
  attachmentBody,
  attachmentParam,
  caseDetailView,
  caseSummaryView,
  concludeBody,
  escalateBody,
  extendBody,
  figuresQuery,
  figuresView,
  followUpBody,
  idParam,
  intakeBody,
  intakeResult,
  joinDepartmentBody,
  listCasesQuery,
  partyView,
  rateBody,
  returnBody,
  sessionBody,
  stageBody,
  updateCaseBody,
} from './cases.schema.ts';

const tags = ['cases'];
const detail = { 200: caseDetailView };

export function casesRoutes(app: App, cases: CasesService): void {
  app.get('/api/cases', {
    schema: { tags, querystring: listCasesQuery, response: { 200: z.object({ items: z.array(caseSummaryView), total: z.number() }) } },
    config: { permission: 'cases:read' },
  }, async (req) => cases.list(actorOf(req), req.query));

  app.get('/api/cases/figures', {
    schema: { tags, querystring: figuresQuery, response: { 200: figuresView } },
    config: { permission: 'cases:read' },
  }, async (req) => cases.figures(actorOf(req), req.query));

  // 201 for a new case; 200 when the report was linked to an open case of the same dispute.
  app.post('/api/cases', {
    schema: { tags, body: intakeBody, response: { 200: intakeResult, 201: intakeResult } },
    config: { permission: 'cases:intake' },
  }, async (req, reply) => {
    const r = await cases.intake(actorOf(req), req.body);
    return reply.status(r.created ? 201 : 200).send(r);
  });

  app.get('/api/cases/:id', {
    schema: { tags, params: idParam, response: detail },
    config: { permission: 'cases:read' },
  }, async (req) => cases.get(actorOf(req), req.params.id));

  app.patch('/api/cases/:id', {
    schema: { tags, params: idParam, body: updateCaseBody, response: detail },
    config: { permission: 'cases:handle' },
  }, async (req) => cases.update(actorOf(req), req.params.id, req.body));

  app.post('/api/cases/:id/reveal-parties', {
    schema: { tags, params: idParam, response: { 200: z.object({ parties: z.array(partyView) }) } },
    config: { permission: 'pii:reveal' },
  }, async (req) => ({ parties: await cases.revealParties(actorOf(req), req.params.id) }));

  app.post('/api/cases/:id/assign', {
    schema: { tags, params: idParam, body: assignBody, response: detail },
    config: { permission: 'cases:assign' },
  }, async (req) => cases.assign(actorOf(req), req.params.id, req.body.mediatorId));

  app.post('/api/cases/:id/sign', {
    schema: { tags, params: idParam, response: detail },
    config: { permission: 'cases:handle' },
  }, async (req) => cases.sign(actorOf(req), req.params.id));

  app.post('/api/cases/:id/return', {
    schema: { tags, params: idParam, body: returnBody, response: detail },
    config: { permission: 'cases:handle' },
  }, async (req) => cases.returnCase(actorOf(req), req.params.id, req.body.reason));

  app.post('/api/cases/:id/sessions', {
    schema: { tags, params: idParam, body: sessionBody, response: detail },
    config: { permission: 'cases:handle' },
  }, async (req) => cases.recordSession(actorOf(req), req.params.id, req.body));

  app.post('/api/cases/:id/extend', {
    schema: { tags, params: idParam, body: extendBody, response: detail },
    config: { permission: 'cases:handle' },
  }, async (req) => cases.extend(actorOf(req), req.params.id, req.body));

  app.post('/api/cases/:id/conclude', {
    schema: { tags, params: idParam, body: concludeBody, response: detail },
    config: { permission: 'cases:handle' },
  }, async (req) => cases.conclude(actorOf(req), req.params.id, req.body));

  app.post('/api/cases/:id/follow-up', {
    schema: { tags, params: idParam, body: followUpBody, response: detail },
    config: { permission: 'cases:handle' },
  }, async (req) => cases.followUp(actorOf(req), req.params.id, req.body));

  app.post('/api/cases/:id/rate', {
    schema: { tags, params: idParam, body: rateBody, response: detail },
    config: { permission: 'cases:handle' },
  }, async (req) => cases.rate(actorOf(req), req.params.id, req.body));

  app.post('/api/cases/:id/escalate', {
    schema: { tags, params: idParam, body: escalateBody, response: detail },
    config: { permission: 'cases:assign' },
  }, async (req) => cases.escalate(actorOf(req), req.params.id, req.body.reason));

  app.post('/api/cases/:id/stage', {
    schema: { tags, params: idParam, body: stageBody, response: detail },
    config: { permission: 'cases:handle' },
  }, async (req) => cases.setStage(actorOf(req), req.params.id, req.body));

  app.post('/api/cases/:id/departments', {
    schema: { tags, params: idParam, body: joinDepartmentBody, response: detail },
    config: { permission: 'cases:handle' },
  }, async (req) => cases.joinDepartment(actorOf(req), req.params.id, req.body));

  app.post('/api/cases/:id/attachments', {
    schema: { tags, params: idParam, body: attachmentBody, response: { 201: caseDetailView } },
    config: { permission: 'cases:intake' },
  }, async (req, reply) => reply.status(201).send(await cases.addAttachment(actorOf(req), req.params.id, req.body)));

  app.get('/api/cases/:id/attachments/:attachmentId', {
    schema: { tags, params: attachmentParam },
    config: { permission: 'cases:read' },
  }, async (req, reply) => {
    const a = await cases.attachment(actorOf(req), req.params.id, req.params.attachmentId);
    return reply
      .header('content-type', a.contentType)
      .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(a.name)}`)
      // Uploaded files never run as pages of this origin.
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "sandbox; default-src 'none'")
      .send(a.data);
  });
}
