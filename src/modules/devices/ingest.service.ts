// The ingest pipeline: every channel (HTTP batches, MQTT messages, GA/T 1400 object lists) ends here.
//   ingest(device, items) → validate each item against the one event model → store the images → commit the good
//   items with everyone else's in one group commit → per-item results → 'device.event' on the bus per new event.
// A caller may acknowledge (HTTP 2xx, MQTT PUBACK) once the returned promise resolves: the commit has happened.
import type { Platform } from '../../platform/context.ts';
import { newId } from '../../platform/crypto.ts';
import { jsonIssue } from '../../platform/text.ts';
import { newTimeOrderedId } from './ids.ts';
import { eventInput, type EventInput, type ItemResult } from './devices.schema.ts';
import type { DeviceEventRow, DeviceSnapshotRow } from './devices.tables.ts';
import type { DeviceContext } from './device-directory.ts';
import type { EventWriter } from './event-writer.ts';
import type { HealthService } from './health.service.ts';
import { snapshotKey, type SnapshotStore } from './snapshots.ts';

export type IngestSource = 'http' | 'mqtt' | 'gat1400' | 'system';

/** The normalised event as other modules (rules, live push) receive it. */
export interface DeviceEventPayload {
  id: string;
  deviceId: string;
  deviceCode: string;
  deviceKind: string;
  eventId: string;
  kind: string;
  occurredAt: string;
  receivedAt: string;
  areaCode: string;
  subsystem: string;
  lon: number | null;
  lat: number | null;
  zones: string[];
  attributes: Record<string, unknown>;
  snapshotIds: string[];
  source: IngestSource;
}

declare module '../../platform/bus.ts' {
  interface DomainEvents {
    'device.event': DeviceEventPayload;
  }
}

const MAX_ATTRIBUTES_BYTES = 16_384;
const MAX_IMAGE_BYTES = 2 * 1024 * 1024;
/** An event is an object holding `attributes`, which may nest this deep below themselves. */
const ITEM_LIMITS = { maxDepth: 10, maxNodes: 20_000 };

interface Prepared {
  index: number;
  row: DeviceEventRow;
  input: EventInput;
  snapshots: DeviceSnapshotRow[];
  images: Buffer[];
}

export class IngestService {
  constructor(
    private readonly p: Platform,
    private readonly writer: EventWriter,
    private readonly health: HealthService,
    private readonly store: SnapshotStore,
  ) {}

  /**
   * Validates and stores a batch of events from one device. Bad items are rejected with errors that name the
   * field; good ones are stored (a retried event id is reported as a duplicate and not stored again). Resolves
   * after the commit; rejects only when the database cannot be written (then nothing may be acknowledged).
   */
  async ingest(device: DeviceContext, items: readonly unknown[], source: IngestSource = 'http'): Promise<ItemResult[]> {
    const now = this.p.clock.now();
    const receivedAt = now.toISOString();
    const results: ItemResult[] = new Array(items.length);
    const prepared: Prepared[] = [];
    for (let i = 0; i < items.length; i++) {
      const raw = items[i];
      const rawId = typeof (raw as { id?: unknown } | null)?.id === 'string' ? ((raw as { id: string }).id as string) : null;
      // Text the engines cannot store (NUL, lone surrogates) and nesting JSON.stringify cannot take, before anything else.
      const unsafe = jsonIssue(raw, '', ITEM_LIMITS);
      if (unsafe) {
        results[i] = { index: i, id: rawId !== null && jsonIssue(rawId) === null ? rawId : null, status: 'rejected', errors: [unsafe] };
        continue;
      }
      const parsed = eventInput.safeParse(raw);
      if (!parsed.success) {
        results[i] = {
          index: i,
          id: rawId,
          status: 'rejected',
          errors: parsed.error.issues.map((iss) => ({ field: iss.path.map(String).join('.') || '(event)', message: iss.message })),
        };
        continue;
      }
      const e = parsed.data;
      const occurred = new Date(e.time);
      const problem = this.check(e, occurred, now);
      if (problem) {
        results[i] = { index: i, id: e.id, status: 'rejected', errors: [problem] };
        continue;
      }
      const attributes = e.attributes && Object.keys(e.attributes).length ? JSON.stringify(e.attributes) : null;
      if (attributes && attributes.length > MAX_ATTRIBUTES_BYTES) {
        results[i] = { index: i, id: e.id, status: 'rejected', errors: [{ field: 'attributes', message: `at most ${MAX_ATTRIBUTES_BYTES} bytes as JSON` }] };
        continue;
      }
      const snapshots: DeviceSnapshotRow[] = [];
      const images: Buffer[] = [];
      let bad: ItemResult | null = null;
      (e.snapshots ?? []).forEach((s, seq) => {
        const bytes = Buffer.from(s.data, 'base64');
        if (bytes.length === 0 || bytes.length > MAX_IMAGE_BYTES) {
          bad = { index: i, id: e.id, status: 'rejected', errors: [{ field: `snapshots.${seq}.data`, message: 'an image of 1 byte to 2 MiB' }] };
          return;
        }
        images.push(bytes);
        snapshots.push({
          id: newId(), device_id: device.id, event_id: e.id, seq, area_code: device.areaCode, kind: s.kind, content_type: s.contentType,
          size: bytes.length, storage_key: snapshotKey(device.id, e.id, seq, s.contentType), created_at: receivedAt,
        });
      });
      if (bad) {
        results[i] = bad;
        continue;
      }
      prepared.push({
        index: i,
        input: e,
        snapshots,
        images,
        row: {
          id: newTimeOrderedId(),
          device_id: device.id,
          event_id: e.id,
          kind: e.kind,
          occurred_at: occurred.toISOString(),
          received_at: receivedAt,
          area_code: device.areaCode,
          subsystem: device.subsystem,
          lon: e.position?.lon ?? device.lon,
          lat: e.position?.lat ?? device.lat,
          zones: e.zones?.length ? JSON.stringify(e.zones) : null,
          attributes,
          snapshot_ids: snapshots.length ? JSON.stringify(snapshots.map((s) => s.id)) : null,
          source,
        },
      });
    }
    if (prepared.length > 0) {
      // Images first: a committed event never points at an image that is not on disk.
      const writes: Promise<void>[] = [];
      for (const pr of prepared) pr.snapshots.forEach((s, k) => writes.push(this.store.put(s.storage_key, pr.images[k]!)));
      if (writes.length) await Promise.all(writes);
      const stored = await this.writer.write(
        prepared.map((pr) => pr.row),
        prepared.flatMap((pr) => pr.snapshots),
      );
      prepared.forEach((pr, k) => {
        const ok = stored[k] === true;
        results[pr.index] = { index: pr.index, id: pr.row.event_id, status: ok ? 'stored' : 'duplicate' };
        if (ok) this.p.bus.emit('device.event', payloadOf(pr.row, device, pr.input, source));
      });
    }
    await this.health.touch(device, now);
    return results;
  }

  /** Records an event the platform raises about a device itself (online, offline). */
  async recordSystemEvent(device: DeviceContext, kind: string, at: Date, attributes: Record<string, unknown>): Promise<void> {
    const row: DeviceEventRow = {
      id: newTimeOrderedId(),
      device_id: device.id,
      event_id: `${kind}:${at.toISOString()}`,
      kind,
      occurred_at: at.toISOString(),
      received_at: this.p.clock.now().toISOString(),
      area_code: device.areaCode,
      subsystem: device.subsystem,
      lon: device.lon,
      lat: device.lat,
      zones: null,
      attributes: JSON.stringify(attributes),
      snapshot_ids: null,
      source: 'system',
    };
    const [stored] = await this.writer.write([row]);
    if (stored) {
      this.p.bus.emit('device.event', payloadOf(row, device, { id: row.event_id, attributes }, 'system'));
    }
  }

  /** The time window (config ingestMaxAgeDays, ingestMaxFutureSeconds): outside it the device clock is wrong. */
  private check(e: EventInput, occurred: Date, now: Date): { field: string; message: string } | null {
    const t = occurred.getTime();
    const futureS = this.p.config.ingestMaxFutureSeconds;
    const ageDays = this.p.config.ingestMaxAgeDays;
    if (!Number.isFinite(t)) return { field: 'time', message: 'not a valid time' };
    if (t - now.getTime() > futureS * 1000) return { field: 'time', message: `more than ${futureS} s in the future: check the device clock` };
    if (now.getTime() - t > ageDays * 86_400_000) return { field: 'time', message: `more than ${ageDays} days in the past: check the device clock` };
    return null;
  }
}

function payloadOf(row: DeviceEventRow, device: DeviceContext, input: Pick<EventInput, 'zones' | 'attributes'> & { id: string }, source: IngestSource): DeviceEventPayload {
  return {
    id: row.id,
    deviceId: device.id,
    deviceCode: device.code,
    deviceKind: device.kind,
    eventId: row.event_id,
    kind: row.kind,
    occurredAt: row.occurred_at,
    receivedAt: row.received_at,
    areaCode: row.area_code,
    subsystem: row.subsystem,
    lon: row.lon,
    lat: row.lat,
    zones: input.zones ?? [],
    attributes: input.attributes ?? {},
    snapshotIds: row.snapshot_ids ? (JSON.parse(row.snapshot_ids) as string[]) : [],
    source,
  };
}
