// Responders (快警, auxiliary police, water-area keepers, rescue teams, the fire brigade) with their position and
// availability, and their side of a dispatch: answering it (the "1" of 135) and arriving on scene (the "3"/"5").
import type { Actor } from '../../platform/access.ts';
import { assertInScope, inScope, requirePermission } from '../../platform/access.ts';
import type { Platform } from '../../platform/context.ts';
import { maskPhone, newId } from '../../platform/crypto.ts';
import { errors } from '../../platform/errors.ts';
import type { AlertActions } from './alert-actions.ts';
import { alertsRepo } from './alerts.repo.ts';
import type { AlertsService } from './alerts.service.ts';
import { presentDispatch } from './alerts.service.ts';
import type { DispatchView, ResponderView } from './alerts.schema.ts';
import type { Outcome } from './alerts.policy.ts';
import { respondersRepo } from './responders.repo.ts';
import type { ResponderRow } from './warning.tables.ts';
import { zonesRepo } from './zones.repo.ts';

export class RespondersService {
  constructor(
    private readonly p: Platform,
    private readonly actions: AlertActions,
    private readonly alerts: AlertsService,
  ) {}

  async list(actor: Actor): Promise<ResponderView[]> {
    requirePermission(actor, 'alerts:read');
    const db = this.p.db.kysely;
    const rows = await respondersRepo.list(db, actor.scope);
    const busy = new Set<string>();
    for (const r of rows) if ((await respondersRepo.openDispatchesOfResponder(db, r.id)).length) busy.add(r.id);
    return rows.map((r) => this.present(r, busy.has(r.id)));
  }

  async create(actor: Actor, input: { name: string; kind: string; areaCode: string; userId?: string | null | undefined; phone?: string | null | undefined; lon?: number | null | undefined; lat?: number | null | undefined; available: boolean }): Promise<ResponderView> {
    requirePermission(actor, 'rules:write');
    if (!inScope(actor, input.areaCode)) throw errors.notFound('area', input.areaCode);
    const db = this.p.db.kysely;
    if (input.userId) {
      const [u] = await zonesRepo.usersInScope(db, [input.userId], actor.scope);
      if (!u) throw errors.validation('responder.invalid_user', `no user ${input.userId} in your area`, [{ field: 'userId', message: 'no such user in your area' }]);
      if (await respondersRepo.byUser(db, input.userId)) throw errors.conflict('responder.user_taken', 'This user is already a responder.');
    }
    const now = this.p.clock.now().toISOString();
    const row: ResponderRow = {
      id: newId(), user_id: input.userId ?? null, name: input.name, phone_enc: input.phone ? this.p.pii.encrypt(input.phone) : null, kind: input.kind,
      area_code: input.areaCode, lon: input.lon ?? null, lat: input.lat ?? null, position_at: input.lon !== undefined && input.lon !== null ? now : null,
      available: input.available ? 1 : 0, created_at: now, updated_at: now,
    };
    await db.transaction().execute(async (trx) => {
      await respondersRepo.insert(trx, row);
      await this.p.audit.record(trx, actor, { action: 'responder.create', entityType: 'responder', entityId: row.id, areaCode: row.area_code, detail: { name: row.name, kind: row.kind } });
    });
    return this.present(row, false);
  }

  /** Position and availability: from the responder's phone, or set by an operator. */
  async update(actor: Actor, id: string, patch: { lon?: number | undefined; lat?: number | undefined; available?: boolean | undefined; name?: string | undefined }): Promise<ResponderView> {
    const r = await this.loadForChange(actor, id);
    const now = this.p.clock.now().toISOString();
    const set: Partial<ResponderRow> = { updated_at: now };
    if (patch.lon !== undefined && patch.lat !== undefined) Object.assign(set, { lon: patch.lon, lat: patch.lat, position_at: now });
    if (patch.available !== undefined) set.available = patch.available ? 1 : 0;
    if (patch.name !== undefined) set.name = patch.name;
    await this.p.db.kysely.transaction().execute(async (trx) => {
      await respondersRepo.update(trx, id, set);
      await this.p.audit.record(trx, actor, { action: 'responder.update', entityType: 'responder', entityId: id, areaCode: r.area_code, detail: { changed: Object.keys(patch) } });
    });
    const busy = (await respondersRepo.openDispatchesOfResponder(this.p.db.kysely, id)).length > 0;
    return this.present({ ...r, ...set }, busy);
  }

  /** The signed-in responder's own open dispatches (the phone view). */
  async mine(actor: Actor): Promise<DispatchView[]> {
    requirePermission(actor, 'alerts:read');
    const db = this.p.db.kysely;
    const me = actor.userId ? await respondersRepo.byUser(db, actor.userId) : undefined;
    if (!me) return [];
    const open = await respondersRepo.actionableDispatchesOfResponder(db, me.id);
    return open.map((d) => presentDispatch({ ...d, responder_name: me.name, responder_kind: me.kind }));
  }

  /** The responder has taken the dispatch (within 1 minute, or it is flagged overdue). */
  async answer(actor: Actor, dispatchId: string): Promise<DispatchView> {
    const d = await this.loadDispatch(actor, dispatchId);
    const at = this.p.clock.now().toISOString();
    await this.p.db.kysely.transaction().execute(async (trx) => {
      const late = at > d.answer_due_at;
      const ok = await respondersRepo.updateDispatch(trx, d.id, ['dispatched'], { state: 'answered', answered_at: at, ...(late ? { answer_overdue: 1 } : {}) });
      if (!ok) throw errors.invalidState('dispatch.invalid_state', `This dispatch is ${d.state}; it cannot be answered now.`);
      await alertsRepo.cancelTimers(trx, d.alert_id, ['answer_due']);
      if (late) await alertsRepo.update(trx, d.alert_id, { overdue: 1 });
      await this.actions.step(trx, d.alert_id, actor, 'answered', { dispatchId: d.id, seconds: Math.round((Date.parse(at) - Date.parse(d.dispatched_at)) / 1000), overdue: late });
      await this.p.audit.record(trx, actor, { action: 'dispatch.answer', entityType: 'dispatch', entityId: d.id, areaCode: d.area_code });
    });
    this.p.bus.emit('alert.changed', { id: d.alert_id, areaCode: d.area_code, change: 'answered' });
    return this.view(d.id);
  }

  /** The responder is on scene: the dispatch and its alert move on; late arrival is flagged. */
  async arrive(actor: Actor, dispatchId: string): Promise<DispatchView> {
    const d = await this.loadDispatch(actor, dispatchId);
    if (d.state !== 'dispatched' && d.state !== 'answered') throw errors.invalidState('dispatch.invalid_state', `This dispatch is ${d.state}.`);
    const alert = await this.alerts.loadInScope(actor, d.alert_id);
    const at = this.p.clock.now().toISOString();
    await this.p.db.kysely.transaction().execute(async (trx) => {
      await this.alerts.arriveDispatch(trx, actor, d, at);
      if (alert.state !== 'closed' && alert.state !== 'on_scene') {
        await alertsRepo.update(trx, alert.id, { state: 'on_scene', on_scene_at: alert.on_scene_at ?? at, acknowledged_at: alert.acknowledged_at ?? at, acknowledged_by: alert.acknowledged_by ?? actor.username, updated_at: at });
        await alertsRepo.cancelTimers(trx, alert.id, ['escalate', 'remind']);
      }
      await this.actions.step(trx, d.alert_id, actor, 'on_scene', { dispatchId: d.id, seconds: Math.round((Date.parse(at) - Date.parse(d.dispatched_at)) / 1000), overdue: at > d.on_scene_due_at });
      await this.p.audit.record(trx, actor, { action: 'dispatch.arrive', entityType: 'dispatch', entityId: d.id, areaCode: d.area_code });
    });
    this.p.bus.emit('alert.changed', { id: d.alert_id, areaCode: d.area_code, change: 'on_scene' });
    return this.view(d.id);
  }

  /**
   * The responder's report from the scene: a photo (optional) and the outcome, which closes the alert. Only on a
   * dispatch the responder has answered or arrived at.
   */
  async report(actor: Actor, dispatchId: string, input: { outcome: Outcome; note?: string | undefined; photo?: { name: string; contentType: string; data: string } | undefined }): Promise<DispatchView> {
    const d = await this.loadDispatch(actor, dispatchId);
    if (d.state !== 'answered' && d.state !== 'on_scene') throw errors.invalidState('dispatch.invalid_state', `This dispatch is ${d.state}; report after arriving.`);
    if (input.photo) await this.alerts.attach(actor, d.alert_id, input.photo);
    const alert = await this.alerts.loadInScope(actor, d.alert_id);
    if (alert.state !== 'closed') await this.alerts.close(actor, d.alert_id, input.outcome, input.note);
    return this.view(d.id);
  }

  private async view(id: string): Promise<DispatchView> {
    const d = await respondersRepo.dispatch(this.p.db.kysely, id);
    const r = d ? await respondersRepo.get(this.p.db.kysely, d.responder_id) : undefined;
    return presentDispatch({ ...d!, responder_name: r?.name ?? '', responder_kind: r?.kind ?? '' });
  }

  /** A responder acts on their own dispatches only; a handler on any whose area is in their scope. */
  private async loadDispatch(actor: Actor, id: string) {
    requirePermission(actor, 'alerts:handle');
    const db = this.p.db.kysely;
    const d = await respondersRepo.dispatch(db, id);
    assertInScope(actor, d?.area_code, 'dispatch', id);
    if (actor.role === 'responder') {
      const me = actor.userId ? await respondersRepo.byUser(db, actor.userId) : undefined;
      if (!me || me.id !== d!.responder_id) throw errors.notFound('dispatch', id);
    }
    return d!;
  }

  /** A responder may update themself; changing others needs rules:write or alerts:handle within scope. */
  private async loadForChange(actor: Actor, id: string): Promise<ResponderRow> {
    const r = await respondersRepo.get(this.p.db.kysely, id);
    assertInScope(actor, r?.area_code, 'responder', id);
    if (r!.user_id !== actor.userId) {
      if (!actor.permissions.has('rules:write') && !actor.permissions.has('alerts:handle')) {
        throw errors.forbidden('auth.permission_denied', 'You may only change your own responder record.');
      }
    }
    return r!;
  }

  private present(r: ResponderRow, busy: boolean): ResponderView {
    return {
      id: r.id,
      name: r.name,
      kind: r.kind,
      areaCode: r.area_code,
      userId: r.user_id,
      phoneMasked: r.phone_enc ? maskPhone(this.p.pii.decrypt(r.phone_enc)) : null,
      lon: r.lon,
      lat: r.lat,
      positionAt: r.position_at,
      available: r.available === 1,
      busy,
    };
  }
}
