// Protection of personal data at rest (PIPL): AES-256-GCM for the value, a keyed HMAC "blind index" for exact
// look-ups, and masking for display. The key comes from SHIYU_SECRET_KEY or a file generated under the data folder.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export class PiiProtector {
  private readonly encKey: Buffer;
  private readonly indexKey: Buffer;

  constructor(private readonly masterKey: Buffer) {
    if (masterKey.length !== 32) throw new Error('The secret key must be 32 bytes (64 hex characters).');
    // Separate sub-keys so that the index never reveals anything about the cipher key.
    this.encKey = Buffer.from(crypto.hkdfSync('sha256', masterKey, Buffer.alloc(0), 'shiyu-pii-enc', 32));
    this.indexKey = Buffer.from(crypto.hkdfSync('sha256', masterKey, Buffer.alloc(0), 'shiyu-pii-index', 32));
  }

  /** A key for another purpose (e.g. signing Digest nonces), derived from the master key: the same on every node. */
  deriveKey(purpose: string): Buffer {
    return Buffer.from(crypto.hkdfSync('sha256', this.masterKey, Buffer.alloc(0), `shiyu-${purpose}`, 32));
  }

  encrypt(plain: string): string {
    const iv = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv('aes-256-gcm', this.encKey, iv);
    const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return 'v1:' + Buffer.concat([iv, cipher.getAuthTag(), ct]).toString('base64');
  }

  decrypt(stored: string): string {
    if (!stored.startsWith('v1:')) throw new Error('Unknown protected-value format.');
    const raw = Buffer.from(stored.slice(3), 'base64');
    const decipher = crypto.createDecipheriv('aes-256-gcm', this.encKey, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  }

  /** Deterministic keyed hash, for "find the person with this ID number" without decrypting every row. */
  blindIndex(value: string): string {
    return crypto.createHmac('sha256', this.indexKey).update(value.trim().toUpperCase()).digest('hex');
  }
}

/** Loads the key from config, else from <dataDir>/secret.key, creating that file (mode 0600) on first start. */
export function loadSecretKey(configured: string | undefined, dataDir: string): Buffer {
  if (configured) return Buffer.from(configured, 'hex');
  const file = path.join(dataDir, 'secret.key');
  if (fs.existsSync(file)) return Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'hex');
  fs.mkdirSync(dataDir, { recursive: true });
  const key = crypto.randomBytes(32);
  fs.writeFileSync(file, key.toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
  return key;
}

/** 138****5678 */
export function maskPhone(phone: string): string {
  const p = phone.trim();
  if (p.length < 7) return '*'.repeat(p.length);
  return p.slice(0, 3) + '*'.repeat(p.length - 7) + p.slice(-4);
}

/** 430523********1234 */
export function maskIdNumber(id: string): string {
  const v = id.trim();
  if (v.length < 10) return '*'.repeat(v.length);
  return v.slice(0, 6) + '*'.repeat(v.length - 10) + v.slice(-4);
}

/** 张*明 / 李* */
export function maskName(name: string): string {
  const chars = [...name.trim()];
  if (chars.length <= 1) return '*';
  if (chars.length === 2) return chars[0] + '*';
  return chars[0] + '*'.repeat(chars.length - 2) + chars[chars.length - 1];
}

export function sha256Hex(value: string): string {
  return crypto.createHash('sha256').update(value).digest('hex');
}

export function newId(): string {
  return crypto.randomUUID();
}

