// npm run bench:cases — the cases module at a city's scale.
//
// In one process on a fresh database (SQLite under a temp folder, or PostgreSQL when DATABASE_URL is set):
//  1. intake through the service, one after another (duplicate check, routing, code, timers, auto-assignment):
//     latency p50/p99 and cases per second;
//  2. with BENCH_CASES (default 100,000) cases over a year in the 12 counties, the board's first page for a county
//     (overdue first), the same with filters, and the figures for a county and for the city: p50/p99;
//  3. the sweeper firing a day's due timers.
// Results: bench/results/cases-<date>.json and .md.
//
//   npm run bench:cases
//   BENCH_CASES=200000 BENCH_INTAKES=2000 DATABASE_URL=postgres://… npm run bench:cases
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config.ts';
import { createPlatform, createServices } from '../src/app.ts';
import { systemActor, type Actor } from '../src/platform/access.ts';
import { permissions } from '../src/platform/auth/policy.ts';
import { FakeClock } from '../src/platform/clock.ts';
import { newId } from '../src/platform/crypto.ts';
import { dropPostgresSchema } from '../src/platform/db/database.ts';
import { importPrefecture } from '../src/modules/areas/areas.import.ts';
import { caseTypes } from '../src/modules/cases/cases.policy.ts';
import type { CaseRow } from '../src/modules/cases/cases.tables.ts';
import { machine, percentile } from './machine.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const CASES = Number(process.env.BENCH_CASES ?? 100_000);
const INTAKES = Number(process.env.BENCH_INTAKES ?? 1_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const DAY = 86_400_000;

function stats(ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  return { p50: round(percentile(s, 50)), p99: round(percentile(s, 99)), runs: s.length };
}
const round = (v: number) => Math.round(v * 100) / 100;

async function timed(runs: number, fn: () => Promise<unknown>) {
  await fn();
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return stats(out);
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shiyu-bench-cases-'));
  const schema = 'b_' + crypto.randomBytes(5).toString('hex');
  const config = loadConfig(process.env, { dataDir: dir, logLevel: 'warn', databaseSchema: process.env.DATABASE_URL ? schema : 'public', secretKey: crypto.randomBytes(32).toString('hex') });
  const now = new Date();
  const clock = new FakeClock(now);
  const p = await createPlatform(config, { clock });
  const engine = p.db.engine;
  try {
    process.stdout.write(`engine ${engine}: importing the areas of Shaoyang …\n`);
    await importPrefecture(p, '430500');
    const services = createServices(p);
    // Every permission, the whole tree: the bench measures the work, not the access checks.
    const sys: Actor = { ...systemActor('bench'), permissions: new Set(permissions) };
    const db = p.db.kysely;
    const counties = (await db.selectFrom('areas').select('code').where('level', '=', 'county').where('code', 'like', '4305%').execute()).map((r) => r.code);
    const towns = await db.selectFrom('areas').select(['code']).where('level', '=', 'town').where('code', 'like', '4305%').execute();
    const villages = (await db.selectFrom('areas').select('code').where('level', '=', 'village').where('code', 'like', '4305%').execute()).map((r) => r.code);
    await services.mediationCentres.createCentre(sys, { areaCode: '430500', name: '市中心', leaderName: '市领导' });
    const centreOf = new Map<string, string>();
    for (const c of counties) centreOf.set(c, (await services.mediationCentres.createCentre(sys, { areaCode: c, name: `${c}中心`, leaderName: '县领导' })).id);
    for (const t of towns) {
      const centre = await services.mediationCentres.createCentre(sys, { areaCode: t.code, name: `${t.code}中心` });
      centreOf.set(t.code, centre.id);
      await services.mediationCentres.createMediator(sys, { centreId: centre.id, name: `调解员${t.code.slice(-3)}`, kind: 'centre', areaCode: t.code, specialities: [], capacity: 200 });
    }
    process.stdout.write(`  ${counties.length} counties, ${towns.length} town centres, ${villages.length} villages\n`);

    // 1. Intake through the service.
    const intakeMs: number[] = [];
    const started = performance.now();
    for (let i = 0; i < INTAKES; i++) {
      const village = villages[i % villages.length]!;
      const t = performance.now();
      await services.cases.intake(sys, {
        title: '邻里纠纷', type: caseTypes[i % caseTypes.length] === 'mass_economic' ? 'neighbour' : caseTypes[i % caseTypes.length]!, risk: 'low',
        channel: 'walk_in', areaCode: village, summary: '两户因宅基地边界发生争执。',
        parties: [{ role: 'applicant', name: `张${i}`, phone: `139${String(i).padStart(8, '0')}` }],
      });
      intakeMs.push(performance.now() - t);
    }
    const intakeSeconds = (performance.now() - started) / 1000;
    process.stdout.write(`  intake: ${INTAKES} in ${intakeSeconds.toFixed(1)} s\n`);

    // 2. A year of cases, written directly (the board and the figures read them).
    const states = ['accepted', 'assigned', 'mediating', 'concluded', 'followed_up', 'rated', 'rated', 'rated'];
    const rows: CaseRow[] = [];
    for (let i = 0; i < CASES; i++) {
      const village = villages[(i * 7919) % villages.length]!;
      const created = new Date(now.getTime() - ((i * 104729) % 365) * DAY - (i % 86_400) * 1000);
      const state = states[i % states.length]!;
      const closed = !['accepted', 'assigned', 'mediating'].includes(state);
      const deadline = new Date(created.getTime() + 30 * DAY);
      rows.push({
        id: newId(), code: `MJ${village.slice(0, 6)}-B-${String(i).padStart(7, '0')}`, title: '批量纠纷', type: caseTypes[i % caseTypes.length]!, risk: ['low', 'medium', 'high'][i % 3]!,
        state, channel: 'walk_in', area_code: village, place: null, lon: null, lat: null, summary: '批量数据', people_count: null, amount_involved: null,
        centre_id: centreOf.get(village.slice(0, 9)) ?? centreOf.get(village.slice(0, 6))!, level: 'town', mediator_id: null, responsible_leader: null,
        deadline_at: deadline.toISOString(), deadline_days: 30, extension_count: 0, overdue_at: i % 11 === 0 ? deadline.toISOString() : null, escalation_count: 0,
        outcome: closed ? (i % 5 === 0 ? 'court' : 'agreement') : null, outcome_note: null,
        concluded_at: closed ? new Date(created.getTime() + (i % 40) * DAY).toISOString() : null, days_to_conclude: closed ? i % 40 : null,
        followed_up_at: null, satisfaction: state === 'rated' ? 1 + (i % 5) : null, rated_at: null, mass_stage: null, amount_recovered: null,
        report_count: 1, intake_day: new Date(created.getTime() + 8 * 3600_000).toISOString().slice(0, 10), version: 0,
        created_by: null, created_by_name: 'bench', created_at: created.toISOString(), updated_at: created.toISOString(),
      });
    }
    const chunk = Math.floor(p.db.dialect.maxParams / 48 / 2);
    const tBulk = performance.now();
    for (let i = 0; i < rows.length; i += chunk) await db.insertInto('cases').values(rows.slice(i, i + chunk)).execute();
    process.stdout.write(`  ${CASES} cases written in ${((performance.now() - tBulk) / 1000).toFixed(1)} s\n`);

    const county: Actor = { ...sys, kind: 'user', areaCode: '430523', scope: '430523' };
    const city: Actor = { ...sys, kind: 'user', areaCode: '430500', scope: '4305' };
    const inCounty = await db.selectFrom('cases').select((eb) => eb.fn.countAll<number>().as('n')).where('area_code', 'like', '430523%').executeTakeFirstOrThrow();
    const q = { page: 1, pageSize: 50 } as const;
    const board = await timed(RUNS, () => services.cases.list(county, { ...q, state: undefined, type: undefined, risk: undefined, areaCode: undefined, centreId: undefined, overdue: undefined, mine: undefined, q: undefined }));
    const filtered = await timed(RUNS, () => services.cases.list(county, { ...q, state: ['accepted', 'assigned', 'mediating'], type: 'wages', risk: 'high', areaCode: '430523100', centreId: undefined, overdue: undefined, mine: undefined, q: undefined }));
    const overdueOnly = await timed(RUNS, () => services.cases.list(county, { ...q, state: undefined, type: undefined, risk: undefined, areaCode: undefined, centreId: undefined, overdue: true, mine: undefined, q: undefined }));
    const figuresCounty = await timed(RUNS, () => services.cases.figures(county, {}));
    const figuresCity = await timed(RUNS, () => services.cases.figures(city, {}));

    // 3. The sweeper: move the clock a day past the intakes' reminders and deadlines (31 days) and fire them.
    clock.set(new Date(now.getTime() + 31 * DAY));
    const tSweep = performance.now();
    const swept = await services.cases.tick();
    const sweepSeconds = (performance.now() - tSweep) / 1000;

    const result = {
      machine: machine(), engine, cases: CASES + INTAKES, casesInCounty: Number(inCounty.n),
      intake: { count: INTAKES, perSecond: round(INTAKES / intakeSeconds), ...stats(intakeMs) },
      boardFirstPage: board, boardFiltered: filtered, boardOverdueOnly: overdueOnly, figuresCounty, figuresCity,
      sweep: { fired: swept.fired, seconds: round(sweepSeconds), perSecond: round(swept.fired / sweepSeconds) },
    };
    const date = new Date().toISOString().slice(0, 10);
    const out = path.join(root, 'bench', 'results');
    fs.mkdirSync(out, { recursive: true });
    const file = path.join(out, `cases-${date}`);
    const all = fs.existsSync(`${file}.json`) ? (JSON.parse(fs.readFileSync(`${file}.json`, 'utf8')) as unknown[]) : [];
    fs.writeFileSync(`${file}.json`, JSON.stringify([...all.filter((r) => (r as { engine: string }).engine !== engine), result], null, 2) + '\n');
    const md = [
      `### cases on ${engine} — ${result.cases.toLocaleString('en')} cases (${result.casesInCounty.toLocaleString('en')} in 邵阳县)`,
      '',
      `${result.machine.cpu}, ${result.machine.cores} cores, ${result.machine.memoryGiB} GiB, Node ${result.machine.node}`,
      '',
      '| what | p50 ms | p99 ms | |',
      '|---|---|---|---|',
      `| intake (service: duplicate check, routing, code, timers, auto-assign) | ${result.intake.p50} | ${result.intake.p99} | ${result.intake.perSecond} cases/s one at a time |`,
      `| board, first page, county scope, overdue first | ${board.p50} | ${board.p99} | |`,
      `| board, filtered (open, wages, high risk, one town) | ${filtered.p50} | ${filtered.p99} | |`,
      `| board, overdue only | ${overdueOnly.p50} | ${overdueOnly.p99} | |`,
      `| figures, county | ${figuresCounty.p50} | ${figuresCounty.p99} | |`,
      `| figures, city (12 counties) | ${figuresCity.p50} | ${figuresCity.p99} | |`,
      `| sweeper: ${swept.fired} due timers (reminders, overdue + escalation) | | | ${result.sweep.perSecond} timers/s |`,
      '',
    ].join('\n');
    const mdFile = `${file}.md`;
    const prev = fs.existsSync(mdFile) ? fs.readFileSync(mdFile, 'utf8').split(/(?=^### )/m).filter((s) => !s.startsWith(`### cases on ${engine}`)).join('') : '';
    fs.writeFileSync(mdFile, prev + md + '\n');
    process.stdout.write(md + '\n');
  } finally {
    await p.db.close();
    if (process.env.BENCH_KEEP) process.stdout.write(`kept: ${dir} (schema ${config.databaseSchema})\n`);
    else {
      if (config.databaseUrl) await dropPostgresSchema(config.databaseUrl, config.databaseSchema);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
}

await main();
