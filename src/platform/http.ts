// The HTTP server every module's routes hang on: zod validation and serialisation, the OpenAPI document from the
// same schemas, authentication, permissions, rate limits, and the one place where errors become responses.
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyRequest } from 'fastify';
import cookie from '@fastify/cookie';
import rateLimit, { type FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import {
  hasZodFastifySchemaValidationErrors,
  isResponseSerializationError,
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { Actor } from './access.ts';
import type { Permission } from './auth/policy.ts';
import { errors, isDomainError } from './errors.ts';
import { jsonIssue } from './text.ts';

export const SESSION_COOKIE = 'shiyu_session';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Reachable without signing in (login, health, the OpenAPI document, device-authenticated ingest). */
    public?: boolean;
    /** The permission a caller needs; the area scope is then enforced by the service where the data is read. */
    permission?: Permission;
    /** The handler checks each item of the body itself (per-item results); the global text check skips the body. */
    itemValidation?: boolean;
  }
  interface FastifyRequest {
    actor: Actor | null;
    sessionId: string | null;
  }
}

export type App = FastifyInstance<
  import('node:http').Server,
  import('node:http').IncomingMessage,
  import('node:http').ServerResponse,
  FastifyBaseLogger,
  ZodTypeProvider
>;

export interface RouteInfo {
  method: string;
  url: string;
  public: boolean;
  permission: Permission | undefined;
}

export interface Authenticator {
  (token: string, ip: string | null): Promise<{ actor: Actor; session: { id: string } } | null>;
}

export async function createHttpServer(opts: {
  logger: Logger;
  authenticate: Authenticator;
  loginRatePerMinute: number;
  version: string;
  /** Where rate-limit counters live; the database's, so that a limit holds across nodes (the plugin's default is per process). */
  rateLimitStore?: FastifyRateLimitStoreCtor;
}): Promise<{ app: App; routes: RouteInfo[] }> {
  const app = Fastify({
    loggerInstance: opts.logger as unknown as FastifyBaseLogger,
    trustProxy: true,
    bodyLimit: 20 * 1024 * 1024,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  // Every route that exists is recorded, so that the cross-area test can prove each one is scoped.
  const routes: RouteInfo[] = [];
  app.addHook('onRoute', (r) => {
    const methods = Array.isArray(r.method) ? r.method : [r.method];
    for (const m of methods) {
      if (m === 'HEAD' || m === 'OPTIONS') continue;
      routes.push({ method: m, url: r.url, public: r.config?.public === true, permission: r.config?.permission });
    }
  });

  await app.register(cookie);
  await app.register(rateLimit, { global: false, ...(opts.rateLimitStore ? { store: opts.rateLimitStore } : {}) });
  await app.register(swagger, {
    openapi: {
      info: { title: 'Shiyu (市域) API', version: opts.version, description: 'City-region social governance platform' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          cookie: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE },
        },
      },
      security: [{ bearer: [] }, { cookie: [] }],
    },
    transform: jsonSchemaTransform,
  });

  app.decorateRequest('actor', null);
  app.decorateRequest('sessionId', null);

  app.addHook('onRequest', async (req) => {
    const token = bearerOf(req);
    if (token) {
      const found = await opts.authenticate(token, req.ip);
      if (found) {
        req.actor = found.actor;
        req.sessionId = found.session.id;
      }
    }
    const config = req.routeOptions.config;
    if (!req.routeOptions.url || config.public) return;
    if (!req.actor) throw errors.unauthenticated();
    if (config.permission && !req.actor.permissions.has(config.permission)) {
      throw errors.forbidden('auth.permission_denied', `Your role (${req.actor.role}) may not do this (${config.permission}).`);
    }
  });

  // Every boundary: text PostgreSQL cannot store (NUL) or would alter (lone surrogates) and JSON nested beyond what
  // the code serialises are refused with a 400 naming the field, on both engines alike, before any handler runs.
  app.addHook('preValidation', async (req) => {
    const parts: [string, unknown][] = [['params', req.params], ['querystring', req.query]];
    if (!req.routeOptions.config.itemValidation) parts.push(['body', req.body]);
    for (const [where, value] of parts) {
      const issue = jsonIssue(value, where);
      if (issue) throw errors.validation('validation.failed', `Invalid ${issue.field}: ${issue.message}`, [issue]);
    }
  });

  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (hasZodFastifySchemaValidationErrors(err)) {
      const issues = err.validation.map((v) => ({
        field: [err.validationContext, ...String(v.instancePath ?? '').split('/').filter(Boolean)].join('.'),
        message: v.message ?? 'invalid',
      }));
      return reply.status(400).send({
        error: { code: 'validation.failed', message: `Invalid ${issues.map((i) => i.field).join(', ')}: ${issues[0]?.message ?? ''}`, details: { issues } },
      });
    }
    if (isDomainError(err)) {
      return reply.status(err.status).send({ error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) } });
    }
    if (err.statusCode === 429) {
      return reply.status(429).send({ error: { code: 'rate_limited', message: 'Too many requests; wait a minute and try again.' } });
    }
    if (isResponseSerializationError(err)) {
      req.log.error({ err }, 'response did not match its schema');
      return reply.status(500).send({ error: { code: 'internal', message: 'Internal error.' } });
    }
    if (err.statusCode && err.statusCode < 500) {
      return reply.status(err.statusCode).send({ error: { code: `http.${err.code ?? err.statusCode}`, message: err.message } });
    }
    req.log.error({ err }, 'unhandled error');
    return reply.status(500).send({ error: { code: 'internal', message: 'Internal error.' } });
  });

  app.setNotFoundHandler((req, reply) => {
    reply.status(404).send({ error: { code: 'route.not_found', message: `No route ${req.method} ${req.url}.` } });
  });

  return { app, routes };
}

export function bearerOf(req: FastifyRequest): string | null {
  const h = req.headers.authorization;
  if (h && h.startsWith('Bearer ')) return h.slice(7).trim() || null;
  const c = req.cookies?.[SESSION_COOKIE];
  return c || null;
}

/** The signed-in caller; routes without `public` are only reached with one (the onRequest hook). */
export function actorOf(req: FastifyRequest): Actor {
  if (!req.actor) throw errors.unauthenticated();
  return req.actor;
}

export const errorResponse = {
  type: 'object',
  properties: { error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } } },
} as const;
