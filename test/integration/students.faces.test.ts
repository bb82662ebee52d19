// Face enrolment and identification from photos, with the model that ships in @vladmandic/human (tfjs WASM,
// offline). The photos are the package's own sample images: tiles of its face-matching screenshot, where the first
// row shows one man in nine different photos and the second row other people.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import jpeg from 'jpeg-js';
import { createTestApp, engine, type TestApp } from '../helpers/app.ts';
import { systemActor } from '../../src/platform/access.ts';

const require = createRequire(import.meta.url);
const assets = path.join(path.dirname(require.resolve('@vladmandic/human')), '..', 'assets');
const sheet = jpeg.decode(fs.readFileSync(path.join(assets, 'screenshot-facematch.jpg')), { useTArray: true, formatAsRGBA: true });

/** Tile `i` of row `row` (0: the same man; 1: others), padded so that the detector sees some background. */
function tile(row: 0 | 1, i: number): Buffer {
  const x0 = Math.round(i * 106.67);
  const y0 = row === 0 ? 283 : 392;
  const w = 106;
  const h = 107;
  const pad = 60;
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
let operator: string;
let studentId = '';
const sys = systemActor('rule-engine');

before(async () => {
  app = await createTestApp();
  operator = await app.login('sy_operator');
  const school = await app.request('GET', '/api/students/schools', { token: operator });
  const demoSchool = school.body.items[0];
  const s = await app.request('POST', '/api/students', { token: operator, body: { schoolId: demoSchool.id, areaCode: '430523100203', name: '照片学生', guardians: [{ name: '家长甲', phone: '13955556666' }] } });
  assert.equal(s.status, 201);
  studentId = s.body.id;
});
after(async () => app?.close());

test(`a face enrolled from one photo is identified in another photo of the same person, and not in others (${engine})`, async () => {
  const enrolled = await app.request('POST', `/api/students/${studentId}/faces`, { token: operator, body: { image: tile(0, 0).toString('base64') } });
  assert.equal(enrolled.status, 201, JSON.stringify(enrolled.body));
  assert.equal(enrolled.body.source, 'photo');
  assert.equal(enrolled.body.model, 'human-faceres');
  assert.ok(enrolled.body.quality > 0.5);

  for (const i of [1, 2]) {
    const r = await app.services.students.identify(sys, { countyCode: '430523', image: tile(0, i), trace: { alertId: `photo-${i}` } });
    assert.equal(r.facesInImage, 1);
    assert.equal(r.matched, true, `photo ${i}: score ${r.score}`);
    assert.equal(r.match!.student.id, studentId);
    assert.equal(r.match!.student.name, '照片学生');
  }
  for (const i of [6, 7]) {
    const r = await app.services.students.identify(sys, { countyCode: '430523', image: tile(1, i) });
    assert.equal(r.matched, false, `another person (row 2, tile ${i}) scores ${r.score}`);
  }
  const viaRoute = await app.request('POST', '/api/students/identify', { token: operator, body: { countyCode: '430523', image: 'data:image/jpeg;base64,' + tile(0, 3).toString('base64') } });
  assert.equal(viaRoute.status, 200);
  assert.equal(viaRoute.body.match?.student.name, '照**生');
});

test(`photos that cannot be enrolled are refused with a clear reason (${engine})`, async () => {
  const group = fs.readFileSync(path.join(assets, 'samples.jpg'));
  const many = await app.request('POST', `/api/students/${studentId}/faces`, { token: operator, body: { image: group.toString('base64') } });
  assert.equal(many.status, 400);
  assert.equal(many.body.error.code, 'face.multiple_faces');

  const blank = Buffer.from(jpeg.encode({ data: Buffer.alloc(200 * 200 * 4, 200), width: 200, height: 200 }, 90).data);
  const none = await app.request('POST', `/api/students/${studentId}/faces`, { token: operator, body: { image: blank.toString('base64') } });
  assert.equal(none.status, 400);
  assert.equal(none.body.error.code, 'face.none_found');

  const png = fs.readFileSync(path.join(assets, 'icon.png'));
  const notJpeg = await app.request('POST', `/api/students/${studentId}/faces`, { token: operator, body: { image: png.toString('base64') } });
  assert.equal(notJpeg.status, 400);
  assert.equal(notJpeg.body.error.code, 'face.image_format');
});
