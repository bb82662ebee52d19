// MQTT for devices. Topic layout (docs/devices.md):
//   shiyu/<code>/events        device → platform  one event, an array of events, or {"events":[…]}  (QoS 1)
//   shiyu/<code>/heartbeat     device → platform  optional {"status":{…}}
//   shiyu/<code>/commands      platform → device  {"id","type","params","expiresAt"}               (QoS 1)
//   shiyu/<code>/commands/ack  device → platform  {"id","status":"ok"|"failed","message"}
//   shiyu/<code>/results       platform → device  rejected events with the fields at fault
// Embedded broker (default): devices sign in with their code as username and their secret as password, and may
// publish and subscribe only under their own shiyu/<code>/. An event message is stored before the broker sends
// its PUBACK (aedes sends it once authorizePublish calls back), so an acknowledged event is durable.
// External broker (MQTT_URL): the broker authenticates devices; every node subscribes with MQTT 5 shared
// subscriptions ($share/<MQTT_SHARE_GROUP>/…) so that the nodes share the load, and acknowledges each message after
// the commit. Client ids are `shiyu-<group>-<SHIYU_NODE_ID>-<n>`: two nodes never take each other's session.
import type { Client as AedesClient, PublishPacket } from 'aedes';
import mqtt, { type MqttClient } from 'mqtt';
import type { Platform } from '../../platform/context.ts';
import type { EmbeddedBroker } from '../../platform/mqtt.ts';
import type { CommandPublisher, CommandsService } from './commands.service.ts';
import { commandAckBody, type DeviceCommandMessage } from './devices.schema.ts';
import type { DeviceContext, DeviceDirectory } from './device-directory.ts';
import type { HealthService } from './health.service.ts';
import type { IngestService } from './ingest.service.ts';

export const TOPIC_ROOT = 'shiyu';

type Channel = 'events' | 'heartbeat' | 'commands/ack';

/** Splits `shiyu/<code>/<channel>`; null for anything else. */
export function parseTopic(topic: string): { code: string; channel: Channel } | null {
  const parts = topic.split('/');
  if (parts[0] !== TOPIC_ROOT || parts.length < 3 || !parts[1]) return null;
  const channel = parts.slice(2).join('/');
  if (channel !== 'events' && channel !== 'heartbeat' && channel !== 'commands/ack') return null;
  return { code: parts[1], channel };
}

/** An events payload: one event, an array, or {"events": [...]}. */
export function eventsOf(payload: unknown): unknown[] {
  if (Array.isArray(payload)) return payload;
  if (payload && typeof payload === 'object' && Array.isArray((payload as { events?: unknown }).events)) return (payload as { events: unknown[] }).events;
  return [payload];
}

export class MqttGateway implements CommandPublisher {
  private broker: EmbeddedBroker | null = null;
  private readonly devicesOf = new WeakMap<AedesClient, DeviceContext>();
  /** Device codes subscribed to their command topic on the embedded broker (count of connections). */
  private readonly listening = new Map<string, number>();
  private external: MqttClient[] = [];
  /** Messages handled by this node (tests use it to see that nodes share the load). */
  readonly stats = { received: 0 };

  constructor(
    private readonly p: Platform,
    private readonly directory: DeviceDirectory,
    private readonly ingest: IngestService,
    private readonly health: HealthService,
    private readonly commands: CommandsService,
  ) {}

  // ---- embedded broker ---------------------------------------------------------------------------------------

  attachEmbedded(broker: EmbeddedBroker): void {
    this.broker = broker;
    const aedes = broker.aedes;
    broker.setAuthenticator(async (_clientId, username, password, client) => {
      if (!username || !password) return false;
      const device = await this.directory.verify(username, password.toString('utf8'));
      if (!device) return false;
      this.devicesOf.set(client, device);
      return true;
    });
    aedes.authorizePublish = (client, packet, callback) => {
      const device = client ? this.devicesOf.get(client) : undefined;
      const t = parseTopic(packet.topic);
      if (!device || !t || t.code !== device.code) return callback(new Error('not authorised for this topic'));
      this.handle(device, t.channel, packet.payload, 'mqtt').then(
        () => callback(null),
        // The database could not take it: no PUBACK; the client is disconnected and will send it again.
        (err: unknown) => {
          this.p.log.error({ err, device: device.code }, 'MQTT message could not be stored');
          callback(err instanceof Error ? err : new Error(String(err)));
        },
      );
    };
    aedes.authorizeSubscribe = (client, sub, callback) => {
      const device = this.devicesOf.get(client);
      const ok = device && (sub.topic === `${TOPIC_ROOT}/${device.code}/commands` || sub.topic === `${TOPIC_ROOT}/${device.code}/results`);
      callback(null, ok ? sub : null);
    };
    // Devices receive only what is addressed to them (a device never sees another's events).
    aedes.authorizeForward = (client, packet) => {
      const device = this.devicesOf.get(client);
      return device && packet.topic.startsWith(`${TOPIC_ROOT}/${device.code}/`) ? packet : null;
    };
    aedes.on('clientReady', (client) => {
      const device = this.devicesOf.get(client);
      if (device) void this.health.touch(device).catch((err: unknown) => this.p.log.warn({ err }, 'health update failed'));
    });
    aedes.on('subscribe', (subs, client) => {
      const device = this.devicesOf.get(client);
      if (!device || !subs.some((s) => s.topic === `${TOPIC_ROOT}/${device.code}/commands`)) return;
      this.listening.set(device.code, (this.listening.get(device.code) ?? 0) + 1);
      (client as AedesClient & { _shiyuListening?: boolean })._shiyuListening = true;
      void this.commands.deliverOpen(device).catch((err: unknown) => this.p.log.warn({ err }, 'command delivery failed'));
    });
    aedes.on('clientDisconnect', (client) => {
      const device = this.devicesOf.get(client);
      if (!device || !(client as AedesClient & { _shiyuListening?: boolean })._shiyuListening) return;
      const n = (this.listening.get(device.code) ?? 1) - 1;
      if (n <= 0) this.listening.delete(device.code);
      else this.listening.set(device.code, n);
    });
    this.commands.publisher = this;
  }

  // ---- external broker ---------------------------------------------------------------------------------------

  /**
   * Subscribes to an external broker. `group` is the shared-subscription group: all nodes of one deployment use
   * the same (MQTT_SHARE_GROUP); `nodeId` (SHIYU_NODE_ID) tells this node's sessions apart from the other nodes'.
   */
  async connectExternal(url: string, opts: { group?: string; nodeId?: string; sessionExpirySeconds?: number } = {}): Promise<void> {
    // A stable client id per node: after a crash the node resumes its session, and the broker redelivers the messages
    // it had not acknowledged. The session expires after MQTT_SESSION_EXPIRY_SECONDS, so that a node that is removed
    // (never returns) does not keep a share of the group's messages queued for itself.
    const node = opts.nodeId ?? this.p.config.nodeId;
    const group = opts.group ?? this.p.config.mqttShareGroup;
    const sessionExpiryInterval = opts.sessionExpirySeconds ?? this.p.config.mqttSessionExpirySeconds;
    const topics = ['events', 'heartbeat', 'commands/ack'].map((c) => `$share/${group}/${TOPIC_ROOT}/+/${c}`);
    // mqtt.js reads a connection's next packet only after the previous one's PUBACK (sent after the commit), so the
    // messages in flight per node — and so the rows per group commit — are the number of connections.
    for (let i = 0; i < this.p.config.mqttExternalConnections; i++) {
      const client = mqtt.connect(url, {
        protocolVersion: 5,
        clientId: `shiyu-${group}-${node}-${i}`,
        clean: false,
        properties: { sessionExpiryInterval },
        reconnectPeriod: 2000,
        customHandleAcks: (topic, message, _packet, done) => {
          const t = parseTopic(topic);
          if (!t) return done(0);
          this.directory.byCode(t.code).then(
            async (device) => {
              if (!device) {
                this.p.log.warn({ topic }, 'MQTT message from an unknown or retired device ignored');
                return done(0);
              }
              await this.handle(device, t.channel, message, 'mqtt');
              done(0);
            },
            (err: unknown) => done(err instanceof Error ? err : new Error(String(err))),
          ).catch((err: unknown) => {
            // Not stored: close without acknowledging; the broker redelivers on reconnection.
            this.p.log.error({ err, topic }, 'MQTT message could not be stored');
            client.end(true, undefined, () => client.reconnect());
          });
        },
      });
      client.on('error', (err) => this.p.log.warn({ err: err.message }, 'external MQTT broker error'));
      await new Promise<void>((resolve, reject) => {
        client.once('connect', () => resolve());
        client.once('error', reject);
      });
      await client.subscribeAsync(topics, { qos: 1 });
      this.external.push(client);
    }
    this.commands.publisher = this;
    this.p.log.info({ url: url.replace(/\/\/[^@]*@/, '//***@'), topics }, 'subscribed to the external MQTT broker');
  }

  // ---- both --------------------------------------------------------------------------------------------------

  async publish(code: string, message: DeviceCommandMessage): Promise<boolean> {
    const topic = `${TOPIC_ROOT}/${code}/commands`;
    const payload = Buffer.from(JSON.stringify(message));
    if (this.external.length > 0) {
      // The broker holds it for the device's session; the ack or the timeout tells the rest.
      await this.external[0]!.publishAsync(topic, payload, { qos: 1 });
      return true;
    }
    if (!this.broker || !this.listening.has(code)) return false;
    await this.brokerPublish(topic, payload);
    return true;
  }

  /** The client ids of this node's external-broker connections (operators match them in the broker's log). */
  get externalClientIds(): string[] {
    return this.external.map((c) => c.options.clientId ?? '');
  }

  async close(): Promise<void> {
    await Promise.all(this.external.map((c) => c.endAsync()));
    this.external = [];
  }

  /** One message from a device, whatever the broker. Resolves after it is stored (or refused as invalid). */
  private async handle(device: DeviceContext, channel: Channel, payload: Buffer | string, source: 'mqtt'): Promise<void> {
    this.stats.received++;
    let body: unknown = undefined;
    const text = payload.toString();
    if (text.trim()) {
      try {
        body = JSON.parse(text);
      } catch {
        if (channel === 'heartbeat') body = undefined;
        else return this.reply(device, { error: { code: 'payload.invalid_json', message: 'The payload is not JSON.' } });
      }
    }
    if (channel === 'heartbeat') return this.health.heartbeat(device);
    if (channel === 'commands/ack') {
      const ack = commandAckBody.safeParse(body ?? {});
      if (!ack.success || !ack.data.id) return this.reply(device, { error: { code: 'command.ack_invalid', message: 'An acknowledgement needs {"id", "status"}.' } });
      await this.commands.acknowledge(device, ack.data.id, ack.data).catch((err: unknown) => this.reply(device, { error: { code: 'command.ack_refused', message: String((err as Error).message) } }));
      return;
    }
    const items = eventsOf(body);
    const results = await this.ingest.ingest(device, items, source);
    const rejected = results.filter((r) => r.status === 'rejected');
    if (rejected.length) await this.reply(device, { rejected });
  }

  private async reply(device: DeviceContext, body: unknown): Promise<void> {
    const topic = `${TOPIC_ROOT}/${device.code}/results`;
    const payload = Buffer.from(JSON.stringify(body));
    if (this.external.length > 0) await this.external[0]!.publishAsync(topic, payload, { qos: 0 });
    else if (this.broker) await this.brokerPublish(topic, payload).catch(() => {});
  }

  private brokerPublish(topic: string, payload: Buffer): Promise<void> {
    const packet = { cmd: 'publish', topic, payload, qos: 1, retain: false, dup: false } as PublishPacket;
    return new Promise((resolve, reject) => this.broker!.aedes.publish(packet, (err) => (err ? reject(err) : resolve())));
  }
}
