// The rule engine: every stored device event is matched against the enabled rules (compiled in memory, indexed by
// event kind) and its zones (the in-memory spatial index). A rule that matches fires once per event: the firing,
// the alert, the notifications (outbox), the dispatch and the ladder's timers are written in ONE transaction, then
// the loudspeakers are told. Rules that need the identity of the person wait for the snapshot to be identified;
// the others act at once. Sliding-window counts live in the database, so they survive a restart.
import { systemActor, type Actor } from '../../platform/access.ts';
import type { Platform } from '../../platform/context.ts';
import { newId } from '../../platform/crypto.ts';
import type { Executor } from '../../platform/db/database.ts';
import { AlertActions } from './alert-actions.ts';
import { alertCode, defaultLadder, localDayBounds, startTier, tierArea } from './alerts.policy.ts';
import { alertsRepo } from './alerts.repo.ts';
import type { Broadcaster, DeviceLookup, Identification, Identifier } from './ports.ts';
import { fillTemplate, identityHolds, matchEvent, windowKey, type CompiledRule, type WarningEvent } from './rules.match.ts';
import { rulesRepo } from './rules.repo.ts';
import { severityRank, type RuleAction, type Severity } from './rules.schema.ts';
import type { IndexedZone } from './zone-index.ts';
import type { ZonesService } from './zones.service.ts';
import type { AlertRow } from './warning.tables.ts';

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
    const later = ready.filter((m) => m.rule.definition.identity);
    if (now.length) merge(outcome, await this.fire(e, now, null, `event:${e.id}`));
    if (later.length) {
      let identification: Identification | null = null;
      try {
        identification = await this.identifier.identify(e);
      } catch (err) {
        this.p.log.error({ err, eventId: e.id }, 'identification failed; identity rules treat the person as unknown');
      }
      const cls = identification?.class ?? 'unknown';
      const holds = later.filter((m) => identityHolds(m.rule, cls));
      if (holds.length) merge(outcome, await this.fire(e, holds, identification, `event:${e.id}`));
      else if (identification && outcome.alertId) await this.recordIdentification(outcome.alertId, identification);
    }
    return outcome;
  }

  /** Adds the event to the rule's window; true when the window has reached the threshold (it then starts again). */
  private async countInWindow(m: Matched, e: WarningEvent): Promise<boolean> {
    const count = m.rule.definition.count!;
    const key = windowKey(m.rule, e, m.zones);
    const start = new Date(Date.parse(e.occurredAt) - count.windowSeconds * 1000).toISOString();
    return this.windows.run(`${m.rule.id}|${key}`, () =>
      this.p.db.kysely.transaction().execute(async (trx) => {
        const n = await rulesRepo.addWindowHit(trx, m.rule.id, key, e.id, e.occurredAt, start);
        if (n < count.threshold) return false;
        await rulesRepo.clearWindow(trx, m.rule.id, key);
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
  async fire(e: WarningEvent, matched: Matched[], identification: Identification | null, triggerKey: string): Promise<FireOutcome> {
    const already = await rulesRepo.firedRules(this.p.db.kysely, matched.map((m) => m.rule.id), triggerKey);
    const fresh = matched.filter((m) => !already.has(m.rule.id));
    if (fresh.length === 0) return { ruleIds: [], alertId: null, broadcasts: 0, notifications: 0 };
    const now = this.p.clock.now();
    const sending = Promise.all(
      this.broadcastsOf(e, fresh, identification, now).map(async (b) => ({
        ...b,
        results: await this.broadcaster.broadcast(this.actor, { deviceIds: b.deviceIds, text: b.text, repeat: b.repeat, trace: { alertId: null, ruleId: b.ruleId } }),
      })),
    );
    let written: Written;
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          written = await this.write(e, fresh, identification, triggerKey, now);
          break;
        } catch (err) {
          if (attempt >= 3 || !isUniqueViolation(err)) throw err;
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
      for (const b of sent) {
        await this.actions.step(this.p.db.kysely, alert.id, this.actor, 'broadcast', {
          text: b.text, repeat: b.repeat, devices: b.results.map((r) => ({ deviceId: r.deviceId, commandId: r.commandId, error: r.error })),
        });
      }
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

  /** The database side of a firing, in one transaction. */
  private async write(e: WarningEvent, matched: Matched[], identification: Identification | null, triggerKey: string, now: Date): Promise<Written> {
    let alert: AlertRow | null = null;
    let created = false;
    let notifications = 0;
    const fired: Matched[] = [];
    await this.p.db.kysely.transaction().execute(async (trx) => {
      const firingIds = new Map<string, string>();
      for (const m of matched) {
        const firingId = newId();
        const claimed = await rulesRepo.claimFiring(trx, { id: firingId, rule_id: m.rule.id, rule_version: m.rule.version, trigger_key: triggerKey, alert_id: null, fired_at: now.toISOString() });
        if (!claimed) continue;
        fired.push(m);
        firingIds.set(m.rule.id, firingId);
      }
      if (fired.length === 0) return;
      alert = (await alertsRepo.byEvent(trx, e.id)) ?? null;
      const raising = fired
        .map((m) => ({ m, a: m.rule.definition.actions.find((a): a is RaiseAction => a.type === 'raise_alert') }))
        .filter((x): x is { m: Matched; a: RaiseAction } => !!x.a)
        .sort((x, y) => severityRank[y.a.severity] - severityRank[x.a.severity]);
      if (raising.length && !alert) {
        alert = await this.createAlert(trx, e, raising[0]!.m, raising[0]!.a, now);
        created = true;
      }
      if (alert) {
        for (const { m, a } of raising) alert = await this.mergeRule(trx, alert, m.rule, a.severity);
        if (identification) alert = await this.attachIdentification(trx, alert, identification);
      }
      for (const m of fired) {
        const ctx = { alert: alert ?? pseudoAlert(e, m.zones[0], now), ruleId: m.rule.id, identification };
        for (const [i, action] of m.rule.definition.actions.entries()) {
          const dedupe = `rule:${m.rule.id}:${triggerKey}:${i}`;
          if (action.type === 'notify' || action.type === 'call') {
            const targets = await this.actions.recipients(trx, ctx, action.roles, action.userIds);
            notifications += await this.actions.notify(trx, this.actor, ctx, targets, {
              kind: action.type === 'call' ? 'call' : 'message',
              text: action.text,
              ...(action.type === 'notify' && action.channel ? { channel: action.channel } : {}),
              dedupe,
            });
            if (alert && targets.length) {
              await this.actions.step(trx, alert.id, this.actor, action.type === 'call' ? 'called' : 'notified', { rule: m.rule.name, roles: action.roles, count: targets.length });
            }
          } else if (action.type === 'dispatch' && alert) {
            const d = await this.actions.dispatchNearest(trx, this.actor, alert, action.responderKinds, action.maxDistanceM);
            if (d) {
              alert = { ...alert, state: alert.state === 'raised' || alert.state === 'acknowledged' ? 'dispatched' : alert.state, dispatched_at: alert.dispatched_at ?? d.dispatched_at };
              await alertsRepo.update(trx, alert.id, { state: alert.state, dispatched_at: alert.dispatched_at, updated_at: now.toISOString() });
            } else {
              await this.actions.step(trx, alert.id, this.actor, 'dispatch_failed', { reason: 'no available responder', kinds: action.responderKinds });
            }
          }
        }
        if (alert) await rulesRepo.setFiringAlert(trx, firingIds.get(m.rule.id)!, alert.id);
      }
    });
    return { alert: alert as AlertRow | null, created, notifications, fired };
  }

  private async createAlert(trx: Executor, e: WarningEvent, m: Matched, a: RaiseAction, now: Date): Promise<AlertRow> {
    const zone = m.zones[0];
    // The zone may name a smaller area than the device (a village inside the county the camera is registered to).
    const areaCode = zone && zone.areaCode.startsWith(e.areaCode) ? zone.areaCode : e.areaCode;
    const ladder = a.ladder ?? defaultLadder;
    const tier = startTier(areaCode, ladder.start);
    const { from, to } = localDayBounds(now);
    const seq = (await alertsRepo.countOnDay(trx, areaCode.slice(0, 6), from, to)) + 1;
    const id = newId();
    const base = pseudoAlert(e, zone, now);
    const row: AlertRow = {
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
    await alertsRepo.insert(trx, row);
    await this.actions.step(trx, id, this.actor, 'raised', {
      rule: m.rule.name, ruleId: m.rule.id, ruleVersion: m.rule.version, severity: a.severity, tier, eventId: e.id, eventKind: e.kind,
      occurredAt: e.occurredAt, zone: zone?.code ?? null,
    });
    await this.actions.scheduleLadder(trx, id, ladder, now);
    // The tier in charge sees it at once in the console; the duty staff also get it in their notifications.
    const targets = await this.actions.recipients(trx, { alert: row, ruleId: m.rule.id }, ['duty_officers'], []);
    await this.actions.notify(trx, this.actor, { alert: row, ruleId: m.rule.id }, targets, {
      kind: 'message', channel: 'in_app', text: '【{severity}预警】{title}（{alert}）', dedupe: `alert:${id}:raised`,
    });
    return row;
  }

  /** Adds a rule to an alert, raising its severity when the rule's is higher (a student identified at the water). */
  private async mergeRule(trx: Executor, alert: AlertRow, rule: CompiledRule, severity: Severity): Promise<AlertRow> {
    const ids = JSON.parse(alert.rule_ids) as string[];
    if (ids.includes(rule.id)) return alert;
    ids.push(rule.id);
    const patch: Partial<AlertRow> = { rule_ids: JSON.stringify(ids), updated_at: this.p.clock.now().toISOString() };
    if (severityRank[severity] > severityRank[alert.severity as Severity]) {
      patch.severity = severity;
      await this.actions.step(trx, alert.id, this.actor, 'upgraded', { from: alert.severity, to: severity, rule: rule.name });
    }
    await alertsRepo.update(trx, alert.id, patch);
    return { ...alert, ...patch };
  }

  private async attachIdentification(trx: Executor, alert: AlertRow, id: Identification): Promise<AlertRow> {
    const match = JSON.stringify({
      class: id.class, personId: id.personId, nameMasked: id.nameMasked, school: id.school, className: id.className, score: id.score,
    });
    if (alert.match === match) return alert;
    await alertsRepo.update(trx, alert.id, { match, updated_at: this.p.clock.now().toISOString() });
    await this.actions.step(trx, alert.id, this.actor, 'identified', { class: id.class, nameMasked: id.nameMasked, school: id.school, className: id.className, score: id.score });
    return { ...alert, match };
  }

  private async recordIdentification(alertId: string, id: Identification): Promise<void> {
    await this.p.db.kysely.transaction().execute(async (trx) => {
      const alert = await alertsRepo.get(trx, alertId);
      if (alert) await this.attachIdentification(trx, alert, id);
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
      const silent = await this.devices.silent(rule.areaCode, t.deviceKinds, t.subsystems, before, 500);
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
