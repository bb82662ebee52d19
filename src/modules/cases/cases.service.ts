// Cases (矛盾纠纷调处化解): the closed loop 受理 → 分派 → 调处 → 办结 → 回访 → 评价, every step recorded with who and
// when; the board, the case page, the mediator's own cases. Deadlines and escalation: cases.timers.ts.
import crypto from 'node:crypto';
import type { Actor } from '../../platform/access.ts';
import { assertInScope, inScope, requirePermission, scopePrefix } from '../../platform/access.ts';
import type { Platform } from '../../platform/context.ts';
import { newId } from '../../platform/crypto.ts';
import type { Executor } from '../../platform/db/database.ts';
import { errors } from '../../platform/errors.ts';
import { ancestorsOf } from '../areas/areas.service.ts';
import { CaseFigures } from './cases.figures.ts';
import { CaseIntake } from './cases.intake.ts';
import { CaseOps, stateChanged, type Emit } from './cases.ops.ts';
import { MAX_EXTENSIONS, addDays, massStageIndex, nextState, pickMediator, type CaseAction, type CaseState, type CaseType, type MassStage, type Outcome } from './cases.policy.ts';
import { presentEvent, presentParties, presentSummary } from './cases.present.ts';
import { casesRepo, type CaseWithNames } from './cases.repo.ts';
import { alertIntakeInput } from './cases.schema.ts';
import type { AlertIntakeInput, CaseDetailView, CaseSummaryView, FiguresView, IntakeInput, ListCasesQuery, PartyView, UpdateCaseInput } from './cases.schema.ts';
import type { CaseRow } from './cases.tables.ts';
import { CaseTimers } from './cases.timers.ts';
import { centresRepo } from './centres.repo.ts';
import { parseSpecialities } from './centres.service.ts';

declare module '../../platform/bus.ts' {
  interface DomainEvents {
    'case.created': { id: string; code: string; areaCode: string; type: string; risk: string; channel: string; level: string };
    'case.report_linked': { id: string; code: string; areaCode: string; channel: string };
    'case.assigned': { id: string; code: string; areaCode: string; mediatorId: string; mediatorUserId: string | null };
    'case.transitioned': { id: string; code: string; areaCode: string; action: string; from: string; to: string };
    'case.escalated': { id: string; code: string; areaCode: string; fromLevel: string; toLevel: string; reason: string; responsibleLeader: string | null };
    'case.reminder': { id: string; code: string; areaCode: string; deadlineAt: string; mediatorUserId: string | null };
    'case.overdue': { id: string; code: string; areaCode: string; deadlineAt: string; escalated: boolean };
  }
}

const MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024;

interface Step {
  patch?: Partial<CaseRow>;
  detail?: Record<string, unknown>;
  /** More work in the same transaction after the case row changed (timers, escalation). */
  after?: (trx: Executor, c: CaseRow) => Promise<Emit | void>;
}

export class CasesService {
  private readonly ops: CaseOps;
  private readonly intakes: CaseIntake;
  readonly timers: CaseTimers;
  private readonly figuresOf: CaseFigures;

  constructor(private readonly p: Platform) {
    this.ops = new CaseOps(p);
    this.intakes = new CaseIntake(p);
    this.timers = new CaseTimers(p, this.ops);
    this.figuresOf = new CaseFigures(p);
  }

  // ---- reading -------------------------------------------------------------------------------------------------

  async list(actor: Actor, q: ListCasesQuery): Promise<{ items: CaseSummaryView[]; total: number }> {
    requirePermission(actor, 'cases:read');
    if (q.areaCode && !inScope(actor, q.areaCode)) throw errors.notFound('area', q.areaCode);
    const now = this.p.clock.now().toISOString();
    const { rows, total } = await casesRepo.listCases(
      this.p.db.kysely,
      this.p.db.dialect,
      {
        scope: actor.scope, states: q.state, type: q.type, risk: q.risk, centreId: q.centreId, overdue: q.overdue, q: q.q,
        areaPrefix: q.areaCode ? scopePrefix(q.areaCode) : undefined,
        mediatorUserId: q.mine ? (actor.userId ?? '\u0000') : undefined,
      },
      now,
      q.pageSize,
      (q.page - 1) * q.pageSize,
    );
    return { items: rows.map((r) => presentSummary(r, now)), total };
  }

  async get(actor: Actor, id: string): Promise<CaseDetailView> {
    requirePermission(actor, 'cases:read');
    const c = await this.load(actor, id);
    const db = this.p.db.kysely;
    const [parties, reports, events, attachments, departments] = await Promise.all([
      casesRepo.partiesOf(db, id), casesRepo.reportsOf(db, id), casesRepo.eventsOf(db, id), casesRepo.attachmentsOf(db, id), casesRepo.departmentsOf(db, id),
    ]);
    return {
      ...presentSummary(c, this.p.clock.now().toISOString()),
      summary: c.summary, place: c.place, lon: c.lon, lat: c.lat, deadlineDays: c.deadline_days, extensionCount: c.extension_count,
      outcomeNote: c.outcome_note, followedUpAt: c.followed_up_at, ratedAt: c.rated_at,
      amountRecovered: c.amount_recovered === null ? null : Number(c.amount_recovered), createdByName: c.created_by_name,
      mine: c.mediator_user_id !== null && c.mediator_user_id === actor.userId,
      parties: presentParties(parties, this.p.pii, false),
      reports: reports.map((r) => ({ id: r.id, channel: r.channel, sourceRef: r.source_ref, summary: r.summary, reportedAt: r.reported_at, createdByName: r.created_by_name })),
      events: events.map(presentEvent),
      attachments: attachments.map((a) => ({ id: a.id, name: a.name, contentType: a.content_type, size: Number(a.size), createdAt: a.created_at, createdByName: a.created_by_name })),
      departments: departments.map((d) => ({ id: d.id, name: d.name, kind: d.kind, note: d.note, addedAt: d.added_at })),
    };
  }

  /** The parties' names, ID numbers and phones in full: needs pii:reveal, and the read is audited. */
  async revealParties(actor: Actor, id: string): Promise<PartyView[]> {
    requirePermission(actor, 'cases:read');
    requirePermission(actor, 'pii:reveal');
    const c = await this.load(actor, id);
    const rows = await casesRepo.partiesOf(this.p.db.kysely, id);
    await this.p.audit.personalDataRead(this.p.db.kysely, actor, 'case', id, c.area_code, ['parties.name', 'parties.idNumber', 'parties.phone']);
    return presentParties(rows, this.p.pii, true);
  }

  async attachment(actor: Actor, id: string, attachmentId: string): Promise<{ name: string; contentType: string; data: Buffer }> {
    requirePermission(actor, 'cases:read');
    await this.load(actor, id);
    const a = await casesRepo.getAttachment(this.p.db.kysely, id, attachmentId);
    if (!a) throw errors.notFound('attachment', attachmentId);
    return { name: a.name, contentType: a.content_type, data: Buffer.from(a.data) };
  }

  async figures(actor: Actor, q: { areaCode?: string | undefined; from?: string | undefined; to?: string | undefined }): Promise<FiguresView> {
    requirePermission(actor, 'cases:read');
    return this.figuresOf.compute(actor, q);
  }

  // ---- intake --------------------------------------------------------------------------------------------------

  async intake(actor: Actor, input: IntakeInput): Promise<{ created: boolean; case: CaseDetailView }> {
    requirePermission(actor, 'cases:intake');
    const r = await this.intakes.intake(actor, input);
    return { created: r.created, case: await this.get(actor, r.id) };
  }

  /** For other modules (the problems collected on a household visit): idempotent by the source reference. */
  async intakeWithSource(actor: Actor, input: Omit<IntakeInput, 'risk'> & { risk: IntakeInput['risk']; sourceRef: string }): Promise<{ id: string; created: boolean }> {
    requirePermission(actor, 'cases:intake');
    return this.intakes.intake(actor, input);
  }

  /**
   * For the early-warning module: an operator turns an alert into a case. Idempotent by alert id (a second call
   * returns the same case with created=false).
   */
  async intakeFromAlert(actor: Actor, raw: AlertIntakeInput): Promise<{ created: boolean; case: CaseDetailView }> {
    requirePermission(actor, 'cases:intake');
    const parsed = alertIntakeInput.safeParse(raw);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message }));
      throw errors.validation('case.invalid_alert_intake', `Invalid ${issues.map((i) => i.field).join(', ')}`, issues);
    }
    const input = parsed.data;
    const r = await this.intakes.intake(actor, {
      ...input,
      channel: 'alert',
      title: input.title ?? input.summary.slice(0, 40),
      sourceRef: `alert:${input.alertId}`,
    });
    return { created: r.created, case: await this.get(actor, r.id) };
  }

  // ---- the closed loop -----------------------------------------------------------------------------------------

  async assign(actor: Actor, id: string, mediatorId: string | undefined): Promise<CaseDetailView> {
    requirePermission(actor, 'cases:assign');
    return this.act(actor, id, 'assign', {}, async (c, trx) => {
      const candidates = (await centresRepo.mediatorsOfCentre(trx, c.centre_id)).map((m) => ({
        id: m.id, name: m.name, areaCode: m.area_code, specialities: parseSpecialities(m.specialities), capacity: m.capacity,
        load: m.load, active: m.active === 1, userScope: m.user_area_code ? scopePrefix(m.user_area_code) : null,
      }));
      let picked;
      if (mediatorId) {
        const m = candidates.find((x) => x.id === mediatorId);
        if (!m) throw errors.validation('case.mediator_other_centre', "The mediator does not belong to the case's centre.", [{ field: 'mediatorId', message: 'not a mediator of this centre' }]);
        picked = pickMediator([m], { type: c.type as CaseType, areaCode: c.area_code });
        if (!picked) throw errors.invalidState('case.mediator_unavailable', `${m.name} cannot take the case: inactive, at capacity, or unable to see its area.`);
      } else {
        const exclude = await this.ops.returners(trx, c.id);
        if (c.mediator_id) exclude.add(c.mediator_id);
        picked = pickMediator(candidates, { type: c.type as CaseType, areaCode: c.area_code }, exclude);
        if (!picked) throw errors.invalidState('case.no_mediator_available', 'No mediator of this centre has capacity for the case now.');
      }
      const m = picked;
      return {
        patch: { mediator_id: m.id },
        detail: { mediatorId: m.id, mediatorName: m.name, auto: !mediatorId },
        after: async (t) => {
          const row = await centresRepo.getMediator(t, m.id);
          return () => this.p.bus.emit('case.assigned', { id: c.id, code: c.code, areaCode: c.area_code, mediatorId: m.id, mediatorUserId: row?.user_id ?? null });
        },
      };
    });
  }

  /** 签收: the assigned mediator takes the case on (centre staff may sign for a mediator who has no account). */
  async sign(actor: Actor, id: string): Promise<CaseDetailView> {
    requirePermission(actor, 'cases:handle');
    return this.act(actor, id, 'sign', {}, async (c) => ({ detail: { mediatorId: c.mediator_id, ...this.assignee(actor, c, true) } }));
  }

  /** 退回: only with a reason; the case goes back to the centre's queue, and the same mediator is not picked again. */
  async returnCase(actor: Actor, id: string, reason: string): Promise<CaseDetailView> {
    requirePermission(actor, 'cases:handle');
    return this.act(actor, id, 'return', {}, async (c) => ({
      patch: { mediator_id: null },
      detail: { reason, mediatorId: c.mediator_id, mediatorName: c.mediator_name, ...this.assignee(actor, c, true) },
    }));
  }

  async recordSession(actor: Actor, id: string, s: { heldAt?: string | undefined; place?: string | undefined; attendees?: string | undefined; note: string }): Promise<CaseDetailView> {
    requirePermission(actor, 'cases:handle');
    return this.act(actor, id, 'session', {}, async (c) => ({
      detail: { heldAt: s.heldAt ?? this.p.clock.now().toISOString(), ...(s.place ? { place: s.place } : {}), ...(s.attendees ? { attendees: s.attendees } : {}), note: s.note, ...this.assignee(actor, c, false) },
    }));
  }

  /** With both parties' consent the deadline moves once, by up to 30 days. */
  async extend(actor: Actor, id: string, e: { days: number; reason: string }): Promise<CaseDetailView> {
    requirePermission(actor, 'cases:handle');
    return this.act(actor, id, 'extend', {}, async (c) => {
      if (c.extension_count >= MAX_EXTENSIONS) throw errors.invalidState('case.extension_limit', `A case can be extended ${MAX_EXTENSIONS} time(s); this one already was.`);
      const deadline = addDays(new Date(c.deadline_at), e.days);
      const days = c.deadline_days + e.days;
      return {
        patch: { deadline_at: deadline.toISOString(), deadline_days: days, extension_count: c.extension_count + 1 },
        detail: { days: e.days, reason: e.reason, partiesConsent: true, from: c.deadline_at, to: deadline.toISOString(), ...this.assignee(actor, c, false) },
        after: async (trx) => this.ops.schedule(trx, c.id, deadline, days),
      };
    });
  }

  /** 办结: an agreement, a referral to court or arbitration, or a withdrawal (which may come before anyone signed). */
  async conclude(actor: Actor, id: string, k: { outcome: Outcome; note: string; agreement?: string | undefined }): Promise<CaseDetailView> {
    requirePermission(actor, 'cases:handle');
    return this.act(actor, id, 'conclude', { outcome: k.outcome }, async (c) => {
      const now = this.p.clock.now();
      const late = now.toISOString() > c.deadline_at;
      return {
        patch: {
          outcome: k.outcome, outcome_note: k.agreement ? `${k.note}\n\n${k.agreement}` : k.note, concluded_at: now.toISOString(),
          days_to_conclude: Math.round(((now.getTime() - Date.parse(c.created_at)) / 86_400_000) * 100) / 100,
          ...(late && !c.overdue_at ? { overdue_at: c.deadline_at } : {}),
        },
        detail: { outcome: k.outcome, note: k.note, ...(k.agreement ? { agreement: k.agreement } : {}), late, ...this.assignee(actor, c, false) },
        after: async (trx) => casesRepo.cancelTimers(trx, c.id, now.toISOString()),
      };
    });
  }

  /** 回访: the centre calls or visits the parties after the conclusion. */
  async followUp(actor: Actor, id: string, f: { method: string; note: string }): Promise<CaseDetailView> {
    requirePermission(actor, 'cases:handle');
    return this.act(actor, id, 'follow_up', {}, async () => ({ patch: { followed_up_at: this.p.clock.now().toISOString() }, detail: { method: f.method, note: f.note } }));
  }

  /** 评价: the parties' satisfaction, 1–5; this closes the loop. */
  async rate(actor: Actor, id: string, r: { satisfaction: number; comment?: string | undefined }): Promise<CaseDetailView> {
    requirePermission(actor, 'cases:handle');
    return this.act(actor, id, 'rate', {}, async () => ({
      patch: { satisfaction: r.satisfaction, rated_at: this.p.clock.now().toISOString() },
      detail: { satisfaction: r.satisfaction, ...(r.comment ? { comment: r.comment } : {}) },
    }));
  }

  /** Hands the case to the centre above (town → county → city), which names a responsible leader and reassigns it. */
  async escalate(actor: Actor, id: string, reason: string): Promise<CaseDetailView> {
    requirePermission(actor, 'cases:assign');
    const c = await this.load(actor, id);
    nextState(c.state as CaseState, 'escalate');
    const r = await this.p.db.kysely.transaction().execute(async (trx) => {
      const done = await this.ops.escalate(trx, actor, c, 'manual', reason);
      if (!done) throw errors.invalidState('case.no_centre_above', 'There is no mediation centre above the one handling this case.');
      return done;
    });
    r.emit();
    return this.get(actor, id);
  }

  /** Corrections while the case is open; raising the risk to high moves a town case to the county at once. */
  async update(actor: Actor, id: string, input: UpdateCaseInput): Promise<CaseDetailView> {
    requirePermission(actor, 'cases:handle');
    return this.act(actor, id, 'update', {}, async (c) => {
      const patch: Partial<CaseRow> = {};
      if (input.title !== undefined) patch.title = input.title;
      if (input.risk !== undefined) patch.risk = input.risk;
      if (input.summary !== undefined) patch.summary = input.summary;
      if (input.place !== undefined) patch.place = input.place;
      if (input.peopleCount !== undefined) patch.people_count = input.peopleCount;
      if (input.amountInvolved !== undefined) patch.amount_involved = input.amountInvolved;
      const raised = input.risk === 'high' && c.risk !== 'high' && c.level === 'town';
      return {
        patch,
        detail: { fields: Object.keys(input), ...(input.risk && input.risk !== c.risk ? { riskFrom: c.risk, riskTo: input.risk } : {}) },
        after: raised ? async (trx, row) => (await this.ops.escalate(trx, actor, row, 'high_risk', null))?.emit : undefined,
      };
    });
  }

  /** The mass-economic chain: prevention → monitoring and early warning → investigation → disposal → asset recovery → petitions. */
  async setStage(actor: Actor, id: string, s: { stage: MassStage; note?: string | undefined; amountRecovered?: number | undefined }): Promise<CaseDetailView> {
    requirePermission(actor, 'cases:handle');
    return this.act(actor, id, 'stage', {}, async (c) => {
      if (c.type !== 'mass_economic') throw errors.invalidState('case.not_mass_economic', 'Only mass economic cases move through the stages.');
      const from = (c.mass_stage ?? 'prevention') as MassStage;
      if (massStageIndex(s.stage) < massStageIndex(from)) throw errors.invalidState('case.stage_backwards', `The case is already at ${from}; stages only move forward.`);
      return {
        patch: { mass_stage: s.stage, ...(s.amountRecovered !== undefined ? { amount_recovered: s.amountRecovered } : {}) },
        detail: { from, to: s.stage, ...(s.note ? { note: s.note } : {}), ...(s.amountRecovered !== undefined ? { amountRecovered: s.amountRecovered } : {}) },
      };
    });
  }

  /** Joint handling: a department (police station, labour bureau, court …) takes part in the case. */
  async joinDepartment(actor: Actor, id: string, j: { departmentId: string; note?: string | undefined }): Promise<CaseDetailView> {
    requirePermission(actor, 'cases:handle');
    return this.act(actor, id, 'join_department', {}, async (c, trx) => {
      const d = await centresRepo.getDepartment(trx, j.departmentId);
      // Visible: a department in the caller's area, or one of a level above the case (the county's labour bureau).
      if (!d || !(inScope(actor, d.area_code) || ancestorsOf(c.area_code).includes(d.area_code))) throw errors.notFound('department', j.departmentId);
      const added = await casesRepo.insertDepartmentLink(trx, { case_id: c.id, department_id: d.id, note: j.note ?? null, added_at: this.p.clock.now().toISOString(), added_by_name: actor.displayName });
      if (!added) throw errors.conflict('case.department_joined', `${d.name} already takes part in this case.`);
      return { detail: { departmentId: d.id, departmentName: d.name, ...(j.note ? { note: j.note } : {}) } };
    });
  }

  async addAttachment(actor: Actor, id: string, a: { name: string; contentType: string; dataBase64: string }): Promise<CaseDetailView> {
    requirePermission(actor, 'cases:intake');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(a.dataBase64)) throw errors.validation('attachment.base64', 'The file is not valid base64.', [{ field: 'dataBase64', message: 'not base64' }]);
    const data = Buffer.from(a.dataBase64, 'base64');
    if (data.length === 0 || data.length > MAX_ATTACHMENT_BYTES) {
      throw errors.validation('attachment.size', 'A file must be between 1 byte and 5 MB.', [{ field: 'dataBase64', message: 'size out of range' }]);
    }
    return this.act(actor, id, 'attach', {}, async (c, trx) => {
      const attachmentId = newId();
      await casesRepo.insertAttachment(trx, {
        id: attachmentId, case_id: c.id, name: a.name, content_type: a.contentType, size: data.length, sha256: crypto.createHash('sha256').update(data).digest('hex'),
        data, created_at: this.p.clock.now().toISOString(), created_by_name: actor.displayName,
      });
      return { detail: { attachmentId, name: a.name, size: data.length } };
    });
  }

  /** The sweeper: fires due reminders and deadlines (escalating overdue cases). The server calls it on an interval. */
  async tick(): Promise<{ fired: number }> {
    return this.timers.tick();
  }

  // ---- helpers -------------------------------------------------------------------------------------------------

  private async load(actor: Actor, id: string): Promise<CaseWithNames> {
    const c = await casesRepo.getCase(this.p.db.kysely, id);
    assertInScope(actor, c?.area_code, 'case', id);
    return c!;
  }

  /**
   * The assigned mediator acts on their case. Centre staff (cases:assign) may act for a mediator too; for signing
   * and returning only when the mediator has no account of their own to do it with.
   */
  private assignee(actor: Actor, c: CaseWithNames, personal: boolean): Record<string, unknown> {
    if (c.mediator_user_id && c.mediator_user_id === actor.userId) return {};
    const staff = actor.permissions.has('cases:assign');
    if (staff && (!personal || !c.mediator_user_id || !c.mediator_id)) return { onBehalfOf: c.mediator_name };
    throw errors.forbidden('case.not_assignee', 'Only the mediator the case is assigned to can do this.');
  }

  /** Checks the transition, applies the step and moves the state only if nobody moved it meanwhile. */
  private async act(actor: Actor, id: string, action: CaseAction, opts: { outcome?: Outcome }, step: (c: CaseWithNames, trx: Executor) => Promise<Step>): Promise<CaseDetailView> {
    const c = await this.load(actor, id);
    const from = c.state as CaseState;
    const to = nextState(from, action, opts);
    const emits: Emit[] = [];
    await this.p.db.kysely.transaction().execute(async (trx) => {
      const s = await step(c, trx);
      const patch: Partial<CaseRow> = { ...s.patch, state: to, updated_at: this.p.clock.now().toISOString() };
      if (!(await casesRepo.updateCase(trx, c, patch))) throw stateChanged();
      await this.ops.record(trx, actor, c, action, from, to, s.detail);
      if (s.after) {
        const e = await s.after(trx, c);
        if (e) emits.push(e);
      }
    });
    if (from !== to) this.p.bus.emit('case.transitioned', { id, code: c.code, areaCode: c.area_code, action, from, to });
    for (const e of emits) e();
    return this.get(actor, id);
  }
}
