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
  /** Send commands to devices (speak through a loudspeaker, strobe, PTZ preset, reboot). */
  'devices:command',
  'alerts:read',
  'alerts:handle',
  'rules:write',
  'cases:read',
  'cases:intake',
  'cases:handle',
  /** Dispatch: assign a case to a mediator, escalate it to the centre above (centre staff, not the mediators). */
  'cases:assign',
  'cases:manage',
  'people:read',
  'people:write',
  'indicators:read',
  'indicators:write',
  /** Entering figures for entered indicators (a town's or county's own figures). */
  'indicators:enter',
  /** Approving or accepting entered figures at one's own level. */
  'indicators:approve',
  /** The notification log, in-app inbox excepted (which every user has for themselves). */
  'notify:read',
  /** Channel configuration and retrying dead notifications. */
  'notify:manage',
  /** The student library (schools, classes, students, guardians, class teachers), masked. */
  'students:read',
  /** Changing the student library and enrolling faces. */
  'students:write',
] as const;
export type Permission = (typeof permissions)[number];

const readAll: Permission[] = ['areas:read', 'devices:read', 'alerts:read', 'cases:read', 'people:read', 'indicators:read'];

export const rolePermissions: Record<Role, readonly Permission[]> = {
  city_commander: [...readAll, 'indicators:approve', 'devices:command', 'alerts:handle', 'cases:intake', 'cases:handle', 'cases:assign', 'cases:manage', 'pii:reveal', 'rules:write', 'notify:read', 'students:read'],
  county_operator: [...readAll, 'indicators:enter', 'indicators:approve', 'devices:command', 'alerts:handle', 'cases:intake', 'cases:handle', 'cases:assign', 'cases:manage', 'pii:reveal', 'rules:write', 'notify:read', 'notify:manage', 'students:read', 'students:write'],
  town_officer: [...readAll, 'indicators:enter', 'devices:command', 'alerts:handle', 'cases:intake', 'cases:handle', 'cases:assign', 'people:write', 'pii:reveal', 'notify:read', 'students:read'],
  grid_worker: ['areas:read', 'alerts:read', 'cases:read', 'cases:intake', 'people:read', 'people:write'],
  mediator: ['areas:read', 'cases:read', 'cases:intake', 'cases:handle', 'people:read', 'pii:reveal'],
  responder: ['areas:read', 'alerts:read', 'alerts:handle', 'devices:read', 'devices:command'],
  leader: [...readAll],
  integrator: ['areas:read', 'devices:read', 'devices:write', 'devices:command', 'rules:write', 'tokens:manage', 'alerts:read', 'notify:read', 'notify:manage'],
  admin: [...readAll, 'areas:write', 'users:read', 'users:write', 'audit:read', 'tokens:manage', 'pii:reveal', 'devices:write', 'devices:command', 'rules:write', 'indicators:write', 'indicators:enter', 'indicators:approve', 'people:write', 'cases:manage', 'notify:read', 'notify:manage', 'students:read', 'students:write'],
};

export function permissionsOf(role: Role): ReadonlySet<Permission> {
  return new Set(rolePermissions[role]);
}

export function isRole(value: string): value is Role {
  return (roles as readonly string[]).includes(value);
}
