// The tables of terminal perception: the device registry, the normalised events, their snapshots, and the
// commands sent back to devices. Timestamps are ISO-8601 UTC text, booleans 0/1, JSON as text (as everywhere).

export type DeviceStatus = 'active' | 'retired';

export interface DeviceRow {
  id: string;
  /** The device's own identifier, unique: MQTT username and topic segment (`shiyu/<code>/events`). */
  code: string;
  /** GB/T 28181-style 20-digit ID, where the device has one (GA/T 1400 DeviceID). */
  gb_id: string | null;
  name: string;
  subsystem: string;
  kind: string;
  /** JSON array of capability names. */
  capabilities: string;
  lon: number | null;
  lat: number | null;
  area_code: string;
  address: string | null;
  vendor: string | null;
  model: string | null;
  /** How often the device reports; it is marked offline after OFFLINE_AFTER_MISSES intervals of silence. */
  heartbeat_interval_s: number;
  status: DeviceStatus;
  online: number;
  last_seen_at: string | null;
  online_changed_at: string | null;
  /** sha256 of the device secret (HTTP token and MQTT password): the look-up key. */
  token_hash: string;
  /** The device secret, encrypted: GA/T 1400 Digest needs the secret itself to check a response. */
  secret_enc: string;
  created_at: string;
  updated_at: string;
  retired_at: string | null;
}

export interface DeviceEventRow {
  id: string;
  device_id: string;
  /** The device's id for the event: (device_id, event_id) is unique, so that a retried event is stored once. */
  event_id: string;
  kind: string;
  occurred_at: string;
  received_at: string;
  /** Copied from the device at ingest, so that scoped reads need no join. */
  area_code: string;
  subsystem: string;
  lon: number | null;
  lat: number | null;
  /** JSON array of zone codes, or null. */
  zones: string | null;
  /** JSON object, or null. */
  attributes: string | null;
  /** JSON array of snapshot ids, or null. */
  snapshot_ids: string | null;
  /** How it arrived: http, mqtt, gat1400, system. */
  source: string;
}

export interface DeviceSnapshotRow {
  id: string;
  device_id: string;
  event_id: string;
  seq: number;
  area_code: string;
  /** scene, face, person, vehicle, plate … */
  kind: string;
  content_type: string;
  size: number;
  /** Key in the snapshot store (a relative path for the file-system store). */
  storage_key: string;
  created_at: string;
}

export type CommandStatus = 'pending' | 'sent' | 'acknowledged' | 'failed' | 'expired';

export interface DeviceCommandRow {
  id: string;
  device_id: string;
  area_code: string;
  type: string;
  /** JSON object. */
  params: string;
  status: CommandStatus;
  /** mqtt or http (the channel it went out on), null while pending. */
  via: string | null;
  created_by: string;
  created_at: string;
  sent_at: string | null;
  acked_at: string | null;
  expires_at: string;
  /** The device's message on acknowledgement or failure. */
  result: string | null;
  /** Set by a caller that must not send the same command twice (a rule: rule, triggering event, device). */
  idempotency_key?: string | null;
}

export interface DeviceTables {
  devices: DeviceRow;
  device_events: DeviceEventRow;
  device_snapshots: DeviceSnapshotRow;
  device_commands: DeviceCommandRow;
}
