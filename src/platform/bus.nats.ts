// The event bus across nodes, on NATS (NATS_URL). An event is delivered to this process's listeners at once, as
// the in-process bus does; an event in CLUSTER_EVENTS is also published on `<NATS_PREFIX>.bus.<name>` and every
// other node delivers it to its listeners with `meta.local = false`.
// Core NATS (at most once) is enough here: these events are live push and "reload what changed" hints; a hint lost
// in a reconnection is caught by the periodic version check (modules/system/cluster.sync.ts). Work that must not
// be lost never depends on a bus event alone.
import { connect, headers, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { CLUSTER_EVENTS, InProcessBus, type DomainEvents, type EventBus, type EventName, type Listener } from './bus.ts';

export interface NatsBusOptions {
  url: string;
  /** Subject prefix (NATS_PREFIX): the nodes of one deployment share it; tests give each run its own. */
  prefix: string;
  nodeId: string;
  log: Logger;
}

export class NatsBus implements EventBus {
  private readonly local: InProcessBus;
  private sub: Subscription | null = null;
  /** Events published and received (tests and the health view). */
  readonly stats = { published: 0, received: 0 };

  private constructor(
    private readonly nc: NatsConnection,
    private readonly o: NatsBusOptions,
  ) {
    this.local = new InProcessBus((name, err) => o.log.error({ err, event: name }, 'event listener failed'));
  }

  static async connect(o: NatsBusOptions): Promise<NatsBus> {
    const nc = await connect({ servers: o.url, name: `shiyu-${o.nodeId}`, maxReconnectAttempts: -1, reconnectTimeWait: 1000 });
    const bus = new NatsBus(nc, o);
    bus.subscribe();
    // The subscription is registered with the server before anyone emits: nothing published from now on is missed.
    await nc.flush();
    o.log.info({ url: o.url.replace(/\/\/[^@]*@/, '//***@'), prefix: o.prefix }, 'event bus on NATS');
    return bus;
  }

  emit<K extends EventName>(name: K, payload: DomainEvents[K]): void {
    this.local.emit(name, payload);
    if (!CLUSTER_EVENTS.has(name)) return;
    const h = headers();
    h.set('shiyu-origin', this.o.nodeId);
    try {
      this.nc.publish(`${this.o.prefix}.bus.${name}`, JSON.stringify(payload), { headers: h });
      this.stats.published++;
    } catch (err) {
      // Closed or draining: the other nodes' version check catches up.
      this.o.log.warn({ err, event: name }, 'event not published to the other nodes');
    }
  }

  on<K extends EventName>(name: K, listener: Listener<K>): () => void {
    return this.local.on(name, listener);
  }

  drain(): Promise<void> {
    return this.local.drain();
  }

  async close(): Promise<void> {
    if (this.nc.isClosed()) return;
    await this.nc.drain();
  }

  private subscribe(): void {
    const root = `${this.o.prefix}.bus.`;
    this.sub = this.nc.subscribe(`${root}>`, {
      callback: (err, msg) => {
        if (err) return this.o.log.warn({ err }, 'NATS subscription error');
        const origin = msg.headers?.get('shiyu-origin') ?? '';
        if (origin === this.o.nodeId) return;
        const name = msg.subject.slice(root.length);
        if (!CLUSTER_EVENTS.has(name)) return;
        let payload: unknown;
        try {
          payload = msg.json();
        } catch {
          return this.o.log.warn({ subject: msg.subject }, 'malformed bus message ignored');
        }
        this.stats.received++;
        this.local.dispatch(name, payload, { origin, local: false });
      },
    });
  }
}
