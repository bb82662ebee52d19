// Shapes of the server's JSON answers, as the shell uses them.

// Roles come from the server's policy (one list: src/platform/auth/policy.ts), not a copy.
import { roles, type Role } from '../../src/platform/auth/policy.ts';
export type { Role };
export const ROLES: readonly Role[] = roles;

export type AreaLevel = 'city' | 'county' | 'town' | 'village' | 'grid';

export interface SessionUser {
  id: string | number;
  username: string;
  displayName: string;
  role: Role;
  areaCode: string;
  areaName: string;
  areaLevel: AreaLevel;
  permissions: string[];
}

export interface LoginResult {
  token: string;
  expiresAt: string;
  user: SessionUser;
}

export interface PublicConfig {
  mapTileUrl: string | null;
  demo: boolean;
  version: string;
}

export interface Area {
  code: string;
  name: string;
  level: AreaLevel;
  parentCode: string | null;
  childCount: number;
}

export interface AreaSearchHit extends Area {
  path: string;
}

export interface Items<T> {
  items: T[];
}

export interface Page<T> extends Items<T> {
  total: number;
}

export interface BoundaryProperties {
  code: string;
  name: string;
  level: AreaLevel;
  cp: [number, number] | null;
}

// A minimal GeoJSON FeatureCollection type; ECharts reads the geometry, we only read the properties.
export interface BoundaryCollection {
  type: 'FeatureCollection';
  features: { type: 'Feature'; properties: BoundaryProperties; geometry: unknown }[];
}

export interface User {
  id: string | number;
  username: string;
  displayName: string;
  role: Role;
  areaCode: string;
  areaName: string;
  phoneMasked: string | null;
  disabled: boolean;
  createdAt: string;
}

export interface NewUser {
  username: string;
  displayName: string;
  role: Role;
  areaCode: string;
  password: string;
  phone?: string;
}

export interface UserPatch {
  displayName?: string;
  role?: Role;
  areaCode?: string;
  disabled?: boolean;
  phone?: string;
}

export interface AuditRecord {
  id: string | number;
  at: string;
  actorId: string | number | null;
  actorName: string | null;
  ip: string | null;
  action: string;
  entityType: string | null;
  entityId: string | null;
  areaCode: string | null;
  detail: unknown;
}

export interface AuditQuery {
  action?: string;
  actor?: string;
  from?: string;
  to?: string;
  page: number;
  pageSize: number;
}

export interface ApiToken {
  id: string | number;
  name: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface CreatedToken {
  id: string | number;
  name: string;
  token: string;
  expiresAt: string | null;
}
