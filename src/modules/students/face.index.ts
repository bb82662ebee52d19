// The in-memory 1:N face index of one county.
//
// Why not a plain scan of one Float32Array: a face embedding here has 1,024 dimensions, so one query over 100,000
// faces is 10^8 multiply-adds (≈130 ms in JavaScript on this machine) and over 1,000,000 faces it reads 4 GB of
// memory — no scan of full vectors can answer in 2 ms / 10 ms. So the search has two stages:
//   1. every face also has a 256-bit code (SimHash: the signs of a fixed random rotation of the vector); the Hamming
//      distance between two codes estimates the angle between the vectors. The query's code is compared with all
//      codes (32 bytes per face: 32 MB for a million) by a small WebAssembly kernel (hamming.wat: i64.popcnt is one
//      instruction), and the `candidates` nearest are kept;
//   2. those candidates are scored exactly (cosine similarity of the normalised vectors) and the best returned.
// The exact scores are what the threshold is applied to. A true match can be missed only if its code is farther
// than the `candidates`-th code, which for a real match (cosine ≥ 0.7) against strangers is rare; the benchmark
// measures the recall. Small libraries (≤ candidates faces) are scanned exactly.
//
// Vectors are kept normalised in fixed-size Float32Array chunks (adding never copies the library); a removal moves
// the last face into the freed slot.

import { HAMMING_WASM } from './hamming.wasm.ts';

const CODE_BITS = 256;
const WORDS = CODE_BITS / 32;
const CHUNK_SHIFT = 14;
// Layout of each index's WebAssembly memory: the histogram, the query's code, then the codes (they stay in place
// when the memory grows), then scratch space for the distances and the candidates.
const HIST_OFF = 0;
const QUERY_OFF = 1536;
const CODES_OFF = 2048;
const PAGE = 65536;
// The WebAssembly global as far as used here (the project's type libraries describe no DOM).
const wasm = (globalThis as unknown as { WebAssembly: { Module: new (bytes: Uint8Array) => object; Instance: new (m: object) => { exports: unknown } } }).WebAssembly;
const hammingModule = new wasm.Module(Buffer.from(HAMMING_WASM, 'base64'));

interface HammingKernel {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  scan(codes: number, n: number, query: number, dist: number, hist: number): void;
  collect(dist: number, n: number, cutoff: number, ties: number, out: number): number;
}
const CHUNK_ROWS = 1 << CHUNK_SHIFT;
const CHUNK_MASK = CHUNK_ROWS - 1;

export interface FaceHit {
  faceId: string;
  studentId: string;
  score: number;
}

/** A fixed pseudo-random rotation (two rounds of random signs + Walsh–Hadamard), seeded so that codes are stable. */
class Projector {
  private readonly size: number;
  private readonly signs1: Float32Array;
  private readonly signs2: Float32Array;
  private readonly pick: Uint32Array;
  private readonly buf: Float32Array;

  constructor(readonly dim: number) {
    let size = 1;
    while (size < Math.max(dim, CODE_BITS)) size <<= 1;
    this.size = size;
    const rnd = mulberry32(0x5f3759df ^ dim);
    this.signs1 = Float32Array.from({ length: size }, () => (rnd() < 0.5 ? -1 : 1));
    this.signs2 = Float32Array.from({ length: size }, () => (rnd() < 0.5 ? -1 : 1));
    const order = Array.from({ length: size }, (_, i) => i);
    for (let i = size - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    this.pick = Uint32Array.from(order.slice(0, CODE_BITS));
    this.buf = new Float32Array(size);
  }

  code(v: Float32Array, out: Uint32Array, at: number): void {
    const x = this.buf;
    const n = this.size;
    for (let i = 0; i < n; i++) x[i] = i < this.dim ? v[i]! * this.signs1[i]! : 0;
    fwht(x);
    for (let i = 0; i < n; i++) x[i] = x[i]! * this.signs2[i]!;
    fwht(x);
    for (let w = 0; w < WORDS; w++) {
      let word = 0;
      for (let b = 0; b < 32; b++) if (x[this.pick[w * 32 + b]!]! > 0) word |= 1 << b;
      out[at + w] = word >>> 0;
    }
  }
}

function fwht(x: Float32Array): void {
  const n = x.length;
  for (let h = 1; h < n; h <<= 1) {
    for (let i = 0; i < n; i += h << 1) {
      for (let j = i; j < i + h; j++) {
        const a = x[j]!;
        const b = x[j + h]!;
        x[j] = a + b;
        x[j + h] = a - b;
      }
    }
  }
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FaceIndex {
  private n = 0;
  /** Rows the WebAssembly memory has room for. */
  private cap = 0;
  private codes = new Uint32Array(0);
  private readonly kernel: HammingKernel;
  private readonly chunks: Float32Array[] = [];
  private readonly faceIds: string[] = [];
  private readonly studentIds: string[] = [];
  private readonly slotOf = new Map<string, number>();
  private readonly projector: Projector;

  constructor(
    readonly dim: number,
    readonly candidates = 256,
  ) {
    this.projector = new Projector(dim);
    this.kernel = new wasm.Instance(hammingModule).exports as unknown as HammingKernel;
  }

  get size(): number {
    return this.n;
  }

  has(faceId: string): boolean {
    return this.slotOf.has(faceId);
  }

  /** Adds a face (or replaces the vector of one already there). */
  add(faceId: string, studentId: string, vector: ArrayLike<number>): void {
    const v = this.normalise(vector);
    let slot = this.slotOf.get(faceId);
    if (slot === undefined) {
      slot = this.n++;
      this.grow(this.n);
      this.slotOf.set(faceId, slot);
    }
    this.faceIds[slot] = faceId;
    this.studentIds[slot] = studentId;
    this.rowOf(slot).set(v);
    this.projector.code(v, this.codes, slot * WORDS);
  }

  remove(faceId: string): boolean {
    const slot = this.slotOf.get(faceId);
    if (slot === undefined) return false;
    const last = this.n - 1;
    if (slot !== last) {
      this.rowOf(slot).set(this.rowOf(last));
      this.codes.copyWithin(slot * WORDS, last * WORDS, last * WORDS + WORDS);
      this.faceIds[slot] = this.faceIds[last]!;
      this.studentIds[slot] = this.studentIds[last]!;
      this.slotOf.set(this.faceIds[slot], slot);
    }
    this.faceIds.length = last;
    this.studentIds.length = last;
    this.slotOf.delete(faceId);
    this.n = last;
    return true;
  }

  /** The `k` most similar faces, best first, with their cosine similarity. */
  search(query: ArrayLike<number>, k = 1): FaceHit[] {
    if (this.n === 0) return [];
    const q = this.normalise(query);
    const slots = this.n <= this.candidates ? null : this.nearestCodes(q);
    const best: FaceHit[] = [];
    const consider = (slot: number) => {
      const score = this.dot(q, slot);
      if (best.length < k || score > best[best.length - 1]!.score) {
        best.push({ faceId: this.faceIds[slot]!, studentId: this.studentIds[slot]!, score });
        best.sort((a, b) => b.score - a.score);
        if (best.length > k) best.pop();
      }
    };
    if (slots) for (const s of slots) consider(s);
    else for (let s = 0; s < this.n; s++) consider(s);
    return best;
  }

  /** Stage 1: the slots of the `candidates` codes nearest to the query's (Hamming distance). */
  private nearestCodes(q: Float32Array): Uint32Array {
    const buffer = this.kernel.memory.buffer;
    const hist = new Uint32Array(buffer, HIST_OFF, CODE_BITS + 1);
    hist.fill(0);
    this.projector.code(q, new Uint32Array(buffer, QUERY_OFF, WORDS), 0);
    const distOff = this.distOffset();
    const outOff = distOff + align8(this.cap * 2);
    this.kernel.scan(CODES_OFF, this.n, QUERY_OFF, distOff, HIST_OFF);
    // The cut-off distance that keeps `candidates` codes: all nearer ones, then ties until full.
    let cutoff = 0;
    let below = 0;
    for (; cutoff <= CODE_BITS; cutoff++) {
      if (below + hist[cutoff]! >= this.candidates) break;
      below += hist[cutoff]!;
    }
    const m = this.kernel.collect(distOff, this.n, cutoff, this.candidates - below, outOff);
    return new Uint32Array(buffer, outOff, m).slice();
  }

  private dot(q: Float32Array, slot: number): number {
    const chunk = this.chunks[slot >>> CHUNK_SHIFT]!;
    const off = (slot & CHUNK_MASK) * this.dim;
    const d = this.dim;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let j = 0;
    for (; j + 3 < d; j += 4) {
      s0 += chunk[off + j]! * q[j]!;
      s1 += chunk[off + j + 1]! * q[j + 1]!;
      s2 += chunk[off + j + 2]! * q[j + 2]!;
      s3 += chunk[off + j + 3]! * q[j + 3]!;
    }
    for (; j < d; j++) s0 += chunk[off + j]! * q[j]!;
    return s0 + s1 + s2 + s3;
  }

  private rowOf(slot: number): Float32Array {
    const chunk = this.chunks[slot >>> CHUNK_SHIFT]!;
    const off = (slot & CHUNK_MASK) * this.dim;
    return chunk.subarray(off, off + this.dim);
  }

  private grow(rows: number): void {
    // The first chunk starts small and doubles (a village school's library should not take 64 MB); later chunks
    // are allocated whole and never copied.
    const first = this.chunks[0];
    const firstRows = first ? first.length / this.dim : 0;
    if (firstRows < CHUNK_ROWS && rows > firstRows) {
      let cap = Math.max(64, firstRows);
      while (cap < Math.min(rows, CHUNK_ROWS)) cap *= 2;
      const grown = new Float32Array(cap * this.dim);
      if (first) grown.set(first);
      this.chunks[0] = grown;
    }
    while (this.chunks.length * CHUNK_ROWS < rows) this.chunks.push(new Float32Array(CHUNK_ROWS * this.dim));
    if (rows > this.cap) {
      const cap = Math.max(1024, this.cap * 2, rows);
      const needed = CODES_OFF + cap * WORDS * 4 + align8(cap * 2) + this.candidates * 4;
      const have = this.kernel.memory.buffer.byteLength;
      if (needed > have) this.kernel.memory.grow(Math.ceil((needed - have) / PAGE));
      this.cap = cap;
      // Growing detaches the old buffer: views are made again (the codes themselves stay where they were).
      this.codes = new Uint32Array(this.kernel.memory.buffer, CODES_OFF, cap * WORDS);
    }
  }

  private distOffset(): number {
    return CODES_OFF + this.cap * WORDS * 4;
  }

  /** A unit-length copy; refuses vectors of the wrong length, with no length, or with NaN. */
  private normalise(v: ArrayLike<number>): Float32Array {
    if (v.length !== this.dim) throw new RangeError(`a face vector has ${this.dim} values, not ${v.length}`);
    let s = 0;
    for (let i = 0; i < this.dim; i++) s += v[i]! * v[i]!;
    const norm = Math.sqrt(s);
    if (!(norm > 0) || !Number.isFinite(norm)) throw new RangeError('a face vector must be finite and not all zero');
    const out = new Float32Array(this.dim);
    for (let i = 0; i < this.dim; i++) out[i] = v[i]! / norm;
    return out;
  }
}

function align8(n: number): number {
  return (n + 7) & ~7;
}
