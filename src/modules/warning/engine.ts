// The rule engine: every stored device event is matched against the enabled rules (compiled in memory, indexed by
// event kind) and its zones (the in-memory spatial index). A rule that matches fires once per event: the firing,
// the alert, the notifications (outbox), the dispatch and the ladder's timers are written in ONE transaction, then
// the loudspeakers are told. Rules that need the identity of the person wait for the snapshot to be identified;
// the others act at once. Sliding-window counts live in the database, so they survive a restart.
import { scopePrefix, systemActor, type Actor } from '../../platform/access.ts';
import type { Platform } from '../../platform/context.ts';
import { newId } from '../../platform/crypto.ts';
import type { Executor } from '../../platform/db/database.ts';
import { AlertActions } from './alert-actions.ts';
import { alertCode, alertCodeSeries, defaultLadder, startTier, tierArea } from './alerts.policy.ts';
import { alertsRepo } from './alerts.repo.ts';
import type { Broadcaster, DeviceLookup, Identification, Identifier, PreparedNotifications } from './ports.ts';
import { fillTemplate, identityHolds, matchEvent, windowKey, type CompiledRule, type WarningEvent } from './rules.match.ts';
import { rulesRepo } from './rules.repo.ts';
import { severityRank, type Ladder, type RuleAction, type Severity } from './rules.schema.ts';
import type { IndexedZone } from './zone-index.ts';
import type { ZonesService } from './zones.service.ts';
import type { AlertRow, AlertStepRow, AlertTimerRow } from './warning.tables.ts';

declare module '../../platform/bus.ts' {
  interface DomainEvents {
    /** An alert was raised or changed (live push, the big screen). */
    'alert.changed': { id: string; areaCode: string; change: string };
  }
}

type RaiseAction = Extract<RuleAction, { type: 'raise_alert' }>;

interface Matched {
  rule: CompiledRule;
  zones: IndexedZone[];
}

/** A timeline entry (written only when `count`, if given, resolves above 0), or a dispatch to make, in order. */
type PlanOp =
  | { step: string; detail: Record<string, unknown>; count?: Promise<number>; counted?: number }
  | { dispatch: { kinds: readonly string[]; maxDistanceM: number | undefined } };

interface Plan {
  /** The alert the firing adds to (new or existing, with the plan's changes), or null. */
  alert: AlertRow | null;
  /** The row to insert when the alert is new. */
  created: AlertRow | null;
  /** The change to an existing alert. */
  patch: Partial<AlertRow> | null;
  ops: PlanOp[];
  timers: AlertTimerRow[];
  notices: PreparedNotifications[];
  notifications: number;
  fired: Matched[];
  now: string;
  /** The number in the new alert's code. */
  seq: number;
}

/** Lets a promise that may never be awaited fail without an unhandled rejection (whoever awaits it still sees it). */
function quiet<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}

/**
 * How far (in event time) beyond its window a hit is kept after it is retired: an event evaluated again after a
 * restart finds its hit and is not counted twice.
 */
const WINDOW_KEEP_MS = 3600_000;

interface Written {
  alert: AlertRow | null;
  created: boolean;
  notifications: number;
  fired: Matched[];
}

export interface FireOutcome {
  ruleIds: string[];
  alertId: string | null;
  broadcasts: number;
  notifications: number;
}

/** Serialises work per key within this process (one sliding window is counted by one caller at a time). */
class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();
  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const next = new Promise<void>((r) => (release = r));
    const tail = prev.then(() => next);
    this.tails.set(key, tail);
    await prev;
    try {
      return await fn();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}

function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
}

export class RuleEngine {
  private byKind = new Map<string, CompiledRule[]>();
  private silenceRules: CompiledRule[] = [];
  private readonly windows = new KeyedMutex();
  private readonly raising = new KeyedMutex();
  private readonly actor: Actor = systemActor('rules');

  constructor(
    private readonly p: Platform,
    private readonly loadRules: () => Promise<CompiledRule[]>,
    private readonly zones: ZonesService,
    private readonly actions: AlertActions,
    private readonly broadcaster: Broadcaster,
    private readonly identifier: Identifier,
    private readonly devices: DeviceLookup,
  ) {}

  async reload(): Promise<void> {
    const rules = await this.loadRules();
    const byKind = new Map<string, CompiledRule[]>();
    const silence: CompiledRule[] = [];
    for (const r of rules) {
      if (r.definition.trigger.type === 'silence') {
        silence.push(r);
        continue;
      }
      for (const k of r.definition.trigger.eventKinds) {
        const list = byKind.get(k) ?? [];
        list.push(r);
        byKind.set(k, list);
      }
    }
    this.byKind = byKind;
    this.silenceRules = silence;
  }

  /** The event kinds some enabled rule watches. */
  eventKinds(): string[] {
    return [...this.byKind.keys()];
  }

  get ruleCount(): number {
    return new Set([...this.byKind.values()].flat().map((r) => r.id)).size + this.silenceRules.length;
  }

  /** Evaluates one stored event. Never throws for one bad rule: the others still act. */
  async onEvent(e: WarningEvent): Promise<FireOutcome> {
    const outcome: FireOutcome = { ruleIds: [], alertId: null, broadcasts: 0, notifications: 0 };
    const candidates = this.byKind.get(e.kind);
    if (!candidates?.length) return outcome;
    const eventZones = this.zones.index.forEvent(e.lon, e.lat, e.zones);
    const holidays = this.zones.holidays();
    const matched: Matched[] = [];
    for (const rule of candidates) {
      const m = matchEvent(rule, e, eventZones, holidays);
      if (m.ok) matched.push({ rule, zones: m.zones });
    }
    if (matched.length === 0) return outcome;

    const ready: Matched[] = [];
    for (const m of matched) {
      if (!m.rule.definition.count) ready.push(m);
      else if (await this.countInWindow(m, e)) ready.push(m);
    }
    const now = ready.filter((m) => !m.rule.definition.identity);
    let later = ready.filter((m) => m.rule.definition.identity);
    if (now.length) merge(outcome, await this.fire(e, now, null, `event:${e.id}`));
    // Evaluated again (after a restart): identity rules that have fired for this event need no identification.
    const fired = later.length ? await rulesRepo.firedRules(this.p.db.kysely, later.map((m) => m.rule.id), `event:${e.id}`) : new Set<string>();
    later = later.filter((m) => !fired.has(m.rule.id));
    if (later.length) {
      let identification: Identification | null = null;
      try {
        identification = await this.identifier.identify(e);
      } catch (err) {
        this.p.log.error({ err, eventId: e.id }, 'identification failed; identity rules treat the person as unknown');
      }
      const cls = identification?.class ?? 'unknown';
      const holds = later.filter((m) => identityHolds(m.rule, cls));
      if (holds.length) merge(outcome, await this.fire(e, holds, identification, `event:${e.id}`, { alertExists: outcome.alertId !== null }));
      else if (identification && outcome.alertId) await this.recordIdentification(outcome.alertId, identification);
    }
    return outcome;
  }

  /** Adds the event to the rule's window; true when the window has reached the threshold (it then starts again). */
  private async countInWindow(m: Matched, e: WarningEvent): Promise<boolean> {
    const count = m.rule.definition.count!;
    const key = windowKey(m.rule, e, m.zones);
    const start = Date.parse(e.occurredAt) - count.windowSeconds * 1000;
    return this.windows.run(`${m.rule.id}|${key}`, () =>
      this.p.db.kysely.transaction().execute(async (trx) => {
        const r = await rulesRepo.countWindowHit(
          trx,
          { ruleId: m.rule.id, key, eventId: e.id, at: e.occurredAt },
          new Date(start).toISOString(),
          new Date(start - WINDOW_KEEP_MS).toISOString(),
        );
        // Counted before (evaluated again after a restart): it fires only if it made the window fire then — its alert
        // may not have been written; the firing's claim keeps a second one out.
        if (!r.counted) return r.retiredBy === e.id;
        if (r.count < count.threshold) return false;
        await rulesRepo.fireWindow(trx, m.rule.id, key, e.id);
        return true;
      }),
    );
  }

  /**
   * Runs the actions of rules that matched one trigger. The loudspeakers are told first, without waiting for any
   * bookkeeping (a person at the water must hear the warning at once); in parallel, the firing, the alert, the
   * notifications, the dispatch and the timers are written in one transaction, retried on an alert-code clash.
   * A rule that has fired for this trigger already (a re-delivered event) is skipped before anything is sent.
   */
  async fire(e: WarningEvent, matched: Matched[], identification: Identification | null, triggerKey: string, hint: { alertExists?: boolean } = {}): Promise<FireOutcome> {
    const db = this.p.db.kysely;
    const now = this.p.clock.now();
    const existing = quiet(alertsRepo.byEvent(db, e.id));
    const already = await rulesRepo.firedRules(db, matched.map((m) => m.rule.id), triggerKey);
    const fresh = matched.filter((m) => !already.has(m.rule.id));
    if (fresh.length === 0) return { ruleIds: [], alertId: null, broadcasts: 0, notifications: 0 };
    const sending = Promise.all(
      this.broadcastsOf(e, fresh, identification, now).map(async (b) => ({
        ...b,
        results: await this.broadcaster.broadcast(this.actor, {
          deviceIds: b.deviceIds, text: b.text, repeat: b.repeat, trace: { alertId: null, ruleId: b.ruleId }, key: `rule:${b.ruleId}|${triggerKey}`,
        }),
      })),
    );
    // What the transaction needs is read while the loudspeakers are told: this event's alert (read with the check),
    // and the plan of the usual case (a new alert, or none), set aside if the event has an alert already.
    const speculative = hint.alertExists ? null : quiet(this.planFor(db, e, fresh, identification, triggerKey, now, null));
    let written: Written;
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          // A retry reads again what the clash may have changed (the day's alert codes, this event's alert).
          const ahead = attempt === 1 ? { existing, speculative } : { existing: null, speculative: null };
          written = await this.write(e, fresh, identification, triggerKey, now, ahead);
          break;
        } catch (err) {
          if (!isUniqueViolation(err)) throw err;
          if (attempt >= 3) throw err;
        }
      }
    } catch (err) {
      await sending.catch(() => []);
      throw err;
    }
    const alert = written.alert;
    // The console hears of the alert as soon as it is committed; the broadcast's record follows.
    if (alert) this.p.bus.emit('alert.changed', { id: alert.id, areaCode: alert.area_code, change: written.created ? 'raised' : 'updated' });
    const sent = await sending;
    if (alert && sent.length) {
      await alertsRepo.insertSteps(
        db,
        sent.map((b) =>
          this.actions.stepRow(alert.id, this.actor, 'broadcast', {
            text: b.text, repeat: b.repeat, devices: b.results.map((r) => ({ deviceId: r.deviceId, commandId: r.commandId, error: r.error })),
          }),
        ),
      );
      for (const b of sent) await this.actions.recordCommands(db, alert.id, b.text, b.repeat, b.results);
      this.p.bus.emit('alert.changed', { id: alert.id, areaCode: alert.area_code, change: 'broadcast' });
    }
    return {
      ruleIds: written.fired.map((m) => m.rule.id),
      alertId: alert?.id ?? null,
      broadcasts: sent.reduce((n, b) => n + b.results.filter((r) => !r.error).length, 0),
      notifications: written.notifications,
    };
  }

  /** What the loudspeakers of the matched zones should say. */
  private broadcastsOf(e: WarningEvent, matched: Matched[], identification: Identification | null, now: Date) {
    const out: { deviceIds: string[]; text: string; repeat: number; ruleId: string }[] = [];
    for (const m of matched) {
      const ctx = { alert: pseudoAlert(e, m.zones[0], now), ruleId: m.rule.id, identification };
      for (const action of m.rule.definition.actions) {
        if (action.type !== 'broadcast') continue;
        const deviceIds = [...new Set(m.zones.flatMap((z) => z.speakerIds))];
        if (deviceIds.length) out.push({ deviceIds, text: fillTemplate(action.text, this.actions.templateValues(ctx)), repeat: action.repeat, ruleId: m.rule.id });
      }
    }
    return out;
  }

  /**
   * The database side of a firing. Everything that only reads — this event's alert, the recipients and their
   * channels — is done before, concurrently and outside the transaction (`ahead`: started by `fire` while the
   * firings were checked); the transaction then only writes: the firings (claimed in one statement), the alert, and
   * one multi-row INSERT each for the timeline, the timers, the notifications and their audit records. Should another
   * node or evaluation have claimed some of the rules meanwhile, the plan is made again inside the transaction.
   */
  private async write(
    e: WarningEvent,
    matched: Matched[],
    identification: Identification | null,
    triggerKey: string,
    now: Date,
    ahead: { existing: Promise<AlertRow | undefined> | null; speculative: Promise<Plan> | null },
  ): Promise<Written> {
    const db = this.p.db.kysely;
    const existing = (await (ahead.existing ?? alertsRepo.byEvent(db, e.id))) ?? null;
    const plan = !existing && ahead.speculative ? await ahead.speculative : await this.planFor(db, e, matched, identification, triggerKey, now, existing);
    if (!plan.created) return this.commit(e, matched, identification, triggerKey, now, plan);
    // New alerts of one county are written one at a time in this process: the number predicted from the counter is
    // then usually the one the transaction takes; a number taken meanwhile makes the plan be made again first.
    const county = plan.created.area_code.slice(0, 6);
    return this.raising.run(county, async () => {
      const last = await alertsRepo.lastCodeNumber(db, alertCodeSeries(plan.created!.area_code, now));
      const fresh = last + 1 !== plan.seq ? await this.planFor(db, e, matched, identification, triggerKey, now, existing) : plan;
      return this.commit(e, matched, identification, triggerKey, now, fresh);
    });
  }

  private async commit(e: WarningEvent, matched: Matched[], identification: Identification | null, triggerKey: string, now: Date, plan: Plan): Promise<Written> {
    const db = this.p.db.kysely;
    let result: Written = { alert: null, created: false, notifications: 0, fired: [] };
    let used = plan;
    await db.transaction().execute(async (trx) => {
      const firings = matched.map((m) => ({
        id: newId(), rule_id: m.rule.id, rule_version: m.rule.version, trigger_key: triggerKey, alert_id: plan.alert?.id ?? null, fired_at: now.toISOString(),
      }));
      const claimed = await rulesRepo.claimFirings(trx, firings);
      if (claimed.size === 0) return;
      const fired = claimed.size < matched.length ? matched.filter((m) => claimed.has(m.rule.id)) : matched;
      if (claimed.size < matched.length) used = await this.planFor(trx, e, fired, identification, triggerKey, now, (await alertsRepo.byEvent(trx, e.id)) ?? null);
      if (used.created) {
        // The code's number is taken here, in the firing's transaction: two firings can never get the same one. When
        // another node took the predicted number meanwhile, the plan (whose texts name the code) is made again.
        const seq = await alertsRepo.nextCodeNumber(trx, alertCodeSeries(used.created.area_code, now));
        if (seq !== used.seq) used = await this.plan(trx, e, fired, identification, triggerKey, now, null, seq);
      }
      if ((used.alert?.id ?? null) !== (plan.alert?.id ?? null)) {
        await rulesRepo.setFiringsAlert(trx, firings.filter((f) => claimed.has(f.rule_id)).map((f) => f.id), used.alert?.id ?? null);
      }
      result = await this.apply(trx, used);
    });
    return result;
  }

  /** The plan for these rules, with the next alert code of the day should they raise a new alert. */
  private async planFor(db: Executor, e: WarningEvent, fired: Matched[], identification: Identification | null, triggerKey: string, now: Date, existing: AlertRow | null): Promise<Plan> {
    const raising = raisingOf(fired)[0];
    const seq = raising && !existing ? (await alertsRepo.lastCodeNumber(db, alertCodeSeries(alertAreaOf(e, raising.m), now))) + 1 : 0;
    return this.plan(db, e, fired, identification, triggerKey, now, existing, seq);
  }

  /**
   * What a firing writes, worked out before the transaction: the alert (a new row with every raising rule and the
   * identification in it, or the patch of this event's existing alert), the timeline entries, the ladder's timers,
   * the notifications (recipients resolved, texts rendered) and the dispatches to make. Reads only.
   */
  private async plan(
    db: Executor,
    e: WarningEvent,
    fired: Matched[],
    identification: Identification | null,
    triggerKey: string,
    now: Date,
    existing: AlertRow | null,
    seq: number,
  ): Promise<Plan> {
    const nowIso = now.toISOString();
    const ops: PlanOp[] = [];
    const timers: AlertTimerRow[] = [];
    const notices: Promise<PreparedNotifications>[] = [];
    const raising = raisingOf(fired);
    let alert: AlertRow | null = existing;
    let created: AlertRow | null = null;
    let patch: Partial<AlertRow> | null = null;
    if (raising.length && !alert) {
      const { m, a } = raising[0]!;
      created = this.newAlert(e, m, a, now, seq);
      const zone = m.zones[0];
      ops.push({ step: 'raised', detail: {
        rule: m.rule.name, ruleId: m.rule.id, ruleVersion: m.rule.version, severity: a.severity, tier: created.tier, eventId: e.id, eventKind: e.kind,
        occurredAt: e.occurredAt, zone: zone?.code ?? null,
      } });
      timers.push(...this.actions.ladderTimers(created.id, JSON.parse(created.ladder) as Ladder, now));
      // The tier in charge sees it at once in the console; the duty staff also get it in their notifications.
      const ctx = { alert: created, ruleId: m.rule.id };
      notices.push(
        this.actions.recipients(db, ctx, ['duty_officers'], []).then((targets) =>
          this.actions.prepareNotify(db, this.actor, ctx, targets, { kind: 'message', channel: 'in_app', text: '【{severity}预警】{title}（{alert}）', dedupe: `alert:${created!.id}:raised` }),
        ),
      );
      alert = created;
    }
    if (alert) {
      // A second rule on the same event adds itself and may raise the severity; an identification is attached.
      let next = alert;
      for (const { m, a } of raising) {
        const ids = JSON.parse(next.rule_ids) as string[];
        if (ids.includes(m.rule.id)) continue;
        ids.push(m.rule.id);
        const change: Partial<AlertRow> = { rule_ids: JSON.stringify(ids), updated_at: nowIso };
        if (severityRank[a.severity] > severityRank[next.severity as Severity]) {
          change.severity = a.severity;
          ops.push({ step: 'upgraded', detail: { from: next.severity, to: a.severity, rule: m.rule.name } });
        }
        next = { ...next, ...change };
        patch = { ...(patch ?? {}), ...change };
      }
      if (identification) {
        const match = matchOf(identification);
        if (next.match !== match) {
          next = { ...next, match, updated_at: nowIso };
          patch = { ...(patch ?? {}), match, updated_at: nowIso };
          ops.push({ step: 'identified', detail: identifiedDetail(identification) });
        }
      }
      if (created) {
        created = next;
        patch = null;
      }
      alert = next;
    }
    for (const m of fired) {
      const ctx = { alert: alert ?? pseudoAlert(e, m.zones[0], now), ruleId: m.rule.id, identification };
      for (const [i, action] of m.rule.definition.actions.entries()) {
        if (action.type === 'notify' || action.type === 'call') {
          const dedupe = `rule:${m.rule.id}:${triggerKey}:${i}`;
          const targets = this.actions.recipients(db, ctx, action.roles, action.userIds);
          notices.push(
            targets.then((t) =>
              this.actions.prepareNotify(db, this.actor, ctx, t, {
                kind: action.type === 'call' ? 'call' : 'message',
                text: action.text,
                ...(action.type === 'notify' && action.channel ? { channel: action.channel } : {}),
                dedupe,
              }),
            ),
          );
          if (alert) {
            const step = action.type === 'call' ? 'called' : 'notified';
            const detail = { rule: m.rule.name, roles: action.roles };
            // The entry says how many were addressed; it is written only when somebody was.
            ops.push({ step, detail, count: quiet(targets.then((t) => t.length)) });
          }
        } else if (action.type === 'dispatch' && alert) {
          ops.push({ dispatch: { kinds: action.responderKinds, maxDistanceM: action.maxDistanceM } });
        }
      }
    }
    const prepared = await Promise.all(notices);
    for (const op of ops) if ('count' in op && op.count) op.counted = await op.count;
    return {
      alert, created, patch, ops, timers, notices: prepared, notifications: prepared.reduce((n, x) => n + x.deliverable, 0), fired, now: nowIso, seq,
    };
  }

  /** Writes a plan inside the firing's transaction: the alert first, then one statement per table. */
  private async apply(trx: Executor, p: Plan): Promise<Written> {
    let alert = p.alert;
    if (p.created) await alertsRepo.insert(trx, p.created);
    else if (alert && p.patch) await alertsRepo.update(trx, alert.id, p.patch);
    const steps: AlertStepRow[] = [];
    for (const op of p.ops) {
      if (!alert) break;
      if ('step' in op) {
        if (op.count && !op.counted) continue;
        steps.push(this.actions.stepRow(alert.id, this.actor, op.step, op.count ? { ...op.detail, count: op.counted } : op.detail));
        continue;
      }
      // Dispatching writes its own rows (the dispatch, its due times, its entry and the responder's notification).
      await alertsRepo.insertSteps(trx, steps.splice(0));
      const d = await this.actions.dispatchNearest(trx, this.actor, alert, op.dispatch.kinds, op.dispatch.maxDistanceM);
      if (d) {
        alert = { ...alert, state: alert.state === 'raised' || alert.state === 'acknowledged' ? 'dispatched' : alert.state, dispatched_at: alert.dispatched_at ?? d.dispatched_at };
        await alertsRepo.update(trx, alert.id, { state: alert.state, dispatched_at: alert.dispatched_at, updated_at: p.now });
      } else {
        steps.push(this.actions.stepRow(alert.id, this.actor, 'dispatch_failed', { reason: 'no available responder', kinds: op.dispatch.kinds }));
      }
    }
    await alertsRepo.insertSteps(trx, steps);
    await alertsRepo.insertTimers(trx, p.timers);
    await this.actions.writeNotifications(trx, this.actor, p.notices);
    return { alert, created: p.created !== null, notifications: p.notifications, fired: p.fired };
  }

  /** A new alert's row for the first (most severe) raising rule; the code's number is the day's count in the county + 1. */
  private newAlert(e: WarningEvent, m: Matched, a: RaiseAction, now: Date, seq: number): AlertRow {
    const zone = m.zones[0];
    const areaCode = alertAreaOf(e, m);
    const ladder = a.ladder ?? defaultLadder;
    const tier = startTier(areaCode, ladder.start);
    const id = newId();
    const base = pseudoAlert(e, zone, now);
    return {
      id,
      code: alertCode(areaCode, now, seq),
      title: fillTemplate(a.title, this.actions.templateValues({ alert: { ...base, id }, ruleId: m.rule.id })),
      severity: a.severity,
      state: 'raised',
      tier,
      tier_area_code: tierArea(areaCode, tier),
      area_code: areaCode,
      subsystem: e.subsystem,
      event_kind: e.kind,
      rule_id: m.rule.id,
      rule_version: m.rule.version,
      rule_ids: JSON.stringify([m.rule.id]),
      event_id: e.id,
      device_id: e.deviceId,
      zone_id: zone?.id ?? null,
      zone_name: zone?.name ?? null,
      lon: e.lon,
      lat: e.lat,
      snapshot_ids: e.snapshotIds.length ? JSON.stringify(e.snapshotIds) : null,
      match: null,
      ladder: JSON.stringify(ladder),
      ladder_step: 0,
      raised_at: now.toISOString(),
      acknowledged_at: null, acknowledged_by: null, dispatched_at: null, on_scene_at: null, closed_at: null, closed_by: null,
      outcome: null, outcome_note: null, overdue: 0,
      updated_at: now.toISOString(),
    };
  }

  private async recordIdentification(alertId: string, id: Identification): Promise<void> {
    await this.p.db.kysely.transaction().execute(async (trx) => {
      const alert = await alertsRepo.get(trx, alertId);
      const match = matchOf(id);
      if (!alert || alert.match === match) return;
      await alertsRepo.update(trx, alert.id, { match, updated_at: this.p.clock.now().toISOString() });
      await this.actions.step(trx, alert.id, this.actor, 'identified', identifiedDetail(id));
    });
  }

  /**
   * Device silence: devices a silence rule watches that have not been heard from for its time fire the rule once
   * per silent spell (the trigger key holds the last time the device was heard). Called by the sweeper.
   */
  async checkSilence(): Promise<number> {
    let fired = 0;
    const now = this.p.clock.now();
    for (const rule of this.silenceRules) {
      const t = rule.definition.trigger;
      if (t.type !== 'silence') continue;
      const before = new Date(now.getTime() - t.silentForSeconds * 1000).toISOString();
      const silent = await this.devices.silent(scopePrefix(rule.areaCode), t.deviceKinds, t.subsystems, before, 500);
      for (const d of silent) {
        const id = `silence:${d.id}:${d.lastSeenAt ?? 'never'}`;
        const e: WarningEvent = {
          id, deviceId: d.id, kind: 'device.silent', subsystem: d.subsystem, occurredAt: now.toISOString(), areaCode: d.areaCode,
          lon: d.lon, lat: d.lat, zones: [], attributes: { lastSeenAt: d.lastSeenAt, device: d.name }, snapshotIds: [],
        };
        const zones = this.zones.index.forEvent(d.lon, d.lat, []);
        const out = await this.fire(e, [{ rule, zones }], null, id);
        fired += out.ruleIds.length;
      }
    }
    return fired;
  }
}

/** The raising rules among these, most severe first. */
function raisingOf(matched: Matched[]): { m: Matched; a: RaiseAction }[] {
  return matched
    .map((m) => ({ m, a: m.rule.definition.actions.find((a): a is RaiseAction => a.type === 'raise_alert') }))
    .filter((x): x is { m: Matched; a: RaiseAction } => !!x.a)
    .sort((x, y) => severityRank[y.a.severity] - severityRank[x.a.severity]);
}

/** The zone may name a smaller area than the device (a village inside the county the camera is registered to). */
function alertAreaOf(e: WarningEvent, m: Matched): string {
  const zone = m.zones[0];
  return zone && zone.areaCode.startsWith(e.areaCode) ? zone.areaCode : e.areaCode;
}

function matchOf(id: Identification): string {
  return JSON.stringify({ class: id.class, personId: id.personId, nameMasked: id.nameMasked, school: id.school, className: id.className, score: id.score });
}

function identifiedDetail(id: Identification): Record<string, unknown> {
  return { class: id.class, nameMasked: id.nameMasked, school: id.school, className: id.className, score: id.score };
}

function merge(into: FireOutcome, o: FireOutcome): void {
  into.ruleIds.push(...o.ruleIds);
  into.alertId = into.alertId ?? o.alertId;
  into.broadcasts += o.broadcasts;
  into.notifications += o.notifications;
}

/** The fields a message needs when a rule notifies without raising an alert. */
function pseudoAlert(e: WarningEvent, zone: IndexedZone | undefined, now: Date) {
  return {
    id: '',
    code: '',
    area_code: e.areaCode,
    tier: 'village',
    tier_area_code: e.areaCode,
    zone_id: zone?.id ?? null,
    zone_name: zone?.name ?? null,
    severity: '',
    title: '',
    raised_at: now.toISOString(),
  };
}
