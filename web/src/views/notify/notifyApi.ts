// The notification API as the screens use it (same client and error handling as the shell's api.ts).
import { request } from '../../api';

export type ChannelKind = 'webhook' | 'sms' | 'voice' | 'email' | 'inapp';
export type NotificationState = 'queued' | 'sending' | 'delivered' | 'failed' | 'dead';
export interface Trace { alertId: string | null; ruleId: string | null; caseId: string | null }
export interface Notification {
  id: string; kind: 'message' | 'call'; channel: ChannelKind; channelId: string | null; state: NotificationState; areaCode: string;
  recipientKind: string; recipientId: string | null; recipientName: string | null; address: string | null; subject: string | null;
  template: string | null; trace: Trace; attempts: number; maxAttempts: number; nextAttemptAt: string | null; lastError: string | null;
  createdBy: string; createdAt: string; deliveredAt: string | null; readAt: string | null;
}
export interface Attempt { attempt: number; startedAt: string; finishedAt: string | null; outcome: 'delivered' | 'failed'; error: string | null; providerRef: string | null }
export interface NotificationDetail extends Notification { body: string; history: Attempt[] }
export interface Channel { id: string; kind: ChannelKind; name: string; areaCode: string; sink: boolean; enabled: boolean; config: Record<string, unknown>; createdAt: string; updatedAt: string }
export interface InboxItem { id: string; subject: string | null; body: string; trace: Trace; createdAt: string; readAt: string | null }
export interface Preference { subjectKind: string; subjectId: string; channels: ChannelKind[] | null; defaults: ChannelKind[] }
export interface ListQuery { state?: string; channel?: string; alertId?: string; page: number; pageSize: number }

const enc = encodeURIComponent;
export const notifyApi = {
  list: (q: ListQuery) => request<{ items: Notification[]; total: number; counts: Record<string, number> }>('GET', '/api/notify/notifications', { query: { ...q } }),
  get: (id: string) => request<NotificationDetail>('GET', `/api/notify/notifications/${enc(id)}`),
  retry: (id: string) => request<Notification>('POST', `/api/notify/notifications/${enc(id)}/retry`),
  channels: () => request<{ items: Channel[] }>('GET', '/api/notify/channels'),
  createChannel: (body: { kind: ChannelKind; name: string; areaCode: string; sink: boolean; enabled: boolean; config: Record<string, unknown> }) =>
    request<Channel>('POST', '/api/notify/channels', { body }),
  updateChannel: (id: string, body: { name?: string; sink?: boolean; enabled?: boolean; config?: Record<string, unknown> }) =>
    request<Channel>('PATCH', `/api/notify/channels/${enc(id)}`, { body }),
  testChannel: (id: string, address?: string) => request<{ items: { id: string }[] }>('POST', `/api/notify/channels/${enc(id)}/test`, { body: address ? { address } : {} }),
  inbox: () => request<{ items: InboxItem[]; unread: number }>('GET', '/api/notify/inbox'),
  markRead: (id: string) => request<{ ok: true }>('POST', `/api/notify/inbox/${enc(id)}/read`),
  myPreference: () => request<Preference>('GET', '/api/notify/preferences/me'),
  setMyPreference: (channels: ChannelKind[] | null) => request<Preference>('PUT', '/api/notify/preferences/me', { body: { channels } }),
  preference: (kind: string, id: string) => request<Preference>('GET', `/api/notify/preferences/${enc(kind)}/${enc(id)}`),
  setPreference: (kind: string, id: string, channels: ChannelKind[] | null) => request<Preference>('PUT', `/api/notify/preferences/${enc(kind)}/${enc(id)}`, { body: { channels } }),
};

export const CHANNEL_KINDS: ChannelKind[] = ['sms', 'voice', 'email', 'webhook', 'inapp'];
export const STATES: NotificationState[] = ['queued', 'sending', 'delivered', 'failed', 'dead'];
/** Settings fields per channel kind; secrets are write-only (the server never sends them back). */
export const CONFIG_FIELDS: Record<ChannelKind, { key: string; type: 'text' | 'secret' | 'number' | 'bool' }[]> = {
  webhook: [{ key: 'url', type: 'text' }, { key: 'secret', type: 'secret' }],
  sms: [{ key: 'url', type: 'text' }, { key: 'token', type: 'secret' }, { key: 'sender', type: 'text' }],
  voice: [{ key: 'url', type: 'text' }, { key: 'token', type: 'secret' }, { key: 'caller', type: 'text' }, { key: 'repeat', type: 'number' }],
  email: [{ key: 'host', type: 'text' }, { key: 'port', type: 'number' }, { key: 'secure', type: 'bool' }, { key: 'user', type: 'text' }, { key: 'pass', type: 'secret' }, { key: 'from', type: 'text' }],
  inapp: [],
};
