// Steps that run inside a case's transaction and are shared by the service (people acting) and the sweeper
// (deadlines acting): recording a step on the timeline and in the audit trail, (re)scheduling the deadline timers,
// routing to a centre, assigning a mediator with capacity, escalating to the centre above.
import type { Actor } from '../../platform/access.ts';
import { scopePrefix } from '../../platform/access.ts';
import type { Platform } from '../../platform/context.ts';
import { newId } from '../../platform/crypto.ts';
import type { Executor } from '../../platform/db/database.ts';
import { errors } from '../../platform/errors.ts';
import {
  addDays,
  centreAreasFor,
  deadlineDays,
  escalatedDeadlineDays,
  levelAbove,
  pickMediator,
  reminderAt,
  type CaseType,
  type CentreLevel,
  type RiskLevel,
} from './cases.policy.ts';
import { casesRepo } from './cases.repo.ts';
import type { CaseRow, MediationCentreRow } from './cases.tables.ts';
import { centresRepo } from './centres.repo.ts';
import { parseSpecialities } from './centres.service.ts';

export type EscalationReason = 'overdue' | 'high_risk' | 'manual';

/** What happened in a transaction, emitted on the bus once it has committed. */
export type Emit = () => void;

export class CaseOps {
  constructor(private readonly p: Platform) {}

  /** One step of the case: a timeline entry (who, when, from, to) and the matching audit record. */
  async record(
    trx: Executor,
    actor: Actor,
    c: Pick<CaseRow, 'id' | 'area_code' | 'code'>,
    action: string,
    from: string | null,
    to: string | null,
    detail: Record<string, unknown> = {},
  ): Promise<void> {
    const at = this.p.clock.now().toISOString();
    await casesRepo.appendEvent(trx, {
      id: newId(),
      case_id: c.id,
      at,
      actor_id: actor.userId,
      actor_name: actor.kind === 'system' ? actor.username : actor.displayName,
      action,
      from_state: from,
      to_state: to,
      detail: Object.keys(detail).length ? JSON.stringify(detail) : null,
    });
    await this.p.audit.record(trx, actor, {
      action: `case.${action}`,
      entityType: 'case',
      entityId: c.id,
      areaCode: c.area_code,
      detail: { code: c.code, ...(from !== to ? { from, to } : {}), ...detail },
    });
  }

  /** Replaces the case's pending timers with a reminder before the new deadline and the deadline itself. */
  async schedule(trx: Executor, caseId: string, deadline: Date, periodDays: number): Promise<void> {
    const now = this.p.clock.now();
    await casesRepo.cancelTimers(trx, caseId, now.toISOString());
    const remind = reminderAt(deadline, periodDays);
    const rows = [];
    if (remind > now) rows.push({ id: newId(), case_id: caseId, kind: 'reminder' as const, due_at: remind.toISOString(), created_at: now.toISOString(), fired_at: null, cancelled_at: null });
    rows.push({ id: newId(), case_id: caseId, kind: 'overdue' as const, due_at: deadline.toISOString(), created_at: now.toISOString(), fired_at: null, cancelled_at: null });
    await casesRepo.insertTimers(trx, rows);
  }

  /** The first active centre covering the area, starting at `from` and going up (town → county → city). */
  async centreFor(trx: Executor, areaCode: string, from: CentreLevel): Promise<MediationCentreRow | undefined> {
    const wanted = centreAreasFor(areaCode, from);
    const found = await centresRepo.activeCentresByAreas(trx, wanted.map((w) => w.areaCode));
    for (const w of wanted) {
      const c = found.find((f) => f.area_code === w.areaCode);
      if (c) return c;
    }
    return undefined;
  }

  /**
   * Gives an accepted case to the best mediator of its centre who has capacity (none: it waits at the centre).
   * Mediators who returned the case are not picked again.
   */
  async autoAssign(trx: Executor, actor: Actor, c: CaseRow): Promise<{ mediatorId: string; mediatorUserId: string | null } | null> {
    const candidates = (await centresRepo.mediatorsOfCentre(trx, c.centre_id)).map((m) => ({
      id: m.id,
      name: m.name,
      areaCode: m.area_code,
      specialities: parseSpecialities(m.specialities),
      capacity: m.capacity,
      load: m.load,
      active: m.active === 1,
      userScope: m.user_area_code ? scopePrefix(m.user_area_code) : null,
    }));
    const picked = pickMediator(candidates, { type: c.type as CaseType, areaCode: c.area_code }, await this.returners(trx, c.id));
    if (!picked) {
      await this.record(trx, actor, c, 'queued', c.state, c.state, { reason: 'no_mediator_with_capacity', centreId: c.centre_id });
      return null;
    }
    const now = this.p.clock.now().toISOString();
    const from = c.state;
    if (!(await casesRepo.updateCase(trx, c, { state: 'assigned', mediator_id: picked.id, updated_at: now }))) throw stateChanged();
    await this.record(trx, actor, c, 'assign', from, 'assigned', { mediatorId: picked.id, mediatorName: picked.name, auto: true });
    const m = await centresRepo.getMediator(trx, picked.id);
    return { mediatorId: picked.id, mediatorUserId: m?.user_id ?? null };
  }

  /** Mediator ids that handed this case back. */
  async returners(trx: Executor, caseId: string): Promise<Set<string>> {
    const out = new Set<string>();
    for (const e of await casesRepo.eventsOf(trx, caseId)) {
      if (e.action !== 'return' || !e.detail) continue;
      const id = (JSON.parse(e.detail) as { mediatorId?: unknown }).mediatorId;
      if (typeof id === 'string') out.add(id);
    }
    return out;
  }

  /**
   * Moves an open case to the centre above, which takes it over: the mediator is released, a leader is named,
   * a new deadline is set and the case is assigned again there. Null when there is no centre above.
   */
  async escalate(trx: Executor, actor: Actor, c: CaseRow, reason: EscalationReason, note: string | null): Promise<{ emit: Emit } | null> {
    const above = levelAbove(c.level as CentreLevel);
    if (!above) return null;
    const centre = await this.centreFor(trx, c.area_code, above);
    if (!centre) return null;
    const now = this.p.clock.now();
    const days = reason === 'high_risk' ? deadlineDays(c.type as CaseType, 'high') : escalatedDeadlineDays(c.type as CaseType, c.risk as RiskLevel);
    const deadline = addDays(now, days);
    const from = { state: c.state, level: c.level, centreId: c.centre_id };
    const patch: Partial<CaseRow> = {
      state: 'accepted',
      centre_id: centre.id,
      level: centre.level,
      mediator_id: null,
      responsible_leader: centre.leader_name ?? c.responsible_leader,
      deadline_at: deadline.toISOString(),
      deadline_days: days,
      escalation_count: c.escalation_count + 1,
      updated_at: now.toISOString(),
      ...(reason === 'overdue' && !c.overdue_at ? { overdue_at: c.deadline_at } : {}),
    };
    if (!(await casesRepo.updateCase(trx, c, patch))) throw stateChanged();
    await this.record(trx, actor, c, 'escalate', from.state, 'accepted', {
      reason,
      ...(note ? { note } : {}),
      fromLevel: from.level,
      toLevel: centre.level,
      fromCentreId: from.centreId,
      toCentreId: centre.id,
      toCentreName: centre.name,
      responsibleLeader: patch.responsible_leader,
      deadlineAt: patch.deadline_at,
    });
    await this.schedule(trx, c.id, deadline, days);
    const assigned = await this.autoAssign(trx, actor, c);
    const payload = { id: c.id, code: c.code, areaCode: c.area_code, fromLevel: from.level, toLevel: centre.level, reason, responsibleLeader: c.responsible_leader };
    return {
      emit: () => {
        this.p.bus.emit('case.escalated', payload);
        if (assigned) this.p.bus.emit('case.assigned', { id: c.id, code: c.code, areaCode: c.area_code, mediatorId: assigned.mediatorId, mediatorUserId: assigned.mediatorUserId });
      },
    };
  }
}

export function stateChanged() {
  return errors.conflict('case.state_changed', 'Someone else changed this case a moment ago; reload it and try again.');
}
