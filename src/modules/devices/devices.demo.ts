// Demo devices for the demo city. `small` (every demo start): a handful of each kind per county so the screens
// have something to show. `full` (the simulator): the seed's scale — 1,744 water-area terminals across the 12
// counties, 13,779 truck blind-spot monitors, 5,300 household gas detectors in Wugang, and Sharp Eyes cameras.
// Positions are pseudo-random inside each county's boundary, the same on every run; secrets are derived from
// the platform key (demoDeviceSecret), so that a simulator on the same data folder can sign in as any device.
import crypto from 'node:crypto';
import { systemActor } from '../../platform/access.ts';
import type { Platform } from '../../platform/context.ts';
import { sha256Hex } from '../../platform/crypto.ts';
import { deviceKinds, type DeviceKind, type Subsystem } from './devices.catalog.ts';
import { devicesRepo } from './devices.repo.ts';
import type { DeviceRow } from './devices.tables.ts';
import { pointIn, shapeOf, type Shape } from './geo.ts';
import { newTimeOrderedId } from './ids.ts';

export const DEMO_COUNTIES = ['430502', '430503', '430511', '430522', '430523', '430524', '430525', '430527', '430528', '430529', '430581', '430582'];

interface FleetLine {
  prefix: string;
  subsystem: Subsystem;
  kind: DeviceKind;
  name: string;
  heartbeatIntervalS: number;
  /** How many per county, or for the named counties only. */
  perCounty: (county: string) => number;
}

const spread = (total: number) => (county: string) => {
  const i = DEMO_COUNTIES.indexOf(county);
  const base = Math.floor(total / DEMO_COUNTIES.length);
  return base + (i < total - base * DEMO_COUNTIES.length ? 1 : 0);
};

export function fleet(scale: 'small' | 'full'): FleetLine[] {
  const full = scale === 'full';
  return [
    { prefix: 'WT', subsystem: 'smart_water', kind: 'water_area_terminal', name: '重点水域防溺水终端', heartbeatIntervalS: 60, perCounty: full ? spread(1744) : () => 3 },
    { prefix: 'LS', subsystem: 'smart_water', kind: 'loudspeaker', name: '水域高音喇叭', heartbeatIntervalS: 60, perCounty: full ? spread(1744) : () => 2 },
    { prefix: 'BS', subsystem: 'smart_traffic', kind: 'blind_spot_monitor', name: '货车盲区监测仪', heartbeatIntervalS: 120, perCounty: full ? spread(13779) : () => 2 },
    { prefix: 'GAS', subsystem: 'smart_fire', kind: 'gas_detector', name: '家用燃气报警器', heartbeatIntervalS: 300, perCounty: (c) => (c === '430581' ? (full ? 5300 : 6) : full ? 0 : 1) },
    { prefix: 'XL', subsystem: 'sharp_eyes', kind: 'dome_camera', name: '雪亮工程球机', heartbeatIntervalS: 60, perCounty: full ? spread(2400) : () => 2 },
    { prefix: 'FC', subsystem: 'face_recognition', kind: 'face_camera', name: '人脸抓拍机', heartbeatIntervalS: 60, perCounty: full ? spread(600) : () => 1 },
  ];
}

/** The secret of a demo device: derived from the platform key, so that the simulator can compute it. */
export function demoDeviceSecret(p: Platform, code: string): string {
  return 'sdk_demo_' + crypto.createHmac('sha256', p.pii.blindIndex('shiyu-demo-devices')).update(code).digest('base64url').slice(0, 32);
}

/** Creates the demo devices that do not exist yet; returns how many were created. */
export async function seedDemoDevices(p: Platform, scale: 'small' | 'full' = 'small', progress: (msg: string) => void = () => {}): Promise<number> {
  const db = p.db.kysely;
  const boundaries = await devicesRepo.boundaries(db);
  const shapes = new Map<string, Shape>();
  for (const b of boundaries) {
    const s = shapeOf(b.area_code, JSON.parse(b.geometry));
    if (s) shapes.set(b.area_code, s);
  }
  const now = p.clock.now().toISOString();
  const rows: DeviceRow[] = [];
  for (const county of DEMO_COUNTIES) {
    if (!(await db.selectFrom('areas').select('code').where('code', '=', county).executeTakeFirst())) continue;
    const shape = shapes.get(county);
    let seed = Number(county) % 2147483647;
    const rand = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    for (const line of fleet(scale)) {
      const n = line.perCounty(county);
      for (let i = 1; i <= n; i++) {
        const code = `DEMO-${county}-${line.prefix}-${String(i).padStart(5, '0')}`;
        const [lon, lat] = shape ? pointIn(shape, rand) : [null, null];
        const secret = demoDeviceSecret(p, code);
        rows.push({
          id: newTimeOrderedId(),
          code,
          // GB/T 28181: 8-digit centre code (county + 00), 2-digit industry, 3-digit type (131 camera, 132 IP camera), serial
          // (demo serials start with 9, to stay clear of the IDs integrators and tests register).
          gb_id: line.kind === 'dome_camera' || line.kind === 'face_camera' ? `${county}0000${line.kind === 'dome_camera' ? '132' : '131'}9${String(i).padStart(6, '0')}` : null,
          name: `${line.name}${String(i).padStart(3, '0')}`,
          subsystem: line.subsystem,
          kind: line.kind,
          capabilities: JSON.stringify(deviceKinds[line.kind]),
          lon,
          lat,
          area_code: county,
          address: null,
          vendor: 'demo',
          model: null,
          heartbeat_interval_s: line.heartbeatIntervalS,
          status: 'active',
          online: 0,
          last_seen_at: null,
          online_changed_at: null,
          token_hash: sha256Hex(secret),
          secret_enc: p.pii.encrypt(secret),
          created_at: now,
          updated_at: now,
          retired_at: null,
        });
      }
    }
  }
  const taken = await devicesRepo.takenCodes(db, rows.map((r) => r.code), []);
  const fresh = rows.filter((r) => !taken.codes.has(r.code));
  if (fresh.length === 0) return 0;
  await db.transaction().execute(async (trx) => {
    await devicesRepo.insertMany(trx, p.db.dialect, fresh);
    await p.audit.record(trx, systemActor('demo-seed'), { action: 'device.seed', entityType: 'device', detail: { scale, created: fresh.length } });
  });
  progress(`  demo devices (${scale}): ${fresh.length}`);
  return fresh.length;
}
