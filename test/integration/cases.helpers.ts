// Factories for the cases tests: a town centre of 白仓镇 (430523101) with its own mediators, and intake bodies.
import assert from 'node:assert/strict';
import type { TestApp } from '../helpers/app.ts';

export const BAICANG = '430523101';
export const BAIYUN = '430523101203'; // 白云村
export const HEFU = '430523101204'; // 何伏村
export const JINCHENG = '430523102';

export interface Baicang {
  operator: string;
  admin: string;
  mediator: string;
  mediatorUserId: string;
  centreId: string;
  backpackId: string;
  wagesId: string;
}

/** 白仓镇's centre: a backpack mediator for 白云村 with an account (bc_mediator), and a wages mediator without one. */
export async function setUpBaicang(app: TestApp): Promise<Baicang> {
  const admin = await app.login('admin');
  const operator = await app.login('sy_operator');
  const user = await app.request('POST', '/api/users', {
    token: admin,
    body: { username: 'bc_mediator', displayName: '白仓调解员', role: 'mediator', areaCode: BAICANG, password: 'Mediator#2026', phone: '13911110000' },
  });
  assert.equal(user.status, 201, JSON.stringify(user.body));
  const centre = await app.request('POST', '/api/mediation-centres', {
    token: operator,
    body: { areaCode: BAICANG, name: '白仓镇矛盾纠纷调处化解中心', phone: '0739-6830001' },
  });
  assert.equal(centre.status, 201, JSON.stringify(centre.body));
  assert.equal(centre.body.level, 'town');
  const backpack = await app.request('POST', '/api/mediators', {
    token: operator,
    body: { centreId: centre.body.id, name: '王春花', kind: 'backpack', areaCode: BAIYUN, specialities: ['neighbour', 'marriage_family'], capacity: 3, userId: user.body.id, phone: '13911110001' },
  });
  assert.equal(backpack.status, 201, JSON.stringify(backpack.body));
  const wages = await app.request('POST', '/api/mediators', {
    token: operator,
    body: { centreId: centre.body.id, name: '孙立新', kind: 'centre', areaCode: BAICANG, specialities: ['wages', 'contract'], capacity: 5 },
  });
  assert.equal(wages.status, 201, JSON.stringify(wages.body));
  return {
    operator,
    admin,
    mediator: await app.login('bc_mediator', 'Mediator#2026'),
    mediatorUserId: user.body.id,
    centreId: centre.body.id,
    backpackId: backpack.body.id,
    wagesId: wages.body.id,
  };
}

let phoneSeq = 0;

/** An intake body; each call gets parties of its own unless given (so that reports are not linked by accident). */
export function intakeBody(over: Record<string, unknown> = {}): Record<string, unknown> {
  phoneSeq++;
  const n = String(phoneSeq).padStart(4, '0');
  return {
    title: '邻里宅基地纠纷',
    type: 'neighbour',
    risk: 'low',
    channel: 'walk_in',
    areaCode: BAIYUN,
    place: '白云村三组',
    summary: '两户因宅基地边界发生争执，要求调解。',
    parties: [
      { role: 'applicant', name: `张${n}明`, phone: `1390000${n}`, idNumber: `43052319900101${n}` },
      { role: 'respondent', name: `李${n}华`, phone: `1380000${n}` },
    ],
    ...over,
  };
}

/** POST /api/cases, expecting a new case. */
export async function openCase(app: TestApp, token: string, over: Record<string, unknown> = {}) {
  const res = await app.request('POST', '/api/cases', { token, body: intakeBody(over) });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  assert.equal(res.body.created, true);
  return res.body.case;
}

export function actions(c: { events: { action: string }[] }): string[] {
  return c.events.map((e) => e.action);
}
