// Cross-area probes for the notification routes: 邵阳县 accounts against 隆回县 notifications, channels, inboxes and
// preferences.
import assert from 'node:assert/strict';
import { systemActor } from '../../../src/platform/access.ts';
import type { CrossAreaProbe, ProbeContext } from '../probe.ts';

const denied = 'denied' as const;
let prepared: Promise<{ notificationId: string; inappId: string; channelId: string; userId: string }> | null = null;

/** 隆回县 data, made once through the services. */
function foreign(ctx: ProbeContext) {
  prepared ??= (async () => {
    const { notify } = ctx.app.services;
    const sys = systemActor('probe');
    const user = await ctx.app.platform.db.kysely.selectFrom('users').select('id').where('username', '=', 'lh_operator').executeTakeFirstOrThrow();
    const [n] = await notify.enqueue(sys, { channel: 'sms', recipient: { kind: 'address', address: '13900009999' }, areaCode: ctx.foreign.village, text: '隆回县通知', trace: { alertId: 'lh-alert' }, dedupeKey: 'probe:lh:sms' });
    const [inapp] = await notify.enqueue(sys, { channel: 'inapp', recipient: { kind: 'user', id: user.id }, text: '隆回县站内信', dedupeKey: 'probe:lh:inapp' });
    // Make the SMS dead, so that "retry" would be allowed if the scope check were missing.
    await ctx.app.platform.db.kysely.updateTable('notifications').set({ state: 'dead', attempts: 6 }).where('id', '=', n!.id).execute();
    // One delivered into the sink, for the sink probe.
    await notify.enqueue(sys, { channel: 'sms', recipient: { kind: 'address', address: '13900009998' }, areaCode: ctx.foreign.village, text: '隆回县已发送', dedupeKey: 'probe:lh:sent' });
    await notify.worker.runOnce();
    const channel = await notify.createChannel(sys, { kind: 'sms', name: '隆回县短信', areaCode: ctx.foreign.county, sink: true, enabled: true, config: { url: 'http://127.0.0.1:9/sms' } });
    return { notificationId: n!.id, inappId: inapp!.id, channelId: channel.id, userId: user.id };
  })();
  return prepared;
}

const onlyHome = (items: { areaCode: string }[]) => assert.ok(items.every((i) => i.areaCode.startsWith('430523')), JSON.stringify(items.map((i) => i.areaCode)));

export const probes: CrossAreaProbe[] = [
  {
    route: 'GET /api/notify/notifications',
    requests: async (c) => {
      await foreign(c);
      return [{ method: 'GET', url: '/api/notify/notifications?pageSize=200', expect: (res) => res.status === 403 || onlyHome(res.body.items) }, { method: 'GET', url: '/api/notify/notifications?alertId=lh-alert', expect: (res) => res.status === 403 || assert.equal(res.body.total, 0) }];
    },
  },
  { route: 'GET /api/notify/notifications/:id', requests: async (c) => [{ method: 'GET', url: `/api/notify/notifications/${(await foreign(c)).notificationId}`, expect: denied }] },
  {
    route: 'POST /api/notify/notifications',
    requests: async (c) => {
      const f = await foreign(c);
      return [
        { method: 'POST', url: '/api/notify/notifications', body: { recipient: { kind: 'user', id: f.userId }, text: '越界' }, expect: denied },
        { method: 'POST', url: '/api/notify/notifications', body: { recipient: { kind: 'address', address: '13900001234' }, areaCode: c.foreign.village, text: '越界' }, expect: denied },
      ];
    },
  },
  { route: 'POST /api/notify/notifications/:id/retry', requests: async (c) => [{ method: 'POST', url: `/api/notify/notifications/${(await foreign(c)).notificationId}/retry`, expect: denied }] },
  {
    route: 'GET /api/notify/inbox',
    requests: async (c) => {
      const f = await foreign(c);
      return [{ method: 'GET', url: '/api/notify/inbox', expect: (res) => assert.ok(!res.body.items.some((i: { id: string }) => i.id === f.inappId)) }];
    },
  },
  { route: 'POST /api/notify/inbox/:id/read', requests: async (c) => [{ method: 'POST', url: `/api/notify/inbox/${(await foreign(c)).inappId}/read`, expect: denied }] },
  { route: 'GET /api/notify/channels', requests: async (c) => (await foreign(c), [{ method: 'GET', url: '/api/notify/channels', expect: (res) => res.status === 403 || onlyHome(res.body.items) }]) },
  {
    route: 'POST /api/notify/channels',
    requests: async (c) => [{ method: 'POST', url: '/api/notify/channels', body: { kind: 'sms', name: '越界', areaCode: c.foreign.county, config: { url: 'http://127.0.0.1:9/x' } }, expect: denied }],
  },
  { route: 'PATCH /api/notify/channels/:id', requests: async (c) => [{ method: 'PATCH', url: `/api/notify/channels/${(await foreign(c)).channelId}`, body: { enabled: false }, expect: denied }] },
  { route: 'POST /api/notify/channels/:id/test', requests: async (c) => [{ method: 'POST', url: `/api/notify/channels/${(await foreign(c)).channelId}/test`, body: { address: '13900001111' }, expect: denied }] },
  { route: 'GET /api/notify/preferences/me', requests: async () => [] },
  { route: 'PUT /api/notify/preferences/me', requests: async () => [] },
  { route: 'GET /api/notify/preferences/:kind/:id', requests: async (c) => [{ method: 'GET', url: `/api/notify/preferences/user/${(await foreign(c)).userId}`, expect: denied }] },
  { route: 'PUT /api/notify/preferences/:kind/:id', requests: async (c) => [{ method: 'PUT', url: `/api/notify/preferences/user/${(await foreign(c)).userId}`, body: { channels: ['sms'] }, expect: denied }] },
  { route: 'GET /api/notify/sink', requests: async (c) => (await foreign(c), [{ method: 'GET', url: '/api/notify/sink?limit=500', expect: (res) => res.status === 403 || onlyHome(res.body.items) }]) },
];
