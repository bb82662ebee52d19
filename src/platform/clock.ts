// Time is injected: services read the clock, tests move a fake one.

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export class FakeClock implements Clock {
  private t: number;
  constructor(start: Date | string = '2026-05-22T06:00:00.000Z') {
    this.t = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.t);
  }
  advance(ms: number): void {
    this.t += ms;
  }
  set(at: Date | string): void {
    this.t = new Date(at).getTime();
  }
}

/** Timestamps are stored as ISO 8601 UTC strings (`2026-05-22T06:03:00.000Z`) on both engines: they sort as text. */
export function iso(d: Date): string {
  return d.toISOString();
}

// Local time is Asia/Shanghai: UTC+8 all year (China has no daylight-saving time), so a fixed offset is exact.
const SHANGHAI_OFFSET_MS = 8 * 3600_000;

/** The calendar day in Asia/Shanghai: `2026-05-22`. */
export function shanghaiDay(at: Date): string {
  return new Date(at.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

/** Asia/Shanghai wall time to the minute, for texts people read: `2026-05-22 14:03`. */
export function shanghaiDateTime(at: Date | string): string {
  const l = new Date(new Date(at).getTime() + SHANGHAI_OFFSET_MS).toISOString();
  return `${l.slice(0, 10)} ${l.slice(11, 16)}`;
}
