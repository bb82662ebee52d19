// Demo data of early warning: a key water area around each demo water-area terminal (covered by the terminal's own
// loudspeaker and the county's demo loudspeakers nearby), a household zone around each demo gas detector, the
// drowning-prevention and smart-fire rules for those zones, fast-response teams per county, and the summer
// holiday. (The demo account sy_responder is left unlinked: linking it is one call, and tests do.) The demo rules name their zones, so that zones drawn by people (and by tests) are not touched by them.
// Idempotent: what exists is left alone.
import { systemActor } from '../../platform/access.ts';
import type { Platform } from '../../platform/context.ts';
import { distanceM } from './geo.ts';
import { respondersRepo } from './responders.repo.ts';
import { rulesRepo } from './rules.repo.ts';
import type { RuleInput } from './rules.schema.ts';
import type { WarningModule } from './warning.module.ts';
import { zonesRepo } from './zones.repo.ts';

const square = (lon: number, lat: number, d: number) => ({
  type: 'Polygon' as const,
  coordinates: [[[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d], [lon - d, lat - d]] as [number, number][]],
});

export async function seedWarningDemo(p: Platform, w: WarningModule, progress: (msg: string) => void = () => {}): Promise<void> {
  const db = p.db.kysely;
  const actor = systemActor('demo-seed');
  const devices = await db
    .selectFrom('devices')
    .select(['id', 'code', 'kind', 'area_code', 'lon', 'lat'])
    .where('code', 'like', 'DEMO-%')
    .where('kind', 'in', ['water_area_terminal', 'loudspeaker', 'gas_detector'])
    .where('lon', 'is not', null)
    .orderBy('code')
    .execute();
  const waterZones: string[] = [];
  const homeZones: string[] = [];
  let created = 0;
  for (const d of devices) {
    if (d.kind === 'loudspeaker' || d.lon === null || d.lat === null) continue;
    const code = `DEMO-ZN-${d.code.slice(5)}`;
    const existing = await zonesRepo.byCode(db, code);
    if (existing) {
      (d.kind === 'gas_detector' ? homeZones : waterZones).push(existing.id);
      continue;
    }
    const n = d.code.slice(-2);
    const zone =
      d.kind === 'gas_detector'
        ? await w.zones.create(actor, {
            code, name: `燃气用户${n}号`, kind: 'household', riskLevel: 3, areaCode: d.area_code, geometry: square(d.lon, d.lat, 0.0004),
            activePeriods: [], speakerIds: [],
            contacts: [{ role: 'household', name: `住户${n}`, phone: `1390730${d.code.slice(-4)}` }, { role: 'fire_brigade', name: '消防救援大队', phone: '13907300119' }],
          })
        : await w.zones.create(actor, {
            code, name: `重点水域${d.area_code.slice(-2)}-${n}`, kind: 'key_water', riskLevel: 4, areaCode: d.area_code, geometry: square(d.lon, d.lat, 0.003),
            // Drowning prevention is a year-round duty at a key water area (the rules may narrow it themselves).
            activePeriods: [{ label: '全年', seasons: [{ from: '01-01', to: '12-31' }] }],
            speakerIds: [
              d.id,
              ...devices.filter((s) => s.kind === 'loudspeaker' && s.area_code === d.area_code && s.lon !== null && s.lat !== null && distanceM(d.lon!, d.lat!, s.lon, s.lat) < 30_000).slice(0, 1).map((s) => s.id),
            ],
            contacts: [{ role: 'keeper', name: `护水员${n}`, phone: `1390739${d.code.slice(-4)}` }],
          });
    (d.kind === 'gas_detector' ? homeZones : waterZones).push(zone.id);
    created++;
  }
  if (created) progress(`  demo zones: ${created}`);

  const ladder = { start: 'town' as const, steps: [{ tier: 'county' as const, afterSeconds: 180 }, { tier: 'city' as const, afterSeconds: 900 }], remindEverySeconds: 60 };
  const rules: RuleInput[] = [
    {
      name: '重点水域有人靠近', areaCode: '430500', enabled: true,
      definition: {
        trigger: { type: 'event', eventKinds: ['person.near_water', 'intrusion', 'face.captured'] },
        zone: { ids: waterZones.slice(0, 50), activeOnly: true },
        actions: [
          { type: 'broadcast', text: '水边危险，请速离开', repeat: 3 },
          { type: 'raise_alert', severity: 'orange', title: '{zone}有人靠近水边', ladder },
          { type: 'notify', roles: ['keeper', 'grid_worker'], userIds: [], text: '{zone}有人靠近水边，请前往劝离（{alert}）' },
        ],
      },
    },
    {
      name: '学生临水', areaCode: '430500', enabled: true,
      definition: {
        trigger: { type: 'event', eventKinds: ['face.captured', 'person.near_water'] },
        zone: { ids: waterZones.slice(0, 50), activeOnly: false },
        identity: { classes: ['student'] },
        actions: [
          { type: 'raise_alert', severity: 'red', title: '学生出现在{zone}' },
          { type: 'notify', roles: ['guardians', 'class_teacher'], userIds: [], channel: 'sms', text: '【防溺水】{student}同学于{time}出现在{zone}附近，请立即联系确认安全。' },
          { type: 'call', roles: ['guardians'], userIds: [], text: '您的孩子{student}出现在{zone}附近，请立即联系确认安全。' },
        ],
      },
    },
    {
      name: '人员落水', areaCode: '430500', enabled: true,
      definition: {
        trigger: { type: 'event', eventKinds: ['person.in_water'] },
        zone: { ids: waterZones.slice(0, 50), activeOnly: false },
        actions: [
          { type: 'broadcast', text: '有人落水，请附近群众立即施救并拨打110', repeat: 3 },
          { type: 'raise_alert', severity: 'red', title: '{zone}有人落水', ladder: { start: 'county', steps: [{ tier: 'city', afterSeconds: 300 }], remindEverySeconds: 60 } },
          { type: 'dispatch', responderKinds: ['fast_response', 'keeper'] },
        ],
      },
    },
    {
      name: '居民燃气泄漏', areaCode: '430500', enabled: true,
      definition: {
        trigger: { type: 'event', eventKinds: ['gas.alarm'], subsystems: ['smart_fire'] },
        zone: { ids: homeZones.slice(0, 50), activeOnly: false },
        actions: [
          { type: 'raise_alert', severity: 'orange', title: '{zone}燃气泄漏报警', ladder: { start: 'village', steps: [{ tier: 'county', afterSeconds: 300, notify: ['fire_brigade'] }], remindEverySeconds: 120 } },
          { type: 'notify', roles: ['household'], userIds: [], channel: 'sms', text: '【燃气报警】您家燃气浓度超标，请立即开窗通风、关闭阀门，切勿使用明火。' },
          { type: 'notify', roles: ['grid_worker'], userIds: [], text: '【燃气报警】{zone}燃气浓度超标，请立即上门查看（{alert}）。' },
        ],
      },
    },
  ];
  const have = new Set((await rulesRepo.list(db, '4305')).map((r) => r.name));
  for (const r of rules) {
    const zoneIds = r.definition.zone?.ids ?? [];
    if (have.has(r.name) || zoneIds.length === 0) continue;
    await w.rules.create(actor, r);
    progress(`  demo rule: ${r.name}`);
  }

  const responders = await respondersRepo.list(db, '4305');
  if (responders.length === 0) {
    const firstWater = new Map<string, { lon: number; lat: number }>();
    for (const d of devices) if (d.kind === 'water_area_terminal' && !firstWater.has(d.area_code)) firstWater.set(d.area_code, { lon: d.lon!, lat: d.lat! });
    for (const [county, at] of firstWater) {
      await w.responders.create(actor, { name: `${county.slice(-2)}快警一组`, kind: 'fast_response', areaCode: county, lon: at.lon + 0.01, lat: at.lat, available: true, phone: '13907300110' });
      await w.responders.create(actor, { name: `${county.slice(-2)}快警二组`, kind: 'fast_response', areaCode: county, lon: at.lon - 0.02, lat: at.lat + 0.01, available: true, phone: '13907300110' });
    }
    progress(`  demo responders: ${firstWater.size * 2}`);
  }
  if ((await zonesRepo.holidaysOf(db, '430500')).length === 0) {
    const year = new Date(p.clock.now().getTime() + 8 * 3600_000).getUTCFullYear();
    await w.zones.replaceHolidays(actor, '430500', [
      { name: '暑假', from: `${year}-07-01`, to: `${year}-08-31` },
      { name: '寒假', from: `${year}-01-20`, to: `${year}-02-20` },
    ]);
  }
}
