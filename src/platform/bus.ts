// Typed domain events. A service that changes something emits an event; listeners (rules, live push, audit)
// subscribe. Modules add their events to `DomainEvents` by declaration merging:
//   declare module '../../platform/bus.ts' { interface DomainEvents { 'device.created': { id: string } } }
// Two implementations: InProcessBus (one node, the embedded default) and NatsBus (bus.nats.ts, chosen by NATS_URL),
// which delivers the events listed in CLUSTER_EVENTS to the listeners of every node.

export interface DomainEvents {
  'area.created': { code: string; parentCode: string; name: string };
  'user.created': { id: string; areaCode: string; role: string };
  'user.updated': { id: string; areaCode: string };
}

export type EventName = keyof DomainEvents;
/** Where an event comes from: `local` when this process emitted it, else the SHIYU_NODE_ID of the node that did. */
export interface EventMeta {
  origin: string;
  local: boolean;
}
export type Listener<K extends EventName> = (payload: DomainEvents[K], meta: EventMeta) => void | Promise<void>;

/**
 * Events that every node must hear, whichever node emitted them: live push (alerts) and the changes that make
 * a node reload what it keeps in memory (rules, zones, devices, enrolled faces). Everything else stays on the node
 * that emitted it — 'device.event' above all, which the ingesting node's rule engine evaluates once.
 */
export const CLUSTER_EVENTS: ReadonlySet<string> = new Set([
  'alert.changed',
  'rule.changed',
  'zone.changed',
  'device.created',
  'device.updated',
  'device.retired',
  'face.changed',
]);

export interface EventBus {
  emit<K extends EventName>(name: K, payload: DomainEvents[K]): void;
  on<K extends EventName>(name: K, listener: Listener<K>): () => void;
  /** Resolves when every listener started so far has finished (tests and graceful shutdown). */
  drain(): Promise<void>;
  /** Releases connections (NATS); the in-process bus has none. */
  close?(): Promise<void>;
}

type AnyListener = (payload: unknown, meta: EventMeta) => void | Promise<void>;
const LOCAL: EventMeta = { origin: 'local', local: true };

export class InProcessBus implements EventBus {
  private readonly listeners = new Map<string, Set<AnyListener>>();
  private readonly pending = new Set<Promise<void>>();
  constructor(private readonly onError: (name: string, err: unknown) => void = () => {}) {}

  emit<K extends EventName>(name: K, payload: DomainEvents[K]): void {
    this.dispatch(name, payload, LOCAL);
  }

  /** Hands an event to this process's listeners (NatsBus calls it for events from other nodes). */
  dispatch(name: string, payload: unknown, meta: EventMeta): void {
    for (const l of this.listeners.get(name) ?? []) {
      const p = Promise.resolve()
        .then(() => l(payload, meta))
        .catch((err: unknown) => this.onError(name, err))
        .finally(() => this.pending.delete(p));
      this.pending.add(p);
    }
  }

  on<K extends EventName>(name: K, listener: Listener<K>): () => void {
    let set = this.listeners.get(name);
    if (!set) {
      set = new Set();
      this.listeners.set(name, set);
    }
    set.add(listener as AnyListener);
    return () => set.delete(listener as AnyListener);
  }

  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }
}
