// HTTP routes of the grassroots module: thin, validated by the schemas, everything scoped in the services.
import { z } from 'zod';
import { actorOf, type App } from '../../platform/http.ts';
import type { PeopleModule } from './people.module.ts';
import {
  buildingView,
  coverageView,
  createBuildingBody,
  createHouseholdBody,
  createKeyPersonBody,
  createRepBody,
  createResidentBody,
  createVisitBody,
  householdView,
  idParam,
  keyPersonDetail,
  keyPersonView,
  linkHouseholdsBody,
  listHouseholdsQuery,
  listKeyPersonsQuery,
  listRepsQuery,
  listResidentsQuery,
  listVisitsQuery,
  moveResidentBody,
  myHouseholdsView,
  ratesQuery,
  ratesView,
  recordBody,
  repView,
  residentDetail,
  residentView,
  taskBody,
  updateKeyPersonBody,
  updateResidentBody,
  visitView,
} from './people.schema.ts';

const tags = ['people'];
const read = { permission: 'people:read' as const };
const write = { permission: 'people:write' as const };
const reveal = { permission: 'pii:reveal' as const };
const areaQuery = z.object({ areaCode: z.string().regex(/^\d{6}$|^\d{9}$|^\d{12}$|^\d{15}$/, 'an area code of 6, 9, 12 or 15 digits').optional() });

export function peopleRoutes(app: App, people: PeopleModule): void {
  const { register, keyPersons, reps } = people;

  // ---- register ------------------------------------------------------------------------------------------------
  app.get('/api/people/buildings', { schema: { tags, querystring: areaQuery, response: { 200: z.object({ items: z.array(buildingView) }) } }, config: read }, async (req) => ({
    items: await register.listBuildings(actorOf(req), req.query.areaCode),
  }));
  app.post('/api/people/buildings', { schema: { tags, body: createBuildingBody, response: { 201: buildingView } }, config: write }, async (req, reply) =>
    reply.status(201).send(await register.createBuilding(actorOf(req), req.body)),
  );
  app.get('/api/people/households', { schema: { tags, querystring: listHouseholdsQuery, response: { 200: z.object({ items: z.array(householdView), total: z.number() }) } }, config: read }, async (req) =>
    register.listHouseholds(actorOf(req), req.query),
  );
  app.post('/api/people/households', { schema: { tags, body: createHouseholdBody, response: { 201: householdView } }, config: write }, async (req, reply) =>
    reply.status(201).send(await register.createHousehold(actorOf(req), req.body)),
  );
  app.get('/api/people/households/:id', { schema: { tags, params: idParam, response: { 200: householdView.extend({ residents: z.array(residentView) }) } }, config: read }, async (req) =>
    register.getHousehold(actorOf(req), req.params.id),
  );
  app.get('/api/people/residents', { schema: { tags, querystring: listResidentsQuery, response: { 200: z.object({ items: z.array(residentView), total: z.number() }) } }, config: read }, async (req) =>
    register.listResidents(actorOf(req), req.query),
  );
  app.post('/api/people/residents', { schema: { tags, body: createResidentBody, response: { 201: residentDetail } }, config: write }, async (req, reply) =>
    reply.status(201).send(await register.createResident(actorOf(req), req.body)),
  );
  app.get('/api/people/residents/:id', { schema: { tags, params: idParam, response: { 200: residentDetail } }, config: read }, async (req) => register.getResident(actorOf(req), req.params.id));
  app.patch('/api/people/residents/:id', { schema: { tags, params: idParam, body: updateResidentBody, response: { 200: residentDetail } }, config: write }, async (req) =>
    register.updateResident(actorOf(req), req.params.id, req.body),
  );
  app.post('/api/people/residents/:id/move', { schema: { tags, params: idParam, body: moveResidentBody, response: { 200: residentDetail } }, config: write }, async (req) =>
    register.moveResident(actorOf(req), req.params.id, req.body),
  );
  // Unmasked: needs pii:reveal, audited.
  app.post('/api/people/residents/:id/reveal', { schema: { tags, params: idParam, response: { 200: residentDetail } }, config: reveal }, async (req) =>
    register.getResident(actorOf(req), req.params.id, true),
  );

  // ---- key persons ---------------------------------------------------------------------------------------------
  app.get('/api/people/key-persons', { schema: { tags, querystring: listKeyPersonsQuery, response: { 200: z.object({ items: z.array(keyPersonView), total: z.number() }) } }, config: read }, async (req) =>
    keyPersons.list(actorOf(req), req.query),
  );
  app.post('/api/people/key-persons', { schema: { tags, body: createKeyPersonBody, response: { 201: keyPersonDetail } }, config: write }, async (req, reply) =>
    reply.status(201).send(await keyPersons.create(actorOf(req), req.body)),
  );
  app.get('/api/people/key-persons/rates', { schema: { tags, querystring: ratesQuery, response: { 200: ratesView } }, config: read }, async (req) => keyPersons.rates(actorOf(req), req.query.areaCode));
  app.get('/api/people/key-persons/:id', { schema: { tags, params: idParam, response: { 200: keyPersonDetail } }, config: read }, async (req) => keyPersons.get(actorOf(req), req.params.id));
  app.patch('/api/people/key-persons/:id', { schema: { tags, params: idParam, body: updateKeyPersonBody, response: { 200: keyPersonDetail } }, config: write }, async (req) =>
    keyPersons.update(actorOf(req), req.params.id, req.body),
  );
  app.post('/api/people/key-persons/:id/reveal', { schema: { tags, params: idParam, response: { 200: keyPersonDetail } }, config: reveal }, async (req) =>
    keyPersons.get(actorOf(req), req.params.id, true),
  );
  app.post('/api/people/key-persons/:id/records', { schema: { tags, params: idParam, body: recordBody, response: { 201: keyPersonDetail } }, config: write }, async (req, reply) =>
    reply.status(201).send(await keyPersons.record(actorOf(req), req.params.id, req.body)),
  );
  app.post('/api/people/key-persons/:id/tasks', { schema: { tags, params: idParam, body: taskBody, response: { 201: keyPersonDetail } }, config: write }, async (req, reply) =>
    reply.status(201).send(await keyPersons.addTask(actorOf(req), req.params.id, req.body)),
  );
  app.post('/api/people/tasks/:id/done', { schema: { tags, params: idParam, response: { 200: keyPersonDetail } }, config: write }, async (req) => keyPersons.completeTask(actorOf(req), req.params.id));

  // ---- village representatives and visits ----------------------------------------------------------------------
  app.get('/api/people/reps', { schema: { tags, querystring: listRepsQuery, response: { 200: z.object({ items: z.array(repView), total: z.number() }) } }, config: read }, async (req) =>
    reps.list(actorOf(req), req.query.areaCode, req.query.page, req.query.pageSize),
  );
  app.post('/api/people/reps', { schema: { tags, body: createRepBody, response: { 201: repView } }, config: write }, async (req, reply) => reply.status(201).send(await reps.create(actorOf(req), req.body)));
  app.post('/api/people/reps/:id/reveal', { schema: { tags, params: idParam, response: { 200: repView } }, config: reveal }, async (req) => reps.reveal(actorOf(req), req.params.id));
  app.put('/api/people/reps/:id/households', { schema: { tags, params: idParam, body: linkHouseholdsBody, response: { 200: repView } }, config: write }, async (req) =>
    reps.link(actorOf(req), req.params.id, req.body),
  );
  app.get('/api/people/coverage', { schema: { tags, querystring: areaQuery, response: { 200: coverageView } }, config: read }, async (req) => reps.coverage(actorOf(req), req.query.areaCode));
  app.get('/api/people/visits', { schema: { tags, querystring: listVisitsQuery, response: { 200: z.object({ items: z.array(visitView), total: z.number() }) } }, config: read }, async (req) =>
    reps.listVisits(actorOf(req), req.query),
  );
  // Idempotent by clientKey: 201 the first time, 200 with the same visit when the draft is sent again.
  app.post('/api/people/visits', { schema: { tags, body: createVisitBody, response: { 200: z.object({ created: z.boolean(), visit: visitView }), 201: z.object({ created: z.boolean(), visit: visitView }) } }, config: write }, async (req, reply) => {
    const r = await reps.createVisit(actorOf(req), req.body);
    return reply.status(r.created ? 201 : 200).send(r);
  });
  app.get('/api/people/mine', { schema: { tags, response: { 200: myHouseholdsView } }, config: read }, async (req) => reps.mine(actorOf(req)));
}
