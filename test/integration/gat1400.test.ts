// GA/T 1400 with the real client the field uses for testing: curl --digest against the server on a real port.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createTestApp, engine, type TestApp } from '../helpers/app.ts';
import { FakeClock } from '../../src/platform/clock.ts';

const run = promisify(execFile);
const clock = new FakeClock(new Date());
let app: TestApp;
let base = '';
const CAM = '43052300001320000001'; // 邵阳县 face camera
const CAM2 = '43052300001320000002'; // another camera in 邵阳县, pushed for by CAM as its platform
const FOREIGN = '43052400001320000009'; // a 隆回县 camera
const SECRET = 'viid-secret-0123456789';
const JPEG = Buffer.from('/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/wAALCAABAAEBAREA/8QAFAABAAAAAAAAAAAAAAAAAAAACf/EABQQAQAAAAAAAAAAAAAAAAAAAAD/2gAIAQEAAD8AKp//2Q==', 'base64');

async function curl(path: string, body: unknown, opts: { digest?: { user: string; password: string }; headers?: Record<string, string>; raw?: string } = {}) {
  const args = ['-s', '-o', '-', '-w', '\n%{http_code}', '-X', 'POST', '-H', 'Content-Type: application/VIID+JSON', '--data-binary', opts.raw ?? JSON.stringify(body)];
  if (opts.digest) args.push('--digest', '-u', `${opts.digest.user}:${opts.digest.password}`);
  for (const [k, v] of Object.entries(opts.headers ?? {})) args.push('-H', `${k}: ${v}`);
  args.push(base + path);
  const { stdout } = await run('curl', args, { maxBuffer: 10 * 1024 * 1024 });
  const nl = stdout.lastIndexOf('\n');
  const text = stdout.slice(0, nl);
  return { status: Number(stdout.slice(nl + 1)), body: text ? JSON.parse(text) : null };
}

function face(id: string, deviceId: string, extra: Record<string, unknown> = {}) {
  return {
    FaceID: id,
    InfoKind: 1,
    SourceID: id.slice(0, 41),
    DeviceID: deviceId,
    LeftTopX: 10, LeftTopY: 10, RightBtmX: 60, RightBtmY: 80,
    FaceAppearTime: '20260522140300',
    FaceDisAppearTime: '20260522140305',
    SubImageList: { SubImageInfoObject: [{ ImageID: id + 'I', Type: '11', FileFormat: 'Jpeg', ShotTime: '20260522140301', Width: 1, Height: 1, Data: JPEG.toString('base64') }] },
    ...extra,
  };
}

before(async () => {
  app = await createTestApp({ clock });
  const integrator = await app.login('integrator');
  for (const [code, gbId, area] of [['cam-sy-1', CAM, '430523'], ['cam-sy-2', CAM2, '430523100'], ['cam-lh-9', FOREIGN, '430524']] as const) {
    const r = await app.request('POST', '/api/devices', {
      token: integrator,
      body: { code, gbId, name: `人脸抓拍 ${code}`, subsystem: 'face_recognition', kind: 'face_camera', areaCode: area, lon: 111.27, lat: 26.99, secret: gbId === CAM ? SECRET : `${SECRET}-${code}` },
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  }
  await app.app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.app.server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
});
after(async () => app?.close());

test(`Register with curl --digest: 401 challenge, then 200; a wrong password stays 401 (${engine})`, async () => {
  const bad = await curl('/VIID/System/Register', { RegisterObject: { DeviceID: CAM } }, { digest: { user: CAM, password: 'wrong-password-000' } });
  assert.equal(bad.status, 401);
  assert.equal(bad.body.ResponseStatusObject.StatusCode, 4);
  const ok = await curl('/VIID/System/Register', { RegisterObject: { DeviceID: CAM } }, { digest: { user: CAM, password: SECRET } });
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.deepEqual(
    { code: ok.body.ResponseStatusObject.StatusCode, id: ok.body.ResponseStatusObject.Id, url: ok.body.ResponseStatusObject.RequestURL },
    { code: 0, id: CAM, url: '/VIID/System/Register' },
  );
  assert.match(ok.body.ResponseStatusObject.LocalTime, /^\d{14}$/);
  const keep = await curl('/VIID/System/Keepalive', { KeepaliveObject: { DeviceID: CAM } }, { headers: { 'User-Identify': CAM } });
  assert.equal(keep.body.ResponseStatusObject.StatusCode, 0);
  const notRegistered = await curl('/VIID/System/Keepalive', { KeepaliveObject: { DeviceID: CAM2 } }, { headers: { 'User-Identify': CAM2 } });
  assert.equal(notRegistered.status, 401);
});

test(`Faces: a batch with images is stored once, each object answered; retries are idempotent (${engine})`, async () => {
  const batch = { FaceListObject: { FaceObject: [face('F'.padEnd(48, '1'), CAM), face('F'.padEnd(48, '2'), CAM2, { FeatureVector: [0.1, 0.2, 0.3] }), { DeviceID: CAM }] } };
  const r = await curl('/VIID/Faces', batch, { headers: { 'User-Identify': CAM } });
  assert.equal(r.status, 200);
  const statuses = r.body.ResponseStatusListObject.ResponseStatusObject;
  assert.deepEqual(statuses.map((s: { StatusCode: number }) => s.StatusCode), [0, 0, 8]);
  assert.match(statuses[2].StatusString, /FaceID/);
  const again = await curl('/VIID/Faces', batch, { headers: { 'User-Identify': CAM } });
  assert.deepEqual(again.body.ResponseStatusListObject.ResponseStatusObject.map((s: { StatusCode: number }) => s.StatusCode), [0, 0, 8]);
  const rows = await app.platform.db.kysely.selectFrom('device_events').selectAll().where('source', '=', 'gat1400').orderBy('event_id').execute();
  assert.equal(rows.length, 2);
  assert.equal(rows[0]!.kind, 'face.captured');
  assert.equal(rows[0]!.occurred_at, '2026-05-22T06:03:00.000Z');
  assert.equal(rows[1]!.area_code, '430523100');
  assert.deepEqual(JSON.parse(rows[1]!.attributes!).faceFeature, [0.1, 0.2, 0.3]);
  const snaps = await app.platform.db.kysely.selectFrom('device_snapshots').selectAll().execute();
  assert.equal(snaps.length, 2);
  assert.equal(snaps[0]!.kind, 'face');
  assert.equal(snaps[0]!.content_type, 'image/jpeg');
  assert.equal(snaps[0]!.size, JPEG.length);
});

test(`Faces: an unparsable or impossible time and text no engine stores are refused per object (StatusCode 8); the good one is stored (${engine})`, async () => {
  const good = 'G'.padEnd(48, '7');
  const batch = {
    FaceListObject: {
      FaceObject: [
        face('N'.padEnd(47, '1') + '\u0000', CAM),
        face('T'.padEnd(48, '2'), CAM, { FaceAppearTime: 'yesterday' }),
        face('Y'.padEnd(48, '3'), CAM, { FaceAppearTime: '00000101000000' }),
        face('S'.padEnd(48, '4'), CAM, { FaceAppearTime: undefined, SubImageList: { SubImageInfoObject: [{ Type: '11', FileFormat: 'Jpeg', ShotTime: '20261399000000', Data: JPEG.toString('base64') }] } }),
        face('D'.padEnd(48, '5'), CAM, { DeviceID: CAM.slice(0, 19) + '\uD800' }),
        face(good, CAM),
      ],
    },
  };
  const r = await curl('/VIID/Faces', batch, { headers: { 'User-Identify': CAM } });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const statuses = r.body.ResponseStatusListObject.ResponseStatusObject as { StatusCode: number; StatusString: string }[];
  assert.deepEqual(statuses.map((s) => s.StatusCode), [8, 8, 8, 8, 8, 0], JSON.stringify(statuses));
  assert.match(statuses[0]!.StatusString, /FaceObject\.FaceID: contains a NUL/);
  assert.match(statuses[1]!.StatusString, /FaceAppearTime: not a time/);
  assert.match(statuses[2]!.StatusString, /FaceAppearTime|time/);
  assert.match(statuses[3]!.StatusString, /SubImageList\.0\.ShotTime: not a time/);
  assert.match(statuses[4]!.StatusString, /FaceObject\.DeviceID: contains a lone UTF-16 surrogate/);
  const rows = await app.platform.db.kysely.selectFrom('device_events').select('event_id').where('source', '=', 'gat1400').where('event_id', 'in', [good, 'T'.padEnd(48, '2'), 'Y'.padEnd(48, '3'), 'S'.padEnd(48, '4')]).execute();
  assert.deepEqual(rows.map((x) => x.event_id), [good]);
});

test(`Persons, MotorVehicles and NonMotorVehicles map to their event kinds; the simulator-style envelope is accepted (${engine})`, async () => {
  const p = await curl('/VIID/Persons', { PersonListObject: { PersonObject: [{ PersonID: 'P'.padEnd(48, '1'), DeviceID: CAM, PersonAppearTime: '20260522140400' }] } }, { headers: { 'User-Identify': CAM } });
  const v = await curl('/VIID/MotorVehicles', { MotorVehicleList: [{ MotorVehicleID: 'V'.padEnd(48, '1'), DeviceID: CAM, PassTime: '20260522140500', PlateNo: '湘E12345' }] }, { headers: { 'User-Identify': CAM } });
  const n = await curl('/VIID/NonMotorVehicles', { nonMotorVehicleListObject: { nonMotorVehicleObject: [{ nonMotorVehicleID: 'N'.padEnd(48, '1'), deviceID: CAM }] } }, { headers: { 'User-Identify': CAM } });
  for (const r of [p, v, n]) assert.equal(r.body.ResponseStatusListObject.ResponseStatusObject[0].StatusCode, 0, JSON.stringify(r.body));
  // Only this test's objects: the other tests' stored faces are theirs.
  const ids = ['P'.padEnd(48, '1'), 'V'.padEnd(48, '1'), 'N'.padEnd(48, '1')];
  const kinds = (await app.platform.db.kysely.selectFrom('device_events').select(['kind', 'attributes']).where('source', '=', 'gat1400').where('event_id', 'in', ids).execute()).map((r) => r.kind).sort();
  assert.deepEqual(kinds, ['nonmotor.captured', 'person.captured', 'vehicle.captured']);
});

test(`a registered camera cannot push for a camera of another county, nor can an unregistered one push (${engine})`, async () => {
  const r = await curl('/VIID/Faces', { FaceListObject: { FaceObject: [face('X'.padEnd(48, '1'), FOREIGN)] } }, { headers: { 'User-Identify': CAM } });
  assert.equal(r.body.ResponseStatusListObject.ResponseStatusObject[0].StatusCode, 4);
  const u = await curl('/VIID/Faces', { FaceListObject: { FaceObject: [face('X'.padEnd(48, '2'), FOREIGN)] } }, { headers: { 'User-Identify': FOREIGN } });
  assert.equal(u.status, 401);
  const count = await app.platform.db.kysely.selectFrom('device_events').select((eb) => eb.fn.countAll<number>().as('n')).where('event_id', 'like', 'X%').executeTakeFirstOrThrow();
  assert.equal(Number(count.n), 0);
});

test(`malformed JSON gets StatusCode 7; System/Time answers in China Standard Time (${engine})`, async () => {
  const bad = await curl('/VIID/Faces', null, { raw: '{"FaceListObject":', headers: { 'User-Identify': CAM } });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.ResponseStatusObject.StatusCode, 7);
  const { stdout } = await run('curl', ['-s', base + '/VIID/System/Time']);
  const t = JSON.parse(stdout).SystemTimeObject;
  assert.equal(t.TimeZone, 'Asia/Shanghai');
  assert.match(t.LocalTime, /^\d{14}$/);
});

test(`keepalives keep a registration; it lapses after five minutes of silence; a stale nonce is refused (${engine})`, async () => {
  for (let i = 0; i < 4; i++) {
    clock.advance(90_000);
    const k = await curl('/VIID/System/Keepalive', { KeepaliveObject: { DeviceID: CAM } }, { headers: { 'User-Identify': CAM } });
    assert.equal(k.status, 200, `keepalive ${i} after ${(i + 1) * 90} s`);
  }
  clock.advance(6 * 60_000);
  const lapsed = await curl('/VIID/System/Keepalive', { KeepaliveObject: { DeviceID: CAM } }, { headers: { 'User-Identify': CAM } });
  assert.equal(lapsed.status, 401);
  // A challenge issued now and answered after 31 s is stale.
  const first = await app.request('POST', '/VIID/System/Register', { body: { RegisterObject: { DeviceID: CAM } } });
  const challenge = String(first.headers['www-authenticate']);
  clock.advance(31_000);
  const { digestAuthorization } = await import('../../src/modules/devices/gat1400/digest.ts');
  const late = await app.request('POST', '/VIID/System/Register', {
    body: { RegisterObject: { DeviceID: CAM } },
    headers: { authorization: digestAuthorization({ username: CAM, password: SECRET, method: 'POST', uri: '/VIID/System/Register', challenge, nc: 1 }) },
  });
  assert.equal(late.status, 401);
  assert.match(String(late.headers['www-authenticate']), /stale=true/);
});
