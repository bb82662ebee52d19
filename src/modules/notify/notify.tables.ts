// Notification tables. Timestamps are ISO-8601 UTC text, booleans 0/1, JSON as text (as everywhere).

export type ChannelKind = 'webhook' | 'sms' | 'voice' | 'email' | 'inapp';
/** queued → sending → delivered | failed (retry scheduled) → … → dead (gave up). */
export type NotificationState = 'queued' | 'sending' | 'delivered' | 'failed' | 'dead';

export interface NotifyChannelRow {
  id: string;
  kind: ChannelKind;
  name: string;
  area_code: string;
  /** JSON of the channel's settings (URL, tokens, SMTP account), encrypted: it holds secrets. */
  config_enc: string;
  /** 1: deliveries are recorded in the local sink instead of leaving the machine (demo, tests). */
  sink: number;
  enabled: number;
  created_at: string;
  updated_at: string;
}

export interface NotificationRow {
  id: string;
  dedupe_key: string;
  area_code: string;
  /** message, or call (an automatic voice call). */
  kind: 'message' | 'call';
  channel_kind: ChannelKind;
  /** The channel used by the latest attempt. */
  channel_id: string | null;
  /** user, guardian, teacher, address … (recipient resolvers are registered by modules). */
  recipient_kind: string;
  recipient_id: string | null;
  recipient_name_enc: string | null;
  /** Phone, e-mail or URL, encrypted; null for in-app (the recipient is a user id). */
  address_enc: string | null;
  address_masked: string | null;
  /** Plain: callers keep personal data out of subjects. */
  subject: string | null;
  /** The message text, encrypted: it names students and places. */
  body_enc: string;
  template: string | null;
  alert_id: string | null;
  rule_id: string | null;
  case_id: string | null;
  state: NotificationState;
  attempts: number;
  max_attempts: number;
  next_attempt_at: string;
  /** While `sending`: until when the claiming worker owns it. A row still sending after that is retried. */
  lease_until: string | null;
  last_error: string | null;
  provider_ref: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
  delivered_at: string | null;
  /** In-app: when the recipient read it. */
  read_at: string | null;
}

export interface NotificationAttemptRow {
  id: string;
  notification_id: string;
  attempt: number;
  channel_id: string | null;
  started_at: string;
  finished_at: string | null;
  outcome: 'delivered' | 'failed';
  error: string | null;
  provider_ref: string | null;
}

export interface NotifyPreferenceRow {
  id: string;
  subject_kind: string;
  subject_id: string;
  area_code: string;
  /** JSON array of channel kinds in order of preference. */
  channels: string;
  updated_at: string;
}

export interface NotifySinkRow {
  id: string;
  notification_id: string;
  area_code: string;
  channel_kind: ChannelKind;
  channel_id: string | null;
  address_enc: string | null;
  address_masked: string | null;
  subject: string | null;
  body_enc: string;
  at: string;
}

export interface NotifyTables {
  notify_channels: NotifyChannelRow;
  notifications: NotificationRow;
  notification_attempts: NotificationAttemptRow;
  notify_preferences: NotifyPreferenceRow;
  notify_sink: NotifySinkRow;
}
