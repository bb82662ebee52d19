// Assembles early warning: zones (with the spatial index), rules, the engine, alerts, responders and the sweeper.
// Other modules and the server reach it as `services.warning`. `start()` loads the zones and rules, subscribes
// the engine to 'device.event' and evaluates again the stored events a previous run may not have finished
// (recovery.ts); `startTimers()` drives the sweeper on an interval (the server does; tests call `sweeper.tick()`
// after moving a FakeClock).
import type { Platform } from '../../platform/context.ts';
import type { AreasService } from '../areas/areas.service.ts';
import type { DevicesModule } from '../devices/devices.module.ts';
import type { NotifyService } from '../notify/notify.service.ts';
import { DbDeviceLookup, DevicesBroadcaster, NotifyOutbox, warningEventOf } from './adapters.ts';
import { devicesReadRepo } from './devices.read.ts';
import { AlertActions } from './alert-actions.ts';
import { AlertsService } from './alerts.service.ts';
import { RuleEngine } from './engine.ts';
import type { Broadcaster, DeviceLookup, Identifier, Notifier } from './ports.ts';
import { EvaluationCursor, positionAt } from './recovery.ts';
import type { WarningEvent } from './rules.match.ts';
import { RespondersService } from './responders.service.ts';
import { RulesService } from './rules.service.ts';
import { Sweeper } from './sweeper.ts';
import { ZonesService } from './zones.service.ts';

export interface WarningPorts {
  broadcaster: Broadcaster;
  devices: DeviceLookup;
  notifier: Notifier;
  identifier: Identifier;
}

/** A failed evaluation (the database unreachable, say) is tried again after 0.5 s, 1 s, 2 s … up to 30 s apart. */
const EVAL_ATTEMPTS = 12;
const REPLAY_PAGE = 500;
const SAVE_EVERY_MS = 1000;

/** Until a face library is wired, nobody is identified (identity rules then see "unknown"). */
export const noIdentifier: Identifier = { identify: async () => null };

export class WarningModule {
  readonly zones: ZonesService;
  readonly rules: RulesService;
  readonly engine: RuleEngine;
  readonly alerts: AlertsService;
  readonly responders: RespondersService;
  readonly sweeper: Sweeper;
  private readonly actions: AlertActions;
  readonly ports: WarningPorts;
  readonly cursor: EvaluationCursor;
  private timer: NodeJS.Timeout | null = null;
  private saver: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;
  private stopping = false;
  /** Evaluations in flight (tests and shutdown wait for them), and the replay after a start. */
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Wakes evaluations waiting to be tried again, so that a shutdown does not wait for them. */
  private readonly waiting = new Set<() => void>();

  constructor(
    private readonly p: Platform,
    areas: AreasService,
    deps: { devices: DevicesModule; notify: NotifyService; identifier?: Identifier } | WarningPorts,
  ) {
    this.ports =
      'broadcaster' in deps
        ? deps
        : {
            broadcaster: new DevicesBroadcaster(p, deps.devices),
            devices: new DbDeviceLookup(p),
            notifier: new NotifyOutbox(p, deps.notify),
            identifier: deps.identifier ?? noIdentifier,
          };
    this.zones = new ZonesService(p, areas, this.ports.devices);
    const actions = new AlertActions(p, this.zones, this.ports.notifier);
    this.actions = actions;
    this.engine = new RuleEngine(p, () => this.rules.compiledEnabled(), this.zones, actions, this.ports.broadcaster, this.ports.identifier, this.ports.devices);
    this.rules = new RulesService(p, areas, this.zones, this.ports.devices, () => this.engine.reload());
    this.alerts = new AlertsService(p, actions, this.zones, this.ports.broadcaster, this.ports.devices);
    this.responders = new RespondersService(p, actions, this.alerts);
    this.sweeper = new Sweeper(p, actions, this.engine);
    this.cursor = new EvaluationCursor(p, `rules:${p.config.nodeId}`, p.config.warningReplayLagMs);
  }

  /**
   * Loads zones and rules and starts evaluating device events: those stored from now on as the bus delivers them,
   * and, in the background, those stored before the start from the saved position on (a run that died may not
   * have evaluated them).
   */
  async start(): Promise<void> {
    await this.zones.load();
    await this.engine.reload();
    this.stopping = false;
    if (!this.unsubscribe) {
      const offEvents = this.p.bus.on('device.event', (e) => void this.evaluate(warningEventOf(e)));
      // A loudspeaker command of an alert that timed out or was refused reaches the alert's timeline.
      const offCommands = this.p.bus.on('device.command', (c) => {
        if (!c.type.startsWith('broadcast') || (c.status !== 'failed' && c.status !== 'expired')) return;
        void this.track(
          this.actions.commandFailed(c.id, c.status, null).then(
            (r) => r && this.p.bus.emit('alert.changed', { id: r.alertId, areaCode: r.areaCode, change: 'broadcast_failed' }),
            (err: unknown) => this.p.log.error({ err, commandId: c.id }, 'failed command not recorded on its alert'),
          ),
        );
      });
      this.unsubscribe = () => {
        offEvents();
        offCommands();
      };
      // An event whose id was taken before this moment reached a previous run or nobody (we subscribed just now):
      // the replay ends here. The ids taken from now on reach us over the bus.
      const until = positionAt(Date.now());
      const from = await this.cursor.load();
      if (from === null) await this.cursor.save(until);
      else if (from < until) void this.track(this.replay(from, until));
      this.saver = setInterval(() => void this.cursor.save().catch((err: unknown) => this.p.log.warn({ err }, 'rule evaluation position not saved')), SAVE_EVERY_MS);
      this.saver.unref();
    }
  }

  /** Evaluates one stored event (once at a time per event), trying again while the database fails. */
  private evaluate(e: WarningEvent): Promise<void> {
    if (!this.cursor.begin(e.id)) return Promise.resolve();
    return this.track(this.evaluateNow(e));
  }

  private async evaluateNow(e: WarningEvent): Promise<void> {
    let keep = false;
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          if (this.p.config.testEvalDelayMs > 0) await new Promise((r) => setTimeout(r, this.p.config.testEvalDelayMs));
          const o = await this.engine.onEvent(e);
          if (o.notifications > 0) this.ports.notifier.kick();
          return;
        } catch (err) {
          if (this.stopping) {
            // Shutting down: the saved position stays before this event, so the next start evaluates it again.
            keep = true;
            this.p.log.warn({ err, eventId: e.id }, 'rule evaluation failed during shutdown; it is evaluated again after the restart');
            return;
          }
          if (attempt >= EVAL_ATTEMPTS) {
            this.p.log.error({ err, eventId: e.id, attempts: attempt }, 'rule evaluation failed; given up');
            return;
          }
          this.p.log.warn({ err, eventId: e.id, attempt }, 'rule evaluation failed; trying again');
          await this.pause(Math.min(30_000, 500 * 2 ** (attempt - 1)));
        }
      }
    } finally {
      if (!keep) this.cursor.end(e.id);
    }
  }

  /**
   * The stored events of the kinds the rules watch with `from < id < until`, evaluated again in id order. Until it is
   * over, the saved position stays at the event it has got to (a shutdown or a crash meanwhile: the next start goes
   * on from there).
   */
  private async replay(from: string, until: string): Promise<void> {
    let after = from;
    let n = 0;
    this.cursor.replayedUpTo(after);
    for (let failures = 0; !this.stopping; ) {
      let page: WarningEvent[];
      try {
        page = await devicesReadRepo.eventsAfter(this.p.db.kysely, after, until, this.engine.eventKinds(), REPLAY_PAGE);
        failures = 0;
      } catch (err) {
        failures++;
        this.p.log.warn({ err, failures }, 'reading the stored events to evaluate again failed; trying again');
        await this.pause(Math.min(30_000, 500 * 2 ** Math.min(failures, 6)));
        continue;
      }
      for (const e of page) {
        if (this.stopping) return;
        this.cursor.replayedUpTo(e.id);
        await this.evaluate(e);
        n++;
      }
      if (page.length < REPLAY_PAGE) {
        this.cursor.replayedUpTo(null);
        this.p.log.info({ events: n, from, until }, `rule evaluation recovered: ${n} stored events evaluated again`);
        return;
      }
      after = page.at(-1)!.id;
    }
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work)).catch(() => undefined);
    return work;
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(t);
        this.waiting.delete(wake);
        resolve();
      };
      const t = setTimeout(wake, ms);
      this.waiting.add(wake);
    });
  }

  /** Runs the sweeper every `ms` milliseconds. */
  startTimers(ms: number): void {
    if (this.timer || ms <= 0) return;
    this.timer = setInterval(() => {
      this.sweeper
        .tick()
        .then((r) => {
          if (r.timers > 0 || r.silence > 0) this.ports.notifier.kick();
        })
        .catch((err: unknown) => this.p.log.error({ err }, 'warning sweeper failed'));
    }, ms);
    this.timer.unref();
  }

  /** Resolves when every event evaluation started so far has finished. */
  async idle(): Promise<void> {
    while (this.inFlight.size) await Promise.all([...this.inFlight]);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.stopping = true;
    for (const wake of [...this.waiting]) wake();
    await this.idle();
    if (this.saver) {
      clearInterval(this.saver);
      this.saver = null;
      await this.cursor.save().catch((err: unknown) => this.p.log.warn({ err }, 'rule evaluation position not saved'));
    }
  }
}
