// The deadline sweeper. Reminders and deadlines are rows with a due time (case_timers); `tick()` fires the due ones.
// A timer is claimed (fired_at set) in the same transaction as its effect, so it fires once: not again after a
// restart, and not twice when several nodes sweep at the same moment.
import { systemActor, type Actor } from '../../platform/access.ts';
import type { Executor } from '../../platform/db/database.ts';
import { shanghaiDateTime } from '../../platform/clock.ts';
import type { Platform } from '../../platform/context.ts';
import { startSweeper } from '../../platform/sweeper.ts';
import type { CaseOps, Emit } from './cases.ops.ts';
import { stateChanged } from './cases.ops.ts';
import { isOpen } from './cases.policy.ts';
import { casesRepo } from './cases.repo.ts';
import type { CaseTimerRow } from './cases.tables.ts';

const BATCH = 100;
const MAX_ROUNDS = 50;

/** What the sweeper needs of notify: a message put in the outbox in the timer's own transaction. */
export interface CaseNotifier {
  enqueue(actor: Actor, input: { recipient: { kind: string; id: string }; text: string; dedupeKey: string; areaCode: string; trace: { caseId: string } }, trx: Executor): Promise<unknown>;
}

export class CaseTimers {
  /** Set by the app: the mediator is told of a reminder through notify (none in tests that do not wire it). */
  notifier: CaseNotifier | null = null;

  constructor(
    private readonly p: Platform,
    private readonly ops: CaseOps,
  ) {}

  async tick(): Promise<{ fired: number }> {
    let fired = 0;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const due = await casesRepo.dueTimers(this.p.db.kysely, this.p.clock.now().toISOString(), BATCH);
      for (const t of due) {
        try {
          if (await this.fire(t)) fired++;
        } catch (err) {
          // Rolled back, so still due: the next tick tries again.
          this.p.log.error({ err, timerId: t.id, caseId: t.case_id }, 'case timer failed');
        }
      }
      if (due.length < BATCH) break;
    }
    return { fired };
  }

  private async fire(t: CaseTimerRow): Promise<boolean> {
    const actor = systemActor('deadline-sweeper');
    const emits: Emit[] = [];
    const claimed = await this.p.db.kysely.transaction().execute(async (trx) => {
      const now = this.p.clock.now().toISOString();
      if (!(await casesRepo.claimTimer(trx, t.id, now))) return false;
      const c = await casesRepo.getCase(trx, t.case_id);
      // A concluded case, or a deadline that has moved since (extension, escalation): nothing to do.
      if (!c || !isOpen(c.state)) return true;
      if (t.kind === 'reminder') {
        if (!(await casesRepo.updateCase(trx, c, { updated_at: now }))) throw stateChanged();
        await this.ops.record(trx, actor, c, 'reminder', c.state, c.state, { deadlineAt: c.deadline_at, mediatorId: c.mediator_id });
        // The mediator hears of it (in the outbox, in this transaction: once, also across a restart).
        if (this.notifier && c.mediator_user_id) {
          await this.notifier.enqueue(actor, {
            recipient: { kind: 'user', id: c.mediator_user_id },
            text: `【调解提醒】案件${c.code}「${c.title}」将于${shanghaiDateTime(c.deadline_at)}到期，请及时办理。`,
            dedupeKey: `case:${c.id}:reminder:${c.deadline_at}`,
            areaCode: c.area_code,
            trace: { caseId: c.id },
          }, trx);
        }
        const payload = { id: c.id, code: c.code, areaCode: c.area_code, deadlineAt: c.deadline_at, mediatorUserId: c.mediator_user_id };
        emits.push(() => this.p.bus.emit('case.reminder', payload));
        return true;
      }
      if (c.deadline_at > now) return true;
      const overdueAt = c.overdue_at ?? c.deadline_at;
      if (!(await casesRepo.updateCase(trx, c, { overdue_at: overdueAt, updated_at: now }))) throw stateChanged();
      await this.ops.record(trx, actor, c, 'overdue', c.state, c.state, { deadlineAt: c.deadline_at, level: c.level });
      const escalated = await this.ops.escalate(trx, actor, c, 'overdue', null);
      const payload = { id: c.id, code: c.code, areaCode: c.area_code, deadlineAt: t.due_at, escalated: escalated !== null };
      emits.push(() => this.p.bus.emit('case.overdue', payload));
      if (escalated) emits.push(escalated.emit);
      return true;
    });
    for (const e of emits) e();
    return claimed;
  }
}

/** Runs `tick()` every `seconds` (and once at once), never two at a time in this process; returns the stop function. */
export function startCaseSweeper(cases: { tick(): Promise<{ fired: number }> }, seconds: number, log: Platform['log']): () => void {
  return startSweeper(cases, seconds, log, 'case');
}
