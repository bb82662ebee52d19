// Factories for the device tests: devices created through the API, events in the one event model.
import assert from 'node:assert/strict';
import type { TestApp } from '../helpers/app.ts';

/** A 1×1 PNG. */
export const PNG_1PX = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

/** A point inside 邵阳县 (430523) and one inside 隆回县 (430524) on the demo boundaries. */
export const IN_SHAOYANG_COUNTY = { lon: 111.273805, lat: 26.990637 };
export const IN_LONGHUI = { lon: 111.032437, lat: 27.113978 };

let serial = 0;

export interface CreatedDevice {
  id: string;
  code: string;
  secret: string;
  areaCode: string;
}

export async function createDevice(app: TestApp, token: string, body: Record<string, unknown> = {}): Promise<CreatedDevice> {
  serial++;
  const res = await app.request('POST', '/api/devices', {
    token,
    body: {
      code: `T-${process.pid}-${serial}`,
      name: `测试设备${serial}`,
      subsystem: 'smart_water',
      kind: 'water_area_terminal',
      areaCode: '430523100',
      ...body,
    },
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return { id: res.body.id, code: res.body.code, secret: res.body.secret, areaCode: res.body.areaCode };
}

export function event(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { id, kind: 'person.near_water', time: new Date(Date.now() - 1000).toISOString(), ...extra };
}

export async function ingest(app: TestApp, secret: string, events: unknown[]) {
  return app.request('POST', '/api/ingest/events', { headers: { 'x-device-token': secret }, body: { events } });
}
