// The early-warning module's client: shapes of the server's answers (src/modules/warning/*.schema.ts) and calls.
import { request } from '../../api';
import type { Items } from '../../types';

export const SEVERITIES = ['red', 'orange', 'yellow', 'blue'] as const;
export const STATES = ['raised', 'acknowledged', 'dispatched', 'on_scene', 'closed'] as const;
export const OUTCOMES = ['persuaded_away', 'rescued', 'false_alarm', 'handled', 'not_found', 'duplicate', 'casualty'] as const;
export const TIERS = ['village', 'town', 'county', 'city'] as const;
export const ZONE_KINDS = ['key_water', 'school_surroundings', 'key_fire_unit', 'construction_site', 'household', 'other'] as const;
export const CONTACT_ROLES = ['keeper', 'grid_worker', 'village_head', 'principal', 'police', 'household', 'fire_brigade'] as const;
export const RECIPIENT_ROLES = [...CONTACT_ROLES, 'guardians', 'class_teacher', 'duty_officers'] as const;
export const RESPONDER_KINDS = ['fast_response', 'auxiliary_police', 'keeper', 'rescue', 'fire_brigade', 'medical'] as const;
export const IDENTITY_CLASSES = ['student', 'key_person', 'unknown'] as const;
export const EVENT_KINDS = [
  'person.near_water', 'person.in_water', 'intrusion', 'face.captured', 'person.captured', 'vehicle.captured', 'gas.alarm', 'smoke.alarm',
  'water.level_high', 'blind_spot.warning', 'vehicle.accident', 'alarm.button', 'fall.detected', 'helmet.missing', 'ebike.moved', 'device.offline',
] as const;
export const SUBSYSTEMS = [
  'safe_city_video', 'smart_traffic', 'smart_fire', 'smart_water', 'safe_construction', 'elderly_care', 'sharp_eyes', 'key_person',
  'parcel_logistics', 'ebike_antitheft', 'face_recognition',
] as const;

export type Severity = (typeof SEVERITIES)[number];
export type AlertState = (typeof STATES)[number];

export interface Match {
  class: string;
  personId: string | null;
  nameMasked: string | null;
  school: string | null;
  className: string | null;
  score: number | null;
}

export interface Alert {
  id: string;
  code: string;
  title: string;
  severity: Severity;
  state: AlertState;
  tier: string;
  tierAreaCode: string;
  areaCode: string;
  subsystem: string;
  eventKind: string;
  ruleId: string | null;
  eventId: string | null;
  deviceId: string | null;
  zoneId: string | null;
  zoneName: string | null;
  lon: number | null;
  lat: number | null;
  snapshotIds: string[];
  match: Match | null;
  raisedAt: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  dispatchedAt: string | null;
  onSceneAt: string | null;
  closedAt: string | null;
  closedBy: string | null;
  outcome: string | null;
  outcomeNote: string | null;
  overdue: boolean;
  updatedAt: string;
}

export interface Step {
  id: string;
  at: string;
  action: string;
  actorName: string;
  detail: Record<string, unknown> | null;
}

export interface Dispatch {
  id: string;
  alertId: string;
  responderId: string;
  responderName: string;
  responderKind: string;
  distanceM: number | null;
  dispatchedAt: string;
  answerDueAt: string;
  onSceneDueAt: string;
  answeredAt: string | null;
  onSceneAt: string | null;
  answerSeconds: number | null;
  onSceneSeconds: number | null;
  answerOverdue: boolean;
  onSceneOverdue: boolean;
  state: string;
}

export interface AlertDetail extends Alert {
  steps: Step[];
  dispatches: Dispatch[];
  attachments: { id: string; name: string; contentType: string; size: number; createdBy: string; createdAt: string }[];
  timers: { kind: string; dueAt: string; status: string; firedAt: string | null }[];
  speakers: { id: string; name: string | null; online: boolean | null }[];
}

export interface Stats {
  day: string;
  total: number;
  open: number;
  byCounty: { code: string; name: string | null; total: number; open: number }[];
  bySubsystem: { subsystem: string; total: number }[];
  latest: Alert[];
}

export type Geometry = { type: 'Polygon'; coordinates: number[][][] } | { type: 'MultiPolygon'; coordinates: number[][][][] };

export interface Period {
  label?: string;
  seasons?: { from: string; to: string }[];
  hours?: { from: string; to: string }[];
  weekdays?: number[];
  schoolHolidays?: boolean;
}

export interface Zone {
  id: string;
  code: string;
  name: string;
  kind: string;
  riskLevel: number;
  areaCode: string;
  areaName: string | null;
  geometry: Geometry;
  centre: [number, number];
  activePeriods: Period[];
  activeNow: boolean;
  speakers: { id: string; code: string | null; name: string | null; online: boolean | null }[];
  contacts: { id: string; role: string; userId: string | null; userName: string | null; nameMasked: string | null; phoneMasked: string | null }[];
  description: string | null;
  version: number;
}

export interface ZoneInput {
  name: string;
  kind: string;
  riskLevel: number;
  areaCode: string;
  geometry: Geometry;
  activePeriods: Period[];
  speakerIds: string[];
  contacts?: { role: string; userId?: string | null; name?: string | null; phone?: string | null }[];
  description?: string | null;
  expectedVersion?: number;
}

export interface RuleAction {
  type: 'broadcast' | 'raise_alert' | 'notify' | 'call' | 'dispatch';
  text?: string;
  repeat?: number;
  severity?: Severity;
  title?: string;
  ladder?: { start: string; steps: { tier: string; afterSeconds: number; notify?: string[] }[]; remindEverySeconds: number | null };
  roles?: string[];
  userIds?: string[];
  channel?: string;
  responderKinds?: string[];
}

export interface RuleDefinition {
  description?: string;
  trigger:
    | { type: 'event'; eventKinds: string[]; subsystems?: string[]; attributes?: { path: string; op: string; value?: unknown }[] }
    | { type: 'silence'; deviceKinds: string[]; subsystems?: string[]; silentForSeconds: number };
  zone?: { kinds?: string[]; ids?: string[]; minRiskLevel?: number; activeOnly?: boolean };
  activePeriods?: Period[];
  identity?: { classes: string[] };
  count?: { threshold: number; windowSeconds: number; per: 'zone' | 'device' | 'area' };
  actions: RuleAction[];
}

export interface Rule {
  id: string;
  name: string;
  areaCode: string;
  editable: boolean;
  enabled: boolean;
  version: number;
  definition: RuleDefinition;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export interface DryRun {
  examined: number;
  matched: number;
  items: { eventId: string; deviceId: string; kind: string; occurredAt: string; areaCode: string; zones: string[]; wouldDo: string[]; note: string | null }[];
}

export interface Responder {
  id: string;
  name: string;
  kind: string;
  areaCode: string;
  lon: number | null;
  lat: number | null;
  available: boolean;
  busy: boolean;
}

export interface DeviceLite {
  id: string;
  code: string;
  name: string;
  kind: string;
  capabilities: string[];
  areaCode: string;
  online: boolean;
}

const enc = encodeURIComponent;

export const warningApi = {
  alerts: (query: { state?: string; severity?: string; subsystem?: string; page?: number; pageSize?: number }) =>
    request<{ items: Alert[]; total: number }>('GET', '/api/alerts', { query }),
  alert: (id: string) => request<AlertDetail>('GET', `/api/alerts/${enc(id)}`),
  stats: () => request<Stats>('GET', '/api/alerts/stats'),
  acknowledge: (id: string, note?: string) => request<AlertDetail>('POST', `/api/alerts/${enc(id)}/acknowledge`, { body: { note } }),
  speak: (id: string, text: string, repeat: number, deviceIds?: string[]) =>
    request<AlertDetail>('POST', `/api/alerts/${enc(id)}/speak`, { body: { text, repeat, ...(deviceIds ? { deviceIds } : {}) } }),
  dispatch: (id: string, body: { responderId?: string; kinds?: string[] }) => request<AlertDetail>('POST', `/api/alerts/${enc(id)}/dispatch`, { body }),
  onScene: (id: string) => request<AlertDetail>('POST', `/api/alerts/${enc(id)}/on-scene`),
  close: (id: string, outcome: string, note?: string) => request<AlertDetail>('POST', `/api/alerts/${enc(id)}/close`, { body: { outcome, note } }),
  comment: (id: string, text: string) => request<AlertDetail>('POST', `/api/alerts/${enc(id)}/comments`, { body: { text } }),
  responders: () => request<Items<Responder>>('GET', '/api/responders'),

  zones: (query: { kind?: string; q?: string } = {}) => request<Items<Zone>>('GET', '/api/zones', { query }),
  createZone: (body: ZoneInput) => request<Zone>('POST', '/api/zones', { body }),
  updateZone: (id: string, body: Partial<ZoneInput>) => request<Zone>('PATCH', `/api/zones/${enc(id)}`, { body }),
  deleteZone: (id: string) => request<{ ok: true }>('DELETE', `/api/zones/${enc(id)}`),
  importZones: (body: unknown) =>
    request<{ created: number; updated: number; rejected: { index: number; code: string | null; errors: { field: string; message: string }[] }[] }>('POST', '/api/zones/import', { body }),
  speakers: () => request<{ items: DeviceLite[] }>('GET', '/api/devices', { query: { kind: 'loudspeaker', pageSize: 500 } }),
  terminals: () => request<{ items: DeviceLite[] }>('GET', '/api/devices', { query: { kind: 'water_area_terminal', pageSize: 500 } }),

  rules: () => request<Items<Rule>>('GET', '/api/rules'),
  createRule: (body: { name: string; areaCode: string; enabled: boolean; definition: RuleDefinition }) => request<Rule>('POST', '/api/rules', { body }),
  updateRule: (id: string, body: { name?: string; enabled?: boolean; definition?: RuleDefinition; expectedVersion?: number }) =>
    request<Rule>('PATCH', `/api/rules/${enc(id)}`, { body }),
  ruleVersions: (id: string) => request<Items<{ version: number; name: string; enabled: boolean; createdBy: string; createdAt: string }>>('GET', `/api/rules/${enc(id)}/versions`),
  dryRun: (body: { areaCode: string; definition: RuleDefinition; sinceMinutes: number }) => request<DryRun>('POST', '/api/rules/dry-run', { body }),
};

/** Chinese early-warning colours. */
export const severityColour: Record<string, string> = { red: '#e53935', orange: '#fb8c00', yellow: '#f9c80e', blue: '#1e88e5' };
