import { z } from 'zod';
import { actorOf, SESSION_COOKIE, type App } from '../../platform/http.ts';
import type { AccountsService } from './accounts.service.ts';
import {
  createTokenBody,
  createUserBody,
  listUsersQuery,
  loginBody,
  loginResult,
  meView,
  tokenView,
  updateUserBody,
  userView,
} from './accounts.schema.ts';

const idParam = z.object({ id: z.string().min(1).max(64) });

export function accountsRoutes(app: App, accounts: AccountsService, opts: { loginRatePerMinute: number; secureCookie: boolean }): void {
  app.post('/api/auth/login', {
    schema: { tags: ['auth'], body: loginBody, response: { 200: loginResult } },
    config: { public: true, rateLimit: { max: opts.loginRatePerMinute, timeWindow: '1 minute' } },
  }, async (req, reply) => {
    const result = await accounts.login(req.body.username, req.body.password, req.ip);
    reply.setCookie(SESSION_COOKIE, result.token, {
      path: '/', httpOnly: true, sameSite: 'strict', secure: opts.secureCookie, expires: new Date(result.expiresAt),
    });
    return result;
  });

  app.post('/api/auth/logout', { schema: { tags: ['auth'], response: { 200: z.object({ ok: z.literal(true) }) } } }, async (req, reply) => {
    await accounts.logout(actorOf(req), req.sessionId ?? '');
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return { ok: true as const };
  });

  app.get('/api/auth/me', { schema: { tags: ['auth'], response: { 200: meView } } }, async (req) => accounts.me(actorOf(req).userId ?? ''));

  app.get('/api/users', {
    schema: { tags: ['users'], querystring: listUsersQuery, response: { 200: z.object({ items: z.array(userView), total: z.number() }) } },
    config: { permission: 'users:read' },
  }, async (req) => accounts.listUsers(actorOf(req), req.query.q, req.query.page, req.query.pageSize));

  app.get('/api/users/:id', {
    schema: { tags: ['users'], params: idParam, response: { 200: userView } },
    config: { permission: 'users:read' },
  }, async (req) => accounts.getUser(actorOf(req), req.params.id));

  app.post('/api/users', {
    schema: { tags: ['users'], body: createUserBody, response: { 201: userView } },
    config: { permission: 'users:write' },
  }, async (req, reply) => reply.status(201).send(await accounts.createUser(actorOf(req), req.body)));

  app.patch('/api/users/:id', {
    schema: { tags: ['users'], params: idParam, body: updateUserBody, response: { 200: userView } },
    config: { permission: 'users:write' },
  }, async (req) => accounts.updateUser(actorOf(req), req.params.id, req.body));

  app.post('/api/users/:id/revoke-sessions', {
    schema: { tags: ['users'], params: idParam, response: { 200: z.object({ revoked: z.number() }) } },
    config: { permission: 'users:write' },
  }, async (req) => ({ revoked: await accounts.revokeSessions(actorOf(req), req.params.id) }));

  app.post('/api/users/:id/reveal-phone', {
    schema: { tags: ['users'], params: idParam, response: { 200: z.object({ phone: z.string().nullable() }) } },
    config: { permission: 'pii:reveal' },
  }, async (req) => ({ phone: await accounts.revealPhone(actorOf(req), req.params.id) }));

  app.get('/api/tokens', {
    schema: { tags: ['tokens'], response: { 200: z.object({ items: z.array(tokenView) }) } },
    config: { permission: 'tokens:manage' },
  }, async (req) => ({ items: await accounts.listTokens(actorOf(req)) }));

  app.post('/api/tokens', {
    schema: { tags: ['tokens'], body: createTokenBody, response: { 201: z.object({ id: z.string(), name: z.string(), token: z.string(), expiresAt: z.string() }) } },
    config: { permission: 'tokens:manage' },
  }, async (req, reply) => reply.status(201).send(await accounts.createToken(actorOf(req), req.body.name, req.body.days)));

  app.delete('/api/tokens/:id', {
    schema: { tags: ['tokens'], params: idParam, response: { 200: z.object({ ok: z.literal(true) }) } },
    config: { permission: 'tokens:manage' },
  }, async (req) => {
    await accounts.revokeToken(actorOf(req), req.params.id);
    return { ok: true as const };
  });
}
