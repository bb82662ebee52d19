// The zone editor in a real browser (Chromium through playwright-core) against a real server process: the form is
// usable at the desk widths (1366, 1440, 1920), a county operator draws a polygon on the map, names it and saves it;
// the zone is in the list, drawn as a polygon, and in the API. A GeoJSON import says per feature, in Chinese, why it
// was rejected. Town and village boundaries the deployment imported are map layers.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, signedIn as signIn } from '../helpers/browser.ts';
import { engine } from '../helpers/app.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { apiOf, login as apiLogin, square, WATER, type Api } from '../e2e/warning.e2e.helpers.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

let srv: TestServer;
let api: Api;
let browser: Browser;

/** Stores a town and a village boundary, as a deployment does with `shiyu import-boundaries`. */
async function importTownAndVillage(): Promise<void> {
  const file = path.join(srv.dataDir, 'town-village.geojson');
  fs.writeFileSync(file, JSON.stringify({
    type: 'FeatureCollection',
    features: [
      { type: 'Feature', properties: { code: '430523100', name: '塘渡口镇' }, geometry: square(WATER.lon, WATER.lat, 0.05) },
      { type: 'Feature', properties: { code: '430523100203', name: '梅子院村' }, geometry: square(WATER.lon, WATER.lat, 0.01) },
    ],
  }));
  await new Promise<void>((resolve, reject) => {
    const c = spawn(process.execPath, [path.join(root, 'bin', 'shiyu.js'), 'import-boundaries', '--file', file, '--source', 'browser-test'], { cwd: root, env: srv.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    c.stdout.on('data', (b: Buffer) => (out += b.toString()));
    c.stderr.on('data', (b: Buffer) => (out += b.toString()));
    c.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`import-boundaries exited with ${code}: ${out}`))));
  });
}

before(async () => {
  srv = await startTestServer();
  await importTownAndVillage();
  api = apiOf(srv);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await srv?.dispose();
});

function signedIn(username: string, viewport: { width: number; height: number }): Promise<Page> {
  return signIn(browser, srv.url, username, {
    viewport,
    // No request may leave the machine: without MAP_TILE_URL the map draws the boundaries only.
    onPage: (page) => {
      const external: string[] = [];
      page.on('request', (r) => {
        if (!r.url().startsWith(srv.url) && !r.url().startsWith('data:') && !r.url().startsWith('blob:')) external.push(r.url());
      });
      (page as Page & { external?: string[] }).external = external;
    },
  });
}

for (const width of [1366, 1440, 1920]) {
  test(`at ${width} px the zone form and the map are both usable (${engine})`, { timeout: 120_000 }, async () => {
    const page = await signedIn('sy_operator', { width, height: 900 });
    try {
      await page.goto(`${srv.url}/zones`);
      await page.getByTestId('zone-create').click();
      const name = page.getByTestId('zone-name');
      await name.waitFor();
      const form = await page.locator('.zones .form').boundingBox();
      const map = await page.getByTestId('zone-map').boundingBox();
      const save = await page.getByTestId('zone-save').boundingBox();
      assert.ok(form && form.width >= 300, `form width ${form?.width}`);
      assert.ok(map && map.width >= 500, `map width ${map?.width}`);
      assert.ok(save && save.x + save.width <= width && save.y + save.height <= 900 + 2000, `save button at ${JSON.stringify(save)}`);
      await name.fill('宽度测试');
      assert.equal(await name.inputValue(), '宽度测试');
    } finally {
      await page.context().close();
    }
  });
}

test(`a county operator draws a zone on the map and saves it; it is in the list, on the map and in the API (${engine})`, { timeout: 180_000 }, async () => {
  const page = await signedIn('sy_operator', { width: 1440, height: 900 });
  try {
    await page.goto(`${srv.url}/zones`);
    await page.getByTestId('zone-create').click();
    const map = page.getByTestId('zone-map');
    await map.locator('.leaflet-overlay-pane path').first().waitFor();
    // The imported town and village boundaries are layers of the map, named in the layer control.
    const layers = page.locator('.leaflet-control-layers');
    await layers.getByText('乡镇（街道）界').waitFor();
    await layers.getByText('村（社区）界').waitFor();
    const box = (await map.boundingBox())!;
    const cx = box.x + box.width / 2;
    const cy = box.y + box.height / 2;
    const vertices: [number, number][] = [[cx - 60, cy - 40], [cx + 60, cy - 40], [cx + 70, cy + 50], [cx - 50, cy + 45]];
    for (const [x, y] of vertices) await page.mouse.click(x, y);
    await page.getByTestId('zone-vertices').filter({ hasText: '4 个顶点' }).waitFor();
    // Close the polygon by clicking its first vertex, as a user does.
    await page.mouse.click(vertices[0]![0], vertices[0]![1]);
    await page.getByTestId('zone-draw-bar').getByText('拖动顶点').waitFor();
    // The area field shows the operator's county by name, not by code.
    assert.match(await page.getByTestId('zone-area').innerText(), /邵阳县/);
    await page.getByTestId('zone-name').fill('资江浏览器绘制段');
    await page.getByTestId('zone-save').click();
    await page.locator('.zones .list .el-table__row', { hasText: '资江浏览器绘制段' }).waitFor();

    const op = await apiLogin(api, 'sy_operator');
    const r = await api('GET', '/api/zones?q=浏览器绘制', op);
    assert.equal(r.status, 200);
    const zone = (r.body as { items: { id: string; name: string; areaCode: string; geometry: { type: string; coordinates: number[][][] } }[] }).items.find((z) => z.name === '资江浏览器绘制段');
    assert.ok(zone, JSON.stringify(r.body));
    assert.equal(zone.areaCode, '430523');
    assert.equal(zone.geometry.type, 'Polygon');
    const ring = zone.geometry.coordinates[0]!;
    assert.equal(ring.length, 5, JSON.stringify(ring));
    assert.deepEqual(ring[0], ring[4]);
    // Drawn as the polygon it is: an SVG path tagged with the zone's id.
    await page.locator(`[data-testid=zone-map] path[data-zone-id="${zone.id}"]`).waitFor();
    assert.deepEqual((page as Page & { external?: string[] }).external, []);
  } finally {
    await page.context().close();
  }
});

test(`a GeoJSON import says per feature, in Chinese, why it was not imported (${engine})`, { timeout: 120_000 }, async () => {
  const page = await signedIn('sy_operator', { width: 1440, height: 900 });
  try {
    await page.goto(`${srv.url}/zones`);
    const file = path.join(srv.dataDir, 'zones-import.geojson');
    const bad = square(WATER.lon, WATER.lat);
    bad.coordinates[0]![1]![0] = 200;
    fs.writeFileSync(file, JSON.stringify({
      type: 'FeatureCollection',
      features: [
        { type: 'Feature', properties: { name: '经度写错的水域', kind: 'key_water', riskLevel: 3, areaCode: '430523' }, geometry: bad },
        { type: 'Feature', properties: { name: '一个点', kind: 'key_water', riskLevel: 3, areaCode: '430523' }, geometry: { type: 'Point', coordinates: [WATER.lon, WATER.lat] } },
        { type: 'Feature', properties: { name: '隆回县的水域', kind: 'key_water', riskLevel: 3, areaCode: '430524' }, geometry: square(111.0, 27.1) },
        { type: 'Feature', properties: { name: '好好的水域', kind: 'key_water', riskLevel: 2, areaCode: '430523' }, geometry: square(WATER.lon + 0.01, WATER.lat) },
      ],
    }));
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: '导入 GeoJSON' }).click();
    await (await chooser).setFiles(file);
    const report = page.locator('.el-dialog', { hasText: '导入结果' });
    await report.waitFor();
    const text = await report.innerText();
    assert.match(text, /新建 1，更新 0，失败 3/);
    assert.match(text, /第 1 个要素「经度写错的水域」/);
    assert.match(text, /区域形状 · 第 2 个顶点 · 经度：不能大于 180/);
    assert.match(text, /第 2 个要素「一个点」/);
    assert.match(text, /只支持面/);
    assert.match(text, /第 3 个要素「隆回县的水域」/);
    assert.match(text, /所属区域：所属区域不存在或不在您的管辖范围内/);
    assert.doesNotMatch(text, /Too big|expected|Invalid/);
  } finally {
    await page.context().close();
  }
});
