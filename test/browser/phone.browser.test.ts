// The phone shell in a real browser (Chromium, 390×844, touch) against a real server process: a responder signs in
// on a phone and lands on "我的任务"; a dispatch made at the desk appears there by live push; the responder accepts,
// navigates (the phone's position is shown), arrives and reports the outcome with a photo. The 135 times are the
// responder's own taps. Another responder's dispatch cannot be acted on by this one.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, PHONE, signedIn as signIn } from '../helpers/browser.ts';
import { engine } from '../helpers/app.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { alertOfZone, apiOf, createDevice, login as apiLogin, sendEvent, square, userIdOf, WATER, type Api, type Device } from '../e2e/warning.e2e.helpers.ts';

// A 1×1 JPEG, as a phone camera's file would be sent.
const JPEG = Buffer.from('/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAAMCAgICAgMCAgIDAwMDBAYEBAQEBAgGBgUGCQgKCgkICQkKDA8MCgsOCwkJDRENDg8QEBEQCgwSExIQEw8QEBD/yQALCAABAAEBAREA/8wABgAQEAX/2gAIAQEAAD8A0s8g/9k=', 'base64');

let srv: TestServer;
let api: Api;
let browser: Browser;
let camera: Device;
let zoneId: string;
let responderId: string;
let op: string;

before(async () => {
  srv = await startTestServer({ env: { WARNING_TICK_MS: '500' } });
  api = apiOf(srv);
  const admin = await apiLogin(api, 'admin');
  op = await apiLogin(api, 'sy_operator');
  camera = await createDevice(api, admin, { code: 'PH-CAM-1', name: '手机测试摄像机', kind: 'bullet_camera', lon: WATER.lon, lat: WATER.lat });
  const zone = await api('POST', '/api/zones', op, { name: '资江手机测试段', kind: 'key_water', riskLevel: 4, areaCode: '430523100', geometry: square(WATER.lon, WATER.lat) });
  assert.equal(zone.status, 201, JSON.stringify(zone.body));
  zoneId = (zone.body as { id: string }).id;
  const rule = await api('POST', '/api/rules', op, {
    name: '手机测试：有人靠近水边', areaCode: '430523',
    definition: { trigger: { type: 'event', eventKinds: ['person.near_water'] }, zone: { ids: [zoneId] }, actions: [{ type: 'raise_alert', severity: 'orange', title: '{zone}有人靠近水边' }] },
  });
  assert.equal(rule.status, 201, JSON.stringify(rule.body));
  const userId = await userIdOf(api, admin, 'sy_responder');
  const r = await api('POST', '/api/responders', op, { name: '快警一组', kind: 'fast_response', areaCode: '430523', userId, lon: WATER.lon + 0.01, lat: WATER.lat, available: true });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  responderId = (r.body as { id: string }).id;
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await srv?.dispose();
});

function phone(username: string): Promise<Page> {
  return signIn(browser, srv.url, username, {
    ...PHONE, landing: null,
    geolocation: { longitude: WATER.lon + 0.004, latitude: WATER.lat + 0.001 }, permissions: ['geolocation'],
  });
}

test(`on a phone each field role lands on its own phone home with bottom tabs (${engine})`, { timeout: 120_000 }, async () => {
  for (const [user, home, tab] of [['sy_responder', '/m/tasks', '我的任务'], ['sy_mediator', '/m/cases', '我的案件'], ['sy_grid', '/m/alerts', '预警']] as const) {
    const page = await phone(user);
    try {
      await page.waitForURL(`${srv.url}${home}`);
      const tabs = page.getByTestId('phone-tabs');
      await tabs.waitFor();
      assert.equal((await tabs.locator('a').first().innerText()).trim(), tab);
      // Large targets: every tab is at least 48 px high.
      for (const box of await Promise.all((await tabs.locator('a').all()).map((a) => a.boundingBox()))) assert.ok(box && box.height >= 48, JSON.stringify(box));
      // No desk menu on the phone.
      assert.equal(await page.locator('.el-menu').count(), 0);
    } finally {
      await page.context().close();
    }
  }
});

test(`a responder receives a dispatch live on the phone, accepts, navigates, arrives and reports with a photo (${engine})`, { timeout: 180_000 }, async () => {
  const page = await phone('sy_responder');
  try {
    await page.waitForURL(`${srv.url}/m/tasks`);
    await page.getByTestId('phone-live').filter({ hasText: '实时' }).waitFor();
    await page.getByTestId('tasks-empty').waitFor();

    await sendEvent(srv, camera, { id: 'phone-1', kind: 'person.near_water' });
    const alert = await alertOfZone(api, op, zoneId);
    const d = await api('POST', `/api/alerts/${alert.id}/dispatch`, op, { responderId });
    assert.equal(d.status, 200, JSON.stringify(d.body));

    // Pushed: the task appears without a reload.
    const task = page.getByTestId('responder-task');
    await task.waitFor();
    assert.match(await task.innerText(), /资江手机测试段有人靠近水边/);
    await task.getByTestId('task-state').filter({ hasText: '待接警' }).waitFor();
    const accept = task.getByTestId('task-answer');
    const box = await accept.boundingBox();
    assert.ok(box && box.height >= 48, `accept button ${JSON.stringify(box)}`);
    await accept.tap();
    await task.getByTestId('task-state').filter({ hasText: '已接警' }).waitFor();

    await task.getByTestId('task-navigate').tap();
    const pos = page.getByTestId('my-position');
    await pos.waitFor();
    assert.match(await pos.innerText(), /我的位置：111\.27\d+, 26\.99\d+ · 距现场 \d+ 米/);

    await task.getByTestId('task-arrive').tap();
    await task.getByTestId('task-state').filter({ hasText: '已到场' }).waitFor();

    let detail = await api('GET', `/api/alerts/${alert.id}`, op);
    const dispatch = (detail.body as { dispatches: { responderId: string; answeredAt: string | null; onSceneAt: string | null; answerSeconds: number | null; onSceneSeconds: number | null }[] }).dispatches.find((x) => x.responderId === responderId)!;
    assert.ok(dispatch.answeredAt && dispatch.onSceneAt, JSON.stringify(dispatch));
    assert.ok(dispatch.answerSeconds !== null && dispatch.onSceneSeconds !== null && dispatch.onSceneSeconds >= dispatch.answerSeconds);
    assert.equal((detail.body as { state: string }).state, 'on_scene');
    // The steps are the responder's own: 出警响应 and 到达现场 by the responder, not by the operator.
    const steps = (detail.body as { steps: { action: string; actorName: string }[] }).steps;
    for (const action of ['answered', 'on_scene']) assert.ok(steps.some((s) => s.action === action && /快警出警员|sy_responder/.test(s.actorName)), JSON.stringify(steps));

    await task.getByTestId('task-report').tap();
    const form = page.getByTestId('task-report-form');
    await form.getByTestId('outcome-persuaded_away').tap();
    await form.getByTestId('task-photo').setInputFiles({ name: 'scene.jpg', mimeType: 'image/jpeg', buffer: JPEG });
    await form.getByText('已选照片：scene.jpg').waitFor();
    await form.getByTestId('task-report-send').tap();
    await page.getByTestId('tasks-empty').waitFor();

    detail = await api('GET', `/api/alerts/${alert.id}`, op);
    const body = detail.body as { state: string; outcome: string; attachments: { name: string; contentType: string }[] };
    assert.equal(body.state, 'closed');
    assert.equal(body.outcome, 'persuaded_away');
    assert.deepEqual(body.attachments.map((a) => [a.name, a.contentType]), [['scene.jpg', 'image/jpeg']]);
  } finally {
    await page.context().close();
  }
});

test(`a responder cannot act on another responder's dispatch (${engine})`, { timeout: 60_000 }, async () => {
  const other = await api('POST', '/api/responders', op, { name: '快警二组', kind: 'fast_response', areaCode: '430523', lon: WATER.lon, lat: WATER.lat, available: true });
  assert.equal(other.status, 201, JSON.stringify(other.body));
  await sendEvent(srv, camera, { id: 'phone-2', kind: 'person.near_water' });
  const alert = await alertOfZone(api, op, zoneId);
  const d = await api('POST', `/api/alerts/${alert.id}/dispatch`, op, { responderId: (other.body as { id: string }).id });
  assert.equal(d.status, 200, JSON.stringify(d.body));
  const dispatchId = (d.body as { dispatches: { id: string }[] }).dispatches[0]!.id;
  const me = await apiLogin(api, 'sy_responder');
  for (const action of ['answer', 'arrive']) {
    const r = await api('POST', `/api/dispatches/${dispatchId}/${action}`, me);
    assert.equal(r.status, 404, `${action}: ${JSON.stringify(r.body)}`);
  }
  const r = await api('POST', `/api/dispatches/${dispatchId}/report`, me, { outcome: 'handled' });
  assert.equal(r.status, 404, JSON.stringify(r.body));
  const after = await api('GET', `/api/alerts/${alert.id}`, op);
  assert.equal((after.body as { dispatches: { state: string }[] }).dispatches[0]!.state, 'dispatched');
});
