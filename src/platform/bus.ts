// Typed domain events. A service that changes something emits an event; listeners (rules, live push, audit)
// subscribe. Modules add their events to `DomainEvents` by declaration merging:
//   declare module '../../platform/bus.ts' { interface DomainEvents { 'device.created': { id: string } } }
// This is the in-process implementation; a NATS JetStream one can sit behind the same interface.

export interface DomainEvents {
  'area.created': { code: string; parentCode: string; name: string };
  'user.created': { id: string; areaCode: string; role: string };
  'user.updated': { id: string; areaCode: string };
}

export type EventName = keyof DomainEvents;
export type Listener<K extends EventName> = (payload: DomainEvents[K]) => void | Promise<void>;

export interface EventBus {
  emit<K extends EventName>(name: K, payload: DomainEvents[K]): void;
  on<K extends EventName>(name: K, listener: Listener<K>): () => void;
  /** Resolves when every listener started so far has finished (tests and graceful shutdown). */
  drain(): Promise<void>;
}

type AnyListener = (payload: unknown) => void | Promise<void>;

export class InProcessBus implements EventBus {
  private readonly listeners = new Map<string, Set<AnyListener>>();
  private readonly pending = new Set<Promise<void>>();
  constructor(private readonly onError: (name: string, err: unknown) => void = () => {}) {}

  emit<K extends EventName>(name: K, payload: DomainEvents[K]): void {
    for (const l of this.listeners.get(name) ?? []) {
      const p = Promise.resolve()
        .then(() => l(payload))
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
