// The delivery channels behind one interface. Each sends one message and answers with a provider reference, or
// throws a ChannelError that says whether trying again could help (a 5xx or a timeout) or not (a 4xx, a bad address).
// Every outgoing request carries the notification id as an idempotency key, so that a gateway can drop the second
// copy when a worker died after sending and before recording the delivery (the outbox is at-least-once).
import crypto from 'node:crypto';
import nodemailer from 'nodemailer';
import type { ChannelConfig } from './notify.schema.ts';
import type { ChannelKind } from './notify.tables.ts';

export interface OutgoingMessage {
  id: string;
  kind: 'message' | 'call';
  channel: ChannelKind;
  areaCode: string;
  /** Phone number, e-mail address or URL (null for in-app and for webhooks to the channel's own URL). */
  address: string | null;
  recipient: { kind: string; id: string | null; name: string | null };
  subject: string | null;
  body: string;
  trace: { alertId: string | null; ruleId: string | null; caseId: string | null };
  createdAt: string;
  /** The platform clock at sending, for the webhook timestamp. */
  nowMs: number;
}

export interface Delivered {
  providerRef: string | null;
}

export class ChannelError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'ChannelError';
  }
}

export interface Channel<K extends ChannelKind = ChannelKind> {
  readonly kind: K;
  send(msg: OutgoingMessage, config: ChannelConfig[K], channelId: string): Promise<Delivered>;
}

const TIMEOUT_MS = 10_000;

/** `v1=<hex>`: HMAC-SHA256 over `<timestamp>.<body>`, so that a receiver can check origin and freshness. */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return 'v1=' + crypto.createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/** Checks a signature made by signWebhook, in constant time, refusing timestamps older than `toleranceS`. */
export function verifyWebhook(secret: string, timestamp: string, body: string, signature: string, nowMs: number, toleranceS = 300): boolean {
  const ts = Number(timestamp);
  if (!Number.isFinite(ts) || Math.abs(nowMs / 1000 - ts) > toleranceS) return false;
  const expected = Buffer.from(signWebhook(secret, timestamp, body));
  const given = Buffer.from(signature);
  return expected.length === given.length && crypto.timingSafeEqual(expected, given);
}

async function postJson(url: string, body: string, headers: Record<string, string>): Promise<{ status: number; json: unknown }> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (err) {
    throw new ChannelError(`request failed: ${err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err)}`, true);
  }
  const text = await res.text().catch(() => '');
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (res.status >= 200 && res.status < 300) return { status: res.status, json };
  // 408 and 429 are "not now" rather than "never".
  const retryable = res.status >= 500 || res.status === 408 || res.status === 429;
  throw new ChannelError(`HTTP ${res.status}${text ? ': ' + text.slice(0, 200) : ''}`, retryable);
}

function refOf(json: unknown): string | null {
  if (json && typeof json === 'object') {
    const o = json as Record<string, unknown>;
    for (const k of ['id', 'messageId', 'callId', 'requestId']) if (typeof o[k] === 'string' || typeof o[k] === 'number') return String(o[k]);
  }
  return null;
}

function requireAddress(msg: OutgoingMessage): string {
  if (!msg.address) throw new ChannelError('the recipient has no address for this channel', false);
  return msg.address;
}

export const webhookChannel: Channel<'webhook'> = {
  kind: 'webhook',
  async send(msg, config) {
    const url = msg.address && /^https?:\/\//.test(msg.address) ? msg.address : config.url;
    const body = JSON.stringify({
      id: msg.id,
      kind: msg.kind,
      areaCode: msg.areaCode,
      recipient: msg.recipient,
      subject: msg.subject,
      text: msg.body,
      trace: msg.trace,
      createdAt: msg.createdAt,
    });
    const ts = String(Math.floor(msg.nowMs / 1000));
    const { json } = await postJson(url, body, {
      'x-shiyu-timestamp': ts,
      'x-shiyu-signature': signWebhook(config.secret, ts, body),
      'x-shiyu-notification-id': msg.id,
      'idempotency-key': msg.id,
    });
    return { providerRef: refOf(json) };
  },
};

/** A generic SMS gateway over HTTP: `POST {url}` with `{ id, to, text, sender }` and a bearer token. */
export const smsChannel: Channel<'sms'> = {
  kind: 'sms',
  async send(msg, config) {
    const to = requireAddress(msg);
    const body = JSON.stringify({ id: msg.id, to, text: msg.body, sender: config.sender ?? null });
    const { json } = await postJson(config.url, body, {
      'idempotency-key': msg.id,
      ...(config.token ? { authorization: `Bearer ${config.token}` } : {}),
    });
    return { providerRef: refOf(json) };
  },
};

/** A voice-call gateway over HTTP: the text is spoken (TTS) to the callee, `repeat` times. */
export const voiceChannel: Channel<'voice'> = {
  kind: 'voice',
  async send(msg, config) {
    const to = requireAddress(msg);
    const body = JSON.stringify({ id: msg.id, to, text: msg.body, repeat: config.repeat, caller: config.caller ?? null });
    const { json } = await postJson(config.url, body, {
      'idempotency-key': msg.id,
      ...(config.token ? { authorization: `Bearer ${config.token}` } : {}),
    });
    return { providerRef: refOf(json) };
  },
};

type Transport = ReturnType<typeof nodemailer.createTransport>;
const transports = new Map<string, { key: string; transport: Transport }>();

export const emailChannel: Channel<'email'> = {
  kind: 'email',
  async send(msg, config, channelId) {
    const to = requireAddress(msg);
    // One pooled transport per channel, rebuilt when its settings change.
    const key = JSON.stringify(config);
    let entry = transports.get(channelId);
    if (!entry || entry.key !== key) {
      entry?.transport.close();
      entry = {
        key,
        transport: nodemailer.createTransport({
          host: config.host,
          port: config.port,
          secure: config.secure,
          ...(config.user ? { auth: { user: config.user, pass: config.pass ?? '' } } : {}),
          connectionTimeout: TIMEOUT_MS,
          greetingTimeout: TIMEOUT_MS,
          socketTimeout: TIMEOUT_MS,
          // A local or intranet relay often has a self-signed certificate; STARTTLS is still used when offered.
          tls: { rejectUnauthorized: false },
        }),
      };
      transports.set(channelId, entry);
    }
    try {
      const info = await entry.transport.sendMail({
        from: config.from,
        to,
        subject: msg.subject ?? '市域社会治理平台通知',
        text: msg.body,
        headers: { 'X-Shiyu-Notification-Id': msg.id },
        messageId: `<${msg.id}@shiyu.local>`,
      });
      return { providerRef: typeof info.messageId === 'string' ? info.messageId : null };
    } catch (err) {
      const code = (err as { responseCode?: number }).responseCode;
      // 5xx from the server: the message or address is refused; anything else (4xx, network) may pass later.
      throw new ChannelError(`SMTP: ${err instanceof Error ? err.message : String(err)}`, !(typeof code === 'number' && code >= 500));
    }
  },
};

/** In-app: the notification row is the inbox entry; "delivering" it only needs a user to read it from. */
export const inappChannel: Channel<'inapp'> = {
  kind: 'inapp',
  async send(msg) {
    if (msg.recipient.kind !== 'user' || !msg.recipient.id) throw new ChannelError('in-app messages go to platform users only', false);
    return { providerRef: null };
  },
};

export function closeEmailTransports(): void {
  for (const { transport } of transports.values()) transport.close();
  transports.clear();
}

export const builtInChannels: { [K in ChannelKind]: Channel<K> } = {
  webhook: webhookChannel,
  sms: smsChannel,
  voice: voiceChannel,
  email: emailChannel,
  inapp: inappChannel,
};
