import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { DigestAuth, digestAuthorization, parseDigestHeader } from './digest.ts';

const secrets: Record<string, string> = { '43052300001320000001': 'cam-secret' };
const passwordOf = async (u: string) => secrets[u] ?? null;

function setup() {
  let now = 1_000_000;
  const auth = new DigestAuth({ realm: 'shiyu', maxAgeMs: 30_000, now: () => now });
  return { auth, advance: (ms: number) => (now += ms) };
}

test('RFC 2617 example response is computed as the RFC says', () => {
  // RFC 2617 §3.5: Mufasa / Circle Of Life.
  const challenge = 'Digest realm="testrealm@host.com", qop="auth", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"';
  const h = digestAuthorization({ username: 'Mufasa', password: 'Circle Of Life', method: 'GET', uri: '/dir/index.html', challenge, nc: 1, cnonce: '0a4f113b' });
  assert.equal(parseDigestHeader(h)?.response, '6629fae49393a05397450978507c4ef1');
});

test('a correct answer to a fresh challenge is accepted once; a replayed nc is refused', async () => {
  const { auth } = setup();
  const first = await auth.verify('POST', undefined, passwordOf);
  assert.equal(first.ok, false);
  const challenge = first.ok ? '' : first.challenge;
  const header = digestAuthorization({ username: '43052300001320000001', password: 'cam-secret', method: 'POST', uri: '/VIID/System/Register', challenge, nc: 1 });
  assert.deepEqual(await auth.verify('POST', header, passwordOf), { ok: true, username: '43052300001320000001' });
  const replay = await auth.verify('POST', header, passwordOf);
  assert.equal(replay.ok ? 'ok' : replay.reason, 'replay');
  const next = digestAuthorization({ username: '43052300001320000001', password: 'cam-secret', method: 'POST', uri: '/VIID/System/Register', challenge, nc: 2 });
  assert.equal((await auth.verify('POST', next, passwordOf)).ok, true);
});

test('a stale nonce is refused with stale=true, a wrong password or forged nonce is refused', async () => {
  const { auth, advance } = setup();
  const challenge = auth.challenge();
  advance(31_000);
  const stale = await auth.verify('POST', digestAuthorization({ username: '43052300001320000001', password: 'cam-secret', method: 'POST', uri: '/x', challenge, nc: 1 }), passwordOf);
  assert.equal(stale.ok ? 'ok' : stale.reason, 'stale');
  assert.match(stale.ok ? '' : stale.challenge, /stale=true/);
  const fresh = auth.challenge();
  const wrong = await auth.verify('POST', digestAuthorization({ username: '43052300001320000001', password: 'nope', method: 'POST', uri: '/x', challenge: fresh, nc: 1 }), passwordOf);
  assert.equal(wrong.ok ? 'ok' : wrong.reason, 'bad_response');
  const forged = fresh.replace(/nonce="[^"]+"/, `nonce="${Buffer.from(`${Date.now()}.${crypto.randomBytes(6).toString("hex")}:${crypto.randomBytes(16).toString("base64url")}`).toString("base64url")}"`);
  const bad = await auth.verify('POST', digestAuthorization({ username: '43052300001320000001', password: 'cam-secret', method: 'POST', uri: '/x', challenge: forged, nc: 1 }), passwordOf);
  assert.equal(bad.ok ? 'ok' : bad.reason, 'bad_nonce');
  const unknown = await auth.verify('POST', digestAuthorization({ username: 'nobody', password: 'x', method: 'POST', uri: '/x', challenge: fresh, nc: 1 }), passwordOf);
  assert.equal(unknown.ok ? 'ok' : unknown.reason, 'unknown_user');
});

test('two challenges in the same millisecond are different nonces', () => {
  const { auth } = setup();
  const a = parseDigestHeader(auth.challenge())?.nonce;
  const b = parseDigestHeader(auth.challenge())?.nonce;
  assert.ok(a && b);
  assert.notEqual(a, b);
});
