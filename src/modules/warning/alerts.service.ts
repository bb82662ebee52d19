// Alerts as people handle them: the list and the detail (timeline, dispatches, attachments, timers), and the
// lifecycle raised → acknowledged → dispatched → on scene → closed, each step recorded with who and when.
// Any handling step by a person (speaking, dispatching, closing) also acknowledges: the ladder stops.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Actor } from '../../platform/access.ts';
import { assertInScope, inScope, requirePermission } from '../../platform/access.ts';
import type { Platform } from '../../platform/context.ts';
import { newId } from '../../platform/crypto.ts';
import type { Executor } from '../../platform/db/database.ts';
import { errors } from '../../platform/errors.ts';
import type { AlertActions } from './alert-actions.ts';
import { alertStates, localDayBounds, transition, type AlertAction, type Outcome } from './alerts.policy.ts';
import { alertsRepo } from './alerts.repo.ts';
import type { AlertDetail, AlertListQuery, AlertView, DispatchView, StatsView } from './alerts.schema.ts';
import { distanceM } from './geo.ts';
import type { Broadcaster, DeviceLookup } from './ports.ts';
import { respondersRepo } from './responders.repo.ts';
import type { ZonesService } from './zones.service.ts';
import type { AlertRow, DispatchRow } from './warning.tables.ts';

const MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024;

export class AlertsService {
  constructor(
    private readonly p: Platform,
    private readonly actions: AlertActions,
    private readonly zones: ZonesService,
    private readonly broadcaster: Broadcaster,
    private readonly devices: DeviceLookup,
  ) {}

  // ---- reads -----------------------------------------------------------------------------------------------------

  async list(actor: Actor, q: AlertListQuery): Promise<{ items: AlertView[]; total: number }> {
    requirePermission(actor, 'alerts:read');
    const states = q.state === 'open' ? alertStates.filter((s) => s !== 'closed') : q.state?.split(',');
    const { rows, total } = await alertsRepo.list(
      this.p.db.kysely,
      { scope: actor.scope, areaCode: q.areaCode, states, severity: q.severity, subsystem: q.subsystem, from: q.from, to: q.to, overdue: q.overdue === undefined ? undefined : q.overdue === 'true' },
      q.pageSize,
      (q.page - 1) * q.pageSize,
    );
    return { items: rows.map(presentAlert), total };
  }

  async get(actor: Actor, id: string): Promise<AlertDetail> {
    requirePermission(actor, 'alerts:read');
    const alert = await this.loadInScope(actor, id);
    const db = this.p.db.kysely;
    const [steps, dispatches, attachments, timers] = await Promise.all([
      alertsRepo.steps(db, id),
      respondersRepo.dispatchesOf(db, id),
      alertsRepo.attachments(db, id),
      alertsRepo.timersOf(db, id),
    ]);
    const speakerIds = this.speakerIdsOf(alert);
    const speakers = new Map((await this.devices.get(speakerIds)).map((d) => [d.id, d]));
    return {
      ...presentAlert(alert),
      steps: steps.map((s) => ({ id: s.id, at: s.at, action: s.action, actorName: s.actor_name, detail: s.detail ? (JSON.parse(s.detail) as Record<string, unknown>) : null })),
      dispatches: dispatches.map(presentDispatch),
      attachments: attachments.map((a) => ({ id: a.id, name: a.name, contentType: a.content_type, size: a.size, createdBy: a.created_by, createdAt: a.created_at })),
      timers: timers.map((t) => ({ kind: t.kind, dueAt: t.due_at, status: t.status, firedAt: t.fired_at })),
      ladder: JSON.parse(alert.ladder) as unknown,
      speakers: speakerIds.map((sid) => ({ id: sid, name: speakers.get(sid)?.name ?? null, online: speakers.get(sid)?.online ?? null })),
    };
  }

  /** Today's figures for the big screen: counts by county and by subsystem, open alerts, the latest ones. */
  async stats(actor: Actor): Promise<StatsView> {
    requirePermission(actor, 'alerts:read');
    const db = this.p.db.kysely;
    const now = this.p.clock.now();
    const { from, to } = localDayBounds(now);
    const rows = await alertsRepo.countsByCountyAndSubsystem(db, actor.scope, from, to);
    const counties = new Map<string, { total: number; open: number }>();
    const subsystems = new Map<string, number>();
    let total = 0;
    let open = 0;
    for (const r of rows) {
      total += r.n;
      const c = counties.get(r.county) ?? { total: 0, open: 0 };
      c.total += r.n;
      if (r.state !== 'closed') {
        c.open += r.n;
        open += r.n;
      }
      counties.set(r.county, c);
      subsystems.set(r.subsystem, (subsystems.get(r.subsystem) ?? 0) + r.n);
    }
    const names = new Map((await db.selectFrom('areas').select(['code', 'name']).where('code', 'in', [...counties.keys(), '']).execute()).map((a) => [a.code, a.name]));
    const latest = await alertsRepo.list(db, { scope: actor.scope }, 20, 0);
    return {
      day: new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 10),
      total,
      open,
      byCounty: [...counties.entries()].map(([code, c]) => ({ code, name: names.get(code) ?? null, ...c })).sort((a, b) => b.total - a.total || a.code.localeCompare(b.code)),
      bySubsystem: [...subsystems.entries()].map(([subsystem, n]) => ({ subsystem, total: n })).sort((a, b) => b.total - a.total),
      latest: latest.rows.map(presentAlert),
    };
  }

  // ---- handling ----------------------------------------------------------------------------------------------------

  async acknowledge(actor: Actor, id: string, note?: string): Promise<AlertDetail> {
    await this.act(actor, id, 'acknowledge', async (trx) => {
      await this.actions.step(trx, id, actor, 'acknowledged', note ? { note } : undefined);
      return {};
    });
    return this.get(actor, id);
  }

  /** An operator speaks through the zone's loudspeakers by typing text. */
  async speak(actor: Actor, id: string, input: { text: string; repeat: number; deviceIds?: string[] | undefined }): Promise<AlertDetail> {
    requirePermission(actor, 'alerts:handle');
    const alert = await this.loadInScope(actor, id);
    transition(alert.state, 'speak');
    const zoneSpeakers = this.speakerIdsOf(alert);
    const deviceIds = input.deviceIds ?? zoneSpeakers;
    const stray = deviceIds.find((d) => !zoneSpeakers.includes(d));
    if (stray) throw errors.validation('alert.not_a_zone_speaker', `Device ${stray} does not cover this alert's zone.`, [{ field: 'deviceIds', message: 'not a loudspeaker of the zone' }]);
    if (deviceIds.length === 0) throw errors.invalidState('alert.no_speakers', 'No loudspeaker covers the place of this alert.');
    const results = await this.broadcaster.broadcast(actor, { deviceIds, text: input.text, repeat: input.repeat, trace: { alertId: id, ruleId: null } });
    await this.act(actor, id, 'speak', async (trx) => {
      await this.actions.step(trx, id, actor, 'speak', { text: input.text, repeat: input.repeat, devices: results });
      return {};
    });
    await this.actions.recordCommands(this.p.db.kysely, id, input.text, input.repeat, results);
    return this.get(actor, id);
  }

  async dispatch(actor: Actor, id: string, input: { responderId?: string | undefined; kinds: string[] }): Promise<AlertDetail> {
    await this.act(actor, id, 'dispatch', async (trx, alert) => {
      let d: DispatchRow | null;
      if (input.responderId) {
        const r = await respondersRepo.get(trx, input.responderId);
        if (!r || !inScope(actor, r.area_code)) throw errors.notFound('responder', input.responderId);
        if (!r.available) throw errors.invalidState('responder.unavailable', `${r.name} is not available.`);
        const busy = await respondersRepo.openDispatchesOfResponder(trx, r.id);
        if (busy.length) throw errors.invalidState('responder.busy', `${r.name} is already on a dispatch.`);
        const dist = r.lon !== null && r.lat !== null && alert.lon !== null && alert.lat !== null ? distanceM(alert.lon, alert.lat, r.lon, r.lat) : null;
        d = await this.actions.dispatchTo(trx, actor, alert, r.id, dist);
      } else {
        d = await this.actions.dispatchNearest(trx, actor, alert, input.kinds);
      }
      if (!d) throw errors.invalidState('dispatch.nobody_available', 'No responder of these kinds is available near this alert.');
      return { dispatched_at: alert.dispatched_at ?? d.dispatched_at };
    });
    return this.get(actor, id);
  }

  /** Someone reports being on scene for the alert (the open dispatches arrive with it). */
  async onScene(actor: Actor, id: string): Promise<AlertDetail> {
    await this.act(actor, id, 'on_scene', async (trx) => {
      const at = this.p.clock.now().toISOString();
      for (const d of await respondersRepo.dispatchesOf(trx, id)) {
        if (d.state === 'dispatched' || d.state === 'answered') await this.arriveDispatch(trx, actor, d, at);
      }
      await this.actions.step(trx, id, actor, 'on_scene');
      return { on_scene_at: at };
    });
    return this.get(actor, id);
  }

  async close(actor: Actor, id: string, outcome: Outcome, note?: string): Promise<AlertDetail> {
    await this.act(actor, id, 'close', async (trx) => {
      const at = this.p.clock.now().toISOString();
      await alertsRepo.cancelTimers(trx, id, ['escalate', 'remind', 'answer_due', 'on_scene_due']);
      for (const d of await respondersRepo.dispatchesOf(trx, id)) {
        if (d.state === 'dispatched' || d.state === 'answered') await respondersRepo.updateDispatch(trx, d.id, ['dispatched', 'answered'], { state: 'cancelled' });
      }
      await this.actions.step(trx, id, actor, 'closed', { outcome, ...(note ? { note } : {}) });
      return { closed_at: at, closed_by: actor.username, outcome, outcome_note: note ?? null };
    });
    return this.get(actor, id);
  }

  async comment(actor: Actor, id: string, text: string): Promise<AlertDetail> {
    requirePermission(actor, 'alerts:handle');
    const alert = await this.loadInScope(actor, id);
    transition(alert.state, 'comment');
    await this.p.db.kysely.transaction().execute(async (trx) => {
      await this.actions.step(trx, id, actor, 'comment', { text });
      await this.p.audit.record(trx, actor, { action: 'alert.comment', entityType: 'alert', entityId: id, areaCode: alert.area_code });
    });
    this.p.bus.emit('alert.changed', { id, areaCode: alert.area_code, change: 'comment' });
    return this.get(actor, id);
  }

  async attach(actor: Actor, id: string, input: { name: string; contentType: string; data: string }): Promise<AlertDetail> {
    requirePermission(actor, 'alerts:handle');
    const alert = await this.loadInScope(actor, id);
    transition(alert.state, 'attach');
    const bytes = Buffer.from(input.data, 'base64');
    if (bytes.length === 0 || bytes.length > MAX_ATTACHMENT_BYTES) throw errors.validation('attachment.size', 'An attachment must be 1 byte to 5 MiB.', [{ field: 'data', message: '1 byte to 5 MiB' }]);
    const attachmentId = newId();
    const key = `${id}/${attachmentId}`;
    const file = this.attachmentFile(key);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, bytes);
    await this.p.db.kysely.transaction().execute(async (trx) => {
      await alertsRepo.insertAttachment(trx, {
        id: attachmentId, alert_id: id, name: input.name, content_type: input.contentType, size: bytes.length, storage_key: key,
        created_by: actor.username, created_at: this.p.clock.now().toISOString(),
      });
      await this.actions.step(trx, id, actor, 'attachment', { attachmentId, name: input.name, size: bytes.length });
      await this.p.audit.record(trx, actor, { action: 'alert.attach', entityType: 'alert', entityId: id, areaCode: alert.area_code, detail: { name: input.name, size: bytes.length } });
    });
    this.p.bus.emit('alert.changed', { id, areaCode: alert.area_code, change: 'attachment' });
    return this.get(actor, id);
  }

  async attachment(actor: Actor, id: string, attachmentId: string): Promise<{ name: string; contentType: string; data: Buffer }> {
    requirePermission(actor, 'alerts:read');
    await this.loadInScope(actor, id);
    const a = await alertsRepo.attachment(this.p.db.kysely, attachmentId);
    if (!a || a.alert_id !== id) throw errors.notFound('attachment', attachmentId);
    return { name: a.name, contentType: a.content_type, data: await fs.readFile(this.attachmentFile(a.storage_key)) };
  }

  /** Marks a dispatch on scene (used by the operator's "on scene" and by the responder's arrival). */
  async arriveDispatch(trx: Executor, actor: Actor, d: DispatchRow, at: string): Promise<void> {
    const late = at > d.on_scene_due_at;
    await respondersRepo.updateDispatch(trx, d.id, ['dispatched', 'answered'], {
      state: 'on_scene', on_scene_at: at, answered_at: d.answered_at ?? at, ...(late ? { on_scene_overdue: 1 } : {}),
      ...(d.answered_at === null && at > d.answer_due_at ? { answer_overdue: 1 } : {}),
    });
    await alertsRepo.cancelTimers(trx, d.alert_id, ['on_scene_due']);
    if (late) await alertsRepo.update(trx, d.alert_id, { overdue: 1 });
  }

  // ---- helpers -----------------------------------------------------------------------------------------------------

  /**
   * One handling step: permission, scope, the legal move, the state change (only if nobody moved the alert in the
   * meantime), acknowledgement when it is the first human step, the ladder stopped, audit, live push.
   */
  private async act(actor: Actor, id: string, action: AlertAction, work: (trx: Executor, alert: AlertRow) => Promise<Partial<AlertRow>>): Promise<void> {
    requirePermission(actor, 'alerts:handle');
    const alert = await this.loadInScope(actor, id);
    // A person acting on a raised alert has taken it, whatever the step.
    const moved = transition(alert.state, action);
    const next = moved === 'raised' ? 'acknowledged' : moved;
    const now = this.p.clock.now().toISOString();
    await this.p.db.kysely.transaction().execute(async (trx) => {
      const extra = await work(trx, alert);
      const patch: Partial<AlertRow> = { state: next, updated_at: now, ...extra };
      if (!alert.acknowledged_at) {
        patch.acknowledged_at = now;
        patch.acknowledged_by = actor.username;
        if (action !== 'acknowledge') await this.actions.step(trx, id, actor, 'acknowledged', { implicit: action });
      }
      if (!(await alertsRepo.updateFromState(trx, id, alert.state, patch))) {
        throw errors.conflict('alert.changed', 'Someone else handled this alert just now; reload it.');
      }
      await this.actions.stopLadder(trx, id);
      await this.p.audit.record(trx, actor, { action: `alert.${action}`, entityType: 'alert', entityId: id, areaCode: alert.area_code, detail: { from: alert.state, to: next } });
    });
    this.p.bus.emit('alert.changed', { id, areaCode: alert.area_code, change: action });
  }

  async loadInScope(actor: Actor, id: string): Promise<AlertRow> {
    const row = await alertsRepo.get(this.p.db.kysely, id);
    assertInScope(actor, row?.area_code, 'alert', id);
    return row!;
  }

  private speakerIdsOf(alert: AlertRow): string[] {
    const zone = alert.zone_id ? this.zones.index.get(alert.zone_id) : undefined;
    return zone?.speakerIds ?? [];
  }

  private attachmentFile(key: string): string {
    const root = path.resolve(this.p.config.dataDir, 'alert-attachments');
    const f = path.resolve(root, key);
    if (!f.startsWith(root + path.sep)) throw new Error(`attachment key outside the store: ${key}`);
    return f;
  }
}

export function presentAlert(r: AlertRow): AlertView {
  return {
    id: r.id,
    code: r.code,
    title: r.title,
    severity: r.severity,
    state: r.state as AlertView['state'],
    tier: r.tier,
    tierAreaCode: r.tier_area_code,
    areaCode: r.area_code,
    subsystem: r.subsystem,
    eventKind: r.event_kind,
    ruleId: r.rule_id,
    ruleIds: JSON.parse(r.rule_ids) as string[],
    eventId: r.event_id,
    deviceId: r.device_id,
    zoneId: r.zone_id,
    zoneName: r.zone_name,
    lon: r.lon,
    lat: r.lat,
    snapshotIds: r.snapshot_ids ? (JSON.parse(r.snapshot_ids) as string[]) : [],
    match: r.match ? (JSON.parse(r.match) as AlertView['match']) : null,
    raisedAt: r.raised_at,
    acknowledgedAt: r.acknowledged_at,
    acknowledgedBy: r.acknowledged_by,
    dispatchedAt: r.dispatched_at,
    onSceneAt: r.on_scene_at,
    closedAt: r.closed_at,
    closedBy: r.closed_by,
    outcome: r.outcome,
    outcomeNote: r.outcome_note,
    overdue: r.overdue === 1,
    updatedAt: r.updated_at,
  };
}

export function presentDispatch(d: DispatchRow & { responder_name: string; responder_kind: string }): DispatchView {
  const secs = (to: string | null) => (to ? Math.round((Date.parse(to) - Date.parse(d.dispatched_at)) / 1000) : null);
  return {
    id: d.id,
    alertId: d.alert_id,
    responderId: d.responder_id,
    responderName: d.responder_name,
    responderKind: d.responder_kind,
    distanceM: d.distance_m,
    dispatchedAt: d.dispatched_at,
    dispatchedBy: d.dispatched_by,
    answerDueAt: d.answer_due_at,
    onSceneDueAt: d.on_scene_due_at,
    answeredAt: d.answered_at,
    onSceneAt: d.on_scene_at,
    answerSeconds: secs(d.answered_at),
    onSceneSeconds: secs(d.on_scene_at),
    answerOverdue: d.answer_overdue === 1,
    onSceneOverdue: d.on_scene_overdue === 1,
    state: d.state,
  };
}
