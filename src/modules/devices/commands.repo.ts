// The only place with SQL for commands sent to devices.
import type { Executor } from '../../platform/db/database.ts';
import type { CommandStatus, DeviceCommandRow } from './devices.tables.ts';

const OPEN: CommandStatus[] = ['pending', 'sent'];

export const commandsRepo = {
  async insert(db: Executor, row: DeviceCommandRow): Promise<void> {
    await db.insertInto('device_commands').values(row).execute();
  },

  /** Inserts a keyed command unless one with its key exists; true when this row was inserted. */
  async insertKeyed(db: Executor, row: DeviceCommandRow & { idempotency_key: string }): Promise<boolean> {
    const r = await db.insertInto('device_commands').values(row).onConflict((oc) => oc.column('idempotency_key').doNothing()).executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
  },

  async byKey(db: Executor, key: string): Promise<DeviceCommandRow | undefined> {
    return db.selectFrom('device_commands').selectAll().where('idempotency_key', '=', key).executeTakeFirst();
  },

  async get(db: Executor, id: string): Promise<DeviceCommandRow | undefined> {
    return db.selectFrom('device_commands').selectAll().where('id', '=', id).executeTakeFirst();
  },

  async listForDevice(db: Executor, deviceId: string, limit: number): Promise<DeviceCommandRow[]> {
    return db.selectFrom('device_commands').selectAll().where('device_id', '=', deviceId).orderBy('created_at', 'desc').orderBy('id').limit(limit).execute();
  },

  /** Commands a device has still to carry out, oldest first. */
  async openForDevice(db: Executor, deviceId: string, now: string, limit: number): Promise<DeviceCommandRow[]> {
    return db
      .selectFrom('device_commands')
      .selectAll()
      .where('device_id', '=', deviceId)
      .where('status', 'in', OPEN)
      .where('expires_at', '>', now)
      .orderBy('created_at')
      .limit(limit)
      .execute();
  },

  async markSent(db: Executor, ids: string[], via: string, at: string): Promise<void> {
    if (ids.length === 0) return;
    await db.updateTable('device_commands').set({ status: 'sent', via, sent_at: at }).where('id', 'in', ids).where('status', '=', 'pending').execute();
  },

  /** Closes an open command; false when it was not open any more (acknowledged, failed or expired). */
  async close(db: Executor, id: string, status: 'acknowledged' | 'failed', at: string, result: string | null): Promise<boolean> {
    const r = await db
      .updateTable('device_commands')
      .set({ status, acked_at: at, result })
      .where('id', '=', id)
      .where('status', 'in', OPEN)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  },

  /** Expires open commands past their time; returns them (one node expires each). */
  async expire(db: Executor, now: string): Promise<DeviceCommandRow[]> {
    return db
      .updateTable('device_commands')
      .set({ status: 'expired' })
      .where('status', 'in', OPEN)
      .where('expires_at', '<=', now)
      .returningAll()
      .execute();
  },
};
