// The demo town at the seed's scale (塘渡口镇): counts as the seed gives them, representatives of 5–15 households,
// valid ID numbers of real area codes, key persons in every category, coverage and rates computed from it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, engine, type TestApp } from '../helpers/app.ts';
import { systemActor } from '../../src/platform/access.ts';
import { DEMO_TOWN, seedPeopleDemo } from '../../src/modules/people/people.demo.ts';
import { parseIdNumber } from '../../src/modules/people/idcard.ts';
import { keyPersonCategories } from '../../src/modules/people/people.policy.ts';

let app: TestApp;
const sys = systemActor('test');

before(async () => {
  app = await createTestApp({ seed: 'areas' });
  await seedPeopleDemo(app.platform, 'town');
});
after(async () => app?.close());

test(`塘渡口镇 at the seed's scale: ≈9,369 households, ≈742 representatives, ≈502 key households (${engine})`, async () => {
  const db = app.platform.db.kysely;
  const count = async (t: 'people_households' | 'village_reps' | 'people_residents') => Number((await db.selectFrom(t).select((e) => e.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  const households = await count('people_households');
  const reps = await count('village_reps');
  assert.ok(households >= 9300 && households <= 9400, `${households} households`);
  assert.ok(reps >= 700 && reps <= 800, `${reps} representatives`);
  assert.ok((await count('people_residents')) > 2 * households);
  const key = Number((await db.selectFrom('people_households').select((e) => e.fn.countAll<number>().as('n')).where('is_key', '=', 1).executeTakeFirstOrThrow()).n);
  assert.ok(key >= 490 && key <= 510, `${key} key households`);

  const perRep = await db.selectFrom('village_rep_links').select(['rep_id', (e) => e.fn.countAll<number>().as('n')]).groupBy('rep_id').execute();
  assert.equal(perRep.length, reps);
  assert.ok(perRep.every((x) => Number(x.n) >= 5 && Number(x.n) <= 15));

  const sample = await db.selectFrom('people_residents').select(['id_number_enc', 'birth_year', 'gender']).limit(300).execute();
  for (const s of sample) {
    const parsed = parseIdNumber(app.platform.pii.decrypt(s.id_number_enc));
    assert.ok(parsed.ok, 'a valid ID number');
    assert.equal(parsed.facts.birthYear, s.birth_year);
    assert.equal(parsed.facts.gender, s.gender);
  }
  const cats = await db.selectFrom('key_persons').select('category').distinct().execute();
  assert.deepEqual(cats.map((c) => c.category).sort(), [...keyPersonCategories].sort());

  // The demo's history is already fired: a sweep now reminds only for nothing new.
  const cov = await app.services.people.reps.coverage(sys, DEMO_TOWN);
  assert.equal(cov.items.length, 50);
  const covered = cov.items.reduce((a, x) => a + x.covered, 0);
  assert.ok(covered / households > 0.95 && covered < households, `${covered} of ${households} covered`);
  const rates = await app.services.people.keyPersons.rates(sys, DEMO_TOWN);
  assert.equal(rates.total.keyPersons, key);
  assert.ok(rates.total.hairTestRate! > 0.8 && rates.total.hairTestRate! < 1, String(rates.total.hairTestRate));
  assert.ok(rates.total.visitsOverdueNow > 0);
  assert.equal((await app.services.people.tick()).fired, 0, 'the timers of the past are marked fired when seeded');
});
