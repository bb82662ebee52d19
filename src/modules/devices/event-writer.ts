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
}

export class EventWriter {
  private queue: Pending[] = [];
  private queuedRows = 0;
  private active = 0;
  private scheduled = false;
  readonly stats: EventWriterStats = { commits: 0, rows: 0, maxBatch: 0 };

  constructor(
    private readonly db: Db,
    private readonly opts: { maxRows: number; concurrency: number } = { maxRows: 5000, concurrency: db.dialect.writeConcurrency },
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
      // The first claim of a key within this commit wins; a second copy in the same commit is a duplicate.
      const claimed = new Set<string>();
      const owners: boolean[][] = [];
      const toInsert: DeviceEventRow[] = [];
      for (const p of batch) {
        const mine: boolean[] = [];
        for (const e of p.events) {
          const key = e.device_id + '\n' + e.event_id;
          const first = !claimed.has(key);
          if (first) {
            claimed.add(key);
            toInsert.push(e);
          }
          mine.push(first);
        }
        owners.push(mine);
      }
      // Snapshot rows go in with every copy of their event: a retry after a crash between commit and
      // acknowledgement still finds them, and the (device, event, seq) key keeps them single.
      const inserted = await eventsRepo.insertBatch(this.db, toInsert, batch.flatMap((p) => p.snapshots));
      this.stats.commits++;
      this.stats.rows += inserted.size;
      if (rows > this.stats.maxBatch) this.stats.maxBatch = rows;
      batch.forEach((p, i) => {
        const mine = owners[i]!;
        p.resolve(p.events.map((e, j) => mine[j]! && inserted.has(e.device_id + '\n' + e.event_id)));
      });
    } catch (err) {
      for (const p of batch) p.reject(err);
    } finally {
      this.active--;
      this.schedule();
    }
  }

  /** Resolves when nothing is queued or being written (graceful shutdown, tests). */
  async idle(): Promise<void> {
    while (this.queue.length > 0 || this.active > 0) await new Promise((r) => setTimeout(r, 2));
  }
}
