// The cases module's client: types of the server's answers (cases.schema.ts on the server) and the calls.
import { request } from '../../api';

export const CASE_TYPES = ['neighbour', 'marriage_family', 'land_forest', 'wages', 'property', 'traffic', 'medical', 'contract', 'mass_economic', 'other'] as const;
export const RISKS = ['low', 'medium', 'high'] as const;
export const STATES = ['accepted', 'assigned', 'mediating', 'concluded', 'followed_up', 'rated'] as const;
export const CHANNELS = ['walk_in', 'hotline', 'representative', 'visit', 'online'] as const;
export const OUTCOMES = ['agreement', 'court', 'arbitration', 'withdrawn'] as const;
export const MASS_STAGES = ['prevention', 'monitoring', 'investigation', 'disposal', 'recovery', 'petition'] as const;
export const MEDIATOR_KINDS = ['centre', 'backpack', 'specialist'] as const;
export const DEPARTMENT_KINDS = ['justice', 'police', 'court', 'labour', 'petition', 'housing', 'agriculture', 'health', 'market', 'finance', 'other'] as const;

export type CaseType = (typeof CASE_TYPES)[number];
export type Risk = (typeof RISKS)[number];
export type CaseState = (typeof STATES)[number];
export type Channel = (typeof CHANNELS)[number];
export type Outcome = (typeof OUTCOMES)[number];
export type MassStage = (typeof MASS_STAGES)[number];
export type CentreLevel = 'city' | 'county' | 'town';
/** The steps of a case that need input (CaseActionDialog). */
export type ActionKind = 'assign' | 'return' | 'session' | 'extend' | 'conclude' | 'follow_up' | 'rate' | 'escalate' | 'stage' | 'join_department';

export interface CaseSummary {
  id: string;
  code: string;
  title: string;
  type: CaseType;
  risk: Risk;
  state: CaseState;
  channel: string;
  areaCode: string;
  areaName: string | null;
  centreId: string;
  centreName: string | null;
  level: CentreLevel;
  mediatorId: string | null;
  mediatorName: string | null;
  responsibleLeader: string | null;
  deadlineAt: string;
  overdue: boolean;
  wasOverdue: boolean;
  escalationCount: number;
  reportCount: number;
  peopleCount: number | null;
  amountInvolved: number | null;
  massStage: MassStage | null;
  outcome: Outcome | null;
  satisfaction: number | null;
  concludedAt: string | null;
  createdAt: string;
}

export interface Party {
  id: string;
  role: 'applicant' | 'respondent' | 'other';
  name: string;
  idNumber: string | null;
  phone: string | null;
  sex: string | null;
}

export interface CaseEvent {
  seq: number;
  at: string;
  actorName: string;
  action: string;
  fromState: string | null;
  toState: string | null;
  detail: Record<string, unknown> | null;
}

export interface CaseDetail extends CaseSummary {
  summary: string;
  place: string | null;
  deadlineDays: number;
  extensionCount: number;
  outcomeNote: string | null;
  followedUpAt: string | null;
  ratedAt: string | null;
  amountRecovered: number | null;
  createdByName: string;
  mine: boolean;
  parties: Party[];
  reports: { id: string; channel: string; sourceRef: string | null; summary: string; reportedAt: string; createdByName: string }[];
  events: CaseEvent[];
  attachments: { id: string; name: string; contentType: string; size: number; createdAt: string; createdByName: string }[];
  departments: { id: string; name: string; kind: string; note: string | null; addedAt: string }[];
}

export interface NewParty {
  role: Party['role'];
  name: string;
  idNumber?: string;
  phone?: string;
}

export interface Intake {
  title: string;
  type: CaseType;
  risk: Risk;
  channel: Channel;
  areaCode: string;
  place?: string;
  summary: string;
  peopleCount?: number;
  amountInvolved?: number;
  parties: NewParty[];
}

export interface CaseQuery {
  state?: string;
  type?: string;
  risk?: string;
  areaCode?: string;
  overdue?: 'true';
  mine?: 'true';
  q?: string;
  page: number;
  pageSize: number;
}

export interface Figures {
  areaCode: string;
  total: number;
  open: number;
  concluded: number;
  resolved: number;
  overdue: number;
  resolutionRate: number | null;
  concludedRate: number | null;
  overdueRate: number | null;
  meanDaysToConclude: number | null;
  satisfaction: { rated: number; mean: number | null; satisfiedRate: number | null };
  byType: { type: CaseType; count: number; resolved: number }[];
  byArea: { areaCode: string; areaName: string | null; count: number; resolved: number; overdue: number }[];
  byMonth: { month: string; count: number; concluded: number }[];
  byState: { state: CaseState; count: number }[];
  massEconomic: { cases: number; people: number; amountInvolved: number; amountRecovered: number };
}

export interface Centre {
  id: string;
  areaCode: string;
  areaName: string | null;
  level: CentreLevel;
  name: string;
  leaderName: string | null;
  phone: string | null;
  address: string | null;
  active: boolean;
  mediatorCount: number;
  openCases: number;
}

export interface Mediator {
  id: string;
  centreId: string;
  centreName: string | null;
  userId: string | null;
  username: string | null;
  name: string;
  phoneMasked: string | null;
  areaCode: string;
  areaName: string | null;
  kind: (typeof MEDIATOR_KINDS)[number];
  specialities: CaseType[];
  capacity: number;
  load: number;
  active: boolean;
}

export interface Department {
  id: string;
  areaCode: string;
  areaName: string | null;
  name: string;
  kind: string;
  contact: string | null;
}

const enc = encodeURIComponent;
const on = (id: string, what: string, body?: unknown) => request<CaseDetail>('POST', `/api/cases/${enc(id)}/${what}`, { body: body ?? {} });

export const casesApi = {
  list: (query: CaseQuery) => request<{ items: CaseSummary[]; total: number }>('GET', '/api/cases', { query: { ...query } }),
  get: (id: string) => request<CaseDetail>('GET', `/api/cases/${enc(id)}`),
  intake: (body: Intake) => request<{ created: boolean; case: CaseDetail }>('POST', '/api/cases', { body }),
  update: (id: string, body: { risk?: Risk; title?: string; summary?: string }) => request<CaseDetail>('PATCH', `/api/cases/${enc(id)}`, { body }),
  revealParties: (id: string) => request<{ parties: Party[] }>('POST', `/api/cases/${enc(id)}/reveal-parties`),
  assign: (id: string, mediatorId?: string) => on(id, 'assign', mediatorId ? { mediatorId } : {}),
  sign: (id: string) => on(id, 'sign'),
  returnCase: (id: string, reason: string) => on(id, 'return', { reason }),
  session: (id: string, body: { note: string; place?: string; attendees?: string }) => on(id, 'sessions', body),
  extend: (id: string, body: { days: number; reason: string; partiesConsent: true }) => on(id, 'extend', body),
  conclude: (id: string, body: { outcome: Outcome; note: string; agreement?: string }) => on(id, 'conclude', body),
  followUp: (id: string, body: { method: 'phone' | 'visit' | 'sms'; note: string }) => on(id, 'follow-up', body),
  rate: (id: string, body: { satisfaction: number; comment?: string }) => on(id, 'rate', body),
  escalate: (id: string, reason: string) => on(id, 'escalate', { reason }),
  stage: (id: string, body: { stage: MassStage; note?: string; amountRecovered?: number }) => on(id, 'stage', body),
  joinDepartment: (id: string, departmentId: string, note?: string) => on(id, 'departments', { departmentId, ...(note ? { note } : {}) }),
  attach: (id: string, body: { name: string; contentType: string; dataBase64: string }) =>
    request<CaseDetail>('POST', `/api/cases/${enc(id)}/attachments`, { body }),
  attachmentUrl: (id: string, attachmentId: string) => `/api/cases/${enc(id)}/attachments/${enc(attachmentId)}`,
  figures: (query: { areaCode?: string; from?: string; to?: string }) => request<Figures>('GET', '/api/cases/figures', { query }),

  centres: () => request<{ items: Centre[] }>('GET', '/api/mediation-centres'),
  createCentre: (body: { areaCode: string; name: string; leaderName?: string; phone?: string }) => request<Centre>('POST', '/api/mediation-centres', { body }),
  updateCentre: (id: string, body: Partial<Pick<Centre, 'name' | 'leaderName' | 'phone' | 'active'>>) =>
    request<Centre>('PATCH', `/api/mediation-centres/${enc(id)}`, { body }),
  mediators: (query: { centreId?: string } = {}) => request<{ items: Mediator[] }>('GET', '/api/mediators', { query }),
  createMediator: (body: { centreId: string; name: string; kind: Mediator['kind']; areaCode: string; specialities: CaseType[]; capacity: number; phone?: string }) =>
    request<Mediator>('POST', '/api/mediators', { body }),
  updateMediator: (id: string, body: Partial<Pick<Mediator, 'capacity' | 'active' | 'specialities'>>) => request<Mediator>('PATCH', `/api/mediators/${enc(id)}`, { body }),
  departments: () => request<{ items: Department[] }>('GET', '/api/case-departments'),
};

/** The file as base64 (without the data: prefix), for the JSON upload. */
export function fileToBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(reader.error ?? new Error('read failed'));
    reader.readAsDataURL(file);
  });
}

/** Element Plus tag colours that carry the same meaning everywhere. */
export const riskTag: Record<Risk, 'info' | 'warning' | 'danger'> = { low: 'info', medium: 'warning', high: 'danger' };
export const stateTag: Record<CaseState, 'primary' | 'warning' | 'success' | 'info'> = {
  accepted: 'warning',
  assigned: 'primary',
  mediating: 'primary',
  concluded: 'success',
  followed_up: 'success',
  rated: 'info',
};

export function percent(v: number | null): string {
  return v === null ? '—' : `${(v * 100).toFixed(1)}%`;
}
