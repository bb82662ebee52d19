// The writes every part of early warning shares, always inside the caller's transaction: the timeline, who gets a
// notification (zone contacts, identified guardians and teachers, duty staff of a tier, named users), the ladder's
// timers, and dispatching the nearest available responder with the "135" due times.
import { systemActor, type Actor } from '../../platform/access.ts';
import { shanghaiDateTime } from '../../platform/clock.ts';
import type { Platform } from '../../platform/context.ts';
import { newId } from '../../platform/crypto.ts';
import type { Executor } from '../../platform/db/database.ts';
import { fastResponseDue, tierArea } from './alerts.policy.ts';
import { alertsRepo } from './alerts.repo.ts';
import { distanceM } from './geo.ts';
import { devicesReadRepo } from './devices.read.ts';
import type { BroadcastResult, Identification, Notifier, PreparedNotifications, Recipient } from './ports.ts';
import { fillTemplate } from './rules.match.ts';
import type { Ladder, RecipientRole, Tier } from './rules.schema.ts';
import { respondersRepo } from './responders.repo.ts';
import type { ZonesService } from './zones.service.ts';
import type { AlertRow, AlertStepRow, AlertTimerRow, DispatchRow } from './warning.tables.ts';

/** The roles that stand duty for alerts at each tier. */
export const dutyRoles: Record<Tier, readonly string[]> = {
  village: ['grid_worker'],
  town: ['town_officer'],
  county: ['county_operator'],
  city: ['city_commander'],
};

export interface NotifyContext {
  alert: Pick<AlertRow, 'id' | 'code' | 'area_code' | 'tier' | 'tier_area_code' | 'zone_id' | 'zone_name' | 'severity' | 'title' | 'raised_at'>;
  ruleId: string | null;
  identification?: Identification | null;
}

export interface NotifyOptions {
  kind: 'message' | 'call';
  text: string;
  channel?: 'sms' | 'voice' | 'webhook' | 'email' | 'in_app';
  dedupe: string;
}

export interface TargetedRecipient {
  key: string;
  recipient: Recipient;
}

export class AlertActions {
  constructor(
    private readonly p: Platform,
    private readonly zones: ZonesService,
    private readonly notifier: Notifier,
  ) {}

  async step(db: Executor, alertId: string, actor: Actor, action: string, detail?: Record<string, unknown>, at?: string): Promise<void> {
    await alertsRepo.insertStep(db, this.stepRow(alertId, actor, action, detail, at));
  }

  /**
   * Remembers the commands a broadcast sent for an alert, so that a failure later reaches its timeline; one that
   * has failed already (a device that refused at once) is put there now. Answers the alerts' ids that changed.
   */
  async recordCommands(db: Executor, alertId: string, text: string, repeat: number, results: readonly BroadcastResult[]): Promise<boolean> {
    const sent = results.filter((r): r is BroadcastResult & { commandId: string } => r.commandId !== null);
    const at = this.p.clock.now().toISOString();
    await alertsRepo.insertCommands(db, sent.map((r) => ({ command_id: r.commandId, alert_id: alertId, device_id: r.deviceId, text, repeat, created_at: at, failed_at: null })));
    let changed = false;
    for (const c of await devicesReadRepo.commandStates(db, sent.map((r) => r.commandId))) {
      if (c.status === 'failed' || c.status === 'expired') changed = (await this.commandFailed(c.id, c.status, c.result)) !== null || changed;
    }
    return changed;
  }

  /**
   * A loudspeaker command of an alert timed out or was refused: the timeline says so (once per command), with what
   * it was to say, so that the operator can try again or use another loudspeaker. Answers the alert's id, or null
   * when the command belongs to no alert or its failure is known already.
   */
  async commandFailed(commandId: string, status: string, result: string | null): Promise<{ alertId: string; areaCode: string } | null> {
    return this.p.db.kysely.transaction().execute(async (trx) => {
      const c = await alertsRepo.markCommandFailed(trx, commandId, this.p.clock.now().toISOString());
      if (!c) return null;
      const alert = await alertsRepo.get(trx, c.alert_id);
      if (!alert) return null;
      const [device] = await devicesReadRepo.get(trx, [c.device_id]);
      await this.step(trx, c.alert_id, systemActor('devices'), 'broadcast_failed', {
        commandId, deviceId: c.device_id, device: device?.name ?? null, status, reason: status === 'expired' ? 'no_answer' : 'refused', result, text: c.text, repeat: c.repeat,
      });
      return { alertId: alert.id, areaCode: alert.area_code };
    });
  }

  /** A timeline entry to write later (with others, in one statement); its id fixes its place in the timeline now. */
  stepRow(alertId: string, actor: Actor, action: string, detail?: Record<string, unknown>, at?: string): AlertStepRow {
    return {
      id: stepId(),
      alert_id: alertId,
      at: at ?? this.p.clock.now().toISOString(),
      action,
      actor_id: actor.userId,
      actor_name: actor.kind === 'system' ? actor.username : actor.displayName || actor.username,
      detail: detail ? JSON.stringify(detail) : null,
    };
  }

  /** Who the roles and named users of an action are, for this alert. Each has a stable key for de-duplication. */
  async recipients(db: Executor, ctx: NotifyContext, roles: readonly RecipientRole[], userIds: readonly string[]): Promise<TargetedRecipient[]> {
    const out = new Map<string, Recipient>();
    const contactRoles = roles.filter((r) => !['guardians', 'class_teacher', 'duty_officers'].includes(r));
    // The zone's contacts and the duty staff are read at once (two connections on PostgreSQL).
    const [contacts, duty] = await Promise.all([
      contactRoles.length && ctx.alert.zone_id ? this.zones.contactsOf(db, [ctx.alert.zone_id]) : [],
      roles.includes('duty_officers') ? alertsRepo.dutyUsers(db, ctx.alert.tier_area_code, dutyRoles[ctx.alert.tier as Tier] ?? []) : [],
    ]);
    for (const c of contacts) {
      if (!(contactRoles as string[]).includes(c.role)) continue;
      if (c.user_id) out.set(`user:${c.user_id}`, { type: 'user', userId: c.user_id });
      else if (c.phone) out.set(`contact:${c.id}`, { type: 'address', channel: 'sms', address: c.phone, name: c.name });
    }
    const id = ctx.identification;
    if (id && roles.includes('guardians')) for (const g of id.guardians) out.set(keyOf(g), g);
    if (id && roles.includes('class_teacher')) for (const t of id.classTeachers) out.set(keyOf(t), t);
    for (const u of duty) out.set(`user:${u.id}`, { type: 'user', userId: u.id });
    for (const u of userIds) out.set(`user:${u}`, { type: 'user', userId: u });
    return [...out.entries()].map(([key, recipient]) => ({ key, recipient }));
  }

  /**
   * Puts one notification (or call) per recipient in the outbox, in this transaction. `dedupe` names the cause
   * (a rule firing, a timer); with the recipient's key it makes the outbox's idempotency key.
   */
  async notify(db: Executor, actor: Actor, ctx: NotifyContext, targets: readonly TargetedRecipient[], opts: NotifyOptions): Promise<number> {
    const prepared = await this.prepareNotify(db, actor, ctx, targets, opts);
    await this.notifier.write(db, actor, [prepared]);
    return prepared.deliverable;
  }

  /** The reading half of `notify` (recipients resolved, texts rendered), for a caller that writes later. */
  prepareNotify(db: Executor, actor: Actor, ctx: NotifyContext, targets: readonly TargetedRecipient[], opts: NotifyOptions): Promise<PreparedNotifications> {
    const text = fillTemplate(opts.text, this.templateValues(ctx));
    return this.notifier.prepare(
      db,
      actor,
      targets.map((t) => ({
        recipient: opts.kind === 'call' && t.recipient.type === 'address' ? { ...t.recipient, channel: 'voice' as const } : t.recipient,
        kind: opts.kind,
        ...(opts.channel ? { channel: opts.channel } : {}),
        text,
        trace: { alertId: ctx.alert.id || null, ruleId: ctx.ruleId },
        dedupeKey: `${opts.dedupe}:${opts.kind}:${t.key}`,
        areaCode: ctx.alert.area_code,
      })),
    );
  }

  /** Puts prepared notifications in the outbox (one statement for all of them), in this transaction. */
  async writeNotifications(db: Executor, actor: Actor, prepared: readonly PreparedNotifications[]): Promise<void> {
    await this.notifier.write(db, actor, prepared);
  }

  templateValues(ctx: NotifyContext): Record<string, string | null> {
    const id = ctx.identification;
    return {
      alert: ctx.alert.code,
      title: ctx.alert.title,
      severity: ctx.alert.severity,
      zone: ctx.alert.zone_name ?? '',
      time: shanghaiDateTime(ctx.alert.raised_at),
      student: id?.name ?? null,
      school: id?.school ?? null,
      class: id?.className ?? null,
      score: id?.score !== null && id?.score !== undefined ? id.score.toFixed(2) : null,
    };
  }

  /** The ladder's timers for a new alert: one per step, and the first reminder. */
  async scheduleLadder(db: Executor, alertId: string, ladder: Ladder, raisedAt: Date): Promise<void> {
    await alertsRepo.insertTimers(db, this.ladderTimers(alertId, ladder, raisedAt));
  }

  ladderTimers(alertId: string, ladder: Ladder, raisedAt: Date): AlertTimerRow[] {
    const rows: AlertTimerRow[] = ladder.steps.map((s, i) => ({
      id: newId(), alert_id: alertId, kind: 'escalate', due_at: new Date(raisedAt.getTime() + s.afterSeconds * 1000).toISOString(),
      payload: JSON.stringify({ step: i }), status: 'pending', fired_at: null,
    }));
    if (ladder.remindEverySeconds) {
      rows.push({ id: newId(), alert_id: alertId, kind: 'remind', due_at: new Date(raisedAt.getTime() + ladder.remindEverySeconds * 1000).toISOString(), payload: JSON.stringify({ n: 1 }), status: 'pending', fired_at: null });
    }
    return rows;
  }

  /** Someone has taken the alert: the ladder stops. */
  async stopLadder(db: Executor, alertId: string): Promise<void> {
    await alertsRepo.cancelTimers(db, alertId, ['escalate', 'remind']);
  }

  /**
   * Sends the nearest available responder (of these kinds, within the alert's county) to the alert, with the
   * "135" due times stored as timers. Returns null when nobody is available.
   */
  async dispatchNearest(db: Executor, actor: Actor, alert: AlertRow, kinds: readonly string[], maxDistanceM?: number): Promise<DispatchRow | null> {
    if (alert.lon === null || alert.lat === null) return null;
    const candidates = await respondersRepo.available(db, tierArea(alert.area_code, 'county'), kinds);
    let best: { id: string; d: number } | null = null;
    for (const r of candidates) {
      const d = distanceM(alert.lon, alert.lat, r.lon!, r.lat!);
      if (maxDistanceM !== undefined && d > maxDistanceM) continue;
      if (!best || d < best.d) best = { id: r.id, d };
    }
    if (!best) return null;
    return this.dispatchTo(db, actor, alert, best.id, best.d);
  }

  async dispatchTo(db: Executor, actor: Actor, alert: AlertRow, responderId: string, distance: number | null): Promise<DispatchRow> {
    const now = this.p.clock.now();
    const due = fastResponseDue(alert.area_code, now);
    const row: DispatchRow = {
      id: newId(), alert_id: alert.id, responder_id: responderId, area_code: alert.area_code,
      distance_m: distance === null ? null : Math.round(distance), dispatched_at: now.toISOString(), dispatched_by: actor.username,
      answer_due_at: due.answerDueAt.toISOString(), on_scene_due_at: due.onSceneDueAt.toISOString(),
      answered_at: null, on_scene_at: null, answer_overdue: 0, on_scene_overdue: 0, state: 'dispatched',
    };
    await respondersRepo.insertDispatch(db, row);
    await alertsRepo.insertTimers(db, [
      { id: newId(), alert_id: alert.id, kind: 'answer_due', due_at: row.answer_due_at, payload: JSON.stringify({ dispatchId: row.id }), status: 'pending', fired_at: null },
      { id: newId(), alert_id: alert.id, kind: 'on_scene_due', due_at: row.on_scene_due_at, payload: JSON.stringify({ dispatchId: row.id }), status: 'pending', fired_at: null },
    ]);
    const responder = await respondersRepo.get(db, responderId);
    await this.step(db, alert.id, actor, 'dispatched', {
      dispatchId: row.id, responderId, responder: responder?.name ?? null, kind: responder?.kind ?? null,
      distanceM: row.distance_m, answerDueAt: row.answer_due_at, onSceneDueAt: row.on_scene_due_at,
    });
    // The responder hears of it through the outbox like everyone else (in-app for users, SMS otherwise).
    if (responder) {
      const recipient: Recipient = responder.user_id
        ? { type: 'user', userId: responder.user_id }
        : { type: 'address', channel: 'sms', address: responder.phone_enc ? this.p.pii.decrypt(responder.phone_enc) : '', name: responder.name };
      if (recipient.type === 'user' || recipient.address) {
        await this.notify(db, actor, { alert, ruleId: alert.rule_id }, [{ key: `responder:${responderId}`, recipient }], {
          kind: 'message', text: '【出警】{title}：{zone}，预警编号 {alert}，请 1 分钟内响应。', dedupe: `dispatch:${row.id}`,
        });
      }
    }
    return row;
  }
}

let stepSerial = 0;
/**
 * Timeline ids sort in the order the steps were written (the timeline orders by time, then id): steps written in
 * the same millisecond (one transaction) keep their order.
 */
function stepId(): string {
  stepSerial = (stepSerial + 1) % 36 ** 6;
  return `${Date.now().toString(36).padStart(9, '0')}-${stepSerial.toString(36).padStart(6, '0')}-${newId().slice(0, 8)}`;
}

function keyOf(r: Recipient): string {
  if (r.type === 'user') return `user:${r.userId}`;
  if (r.type === 'person') return `${r.kind}:${r.personId}`;
  return `${r.channel}:${r.address}`;
}
