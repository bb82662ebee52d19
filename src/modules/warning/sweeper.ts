// The sweeper: stored timers (escalation steps, reminders, "135" due times) and device-silence rules, driven by the
// injected clock. The server calls tick() on an interval; tests call it after moving a FakeClock. A timer is
// claimed (pending → done) in the same transaction as its work, so a timer fires once even across a crash or a
// restart: either both the claim and the notifications are committed, or neither is.
import { systemActor } from '../../platform/access.ts';
import type { Platform } from '../../platform/context.ts';
import { newId } from '../../platform/crypto.ts';
import type { Executor } from '../../platform/db/database.ts';
import type { AlertActions } from './alert-actions.ts';
import { tierArea } from './alerts.policy.ts';
import { alertsRepo } from './alerts.repo.ts';
import type { RuleEngine } from './engine.ts';
import { respondersRepo } from './responders.repo.ts';
import { rulesRepo } from './rules.repo.ts';
import type { Ladder, RecipientRole, Tier } from './rules.schema.ts';
import type { AlertRow, AlertTimerRow } from './warning.tables.ts';

const tierNames: Record<Tier, string> = { village: '村级', town: '乡镇', county: '县级', city: '市级' };
const SILENCE_EVERY_MS = 15_000;
const PRUNE_EVERY_MS = 3600_000;

export interface TickResult {
  timers: number;
  silence: number;
}

export class Sweeper {
  private running: Promise<TickResult> | null = null;
  private lastSilence = 0;
  private lastPrune = 0;
  private readonly actor = systemActor('sweeper');

  constructor(
    private readonly p: Platform,
    private readonly actions: AlertActions,
    private readonly engine: RuleEngine,
  ) {}

  /** One pass; overlapping calls share the pass in progress. */
  tick(): Promise<TickResult> {
    this.running ??= this.pass().finally(() => (this.running = null));
    return this.running;
  }

  private async pass(): Promise<TickResult> {
    const now = this.p.clock.now();
    let timers = 0;
    for (;;) {
      const due = await alertsRepo.dueTimers(this.p.db.kysely, now.toISOString(), 200);
      for (const t of due) if (await this.fire(t)) timers++;
      if (due.length < 200) break;
    }
    let silence = 0;
    // Silence is measured in minutes; checking every tick would only repeat the same queries.
    if (now.getTime() - this.lastSilence >= SILENCE_EVERY_MS || now.getTime() < this.lastSilence) {
      this.lastSilence = now.getTime();
      silence = await this.engine.checkSilence();
    }
    if (now.getTime() - this.lastPrune >= PRUNE_EVERY_MS) {
      this.lastPrune = now.getTime();
      await rulesRepo.pruneWindows(this.p.db.kysely, new Date(now.getTime() - 86400_000).toISOString());
    }
    return { timers, silence };
  }

  /** Claims and runs one timer; false when another pass or node had it already. */
  private async fire(t: AlertTimerRow): Promise<boolean> {
    let changed: AlertRow | null = null;
    const at = this.p.clock.now().toISOString();
    const claimed = await this.p.db.kysely.transaction().execute(async (trx) => {
      if (!(await alertsRepo.claimTimer(trx, t.id, at))) return false;
      const alert = await alertsRepo.get(trx, t.alert_id);
      if (!alert) return true;
      const payload = t.payload ? (JSON.parse(t.payload) as Record<string, unknown>) : {};
      if (t.kind === 'escalate') changed = await this.escalate(trx, t, alert, Number(payload.step));
      else if (t.kind === 'remind') changed = await this.remind(trx, t, alert, Number(payload.n ?? 1));
      else if (t.kind === 'answer_due' || t.kind === 'on_scene_due') changed = await this.overdue(trx, t, alert, String(payload.dispatchId));
      return true;
    });
    const c = changed as AlertRow | null;
    if (c) this.p.bus.emit('alert.changed', { id: c.id, areaCode: c.area_code, change: t.kind });
    return claimed;
  }

  private async escalate(trx: Executor, t: AlertTimerRow, alert: AlertRow, stepIndex: number): Promise<AlertRow | null> {
    if (alert.acknowledged_at || alert.state === 'closed' || alert.ladder_step > stepIndex) return null;
    const ladder = JSON.parse(alert.ladder) as Ladder;
    const step = ladder.steps[stepIndex];
    if (!step) return null;
    const patch: Partial<AlertRow> = {
      tier: step.tier,
      tier_area_code: tierArea(alert.area_code, step.tier),
      ladder_step: stepIndex + 1,
      updated_at: this.p.clock.now().toISOString(),
    };
    await alertsRepo.update(trx, alert.id, patch);
    const next = { ...alert, ...patch };
    const roles: RecipientRole[] = ['duty_officers', ...(step.notify ?? [])];
    const targets = await this.actions.recipients(trx, { alert: next, ruleId: alert.rule_id }, roles, []);
    const n = await this.actions.notify(trx, this.actor, { alert: next, ruleId: alert.rule_id }, targets, {
      kind: 'message',
      text: `【升级】{title}（{alert}）超时无人签收，已升级至${tierNames[step.tier]}，请立即处置。`,
      dedupe: `timer:${t.id}`,
    });
    await this.actions.step(trx, alert.id, this.actor, 'escalated', { from: alert.tier, to: step.tier, tierAreaCode: next.tier_area_code, notified: n, step: stepIndex + 1 });
    return next;
  }

  private async remind(trx: Executor, t: AlertTimerRow, alert: AlertRow, n: number): Promise<AlertRow | null> {
    if (alert.acknowledged_at || alert.state === 'closed') return null;
    const ladder = JSON.parse(alert.ladder) as Ladder;
    const targets = await this.actions.recipients(trx, { alert, ruleId: alert.rule_id }, ['duty_officers'], []);
    const sent = await this.actions.notify(trx, this.actor, { alert, ruleId: alert.rule_id }, targets, {
      kind: 'message', text: '【催办】{title}（{alert}）尚未签收，请立即处置。', dedupe: `timer:${t.id}`,
    });
    await this.actions.step(trx, alert.id, this.actor, 'reminded', { n, tier: alert.tier, notified: sent });
    // The next reminder is written with this one's claim: the chain continues exactly once. It counts from now,
    // so that a node that was down does not send a burst of the reminders it missed.
    if (ladder.remindEverySeconds) {
      await alertsRepo.insertTimers(trx, [{
        id: newId(), alert_id: alert.id, kind: 'remind', due_at: new Date(this.p.clock.now().getTime() + ladder.remindEverySeconds * 1000).toISOString(),
        payload: JSON.stringify({ n: n + 1 }), status: 'pending', fired_at: null,
      }]);
    }
    return alert;
  }

  /** A "135" step not done in time is flagged on the dispatch and the alert, and the tier in charge is told. */
  private async overdue(trx: Executor, t: AlertTimerRow, alert: AlertRow, dispatchId: string): Promise<AlertRow | null> {
    const d = await respondersRepo.dispatch(trx, dispatchId);
    if (!d) return null;
    const answer = t.kind === 'answer_due';
    if (answer ? d.answered_at !== null || d.state !== 'dispatched' : d.on_scene_at !== null || !['dispatched', 'answered'].includes(d.state)) return null;
    await respondersRepo.markOverdue(trx, d.id, answer ? 'answer_overdue' : 'on_scene_overdue');
    await alertsRepo.update(trx, alert.id, { overdue: 1, updated_at: this.p.clock.now().toISOString() });
    const what = answer ? '响应' : '到场';
    const targets = await this.actions.recipients(trx, { alert, ruleId: alert.rule_id }, ['duty_officers'], []);
    await this.actions.notify(trx, this.actor, { alert, ruleId: alert.rule_id }, targets, {
      kind: 'message', channel: 'in_app', text: `【超时】{title}（{alert}）出警${what}超时，请督办。`, dedupe: `timer:${t.id}`,
    });
    await this.actions.step(trx, alert.id, this.actor, 'overdue', { step: answer ? 'answer' : 'on_scene', dispatchId: d.id, dueAt: t.due_at });
    return { ...alert, overdue: 1 };
  }
}
