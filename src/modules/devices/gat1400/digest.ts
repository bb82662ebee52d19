// HTTP Digest authentication (RFC 2617, MD5, qop=auth) as GA/T 1400 devices use it for Register/UnRegister.
// Nonces are stateless (a timestamp signed with a key derived from SHIYU_SECRET_KEY), so any node can check them and
// their age; the highest `nc` accepted per nonce is kept in a NonceStore (the database's, shared by the nodes) to
// refuse replays. A nonce older than `maxAgeMs` answers `stale=true`, and the
// client retries with a fresh one.
import crypto from 'node:crypto';
import type { NonceStore } from '../../../platform/shared-state.ts';

export interface DigestOptions {
  realm: string;
  maxAgeMs: number;
  now: () => number;
  key?: Buffer;
  /** Replay state; in memory (one process) when absent. */
  store?: NonceStore;
}

/** One process's replay state (tests, and a single node without a database-backed store). */
export class MemoryNonceStore implements NonceStore {
  private readonly seen = new Map<string, { nc: number; expiresAt: number }>();
  async advance(nonce: string, nc: number, expiresAtMs: number): Promise<boolean> {
    const last = this.seen.get(nonce);
    if (last && nc <= last.nc) return false;
    this.seen.set(nonce, { nc, expiresAt: expiresAtMs });
    if (this.seen.size > 1024) {
      const now = Date.now();
      for (const [k, v] of this.seen) if (v.expiresAt < now) this.seen.delete(k);
    }
    return true;
  }
}

export type DigestResult =
  | { ok: true; username: string }
  | { ok: false; reason: 'missing' | 'malformed' | 'stale' | 'replay' | 'bad_nonce' | 'unknown_user' | 'bad_response'; challenge: string };

const md5 = (s: string) => crypto.createHash('md5').update(s).digest('hex');

export function parseDigestHeader(header: string): Record<string, string> | null {
  if (!/^Digest\s+/i.test(header)) return null;
  const out: Record<string, string> = {};
  const re = /([a-zA-Z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(header.replace(/^Digest\s+/i, '')))) out[m[1]!.toLowerCase()] = m[2] ?? m[3] ?? '';
  return out;
}

export class DigestAuth {
  private readonly key: Buffer;
  private readonly store: NonceStore;

  constructor(private readonly opts: DigestOptions) {
    this.key = opts.key ?? crypto.randomBytes(32);
    this.store = opts.store ?? new MemoryNonceStore();
  }

  newNonce(): string {
    // The random part keeps two challenges of the same millisecond apart (each nonce has its own nc count).
    const stamp = `${this.opts.now()}.${crypto.randomBytes(6).toString('hex')}`;
    const sig = crypto.createHmac('sha256', this.key).update(stamp).digest('base64url').slice(0, 22);
    return Buffer.from(`${stamp}:${sig}`).toString('base64url');
  }

  challenge(stale = false): string {
    return `Digest realm="${this.opts.realm}", qop="auth", nonce="${this.newNonce()}", opaque="${md5(this.opts.realm)}", algorithm=MD5${stale ? ', stale=true' : ''}`;
  }

  /** Checks an Authorization header; `passwordOf` returns the device's shared secret, or null for an unknown user. */
  async verify(method: string, header: string | undefined, passwordOf: (username: string) => Promise<string | null>): Promise<DigestResult> {
    if (!header) return { ok: false, reason: 'missing', challenge: this.challenge() };
    const p = parseDigestHeader(header);
    if (!p || !p.username || !p.nonce || !p.uri || !p.response || p.realm !== this.opts.realm) {
      return { ok: false, reason: 'malformed', challenge: this.challenge() };
    }
    const issuedAt = this.nonceTime(p.nonce);
    if (issuedAt === null) return { ok: false, reason: 'bad_nonce', challenge: this.challenge() };
    const now = this.opts.now();
    if (now - issuedAt > this.opts.maxAgeMs) return { ok: false, reason: 'stale', challenge: this.challenge(true) };
    if ((p.qop ?? '') !== 'auth' || !p.nc || !p.cnonce) return { ok: false, reason: 'malformed', challenge: this.challenge() };
    const nc = Number.parseInt(p.nc, 16);
    if (!Number.isFinite(nc) || nc < 1) return { ok: false, reason: 'malformed', challenge: this.challenge() };
    const password = await passwordOf(p.username);
    if (password === null) return { ok: false, reason: 'unknown_user', challenge: this.challenge() };
    const ha1 = md5(`${p.username}:${this.opts.realm}:${password}`);
    const ha2 = md5(`${method.toUpperCase()}:${p.uri}`);
    const expected = md5(`${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:${p.qop}:${ha2}`);
    const a = Buffer.from(expected);
    const b = Buffer.from(p.response.toLowerCase());
    if (a.length !== b.length || !crypto.timingSafeEqual(a, b)) return { ok: false, reason: 'bad_response', challenge: this.challenge() };
    // After the response is proven: a stranger cannot burn a nonce's counter. Atomic across nodes.
    if (!(await this.store.advance(p.nonce, nc, issuedAt + this.opts.maxAgeMs * 2))) return { ok: false, reason: 'replay', challenge: this.challenge() };
    return { ok: true, username: p.username };
  }

  private nonceTime(nonce: string): number | null {
    let decoded: string;
    try {
      decoded = Buffer.from(nonce, 'base64url').toString();
    } catch {
      return null;
    }
    const [stamp, sig] = decoded.split(':');
    if (!stamp || !sig || !/^\d+\.[0-9a-f]{12}$/.test(stamp)) return null;
    const expected = crypto.createHmac('sha256', this.key).update(stamp).digest('base64url').slice(0, 22);
    if (expected.length !== sig.length || !crypto.timingSafeEqual(Buffer.from(expected), Buffer.from(sig))) return null;
    return Number(stamp.split('.')[0]);
  }

}

/** What a client computes: used by tests and by the simulator's GA/T 1400 device. */
export function digestAuthorization(o: {
  username: string; password: string; method: string; uri: string; challenge: string; nc: number; cnonce?: string;
}): string {
  const c = parseDigestHeader(o.challenge) ?? {};
  const realm = c.realm ?? '';
  const nonce = c.nonce ?? '';
  const nc = o.nc.toString(16).padStart(8, '0');
  const cnonce = o.cnonce ?? crypto.randomBytes(8).toString('hex');
  const ha1 = md5(`${o.username}:${realm}:${o.password}`);
  const ha2 = md5(`${o.method}:${o.uri}`);
  const response = md5(`${ha1}:${nonce}:${nc}:${cnonce}:auth:${ha2}`);
  return `Digest username="${o.username}", realm="${realm}", nonce="${nonce}", uri="${o.uri}", qop=auth, nc=${nc}, cnonce="${cnonce}", response="${response}", opaque="${c.opaque ?? ''}", algorithm=MD5`;
}
