// Key persons (重点人员) by GB/T 31000 category with graded management: the level sets how often they are visited
// and tested (people.policy.ts); visits and tests are recorded; tasks are tracked; completion rates per area.
// A visit or test that falls due and is not done: the helper is reminded, and three days later the town is told
// (stored timers, people_timers; `tick()` fires them once, also across restarts and nodes).
import type { Actor } from '../../platform/access.ts';
import { assertInScope, inScope, requirePermission, scopePrefix, systemActor } from '../../platform/access.ts';
import type { Platform } from '../../platform/context.ts';
import { maskIdNumber, maskName, maskPhone, newId } from '../../platform/crypto.ts';
import type { Executor } from '../../platform/db/database.ts';
import { errors } from '../../platform/errors.ts';
import { areasRepo } from '../areas/areas.repo.ts';
import type { NotifyService } from '../notify/notify.service.ts';
import { ESCALATE_AFTER_DAYS, addDays, intervalsFor, type KeyPersonCategory, type KeyPersonLevel } from './people.policy.ts';
import { peopleRepo } from './people.repo.ts';
import type { CreateKeyPersonInput, KeyPersonDetail, KeyPersonView, ListKeyPersonsQuery, RateRow, RatesView, recordBody, taskBody, updateKeyPersonBody } from './people.schema.ts';
import type { KeyPersonRow, PeopleTimerRow } from './people.tables.ts';
import { auditedTx, type RegisterService } from './register.service.ts';
import type { z } from 'zod';

declare module '../../platform/bus.ts' {
  interface DomainEvents {
    'keyperson.overdue': { id: string; areaCode: string; item: 'visit' | 'test'; dueAt: string; helperUserId: string | null };
    'keyperson.escalated': { id: string; areaCode: string; item: 'visit' | 'test'; dueAt: string; townCode: string; notified: number };
  }
}

type Row = Awaited<ReturnType<typeof peopleRepo.listKeyPersons>>['rows'][number];
const BATCH = 100;

export class KeyPersonsService {
  constructor(
    private readonly p: Platform,
    private readonly register: RegisterService,
    private readonly notify: NotifyService,
  ) {}

  async list(actor: Actor, q: ListKeyPersonsQuery): Promise<{ items: KeyPersonView[]; total: number }> {
    requirePermission(actor, 'people:read');
    if (q.areaCode && !inScope(actor, q.areaCode)) throw errors.notFound('area', q.areaCode);
    const now = this.now();
    const { rows, total } = await peopleRepo.listKeyPersons(this.p.db.kysely, {
      scope: actor.scope, areaPrefix: q.areaCode, category: q.category, level: q.level, overdue: q.overdue === undefined ? undefined : q.overdue === 'true',
      helperUserId: q.mine === 'true' ? (actor.userId ?? '\u0000') : undefined, limit: q.pageSize, offset: (q.page - 1) * q.pageSize,
    }, now);
    return { items: rows.map((r) => this.present(r, now, false)), total };
  }

  async get(actor: Actor, id: string, reveal = false): Promise<KeyPersonDetail> {
    requirePermission(actor, 'people:read');
    if (reveal) requirePermission(actor, 'pii:reveal');
    const k = await this.load(actor, id);
    const db = this.p.db.kysely;
    if (reveal) await this.p.audit.personalDataRead(db, actor, 'key_person', id, k.area_code, ['name', 'idNumber', 'details', 'guardian']);
    const now = this.now();
    const row = (await peopleRepo.getKeyPersonJoined(db, id))!;
    const { pii } = this.p;
    const [records, tasks] = await Promise.all([peopleRepo.recordsOf(db, id), peopleRepo.tasksOf(db, id)]);
    const details = JSON.parse(pii.decrypt(k.details_enc)) as Record<string, unknown>;
    const gName = k.guardian_name_enc ? pii.decrypt(k.guardian_name_enc) : null;
    const gPhone = k.guardian_phone_enc ? pii.decrypt(k.guardian_phone_enc) : null;
    return {
      ...this.present(row, now, reveal),
      details: reveal ? details : Object.fromEntries(Object.keys(details).map((key) => [key, '***'])),
      guardianName: gName ? (reveal ? gName : maskName(gName)) : null,
      guardianPhone: gPhone ? (reveal ? gPhone : maskPhone(gPhone)) : null,
      records: records.map((r) => ({ id: r.id, kind: r.kind, dueAt: r.due_at, doneAt: r.done_at, onTime: r.on_time === 1, result: r.result, note: r.note_enc ? (reveal ? pii.decrypt(r.note_enc) : '***') : null, actorName: r.actor_name })),
      tasks: tasks.map((t) => ({ id: t.id, title: t.title, dueAt: t.due_at, doneAt: t.done_at, doneBy: t.done_by })),
    };
  }

  async create(actor: Actor, input: CreateKeyPersonInput): Promise<KeyPersonDetail> {
    requirePermission(actor, 'people:write');
    const r = await this.register.resident(actor, input.residentId);
    if (r.status !== 'active') throw errors.invalidState('resident.not_active', 'The resident no longer lives here.');
    const db = this.p.db.kysely;
    if (await peopleRepo.keyPersonOf(db, r.id, input.category)) throw errors.conflict('key_person.duplicate', 'This resident is already registered in this category.', { field: 'category' });
    if (input.helperUserId) await this.checkHelper(actor, input.helperUserId, r.area_code);
    const now = this.p.clock.now();
    const { visitDays, testDays } = intervalsFor(input.category, input.level);
    const { pii } = this.p;
    // The first visit is due one interval from registration; the first test too.
    const row: KeyPersonRow = {
      id: newId(), resident_id: r.id, area_code: r.area_code, category: input.category, level: input.level, details_enc: pii.encrypt(JSON.stringify(input.details)),
      helper_user_id: input.helperUserId ?? null, guardian_name_enc: input.guardianName ? pii.encrypt(input.guardianName) : null, guardian_phone_enc: input.guardianPhone ? pii.encrypt(input.guardianPhone) : null,
      visit_interval_days: visitDays, next_visit_due_at: addDays(now, visitDays).toISOString(), visit_overdue_at: null,
      test_interval_days: testDays, next_test_due_at: testDays ? addDays(now, testDays).toISOString() : null, test_overdue_at: null,
      status: 'active', version: 0, created_at: now.toISOString(), updated_at: now.toISOString(),
    };
    await auditedTx(this.p, actor, 'key_person.create', 'key_person', row.id, row.area_code, { category: row.category, level: row.level, residentId: r.id }, async (trx) => {
      await peopleRepo.insertKeyPerson(trx, row);
      if (r.household_id) await peopleRepo.setHouseholdKey(trx, r.household_id, 1, row.created_at);
      await this.scheduleFor(trx, row);
    });
    return this.get(actor, row.id);
  }

  async update(actor: Actor, id: string, input: z.infer<typeof updateKeyPersonBody>): Promise<KeyPersonDetail> {
    requirePermission(actor, 'people:write');
    const k = await this.load(actor, id);
    if (input.helperUserId) await this.checkHelper(actor, input.helperUserId, k.area_code);
    const now = this.p.clock.now();
    const patch: Partial<KeyPersonRow> = { updated_at: now.toISOString() };
    if (input.helperUserId !== undefined) patch.helper_user_id = input.helperUserId;
    if (input.status !== undefined) patch.status = input.status;
    if (input.level !== undefined && input.level !== k.level) {
      // A new level: the next visit and test come at the new frequency, counted from now (never later than already due).
      const { visitDays, testDays } = intervalsFor(k.category as KeyPersonCategory, input.level);
      patch.level = input.level;
      patch.visit_interval_days = visitDays;
      patch.next_visit_due_at = minIso(k.next_visit_due_at, addDays(now, visitDays).toISOString());
      patch.test_interval_days = testDays;
      patch.next_test_due_at = testDays ? minIso(k.next_test_due_at ?? addDays(now, testDays).toISOString(), addDays(now, testDays).toISOString()) : null;
    }
    await auditedTx(this.p, actor, 'key_person.update', 'key_person', id, k.area_code, { ...input }, async (trx) => {
      if (!(await peopleRepo.updateKeyPerson(trx, k, patch))) throw errors.conflict('key_person.changed', 'The record changed meanwhile; try again.');
      await this.scheduleFor(trx, { ...k, ...patch });
    });
    return this.get(actor, id);
  }

  /** A visit or a test done now: the next one is due one interval later; an overdue item is no longer overdue. */
  async record(actor: Actor, id: string, input: z.infer<typeof recordBody>): Promise<KeyPersonDetail> {
    requirePermission(actor, 'people:write');
    const k = await this.load(actor, id);
    if (k.status !== 'active') throw errors.invalidState('key_person.closed', 'This key person is no longer managed.');
    if (input.kind === 'test' && !k.test_interval_days) throw errors.validation('key_person.no_tests', 'No tests are due for this category.', [{ field: 'kind', message: 'this category has no tests' }]);
    if (input.kind === 'test' && !input.result) throw errors.validation('key_person.test_result', 'A test needs its result.', [{ field: 'result', message: 'required for a test' }]);
    const now = this.p.clock.now();
    const nowIso = now.toISOString();
    const dueAt = input.kind === 'visit' ? k.next_visit_due_at : k.next_test_due_at!;
    const patch: Partial<KeyPersonRow> =
      input.kind === 'visit'
        ? { next_visit_due_at: addDays(now, k.visit_interval_days).toISOString(), visit_overdue_at: null, updated_at: nowIso }
        : { next_test_due_at: addDays(now, k.test_interval_days!).toISOString(), test_overdue_at: null, updated_at: nowIso };
    await auditedTx(this.p, actor, `key_person.${input.kind}`, 'key_person', id, k.area_code, { dueAt, result: input.result ?? null }, async (trx) => {
      if (!(await peopleRepo.updateKeyPerson(trx, k, patch))) throw errors.conflict('key_person.changed', 'The record changed meanwhile; try again.');
      await peopleRepo.insertRecord(trx, {
        id: newId(), key_person_id: id, area_code: k.area_code, kind: input.kind, due_at: dueAt, done_at: nowIso, on_time: nowIso <= dueAt ? 1 : 0,
        result: input.result ?? null, note_enc: input.note ? this.p.pii.encrypt(input.note) : null, actor_name: actor.displayName, created_at: nowIso,
      });
      await this.scheduleFor(trx, { ...k, ...patch });
    });
    return this.get(actor, id);
  }

  async addTask(actor: Actor, id: string, input: z.infer<typeof taskBody>): Promise<KeyPersonDetail> {
    requirePermission(actor, 'people:write');
    const k = await this.load(actor, id);
    const taskId = newId();
    await auditedTx(this.p, actor, 'key_person.task', 'key_person', id, k.area_code, { taskId, title: input.title }, (trx) =>
      peopleRepo.insertTask(trx, { id: taskId, key_person_id: id, area_code: k.area_code, title: input.title, due_at: new Date(input.dueAt).toISOString(), done_at: null, done_by: null, created_at: this.now() }),
    );
    return this.get(actor, id);
  }

  async completeTask(actor: Actor, taskId: string): Promise<KeyPersonDetail> {
    requirePermission(actor, 'people:write');
    const t = await peopleRepo.getTask(this.p.db.kysely, taskId);
    assertInScope(actor, t?.area_code, 'task', taskId);
    await auditedTx(this.p, actor, 'key_person.task_done', 'key_person', t!.key_person_id, t!.area_code, { taskId }, async (trx) => {
      if (!(await peopleRepo.completeTask(trx, taskId, this.now(), actor.displayName))) throw errors.invalidState('task.done', 'This task is already done.');
    });
    return this.get(actor, t!.key_person_id);
  }

  /** Completion per child area: visits on time (last 90 days), hair-test rate (drug users tested within their interval), tasks done. */
  async rates(actor: Actor, areaCode?: string): Promise<RatesView> {
    requirePermission(actor, 'people:read');
    const code = areaCode ?? (actor.scope ? actor.areaCode : '430500');
    if (!inScope(actor, code)) throw errors.notFound('area', code);
    const db = this.p.db.kysely;
    const area = await areasRepo.get(db, code);
    if (!area) throw errors.notFound('area', code);
    const scope = scopePrefix(code);
    const children = await areasRepo.children(db, code);
    const len = children[0]?.code.length ?? code.length;
    const now = this.p.clock.now();
    const { kp, rec, tasks } = await peopleRepo.rates(db, scope, len, now.toISOString(), addDays(now, -90).toISOString());
    const names = new Map(children.map((c) => [c.code, c.name]));
    const groups = new Set([...kp, ...rec, ...tasks].map((r) => r.g));
    const rowOf = (g: string | null, name: string): RateRow => {
      const pick = <T extends { g: string }>(xs: T[]) => (g === null ? xs : xs.filter((x) => x.g === g));
      const sum = <T extends { g: string }>(xs: T[], f: (x: T) => unknown) => pick(xs).reduce((a, x) => a + Number(f(x) ?? 0), 0);
      const visitsDone = sum(rec, (x) => x.n);
      const visitsOnTime = sum(rec, (x) => x.on_time);
      const testsDue = sum(kp, (x) => x.tests_due);
      const testsUpToDate = sum(kp, (x) => x.tests_ok);
      const nTasks = sum(tasks, (x) => x.n);
      const tasksDone = sum(tasks, (x) => x.done);
      return {
        areaCode: g ?? code, areaName: name, keyPersons: sum(kp, (x) => x.n), visitsDone, visitsOnTime, visitOnTimeRate: ratio(visitsOnTime, visitsDone),
        visitsOverdueNow: sum(kp, (x) => x.visit_overdue), testsDue, testsUpToDate, hairTestRate: ratio(testsUpToDate, testsDue), tasks: nTasks, tasksDone, taskRate: ratio(tasksDone, nTasks),
      };
    };
    return {
      areaCode: code,
      total: rowOf(null, area.name),
      children: [...groups].sort().map((g) => rowOf(g, names.get(g) ?? g)),
    };
  }

  // ---- timers --------------------------------------------------------------------------------------------------

  /** Stored timers for the current cycle of visits and tests (once per cycle: the unique key ignores a repeat). */
  private async scheduleFor(trx: Executor, k: KeyPersonRow): Promise<void> {
    if (k.status !== 'active') return;
    const t = (kind: PeopleTimerRow['kind'], cycle: string, due: Date) => peopleRepo.schedule(trx, { id: newId(), key_person_id: k.id, area_code: k.area_code, kind, cycle_due_at: cycle, due_at: due.toISOString(), fired_at: null });
    await t('visit_overdue', k.next_visit_due_at, new Date(k.next_visit_due_at));
    await t('visit_escalate', k.next_visit_due_at, addDays(k.next_visit_due_at, ESCALATE_AFTER_DAYS));
    if (k.next_test_due_at) {
      await t('test_overdue', k.next_test_due_at, new Date(k.next_test_due_at));
      await t('test_escalate', k.next_test_due_at, addDays(k.next_test_due_at, ESCALATE_AFTER_DAYS));
    }
  }

  async tick(): Promise<{ fired: number }> {
    let fired = 0;
    for (let round = 0; round < 50; round++) {
      const due = await peopleRepo.dueTimers(this.p.db.kysely, this.now(), BATCH);
      for (const t of due) {
        try {
          if (await this.fire(t)) fired++;
        } catch (err) {
          this.p.log.error({ err, timerId: t.id }, 'key-person timer failed');
        }
      }
      if (due.length < BATCH) break;
    }
    return { fired };
  }

  /** Claims the timer and does its effect in one transaction; a visit done since (another cycle) makes it a no-op. */
  private async fire(t: PeopleTimerRow): Promise<boolean> {
    const actor = systemActor('key-person-sweeper');
    const emits: (() => void)[] = [];
    const claimed = await this.p.db.kysely.transaction().execute(async (trx) => {
      const now = this.now();
      if (!(await peopleRepo.claimTimer(trx, t.id, now))) return false;
      const k = await peopleRepo.getKeyPerson(trx, t.key_person_id);
      const item = t.kind.startsWith('visit') ? 'visit' : 'test';
      const current = item === 'visit' ? k?.next_visit_due_at : k?.next_test_due_at;
      if (!k || k.status !== 'active' || current !== t.cycle_due_at) return true;
      const label = item === 'visit' ? '走访' : '毛发检测';
      const who = maskName(this.p.pii.decrypt((await peopleRepo.getResident(trx, k.resident_id))!.name_enc));
      if (t.kind.endsWith('_overdue')) {
        const patch: Partial<KeyPersonRow> = item === 'visit' ? { visit_overdue_at: now, updated_at: now } : { test_overdue_at: now, updated_at: now };
        if (!(await peopleRepo.updateKeyPerson(trx, k, patch))) throw errors.conflict('key_person.changed', 'changed meanwhile');
        if (k.helper_user_id) {
          await this.notify.enqueue(actor, {
            channel: 'inapp', recipient: { kind: 'user', id: k.helper_user_id }, areaCode: k.area_code,
            subject: `重点人员${label}逾期`, text: `您帮扶的重点人员 ${who} 的${label}已到期未完成，请尽快完成。`,
            dedupeKey: `keyperson:${k.id}:${t.kind}:${t.cycle_due_at}`,
          }, trx);
        }
        await this.p.audit.record(trx, actor, { action: `key_person.${item}_overdue`, entityType: 'key_person', entityId: k.id, areaCode: k.area_code, detail: { dueAt: t.cycle_due_at, helperUserId: k.helper_user_id } });
        emits.push(() => this.p.bus.emit('keyperson.overdue', { id: k.id, areaCode: k.area_code, item, dueAt: t.cycle_due_at, helperUserId: k.helper_user_id }));
        return true;
      }
      // Escalation: the town's officers are told.
      const townCode = k.area_code.slice(0, 9);
      const officers = await trx.selectFrom('users').select('id').where('role', '=', 'town_officer').where('area_code', '=', townCode).where('disabled', '=', 0).execute();
      for (const o of officers) {
        await this.notify.enqueue(actor, {
          channel: 'inapp', recipient: { kind: 'user', id: o.id }, areaCode: k.area_code,
          subject: `重点人员${label}逾期升级`, text: `重点人员 ${who} 的${label}逾期${ESCALATE_AFTER_DAYS}天仍未完成，已升级至乡镇。`,
          dedupeKey: `keyperson:${k.id}:${t.kind}:${t.cycle_due_at}:${o.id}`,
        }, trx);
      }
      await this.p.audit.record(trx, actor, { action: `key_person.${item}_escalated`, entityType: 'key_person', entityId: k.id, areaCode: k.area_code, detail: { dueAt: t.cycle_due_at, townCode, notified: officers.length } });
      emits.push(() => this.p.bus.emit('keyperson.escalated', { id: k.id, areaCode: k.area_code, item, dueAt: t.cycle_due_at, townCode, notified: officers.length }));
      return true;
    });
    for (const e of emits) e();
    return claimed;
  }

  // ---- helpers -------------------------------------------------------------------------------------------------

  private async checkHelper(actor: Actor, userId: string, areaCode: string): Promise<void> {
    const u = await this.p.db.kysely.selectFrom('users').select(['id', 'area_code', 'disabled']).where('id', '=', userId).executeTakeFirst();
    // The helper works in the person's area or above it, and in the actor's scope.
    if (!u || u.disabled || !inScope(actor, u.area_code) || !areaCode.startsWith(scopePrefix(u.area_code))) {
      throw errors.validation('key_person.helper', 'The helper must be an account of this area.', [{ field: 'helperUserId', message: 'not an account of this area' }]);
    }
  }

  async load(actor: Actor, id: string): Promise<KeyPersonRow> {
    const k = await peopleRepo.getKeyPerson(this.p.db.kysely, id);
    assertInScope(actor, k?.area_code, 'key_person', id);
    return k!;
  }

  present(r: Row, now: string, reveal: boolean): KeyPersonView {
    const { pii } = this.p;
    const name = pii.decrypt(r.name_enc);
    const idNumber = pii.decrypt(r.id_number_enc);
    return {
      id: r.id, residentId: r.resident_id, areaCode: r.area_code, name: reveal ? name : maskName(name), idNumber: reveal ? idNumber : maskIdNumber(idNumber),
      category: r.category, level: r.level as KeyPersonLevel, helperUserId: r.helper_user_id, helperName: r.helper_name,
      visitIntervalDays: r.visit_interval_days, nextVisitDueAt: r.next_visit_due_at, visitOverdue: r.next_visit_due_at <= now,
      testIntervalDays: r.test_interval_days, nextTestDueAt: r.next_test_due_at, testOverdue: r.next_test_due_at !== null && r.next_test_due_at <= now,
      status: r.status, openTasks: r.open_tasks,
    };
  }

  private now(): string {
    return this.p.clock.now().toISOString();
  }
}

function ratio(a: number, b: number): number | null {
  return b === 0 ? null : Math.round((a / b) * 1000) / 1000;
}

function minIso(a: string, b: string): string {
  return a < b ? a : b;
}
