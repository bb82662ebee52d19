// Rows → views. Personal data of parties leaves this module masked unless a reveal was asked for (and audited).
import { maskIdNumber, maskName, maskPhone, type PiiProtector } from '../../platform/crypto.ts';
import { isOpen, type CaseState, type CaseType, type CentreLevel, type MassStage, type Outcome, type RiskLevel } from './cases.policy.ts';
import type { CaseWithNames } from './cases.repo.ts';
import type { CaseSummaryView, PartyView } from './cases.schema.ts';
import type { CaseEventRow, CasePartyRow } from './cases.tables.ts';

export function presentSummary(c: CaseWithNames, now: string): CaseSummaryView {
  const overdue = isOpen(c.state) && c.deadline_at < now;
  return {
    id: c.id,
    code: c.code,
    title: c.title,
    type: c.type as CaseType,
    risk: c.risk as RiskLevel,
    state: c.state as CaseState,
    channel: c.channel,
    areaCode: c.area_code,
    areaName: c.area_name,
    centreId: c.centre_id,
    centreName: c.centre_name,
    level: c.level as CentreLevel,
    mediatorId: c.mediator_id,
    mediatorName: c.mediator_name,
    responsibleLeader: c.responsible_leader,
    deadlineAt: c.deadline_at,
    overdue,
    wasOverdue: overdue || c.overdue_at !== null,
    escalationCount: c.escalation_count,
    reportCount: c.report_count,
    peopleCount: c.people_count,
    amountInvolved: c.amount_involved === null ? null : Number(c.amount_involved),
    massStage: c.mass_stage as MassStage | null,
    outcome: c.outcome as Outcome | null,
    satisfaction: c.satisfaction,
    concludedAt: c.concluded_at,
    createdAt: c.created_at,
  };
}

export function presentParties(rows: CasePartyRow[], pii: PiiProtector, reveal: boolean): PartyView[] {
  return rows.map((r) => {
    const name = pii.decrypt(r.name_enc);
    const idNumber = r.id_number_enc ? pii.decrypt(r.id_number_enc) : null;
    const phone = r.phone_enc ? pii.decrypt(r.phone_enc) : null;
    return {
      id: r.id,
      role: r.role,
      name: reveal ? name : maskName(name),
      idNumber: idNumber === null ? null : reveal ? idNumber : maskIdNumber(idNumber),
      phone: phone === null ? null : reveal ? phone : maskPhone(phone),
      sex: r.sex,
    };
  });
}

export function presentEvent(e: CaseEventRow) {
  return {
    seq: e.seq,
    at: e.at,
    actorName: e.actor_name,
    action: e.action,
    fromState: e.from_state,
    toState: e.to_state,
    detail: e.detail ? (JSON.parse(e.detail) as Record<string, unknown>) : null,
  };
}
