// Who is acting, and where they may act. Every read of areas, people, alerts or cases is filtered by the actor's
// scope: the code prefix of the area they are bound to (`430523` = Shaoyang County and everything in it).
import { errors } from './errors.ts';
import { permissionsOf, type Permission, type Role } from './auth/policy.ts';

export interface Actor {
  kind: 'user' | 'system';
  userId: string | null;
  username: string;
  displayName: string;
  role: Role;
  /** The area the actor is bound to. */
  areaCode: string;
  /** The code prefix of that area's subtree. */
  scope: string;
  permissions: ReadonlySet<Permission>;
  ip: string | null;
}

/**
 * The prefix shared by an area's code and all its descendants' codes. County and below: the code itself.
 * Prefecture-level codes end in 00 (430500 → '4305'), provinces in 0000 (430000 → '43').
 */
export function scopePrefix(code: string): string {
  if (code.length === 6) {
    if (code.endsWith('0000')) return code.slice(0, 2);
    if (code.endsWith('00')) return code.slice(0, 4);
  }
  return code;
}

export function inScope(actor: Pick<Actor, 'scope'>, areaCode: string | null | undefined): boolean {
  return typeof areaCode === 'string' && areaCode.startsWith(actor.scope);
}

/** Throws not-found (never "forbidden") for records outside the scope, so that their existence is not revealed. */
export function assertInScope(actor: Pick<Actor, 'scope'>, areaCode: string | null | undefined, entity: string, id: string): void {
  if (!inScope(actor, areaCode)) throw errors.notFound(entity, id);
}

export function requirePermission(actor: Actor, permission: Permission): void {
  if (!actor.permissions.has(permission)) {
    throw errors.forbidden('auth.permission_denied', `Your role (${actor.role}) may not do this (${permission}).`);
  }
}

/** The actor for command-line and start-up work: the whole tree, every permission, recorded as "system". */
export function systemActor(name = 'system'): Actor {
  return {
    kind: 'system',
    userId: null,
    username: name,
    displayName: name,
    role: 'admin',
    areaCode: '',
    scope: '',
    permissions: permissionsOf('admin'),
    ip: null,
  };
}
