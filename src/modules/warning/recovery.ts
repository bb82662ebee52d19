// Recovery of rule evaluation. Ingest commits an event, then hands it to the engine over the in-process bus; a
// process that dies in between (or while the rules run) would never evaluate it. So the engine keeps, durably and per
// node, a position in the stored events: every event with a smaller id has been evaluated. On start, the events from
// the stored position up to the start are evaluated again (idempotently: firings, alerts and notifications are
// unique per event, sliding windows recognise an event counted before).
//
// device_events ids are time-ordered (UUIDv7: milliseconds first), but not in commit order: an id is taken before
// its commit, and concurrent commits (PostgreSQL, several nodes) become visible in any order. So the position stays
// `lagMs` behind the oldest event still being evaluated (or behind now): an event committed and delivered within
// `lagMs` of taking its id is never skipped. Positions are id prefixes (`tttttttt-tttt`), compared as text.
import type { Platform } from '../../platform/context.ts';
import { rulesRepo } from './rules.repo.ts';

/** The id prefix of a time-ordered id taken at `ms`: every id taken at or after `ms` sorts after it. */
export function positionAt(ms: number): string {
  const hex = Math.max(0, Math.floor(ms)).toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}`;
}

/** When a time-ordered id was taken (ms), or null for an id of another form. */
export function timeOfId(id: string): number | null {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-7/.test(id)) return null;
  return parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}

export class EvaluationCursor {
  /** Events being evaluated (or waiting for a retry): id → the time in the id. */
  private readonly inFlight = new Map<string, number>();
  /** While stored events are evaluated again after a start: the replay has done every event below this id. */
  private floor: string | null = null;
  private saved: string | null = null;
  private saving: Promise<void> = Promise.resolve();

  constructor(
    private readonly p: Platform,
    readonly name: string,
    private readonly lagMs: number,
  ) {}

  /** Marks an event as being evaluated; false when it is already (the live delivery and the replay met). */
  begin(id: string): boolean {
    if (this.inFlight.has(id)) return false;
    this.inFlight.set(id, timeOfId(id) ?? Date.now());
    return true;
  }

  end(id: string): void {
    this.inFlight.delete(id);
  }

  /** The replay has evaluated every event of its range below `id` (null: the replay is over). */
  replayedUpTo(id: string | null): void {
    this.floor = id;
  }

  /** Every stored event with a smaller id has been evaluated (or was delivered later than the lag allows). */
  position(nowMs: number = Date.now()): string {
    let low = nowMs;
    for (const t of this.inFlight.values()) if (t < low) low = t;
    const live = positionAt(low - this.lagMs);
    return this.floor !== null && this.floor < live ? this.floor : live;
  }

  /** The stored position, or null before the first start. */
  async load(): Promise<string | null> {
    const row = await rulesRepo.cursor(this.p.db.kysely, this.name);
    this.saved = row?.position ?? null;
    return this.saved;
  }

  /** Stores the position (when it has moved). Saves run one after the other, so the last one computed wins. */
  save(position?: string): Promise<void> {
    const next = this.saving.then(async () => {
      const at = position ?? this.position();
      if (at === this.saved) return;
      await rulesRepo.setCursor(this.p.db.kysely, { name: this.name, position: at, updated_at: this.p.clock.now().toISOString() });
      this.saved = at;
    });
    this.saving = next.catch(() => undefined);
    return next;
  }
}
