// Identification from the snapshot image (no feature vector from the device): the platform computes the face
// embedding with the model shipped in @vladmandic/human, searches the county's student library, records the match
// and its score on the alert, and the student rule notifies the guardians and places the call. Another person's
// photo is "unknown" and raises no student alert. The photos are tiles of the package's own sample sheet.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import jpeg from 'jpeg-js';
import { createTestApp, engine, type TestApp } from '../helpers/app.ts';
import { createRule, device, ingest, notificationsOf, square, WATER } from './warning.helpers.ts';

const require = createRequire(import.meta.url);
const assets = path.join(path.dirname(require.resolve('@vladmandic/human')), '..', 'assets');
const sheet = jpeg.decode(fs.readFileSync(path.join(assets, 'screenshot-facematch.jpg')), { useTArray: true, formatAsRGBA: true });

/** Tile `i` of row `row` of the sample sheet (row 0: one man in nine photos; row 1: other people), padded. */
function tile(row: 0 | 1, i: number): Buffer {
  const x0 = Math.round(i * 106.67);
  const y0 = row === 0 ? 283 : 392;
  const [w, h, pad] = [106, 107, 60];
  const W = w + 2 * pad;
  const H = h + 2 * pad;
  const data = Buffer.alloc(W * H * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const src = ((y0 + y) * sheet.width + x0 + x) * 4;
      data.set(sheet.data.subarray(src, src + 4), ((y + pad) * W + x + pad) * 4);
    }
  }
  return Buffer.from(jpeg.encode({ data, width: W, height: H }, 95).data);
}

let app: TestApp;
let op: string;
let camera: { id: string; secret: string };
let studentId: string;

before(async () => {
  app = await createTestApp();
  const admin = await app.login('admin');
  op = await app.login('sy_operator');
  camera = await device(app, admin, { kind: 'face_camera', subsystem: 'face_recognition', lon: WATER.lon, lat: WATER.lat });
  const zone = await app.request('POST', '/api/zones', { token: op, body: { name: '资江塘渡口段', kind: 'key_water', riskLevel: 4, areaCode: '430523100', geometry: square(WATER.lon, WATER.lat) } });
  assert.equal(zone.status, 201, JSON.stringify(zone.body));
  await createRule(app, op, {
    name: '学生临水（照片）',
    areaCode: '430523',
    definition: {
      trigger: { type: 'event', eventKinds: ['face.captured'] },
      zone: { ids: [zone.body.id] },
      identity: { classes: ['student'] },
      actions: [
        { type: 'raise_alert', severity: 'red', title: '学生出现在{zone}' },
        { type: 'notify', roles: ['guardians'], channel: 'sms', text: '{student}同学出现在{zone}附近' },
        { type: 'call', roles: ['guardians'], text: '您的孩子{student}出现在{zone}附近' },
      ],
    },
  });
  const school = (await app.request('GET', '/api/students/schools', { token: op })).body.items[0];
  const s = await app.request('POST', '/api/students', { token: op, body: { schoolId: school.id, areaCode: '430523100203', name: '照片学生', guardians: [{ name: '家长甲', phone: '13955556666' }] } });
  assert.equal(s.status, 201, JSON.stringify(s.body));
  studentId = s.body.id;
  const enrolled = await app.request('POST', `/api/students/${studentId}/faces`, { token: op, body: { image: tile(0, 0).toString('base64') } });
  assert.equal(enrolled.status, 201, JSON.stringify(enrolled.body));
});
after(async () => app?.close());

const snapshot = (img: Buffer) => [{ kind: 'face', contentType: 'image/jpeg', data: img.toString('base64') }];

test(`a snapshot of an enrolled student is identified by the platform's model and the guardians are told (${engine})`, { timeout: 120_000 }, async () => {
  await ingest(app, camera.secret, [{ id: 'photo-1', kind: 'face.captured', time: new Date(Date.now() - 500).toISOString(), snapshots: snapshot(tile(0, 2)) }]);
  const alerts = (await app.request('GET', '/api/alerts?state=open', { token: op })).body.items;
  assert.equal(alerts.length, 1);
  const a = alerts[0];
  assert.equal(a.title, '学生出现在资江塘渡口段');
  assert.equal(a.match.class, 'student');
  assert.equal(a.match.personId, studentId);
  assert.equal(a.match.nameMasked, '照**生');
  assert.ok(a.match.score >= 0.72, String(a.match.score));
  assert.equal(a.snapshotIds.length, 1);
  const notes = await notificationsOf(app, a.id);
  assert.ok(notes.some((n) => n.recipient_kind === 'guardian' && n.channel_kind === 'sms'));
  assert.ok(notes.some((n) => n.recipient_kind === 'guardian' && n.kind === 'call' && n.channel_kind === 'voice'));
});

test(`another person's snapshot is "unknown": no student alert (${engine})`, { timeout: 120_000 }, async () => {
  await ingest(app, camera.secret, [{ id: 'photo-2', kind: 'face.captured', time: new Date(Date.now() - 500).toISOString(), snapshots: snapshot(tile(1, 6)) }]);
  const alerts = (await app.request('GET', '/api/alerts', { token: op })).body.items;
  assert.equal(alerts.length, 1, 'still only the student alert');
});
