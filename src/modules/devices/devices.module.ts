// Assembles terminal perception: registry, ingest pipeline, health, commands, snapshots and the MQTT gateway.
// Other modules reach it as `services.devices` (e.g. GA/T 1400: `services.devices.ingest.ingest(device, items,
// 'gat1400')` after `services.devices.directory.byGbId(id)`).
import path from 'node:path';
import type { Platform } from '../../platform/context.ts';
import type { AreasService } from '../areas/areas.service.ts';
import { CommandsService } from './commands.service.ts';
import { DeviceDirectory } from './device-directory.ts';
import { DeviceImporter } from './devices.import.ts';
import { DevicesService } from './devices.service.ts';
import { EventWriter } from './event-writer.ts';
import { HealthService } from './health.service.ts';
import { IngestService } from './ingest.service.ts';
import { MqttGateway } from './mqtt.gateway.ts';
import { FsSnapshotStore, type SnapshotStore } from './snapshots.ts';

/** How often the background work runs: last-seen writes, the offline sweep and command expiry. */
const FLUSH_EVERY_MS = 2_000;
const SWEEP_EVERY_MS = 10_000;

export class DevicesModule {
  readonly directory: DeviceDirectory;
  readonly registry: DevicesService;
  readonly importer: DeviceImporter;
  readonly writer: EventWriter;
  readonly health: HealthService;
  readonly ingest: IngestService;
  readonly commands: CommandsService;
  readonly mqtt: MqttGateway;
  readonly snapshots: SnapshotStore;
  private timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly p: Platform,
    areas: AreasService,
    opts: { snapshots?: SnapshotStore } = {},
  ) {
    this.snapshots = opts.snapshots ?? new FsSnapshotStore(path.join(p.config.dataDir, 'snapshots'));
    this.directory = new DeviceDirectory(p);
    this.registry = new DevicesService(p, areas, this.directory, this.snapshots);
    this.importer = new DeviceImporter(p, this.registry);
    this.writer = new EventWriter(p.db);
    this.health = new HealthService(p, this.directory);
    this.ingest = new IngestService(p, this.writer, this.health, this.snapshots);
    this.health.onChange = (device, kind, at, attributes) => this.ingest.recordSystemEvent(device, kind, at, attributes);
    this.commands = new CommandsService(p, this.registry);
    this.mqtt = new MqttGateway(p, this.directory, this.ingest, this.health, this.commands);
  }

  /** The platform's clock (routes answer with the server time). */
  now(): Date {
    return this.p.clock.now();
  }

  /** Starts the background work (the server calls this; tests drive `health.sweep()` and `commands.expire()`). */
  start(): void {
    const run = (what: string, fn: () => Promise<unknown>) => () => {
      fn().catch((err: unknown) => this.p.log.error({ err }, `${what} failed`));
    };
    this.timers.push(setInterval(run('device last-seen flush', () => this.health.flush()), FLUSH_EVERY_MS));
    this.timers.push(
      setInterval(
        run('device sweep', async () => {
          await this.health.sweep();
          await this.commands.expire();
        }),
        SWEEP_EVERY_MS,
      ),
    );
    for (const t of this.timers) t.unref();
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.mqtt.close();
    await this.writer.idle();
    await this.health.flush();
  }
}
