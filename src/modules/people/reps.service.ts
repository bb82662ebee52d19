// Village representatives (村民代表), each linked to 5–15 households; coverage of a village; the "five ones" visit
// (见一次面、聊一次天、建一个群、登记一次信息、收集一批问题) sent from a phone. A visit is idempotent by the key the
// phone generated for its draft; the problems collected become cases through the cases module's intake (channel
// "visit"), each with a source reference of its own so that a resent draft opens no second case.
import type { Actor } from '../../platform/access.ts';
import { assertInScope, inScope, requirePermission, scopePrefix } from '../../platform/access.ts';
import type { Platform } from '../../platform/context.ts';
import { maskName, maskPhone, newId } from '../../platform/crypto.ts';
import { errors } from '../../platform/errors.ts';
import { areasRepo } from '../areas/areas.repo.ts';
import type { CasesService } from '../cases/cases.service.ts';
import type { KeyPersonsService } from './keypersons.service.ts';
import { addDays, REP_MAX_HOUSEHOLDS, REP_MIN_HOUSEHOLDS } from './people.policy.ts';
import { peopleRepo } from './people.repo.ts';
import type { CreateVisitInput, RepView, VisitView, createRepBody, linkHouseholdsBody, listVisitsQuery, myHouseholdsView } from './people.schema.ts';
import type { PeopleVisitRow, VillageRepRow } from './people.tables.ts';
import { auditedTx, type RegisterService } from './register.service.ts';
import type { z } from 'zod';

/** A household not visited for this many days is due for a visit by its representative. */
export const HOUSEHOLD_VISIT_DAYS = 30;

export class RepsService {
  constructor(
    private readonly p: Platform,
    private readonly register: RegisterService,
    private readonly keyPersons: KeyPersonsService,
    private readonly cases: CasesService,
  ) {}

  async list(actor: Actor, areaCode: string | undefined, page: number, pageSize: number): Promise<{ items: RepView[]; total: number }> {
    requirePermission(actor, 'people:read');
    if (areaCode && !inScope(actor, areaCode)) throw errors.notFound('area', areaCode);
    const { rows, total } = await peopleRepo.listReps(this.p.db.kysely, actor.scope, areaCode, pageSize, (page - 1) * pageSize);
    return { items: rows.map((r) => this.present(r, r.area_name, r.households, false)), total };
  }

  async create(actor: Actor, input: z.infer<typeof createRepBody>): Promise<RepView> {
    requirePermission(actor, 'people:write');
    const area = await areasRepo.get(this.p.db.kysely, input.areaCode);
    if (!area || !inScope(actor, area.code)) throw errors.notFound('area', input.areaCode);
    if (area.level !== 'village') throw errors.validation('rep.area_level', 'A village representative serves a village or community.', [{ field: 'areaCode', message: `${area.name} is a ${area.level}` }]);
    if (input.userId) {
      const u = await this.p.db.kysely.selectFrom('users').select(['id', 'area_code']).where('id', '=', input.userId).executeTakeFirst();
      if (!u || !inScope(actor, u.area_code)) throw errors.validation('rep.user', 'The account is not one of this area.', [{ field: 'userId', message: 'unknown account' }]);
    }
    const now = this.now();
    const { pii } = this.p;
    const row: VillageRepRow = {
      id: newId(), area_code: area.code, name_enc: pii.encrypt(input.name), name_index: pii.blindIndex(input.name),
      phone_enc: input.phone ? pii.encrypt(input.phone) : null, phone_index: input.phone ? pii.blindIndex(input.phone) : null, user_id: input.userId ?? null, created_at: now, updated_at: now,
    };
    await auditedTx(this.p, actor, 'rep.create', 'village_rep', row.id, row.area_code, {}, (trx) => peopleRepo.insertRep(trx, row));
    return this.present(row, area.name, 0, false);
  }

  async reveal(actor: Actor, id: string): Promise<RepView> {
    requirePermission(actor, 'people:read');
    requirePermission(actor, 'pii:reveal');
    const r = await this.load(actor, id);
    await this.p.audit.personalDataRead(this.p.db.kysely, actor, 'village_rep', id, r.area_code, ['name', 'phone']);
    const area = await areasRepo.get(this.p.db.kysely, r.area_code);
    return this.present(r, area?.name ?? r.area_code, (await peopleRepo.linksOf(this.p.db.kysely, id)).length, true);
  }

  /**
   * Sets the representative's households (all of the same village). Outside 5–15 the link is refused unless a reason
   * is given, which is recorded. A household already served by another representative is refused.
   */
  async link(actor: Actor, id: string, input: z.infer<typeof linkHouseholdsBody>): Promise<RepView> {
    requirePermission(actor, 'people:write');
    const rep = await this.load(actor, id);
    const ids = [...new Set(input.householdIds)];
    const n = ids.length;
    if ((n < REP_MIN_HOUSEHOLDS || n > REP_MAX_HOUSEHOLDS) && !input.overrideReason) {
      throw errors.validation('rep.household_count', `A village representative serves ${REP_MIN_HOUSEHOLDS}–${REP_MAX_HOUSEHOLDS} households (${n} given); give overrideReason to link another number.`, [
        { field: 'householdIds', message: `${n} households, outside ${REP_MIN_HOUSEHOLDS}–${REP_MAX_HOUSEHOLDS}` },
      ]);
    }
    const db = this.p.db.kysely;
    const { rows } = await peopleRepo.listHouseholds(db, { scope: actor.scope, ids, limit: n || 1, offset: 0 });
    const found = new Map(rows.map((h) => [h.id, h]));
    const bad = ids.filter((h) => !found.has(h) || !found.get(h)!.area_code.startsWith(rep.area_code));
    if (bad.length) throw errors.validation('rep.household_area', 'Every household must be in the representative\u2019s village.', bad.map((h) => ({ field: 'householdIds', message: `${h}: not a household of this village` })));
    const taken = (await peopleRepo.linksOfHouseholds(db, ids)).filter((l) => l.rep_id !== id);
    if (taken.length) throw errors.conflict('rep.household_taken', `${taken.length} of these households already have another representative.`, { householdIds: taken.map((l) => l.household_id) });
    const now = this.now();
    await auditedTx(this.p, actor, 'rep.link', 'village_rep', id, rep.area_code, { households: n, ...(input.overrideReason ? { overrideReason: input.overrideReason } : {}) }, async (trx) => {
      await peopleRepo.replaceLinks(trx, id, rep.area_code, ids, now);
      if (input.overrideReason && (n < REP_MIN_HOUSEHOLDS || n > REP_MAX_HOUSEHOLDS)) {
        await peopleRepo.insertOverride(trx, { id: newId(), rep_id: id, area_code: rep.area_code, households: n, reason: input.overrideReason, actor_name: actor.displayName, created_at: now });
      }
    });
    const area = await areasRepo.get(db, rep.area_code);
    return this.present(rep, area?.name ?? rep.area_code, n, false);
  }

  /** Households with a representative, per child area (a town's villages, a village's grids). */
  async coverage(actor: Actor, areaCode?: string) {
    requirePermission(actor, 'people:read');
    const code = areaCode ?? (actor.scope ? actor.areaCode : '430500');
    if (!inScope(actor, code)) throw errors.notFound('area', code);
    const db = this.p.db.kysely;
    const children = await areasRepo.children(db, code);
    const len = children[0]?.code.length ?? code.length;
    const { rows, reps } = await peopleRepo.coverage(db, scopePrefix(code), len);
    const names = new Map(children.map((c) => [c.code, c.name]));
    const repCount = new Map(reps.map((r) => [r.g, Number(r.n)]));
    const self = await areasRepo.get(db, code);
    const items = rows
      .map((r) => ({ areaCode: r.g, areaName: names.get(r.g) ?? self?.name ?? r.g, households: Number(r.n), covered: Number(r.covered ?? 0), keyHouseholds: Number(r.key ?? 0), reps: repCount.get(r.g) ?? 0, rate: Number(r.n) ? Math.round((Number(r.covered ?? 0) / Number(r.n)) * 1000) / 1000 : null }))
      .sort((a, b) => a.areaCode.localeCompare(b.areaCode));
    return { areaCode: code, items };
  }

  // ---- visits --------------------------------------------------------------------------------------------------

  async createVisit(actor: Actor, input: CreateVisitInput): Promise<{ created: boolean; visit: VisitView }> {
    requirePermission(actor, 'people:write');
    const db = this.p.db.kysely;
    const seen = await peopleRepo.visitByKey(db, input.clientKey);
    if (seen) {
      assertInScope(actor, seen.area_code, 'visit', input.clientKey);
      return { created: false, visit: await this.presentVisit(seen) };
    }
    const h = await this.register.household(actor, input.householdId);
    const rep = actor.userId ? await peopleRepo.repOfUser(db, actor.userId) : undefined;
    const caseIds: string[] = [];
    if (input.problems.length) {
      requirePermission(actor, 'cases:intake');
      const residents = await this.register.listResidents({ ...actor }, { householdId: h.id, page: 1, pageSize: 50 });
      const head = residents.items.find((r) => r.householdRole === 'head') ?? residents.items[0];
      const headRow = head ? await peopleRepo.getResident(db, head.id) : undefined;
      const party = headRow
        ? { role: 'applicant' as const, name: this.p.pii.decrypt(headRow.name_enc), idNumber: this.p.pii.decrypt(headRow.id_number_enc), ...(headRow.phone_enc ? { phone: this.p.pii.decrypt(headRow.phone_enc) } : {}) }
        : { role: 'applicant' as const, name: h.address };
      for (const [i, pr] of input.problems.entries()) {
        // One source reference per problem of this draft: a resend (or a retry after a failure here) finds the same case.
        const r = await this.cases.intakeWithSource(actor, {
          channel: 'visit', title: pr.title, type: pr.type, risk: 'low', areaCode: h.area_code, place: h.address, summary: pr.summary,
          parties: [party], reporterName: actor.displayName, sourceRef: `visit:${input.clientKey}:${i}`,
          ...(input.lon !== undefined && input.lat !== undefined ? { lon: input.lon, lat: input.lat } : {}),
        });
        caseIds.push(r.id);
      }
    }
    const now = this.now();
    const row: PeopleVisitRow = {
      id: newId(), client_key: input.clientKey, household_id: h.id, area_code: h.area_code, rep_id: rep?.id ?? null, visitor_user_id: actor.userId, visitor_name: actor.displayName,
      met: input.met ? 1 : 0, chatted: input.chatted ? 1 : 0, group_joined: input.groupJoined ? 1 : 0, info_registered: input.infoRegistered ? 1 : 0,
      problems_collected: input.problems.length + input.ideas.length > 0 ? 1 : 0, notes_enc: input.notes ? this.p.pii.encrypt(input.notes) : null,
      lon: input.lon ?? null, lat: input.lat ?? null, case_ids: JSON.stringify(caseIds), ideas: JSON.stringify(input.ideas),
      visited_at: input.visitedAt ? new Date(input.visitedAt).toISOString() : now, created_at: now,
    };
    try {
      await auditedTx(this.p, actor, 'visit.create', 'visit', row.id, row.area_code, { householdId: h.id, cases: caseIds.length, ideas: input.ideas.length }, (trx) => peopleRepo.insertVisit(trx, row));
    } catch (err) {
      // The same draft sent twice at once: the unique client key lets one through; the other answers with it.
      const again = await peopleRepo.visitByKey(db, input.clientKey);
      if (again) return { created: false, visit: await this.presentVisit(again) };
      throw err;
    }
    return { created: true, visit: await this.presentVisit(row) };
  }

  async listVisits(actor: Actor, q: z.infer<typeof listVisitsQuery>): Promise<{ items: VisitView[]; total: number }> {
    requirePermission(actor, 'people:read');
    if (q.areaCode && !inScope(actor, q.areaCode)) throw errors.notFound('area', q.areaCode);
    const { rows, total } = await peopleRepo.listVisits(this.p.db.kysely, {
      scope: actor.scope, areaPrefix: q.areaCode, householdId: q.householdId, visitorUserId: q.mine === 'true' ? (actor.userId ?? '\u0000') : undefined, limit: q.pageSize, offset: (q.page - 1) * q.pageSize,
    });
    return { items: rows.map((r) => this.visitView(r, r.address)), total };
  }

  /** The phone's home: my households (as a representative, else my area's), which are due a visit, my key persons due. */
  async mine(actor: Actor): Promise<z.infer<typeof myHouseholdsView>> {
    requirePermission(actor, 'people:read');
    const db = this.p.db.kysely;
    const rep = actor.userId ? await peopleRepo.repOfUser(db, actor.userId) : undefined;
    const ids = rep ? (await peopleRepo.linksOf(db, rep.id)).map((l) => l.household_id) : undefined;
    const { rows } = await peopleRepo.listHouseholds(db, { scope: actor.scope, ...(ids ? { ids } : {}), limit: 100, offset: 0 });
    const last = await peopleRepo.lastVisits(db, rows.map((r) => r.id));
    const dueBefore = addDays(this.p.clock.now(), -HOUSEHOLD_VISIT_DAYS).toISOString();
    const items = rows
      .map((r) => ({ ...this.register.presentHousehold(r), lastVisitAt: last.get(r.id) ?? null, visitDue: (last.get(r.id) ?? '') < dueBefore }))
      .sort((a, b) => Number(b.visitDue) - Number(a.visitDue) || Number(b.isKey) - Number(a.isKey) || a.address.localeCompare(b.address));
    const kp = await this.keyPersons.list(actor, { overdue: 'true', page: 1, pageSize: 50 });
    const area = rep ? await areasRepo.get(db, rep.area_code) : undefined;
    return { rep: rep ? this.present(rep, area?.name ?? rep.area_code, ids!.length, false) : null, items, keyPersonsDue: kp.items };
  }

  private async presentVisit(v: PeopleVisitRow): Promise<VisitView> {
    const h = await peopleRepo.getHouseholdRow(this.p.db.kysely, v.household_id);
    return this.visitView(v, h?.address ?? '');
  }

  private visitView(v: PeopleVisitRow, address: string): VisitView {
    return {
      id: v.id, clientKey: v.client_key, householdId: v.household_id, address, areaCode: v.area_code, repId: v.rep_id, visitorName: v.visitor_name,
      met: v.met === 1, chatted: v.chatted === 1, groupJoined: v.group_joined === 1, infoRegistered: v.info_registered === 1, problemsCollected: v.problems_collected === 1,
      // Notes may name people: shown only as present here; the desk reads them through the audited reveal (not yet built).
      notes: v.notes_enc ? '***' : null, lon: v.lon, lat: v.lat, caseIds: JSON.parse(v.case_ids) as string[], ideas: JSON.parse(v.ideas) as string[], visitedAt: v.visited_at,
    };
  }

  async load(actor: Actor, id: string): Promise<VillageRepRow> {
    const r = await peopleRepo.getRep(this.p.db.kysely, id);
    assertInScope(actor, r?.area_code, 'village_rep', id);
    return r!;
  }

  private present(r: VillageRepRow, areaName: string, households: number, reveal: boolean): RepView {
    const { pii } = this.p;
    const name = pii.decrypt(r.name_enc);
    const phone = r.phone_enc ? pii.decrypt(r.phone_enc) : null;
    return { id: r.id, areaCode: r.area_code, areaName, name: reveal ? name : maskName(name), phone: phone ? (reveal ? phone : maskPhone(phone)) : null, userId: r.user_id, households };
  }

  private now(): string {
    return this.p.clock.now().toISOString();
  }
}
