// Binds the ports of early warning to the modules that provide them: loudspeaker commands and device facts from
// terminal perception, the outbox from notify, identification from the student library.
import { systemActor, type Actor } from '../../platform/access.ts';
import { maskName } from '../../platform/crypto.ts';
import type { Platform } from '../../platform/context.ts';
import type { Executor } from '../../platform/db/database.ts';
import { isDomainError } from '../../platform/errors.ts';
import type { DevicesModule } from '../devices/devices.module.ts';
import type { DeviceEventPayload } from '../devices/ingest.service.ts';
import type { EnqueueInput, NotifyService, PreparedEnqueue } from '../notify/notify.service.ts';
import type { StudentsService } from '../students/students.service.ts';
import type { SnapshotStore } from '../devices/snapshots.ts';
import { devicesReadRepo, featureOf } from './devices.read.ts';
import type { BroadcastResult, Broadcaster, DeviceInfo, DeviceLookup, Identification, Identifier, Notifier, NotificationRequest, PreparedNotifications } from './ports.ts';
import type { WarningEvent } from './rules.match.ts';

/** The engine's view of a stored device event. A face feature vector may come in the attributes. */
export function warningEventOf(e: DeviceEventPayload): WarningEvent {
  return {
    id: e.id,
    deviceId: e.deviceId,
    kind: e.kind,
    subsystem: e.subsystem,
    occurredAt: e.occurredAt,
    areaCode: e.areaCode,
    lon: e.lon,
    lat: e.lat,
    zones: e.zones,
    attributes: e.attributes,
    snapshotIds: e.snapshotIds,
    feature: featureOf(e.attributes),
  };
}

/** Loudspeakers are told through the devices' command service (stored, pushed over MQTT or polled, acknowledged). */
export class DevicesBroadcaster implements Broadcaster {
  constructor(
    private readonly p: Platform,
    private readonly devices: DevicesModule,
  ) {}

  async broadcast(actor: Actor, req: { deviceIds: string[]; text: string; repeat: number; key?: string }): Promise<BroadcastResult[]> {
    return Promise.all(
      req.deviceIds.map(async (deviceId) => {
        try {
          const c = await this.devices.commands.create(
            actor, deviceId, { type: 'broadcast.text', params: { text: req.text, repeat: req.repeat }, ttlS: 60 }, req.key ? { key: `${req.key}|${deviceId}` } : {},
          );
          return { deviceId, commandId: c.id, error: null };
        } catch (err) {
          // One broken or retired loudspeaker must not keep the others silent.
          this.p.log.warn({ err, deviceId }, 'broadcast command failed');
          return { deviceId, commandId: null, error: isDomainError(err) ? err.code : 'internal' };
        }
      }),
    );
  }
}

/** Device facts read from the registry's tables (read-only; the devices module owns them). */
export class DbDeviceLookup implements DeviceLookup {
  constructor(private readonly p: Platform) {}

  get(ids: readonly string[]): Promise<DeviceInfo[]> {
    return devicesReadRepo.get(this.p.db.kysely, ids);
  }

  silent(areaPrefix: string, kinds: readonly string[], subsystems: readonly string[] | undefined, before: string, limit: number): Promise<DeviceInfo[]> {
    return devicesReadRepo.silent(this.p.db.kysely, areaPrefix, kinds, subsystems, before, limit);
  }

  recentEvents(areaPrefix: string, since: string, limit: number): Promise<WarningEvent[]> {
    return devicesReadRepo.recentEvents(this.p.db.kysely, areaPrefix, since, limit);
  }
}

class PreparedOutbox implements PreparedNotifications {
  constructor(readonly items: readonly PreparedEnqueue[]) {}
  get deliverable(): number {
    return this.items.length;
  }
}

/** The outbox of the notify module, written in the caller's transaction. */
export class NotifyOutbox implements Notifier {
  constructor(
    private readonly p: Platform,
    private readonly notify: NotifyService,
  ) {}

  async prepare(db: Executor, actor: Actor, requests: readonly (NotificationRequest & { areaCode: string })[]): Promise<PreparedNotifications> {
    if (requests.length === 0) return new PreparedOutbox([]);
    const inputs: EnqueueInput[] = requests.map((n) => {
      const r = n.recipient;
      const recipient =
        r.type === 'user' ? { kind: 'user' as const, id: r.userId } : r.type === 'person' ? { kind: r.kind, id: r.personId } : { kind: 'address' as const, address: r.address, ...(r.name ? { name: r.name } : {}) };
      const trace = { ...(n.trace.alertId ? { alertId: n.trace.alertId } : {}), ...(n.trace.ruleId ? { ruleId: n.trace.ruleId } : {}) };
      const base = { recipient, text: n.text, trace, dedupeKey: n.dedupeKey, areaCode: n.areaCode };
      // A call is an automatic voice call; a message goes by the channel given or the person's preferences.
      if (n.kind === 'call') return { ...base, channel: 'voice' as const, kind: 'call' as const };
      return { ...base, ...(n.channel ? { channel: n.channel === 'in_app' ? ('inapp' as const) : n.channel } : {}) };
    });
    const prepared = await this.notify.prepare(actor, inputs, db);
    const ok: PreparedEnqueue[] = [];
    prepared.forEach((item, k) => {
      const err = item.error;
      if (!err) return void ok.push(item);
      // A recipient without a phone for a call, an unknown person: skipped and logged, the rest still go out.
      if (err.kind !== 'validation' && err.kind !== 'not_found') throw err;
      this.p.log.warn({ code: err.code, recipient: requests[k]!.recipient.type, dedupeKey: requests[k]!.dedupeKey }, 'notification skipped');
    });
    return new PreparedOutbox(ok);
  }

  async write(db: Executor, actor: Actor, prepared: readonly PreparedNotifications[]): Promise<void> {
    const items = prepared.flatMap((x) => (x as PreparedOutbox).items);
    if (items.length) await this.notify.writePrepared(actor, items, db);
  }

  kick(): void {
    this.notify.kick();
  }
}

/**
 * Identification by the student library: the device's face feature vector when it sent one, else the event's
 * snapshot (a face crop first), searched 1:N over the enrolled faces of the event's county.
 */
export class StudentsIdentifier implements Identifier {
  private readonly actor = systemActor('rules');

  constructor(
    private readonly p: Platform,
    private readonly students: StudentsService,
    private readonly snapshots: SnapshotStore,
  ) {}

  async identify(e: WarningEvent): Promise<Identification | null> {
    const countyCode = e.areaCode.slice(0, 6);
    let input: { countyCode: string; feature?: number[]; image?: Buffer };
    if (e.feature?.length) input = { countyCode, feature: e.feature };
    else {
      const [snap] = await devicesReadRepo.snapshots(this.p.db.kysely, e.snapshotIds);
      const image = snap ? await this.snapshots.get(snap.storage_key) : null;
      if (!image) return null;
      input = { countyCode, image };
    }
    const r = await this.students.identify(this.actor, { ...input, trace: { eventId: e.id } });
    const m = r.match;
    if (!r.matched || !m) {
      return { class: 'unknown', personId: null, nameMasked: null, name: null, school: null, className: null, score: r.score, guardians: [], classTeachers: [] };
    }
    return {
      class: 'student',
      personId: m.student.id,
      nameMasked: maskName(m.student.name),
      name: m.student.name,
      school: m.student.schoolName,
      className: m.student.className,
      score: m.score,
      guardians: m.guardians.map((g) => ({ type: 'person' as const, kind: 'guardian', personId: g.id })),
      classTeachers: m.classTeacher ? [{ type: 'person' as const, kind: 'teacher', personId: m.classTeacher.id }] : [],
    };
  }
}
