// Assembles early warning: zones (with the spatial index), rules, the engine, alerts, responders and the sweeper.
// Other modules and the server reach it as `services.warning`. `start()` loads the zones and rules and subscribes
// the engine to 'device.event'; `startTimers()` drives the sweeper on an interval (the server does; tests call
// `sweeper.tick()` after moving a FakeClock).
import type { Platform } from '../../platform/context.ts';
import type { AreasService } from '../areas/areas.service.ts';
import type { DevicesModule } from '../devices/devices.module.ts';
import type { NotifyService } from '../notify/notify.service.ts';
import { DbDeviceLookup, DevicesBroadcaster, NotifyOutbox, warningEventOf } from './adapters.ts';
import { AlertActions } from './alert-actions.ts';
import { AlertsService } from './alerts.service.ts';
import { RuleEngine } from './engine.ts';
import type { Broadcaster, DeviceLookup, Identifier, Notifier } from './ports.ts';
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

/** Until a face library is wired, nobody is identified (identity rules then see "unknown"). */
export const noIdentifier: Identifier = { identify: async () => null };

export class WarningModule {
  readonly zones: ZonesService;
  readonly rules: RulesService;
  readonly engine: RuleEngine;
  readonly alerts: AlertsService;
  readonly responders: RespondersService;
  readonly sweeper: Sweeper;
  readonly ports: WarningPorts;
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;
  /** Evaluations in flight (tests and shutdown wait for them). */
  private readonly inFlight = new Set<Promise<unknown>>();

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
    this.engine = new RuleEngine(p, () => this.rules.compiledEnabled(), this.zones, actions, this.ports.broadcaster, this.ports.identifier, this.ports.devices);
    this.rules = new RulesService(p, areas, this.zones, this.ports.devices, () => this.engine.reload());
    this.alerts = new AlertsService(p, actions, this.zones, this.ports.broadcaster, this.ports.devices);
    this.responders = new RespondersService(p, actions, this.alerts);
    this.sweeper = new Sweeper(p, actions, this.engine);
  }

  /** Loads zones and rules and starts evaluating device events. */
  async start(): Promise<void> {
    await this.zones.load();
    await this.engine.reload();
    this.unsubscribe ??= this.p.bus.on('device.event', (e) => {
      const work = this.engine
        .onEvent(warningEventOf(e))
        .then((o) => {
          if (o.notifications > 0) this.ports.notifier.kick();
        })
        .catch((err: unknown) => this.p.log.error({ err, eventId: e.id }, 'rule evaluation failed'));
      this.inFlight.add(work);
      void work.finally(() => this.inFlight.delete(work));
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
    await this.idle();
  }
}
