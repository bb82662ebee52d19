// Time-ordered ids (UUID version 7: 48 bits of milliseconds, then random bits) for the high-volume tables:
// new rows land at the end of the primary-key index instead of at random places in it, which keeps bulk inserts
// fast on both engines, and the ids sort by arrival.
import crypto from 'node:crypto';

let lastMs = 0;
let seq = 0;

export function newTimeOrderedId(nowMs: number = Date.now()): string {
  // Within one millisecond a 12-bit counter keeps ids increasing (RFC 9562, method 1).
  if (nowMs <= lastMs) {
    seq++;
    if (seq > 0xfff) {
      lastMs++;
      seq = 0;
    }
  } else {
    lastMs = nowMs;
    seq = 0;
  }
  // randomUUID draws from a cached entropy pool (randomBytes per id was a seventh of the ingest CPU); its
  // variant and random bits are kept, the first 64 bits replaced by the time, the version and the counter.
  const u = crypto.randomUUID();
  const ts = lastMs.toString(16).padStart(12, '0');
  return `${ts.slice(0, 8)}-${ts.slice(8, 12)}-7${seq.toString(16).padStart(3, '0')}-${u.slice(19)}`;
}
