// Demo channels: one of each kind for the whole city, recording into the local sink (nothing leaves the machine).
// An integrator switches a channel to a real gateway by giving its URL and turning the sink off. Idempotent.
import crypto from 'node:crypto';
import { systemActor } from '../../platform/access.ts';
import type { Platform } from '../../platform/context.ts';
import type { NotifyService } from './notify.service.ts';

export async function seedNotifyDemo(p: Platform, notify: NotifyService, progress: (msg: string) => void = () => {}): Promise<void> {
  const existing = await p.db.kysely.selectFrom('notify_channels').select('id').where('area_code', '=', '430500').limit(1).execute();
  if (existing.length > 0) return;
  const actor = systemActor('demo-seed');
  const base = { areaCode: '430500', sink: true, enabled: true };
  await notify.createChannel(actor, { ...base, kind: 'sms', name: '短信网关（演示：本地记录）', config: { url: 'http://127.0.0.1:9/sms', sender: '市域治理' } });
  await notify.createChannel(actor, { ...base, kind: 'voice', name: '语音外呼网关（演示：本地记录）', config: { url: 'http://127.0.0.1:9/voice', repeat: 2 } });
  await notify.createChannel(actor, { ...base, kind: 'email', name: '邮件（演示：本地记录）', config: { host: '127.0.0.1', port: 25, secure: false, from: 'shiyu@localhost' } });
  await notify.createChannel(actor, {
    ...base, kind: 'webhook', name: '指挥中心 Webhook（演示：本地记录）', config: { url: 'http://127.0.0.1:9/hook', secret: crypto.randomBytes(16).toString('hex') },
  });
  progress('  notification channels: sms, voice, email, webhook (local sink)');
}
