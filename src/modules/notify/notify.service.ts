// Notifications: an outbox with delivery states, pluggable channels, per-person preferences, an in-app inbox.
//
// Entry points for other modules (the rule engine, escalation, the drowning scenario):
//
//   notify.enqueue(actor | systemActor(), {
//     channel?: 'sms' | 'voice' | 'email' | 'webhook' | 'inapp',   // omitted: the person's preferences, else defaults
//     recipient: { kind: 'user', id } | { kind: 'guardian', id } | { kind: 'teacher', id } | { kind: 'address', address },
//     text?: string, subject?: string,                             // or: template: 'drowning.student_at_water', params
//     trace: { alertId?, ruleId?, caseId? },                       // every notification traces back to its alert and rule
//     dedupeKey: string,                                           // e.g. `${alertId}:${ruleId}:guardian:${id}`
//     areaCode?: string,                                           // the area it concerns (scoping); default: the recipient's
//   }, trx?) → [{ id, channel, state, created }]
//
//   - With `trx`, the rows are written in the caller's transaction: they exist exactly when the caller's change does.
//   - Idempotent on dedupeKey (one row per key and channel): a retried or restarted rule does not notify twice;
//     `created: false` says the key had been used.
//   - A worker delivers with retries and exponential back-off: queued → sending → delivered | failed (retry planned)
//     → … → dead. Call `notify.kick()` after your commit to have it sent at once rather than at the next poll.
//   notify.placeCall(actor, { recipient, text | template, trace, dedupeKey, areaCode? }, trx?) → the automatic voice
//     call (channel voice, kind call).
//   notify.prepare(actor, inputs[], db?) → writePrepared(actor, prepared, trx?) does the same for many requests in
//     two halves: the reads (recipients, preferences) before the caller's transaction, then one INSERT for all rows
//     and one for their audit records inside it (the rule engine's alert path).
//   notify.registerRecipients(kind, resolver) lets a module make its people addressable (students registers
//     'guardian' and 'teacher').
import type { Actor } from '../../platform/access.ts';
import { assertInScope, inScope, requirePermission } from '../../platform/access.ts';
import type { Platform } from '../../platform/context.ts';
import { maskName, maskPhone, newId } from '../../platform/crypto.ts';
import type { Executor } from '../../platform/db/database.ts';
import { errors, isDomainError, type DomainError } from '../../platform/errors.ts';
import type { AuditEntry } from '../audit/audit.service.ts';
import { accountsRepo } from '../accounts/accounts.repo.ts';
import { notifyRepo, preferenceKey } from './notify.repo.ts';
import type {
  ChannelView,
  CreateChannelInput,
  ListNotificationsQuery,
  NotificationDetail,
  NotificationRef,
  NotificationView,
  RecipientRef,
  SinkView,
  Trace,
  UpdateChannelInput,
} from './notify.schema.ts';
import { channelConfigSchemas, channelKinds, secretKeys } from './notify.schema.ts';
import { renderTemplate } from './notify.templates.ts';
import type { ChannelKind, NotificationRow, NotifyChannelRow } from './notify.tables.ts';
import { NotifyWorker } from './notify.worker.ts';

declare module '../../platform/bus.ts' {
  interface DomainEvents {
    'notification.queued': { ids: string[]; areaCode: string; alertId: string | null };
    'notification.updated': { id: string; state: string; areaCode: string; alertId: string | null };
  }
}

/** A person made addressable: where they live in the tree and where each channel reaches them. */
export interface ResolvedRecipient {
  kind: string;
  id: string | null;
  name: string | null;
  areaCode: string;
  /** Channel → address. A channel listed with null needs no address (in-app to a user; a webhook's own URL). */
  addresses: Partial<Record<ChannelKind, string | null>>;
  /** Channels used when neither the caller nor the person's preferences choose. */
  defaults: ChannelKind[];
}
export type RecipientResolver = (db: Executor, id: string) => Promise<ResolvedRecipient | null>;

export interface EnqueueInput {
  channel?: ChannelKind | undefined;
  kind?: 'message' | 'call' | undefined;
  recipient: RecipientRef;
  subject?: string | undefined;
  text?: string | undefined;
  template?: string | undefined;
  params?: Record<string, string | number> | undefined;
  trace?: Trace | undefined;
  dedupeKey: string;
  areaCode?: string | undefined;
}

/** One notification request, resolved and rendered but not written (NotifyService.prepare → writePrepared). */
export interface PreparedEnqueue {
  input: EnqueueInput;
  areaCode: string;
  recipient: ResolvedRecipient | null;
  channels: ChannelKind[];
  /** One row per channel. */
  rows: NotificationRow[];
  /** Why this request cannot be sent (it then has no rows). */
  error: DomainError | null;
}

export class NotifyService {
  readonly worker: NotifyWorker;
  private readonly resolvers = new Map<string, RecipientResolver>();

  constructor(private readonly p: Platform) {
    this.worker = new NotifyWorker(p);
    this.registerRecipients('user', (db, id) => this.resolveUser(db, id));
  }

  registerRecipients(kind: string, resolver: RecipientResolver): void {
    this.resolvers.set(kind, resolver);
  }

  kick(): void {
    this.worker.kick();
  }

  // ---- enqueue -------------------------------------------------------------------------------------------------

  async enqueue(actor: Actor, input: EnqueueInput, trx?: Executor): Promise<NotificationRef[]> {
    const [prepared] = await this.prepare(actor, [input], trx);
    if (prepared!.error) throw prepared!.error;
    const [refs] = await this.writePrepared(actor, [prepared!], trx);
    return refs!;
  }

  /** The automatic alarm call: a voice call through the voice gateway (text spoken to the callee). */
  async placeCall(actor: Actor, input: Omit<EnqueueInput, 'channel' | 'kind'>, trx?: Executor): Promise<NotificationRef[]> {
    return this.enqueue(actor, { ...input, channel: 'voice', kind: 'call' }, trx);
  }

  /**
   * The first half of enqueueing several notifications: resolves the recipients, chooses the channels and renders
   * the rows. Reads only (the recipients and their preferences, looked up concurrently), so a caller may do it
   * before opening its transaction. An input that cannot be sent (unknown person, no address for the channel, out
   * of the actor's scope) carries its error instead of rows; the others are unaffected.
   */
  async prepare(actor: Actor, inputs: readonly EnqueueInput[], db: Executor = this.p.db.kysely): Promise<PreparedEnqueue[]> {
    // Preferences are keyed by the recipient reference, so they are read alongside the recipients, in one query.
    const needPrefs = inputs.filter((i) => !i.channel && (i.kind ?? 'message') !== 'call' && i.recipient.kind !== 'address' && 'id' in i.recipient);
    const [resolved, prefs] = await Promise.all([
      Promise.all(inputs.map((i) => this.resolve(db, actor, i.recipient, i.areaCode).then((r) => ({ r }), (err: unknown) => ({ err })))),
      notifyRepo.preferences(db, needPrefs.map((i) => ({ kind: i.recipient.kind, id: (i.recipient as { id: string }).id }))),
    ]);
    const now = this.p.clock.now().toISOString();
    return inputs.map((input, k) => {
      const res = resolved[k]!;
      if ('err' in res) {
        if (!isDomainError(res.err)) throw res.err;
        return { input, areaCode: input.areaCode ?? '', recipient: null, channels: [], rows: [], error: res.err };
      }
      try {
        return this.render(actor, input, res.r, prefs, now);
      } catch (err) {
        if (!isDomainError(err)) throw err;
        return { input, areaCode: input.areaCode ?? res.r.areaCode, recipient: res.r, channels: [], rows: [], error: err };
      }
    });
  }

  /**
   * The second half: writes the prepared rows (all of them in one statement; a dedupe key already used is skipped)
   * and one audit record per notification request that created rows, in `trx` when given. Answers, per prepared
   * item, its notifications (empty for an item that carried an error).
   */
  async writePrepared(actor: Actor, prepared: readonly PreparedEnqueue[], trx?: Executor): Promise<NotificationRef[][]> {
    const db = trx ?? this.p.db.kysely;
    const rows: NotificationRow[] = [];
    const seen = new Set<string>();
    for (const item of prepared) {
      for (const r of item.rows) {
        if (seen.has(r.dedupe_key)) continue;
        seen.add(r.dedupe_key);
        rows.push(r);
      }
    }
    const inserted = await notifyRepo.insertManyIfNew(db, rows, this.p.db.dialect.maxParams);
    const createdIds = new Set(inserted.map((r) => r.id));
    // Rows whose key was used before keep their first notification: look those up (a replay; never the usual case).
    const missing = rows.filter((r) => !createdIds.has(r.id)).map((r) => r.dedupe_key);
    const existing = new Map((await notifyRepo.byDedupeKeys(db, missing)).map((r) => [r.dedupe_key, r]));
    const refOf = (r: NotificationRow): NotificationRef | null => {
      if (createdIds.has(r.id)) return { id: r.id, channel: r.channel_kind, state: r.state, created: true };
      const old = existing.get(r.dedupe_key);
      return old ? { id: old.id, channel: old.channel_kind, state: old.state, created: false } : null;
    };
    const refs = prepared.map((item) => item.rows.map(refOf).filter((x): x is NotificationRef => x !== null));
    const audits: AuditEntry[] = [];
    const queued: { ids: string[]; areaCode: string; alertId: string | null }[] = [];
    prepared.forEach((item, k) => {
      const mine = refs[k]!;
      const created = mine.filter((r) => r.created).map((r) => r.id);
      if (created.length === 0) return;
      const { input, recipient } = item;
      audits.push({
        action: (input.kind ?? 'message') === 'call' ? 'notification.call' : 'notification.enqueue',
        entityType: 'notification',
        entityId: mine[0]?.id ?? null,
        areaCode: item.areaCode,
        detail: { channels: item.channels, recipientKind: recipient!.kind, recipientId: recipient!.id, template: input.template ?? null, ...input.trace },
      });
      queued.push({ ids: created, areaCode: item.areaCode, alertId: input.trace?.alertId ?? null });
    });
    await this.p.audit.recordMany(db, actor, audits);
    for (const q of queued) this.p.bus.emit('notification.queued', q);
    // Without a caller's transaction the rows are committed now; with one, the worker's next poll (or the caller's
    // kick after its commit) finds them.
    if (!trx && queued.length) this.kick();
    return refs;
  }

  /** Channels, addresses and the row of each channel for one resolved recipient. Throws a DomainError when unsendable. */
  private render(actor: Actor, input: EnqueueInput, recipient: ResolvedRecipient, prefs: ReadonlyMap<string, ChannelKind[]>, now: string): PreparedEnqueue {
    const areaCode = input.areaCode ?? recipient.areaCode;
    if (actor.kind === 'user') {
      assertInScope(actor, areaCode, 'area', areaCode);
      assertInScope(actor, recipient.areaCode, input.recipient.kind, recipient.id ?? 'address');
    }
    const kind = input.kind ?? 'message';
    const channels = this.channelsFor(input, recipient, kind, prefs);
    const rendered = input.template ? renderTemplate(input.template, input.params) : null;
    const body = input.text ?? rendered!.text;
    const subject = input.subject ?? rendered?.subject ?? null;
    const { pii } = this.p;
    const rows = channels.map((channel): NotificationRow => {
      const address = recipient.addresses[channel] ?? null;
      return {
        id: newId(),
        dedupe_key: `${input.dedupeKey}|${channel}`,
        area_code: areaCode,
        kind,
        channel_kind: channel,
        channel_id: null,
        recipient_kind: recipient.kind,
        recipient_id: recipient.id,
        recipient_name_enc: recipient.name ? pii.encrypt(recipient.name) : null,
        address_enc: address ? pii.encrypt(address) : null,
        address_masked: address ? maskAddress(address) : null,
        subject,
        body_enc: pii.encrypt(body),
        template: input.template ?? null,
        alert_id: input.trace?.alertId ?? null,
        rule_id: input.trace?.ruleId ?? null,
        case_id: input.trace?.caseId ?? null,
        state: 'queued',
        attempts: 0,
        max_attempts: this.p.config.notifyMaxAttempts,
        next_attempt_at: now,
        lease_until: null,
        last_error: null,
        provider_ref: null,
        created_by: actor.username,
        created_at: now,
        updated_at: now,
        delivered_at: null,
        read_at: null,
      };
    });
    return { input, areaCode, recipient, channels, rows, error: null };
  }

  private async resolve(db: Executor, actor: Actor, ref: RecipientRef, areaCode: string | undefined): Promise<ResolvedRecipient> {
    if (ref.kind === 'address' && 'address' in ref) {
      const area = areaCode ?? actor.areaCode;
      if (!area) throw errors.validation('notify.area_required', 'Say which area a message to a raw address concerns.', [{ field: 'areaCode', message: 'required' }]);
      return addressRecipient(ref.address, ref.name ?? null, area);
    }
    const resolver = this.resolvers.get(ref.kind);
    if (!resolver || !('id' in ref)) throw errors.validation('notify.recipient_kind', `Unknown recipient kind ${ref.kind}.`, [{ field: 'recipient.kind', message: 'unknown' }]);
    const found = await resolver(db, ref.id);
    if (!found || (actor.kind === 'user' && !inScope(actor, found.areaCode))) throw errors.notFound(ref.kind, ref.id);
    return found;
  }

  private channelsFor(input: EnqueueInput, r: ResolvedRecipient, kind: 'message' | 'call', prefs: ReadonlyMap<string, ChannelKind[]>): ChannelKind[] {
    const reachable = (c: ChannelKind) => c in r.addresses;
    if (kind === 'call' || input.channel) {
      const c = kind === 'call' ? 'voice' : input.channel!;
      if (!reachable(c)) throw errors.validation('notify.no_address', `The recipient cannot be reached by ${c}.`, [{ field: 'channel', message: `no ${c} address` }]);
      return [c];
    }
    let chosen = r.defaults;
    if (r.id && r.kind !== 'address') chosen = prefs.get(preferenceKey(r.kind, r.id)) ?? chosen;
    const usable = chosen.filter(reachable);
    if (usable.length === 0) throw errors.validation('notify.no_address', 'The recipient has no address for any chosen channel.', [{ field: 'recipient', message: 'unreachable' }]);
    return usable;
  }

  private async resolveUser(db: Executor, id: string): Promise<ResolvedRecipient | null> {
    const u = await accountsRepo.findUser(db, id);
    if (!u) return null;
    const phone = u.phone_enc ? this.p.pii.decrypt(u.phone_enc) : null;
    return {
      kind: 'user',
      id: u.id,
      name: u.display_name,
      areaCode: u.area_code,
      addresses: { inapp: null, webhook: null, ...(phone ? { sms: phone, voice: phone } : {}) },
      defaults: phone ? ['inapp', 'sms'] : ['inapp'],
    };
  }

  // ---- the log -------------------------------------------------------------------------------------------------

  async list(actor: Actor, q: ListNotificationsQuery): Promise<{ items: NotificationView[]; total: number; counts: Record<string, number> }> {
    requirePermission(actor, 'notify:read');
    const db = this.p.db.kysely;
    const [{ rows, total }, counts] = await Promise.all([
      notifyRepo.list(db, { scope: actor.scope, ...q, limit: q.pageSize, offset: (q.page - 1) * q.pageSize }),
      notifyRepo.countByState(db, actor.scope),
    ]);
    return { items: rows.map((r) => this.present(r)), total, counts };
  }

  /** One notification with its text and attempts. The text may name a student: the read is audited. */
  async get(actor: Actor, id: string): Promise<NotificationDetail> {
    requirePermission(actor, 'notify:read');
    const db = this.p.db.kysely;
    const row = await notifyRepo.get(db, id);
    assertInScope(actor, row?.area_code, 'notification', id);
    const canReveal = actor.permissions.has('pii:reveal');
    if (canReveal) await this.p.audit.personalDataRead(db, actor, 'notification', id, row!.area_code, ['body', 'recipient']);
    const history = await notifyRepo.attempts(db, id);
    return {
      ...this.present(row!),
      body: canReveal ? this.p.pii.decrypt(row!.body_enc) : '******',
      history: history.map((a) => ({
        attempt: a.attempt,
        channelId: a.channel_id,
        startedAt: a.started_at,
        finishedAt: a.finished_at,
        outcome: a.outcome,
        error: a.error,
        providerRef: a.provider_ref,
      })),
    };
  }

  /** Sends a dead or failed notification again now, with a fresh set of attempts. */
  async retry(actor: Actor, id: string): Promise<NotificationView> {
    requirePermission(actor, 'notify:manage');
    const db = this.p.db.kysely;
    const row = await notifyRepo.get(db, id);
    assertInScope(actor, row?.area_code, 'notification', id);
    if (row!.state !== 'dead' && row!.state !== 'failed') {
      throw errors.invalidState('notification.not_retryable', `Only a failed or dead notification can be retried (this one is ${row!.state}).`);
    }
    const now = this.p.clock.now().toISOString();
    await db.transaction().execute(async (trx) => {
      await notifyRepo.update(trx, id, { state: 'queued', next_attempt_at: now, max_attempts: row!.attempts + this.p.config.notifyMaxAttempts, updated_at: now });
      await this.p.audit.record(trx, actor, { action: 'notification.retry', entityType: 'notification', entityId: id, areaCode: row!.area_code, detail: { previousState: row!.state } });
    });
    this.kick();
    return this.present((await notifyRepo.get(db, id))!);
  }

  // ---- in-app inbox --------------------------------------------------------------------------------------------

  async inbox(actor: Actor, limit = 50) {
    if (!actor.userId) return { items: [], unread: 0 };
    const rows = await notifyRepo.inbox(this.p.db.kysely, actor.userId, limit);
    return {
      items: rows.map((r) => ({
        id: r.id,
        subject: r.subject,
        body: this.p.pii.decrypt(r.body_enc),
        trace: { alertId: r.alert_id, ruleId: r.rule_id, caseId: r.case_id },
        createdAt: r.created_at,
        readAt: r.read_at,
      })),
      unread: rows.filter((r) => !r.read_at).length,
    };
  }

  async markRead(actor: Actor, id: string): Promise<void> {
    const row = await notifyRepo.get(this.p.db.kysely, id);
    // Someone else's message is "not found", whatever the caller's scope.
    if (!row || row.channel_kind !== 'inapp' || row.recipient_kind !== 'user' || row.recipient_id !== actor.userId) throw errors.notFound('notification', id);
    if (!row.read_at) await notifyRepo.update(this.p.db.kysely, id, { read_at: this.p.clock.now().toISOString() });
  }

  // ---- channels ------------------------------------------------------------------------------------------------

  async listChannels(actor: Actor): Promise<ChannelView[]> {
    requirePermission(actor, 'notify:manage');
    return (await notifyRepo.listChannels(this.p.db.kysely, actor.scope)).map((c) => this.presentChannel(c));
  }

  async createChannel(actor: Actor, input: CreateChannelInput): Promise<ChannelView> {
    requirePermission(actor, 'notify:manage');
    if (!inScope(actor, input.areaCode)) throw errors.notFound('area', input.areaCode);
    const config = validateConfig(input.kind, input.config);
    const now = this.p.clock.now().toISOString();
    const row: NotifyChannelRow = {
      id: newId(),
      kind: input.kind,
      name: input.name,
      area_code: input.areaCode,
      config_enc: this.p.pii.encrypt(JSON.stringify(config)),
      sink: input.sink ? 1 : 0,
      enabled: input.enabled ? 1 : 0,
      created_at: now,
      updated_at: now,
    };
    await this.p.db.kysely.transaction().execute(async (trx) => {
      await notifyRepo.insertChannel(trx, row);
      await this.p.audit.record(trx, actor, {
        action: 'notify_channel.create', entityType: 'notify_channel', entityId: row.id, areaCode: row.area_code,
        detail: { kind: row.kind, name: row.name, sink: input.sink, enabled: input.enabled },
      });
    });
    return this.presentChannel(row);
  }

  async updateChannel(actor: Actor, id: string, input: UpdateChannelInput): Promise<ChannelView> {
    requirePermission(actor, 'notify:manage');
    const db = this.p.db.kysely;
    const row = await notifyRepo.getChannel(db, id);
    assertInScope(actor, row?.area_code, 'notify_channel', id);
    const patch: Partial<NotifyChannelRow> = { updated_at: this.p.clock.now().toISOString() };
    if (input.name !== undefined) patch.name = input.name;
    if (input.sink !== undefined) patch.sink = input.sink ? 1 : 0;
    if (input.enabled !== undefined) patch.enabled = input.enabled ? 1 : 0;
    if (input.config !== undefined) {
      // Secrets left out of an update keep their stored values (the screen never receives them).
      const current = JSON.parse(this.p.pii.decrypt(row!.config_enc)) as Record<string, unknown>;
      const merged: Record<string, unknown> = { ...input.config };
      for (const k of secretKeys) if (merged[k] === undefined && current[k] !== undefined) merged[k] = current[k];
      patch.config_enc = this.p.pii.encrypt(JSON.stringify(validateConfig(row!.kind, merged)));
    }
    await db.transaction().execute(async (trx) => {
      await notifyRepo.updateChannel(trx, id, patch);
      await this.p.audit.record(trx, actor, {
        action: 'notify_channel.update', entityType: 'notify_channel', entityId: id, areaCode: row!.area_code,
        detail: { name: input.name, sink: input.sink, enabled: input.enabled, config: input.config ? Object.keys(input.config) : undefined },
      });
    });
    return this.presentChannel((await notifyRepo.getChannel(db, id))!);
  }

  /** Sends a test message through one channel to an address (or, for a webhook, to its own URL). */
  async testChannel(actor: Actor, id: string, address: string | undefined): Promise<NotificationRef[]> {
    requirePermission(actor, 'notify:manage');
    const row = await notifyRepo.getChannel(this.p.db.kysely, id);
    assertInScope(actor, row?.area_code, 'notify_channel', id);
    const recipient: RecipientRef = address ? { kind: 'address', address } : { kind: 'user', id: actor.userId ?? '' };
    return this.enqueue(actor, {
      channel: row!.kind, recipient, template: 'test', params: { channel: row!.name }, areaCode: row!.area_code, dedupeKey: `test:${newId()}`,
    });
  }

  // ---- preferences ---------------------------------------------------------------------------------------------

  async getPreference(actor: Actor, kind: string, id: string) {
    const r = await this.subjectInScope(actor, kind, id);
    const row = await notifyRepo.preference(this.p.db.kysely, kind, id);
    return { subjectKind: kind as 'user', subjectId: id, channels: row ? (JSON.parse(row.channels) as ChannelKind[]) : null, defaults: r.defaults };
  }

  async setPreference(actor: Actor, kind: string, id: string, channels: ChannelKind[] | null) {
    const r = await this.subjectInScope(actor, kind, id, true);
    const unique = channels ? [...new Set(channels)] : null;
    if (unique && unique.length === 0) throw errors.validation('notify.no_channels', 'Choose at least one channel, or none to use the defaults.', [{ field: 'channels', message: 'empty' }]);
    await this.p.db.kysely.transaction().execute(async (trx) => {
      if (unique) {
        await notifyRepo.upsertPreference(trx, {
          id: newId(), subject_kind: kind, subject_id: id, area_code: r.areaCode, channels: JSON.stringify(unique), updated_at: this.p.clock.now().toISOString(),
        });
      } else {
        await notifyRepo.deletePreference(trx, kind, id);
      }
      await this.p.audit.record(trx, actor, { action: 'notify_preference.set', entityType: kind, entityId: id, areaCode: r.areaCode, detail: { channels: unique } });
    });
    return this.getPreference(actor, kind, id);
  }

  /** Anyone may see and set their own preferences; others' need notify:manage (staff) or students:write. */
  private async subjectInScope(actor: Actor, kind: string, id: string, write = false): Promise<ResolvedRecipient> {
    const own = kind === 'user' && id === actor.userId;
    if (!own) {
      const needed = kind === 'user' ? 'notify:manage' : write ? 'students:write' : 'students:read';
      requirePermission(actor, needed);
    }
    const resolver = this.resolvers.get(kind);
    const r = resolver ? await resolver(this.p.db.kysely, id) : null;
    if (!r || (!own && !inScope(actor, r.areaCode))) throw errors.notFound(kind, id);
    return r;
  }

  // ---- local sink ----------------------------------------------------------------------------------------------

  /** What the local sink "sent" (demo and tests). Texts name people: the read is audited. */
  async sink(actor: Actor, limit = 100): Promise<SinkView[]> {
    requirePermission(actor, 'notify:read');
    requirePermission(actor, 'pii:reveal');
    const rows = await notifyRepo.listSink(this.p.db.kysely, actor.scope, limit);
    if (rows.length) {
      await this.p.audit.record(this.p.db.kysely, actor, { action: 'pii.read', entityType: 'notify_sink', areaCode: actor.areaCode || null, detail: { fields: ['body'], rows: rows.length } });
    }
    return rows.map((r) => ({
      id: r.id,
      notificationId: r.notification_id,
      areaCode: r.area_code,
      channel: r.channel_kind,
      address: r.address_masked,
      subject: r.subject,
      body: this.p.pii.decrypt(r.body_enc),
      at: r.at,
    }));
  }

  // ---- presenters ----------------------------------------------------------------------------------------------

  private present(r: NotificationRow): NotificationView {
    return {
      id: r.id,
      kind: r.kind,
      channel: r.channel_kind,
      channelId: r.channel_id,
      state: r.state,
      areaCode: r.area_code,
      recipientKind: r.recipient_kind,
      recipientId: r.recipient_id,
      recipientName: r.recipient_name_enc ? maskName(this.p.pii.decrypt(r.recipient_name_enc)) : null,
      address: r.address_masked,
      subject: r.subject,
      template: r.template,
      trace: { alertId: r.alert_id, ruleId: r.rule_id, caseId: r.case_id },
      attempts: r.attempts,
      maxAttempts: r.max_attempts,
      nextAttemptAt: r.state === 'queued' || r.state === 'failed' ? r.next_attempt_at : null,
      lastError: r.last_error,
      createdBy: r.created_by,
      createdAt: r.created_at,
      deliveredAt: r.delivered_at,
      readAt: r.read_at,
    };
  }

  private presentChannel(c: NotifyChannelRow): ChannelView {
    const config = JSON.parse(this.p.pii.decrypt(c.config_enc)) as Record<string, unknown>;
    for (const k of Object.keys(config)) if (secretKeys.has(k)) config[k] = config[k] ? '••••••' : null;
    return {
      id: c.id, kind: c.kind, name: c.name, areaCode: c.area_code, sink: c.sink === 1, enabled: c.enabled === 1, config, createdAt: c.created_at, updatedAt: c.updated_at,
    };
  }
}

export { channelKinds };

function validateConfig(kind: ChannelKind, config: Record<string, unknown>): Record<string, unknown> {
  const parsed = channelConfigSchemas[kind].safeParse(config);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ field: ['config', ...i.path.map(String)].join('.'), message: i.message }));
    throw errors.validation('notify_channel.config', `Invalid ${kind} settings: ${issues.map((i) => `${i.field} ${i.message}`).join('; ')}`, issues);
  }
  return parsed.data as Record<string, unknown>;
}

export function addressRecipient(address: string, name: string | null, areaCode: string): ResolvedRecipient {
  const a = address.trim();
  if (/^https?:\/\/\S+$/.test(a)) return { kind: 'address', id: null, name, areaCode, addresses: { webhook: a }, defaults: ['webhook'] };
  if (/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(a)) return { kind: 'address', id: null, name, areaCode, addresses: { email: a }, defaults: ['email'] };
  if (/^\+?\d{5,15}$/.test(a)) return { kind: 'address', id: null, name, areaCode, addresses: { sms: a, voice: a }, defaults: ['sms'] };
  throw errors.validation('notify.bad_address', 'The address is neither a phone number, an e-mail address nor an http(s) URL.', [{ field: 'recipient.address', message: 'unrecognised' }]);
}

function maskAddress(a: string): string {
  if (a.includes('@')) {
    const [user, domain] = a.split('@');
    return `${(user ?? '').slice(0, 1)}***@${domain ?? ''}`;
  }
  if (/^https?:\/\//.test(a)) {
    try {
      return new URL(a).origin + '/…';
    } catch {
      return 'url';
    }
  }
  return maskPhone(a);
}
