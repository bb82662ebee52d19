// Where snapshot images live: one interface, a file-system store by default (under DATA_DIR/snapshots). An
// object store can sit behind the same interface. Keys are derived from (device, event, seq), so a retried
// event overwrites its own image with identical bytes instead of leaving a second copy.
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

export interface SnapshotStore {
  /** Resolves once the bytes are durable (the event row that refers to them is committed after this). */
  put(key: string, data: Buffer): Promise<void>;
  get(key: string): Promise<Buffer | null>;
  delete(key: string): Promise<void>;
}

const extensions: Record<string, string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp' };

export function snapshotKey(deviceId: string, eventId: string, seq: number, contentType: string): string {
  const h = crypto.createHash('sha256').update(deviceId + '\n' + eventId).digest('hex');
  return `${h.slice(0, 2)}/${h.slice(2, 4)}/${h}-${seq}.${extensions[contentType] ?? 'bin'}`;
}

export class FsSnapshotStore implements SnapshotStore {
  constructor(private readonly root: string) {}

  private file(key: string): string {
    const f = path.resolve(this.root, key);
    // Keys are generated here, but a stored key must never reach outside the root all the same.
    if (!f.startsWith(path.resolve(this.root) + path.sep)) throw new Error(`snapshot key outside the store: ${key}`);
    return f;
  }

  async put(key: string, data: Buffer): Promise<void> {
    const file = this.file(key);
    await fs.mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
    const h = await fs.open(tmp, 'w');
    try {
      await h.writeFile(data);
      await h.sync();
    } finally {
      await h.close();
    }
    await fs.rename(tmp, file);
  }

  async get(key: string): Promise<Buffer | null> {
    try {
      return await fs.readFile(this.file(key));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
  }

  async delete(key: string): Promise<void> {
    await fs.rm(this.file(key), { force: true });
  }
}
