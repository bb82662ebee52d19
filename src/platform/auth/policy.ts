// Permissions in one place: what each role may do. Where a role may act is its area subtree (platform/access.ts).

export const roles = [
  'city_commander',
  'county_operator',
  'town_officer',
  'grid_worker',
  'mediator',
  'responder',
  'leader',
  'integrator',
  'admin',
] as const;
export type Role = (typeof roles)[number];

export const permissions = [
  'areas:read',
  'areas:write',
  'users:read',
  'users:write',
  'audit:read',
  'tokens:manage',
  /** Reveal personal data (ID numbers, phones, key-person records) unmasked; every reveal is audited. */
  'pii:reveal',
  'devices:read',
  'devices:write',
  'alerts:read',
  'alerts:handle',
  'rules:write',
  'cases:read',
  'cases:intake',
  'cases:handle',
  'cases:manage',
  'people:read',
  'people:write',
  'indicators:read',
  'indicators:write',
] as const;
export type Permission = (typeof permissions)[number];

const readAll: Permission[] = ['areas:read', 'devices:read', 'alerts:read', 'cases:read', 'people:read', 'indicators:read'];

export const rolePermissions: Record<Role, readonly Permission[]> = {
  city_commander: [...readAll, 'alerts:handle', 'cases:intake', 'cases:handle', 'cases:manage', 'pii:reveal', 'rules:write'],
  county_operator: [...readAll, 'alerts:handle', 'cases:intake', 'cases:handle', 'cases:manage', 'pii:reveal', 'rules:write'],
  town_officer: [...readAll, 'alerts:handle', 'cases:intake', 'cases:handle', 'people:write', 'pii:reveal'],
  grid_worker: ['areas:read', 'alerts:read', 'cases:read', 'cases:intake', 'people:read', 'people:write'],
  mediator: ['areas:read', 'cases:read', 'cases:intake', 'cases:handle', 'people:read', 'pii:reveal'],
  responder: ['areas:read', 'alerts:read', 'alerts:handle', 'devices:read'],
  leader: [...readAll],
  integrator: ['areas:read', 'devices:read', 'devices:write', 'rules:write', 'tokens:manage', 'alerts:read'],
  admin: [...readAll, 'areas:write', 'users:read', 'users:write', 'audit:read', 'tokens:manage', 'pii:reveal', 'devices:write', 'rules:write', 'indicators:write', 'people:write', 'cases:manage'],
};

export function permissionsOf(role: Role): ReadonlySet<Permission> {
  return new Set(rolePermissions[role]);
}

export function isRole(value: string): value is Role {
  return (roles as readonly string[]).includes(value);
}
