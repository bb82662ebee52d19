// Group commit for device events. Callers (HTTP requests, MQTT messages, GA/T 1400 batches) hand in their rows;
// everything that arrives while a commit is running goes into the next one, as one transaction with batched
// inserts. Each caller's promise resolves only after the commit that holds its rows, so a 2xx or a PUBACK sent
// on resolution means the events are durable. No timer adds latency: an idle writer flushes on the next tick.
import type { Db } from '../../platform/db/database.ts';
import type { DeviceEventRow, DeviceSnapshotRow } from './devices.tables.ts';
import { eventsRepo } from './events.repo.ts';

interface Pending {
  events: DeviceEventRow[];
  snapshots: DeviceSnapshotRow[];
  resolve: (stored: boolean[]) => void;
  reject: (err: unknown) => void;
}

export interface EventWriterStats {
  commits: number;
  rows: number;
  maxBatch: number;
  /** Shared commits that failed and were retried in halves (see commitIsolating). */
  isolations: number;
}

export class EventWriter {
  private queue: Pending[] = [];
  private queuedRows = 0;
  private active = 0;
  private scheduled = false;
  readonly stats: EventWriterStats = { commits: 0, rows: 0, maxBatch: 0, isolations: 0 };

  constructor(
    private readonly db: Db,
    private readonly opts: { maxRows: number; concurrency: number } = { maxRows: 5000, concurrency: db.bulk.concurrency },
  ) {}

  /** Stores the rows that are new; resolves after the commit with, per event, whether it was stored (false: a duplicate). */
  write(events: DeviceEventRow[], snapshots: DeviceSnapshotRow[] = []): Promise<boolean[]> {
    if (events.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.queue.push({ events, snapshots, resolve, reject });
      this.queuedRows += events.length;
      this.schedule();
    });
  }

  /** Rows waiting for a commit (back-pressure signal for callers that can slow down). */
  get backlog(): number {
    return this.queuedRows;
  }

  private schedule(): void {
    if (this.scheduled || this.active >= this.opts.concurrency || this.queue.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.active >= this.opts.concurrency || this.queue.length === 0) return;
    const batch: Pending[] = [];
    let rows = 0;
    while (this.queue.length > 0 && (batch.length === 0 || rows + this.queue[0]!.events.length <= this.opts.maxRows)) {
      const p = this.queue.shift()!;
      batch.push(p);
      rows += p.events.length;
    }
    this.queuedRows -= rows;
    this.active++;
    // More queued than one commit takes, and room for another writer: start it now.
    this.schedule();
    try {
      await this.commitIsolating(batch, rows);
    } finally {
      this.active--;
      this.schedule();
    }
  }

  /**
   * Commits the batch; when the shared commit fails (a row the engine refuses, or the database down), commits each
   * half on its own, down to single callers, so that a refused row costs only the caller that sent it, never the
   * others (k poison callers among n cost about 2·k·log2(n) extra commits). Only a caller whose own commit fails is
   * rejected.
   */
  private async commitIsolating(batch: Pending[], rows: number): Promise<void> {
    try {
      await this.commit(batch, rows);
    } catch (err) {
      if (batch.length === 1) {
        batch[0]!.reject(err);
        return;
      }
      this.stats.isolations++;
      const mid = batch.length >> 1;
      for (const half of [batch.slice(0, mid), batch.slice(mid)]) {
        await this.commitIsolating(half, half.reduce((n, p) => n + p.events.length, 0));
      }
    }
  }

  /** One transaction for the batch's rows; resolves every caller in it, or throws and resolves none. */
  private async commit(batch: Pending[], rows: number): Promise<void> {
    // The first claim of a key within this commit wins; a second copy in the same commit is a duplicate.
    // `slot[i][j]` is the position of batch[i]'s event j among the rows inserted, or -1 for a copy.
    const claimed = new Set<string>();
    const slots: Int32Array[] = [];
    const toInsert: DeviceEventRow[] = [];
    for (const p of batch) {
      const mine = new Int32Array(p.events.length);
      for (let j = 0; j < p.events.length; j++) {
        const e = p.events[j]!;
        const key = e.device_id + '\n' + e.event_id;
        if (claimed.has(key)) mine[j] = -1;
        else {
          claimed.add(key);
          mine[j] = toInsert.length;
          toInsert.push(e);
        }
      }
      slots.push(mine);
    }
    // Snapshot rows go in with every copy of their event: a retry after a crash between commit and
    // acknowledgement still finds them, and the (device, event, seq) key keeps them single.
    const snapshots = batch.length === 1 ? batch[0]!.snapshots : batch.flatMap((p) => p.snapshots);
    const inserted = await eventsRepo.insertBatch(this.db, toInsert, snapshots);
    let count = 0;
    for (const ok of inserted) if (ok) count++;
    this.stats.commits++;
    this.stats.rows += count;
    if (rows > this.stats.maxBatch) this.stats.maxBatch = rows;
    batch.forEach((p, i) => {
      const mine = slots[i]!;
      const stored = new Array<boolean>(mine.length);
      for (let j = 0; j < mine.length; j++) stored[j] = mine[j]! >= 0 && inserted[mine[j]!] === true;
      p.resolve(stored);
    });
  }

  /** Resolves when nothing is queued or being written (graceful shutdown, tests). */
  async idle(): Promise<void> {
    while (this.queue.length > 0 || this.active > 0) await new Promise((r) => setTimeout(r, 2));
  }
}
