// HTTP routes for devices themselves: event batches, heartbeats, command polling and acknowledgement. They are
// public to the user sign-in and authenticate the device by its secret (`X-Device-Token: <secret>` or
// `Authorization: Bearer <secret>`).
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { DomainError } from '../../platform/errors.ts';
import type { App } from '../../platform/http.ts';
import type { DevicesModule } from './devices.module.ts';
import type { DeviceContext } from './device-directory.ts';
import { commandAckBody, commandView, deviceCommandMessage, heartbeatBody, ingestBody, ingestResult } from './devices.schema.ts';

const tags = ['device ingest'];

export function ingestRoutes(app: App, m: DevicesModule): void {
  const device = async (req: FastifyRequest): Promise<DeviceContext> => {
    const header = req.headers['x-device-token'];
    const auth = req.headers.authorization;
    const token = typeof header === 'string' ? header.trim() : auth?.startsWith('Bearer ') ? auth.slice(7).trim() : '';
    const found = token ? await m.directory.byToken(token) : null;
    if (!found) throw new DomainError('unauthenticated', 'device.unauthenticated', 'Unknown or retired device, or a wrong device secret.');
    return found;
  };

  app.post('/api/ingest/events', {
    schema: { tags, body: ingestBody, response: { 200: ingestResult } },
    config: { public: true, itemValidation: true },
    // The hottest route: its answer (up to 1,000 item results, built by typed code) is not validated again on the
    // way out; the schema above still documents it in the OpenAPI description.
    serializerCompiler: () => (data) => JSON.stringify(data),
  }, async (req) => {
    const results = await m.ingest.ingest(await device(req), req.body.events, 'http');
    let stored = 0;
    let duplicates = 0;
    let rejected = 0;
    for (const r of results) {
      if (r.status === 'stored') stored++;
      else if (r.status === 'duplicate') duplicates++;
      else rejected++;
    }
    return { stored, duplicates, rejected, results };
  });

  app.post('/api/ingest/heartbeat', {
    schema: { tags, body: heartbeatBody.optional(), response: { 200: z.object({ ok: z.literal(true), serverTime: z.string() }) } },
    config: { public: true },
  }, async (req) => {
    await m.health.heartbeat(await device(req));
    return { ok: true as const, serverTime: m.now().toISOString() };
  });

  app.get('/api/ingest/commands', {
    schema: { tags, response: { 200: z.object({ items: z.array(deviceCommandMessage) }) } },
    config: { public: true },
  }, async (req) => {
    const d = await device(req);
    await m.health.touch(d);
    return { items: await m.commands.poll(d) };
  });

  app.post('/api/ingest/commands/:id/ack', {
    schema: { tags, params: z.object({ id: z.string().min(1).max(64) }), body: commandAckBody, response: { 200: commandView } },
    config: { public: true },
  }, async (req) => m.commands.acknowledge(await device(req), req.params.id, req.body));
}
