// Helpers for the early-warning end-to-end tests against a real server process: an HTTP client, devices that
// listen for their commands over MQTT (as real loudspeakers do), a key water area, waiting for conditions.
import assert from 'node:assert/strict';
import mqtt, { type MqttClient } from 'mqtt';
import type { Api, TestServer } from '../helpers/server.ts';

export const PASSWORD = 'Shiyu@2026';
export const WATER = { lon: 111.273805, lat: 26.990637 };

export function square(lon: number, lat: number, d = 0.002) {
  return { type: 'Polygon', coordinates: [[[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d], [lon - d, lat - d]]] };
}

export { apiOf, type Api } from '../helpers/server.ts';

export async function login(api: Api, username: string): Promise<string> {
  const r = await api('POST', '/api/auth/login', null, { username, password: PASSWORD });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.token as string;
}

export interface Device {
  id: string;
  code: string;
  secret: string;
}

export async function createDevice(api: Api, token: string, body: Record<string, unknown>): Promise<Device> {
  const r = await api('POST', '/api/devices', token, { subsystem: 'smart_water', areaCode: '430523100', ...body });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return { id: r.body.id, code: r.body.code, secret: r.body.secret };
}

/** A loudspeaker online over MQTT: it records every command it receives, with the time it arrived, and acknowledges. */
export interface Speaker extends Device {
  received: { at: number; id: string; type: string; params: Record<string, unknown> }[];
  close(): Promise<void>;
}

export async function connectSpeaker(server: TestServer, d: Device): Promise<Speaker> {
  const client: MqttClient = await mqtt.connectAsync(`mqtt://127.0.0.1:${server.mqttPort}`, { username: d.code, password: d.secret, clientId: `spk-${d.code}`, reconnectPeriod: 0 });
  const received: Speaker['received'] = [];
  client.on('message', (_topic, payload) => {
    const m = JSON.parse(payload.toString()) as { id: string; type: string; params: Record<string, unknown> };
    received.push({ at: Date.now(), ...m });
    void client.publishAsync(`shiyu/${d.code}/commands/ack`, JSON.stringify({ id: m.id, status: 'ok' }), { qos: 1 });
  });
  await client.subscribeAsync(`shiyu/${d.code}/commands`, { qos: 1 });
  return { ...d, received, close: () => client.endAsync() };
}

/** Sends one event over HTTP as the device; returns when the server has acknowledged it (stored). */
export async function sendEvent(server: TestServer, d: Device, event: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${server.url}/api/ingest/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-device-token': d.secret },
    body: JSON.stringify({ events: [{ time: new Date().toISOString(), ...event }] }),
  });
  const body = (await res.json()) as { results: { status: string }[] };
  assert.equal(res.status, 200, JSON.stringify(body));
  assert.equal(body.results[0]?.status, 'stored', JSON.stringify(body));
}

/** Polls until `fn` returns a truthy value (or fails after `ms`). */
export async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function userIdOf(api: Api, admin: string, username: string): Promise<string> {
  const r = await api('GET', `/api/users?q=${username}`, admin);
  const u = r.body.items.find((x: { username: string }) => x.username === username);
  assert.ok(u, username);
  return u.id as string;
}

/** The notifications of an alert, as the county operator sees them in the notification log. */
export async function notificationsOf(api: Api, token: string, alertId: string): Promise<{ id: string; channel: string; kind: string; recipientKind: string; state: string; ruleId: string | null; body?: string }[]> {
  const r = await api('GET', `/api/notify/notifications?alertId=${alertId}&pageSize=200`, token);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.items;
}

/** The open alert of a zone, as soon as the rules have raised it. */
export async function alertOfZone(api: Api, token: string, zoneId: string): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  return until(`an alert at zone ${zoneId}`, async () => {
    const r = await api('GET', '/api/alerts?state=open&pageSize=100', token);
    return r.body.items.find((a: { zoneId: string }) => a.zoneId === zoneId);
  });
}
