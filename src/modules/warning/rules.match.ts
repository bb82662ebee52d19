// Rule conditions as pure functions: does this event (with its zones, at this time) meet a rule? No I/O, so the
// engine and the dry run share it and the unit tests cover it.
import { scopePrefix } from '../../platform/access.ts';
import { isActive, type HolidayRange } from './periods.ts';
import type { AttributeCondition, IdentityClass, RuleDefinition } from './rules.schema.ts';
import type { IndexedZone } from './zone-index.ts';

/** The normalised device event as the engine sees it. */
export interface WarningEvent {
  /** The stored event's id (unique across devices). */
  id: string;
  deviceId: string;
  kind: string;
  subsystem: string;
  occurredAt: string;
  areaCode: string;
  lon: number | null;
  lat: number | null;
  /** Zone codes the device named. */
  zones: string[];
  attributes: Record<string, unknown>;
  snapshotIds: string[];
  /** A face feature vector the device sent with the snapshot, if any. */
  feature?: number[] | null;
}

export interface CompiledRule {
  id: string;
  name: string;
  areaCode: string;
  version: number;
  definition: RuleDefinition;
}

export type StaticMatch = { ok: true; zones: IndexedZone[] } | { ok: false; reason: string };

export function attributeAt(attrs: Record<string, unknown>, path: string): unknown {
  let node: unknown = attrs;
  for (const part of path.split('.')) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

export function attributeHolds(attrs: Record<string, unknown>, c: AttributeCondition): boolean {
  const v = attributeAt(attrs, c.path);
  switch (c.op) {
    case 'exists':
      return v !== undefined && v !== null;
    case 'eq':
      return v === c.value || (typeof v === 'number' && typeof c.value === 'string' && String(v) === c.value);
    case 'neq':
      return v !== c.value;
    case 'in':
      return Array.isArray(c.value) && (c.value as unknown[]).includes(v);
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
      const ref = c.value as number;
      if (Number.isNaN(n)) return false;
      return c.op === 'gt' ? n > ref : c.op === 'gte' ? n >= ref : c.op === 'lt' ? n < ref : n <= ref;
    }
  }
}

/**
 * Whether an area lies in the rule's subtree: a city rule (430500) covers every code under `4305`, a province rule
 * (430000) every code under `43`, a county or town rule its own code and below — the access layer's scope prefix.
 */
export function inRuleArea(rule: Pick<CompiledRule, 'areaCode'>, areaCode: string): boolean {
  return areaCode.startsWith(scopePrefix(rule.areaCode));
}

/**
 * Everything but the identity and the count: kind, subsystem, attributes, area, zones, active periods.
 * `zones` are the zones of the event (from the spatial index); the result keeps those the rule accepts.
 */
export function matchEvent(rule: CompiledRule, e: WarningEvent, zones: readonly IndexedZone[], holidays: readonly HolidayRange[]): StaticMatch {
  const d = rule.definition;
  if (d.trigger.type !== 'event') return { ok: false, reason: 'not an event rule' };
  if (!inRuleArea(rule, e.areaCode)) return { ok: false, reason: 'outside the rule area' };
  if (!d.trigger.eventKinds.includes(e.kind)) return { ok: false, reason: 'event kind' };
  if (d.trigger.subsystems?.length && !d.trigger.subsystems.includes(e.subsystem)) return { ok: false, reason: 'subsystem' };
  for (const c of d.trigger.attributes ?? []) {
    if (!attributeHolds(e.attributes, c)) return { ok: false, reason: `attribute ${c.path}` };
  }
  const at = new Date(e.occurredAt);
  if (d.activePeriods?.length && !isActive(d.activePeriods, at, e.areaCode, holidays)) return { ok: false, reason: 'rule not active at this time' };
  let accepted = [...zones];
  if (d.zone) {
    const z = d.zone;
    accepted = accepted.filter(
      (zone) =>
        (!z.kinds?.length || z.kinds.includes(zone.kind)) &&
        (!z.ids?.length || z.ids.includes(zone.id)) &&
        (z.minRiskLevel === undefined || zone.riskLevel >= z.minRiskLevel) &&
        (!z.activeOnly || isActive(zone.periods, at, zone.areaCode, holidays)),
    );
    if (accepted.length === 0) return { ok: false, reason: 'no matching active zone' };
  }
  return { ok: true, zones: accepted };
}

export function identityHolds(rule: CompiledRule, identity: IdentityClass): boolean {
  const wanted = rule.definition.identity?.classes;
  return !wanted || wanted.includes(identity);
}

/** The key a rule's sliding window counts under. */
export function windowKey(rule: CompiledRule, e: WarningEvent, zones: readonly IndexedZone[]): string {
  const per = rule.definition.count?.per ?? 'zone';
  if (per === 'device') return `device:${e.deviceId}`;
  if (per === 'area') return `area:${e.areaCode}`;
  return `zone:${zones[0]?.id ?? 'none'}`;
}

/** Fills `{zone}`, `{student}` … in a message; unknown placeholders are left as they are. */
export function fillTemplate(text: string, values: Record<string, string | null | undefined>): string {
  return text.replace(/\{([a-zA-Z_]+)\}/g, (m, key: string) => {
    const v = values[key];
    return v === undefined || v === null ? m : v;
  });
}
