// Demo grassroots data for one Shaoyang town, 塘渡口镇 (430523100), at the scale the seed describes for one town:
// ≈742 village representatives linked to ≈9,369 households, ≈502 of them key households, with residents (valid ID
// numbers of 邵阳县, realistic names, phones), key persons in every GB/T 31000 category at every level, visits and
// hair tests done (some late, some overdue now), tasks, and "five ones" visits. Generated from a fixed seed, so every
// demo looks the same; nothing here is real personal data. `small` (the test default) makes two villages only.
// Written with multi-row inserts (no audit rows: this is seeding, not anyone's change). Idempotent.
import type { Platform } from '../../platform/context.ts';
import { newId } from '../../platform/crypto.ts';
import type { Insertable } from 'kysely';
import type { Executor } from '../../platform/db/database.ts';
import type { Database } from '../../platform/db/tables.ts';
import { prefixPattern } from '../../platform/db/dialect.ts';
import { makeIdNumber } from './idcard.ts';
import { ESCALATE_AFTER_DAYS, addDays, intervalsFor, keyPersonCategories, keyPersonLevels, REP_MAX_HOUSEHOLDS, REP_MIN_HOUSEHOLDS, type KeyPersonCategory, type KeyPersonLevel } from './people.policy.ts';
import type { KeyPersonRecordRow, KeyPersonRow, KeyPersonTaskRow, PeopleHouseholdRow, PeopleResidentRow, PeopleTimerRow, PeopleVisitRow, VillageRepLinkRow, VillageRepRow } from './people.tables.ts';

export const DEMO_TOWN = '430523100';
export const DEMO_GRID_VILLAGE = '430523100203';
export type PeopleDemoScale = 'town' | 'small';

const TARGET = { reps: 742, households: 9369, keyHouseholds: 502 };
const SURNAMES = '李王张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢唐许邓冯曾彭肖蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹易黎';
const GIVEN_M = '建国志强伟军勇杰涛明华平刚辉林峰斌波磊超亮德生成文武春海';
const GIVEN_F = '秀英丽娟芳敏静霞红梅兰玲燕萍琴云凤霞春桂珍翠娥莲香';
const DETAILS: Record<KeyPersonCategory, (r: () => number) => Record<string, string>> = {
  released_prisoner: (r) => ({ offence: pick(['盗窃罪', '故意伤害罪', '诈骗罪', '寻衅滋事罪'], r), releasedOn: `202${Math.floor(r() * 5)}-0${1 + Math.floor(r() * 9)}-15`, placement: pick(['已安置', '未安置'], r) }),
  community_correction: (r) => ({ kind: pick(['缓刑', '假释', '管制', '暂予监外执行'], r), termEnds: `202${6 + Math.floor(r() * 3)}-1${Math.floor(r() * 3)}-01` }),
  mental_disorder: (r) => ({ diagnosis: pick(['精神分裂症', '双相情感障碍', '偏执性精神病'], r), riskGrade: String(Math.floor(r() * 4)), medication: pick(['规律服药', '间断服药'], r) }),
  drug_user: (r) => ({ drug: pick(['冰毒', '海洛因', '氯胺酮'], r), status: pick(['社区戒毒', '社区康复', '戒断三年未复吸'], r) }),
  hiv_risk: (r) => ({ followUp: pick(['定期随访', '已转介'], r) }),
  key_youth: (r) => ({ kind: pick(['闲散青少年', '留守儿童', '有不良行为青少年'], r), school: pick(['辍学', '在读'], r) }),
  key_petitioner: (r) => ({ matter: pick(['征地补偿', '劳资纠纷', '宅基地'], r) }),
};

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function pick<T>(xs: readonly T[], r: () => number): T {
  return xs[Math.floor(r() * xs.length)]!;
}

/** Multi-row inserts into any table, as many rows per statement as the engine's parameter limit allows. */
async function insertChunks<T extends keyof Database & string>(db: Executor, table: T, rows: Insertable<Database[T]>[], maxParams: number): Promise<void> {
  if (!rows.length) return;
  const per = Math.max(1, Math.floor(maxParams / Object.keys(rows[0]!).length) - 1);
  for (let i = 0; i < rows.length; i += per) {
    await db.insertInto(table).values(rows.slice(i, i + per)).execute();
  }
}

export async function seedPeopleDemo(p: Platform, scale: PeopleDemoScale, progress: (msg: string) => void = () => {}): Promise<void> {
  const db = p.db.kysely;
  const done = await db.selectFrom('people_households').select('id').where('area_code', 'like', prefixPattern(DEMO_TOWN)).limit(1).executeTakeFirst();
  if (done) return;
  const started = Date.now();
  const all = await db.selectFrom('areas').select(['code', 'name']).where('parent_code', '=', DEMO_TOWN).orderBy('code').execute();
  const villages = scale === 'town' ? all : all.filter((v) => v.code === DEMO_GRID_VILLAGE || v.code === '430523100205');
  if (!villages.length) return;
  const factor = scale === 'town' ? 1 : 0.05;
  const r = rng(430523100);
  const { pii } = p;
  const now = p.clock.now();
  const iso = now.toISOString();
  const users = await db.selectFrom('users').select(['id', 'username']).where('username', 'in', ['sy_grid', 'sy_town']).execute();
  const gridUser = users.find((u) => u.username === 'sy_grid')?.id ?? null;

  const households: PeopleHouseholdRow[] = [];
  const residents: PeopleResidentRow[] = [];
  const reps: VillageRepRow[] = [];
  const links: VillageRepLinkRow[] = [];
  const keyPersons: KeyPersonRow[] = [];
  const records: KeyPersonRecordRow[] = [];
  const tasks: KeyPersonTaskRow[] = [];
  const timers: PeopleTimerRow[] = [];
  const visits: PeopleVisitRow[] = [];
  const usedIds = new Set<string>();
  const name = (male: boolean, surname?: string) => (surname ?? pick([...SURNAMES], r)) + pick([...(male ? GIVEN_M : GIVEN_F)], r) + (r() < 0.6 ? pick([...(male ? GIVEN_M : GIVEN_F)], r) : '');
  const phone = () => pick(['138', '139', '150', '151', '187', '188', '173', '199'], r) + String(Math.floor(r() * 1e8)).padStart(8, '0');
  const idNumber = (birthYear: number, male: boolean) => {
    for (;;) {
      const birth = `${birthYear}${String(1 + Math.floor(r() * 12)).padStart(2, '0')}${String(1 + Math.floor(r() * 28)).padStart(2, '0')}`;
      let seq = Math.floor(r() * 500) * 2 + (male ? 1 : 0);
      if (seq > 999) seq -= 2;
      const area = r() < 0.93 ? '430523' : pick(['430524', '430522', '430581', '430582', '430103'], r);
      const v = makeIdNumber(area, birth, seq);
      if (!usedIds.has(v)) {
        usedIds.add(v);
        return v;
      }
    }
  };
  const resident = (h: PeopleHouseholdRow, role: string, male: boolean, birthYear: number, surname: string): PeopleResidentRow => {
    const n = name(male, surname);
    const id = idNumber(birthYear, male);
    const ph = role === 'head' || r() < 0.5 ? phone() : null;
    const registered = id.slice(0, 6);
    return {
      id: newId(), area_code: h.area_code, household_id: h.id, household_role: role, name_enc: pii.encrypt(n), name_index: pii.blindIndex(n),
      id_number_enc: pii.encrypt(id), id_number_index: pii.blindIndex(id), phone_enc: ph ? pii.encrypt(ph) : null, phone_index: ph ? pii.blindIndex(ph) : null,
      gender: male ? 'male' : 'female', birth_year: birthYear, registered_area_code: registered, residence_kind: registered === '430523' ? 'registered' : 'floating',
      status: 'active', created_at: iso, updated_at: iso,
    };
  };

  // Households and residents, spread over the villages.
  const perVillage = Math.round((TARGET.households * factor) / villages.length);
  const keyEvery = TARGET.households / TARGET.keyHouseholds;
  let hn = 0;
  for (const v of villages) {
    const vh: PeopleHouseholdRow[] = [];
    for (let i = 0; i < perVillage; i++, hn++) {
      const h: PeopleHouseholdRow = {
        id: newId(), area_code: v.code, building_id: null, address: `${v.name}${1 + Math.floor(i / 20)}组${1 + (i % 20)}号`, kind: 'registered', is_key: 0,
        lon: 111.27 + (r() - 0.5) * 0.2, lat: 26.99 + (r() - 0.5) * 0.2, created_at: iso, updated_at: iso,
      };
      households.push(h);
      vh.push(h);
      const surname = pick([...SURNAMES], r);
      const headMale = r() < 0.8;
      const headYear = 1950 + Math.floor(r() * 50);
      const members = [resident(h, 'head', headMale, headYear, surname)];
      if (r() < 0.85) members.push(resident(h, 'spouse', !headMale, headYear + Math.floor(r() * 5) - 2, pick([...SURNAMES], r)));
      const kids = Math.floor(r() * 3);
      for (let k = 0; k < kids; k++) members.push(resident(h, 'child', r() < 0.5, Math.min(2024, headYear + 22 + Math.floor(r() * 10)), surname));
      if (r() < 0.2) members.push(resident(h, 'parent', r() < 0.5, headYear - 25 - Math.floor(r() * 5), surname));
      residents.push(...members);
      // Key households: one key person each, of every category in turn.
      if (Math.floor((hn + 1) / keyEvery) > Math.floor(hn / keyEvery)) {
        h.is_key = 1;
        const kpIndex = keyPersons.length;
        const category = keyPersonCategories[kpIndex % keyPersonCategories.length]!;
        const level: KeyPersonLevel = keyPersonLevels[Math.floor(kpIndex / keyPersonCategories.length) % 3]!;
        const who = category === 'key_youth' ? (members.find((m) => m.household_role === 'child') ?? members[0]!) : members[0]!;
        keyPersons.push(keyPerson(who, category, level));
      }
    }
    // Representatives of 5–15 households each: the village's households in runs.
    let i = 0;
    while (i < vh.length) {
      // 10–15 households each (mean 12.5): 9,369 households make ≈742 representatives, as in the seed.
      const take = Math.min(vh.length - i, 10 + Math.floor(r() * (REP_MAX_HOUSEHOLDS - 10 + 1)));
      if (take < REP_MIN_HOUSEHOLDS) break; // the last few households of a village are left without one (coverage < 100 %)
      const male = r() < 0.6;
      const n = name(male);
      const ph = phone();
      const isGridUser = v.code === DEMO_GRID_VILLAGE && reps.every((x) => x.user_id !== gridUser);
      const rep: VillageRepRow = { id: newId(), area_code: v.code, name_enc: pii.encrypt(n), name_index: pii.blindIndex(n), phone_enc: pii.encrypt(ph), phone_index: pii.blindIndex(ph), user_id: isGridUser ? gridUser : null, created_at: iso, updated_at: iso };
      reps.push(rep);
      for (const h of vh.slice(i, i + take)) links.push({ rep_id: rep.id, household_id: h.id, area_code: v.code, created_at: iso });
      // Some five-ones visits in the last two months.
      for (const h of vh.slice(i, i + take)) {
        if (r() < 0.5) continue;
        const at = new Date(now.getTime() - Math.floor(r() * 60) * 86_400_000 - Math.floor(r() * 36e6));
        visits.push({
          id: newId(), client_key: 'demo-' + newId(), household_id: h.id, area_code: v.code, rep_id: rep.id, visitor_user_id: rep.user_id, visitor_name: isGridUser ? '网格员' : '村民代表',
          met: 1, chatted: 1, group_joined: r() < 0.8 ? 1 : 0, info_registered: r() < 0.7 ? 1 : 0, problems_collected: 0, notes_enc: null, lon: h.lon, lat: h.lat,
          case_ids: '[]', ideas: r() < 0.05 ? JSON.stringify([pick(['村口装路灯', '修缮村道排水沟', '组织防溺水宣传'], r)]) : '[]', visited_at: at.toISOString(), created_at: at.toISOString(),
        });
      }
      i += take;
    }
  }

  function keyPerson(who: PeopleResidentRow, category: KeyPersonCategory, level: KeyPersonLevel): KeyPersonRow {
    const { visitDays, testDays } = intervalsFor(category, level);
    const id = newId();
    // The last visit some time within (and for one in eight, beyond) the interval: some are overdue now.
    const lastVisit = addDays(now, -Math.floor(r() * visitDays * (r() < 0.125 ? 1.6 : 0.95)));
    const nextVisit = addDays(lastVisit, visitDays);
    const lastTest = testDays ? addDays(now, -Math.floor(r() * testDays * (r() < 0.05 ? 1.3 : 0.97))) : null;
    const nextTest = lastTest && testDays ? addDays(lastTest, testDays) : null;
    const row: KeyPersonRow = {
      id, resident_id: who.id, area_code: who.area_code, category, level, details_enc: pii.encrypt(JSON.stringify(DETAILS[category](r))),
      helper_user_id: who.area_code === DEMO_GRID_VILLAGE ? gridUser : null, guardian_name_enc: category === 'mental_disorder' ? pii.encrypt(name(r() < 0.5)) : null,
      guardian_phone_enc: category === 'mental_disorder' ? pii.encrypt(phone()) : null, visit_interval_days: visitDays, next_visit_due_at: nextVisit.toISOString(),
      visit_overdue_at: nextVisit <= now ? nextVisit.toISOString() : null, test_interval_days: testDays, next_test_due_at: nextTest?.toISOString() ?? null,
      test_overdue_at: nextTest && nextTest <= now ? nextTest.toISOString() : null, status: 'active', version: 0, created_at: addDays(now, -400).toISOString(), updated_at: iso,
    };
    // History: the last visits, each due one interval after the one before; about one in ten was late.
    for (let k = 0; k < 3; k++) {
      const doneAt = addDays(lastVisit, -k * visitDays);
      const late = r() < 0.1;
      records.push({ id: newId(), key_person_id: id, area_code: who.area_code, kind: 'visit', due_at: addDays(doneAt, late ? -2 : 1).toISOString(), done_at: doneAt.toISOString(), on_time: late ? 0 : 1, result: null, note_enc: null, actor_name: '网格员', created_at: doneAt.toISOString() });
    }
    if (lastTest) records.push({ id: newId(), key_person_id: id, area_code: who.area_code, kind: 'test', due_at: addDays(lastTest, 1).toISOString(), done_at: lastTest.toISOString(), on_time: 1, result: 'negative', note_enc: null, actor_name: '禁毒专干', created_at: lastTest.toISOString() });
    if (r() < 0.5) tasks.push({ id: newId(), key_person_id: id, area_code: who.area_code, title: pick(['协助申请低保', '落实就业帮扶', '督促按时服药', '联系技能培训', '落实监护责任'], r), due_at: addDays(now, Math.floor(r() * 40) - 10).toISOString(), done_at: r() < 0.6 ? iso : null, done_by: null, created_at: iso });
    // Stored timers of the current cycle; those already past are marked fired (the demo's history, not new reminders).
    const timer = (kind: string, cycle: Date, due: Date) => timers.push({ id: newId(), key_person_id: id, area_code: who.area_code, kind, cycle_due_at: cycle.toISOString(), due_at: due.toISOString(), fired_at: due <= now ? iso : null });
    timer('visit_overdue', nextVisit, nextVisit);
    timer('visit_escalate', nextVisit, addDays(nextVisit, ESCALATE_AFTER_DAYS));
    if (nextTest) {
      timer('test_overdue', nextTest, nextTest);
      timer('test_escalate', nextTest, addDays(nextTest, ESCALATE_AFTER_DAYS));
    }
    return row;
  }

  const generatedMs = Date.now() - started;
  const max = p.db.dialect.maxParams;
  await db.transaction().execute(async (trx) => {
    await insertChunks(trx, 'people_households', households, max);
    await insertChunks(trx, 'people_residents', residents, max);
    await insertChunks(trx, 'village_reps', reps, max);
    await insertChunks(trx, 'village_rep_links', links, max);
    await insertChunks(trx, 'key_persons', keyPersons, max);
    await insertChunks(trx, 'key_person_records', records, max);
    await insertChunks(trx, 'key_person_tasks', tasks, max);
    await insertChunks(trx, 'people_timers', timers, max);
    await insertChunks(trx, 'people_visits', visits, max);
  });
  progress(
    `  people (${scale}): ${villages.length} villages, ${households.length} households (${keyPersons.length} key), ${residents.length} residents, ${reps.length} representatives, ` +
      `${keyPersons.length} key persons, ${visits.length} visits in ${Date.now() - started} ms (${generatedMs} ms generating and encrypting)`,
  );
}
