// Face enrolment and 1:N identification over a county's enrolled faces. Each county's faces live in memory in a
// FaceIndex, loaded from the database on first use (or at start: warmUp) and kept in step with enrolments and
// removals made through this service. Embeddings are stored encrypted; photos are not stored at all.
// Several nodes: each node keeps its own indexes; an enrolment or removal emits 'face.changed', which the NATS bus
// carries to the other nodes, and they drop that county's index (loaded again at the next search;
// modules/system/cluster.sync.ts).
import { performance } from 'node:perf_hooks';
import type { Actor } from '../../platform/access.ts';
import { inScope, requirePermission } from '../../platform/access.ts';
import type { Platform } from '../../platform/context.ts';
import { newId } from '../../platform/crypto.ts';
import { errors } from '../../platform/errors.ts';
import { HumanEmbedder, NoEmbedder, type DetectedFace, type FaceEmbedder } from './face.embedder.ts';
import { FaceIndex } from './face.index.ts';
import { studentsRepo } from './students.repo.ts';
import type { IdentifyView } from './students.schema.ts';
import type { StudentsService } from './students.service.ts';

export interface IdentifyInput {
  countyCode: string;
  feature?: ArrayLike<number> | undefined;
  image?: Buffer | undefined;
  threshold?: number | undefined;
  trace?: { alertId?: string | undefined; eventId?: string | undefined } | undefined;
  /** Names and phones in full (audited). Default: only for the system actor (the rule engine writing to guardians). */
  reveal?: boolean | undefined;
}

const PAGE = 2000;

declare module '../../platform/bus.ts' {
  interface DomainEvents {
    /** Faces of this county were enrolled or removed (other nodes drop their index of it). */
    'face.changed': { countyCode: string };
  }
}

export class FacesService {
  readonly embedder: FaceEmbedder;
  private readonly indexes = new Map<string, Promise<FaceIndex>>();

  constructor(
    private readonly p: Platform,
    private readonly students: StudentsService,
    embedder?: FaceEmbedder,
  ) {
    this.embedder = embedder ?? (p.config.faceModel === 'human' ? new HumanEmbedder() : new NoEmbedder());
  }

  /** Loads every county's index (at start, in the background), so that the first search is fast. */
  async warmUp(): Promise<void> {
    const counties = await studentsRepo.faceCountsByCounty(this.p.db.kysely, '', this.embedder.model);
    for (const c of counties) await this.index(c.countyCode);
  }

  async stats(actor: Actor) {
    requirePermission(actor, 'students:read');
    const counties = await studentsRepo.faceCountsByCounty(this.p.db.kysely, actor.scope, this.embedder.model);
    return {
      counties: counties.map((c) => ({ ...c, loaded: this.indexes.has(c.countyCode) })),
      model: this.embedder.model,
      dim: this.embedder.dim,
      threshold: this.p.config.faceMatchThreshold,
    };
  }

  // ---- enrolment -----------------------------------------------------------------------------------------------

  async enrol(actor: Actor, studentId: string, input: { image?: Buffer | undefined; feature?: ArrayLike<number> | undefined }) {
    requirePermission(actor, 'students:write');
    const s = await this.students.studentRow(actor, studentId);
    if (s.status !== 'active') throw errors.invalidState('student.not_active', 'Faces are enrolled for current students only.');
    let vector: Float32Array;
    let quality: number | null = null;
    if (input.feature) {
      vector = this.checkFeature(input.feature);
    } else {
      const faces = await this.embedder.embed(input.image!);
      if (faces.length === 0) throw errors.validation('face.none_found', 'No face was found in the photo.', [{ field: 'image', message: 'no face' }]);
      if (faces.length > 1) throw errors.validation('face.multiple_faces', `The photo shows ${faces.length} faces; enrol from a photo of the student alone.`, [{ field: 'image', message: 'several faces' }]);
      vector = faces[0]!.embedding;
      quality = faces[0]!.score;
    }
    const county = s.area_code.slice(0, 6);
    const id = newId();
    const now = this.p.clock.now().toISOString();
    await this.p.db.kysely.transaction().execute(async (trx) => {
      await studentsRepo.insertFace(trx, {
        id, student_id: s.id, area_code: s.area_code, county_code: county, model: this.embedder.model, dim: vector.length,
        embedding_enc: this.p.pii.encrypt(Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString('base64')),
        source: input.feature ? 'feature' : 'photo', quality, created_by: actor.username, created_at: now,
      });
      await this.p.audit.record(trx, actor, { action: 'face.enrol', entityType: 'student', entityId: s.id, areaCode: s.area_code, detail: { faceId: id, source: input.feature ? 'feature' : 'photo' } });
    });
    await this.whenLoaded(county, (idx) => idx.add(id, s.id, vector));
    this.p.bus.emit('face.changed', { countyCode: county });
    return { id, model: this.embedder.model, source: input.feature ? 'feature' : 'photo', quality, createdAt: now, createdBy: actor.username };
  }

  async removeFace(actor: Actor, faceId: string): Promise<void> {
    requirePermission(actor, 'students:write');
    const f = await studentsRepo.getFace(this.p.db.kysely, faceId);
    if (!f || !inScope(actor, f.area_code)) throw errors.notFound('face', faceId);
    await this.p.db.kysely.transaction().execute(async (trx) => {
      await studentsRepo.deleteFace(trx, faceId);
      await this.p.audit.record(trx, actor, { action: 'face.delete', entityType: 'student', entityId: f.student_id, areaCode: f.area_code, detail: { faceId } });
    });
    await this.whenLoaded(f.county_code, (idx) => idx.remove(faceId));
    this.p.bus.emit('face.changed', { countyCode: f.county_code });
  }

  /** Drops faces from the in-memory index after they were deleted in the database (a student who left). */
  async forget(countyCode: string, faceIds: string[]): Promise<void> {
    await this.whenLoaded(countyCode, (idx) => faceIds.forEach((id) => idx.remove(id)));
    this.p.bus.emit('face.changed', { countyCode });
  }

  /** Forgets a county's index (or all): another node changed its faces; the next search loads it again. */
  dropIndex(countyCode?: string): void {
    if (countyCode === undefined) this.indexes.clear();
    else this.indexes.delete(countyCode);
  }

  // ---- identification ------------------------------------------------------------------------------------------

  async identify(actor: Actor, input: IdentifyInput): Promise<IdentifyView> {
    requirePermission(actor, 'students:read');
    const county = input.countyCode;
    const area = await this.p.db.kysely.selectFrom('areas').select(['code', 'level']).where('code', '=', county).executeTakeFirst();
    if (!area || area.level !== 'county' || !inScope(actor, county)) throw errors.notFound('county', county);
    const reveal = input.reveal ?? actor.kind === 'system';
    if (reveal) requirePermission(actor, 'pii:reveal');
    const threshold = input.threshold ?? this.p.config.faceMatchThreshold;

    let vector: Float32Array | null = null;
    let facesInImage: number | null = null;
    if (input.feature) vector = this.checkFeature(input.feature);
    else {
      const faces = await this.embedder.embed(input.image!);
      facesInImage = faces.length;
      vector = largest(faces)?.embedding ?? null;
    }
    const index = await this.index(county);
    const t0 = performance.now();
    const best = vector && index.size > 0 ? index.search(vector, 1)[0] : undefined;
    const tookMs = Math.round((performance.now() - t0) * 1000) / 1000;
    const matched = best !== undefined && best.score >= threshold;
    const db = this.p.db.kysely;
    let match: IdentifyView['match'] = null;
    if (matched) {
      const s = await studentsRepo.getStudent(db, best.studentId);
      if (s) {
        const contacts = await this.students.contacts(db, s, reveal);
        match = { faceId: best.faceId, score: round(best.score), student: this.students.presentStudent(s, reveal), ...contacts };
      }
    }
    const searchId = newId();
    await db.transaction().execute(async (trx) => {
      await studentsRepo.insertSearch(trx, {
        id: searchId, county_code: county, area_code: match?.student.areaCode ?? county, source: input.feature ? 'feature' : 'image',
        student_id: match?.student.id ?? null, face_id: match?.faceId ?? null, score: match?.score ?? null, best_score: best ? round(best.score) : null,
        threshold, library_size: index.size, took_ms: tookMs, alert_id: input.trace?.alertId ?? null, event_id: input.trace?.eventId ?? null,
        actor_name: actor.username, created_at: this.p.clock.now().toISOString(),
      });
      if (actor.kind === 'user' || (match && reveal)) {
        await this.p.audit.record(trx, actor, {
          action: match && reveal ? 'pii.read' : 'face.identify', entityType: 'student', entityId: match?.student.id ?? null, areaCode: match?.student.areaCode ?? county,
          detail: { searchId, matched: !!match, score: match?.score ?? null, ...(match && reveal ? { fields: ['name', 'guardians', 'classTeacher'] } : {}) },
        });
      }
    });
    return {
      matched: !!match, score: best ? round(best.score) : null, threshold, librarySize: index.size, tookMs, model: this.embedder.model, facesInImage, searchId, match,
    };
  }

  private checkFeature(feature: ArrayLike<number>): Float32Array {
    if (feature.length !== this.embedder.dim) {
      throw errors.validation('face.feature_dim', `A face feature of model ${this.embedder.model} has ${this.embedder.dim} values, not ${feature.length}.`, [
        { field: 'feature', message: `expected ${this.embedder.dim} values` },
      ]);
    }
    const v = Float32Array.from(feature);
    let s = 0;
    for (const x of v) s += x * x;
    if (!(s > 0) || !Number.isFinite(s)) throw errors.validation('face.feature_invalid', 'A face feature must be finite and not all zero.', [{ field: 'feature', message: 'invalid' }]);
    return v;
  }

  // ---- the in-memory indexes -----------------------------------------------------------------------------------

  private index(county: string): Promise<FaceIndex> {
    let idx = this.indexes.get(county);
    if (!idx) {
      idx = this.load(county);
      this.indexes.set(county, idx);
      idx.catch(() => this.indexes.delete(county));
    }
    return idx;
  }

  private async load(county: string): Promise<FaceIndex> {
    const idx = new FaceIndex(this.embedder.dim);
    const t0 = performance.now();
    let after = '';
    for (;;) {
      const rows = await studentsRepo.facesOfCounty(this.p.db.kysely, county, this.embedder.model, after, PAGE);
      for (const r of rows) {
        const bytes = Buffer.from(this.p.pii.decrypt(r.embedding_enc), 'base64');
        // Copied: a Buffer from the shared pool need not be 4-byte aligned.
        idx.add(r.id, r.student_id, new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)));
      }
      if (rows.length < PAGE) break;
      after = rows[rows.length - 1]!.id;
    }
    if (idx.size > 0) this.p.log.info({ county, faces: idx.size, ms: Math.round(performance.now() - t0) }, 'face index loaded');
    return idx;
  }

  /** Applies a change to a county's index if it is loaded or loading; an unloaded index reads the change itself. */
  private async whenLoaded(county: string, change: (idx: FaceIndex) => void): Promise<void> {
    const idx = this.indexes.get(county);
    if (idx) change(await idx);
  }
}

function largest(faces: DetectedFace[]): DetectedFace | undefined {
  return [...faces].sort((a, b) => b.box[2] * b.box[3] - a.box[2] * a.box[3])[0];
}

function round(x: number): number {
  return Math.round(x * 10000) / 10000;
}
