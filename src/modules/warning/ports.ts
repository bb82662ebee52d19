// What early warning needs from other modules, as small interfaces: loudspeaker broadcasts (devices), devices and
// their recent events (devices), notifications and calls (notify), identification of a snapshot (students).
// The engine and the alert service are written against these; `adapters.ts` binds them to the real modules, and
// unit tests bind them to fakes.
import type { Actor } from '../../platform/access.ts';
import type { Executor } from '../../platform/db/database.ts';
import type { IdentityClass } from './rules.schema.ts';
import type { WarningEvent } from './rules.match.ts';

export interface Trace {
  alertId: string | null;
  ruleId: string | null;
}

export interface BroadcastResult {
  deviceId: string;
  commandId: string | null;
  error: string | null;
}

export interface Broadcaster {
  /**
   * Tells loudspeakers to play a text (each repeats it `repeat` times); resolves once the commands are sent. With a
   * `key` (a rule's: rule and triggering event) each device's command carries `key|device`, and a second call with
   * the same key sends nothing again.
   */
  broadcast(actor: Actor, req: { deviceIds: string[]; text: string; repeat: number; trace: Trace; key?: string }): Promise<BroadcastResult[]>;
}

export interface DeviceInfo {
  id: string;
  code: string;
  name: string;
  kind: string;
  subsystem: string;
  areaCode: string;
  lon: number | null;
  lat: number | null;
  lastSeenAt: string | null;
  online: boolean;
  capabilities: string[];
}

export interface DeviceLookup {
  get(ids: readonly string[]): Promise<DeviceInfo[]>;
  /** Active devices under an area prefix, of these kinds (and subsystems), not heard from since `before`. */
  silent(areaPrefix: string, kinds: readonly string[], subsystems: readonly string[] | undefined, before: string, limit: number): Promise<DeviceInfo[]>;
  /** Recent stored events under an area prefix, oldest first (the dry run replays them). */
  recentEvents(areaPrefix: string, since: string, limit: number): Promise<WarningEvent[]>;
}

/** Someone to notify: a platform user, a person of another module (a guardian, a teacher), or a raw address. */
export type Recipient =
  | { type: 'user'; userId: string }
  | { type: 'person'; kind: string; personId: string }
  | { type: 'address'; channel: 'sms' | 'voice' | 'email' | 'webhook'; address: string; name?: string | null };

export interface NotificationRequest {
  recipient: Recipient;
  /** A call places an automatic voice call; a message goes by the channel given or the person's preference. */
  kind: 'message' | 'call';
  channel?: 'sms' | 'voice' | 'webhook' | 'email' | 'in_app';
  text: string;
  trace: Trace;
  /** The outbox keeps one notification per key: a retried or restarted rule or timer never notifies twice. */
  dedupeKey: string;
}

/** Notifications resolved and rendered but not written yet (Notifier.prepare → Notifier.write). */
export interface PreparedNotifications {
  /** How many of the requests will be sent; the others cannot be (no address for the channel, an unknown person). */
  readonly deliverable: number;
}

export interface Notifier {
  /**
   * Resolves the recipients and renders the notifications, reading only: a caller may do it before opening its
   * transaction. A recipient who cannot be reached that way is skipped (logged), not an error.
   */
  prepare(db: Executor, actor: Actor, requests: readonly (NotificationRequest & { areaCode: string })[]): Promise<PreparedNotifications>;
  /** Puts prepared notifications in the outbox, inside the caller's transaction `db` (one statement for all of them). */
  write(db: Executor, actor: Actor, prepared: readonly PreparedNotifications[]): Promise<void>;
  /** After the caller's commit: deliver now rather than at the worker's next poll. */
  kick(): void;
}

export interface Identification {
  class: IdentityClass;
  /** The matched person (a student id), if any. */
  personId: string | null;
  /** Shown on the alert: masked. */
  nameMasked: string | null;
  /** Used only to fill the messages to the person's own guardians and teacher. */
  name: string | null;
  school: string | null;
  className: string | null;
  score: number | null;
  guardians: Recipient[];
  classTeachers: Recipient[];
}

export interface Identifier {
  /** The best match of the event's face (feature vector or snapshot) in the county's library, or null. */
  identify(event: WarningEvent): Promise<Identification | null>;
}
