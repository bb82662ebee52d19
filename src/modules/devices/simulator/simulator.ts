// `shiyu simulate`: drives a Shiyu server as the city's terminals would — over MQTT, HTTP or GA/T 1400 — at a set
// rate, with heartbeats, and a progress line. It talks to the server only through its public interfaces (the
// device import API to provision, then the device channels), so it exercises exactly what real devices do.
import mqtt, { type MqttClient } from 'mqtt';
import { toCsv } from '../csv.ts';
import { digestAuthorization } from '../gat1400/digest.ts';
import { prng, type SimDevice } from './fleet.ts';
import { eventFor, gatObjectFor, weights, type SimEvent } from './traffic.ts';

export type Via = 'mqtt' | 'http' | 'gat1400';

export interface SimOptions {
  url: string;
  mqttUrl?: string;
  via: Via;
  /** Events per second across the fleet. */
  rate: number;
  /** Seconds to run; 0 runs until stop(). */
  duration: number;
  /** MQTT connections (one per device, for that many devices). */
  connections: number;
  snapshots: boolean;
  heartbeats: boolean;
  seed: string;
  log: (line: string, final?: boolean) => void;
}

export interface SimStats {
  sent: number;
  acked: number;
  failed: number;
  rejected: number;
  heartbeats: number;
  elapsedS: number;
  /** The last failure, to say why sends fail. */
  lastError?: string;
}

export async function provision(fleet: SimDevice[], url: string, token: string, log: (line: string, final?: boolean) => void): Promise<{ created: number; existing: number; failed: number }> {
  const header = ['code', 'name', 'subsystem', 'kind', 'gbId', 'lon', 'lat', 'areaCode', 'heartbeatIntervalS', 'secret'];
  let created = 0;
  let existing = 0;
  let failed = 0;
  const chunk = 5000;
  for (let i = 0; i < fleet.length; i += chunk) {
    const rows = fleet.slice(i, i + chunk).map((d) => [d.code, d.name, d.subsystem, d.kind, d.gbId ?? '', d.lon, d.lat, d.areaCode, d.heartbeatIntervalS, d.secret]);
    const res = await fetch(`${url}/api/devices/import`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ fileName: 'simulated-fleet.csv', content: Buffer.from(toCsv([header, ...rows])).toString('base64'), dryRun: false }),
    });
    const body = (await res.json()) as { created?: number; rows?: { status: string; errors?: { field: string; message: string }[] }[]; error?: { message: string } };
    if (!res.ok) throw new Error(`device import failed: ${res.status} ${body.error?.message ?? ''}`);
    for (const r of body.rows ?? []) {
      if (r.status === 'created') created++;
      else if ((r.errors ?? []).some((e) => e.field === 'code' || e.field === 'gbId')) existing++;
      else failed++;
    }
    log(`[simulate] provisioning ${Math.min(i + chunk, fleet.length)}/${fleet.length} devices (created ${created}, already there ${existing}, failed ${failed})`);
  }
  log(`[simulate] provisioned: created ${created}, already there ${existing}, failed ${failed}`, true);
  return { created, existing, failed };
}

export async function signIn(url: string, username: string, password: string): Promise<string> {
  const res = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  const body = (await res.json()) as { token?: string; error?: { message: string } };
  if (!res.ok || !body.token) throw new Error(`sign-in as ${username} failed: ${body.error?.message ?? res.status}`);
  return body.token;
}

interface Transport {
  send(d: SimDevice, events: SimEvent[]): Promise<{ acked: number; rejected: number }>;
  heartbeat(d: SimDevice): Promise<void>;
  close(): Promise<void>;
}

class HttpTransport implements Transport {
  constructor(private readonly url: string) {}
  async send(d: SimDevice, events: SimEvent[]) {
    const res = await fetch(`${this.url}/api/ingest/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-device-token': d.secret },
      body: JSON.stringify({ events }),
    });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const body = (await res.json()) as { stored: number; duplicates: number; rejected: number };
    return { acked: body.stored + body.duplicates, rejected: body.rejected };
  }
  async heartbeat(d: SimDevice) {
    const res = await fetch(`${this.url}/api/ingest/heartbeat`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-device-token': d.secret }, body: '{}' });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    await res.arrayBuffer();
  }
  async close() {}
}

class MqttTransport implements Transport {
  private readonly clients = new Map<string, MqttClient>();
  constructor(private readonly url: string) {}
  async connect(devices: SimDevice[], log: (line: string) => void): Promise<void> {
    let n = 0;
    for (let i = 0; i < devices.length; i += 50) {
      await Promise.all(
        devices.slice(i, i + 50).map(
          (d) =>
            new Promise<void>((resolve, reject) => {
              const c = mqtt.connect(this.url, { username: d.code, password: d.secret, clientId: `sim-${d.code}`, clean: true, reconnectPeriod: 2000, connectTimeout: 10_000 });
              c.once('connect', () => {
                this.clients.set(d.code, c);
                // Answer commands (e.g. a loudspeaker told to play) so that delivery acknowledgement works end to end.
                c.subscribe(`shiyu/${d.code}/commands`, { qos: 1 });
                c.on('message', (topic, payload) => {
                  if (!topic.endsWith('/commands')) return;
                  try {
                    const cmd = JSON.parse(payload.toString()) as { id: string };
                    c.publish(`shiyu/${d.code}/commands/ack`, JSON.stringify({ id: cmd.id, status: 'ok', message: 'played' }), { qos: 1 });
                  } catch {
                    /* not a command */
                  }
                });
                resolve();
              });
              c.once('error', (e) => {
                c.end(true);
                reject(e);
              });
            }),
        ),
      );
      n = Math.min(i + 50, devices.length);
      log(`[simulate] MQTT: ${n}/${devices.length} devices connected`);
    }
  }
  has(d: SimDevice): boolean {
    return this.clients.has(d.code);
  }
  send(d: SimDevice, events: SimEvent[]) {
    const c = this.clients.get(d.code);
    if (!c) return Promise.reject(new Error('not connected'));
    return new Promise<{ acked: number; rejected: number }>((resolve, reject) =>
      c.publish(`shiyu/${d.code}/events`, JSON.stringify(events.length === 1 ? events[0] : events), { qos: 1 }, (err) => (err ? reject(err) : resolve({ acked: events.length, rejected: 0 }))),
    );
  }
  heartbeat(d: SimDevice) {
    const c = this.clients.get(d.code);
    if (!c) return Promise.resolve();
    return new Promise<void>((resolve, reject) => c.publish(`shiyu/${d.code}/heartbeat`, '{}', { qos: 1 }, (err) => (err ? reject(err) : resolve())));
  }
  async close() {
    await Promise.all([...this.clients.values()].map((c) => c.endAsync()));
  }
}

class GatTransport implements Transport {
  private readonly registered = new Set<string>();
  private readonly registering = new Map<string, Promise<void>>();
  constructor(private readonly url: string) {}
  /** One registration at a time per device, as a camera does. */
  private register(d: SimDevice): Promise<void> {
    if (this.registered.has(d.code) || !d.gbId) return Promise.resolve();
    let p = this.registering.get(d.code);
    if (!p) {
      p = this.doRegister(d).finally(() => this.registering.delete(d.code));
      this.registering.set(d.code, p);
    }
    return p;
  }
  private async doRegister(d: SimDevice): Promise<void> {
    if (!d.gbId) return;
    const path = '/VIID/System/Register';
    const body = JSON.stringify({ RegisterObject: { DeviceID: d.gbId } });
    const first = await fetch(this.url + path, { method: 'POST', headers: { 'content-type': 'application/VIID+JSON' }, body });
    await first.arrayBuffer();
    const challenge = first.headers.get('www-authenticate') ?? '';
    const res = await fetch(this.url + path, {
      method: 'POST',
      headers: { 'content-type': 'application/VIID+JSON', authorization: digestAuthorization({ username: d.gbId, password: d.secret, method: 'POST', uri: path, challenge, nc: 1 }) },
      body,
    });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`GA/T 1400 register ${d.gbId}: HTTP ${res.status}`);
    this.registered.add(d.code);
  }
  async send(d: SimDevice, events: SimEvent[]) {
    await this.register(d);
    const byCollection = new Map<string, Record<string, unknown>[]>();
    for (const e of events) {
      const { collection, object } = gatObjectFor(d, e);
      byCollection.set(collection, [...(byCollection.get(collection) ?? []), object]);
    }
    let acked = 0;
    let rejected = 0;
    const envelopes: Record<string, [string, string]> = { Faces: ['FaceListObject', 'FaceObject'], Persons: ['PersonListObject', 'PersonObject'], MotorVehicles: ['MotorVehicleListObject', 'MotorVehicleObject'] };
    for (const [collection, objects] of byCollection) {
      const [list, item] = envelopes[collection]!;
      const res = await fetch(`${this.url}/VIID/${collection}`, {
        method: 'POST',
        headers: { 'content-type': 'application/VIID+JSON', 'user-identify': d.gbId ?? '' },
        body: JSON.stringify({ [list]: { [item]: objects } }),
      });
      const body = (await res.json()) as { ResponseStatusListObject?: { ResponseStatusObject: { StatusCode: number }[] } };
      if (res.status === 401) this.registered.delete(d.code);
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      for (const s of body.ResponseStatusListObject?.ResponseStatusObject ?? []) {
        if (s.StatusCode === 0) acked++;
        else rejected++;
      }
    }
    return { acked, rejected };
  }
  async heartbeat(d: SimDevice) {
    if (!d.gbId) return;
    await this.register(d);
    const res = await fetch(`${this.url}/VIID/System/Keepalive`, {
      method: 'POST',
      headers: { 'content-type': 'application/VIID+JSON', 'user-identify': d.gbId },
      body: JSON.stringify({ KeepaliveObject: { DeviceID: d.gbId } }),
    });
    await res.arrayBuffer();
    if (res.status === 401) this.registered.delete(d.code);
  }
  async close() {}
}

/** Runs the traffic until the duration is over or `stop()` is called; resolves with the totals. */
export class Simulation {
  private stopped = false;
  private wake: (() => void) | null = null;
  private transport: Transport | null = null;
  private started: (() => void) | null = null;
  /** Resolves when the devices are connected and traffic has begun. */
  readonly ready = new Promise<void>((r) => (this.started = r));
  readonly stats: SimStats = { sent: 0, acked: 0, failed: 0, rejected: 0, heartbeats: 0, elapsedS: 0 };

  constructor(
    private readonly fleet: SimDevice[],
    private readonly o: SimOptions,
  ) {}

  stop(): void {
    this.stopped = true;
    this.wake?.();
  }

  /** Sends these events of one device now, besides the random traffic (a scripted moment of the demo). */
  async inject(d: SimDevice, events: SimEvent[]): Promise<void> {
    await this.ready;
    if (this.stopped || !this.transport) return;
    this.stats.sent += events.length;
    try {
      const r = await this.transport.send(d, events);
      this.stats.acked += r.acked;
      this.stats.rejected += r.rejected;
    } catch (err) {
      this.stats.failed += events.length;
      this.stats.lastError = err instanceof Error ? err.message : String(err);
    }
  }

  async run(): Promise<SimStats> {
    const o = this.o;
    let devices = o.via === 'gat1400' ? this.fleet.filter((d) => d.gbId) : this.fleet;
    let transport: Transport;
    if (o.via === 'mqtt') {
      const t = new MqttTransport(o.mqttUrl ?? 'mqtt://127.0.0.1:1883');
      devices = devices.slice(0, Math.max(1, o.connections));
      await t.connect(devices, (l) => o.log(l));
      transport = t;
    } else transport = o.via === 'http' ? new HttpTransport(o.url) : new GatTransport(o.url);
    if (devices.length === 0) throw new Error('no device can use this channel');
    this.transport = transport;
    this.started?.();

    // Weighted choice of the next device (busy kinds speak more often).
    const cumulative: number[] = [];
    let total = 0;
    for (const d of devices) cumulative.push((total += d.quiet ? 0 : (weights[d.kind] ?? 1)));
    const rand = prng(o.seed + ':traffic');
    const pick = () => {
      const x = rand() * total;
      let lo = 0;
      let hi = cumulative.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cumulative[mid]! <= x) lo = mid + 1;
        else hi = mid;
      }
      return devices[lo]!;
    };

    const started = Date.now();
    const tickMs = 100;
    let due = 0;
    let seq = 0;
    let inFlight = 0;
    const maxInFlight = 256;
    let nextHeartbeat = 0;
    let lastLog = 0;
    const heartbeatSpreadMs = 60_000;
    while (!this.stopped) {
      const now = Date.now();
      const elapsed = (now - started) / 1000;
      if (o.duration > 0 && elapsed >= o.duration) break;
      due += (o.rate * tickMs) / 1000;
      const batches = new Map<SimDevice, SimEvent[]>();
      while (due >= 1 && inFlight < maxInFlight) {
        due -= 1;
        const d = pick();
        const list = batches.get(d) ?? [];
        list.push(eventFor(d, seq++, new Date(now), rand, o.snapshots));
        batches.set(d, list);
      }
      if (due > o.rate) due = o.rate; // the server cannot keep up: do not build an unbounded backlog
      for (const [d, events] of batches) {
        inFlight++;
        this.stats.sent += events.length;
        transport.send(d, events).then(
          (r) => {
            this.stats.acked += r.acked;
            this.stats.rejected += r.rejected;
          },
          (err: unknown) => {
            this.stats.failed += events.length;
            this.stats.lastError = err instanceof Error ? (err.cause instanceof Error ? `${err.message}: ${err.cause.message}` : err.message) : String(err);
          },
        ).finally(() => inFlight--);
      }
      // Heartbeats: every device once per minute, spread evenly over the minute.
      if (o.heartbeats) {
        const perTick = Math.ceil((devices.length * tickMs) / heartbeatSpreadMs);
        for (let k = 0; k < perTick; k++) {
          const d = devices[nextHeartbeat++ % devices.length]!;
          transport.heartbeat(d).then(() => this.stats.heartbeats++, () => {});
        }
      }
      if (now - lastLog >= 1000) {
        lastLog = now;
        this.stats.elapsedS = elapsed;
        o.log(progressLine(this.stats, devices.length, o.via));
      }
      await new Promise<void>((r) => {
        this.wake = r;
        setTimeout(r, tickMs);
      });
    }
    const deadline = Date.now() + 10_000;
    while (inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    this.stats.elapsedS = (Date.now() - started) / 1000;
    o.log(progressLine(this.stats, devices.length, o.via), true);
    this.transport = null;
    await transport.close();
    return this.stats;
  }
}

export function progressLine(s: SimStats, devices: number, via: Via): string {
  const rate = s.elapsedS > 0 ? Math.round(s.acked / s.elapsedS) : 0;
  return `[simulate] ${s.elapsedS.toFixed(0)}s via ${via}: ${devices} devices, sent ${s.sent}, acknowledged ${s.acked} (${rate}/s), rejected ${s.rejected}, failed ${s.failed}, heartbeats ${s.heartbeats}${s.lastError ? ` (last failure: ${s.lastError})` : ''}`;
}
