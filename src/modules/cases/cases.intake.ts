// Intake (受理) from every channel: a walk-in at a centre, the hotline, a village representative, a household visit,
// online, or an alert turned into a case. A second report of an open dispute is linked to it, not opened twice.
import type { Actor } from '../../platform/access.ts';
import { assertInScope, systemActor } from '../../platform/access.ts';
import type { Platform } from '../../platform/context.ts';
import { newId } from '../../platform/crypto.ts';
import type { Executor } from '../../platform/db/database.ts';
import { errors } from '../../platform/errors.ts';
import { areasRepo } from '../areas/areas.repo.ts';
import { CaseOps, type Emit } from './cases.ops.ts';
import { addDays, caseCode, codeSeries, deadlineDays, shanghaiDay, targetLevel, type Channel, type MassStage } from './cases.policy.ts';
import { casesRepo } from './cases.repo.ts';
import type { PartyInput } from './cases.schema.ts';
import type { CasePartyRow, CaseRow } from './cases.tables.ts';

export interface IntakeRequest {
  channel: Channel;
  title: string;
  type: CaseRow['type'] & string;
  risk: 'low' | 'medium' | 'high';
  areaCode: string;
  place?: string | undefined;
  lon?: number | undefined;
  lat?: number | undefined;
  summary: string;
  peopleCount?: number | undefined;
  amountInvolved?: number | undefined;
  massStage?: MassStage | undefined;
  parties: PartyInput[];
  reporterName?: string | undefined;
  /** The alert a case comes from. */
  sourceRef?: string | undefined;
}

export class CaseIntake {
  private readonly ops: CaseOps;
  constructor(private readonly p: Platform) {
    this.ops = new CaseOps(p);
  }

  async intake(actor: Actor, req: IntakeRequest): Promise<{ id: string; created: boolean }> {
    const db = this.p.db.kysely;
    const area = await areasRepo.get(db, req.areaCode);
    assertInScope(actor, area?.code, 'area', req.areaCode);
    if (req.sourceRef) {
      const seen = await casesRepo.reportBySource(db, req.sourceRef);
      if (seen) return { id: seen.case_id, created: false };
    }
    const parties = req.parties.map((pt) => this.protect(pt));
    const emits: Emit[] = [];
    let result: { id: string; created: boolean };
    try {
      result = await db.transaction().execute(async (trx) => {
        const dup = await casesRepo.findOpenDuplicate(trx, {
          county: req.areaCode.slice(0, 6),
          areaCode: req.areaCode,
          type: req.type,
          idNumbers: parties.flatMap((x) => (x.id_number_index ? [x.id_number_index] : [])),
          phones: parties.flatMap((x) => (x.phone_index ? [x.phone_index] : [])),
          names: parties.map((x) => x.name_index),
        });
        if (dup) return { id: await this.link(trx, actor, dup, req, emits), created: false };
        return { id: await this.open(trx, actor, req, parties, emits), created: true };
      });
    } catch (err) {
      // Two operators converting the same alert at once: the unique source reference lets one through.
      if (req.sourceRef) {
        const seen = await casesRepo.reportBySource(db, req.sourceRef);
        if (seen) return { id: seen.case_id, created: false };
      }
      throw err;
    }
    for (const e of emits) e();
    return result;
  }

  private protect(pt: PartyInput): Omit<CasePartyRow, 'id' | 'case_id' | 'position' | 'created_at'> {
    const pii = this.p.pii;
    return {
      role: pt.role,
      name_enc: pii.encrypt(pt.name),
      name_index: pii.blindIndex(pt.name),
      id_number_enc: pt.idNumber ? pii.encrypt(pt.idNumber.toUpperCase()) : null,
      id_number_index: pt.idNumber ? pii.blindIndex(pt.idNumber) : null,
      phone_enc: pt.phone ? pii.encrypt(pt.phone) : null,
      phone_index: pt.phone ? pii.blindIndex(pt.phone) : null,
      sex: pt.sex ?? null,
    };
  }

  private async report(trx: Executor, actor: Actor, caseId: string, req: IntakeRequest): Promise<string> {
    const id = newId();
    await casesRepo.insertReport(trx, {
      id,
      case_id: caseId,
      channel: req.channel,
      source_ref: req.sourceRef ?? null,
      reporter_enc: req.reporterName ? this.p.pii.encrypt(req.reporterName) : null,
      summary: req.summary,
      reported_at: this.p.clock.now().toISOString(),
      created_by_name: actor.displayName,
    });
    return id;
  }

  /** The same dispute again: one more report on the open case, recorded on its timeline. */
  private async link(trx: Executor, actor: Actor, caseId: string, req: IntakeRequest, emits: Emit[]): Promise<string> {
    const c = await casesRepo.getCase(trx, caseId);
    if (!c) throw errors.notFound('case', caseId);
    const reportId = await this.report(trx, actor, caseId, req);
    if (!(await casesRepo.updateCase(trx, c, { report_count: c.report_count + 1, updated_at: this.p.clock.now().toISOString() }))) {
      throw errors.conflict('case.state_changed', 'The case changed while the report was linked; try again.');
    }
    await this.ops.record(trx, actor, c, 'report_linked', c.state, c.state, { reportId, channel: req.channel, ...(req.sourceRef ? { sourceRef: req.sourceRef } : {}) });
    emits.push(() => this.p.bus.emit('case.report_linked', { id: c.id, code: c.code, areaCode: c.area_code, channel: req.channel }));
    return caseId;
  }

  private async open(trx: Executor, actor: Actor, req: IntakeRequest, parties: ReturnType<CaseIntake['protect']>[], emits: Emit[]): Promise<string> {
    const type = req.type as Parameters<typeof deadlineDays>[0];
    const centre = await this.ops.centreFor(trx, req.areaCode, targetLevel(type, req.risk));
    if (!centre) {
      throw errors.validation('case.no_centre', `No mediation centre covers ${req.areaCode}; set one up for its town, county or city first.`, [
        { field: 'areaCode', message: 'no mediation centre covers this area' },
      ]);
    }
    const now = this.p.clock.now();
    const series = codeSeries(req.areaCode, now);
    const code = caseCode(series, await casesRepo.nextSerial(trx, series));
    const days = deadlineDays(type, req.risk);
    const deadline = addDays(now, days);
    const id = newId();
    const row: CaseRow = {
      id, code, title: req.title, type, risk: req.risk, state: 'accepted', channel: req.channel,
      area_code: req.areaCode, place: req.place ?? null, lon: req.lon ?? null, lat: req.lat ?? null, summary: req.summary,
      people_count: req.peopleCount ?? null, amount_involved: req.amountInvolved ?? null,
      centre_id: centre.id, level: centre.level, mediator_id: null,
      responsible_leader: centre.level === 'town' ? null : centre.leader_name,
      deadline_at: deadline.toISOString(), deadline_days: days, extension_count: 0, overdue_at: null, escalation_count: 0,
      outcome: null, outcome_note: null, concluded_at: null, days_to_conclude: null, followed_up_at: null, satisfaction: null, rated_at: null,
      mass_stage: type === 'mass_economic' ? (req.massStage ?? 'investigation') : null, amount_recovered: null,
      report_count: 1, intake_day: shanghaiDay(now), version: 0, created_by: actor.userId, created_by_name: actor.displayName,
      created_at: now.toISOString(), updated_at: now.toISOString(),
    };
    await casesRepo.insertCase(trx, row);
    await casesRepo.insertParties(trx, parties.map((pt, i) => ({ ...pt, id: newId(), case_id: id, position: i, created_at: now.toISOString() })));
    const reportId = await this.report(trx, actor, id, req);
    await this.ops.record(trx, actor, row, 'accept', null, 'accepted', {
      channel: req.channel, reportId, centreId: centre.id, centreName: centre.name, level: centre.level, deadlineAt: row.deadline_at,
      parties: parties.length, ...(row.responsible_leader ? { responsibleLeader: row.responsible_leader } : {}), ...(req.sourceRef ? { sourceRef: req.sourceRef } : {}),
    });
    await this.ops.schedule(trx, id, deadline, days);
    const assigned = await this.ops.autoAssign(trx, routerActor(actor), row);
    emits.push(() => {
      this.p.bus.emit('case.created', { id, code, areaCode: row.area_code, type, risk: req.risk, channel: req.channel, level: centre.level });
      if (assigned) this.p.bus.emit('case.assigned', { id, code, areaCode: row.area_code, ...assigned });
    });
    return id;
  }
}

/** Automatic routing is recorded as the system's router, not as the person who took the report in. */
export function routerActor(actor: Actor): Actor {
  return { ...systemActor('router'), ip: actor.ip };
}
