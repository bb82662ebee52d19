// The administrative tree: browse, search and extend it within the caller's scope.
import type { Actor } from '../../platform/access.ts';
import { assertInScope, requirePermission, scopePrefix } from '../../platform/access.ts';
import type { Platform } from '../../platform/context.ts';
import { errors } from '../../platform/errors.ts';
import { areasRepo } from './areas.repo.ts';
import type { AreaSearchView, AreaView, FeatureCollection } from './areas.schema.ts';
import type { AreaRow } from './areas.tables.ts';

export class AreasService {
  constructor(private readonly p: Platform) {}

  async get(actor: Actor, code: string): Promise<AreaView> {
    requirePermission(actor, 'areas:read');
    const row = await areasRepo.get(this.p.db.kysely, code);
    assertInScope(actor, row?.code, 'area', code);
    return present(row!);
  }

  /** The area row with no scope check, for other modules that have already checked (e.g. deriving an area). */
  async find(code: string): Promise<AreaRow | undefined> {
    return areasRepo.get(this.p.db.kysely, code);
  }

  async children(actor: Actor, code: string): Promise<AreaView[]> {
    await this.get(actor, code);
    return (await areasRepo.children(this.p.db.kysely, code)).map(present);
  }

  async search(actor: Actor, q: string, limit: number): Promise<AreaSearchView[]> {
    requirePermission(actor, 'areas:read');
    const rows = await areasRepo.search(this.p.db.kysely, this.p.db.dialect, actor.scope, q, limit);
    const ancestorCodes = new Set<string>();
    for (const r of rows) for (const a of ancestorsOf(r.code)) ancestorCodes.add(a);
    const names = new Map((await areasRepo.getMany(this.p.db.kysely, [...ancestorCodes])).map((a) => [a.code, a.name]));
    return rows.map((r) => ({
      ...present(r),
      path: [...ancestorsOf(r.code).map((c) => names.get(c)).filter((n): n is string => !!n), r.name].join(' / '),
    }));
  }

  /**
   * The boundaries of an area's children (the counties of a city), or of the area itself when they have none; with
   * `level`, the stored boundaries of every area of that level under it (a deployment's towns or villages, if imported).
   */
  async boundaries(actor: Actor, code: string, level?: 'county' | 'town' | 'village' | 'grid'): Promise<FeatureCollection> {
    const area = await this.get(actor, code);
    const db = this.p.db.kysely;
    let rows;
    if (level) rows = await areasRepo.boundariesUnder(db, scopePrefix(area.code), level);
    else {
      const children = await areasRepo.children(db, code);
      rows = await areasRepo.boundariesOf(db, children.map((c) => c.code));
      if (rows.length === 0) rows = await areasRepo.boundariesOf(db, [area.code]);
    }
    return {
      type: 'FeatureCollection',
      features: rows.map((b) => ({
        type: 'Feature' as const,
        id: b.area_code,
        properties: {
          code: b.area_code,
          name: b.name,
          level: b.level,
          cp: b.center_lon !== null && b.center_lat !== null ? ([b.center_lon, b.center_lat] as [number, number]) : null,
          source: b.source,
        },
        geometry: JSON.parse(b.geometry) as unknown,
      })),
    };
  }

  /** Adds a grid (网格) under a village: code = village code + a 3-digit serial. */
  async createGrid(actor: Actor, parentCode: string, name: string): Promise<AreaView> {
    requirePermission(actor, 'areas:write');
    const parent = await this.get(actor, parentCode);
    if (parent.level !== 'village') {
      throw errors.validation('area.grid_parent', 'A grid is created under a village or community.', [
        { field: 'parentCode', message: 'must be a village or community' },
      ]);
    }
    const db = this.p.db.kysely;
    const row = await db.transaction().execute(async (trx) => {
      const max = await areasRepo.maxChildCode(trx, parentCode);
      const serial = max ? Number(max.slice(12)) + 1 : 1;
      if (serial > 999) throw errors.conflict('area.grid_full', 'This village already has 999 grids.');
      const code = parentCode + String(serial).padStart(3, '0');
      const r: AreaRow = {
        code,
        name,
        level: 'grid',
        parent_code: parentCode,
        scope_prefix: code,
        child_count: 0,
        created_at: this.p.clock.now().toISOString(),
      };
      await areasRepo.insert(trx, r);
      await areasRepo.refreshChildCounts(trx, parentCode);
      await this.p.audit.record(trx, actor, { action: 'area.create', entityType: 'area', entityId: code, areaCode: code, detail: { name, parentCode } });
      return r;
    });
    this.p.bus.emit('area.created', { code: row.code, parentCode, name });
    return present(row);
  }
}

/** Ancestor codes derived from the code itself (the codes are paths): 430523101001 → 430000, 430500, 430523, 430523101. */
export function ancestorsOf(code: string): string[] {
  const out: string[] = [];
  if (code.length >= 4 && !(code.length === 6 && code.endsWith('0000'))) out.push(code.slice(0, 2) + '0000');
  if (code.length > 6 || (code.length === 6 && !code.endsWith('00'))) out.push(code.slice(0, 4) + '00');
  if (code.length > 6) out.push(code.slice(0, 6));
  if (code.length > 9) out.push(code.slice(0, 9));
  if (code.length > 12) out.push(code.slice(0, 12));
  return out;
}

export function levelOf(code: string): AreaRow['level'] {
  if (code.length === 6) return code.endsWith('0000') ? 'province' : code.endsWith('00') ? 'city' : 'county';
  if (code.length === 9) return 'town';
  if (code.length === 12) return 'village';
  return 'grid';
}

export { scopePrefix };

function present(r: AreaRow): AreaView {
  return { code: r.code, name: r.name, level: r.level, parentCode: r.parent_code, childCount: r.child_count };
}
