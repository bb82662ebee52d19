// The outbox worker: takes due notifications, sends them through their channel and records the outcome.
// Several workers (on one node or many) may run at once: a notification is taken with a conditional update, so
// exactly one worker owns it for the length of its lease. A worker that dies while sending leaves the row in
// `sending`; after the lease another worker takes it again. Delivery is therefore at-least-once, and every request
// carries the notification id as an idempotency key (the local sink stores one record per notification).
import type { Platform } from '../../platform/context.ts';
import { newId } from '../../platform/crypto.ts';
import { builtInChannels, ChannelError, type OutgoingMessage } from './notify.channels.ts';
import { notifyRepo } from './notify.repo.ts';
import { channelConfigSchemas, type ChannelConfig } from './notify.schema.ts';
import type { ChannelKind, NotificationRow, NotifyChannelRow } from './notify.tables.ts';

/** Deliveries in progress at once per worker: a slow gateway holds one slot, not the whole outbox. */
const MAX_IN_FLIGHT = 16;

/** Seconds to wait before attempt n+1 after n failed attempts: 5 s, 10 s, 20 s … capped at an hour, ±10 % by id. */
export function backoffSeconds(failedAttempts: number, id: string): number {
  const base = Math.min(3600, 5 * 2 ** Math.max(0, failedAttempts - 1));
  // Spread retries of notifications that failed together, deterministically (tests can predict it).
  let h = 0;
  for (const ch of id) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return base * (0.9 + (h % 21) / 100);
}

export class NotifyWorker {
  private timer: NodeJS.Timeout | null = null;
  private stopped = true;
  private filling: Promise<Promise<boolean>[]> | null = null;
  private readonly inFlight = new Set<Promise<boolean>>();

  constructor(private readonly p: Platform) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.filling) await this.filling.then(() => undefined, () => undefined);
    await Promise.all([...this.inFlight]);
  }

  /** Asks for a look at the outbox soon (after a commit that queued something), not at the next poll. */
  kick(): void {
    if (!this.stopped) this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), ms);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    this.timer = null;
    try {
      const started = await this.fill();
      // When a delivery ends, a slot is free: look again at once if the outbox was full.
      for (const d of started) void d.then(() => started.length >= MAX_IN_FLIGHT && this.kick());
    } catch (err) {
      this.p.log.error({ err }, 'notification worker run failed');
    }
    if (!this.timer) this.schedule(this.p.config.notifyPollMs);
  }

  /** Takes what is due, up to the free slots, and starts delivering it. */
  private fill(): Promise<Promise<boolean>[]> {
    if (this.filling) return this.filling.then(() => []);
    const run = (async () => {
      const free = MAX_IN_FLIGHT - this.inFlight.size;
      if (free <= 0) return [];
      const ids = await notifyRepo.dueIds(this.p.db.kysely, this.p.clock.now().toISOString(), free);
      return ids.map((id) => {
        const d = this.handle(id).catch((err: unknown) => {
          this.p.log.error({ err, id }, 'notification delivery failed unexpectedly');
          return false;
        });
        this.inFlight.add(d);
        void d.finally(() => this.inFlight.delete(d));
        return d;
      });
    })().finally(() => (this.filling = null));
    this.filling = run;
    return run;
  }

  /** Sends what is due now and waits for those deliveries; answers how many it handled. Tests call it directly. */
  async runOnce(): Promise<number> {
    const started = await this.fill();
    return (await Promise.all(started)).filter(Boolean).length;
  }

  private async handle(id: string): Promise<boolean> {
    const db = this.p.db.kysely;
    const now = this.p.clock.now();
    const leaseUntil = new Date(now.getTime() + this.p.config.notifyLeaseSeconds * 1000).toISOString();
    const row = await notifyRepo.claim(db, id, now.toISOString(), leaseUntil);
    if (!row) return false; // another worker took it
    const startedAt = now.toISOString();
    let channel: NotifyChannelRow | null = null;
    try {
      channel = await this.channelFor(row);
      const ref = await this.deliver(row, channel);
      await this.record(row, channel, startedAt, { ok: true, providerRef: ref });
    } catch (err) {
      const retryable = err instanceof ChannelError ? err.retryable : true;
      const message = err instanceof Error ? err.message : String(err);
      await this.record(row, channel, startedAt, { ok: false, error: message.slice(0, 500), retryable });
    }
    return true;
  }

  /** The most specific enabled channel of the notification's kind covering its area (in-app needs none). */
  private async channelFor(row: NotificationRow): Promise<NotifyChannelRow | null> {
    if (row.channel_kind === 'inapp') return null;
    const [channel] = await notifyRepo.channelsCovering(this.p.db.kysely, row.channel_kind, row.area_code);
    // Retryable: an integrator may configure the channel before the attempts run out.
    if (!channel) throw new ChannelError(`no enabled ${row.channel_kind} channel covers area ${row.area_code}`, true);
    return channel;
  }

  private async deliver(row: NotificationRow, channel: NotifyChannelRow | null): Promise<string | null> {
    const { pii } = this.p;
    const msg: OutgoingMessage = {
      id: row.id,
      kind: row.kind,
      channel: row.channel_kind,
      areaCode: row.area_code,
      address: row.address_enc ? pii.decrypt(row.address_enc) : null,
      recipient: { kind: row.recipient_kind, id: row.recipient_id, name: row.recipient_name_enc ? pii.decrypt(row.recipient_name_enc) : null },
      subject: row.subject,
      body: pii.decrypt(row.body_enc),
      trace: { alertId: row.alert_id, ruleId: row.rule_id, caseId: row.case_id },
      createdAt: row.created_at,
      nowMs: this.p.clock.now().getTime(),
    };
    if (channel?.sink) {
      await notifyRepo.insertSink(this.p.db.kysely, {
        id: newId(),
        notification_id: row.id,
        area_code: row.area_code,
        channel_kind: row.channel_kind,
        channel_id: channel.id,
        address_enc: row.address_enc,
        address_masked: row.address_masked,
        subject: row.subject,
        body_enc: row.body_enc,
        at: this.p.clock.now().toISOString(),
      });
      return `sink:${row.id}`;
    }
    const kind = row.channel_kind;
    const config = channel ? parseConfig(kind, pii.decrypt(channel.config_enc)) : {};
    const impl = builtInChannels[kind] as unknown as { send(m: OutgoingMessage, c: unknown, id: string): Promise<{ providerRef: string | null }> };
    const result = await impl.send(msg, config, channel?.id ?? 'inapp');
    return result.providerRef;
  }

  private async record(
    row: NotificationRow,
    channel: NotifyChannelRow | null,
    startedAt: string,
    outcome: { ok: true; providerRef: string | null } | { ok: false; error: string; retryable: boolean },
  ): Promise<void> {
    const now = this.p.clock.now();
    const at = now.toISOString();
    const patch: Partial<NotificationRow> = { channel_id: channel?.id ?? null, lease_until: null, updated_at: at };
    if (outcome.ok) {
      Object.assign(patch, { state: 'delivered', delivered_at: at, provider_ref: outcome.providerRef, last_error: null });
    } else if (!outcome.retryable || row.attempts >= row.max_attempts) {
      Object.assign(patch, { state: 'dead', last_error: outcome.error });
    } else {
      const next = new Date(now.getTime() + backoffSeconds(row.attempts, row.id) * 1000).toISOString();
      Object.assign(patch, { state: 'failed', last_error: outcome.error, next_attempt_at: next });
    }
    await this.p.db.kysely.transaction().execute(async (trx) => {
      // If our lease ran out and another worker took the row meanwhile, its outcome is the one that counts.
      const mine = await notifyRepo.finish(trx, row.id, row.attempts, patch);
      await notifyRepo.insertAttempt(trx, {
        id: newId(),
        notification_id: row.id,
        attempt: row.attempts,
        channel_id: channel?.id ?? null,
        started_at: startedAt,
        finished_at: at,
        outcome: outcome.ok ? 'delivered' : 'failed',
        error: outcome.ok ? (mine ? null : 'lease lost before the outcome was recorded') : outcome.error,
        provider_ref: outcome.ok ? outcome.providerRef : null,
      });
    });
    if (patch.state) {
      this.p.bus.emit('notification.updated', { id: row.id, state: patch.state, areaCode: row.area_code, alertId: row.alert_id });
    }
  }
}

export function parseConfig<K extends ChannelKind>(kind: K, json: string): ChannelConfig[K] {
  return channelConfigSchemas[kind].parse(JSON.parse(json)) as ChannelConfig[K];
}
