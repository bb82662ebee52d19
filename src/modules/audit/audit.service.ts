// The audit trail: every change and every read of personal data, with who, when, what and from where.
// Records are written in the same transaction as the change they describe, and the table is append-only
// at the engine level (migration 0001), so neither the API nor a bug can rewrite history.
import type { Actor } from '../../platform/access.ts';
import type { Clock } from '../../platform/clock.ts';
import { newId } from '../../platform/crypto.ts';
import type { Executor } from '../../platform/db/database.ts';
import { auditRepo, type AuditQuery } from './audit.repo.ts';
import type { AuditRow } from './audit.tables.ts';

export interface AuditEntry {
  action: string;
  entityType: string;
  entityId?: string | null;
  areaCode?: string | null;
  detail?: Record<string, unknown>;
}

export interface AuditRecord {
  id: string;
  at: string;
  actorId: string | null;
  actorName: string;
  ip: string | null;
  action: string;
  entityType: string;
  entityId: string | null;
  areaCode: string | null;
  detail: Record<string, unknown> | null;
}

export class AuditService {
  constructor(private readonly clock: Clock) {}

  async record(db: Executor, actor: Actor, entry: AuditEntry): Promise<void> {
    await auditRepo.insert(db, this.row(actor, entry, this.clock.now().toISOString()));
  }

  /** Several records by one actor at once (one statement), in the caller's transaction. */
  async recordMany(db: Executor, actor: Actor, entries: readonly AuditEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const at = this.clock.now().toISOString();
    await auditRepo.insertMany(db, entries.map((e) => this.row(actor, e, at)));
  }

  private row(actor: Actor, entry: AuditEntry, at: string): AuditRow {
    return {
      id: newId(),
      at,
      actor_id: actor.userId,
      actor_name: actor.username,
      ip: actor.ip,
      action: entry.action,
      entity_type: entry.entityType,
      entity_id: entry.entityId ?? null,
      area_code: entry.areaCode ?? null,
      detail: entry.detail ? JSON.stringify(entry.detail) : null,
    };
  }

  /** A read of personal data: what kind of record, whose, which fields. Never the values themselves. */
  async personalDataRead(db: Executor, actor: Actor, entityType: string, entityId: string, areaCode: string, fields: string[]): Promise<void> {
    await this.record(db, actor, { action: 'pii.read', entityType, entityId, areaCode, detail: { fields } });
  }

  async list(db: Executor, q: AuditQuery): Promise<{ items: AuditRecord[]; total: number }> {
    const { rows, total } = await auditRepo.list(db, q);
    return { items: rows.map(present), total };
  }
}

function present(r: AuditRow): AuditRecord {
  return {
    id: r.id,
    at: r.at,
    actorId: r.actor_id,
    actorName: r.actor_name,
    ip: r.ip,
    action: r.action,
    entityType: r.entity_type,
    entityId: r.entity_id,
    areaCode: r.area_code,
    detail: r.detail ? (JSON.parse(r.detail) as Record<string, unknown>) : null,
  };
}
