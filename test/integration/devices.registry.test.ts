// The device registry through the real app: create with a derived area, edit, retire, scope, and bulk import
// from CSV and Excel with a result per row.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import { createTestApp, engine, type TestApp } from '../helpers/app.ts';
import { toCsv } from '../../src/modules/devices/csv.ts';
import { createDevice, IN_LONGHUI, IN_SHAOYANG_COUNTY } from './devices.helpers.ts';

let app: TestApp;
let integrator: string;
let admin: string;

before(async () => {
  app = await createTestApp();
  integrator = await app.login('integrator');
  admin = await app.login('admin');
});
after(async () => app?.close());

test(`the area is derived from the position, else from the GB/T 28181 ID; kinds bring default capabilities (${engine})`, async () => {
  const byPosition = await app.request('POST', '/api/devices', {
    token: integrator,
    body: { code: 'REG-POS', name: '资江防溺水终端', subsystem: 'smart_water', kind: 'water_area_terminal', ...IN_LONGHUI },
  });
  assert.equal(byPosition.status, 201, JSON.stringify(byPosition.body));
  assert.equal(byPosition.body.areaCode, '430524');
  assert.equal(byPosition.body.areaName, '隆回县');
  assert.deepEqual(byPosition.body.capabilities, ['video', 'snapshot', 'broadcast', 'strobe']);
  assert.match(byPosition.body.secret, /^sdk_/);
  assert.equal(byPosition.body.online, false);

  const byGbId = await app.request('POST', '/api/devices', {
    token: integrator,
    body: { code: 'REG-GB', gbId: '43052300001329990001', name: '雪亮球机', subsystem: 'sharp_eyes', kind: 'dome_camera' },
  });
  assert.equal(byGbId.status, 201, JSON.stringify(byGbId.body));
  assert.equal(byGbId.body.areaCode, '430523');

  const nowhere = await app.request('POST', '/api/devices', { token: integrator, body: { code: 'REG-NONE', name: 'x', subsystem: 'smart_fire', kind: 'gas_detector' } });
  assert.equal(nowhere.status, 400);
  assert.equal(nowhere.body.error.details.issues[0].field, 'areaCode');
  const outside = await app.request('POST', '/api/devices', { token: integrator, body: { code: 'REG-OUT', name: 'x', subsystem: 'smart_fire', kind: 'gas_detector', lon: 116.4, lat: 39.9 } });
  assert.equal(outside.status, 400);
  const badKind = await app.request('POST', '/api/devices', { token: integrator, body: { code: 'REG-K', name: 'x', subsystem: 'smart_fire', kind: 'toaster', areaCode: '430523' } });
  assert.equal(badKind.status, 400);
  assert.match(badKind.body.error.message, /kind/);
  const dup = await app.request('POST', '/api/devices', { token: integrator, body: { code: 'REG-POS', name: 'x', subsystem: 'smart_fire', kind: 'gas_detector', areaCode: '430523' } });
  assert.equal(dup.status, 409);
});

test(`edits are audited and re-derive the area from a new position; retired devices leave the list (${engine})`, async () => {
  const d = await createDevice(app, integrator, { areaCode: undefined, ...IN_SHAOYANG_COUNTY });
  const moved = await app.request('PATCH', `/api/devices/${d.id}`, { token: integrator, body: { name: '新名称', ...IN_LONGHUI, heartbeatIntervalS: 30 } });
  assert.equal(moved.status, 200, JSON.stringify(moved.body));
  assert.equal(moved.body.areaCode, '430524');
  assert.equal(moved.body.name, '新名称');
  assert.equal(moved.body.heartbeatIntervalS, 30);
  const audit = await app.request('GET', `/api/audit?entityId=${d.id}&pageSize=50`, { token: admin });
  const actions = audit.body.items.map((a: { action: string }) => a.action);
  assert.ok(actions.includes('device.create') && actions.includes('device.update'), JSON.stringify(actions));

  const retired = await app.request('POST', `/api/devices/${d.id}/retire`, { token: integrator });
  assert.equal(retired.body.status, 'retired');
  const active = await app.request('GET', `/api/devices?q=${d.code}`, { token: integrator });
  assert.equal(active.body.total, 0);
  const all = await app.request('GET', `/api/devices?q=${d.code}&status=all`, { token: integrator });
  assert.equal(all.body.total, 1);
  assert.equal((await app.request('PATCH', `/api/devices/${d.id}`, { token: integrator, body: { name: 'x' } })).status, 422);
});

test(`county accounts see and change only their county's devices (${engine})`, async () => {
  const lh = await createDevice(app, integrator, { areaCode: '430524' });
  const sy = await createDevice(app, integrator, { areaCode: '430523' });
  const op = await app.login('sy_operator');
  const list = await app.request('GET', '/api/devices?pageSize=500', { token: op });
  assert.ok(list.body.items.length > 0);
  assert.ok(list.body.items.every((x: { areaCode: string }) => x.areaCode.startsWith('430523')));
  assert.equal((await app.request('GET', `/api/devices/${lh.id}`, { token: op })).status, 404);
  assert.equal((await app.request('GET', `/api/devices/${sy.id}`, { token: op })).status, 200);
  // An operator may read but not register devices.
  assert.equal((await app.request('POST', '/api/devices', { token: op, body: { code: 'OP-1', name: 'x', subsystem: 'smart_fire', kind: 'gas_detector', areaCode: '430523' } })).status, 403);
  const map = await app.request('GET', '/api/devices/map', { token: op });
  assert.equal(map.status, 200);
});

test(`online rate by county and by subsystem (${engine})`, async () => {
  const res = await app.request('GET', '/api/devices/online-rate?by=area', { token: admin });
  assert.equal(res.status, 200);
  assert.equal(res.body.areaCode, '430500');
  const sy = res.body.items.find((r: { key: string }) => r.key === '430523');
  assert.ok(sy && sy.name === '邵阳县' && sy.total > 0);
  const bySub = await app.request('GET', '/api/devices/online-rate?by=subsystem&areaCode=430523', { token: admin });
  assert.ok(bySub.body.items.some((r: { key: string }) => r.key === 'smart_water'));
  assert.equal(bySub.body.total, bySub.body.items.reduce((s: number, r: { total: number }) => s + r.total, 0));
});

const header = ['设备编码', '设备名称', '子系统', '设备类型', '国标编码', '经度', '纬度', '区划代码', '心跳间隔(秒)'];
const rows = [
  ['IMP-1', '东门枪机', '雪亮工程', '枪机', '', '', '', '430523100', '60'],
  ['IMP-2', '喇叭', 'smart_water', 'loudspeaker', '', String(IN_SHAOYANG_COUNTY.lon), String(IN_SHAOYANG_COUNTY.lat), '', ''],
  ['IMP-3', '越界设备', 'smart_water', 'loudspeaker', '', '', '', '430524', ''],
  ['IMP-1', '重复', 'smart_water', 'loudspeaker', '', '', '', '430523', ''],
  ['IMP-5', '坏类型', 'smart_water', 'toaster', '', '', '', '430523', ''],
  ['IMP-6', '坏经度', 'smart_water', 'loudspeaker', '', 'abc', '27', '', ''],
  ['IMP-7', '国标', 'sharp_eyes', 'dome_camera', '43052300001320000077', '', '', '', ''],
];

test(`CSV import: a dry run reports every row; the real run creates the good rows only (${engine})`, async () => {
  const op = await app.login('integrator');
  const content = Buffer.from(toCsv([header, ...rows])).toString('base64');
  // An account of 邵阳县 sees 隆回县 as outside its area.
  const created = await app.request('POST', '/api/users', {
    token: admin,
    body: { username: 'sy_integrator', displayName: '县集成商', role: 'integrator', areaCode: '430523', password: 'Integr@tor1' },
  });
  assert.equal(created.status, 201);
  const county = await app.login('sy_integrator', 'Integr@tor1');
  const dry = await app.request('POST', '/api/devices/import', { token: county, body: { fileName: 'devices.csv', content, dryRun: true } });
  assert.equal(dry.status, 200, JSON.stringify(dry.body));
  assert.deepEqual([dry.body.total, dry.body.valid, dry.body.failed, dry.body.created], [7, 3, 4, 0]);
  const byRow = Object.fromEntries(dry.body.rows.map((r: { row: number }) => [r.row, r]));
  assert.equal(byRow[2].status, 'valid');
  assert.equal(byRow[4].errors[0].field, 'areaCode');
  assert.equal(byRow[5].errors[0].field, 'code');
  assert.equal(byRow[6].errors[0].field, 'kind');
  assert.equal(byRow[7].errors[0].field, 'lon');
  assert.equal((await app.request('GET', '/api/devices?q=IMP-', { token: op })).body.total, 0, 'a dry run creates nothing');

  const real = await app.request('POST', '/api/devices/import', { token: county, body: { fileName: 'devices.csv', content } });
  assert.equal(real.body.created, 3);
  const listed = await app.request('GET', '/api/devices?q=IMP-&pageSize=50', { token: op });
  assert.deepEqual(listed.body.items.map((d: { code: string }) => d.code).sort(), ['IMP-1', 'IMP-2', 'IMP-7']);
  const imp1 = listed.body.items.find((d: { code: string }) => d.code === 'IMP-1');
  assert.equal(imp1.subsystem, 'sharp_eyes');
  assert.equal(imp1.kind, 'bullet_camera');
  const secret = real.body.rows.find((r: { code: string }) => r.code === 'IMP-2').secret;
  const hb = await app.request('POST', '/api/ingest/heartbeat', { headers: { 'x-device-token': secret }, body: {} });
  assert.equal(hb.status, 200, 'the secret given in the import report works');
  const again = await app.request('POST', '/api/devices/import', { token: county, body: { fileName: 'devices.csv', content, dryRun: true } });
  assert.equal(again.body.rows[0].errors[0].message, 'already registered');
});

test(`Excel import reads the first sheet, with the same row report (${engine})`, async () => {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('设备');
  ws.addRow(header);
  ws.addRow(['XLS-1', '燃气报警器', '智慧消防', '燃气报警器', '', '', '', '430581', '300']);
  ws.addRow(['XLS-2', '', 'smart_fire', 'gas_detector', '', '', '', '430581', '']);
  const content = Buffer.from(await wb.xlsx.writeBuffer()).toString('base64');
  const res = await app.request('POST', '/api/devices/import', { token: integrator, body: { fileName: 'gas.xlsx', content } });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.created, 1);
  assert.equal(res.body.rows[1].errors[0].field, 'name');
  const bad = await app.request('POST', '/api/devices/import', { token: integrator, body: { fileName: 'gas.xlsx', content: Buffer.from('not a zip').toString('base64') } });
  assert.equal(bad.status, 400);
  const template = await app.app.inject({ method: 'GET', url: '/api/devices/import-template?format=xlsx', headers: { authorization: `Bearer ${integrator}` } });
  assert.equal(template.statusCode, 200);
  const back = new ExcelJS.Workbook();
  await back.xlsx.load(template.rawPayload as unknown as ArrayBuffer);
  assert.equal(back.worksheets[0]!.getRow(1).getCell(1).text, '设备编码');
});

test(`a chosen secret that another device uses is refused: 409 on create, a row error on import (${engine})`, async () => {
  const secret = 'shared-secret-0123456789';
  const first = await app.request('POST', '/api/devices', { token: integrator, body: { code: 'SEC-1', name: 'x', subsystem: 'smart_fire', kind: 'gas_detector', areaCode: '430523', secret } });
  assert.equal(first.status, 201, JSON.stringify(first.body));
  const second = await app.request('POST', '/api/devices', { token: integrator, body: { code: 'SEC-2', name: 'x', subsystem: 'smart_fire', kind: 'gas_detector', areaCode: '430523', secret } });
  assert.equal(second.status, 409, JSON.stringify(second.body));
  assert.equal(second.body.error.code, 'device.secret_taken');
  assert.equal((await app.request('GET', '/api/devices?q=SEC-2', { token: integrator })).body.total, 0);

  const csv = toCsv([
    ['code', 'name', 'subsystem', 'kind', 'areaCode', 'secret'],
    ['SEC-3', 'x', 'smart_fire', 'gas_detector', '430523', secret],
    ['SEC-4', 'x', 'smart_fire', 'gas_detector', '430523', 'another-secret-0123456789'],
    ['SEC-5', 'x', 'smart_fire', 'gas_detector', '430523', 'another-secret-0123456789'],
  ]);
  const report = await app.request('POST', '/api/devices/import', { token: integrator, body: { fileName: 'secrets.csv', content: Buffer.from(csv).toString('base64'), dryRun: true } });
  assert.equal(report.status, 200, JSON.stringify(report.body));
  assert.deepEqual(report.body.rows.map((r: { status: string }) => r.status), ['error', 'valid', 'error']);
  assert.deepEqual(report.body.rows[0].errors, [{ field: 'secret', message: 'used by another device' }]);
  assert.deepEqual(report.body.rows[2].errors, [{ field: 'secret', message: 'appears twice in this file' }]);
});
