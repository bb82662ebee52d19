// Keeps what each node holds in memory in step with the changes made through the other nodes. With the NATS bus
// (NATS_URL), a change's event reaches every node and the node reloads what it names: the rules, the zones, a
// device's cached credentials and context, a county's face index. A version check every CLUSTER_CHECK_MS compares
// cheap fingerprints (cluster.repo.ts) with the last ones seen and reloads on a difference, so that an event lost
// in a reconnection delays a change by one period at most. On one node (the in-process bus) nothing here runs.
import type { EventMeta } from '../../platform/bus.ts';
import type { Platform } from '../../platform/context.ts';
import type { Services } from '../../app.ts';
import { clusterRepo, type Fingerprints } from './cluster.repo.ts';

export class ClusterSync {
  private timer: NodeJS.Timeout | null = null;
  private last: Fingerprints | null = null;
  private readonly offs: (() => void)[] = [];
  private checking: Promise<void> | null = null;
  /** Reloads done because of another node (tests wait for them). */
  readonly stats = { reloads: 0, checks: 0 };

  constructor(
    private readonly p: Platform,
    private readonly s: Services,
  ) {}

  async start(): Promise<void> {
    if (!this.p.config.natsUrl) return;
    const remote = (f: (meta: EventMeta) => Promise<void> | void) => (_e: unknown, meta: EventMeta) => (meta.local ? undefined : this.reload(f, meta));
    this.offs.push(
      this.p.bus.on('rule.changed', remote(() => this.s.warning.engine.reload())),
      this.p.bus.on('zone.changed', remote(() => this.s.warning.zones.load())),
      this.p.bus.on('device.updated', (e, m) => (m.local ? undefined : this.s.devices.directory.invalidate(e.id))),
      this.p.bus.on('device.retired', (e, m) => (m.local ? undefined : this.s.devices.directory.invalidate(e.id))),
      this.p.bus.on('face.changed', (e, m) => (m.local ? undefined : this.s.students.faces.dropIndex(e.countyCode))),
    );
    this.last = await clusterRepo.fingerprints(this.p.db.kysely);
    if (this.p.config.clusterCheckMs > 0) {
      this.timer = setInterval(() => void this.check().catch((err: unknown) => this.p.log.warn({ err }, 'cluster version check failed')), this.p.config.clusterCheckMs);
      this.timer.unref();
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const off of this.offs.splice(0)) off();
  }

  /** Compares the fingerprints with the last seen and reloads what differs. */
  check(): Promise<void> {
    this.checking ??= this.checkNow().finally(() => (this.checking = null));
    return this.checking;
  }

  private async checkNow(): Promise<void> {
    this.stats.checks++;
    const now = await clusterRepo.fingerprints(this.p.db.kysely);
    const before = this.last;
    this.last = now;
    if (!before) return;
    const origin: EventMeta = { origin: 'version-check', local: false };
    if (now.rules !== before.rules) await this.reload(() => this.s.warning.engine.reload(), origin);
    if (now.zones !== before.zones) await this.reload(() => this.s.warning.zones.load(), origin);
    if (now.devices !== before.devices) this.s.devices.directory.clear();
    if (now.faces !== before.faces) this.s.students.faces.dropIndex();
  }

  private async reload(f: (meta: EventMeta) => Promise<void> | void, meta: EventMeta): Promise<void> {
    try {
      await f(meta);
      this.stats.reloads++;
      this.p.log.debug({ from: meta.origin }, 'reloaded after a change on another node');
    } catch (err) {
      this.p.log.warn({ err, from: meta.origin }, 'reload after a change on another node failed');
    }
  }
}
