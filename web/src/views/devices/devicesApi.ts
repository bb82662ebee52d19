// The devices module's client: types of the server's answers (devices.schema.ts on the server) and the calls.
import { request } from '../../api';

export const SUBSYSTEMS = [
  'safe_city_video', 'smart_traffic', 'smart_fire', 'smart_water', 'safe_construction', 'elderly_care',
  'sharp_eyes', 'key_person', 'parcel_logistics', 'ebike_antitheft', 'face_recognition',
] as const;
export type Subsystem = (typeof SUBSYSTEMS)[number];

export interface Device {
  id: string;
  code: string;
  gbId: string | null;
  name: string;
  subsystem: Subsystem;
  kind: string;
  capabilities: string[];
  lon: number | null;
  lat: number | null;
  areaCode: string;
  areaName: string | null;
  address: string | null;
  vendor: string | null;
  model: string | null;
  heartbeatIntervalS: number;
  status: 'active' | 'retired';
  online: boolean;
  lastSeenAt: string | null;
  onlineChangedAt: string | null;
  createdAt: string;
  updatedAt: string;
  retiredAt: string | null;
}
export type DeviceWithSecret = Device & { secret: string };

export interface DeviceInput {
  code?: string;
  name?: string;
  subsystem?: string;
  kind?: string;
  gbId?: string | null;
  capabilities?: string[];
  lon?: number | null;
  lat?: number | null;
  areaCode?: string;
  address?: string | null;
  vendor?: string | null;
  model?: string | null;
  heartbeatIntervalS?: number;
}

export interface Snapshot {
  id: string;
  kind: string;
  contentType: string;
  size: number;
  url: string;
}

export interface DeviceEvent {
  id: string;
  eventId: string;
  deviceId: string;
  kind: string;
  occurredAt: string;
  receivedAt: string;
  areaCode: string;
  subsystem: string;
  lon: number | null;
  lat: number | null;
  zones: string[];
  attributes: Record<string, unknown>;
  snapshots: Snapshot[];
  source: string;
}

export interface Command {
  id: string;
  deviceId: string;
  type: string;
  params: Record<string, unknown>;
  status: 'pending' | 'sent' | 'acknowledged' | 'failed' | 'expired';
  via: string | null;
  createdBy: string;
  createdAt: string;
  sentAt: string | null;
  ackedAt: string | null;
  expiresAt: string;
  result: string | null;
}

export interface Catalog {
  subsystems: string[];
  kinds: { kind: string; capabilities: string[] }[];
  capabilities: string[];
  eventKinds: string[];
  voicePresets: { name: string; text: string }[];
  commandTypes: { type: string; capability: string | null }[];
}

export interface OnlineRate {
  areaCode: string;
  by: 'area' | 'subsystem';
  items: { key: string; name: string | null; total: number; online: number; rate: number }[];
  total: number;
  online: number;
  rate: number;
}

/** [id, lon, lat, subsystem, kind, online (0/1), name] */
export type MapRow = [string, number, number, string, string, number, string];

export interface ImportRow {
  row: number;
  code: string | null;
  status: 'created' | 'valid' | 'error';
  errors: { field: string; message: string }[];
  id?: string;
  secret?: string;
}
export interface ImportResult {
  dryRun: boolean;
  total: number;
  created: number;
  valid: number;
  failed: number;
  rows: ImportRow[];
}

export interface DeviceQuery {
  q?: string;
  areaCode?: string;
  subsystem?: string;
  kind?: string;
  online?: 'true' | 'false';
  status?: 'active' | 'retired' | 'all';
  page: number;
  pageSize: number;
}

const enc = encodeURIComponent;

export const devicesApi = {
  catalog: () => request<Catalog>('GET', '/api/devices/catalog'),
  list: (query: DeviceQuery) => request<{ items: Device[]; total: number }>('GET', '/api/devices', { query: { ...query } }),
  map: (query: { areaCode?: string; subsystem?: string }) => request<{ items: MapRow[]; truncated: boolean }>('GET', '/api/devices/map', { query }),
  onlineRate: (query: { areaCode?: string; by: 'area' | 'subsystem' }) => request<OnlineRate>('GET', '/api/devices/online-rate', { query }),
  get: (id: string) => request<Device>('GET', `/api/devices/${enc(id)}`),
  create: (body: DeviceInput) => request<DeviceWithSecret>('POST', '/api/devices', { body }),
  update: (id: string, body: DeviceInput) => request<Device>('PATCH', `/api/devices/${enc(id)}`, { body }),
  retire: (id: string) => request<Device>('POST', `/api/devices/${enc(id)}/retire`),
  rotateSecret: (id: string) => request<DeviceWithSecret>('POST', `/api/devices/${enc(id)}/secret`),
  events: (id: string, limit = 50) => request<{ items: DeviceEvent[] }>('GET', `/api/devices/${enc(id)}/events`, { query: { limit } }),
  snapshots: (id: string, limit = 24) => request<{ items: (Snapshot & { eventId: string; createdAt: string })[] }>('GET', `/api/devices/${enc(id)}/snapshots`, { query: { limit } }),
  commands: (id: string) => request<{ items: Command[] }>('GET', `/api/devices/${enc(id)}/commands`, { query: { limit: 20 } }),
  sendCommand: (id: string, body: { type: string; params: Record<string, unknown>; ttlS?: number }) =>
    request<Command>('POST', `/api/devices/${enc(id)}/commands`, { body }),
  importFile: (body: { fileName: string; content: string; dryRun: boolean }) => request<ImportResult>('POST', '/api/devices/import', { body }),
  templateUrl: (format: 'csv' | 'xlsx') => `/api/devices/import-template?format=${format}`,
};
