import type { Executor } from '../../platform/db/database.ts';
import { prefixPattern } from '../../platform/db/dialect.ts';
import type { DispatchRow, ResponderRow } from './warning.tables.ts';

export const respondersRepo = {
  async insert(db: Executor, row: ResponderRow): Promise<void> {
    await db.insertInto('responders').values(row).execute();
  },

  async get(db: Executor, id: string): Promise<ResponderRow | undefined> {
    return db.selectFrom('responders').selectAll().where('id', '=', id).executeTakeFirst();
  },

  async byUser(db: Executor, userId: string): Promise<ResponderRow | undefined> {
    return db.selectFrom('responders').selectAll().where('user_id', '=', userId).executeTakeFirst();
  },

  async update(db: Executor, id: string, patch: Partial<ResponderRow>): Promise<void> {
    await db.updateTable('responders').set(patch).where('id', '=', id).execute();
  },

  async list(db: Executor, scope: string): Promise<ResponderRow[]> {
    return db.selectFrom('responders').selectAll().where('area_code', 'like', prefixPattern(scope)).orderBy('area_code').orderBy('name').execute();
  },

  /** Available responders of these kinds under an area prefix who are not already on a dispatch. */
  async available(db: Executor, prefix: string, kinds: readonly string[]): Promise<ResponderRow[]> {
    return db
      .selectFrom('responders')
      .selectAll()
      .where('area_code', 'like', prefixPattern(prefix))
      .where('kind', 'in', [...kinds])
      .where('available', '=', 1)
      .where('lon', 'is not', null)
      .where('lat', 'is not', null)
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('dispatches').select('dispatches.id').whereRef('dispatches.responder_id', '=', 'responders.id').where('dispatches.state', 'in', ['dispatched', 'answered']))),
      )
      .execute();
  },

  async insertDispatch(db: Executor, row: DispatchRow): Promise<void> {
    await db.insertInto('dispatches').values(row).execute();
  },

  async dispatch(db: Executor, id: string): Promise<DispatchRow | undefined> {
    return db.selectFrom('dispatches').selectAll().where('id', '=', id).executeTakeFirst();
  },

  async dispatchesOf(db: Executor, alertId: string): Promise<(DispatchRow & { responder_name: string; responder_kind: string })[]> {
    return db
      .selectFrom('dispatches')
      .innerJoin('responders', 'responders.id', 'dispatches.responder_id')
      .selectAll('dispatches')
      .select(['responders.name as responder_name', 'responders.kind as responder_kind'])
      .where('dispatches.alert_id', '=', alertId)
      .orderBy('dispatches.dispatched_at')
      .execute();
  },

  async openDispatchesOfResponder(db: Executor, responderId: string): Promise<DispatchRow[]> {
    return db.selectFrom('dispatches').selectAll().where('responder_id', '=', responderId).where('state', 'in', ['dispatched', 'answered']).orderBy('dispatched_at', 'desc').execute();
  },

  /** A responder's dispatches still to act on: not yet arrived, or on scene while the alert is open (to report). */
  async actionableDispatchesOfResponder(db: Executor, responderId: string): Promise<DispatchRow[]> {
    return db
      .selectFrom('dispatches')
      .innerJoin('alerts', 'alerts.id', 'dispatches.alert_id')
      .selectAll('dispatches')
      .where('dispatches.responder_id', '=', responderId)
      .where((eb) => eb.or([eb('dispatches.state', 'in', ['dispatched', 'answered']), eb.and([eb('dispatches.state', '=', 'on_scene'), eb('alerts.state', '!=', 'closed')])]))
      .orderBy('dispatches.dispatched_at', 'desc')
      .execute();
  },

  async updateDispatch(db: Executor, id: string, fromStates: string[], patch: Partial<DispatchRow>): Promise<boolean> {
    const r = await db.updateTable('dispatches').set(patch).where('id', '=', id).where('state', 'in', fromStates).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  },

  async markOverdue(db: Executor, id: string, field: 'answer_overdue' | 'on_scene_overdue'): Promise<void> {
    await db.updateTable('dispatches').set({ [field]: 1 }).where('id', '=', id).execute();
  },
};
