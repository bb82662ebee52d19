export interface AuditRow {
  id: string;
  at: string;
  actor_id: string | null;
  actor_name: string;
  ip: string | null;
  /** Dotted verb: `user.create`, `pii.read`, `area.create`, `auth.login` … */
  action: string;
  entity_type: string;
  entity_id: string | null;
  /** The area the record belongs to, so that audit reads are scoped like everything else. */
  area_code: string | null;
  /** JSON text with what changed or what was read (never the personal data itself). */
  detail: string | null;
}

export interface AuditTables {
  audit_log: AuditRow;
}
