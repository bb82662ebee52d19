// Accounts: users bound to one area, sessions and API tokens, login with lock-out, personal data of users.
import type { Actor } from '../../platform/access.ts';
import { assertInScope, inScope, requirePermission, scopePrefix } from '../../platform/access.ts';
import { dummyHash, hashPassword, newToken, verifyPassword } from '../../platform/auth/passwords.ts';
import { isRole, permissionsOf, type Role } from '../../platform/auth/policy.ts';
import type { Platform } from '../../platform/context.ts';
import { maskPhone, newId, sha256Hex } from '../../platform/crypto.ts';
import { errors } from '../../platform/errors.ts';
import type { AreasService } from '../areas/areas.service.ts';
import { accountsRepo, type UserWithArea } from './accounts.repo.ts';
import type { CreateUserInput, MeView, UpdateUserInput, UserView } from './accounts.schema.ts';
import type { SessionRow } from './accounts.tables.ts';

const LOCK_WINDOW_MS = 15 * 60_000;
const TOUCH_EVERY_MS = 60_000;

export class AccountsService {
  constructor(
    private readonly p: Platform,
    private readonly areas: AreasService,
  ) {}

  // ---- sessions ----------------------------------------------------------------------------------------------

  async login(username: string, password: string, ip: string | null): Promise<{ token: string; expiresAt: string; user: MeView }> {
    const { db } = this.p;
    const now = this.p.clock.now();
    const since = new Date(now.getTime() - LOCK_WINDOW_MS).toISOString();
    const failures = await accountsRepo.countRecentFailures(db.kysely, username, since);
    if (failures >= this.p.config.loginMaxFailures) {
      throw errors.rateLimited('auth.locked', 'Too many failed sign-ins for this account; try again in 15 minutes.');
    }
    const user = await accountsRepo.findUserByUsername(db.kysely, username);
    const ok = await verifyPassword(password, user?.password_hash ?? dummyHash);
    if (!user || !ok || user.disabled) {
      await db.kysely.transaction().execute(async (trx) => {
        await accountsRepo.insertFailure(trx, { id: newId(), username, at: now.toISOString(), ip });
        await this.p.audit.record(trx, anonymous(username, ip), {
          action: 'auth.login_failed',
          entityType: 'user',
          entityId: user?.id ?? null,
          areaCode: user?.area_code ?? null,
          detail: { reason: !user ? 'unknown_user' : user.disabled ? 'disabled' : 'bad_password' },
        });
      });
      throw errors.invalidCredentials();
    }
    const token = newToken('session');
    const expiresAt = new Date(now.getTime() + this.p.config.sessionTtlHours * 3600_000).toISOString();
    await db.kysely.transaction().execute(async (trx) => {
      await accountsRepo.insertSession(trx, {
        id: newId(),
        token_hash: sha256Hex(token),
        user_id: user.id,
        kind: 'session',
        name: null,
        created_at: now.toISOString(),
        expires_at: expiresAt,
        last_used_at: now.toISOString(),
        revoked_at: null,
        ip,
      });
      await accountsRepo.clearFailures(trx, username);
      await this.p.audit.record(trx, { ...anonymous(username, ip), userId: user.id }, {
        action: 'auth.login',
        entityType: 'user',
        entityId: user.id,
        areaCode: user.area_code,
      });
    });
    const me = await this.me(user.id);
    return { token, expiresAt, user: me };
  }

  /** Resolves a bearer secret to the acting user, or null when it is unknown, expired, revoked or disabled. */
  async authenticate(token: string, ip: string | null): Promise<{ actor: Actor; session: SessionRow } | null> {
    const db = this.p.db.kysely;
    const session = await accountsRepo.findSessionByHash(db, sha256Hex(token));
    const now = this.p.clock.now();
    if (!session || session.revoked_at || session.expires_at <= now.toISOString()) return null;
    const user = await accountsRepo.findUser(db, session.user_id);
    if (!user || user.disabled || !isRole(user.role)) return null;
    if (!session.last_used_at || now.getTime() - Date.parse(session.last_used_at) > TOUCH_EVERY_MS) {
      await accountsRepo.touchSession(db, session.id, now.toISOString());
    }
    return { actor: actorOf(user, user.role, ip), session };
  }

  async logout(actor: Actor, sessionId: string): Promise<void> {
    await this.p.db.kysely.transaction().execute(async (trx) => {
      await accountsRepo.revokeSession(trx, sessionId, this.p.clock.now().toISOString());
      await this.p.audit.record(trx, actor, { action: 'auth.logout', entityType: 'session', entityId: sessionId, areaCode: actor.areaCode });
    });
  }

  async me(userId: string): Promise<MeView> {
    const u = await accountsRepo.findUser(this.p.db.kysely, userId);
    if (!u || !isRole(u.role)) throw errors.unauthenticated();
    return {
      id: u.id,
      username: u.username,
      displayName: u.display_name,
      role: u.role,
      areaCode: u.area_code,
      areaName: u.area_name,
      areaLevel: u.area_level,
      permissions: [...permissionsOf(u.role)].sort(),
    };
  }

  // ---- users ---------------------------------------------------------------------------------------------------

  async listUsers(actor: Actor, q: string | undefined, page: number, pageSize: number): Promise<{ items: UserView[]; total: number }> {
    requirePermission(actor, 'users:read');
    const { rows, total } = await accountsRepo.listUsers(this.p.db.kysely, this.p.db.dialect, actor.scope, q, pageSize, (page - 1) * pageSize);
    return { items: rows.map((r) => this.present(r)), total };
  }

  async getUser(actor: Actor, id: string): Promise<UserView> {
    requirePermission(actor, 'users:read');
    return this.present(await this.loadInScope(actor, id));
  }

  async createUser(actor: Actor, input: CreateUserInput): Promise<UserView> {
    requirePermission(actor, 'users:write');
    await this.checkAssignable(actor, input.areaCode, input.role);
    const db = this.p.db.kysely;
    if (await accountsRepo.findUserByUsername(db, input.username)) {
      throw errors.conflict('user.username_taken', `The username ${input.username} is taken.`);
    }
    const now = this.p.clock.now().toISOString();
    const id = newId();
    const passwordHash = await hashPassword(input.password);
    await db.transaction().execute(async (trx) => {
      await accountsRepo.insertUser(trx, {
        id,
        username: input.username,
        display_name: input.displayName,
        role: input.role,
        area_code: input.areaCode,
        password_hash: passwordHash,
        phone_enc: input.phone ? this.p.pii.encrypt(input.phone) : null,
        phone_index: input.phone ? this.p.pii.blindIndex(input.phone) : null,
        disabled: 0,
        created_at: now,
        updated_at: now,
      });
      await this.p.audit.record(trx, actor, {
        action: 'user.create',
        entityType: 'user',
        entityId: id,
        areaCode: input.areaCode,
        detail: { username: input.username, role: input.role, areaCode: input.areaCode, phone: input.phone ? 'set' : 'none' },
      });
    });
    this.p.bus.emit('user.created', { id, areaCode: input.areaCode, role: input.role });
    return this.getUser(actor, id);
  }

  async updateUser(actor: Actor, id: string, input: UpdateUserInput): Promise<UserView> {
    requirePermission(actor, 'users:write');
    const current = await this.loadInScope(actor, id);
    const role: Role = input.role ?? (isRole(current.role) ? current.role : 'leader');
    const areaCode = input.areaCode ?? current.area_code;
    if (input.role || input.areaCode) await this.checkAssignable(actor, areaCode, role);
    if (actor.userId === id && (input.disabled || (input.role && input.role !== current.role))) {
      throw errors.invalidState('user.self_change', 'You cannot disable yourself or change your own role.');
    }
    const patch: Parameters<typeof accountsRepo.updateUser>[2] = { updated_at: this.p.clock.now().toISOString() };
    const changed: Record<string, unknown> = {};
    if (input.displayName !== undefined) {
      patch.display_name = input.displayName;
      changed.displayName = input.displayName;
    }
    if (input.role !== undefined) {
      patch.role = input.role;
      changed.role = input.role;
    }
    if (input.areaCode !== undefined) {
      patch.area_code = input.areaCode;
      changed.areaCode = input.areaCode;
    }
    if (input.disabled !== undefined) {
      patch.disabled = input.disabled ? 1 : 0;
      changed.disabled = input.disabled;
    }
    if (input.phone !== undefined) {
      patch.phone_enc = input.phone ? this.p.pii.encrypt(input.phone) : null;
      patch.phone_index = input.phone ? this.p.pii.blindIndex(input.phone) : null;
      changed.phone = input.phone ? 'changed' : 'removed';
    }
    if (input.password !== undefined) {
      patch.password_hash = await hashPassword(input.password);
      changed.password = 'changed';
    }
    await this.p.db.kysely.transaction().execute(async (trx) => {
      await accountsRepo.updateUser(trx, id, patch);
      // Disabling, moving or re-roling a user ends their sessions: their old scope must not linger.
      if (input.disabled || input.role || input.areaCode || input.password) {
        await accountsRepo.revokeUserSessions(trx, id, this.p.clock.now().toISOString(), 'session');
      }
      await this.p.audit.record(trx, actor, { action: 'user.update', entityType: 'user', entityId: id, areaCode: current.area_code, detail: changed });
    });
    this.p.bus.emit('user.updated', { id, areaCode });
    return this.getUser(actor, id);
  }

  async revokeSessions(actor: Actor, id: string): Promise<number> {
    requirePermission(actor, 'users:write');
    const user = await this.loadInScope(actor, id);
    return this.p.db.kysely.transaction().execute(async (trx) => {
      const n = await accountsRepo.revokeUserSessions(trx, id, this.p.clock.now().toISOString());
      await this.p.audit.record(trx, actor, { action: 'user.revoke_sessions', entityType: 'user', entityId: id, areaCode: user.area_code, detail: { revoked: n } });
      return n;
    });
  }

  /** Shows a user's phone number in full: needs pii:reveal, and the read is audited. */
  async revealPhone(actor: Actor, id: string): Promise<string | null> {
    requirePermission(actor, 'pii:reveal');
    requirePermission(actor, 'users:read');
    const user = await this.loadInScope(actor, id);
    await this.p.audit.personalDataRead(this.p.db.kysely, actor, 'user', id, user.area_code, ['phone']);
    return user.phone_enc ? this.p.pii.decrypt(user.phone_enc) : null;
  }

  // ---- API tokens ----------------------------------------------------------------------------------------------

  async listTokens(actor: Actor) {
    requirePermission(actor, 'tokens:manage');
    const rows = await accountsRepo.listApiTokens(this.p.db.kysely, actor.userId ?? '');
    return rows.map((r) => ({ id: r.id, name: r.name, createdAt: r.created_at, expiresAt: r.expires_at, lastUsedAt: r.last_used_at, revokedAt: r.revoked_at }));
  }

  async createToken(actor: Actor, name: string, days: number) {
    requirePermission(actor, 'tokens:manage');
    if (!actor.userId) throw errors.invalidState('token.no_user', 'Only a user can own an API token.');
    const now = this.p.clock.now();
    const token = newToken('api');
    const id = newId();
    const expiresAt = new Date(now.getTime() + days * 86400_000).toISOString();
    await this.p.db.kysely.transaction().execute(async (trx) => {
      await accountsRepo.insertSession(trx, {
        id, token_hash: sha256Hex(token), user_id: actor.userId!, kind: 'api', name,
        created_at: now.toISOString(), expires_at: expiresAt, last_used_at: null, revoked_at: null, ip: actor.ip,
      });
      await this.p.audit.record(trx, actor, { action: 'token.create', entityType: 'token', entityId: id, areaCode: actor.areaCode, detail: { name, days } });
    });
    return { id, name, token, expiresAt };
  }

  async revokeToken(actor: Actor, id: string): Promise<void> {
    requirePermission(actor, 'tokens:manage');
    const rows = await accountsRepo.listApiTokens(this.p.db.kysely, actor.userId ?? '');
    if (!rows.some((r) => r.id === id)) throw errors.notFound('token', id);
    await this.p.db.kysely.transaction().execute(async (trx) => {
      await accountsRepo.revokeSession(trx, id, this.p.clock.now().toISOString());
      await this.p.audit.record(trx, actor, { action: 'token.revoke', entityType: 'token', entityId: id, areaCode: actor.areaCode });
    });
  }

  // ---- helpers -------------------------------------------------------------------------------------------------

  private async loadInScope(actor: Actor, id: string): Promise<UserWithArea> {
    const user = await accountsRepo.findUser(this.p.db.kysely, id);
    assertInScope(actor, user?.area_code, 'user', id);
    return user!;
  }

  /** A user can be placed only in an existing area inside the actor's scope; only a whole-tree admin makes admins above a county. */
  private async checkAssignable(actor: Actor, areaCode: string, role: Role): Promise<void> {
    if (!inScope(actor, areaCode)) throw errors.notFound('area', areaCode);
    await this.areas.get(actor, areaCode);
    if (role === 'admin' && actor.scope !== '' && scopePrefix(areaCode).length < actor.scope.length) {
      throw errors.forbidden('user.role_above_scope', 'You cannot create an administrator above your own area.');
    }
  }

  private present(u: UserWithArea): UserView {
    let phoneMasked: string | null = null;
    if (u.phone_enc) phoneMasked = maskPhone(this.p.pii.decrypt(u.phone_enc));
    return {
      id: u.id,
      username: u.username,
      displayName: u.display_name,
      role: isRole(u.role) ? u.role : 'leader',
      areaCode: u.area_code,
      areaName: u.area_name,
      phoneMasked,
      disabled: u.disabled === 1,
      createdAt: u.created_at,
    };
  }
}

export function actorOf(user: { id: string; username: string; display_name: string; area_code: string }, role: Role, ip: string | null): Actor {
  return {
    kind: 'user',
    userId: user.id,
    username: user.username,
    displayName: user.display_name,
    role,
    areaCode: user.area_code,
    scope: scopePrefix(user.area_code),
    permissions: permissionsOf(role),
    ip,
  };
}

function anonymous(username: string, ip: string | null): Actor {
  return { kind: 'user', userId: null, username, displayName: username, role: 'leader', areaCode: '', scope: '\u0000', permissions: new Set(), ip };
}
