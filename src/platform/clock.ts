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
