// Rules: declarative definitions stored and versioned in the database, validated with one schema, and replayed
// against recent events in a dry run. The engine keeps the enabled rules compiled in memory and is told of edits.
import type { Actor } from '../../platform/access.ts';
import { assertInScope, inScope, requirePermission, scopePrefix } from '../../platform/access.ts';
import type { Platform } from '../../platform/context.ts';
import { newId } from '../../platform/crypto.ts';
import { errors } from '../../platform/errors.ts';
import type { AreasService } from '../areas/areas.service.ts';
import type { DeviceLookup } from './ports.ts';
import { identityHolds, matchEvent, windowKey, type CompiledRule } from './rules.match.ts';
import { rulesRepo } from './rules.repo.ts';
import {
  ruleDefinitionSchema,
  type DryRunResult,
  type RuleDefinition,
  type RuleInput,
  type RulePatch,
  type RuleView,
} from './rules.schema.ts';
import { zonesRepo } from './zones.repo.ts';
import type { ZonesService } from './zones.service.ts';
import type { RuleRow } from './warning.tables.ts';

declare module '../../platform/bus.ts' {
  interface DomainEvents {
    'rule.changed': { id: string; version: number; areaCode: string };
  }
}

export function compile(r: RuleRow): CompiledRule {
  // Stored definitions were validated when saved; parsing again fills defaults added by later versions.
  return { id: r.id, name: r.name, areaCode: r.area_code, version: r.version, definition: ruleDefinitionSchema.parse(JSON.parse(r.definition)) };
}

export class RulesService {
  constructor(
    private readonly p: Platform,
    private readonly areas: AreasService,
    private readonly zones: ZonesService,
    private readonly devices: DeviceLookup,
    /** Called after every change, so that the engine recompiles. */
    private readonly onChange: () => Promise<void>,
  ) {}

  /** The rules of the caller's scope (editable) and those of the areas above it, which apply there too (read-only). */
  async list(actor: Actor): Promise<RuleView[]> {
    requirePermission(actor, 'alerts:read');
    return (await rulesRepo.list(this.p.db.kysely, actor.scope, areasAbove(actor.scope))).map((r) => present(r, inScope(actor, r.area_code)));
  }

  async get(actor: Actor, id: string): Promise<RuleView> {
    requirePermission(actor, 'alerts:read');
    const row = await this.loadReadable(actor, id);
    return present(row, inScope(actor, row.area_code));
  }

  async versions(actor: Actor, id: string) {
    requirePermission(actor, 'alerts:read');
    await this.loadReadable(actor, id);
    return (await rulesRepo.versions(this.p.db.kysely, id)).map((v) => ({
      version: v.version, name: v.name, enabled: v.enabled === 1, definition: JSON.parse(v.definition) as unknown, createdBy: v.created_by, createdAt: v.created_at,
    }));
  }

  async create(actor: Actor, input: RuleInput): Promise<RuleView> {
    requirePermission(actor, 'rules:write');
    await this.checkArea(actor, input.areaCode);
    await this.checkReferences(actor, input.definition);
    const now = this.p.clock.now().toISOString();
    const id = newId();
    const row: RuleRow = {
      id, name: input.name, area_code: input.areaCode, enabled: input.enabled ? 1 : 0, version: 1,
      definition: JSON.stringify(input.definition), created_by: actor.username, created_at: now, updated_at: now,
    };
    await this.p.db.kysely.transaction().execute(async (trx) => {
      await rulesRepo.insert(trx, row);
      await rulesRepo.insertVersion(trx, { rule_id: id, version: 1, name: row.name, enabled: row.enabled, definition: row.definition, created_by: actor.username, created_at: now });
      await this.p.audit.record(trx, actor, { action: 'rule.create', entityType: 'rule', entityId: id, areaCode: input.areaCode, detail: { name: input.name, enabled: input.enabled } });
    });
    await this.changed(id, 1, input.areaCode);
    return present(row, true);
  }

  async update(actor: Actor, id: string, patch: RulePatch): Promise<RuleView> {
    requirePermission(actor, 'rules:write');
    const current = await this.loadInScope(actor, id);
    if (patch.expectedVersion !== undefined && patch.expectedVersion !== current.version) {
      throw errors.conflict('rule.version_conflict', 'Someone else changed this rule; reload it and try again.', { version: current.version });
    }
    if (patch.definition) await this.checkReferences(actor, patch.definition);
    const now = this.p.clock.now().toISOString();
    const next: RuleRow = {
      ...current,
      name: patch.name ?? current.name,
      enabled: patch.enabled === undefined ? current.enabled : patch.enabled ? 1 : 0,
      definition: patch.definition ? JSON.stringify(patch.definition) : current.definition,
      version: current.version + 1,
      updated_at: now,
    };
    await this.p.db.kysely.transaction().execute(async (trx) => {
      const ok = await rulesRepo.update(trx, id, current.version, { name: next.name, enabled: next.enabled, definition: next.definition, version: next.version, updated_at: now });
      if (!ok) throw errors.conflict('rule.version_conflict', 'Someone else changed this rule; reload it and try again.');
      await rulesRepo.insertVersion(trx, { rule_id: id, version: next.version, name: next.name, enabled: next.enabled, definition: next.definition, created_by: actor.username, created_at: now });
      await this.p.audit.record(trx, actor, {
        action: 'rule.update', entityType: 'rule', entityId: id, areaCode: current.area_code,
        detail: { version: next.version, changed: Object.keys(patch).filter((k) => k !== 'expectedVersion') },
      });
    });
    await this.changed(id, next.version, current.area_code);
    return present(next, true);
  }

  /**
   * Replays a definition against the recent events of an area without acting: which events would have matched
   * and what the rule would have done. Counts are simulated over the replayed events; identity cannot be known
   * without running the match, so those events are shown as "would identify".
   */
  async dryRun(actor: Actor, input: { areaCode: string; definition: RuleDefinition; sinceMinutes: number; limit: number }): Promise<DryRunResult> {
    requirePermission(actor, 'rules:write');
    await this.checkArea(actor, input.areaCode);
    const since = new Date(this.p.clock.now().getTime() - input.sinceMinutes * 60_000).toISOString();
    const events = await this.devices.recentEvents(scopePrefix(input.areaCode), since, input.limit);
    const rule: CompiledRule = { id: 'dry-run', name: 'dry run', areaCode: input.areaCode, version: 0, definition: input.definition };
    const items: DryRunResult['items'] = [];
    const windows = new Map<string, number[]>();
    const holidays = this.zones.holidays();
    if (input.definition.trigger.type !== 'event') {
      throw errors.validation('rule.dry_run_event_only', 'A dry run replays events; silence rules cannot be replayed.');
    }
    for (const e of events) {
      const zones = this.zones.index.forEvent(e.lon, e.lat, e.zones).filter((z) => inScope(actor, z.areaCode));
      const m = matchEvent(rule, e, zones, holidays);
      if (!m.ok) continue;
      let note: string | null = null;
      const count = input.definition.count;
      if (count) {
        const key = windowKey(rule, e, m.zones);
        const t = Date.parse(e.occurredAt);
        const hits = (windows.get(key) ?? []).filter((h) => h >= t - count.windowSeconds * 1000);
        hits.push(t);
        if (hits.length < count.threshold) {
          windows.set(key, hits);
          continue;
        }
        windows.set(key, []);
        note = `${hits.length} events within ${count.windowSeconds} s`;
      }
      if (input.definition.identity && !identityHolds(rule, 'unknown')) {
        note = [note, `acts only if the snapshot is identified as ${input.definition.identity.classes.join('/')}`].filter(Boolean).join('; ');
      }
      items.push({
        eventId: e.id, deviceId: e.deviceId, kind: e.kind, occurredAt: e.occurredAt, areaCode: e.areaCode,
        zones: m.zones.map((z) => z.code), wouldDo: input.definition.actions.map((a) => a.type), note,
      });
    }
    return { examined: events.length, matched: items.length, items: items.slice(-500) };
  }

  /** Every enabled rule, compiled (the engine's load at start and after changes). */
  async compiledEnabled(): Promise<CompiledRule[]> {
    const rows = await rulesRepo.enabled(this.p.db.kysely);
    const out: CompiledRule[] = [];
    for (const r of rows) {
      try {
        out.push(compile(r));
      } catch (err) {
        // A stored rule that no longer validates is skipped, not allowed to stop every other rule.
        this.p.log.error({ err, ruleId: r.id }, 'stored rule does not validate; skipped');
      }
    }
    return out;
  }

  private async changed(id: string, version: number, areaCode: string): Promise<void> {
    await this.onChange();
    this.p.bus.emit('rule.changed', { id, version, areaCode });
  }

  /** A rule of the scope, or of an area above it (which applies in the scope); others are not found. */
  private async loadReadable(actor: Actor, id: string): Promise<RuleRow> {
    const row = await rulesRepo.get(this.p.db.kysely, id);
    if (row && areasAbove(actor.scope).includes(row.area_code)) return row;
    assertInScope(actor, row?.area_code, 'rule', id);
    return row!;
  }

  private async loadInScope(actor: Actor, id: string): Promise<RuleRow> {
    const row = await rulesRepo.get(this.p.db.kysely, id);
    assertInScope(actor, row?.area_code, 'rule', id);
    return row!;
  }

  private async checkArea(actor: Actor, areaCode: string): Promise<void> {
    if (!inScope(actor, areaCode)) throw errors.notFound('area', areaCode);
    await this.areas.get(actor, areaCode);
  }

  /** Named zones and people must be within the caller's scope. */
  private async checkReferences(actor: Actor, d: RuleDefinition): Promise<void> {
    for (const [i, zoneId] of (d.zone?.ids ?? []).entries()) {
      const z = await zonesRepo.get(this.p.db.kysely, zoneId);
      if (!z || !inScope(actor, z.area_code)) {
        throw errors.validation('rule.invalid_zone', `no zone ${zoneId} in your area`, [{ field: `definition.zone.ids.${i}`, message: `no zone ${zoneId} in your area` }]);
      }
    }
    const userIds = d.actions.flatMap((a) => ('userIds' in a ? a.userIds : []));
    if (userIds.length) {
      const found = new Set((await zonesRepo.usersInScope(this.p.db.kysely, userIds, actor.scope)).map((u) => u.id));
      const missing = userIds.find((u) => !found.has(u));
      if (missing) throw errors.validation('rule.invalid_user', `no user ${missing} in your area`, [{ field: 'definition.actions', message: `no user ${missing} in your area` }]);
    }
  }
}

/** The codes of the areas above a scope: 430523 → 430500, 430000; 430523100 → 430523, 430500, 430000. */
export function areasAbove(scope: string): string[] {
  const out: string[] = [];
  if (scope.length > 6) {
    for (const len of [12, 9, 6]) if (scope.length > len) out.push(scope.slice(0, len));
  }
  if (scope.length >= 6 && !scope.slice(0, 6).endsWith('00')) out.push(scope.slice(0, 4) + '00');
  if (scope.length >= 4 && !scope.slice(0, 4).endsWith('00')) out.push(scope.slice(0, 2) + '0000');
  return out;
}

function present(r: RuleRow, editable: boolean): RuleView {
  return {
    id: r.id,
    name: r.name,
    areaCode: r.area_code,
    editable,
    enabled: r.enabled === 1,
    version: r.version,
    definition: JSON.parse(r.definition) as unknown,
    createdBy: r.created_by,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
