// GA/T 1400 HTTP resources under /VIID. Devices authenticate themselves (Digest on Register/UnRegister, then the
// User-Identify header of a registered device), so the routes are public to the user sign-in. Answers are always
// the standard ResponseStatusObject / ResponseStatusListObject, also for malformed JSON (StatusCode 7).
import type { FastifyError, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { App } from '../../../platform/http.ts';
import type { GatAnswer, Gat1400Service } from './gat1400.service.ts';
import { collections, responseStatus, StatusCode, VIID_CONTENT_TYPE, type CollectionName } from './gat1400.schema.ts';

const anyBody = z.unknown();

export function gat1400Routes(app: App, gat: Gat1400Service, now: () => Date): void {
  if (!app.hasContentTypeParser('application/viid+json')) {
    // Empty bodies are allowed: curl --digest (like many cameras) sends its first, unauthenticated POST without one.
    app.addContentTypeParser(/^application\/viid\+json/i, { parseAs: 'string' }, (_req, body, done) => {
      const text = typeof body === 'string' ? body : body.toString('utf8');
      if (text.trim() === '') return done(null, null);
      try {
        done(null, JSON.parse(text) as unknown);
      } catch (e) {
        const err = e as FastifyError;
        err.statusCode = 400;
        done(err, undefined);
      }
    });
  }
  const send = (reply: FastifyReply, a: GatAnswer) => {
    if (a.challenge) reply.header('WWW-Authenticate', a.challenge);
    return reply.status(a.httpStatus).type(`${VIID_CONTENT_TYPE};charset=UTF-8`).send(a.body);
  };
  const errorHandler = (err: FastifyError, req: { url: string }, reply: FastifyReply) => {
    const badJson = err.statusCode === 400 || err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || err instanceof SyntaxError;
    const code = badJson ? StatusCode.INVALID_JSON_FORMAT : StatusCode.OTHER_ERROR;
    if (!badJson) app.log.error({ err }, 'GA/T 1400 request failed');
    return reply
      .status(err.statusCode && err.statusCode < 500 ? err.statusCode : 500)
      .type(`${VIID_CONTENT_TYPE};charset=UTF-8`)
      .send({ ResponseStatusObject: responseStatus(req.url, code, badJson ? 'invalid JSON' : 'internal error', '', now()) });
  };
  const opts = { schema: { tags: ['GA/T 1400'], body: anyBody }, config: { public: true, itemValidation: true }, errorHandler };
  const userIdentify = (h: unknown) => (typeof h === 'string' && h.trim() ? h.trim() : undefined);

  app.post('/VIID/System/Register', opts, async (req, reply) =>
    send(reply, await gat.register(req.url, req.headers.authorization, req.body, req.ip)),
  );
  app.post('/VIID/System/UnRegister', opts, async (req, reply) => send(reply, await gat.unregister(req.url, req.headers.authorization, req.body)));
  app.post('/VIID/System/Keepalive', opts, async (req, reply) =>
    send(reply, await gat.keepalive(req.url, userIdentify(req.headers['user-identify']), req.body)),
  );
  app.get('/VIID/System/Time', { schema: { tags: ['GA/T 1400'] }, config: { public: true } }, async (_req, reply) =>
    reply.type(`${VIID_CONTENT_TYPE};charset=UTF-8`).send(gat.time()),
  );
  for (const name of Object.keys(collections) as CollectionName[]) {
    app.post(`/VIID/${name}`, opts, async (req, reply) =>
      send(reply, await gat.push(req.url, name, userIdentify(req.headers['user-identify']), req.body)),
    );
  }
}
