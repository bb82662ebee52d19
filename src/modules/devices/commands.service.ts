// Commands to devices (speak a text or a preset message on a loudspeaker, strobe, PTZ preset, reboot). A command
// is stored first, then pushed over MQTT when the device is connected, or fetched by the device over HTTP
// polling. The device acknowledges it (done or failed); a command not acknowledged in time expires.
import type { Actor } from '../../platform/access.ts';
import { requirePermission } from '../../platform/access.ts';
import type { Platform } from '../../platform/context.ts';
import { newId } from '../../platform/crypto.ts';
import { errors } from '../../platform/errors.ts';
import { commandTypes, voicePresets } from './devices.catalog.ts';
import type { CommandAck, CommandView, CreateCommandInput, DeviceCommandMessage } from './devices.schema.ts';
import type { DevicesService } from './devices.service.ts';
import type { DeviceCommandRow } from './devices.tables.ts';
import type { DeviceContext } from './device-directory.ts';
import { commandsRepo } from './commands.repo.ts';

declare module '../../platform/bus.ts' {
  interface DomainEvents {
    'device.command': { id: string; deviceId: string; areaCode: string; type: string; status: string };
  }
}

const DEFAULT_TTL_S = 60;

/** How commands reach connected devices; the MQTT gateway provides it. */
export interface CommandPublisher {
  /** Publishes to the device if it can be reached now; false when it is not connected (it will poll or resubscribe). */
  publish(deviceCode: string, message: DeviceCommandMessage): Promise<boolean>;
}

export class CommandsService {
  publisher: CommandPublisher | null = null;

  constructor(
    private readonly p: Platform,
    private readonly devices: DevicesService,
  ) {}

  /**
   * Stores a command and pushes it to the device. With `opts.key` (a caller that may retry: a rule's evaluation) a
   * second call with the same key answers the first command and sends nothing.
   */
  async create(actor: Actor, deviceId: string, input: CreateCommandInput, opts: { key?: string } = {}): Promise<CommandView & { repeated?: boolean }> {
    requirePermission(actor, 'devices:command');
    const device = await this.devices.get(actor, deviceId);
    if (device.status !== 'active') throw errors.invalidState('device.retired', 'A retired device takes no commands.');
    const needs = commandTypes[input.type];
    if (needs && !device.capabilities.includes(needs)) {
      throw errors.invalidState('device.capability_missing', `This device cannot do ${input.type} (it has no ${needs} capability).`, { capability: needs });
    }
    const params: Record<string, unknown> = { ...input.params };
    // The device gets the words to speak, not only the preset's name: terminals differ in what they have stored.
    if (input.type === 'broadcast.preset') params.text = voicePresets[input.params.preset];
    const now = this.p.clock.now();
    const row: DeviceCommandRow = {
      id: newId(),
      device_id: device.id,
      area_code: device.areaCode,
      type: input.type,
      params: JSON.stringify(params),
      status: 'pending',
      via: null,
      created_by: actor.username,
      created_at: now.toISOString(),
      sent_at: null,
      acked_at: null,
      expires_at: new Date(now.getTime() + (input.ttlS ?? DEFAULT_TTL_S) * 1000).toISOString(),
      result: null,
    };
    const inserted = await this.p.db.kysely.transaction().execute(async (trx) => {
      if (opts.key !== undefined) {
        if (!(await commandsRepo.insertKeyed(trx, { ...row, idempotency_key: opts.key }))) return false;
      } else await commandsRepo.insert(trx, row);
      await this.p.audit.record(trx, actor, {
        action: 'device.command', entityType: 'device', entityId: device.id, areaCode: device.areaCode,
        detail: { commandId: row.id, type: row.type, params },
      });
      return true;
    });
    if (!inserted) {
      const first = await commandsRepo.byKey(this.p.db.kysely, opts.key!);
      if (!first) throw new Error(`command key ${opts.key} neither inserted nor found`);
      return { ...present(first), repeated: true };
    }
    this.emit(row);
    await this.push(device.code, [row]);
    return present((await commandsRepo.get(this.p.db.kysely, row.id))!);
  }

  async list(actor: Actor, deviceId: string, limit: number): Promise<CommandView[]> {
    const device = await this.devices.get(actor, deviceId);
    return (await commandsRepo.listForDevice(this.p.db.kysely, device.id, limit)).map(present);
  }

  /** HTTP polling: the device's open commands; those not yet sent are marked sent (via http). */
  async poll(device: DeviceContext): Promise<DeviceCommandMessage[]> {
    const now = this.p.clock.now().toISOString();
    const rows = await commandsRepo.openForDevice(this.p.db.kysely, device.id, now, 20);
    await commandsRepo.markSent(this.p.db.kysely, rows.filter((r) => r.status === 'pending').map((r) => r.id), 'http', now);
    for (const r of rows) if (r.status === 'pending') this.emit({ ...r, status: 'sent' });
    return rows.map(message);
  }

  /** The device's acknowledgement. Acknowledging twice is harmless; acknowledging an expired command is refused. */
  async acknowledge(device: DeviceContext, commandId: string, ack: CommandAck): Promise<CommandView> {
    const db = this.p.db.kysely;
    const row = await commandsRepo.get(db, commandId);
    if (!row || row.device_id !== device.id) throw errors.notFound('command', commandId);
    const status = ack.status === 'ok' ? 'acknowledged' : 'failed';
    if (row.status === 'expired') throw errors.invalidState('command.expired', 'This command expired before it was acknowledged.');
    if (await commandsRepo.close(db, commandId, status, this.p.clock.now().toISOString(), ack.message ?? null)) {
      this.emit({ ...row, status });
    }
    return present((await commandsRepo.get(db, commandId))!);
  }

  /** Pushes a connected device's open commands (on (re)subscription to its command topic). */
  async deliverOpen(device: DeviceContext): Promise<void> {
    const rows = await commandsRepo.openForDevice(this.p.db.kysely, device.id, this.p.clock.now().toISOString(), 20);
    await this.push(device.code, rows);
  }

  /** Expires commands past their time (called by the sweeper). */
  async expire(now: Date = this.p.clock.now()): Promise<number> {
    const rows = await commandsRepo.expire(this.p.db.kysely, now.toISOString());
    for (const r of rows) this.emit(r);
    return rows.length;
  }

  private async push(code: string, rows: DeviceCommandRow[]): Promise<void> {
    if (!this.publisher || rows.length === 0) return;
    const sent: string[] = [];
    for (const r of rows) {
      try {
        if (await this.publisher.publish(code, message(r))) sent.push(r.id);
      } catch (err) {
        this.p.log.warn({ err, command: r.id }, 'command publish failed; the device can still poll it');
      }
    }
    await commandsRepo.markSent(this.p.db.kysely, sent, 'mqtt', this.p.clock.now().toISOString());
    for (const r of rows) if (sent.includes(r.id) && r.status === 'pending') this.emit({ ...r, status: 'sent' });
  }

  private emit(r: DeviceCommandRow): void {
    this.p.bus.emit('device.command', { id: r.id, deviceId: r.device_id, areaCode: r.area_code, type: r.type, status: r.status });
  }
}

function message(r: DeviceCommandRow): DeviceCommandMessage {
  return { id: r.id, type: r.type, params: JSON.parse(r.params) as Record<string, unknown>, expiresAt: r.expires_at };
}

function present(r: DeviceCommandRow): CommandView {
  return {
    id: r.id,
    deviceId: r.device_id,
    type: r.type,
    params: JSON.parse(r.params) as Record<string, unknown>,
    status: r.status,
    via: r.via,
    createdBy: r.created_by,
    createdAt: r.created_at,
    sentAt: r.sent_at,
    ackedAt: r.acked_at,
    expiresAt: r.expires_at,
    result: r.result,
  };
}
