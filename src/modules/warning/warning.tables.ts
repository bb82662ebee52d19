// Tables of early warning (migration 0004_warning): zones, rules with their versions and stored evaluation state,
// alerts with their timeline, timers, attachments, responders and dispatches. Timestamps: ISO-8601 UTC text;
// booleans: 0/1; JSON: text.

export interface ZoneRow {
  id: string;
  /** Readable, unique code (devices may name it in their events' `zones`). */
  code: string;
  name: string;
  /** key_water, school, fire_unit, construction_site, household, … (zones.schema.ts). */
  kind: string;
  /** 1 (low) … 4 (very high). */
  risk_level: number;
  /** The smallest area containing the zone (a village, a town or a county): scoped reads filter by it. */
  area_code: string;
  /** GeoJSON Polygon or MultiPolygon as text. */
  geometry: string;
  min_lon: number;
  min_lat: number;
  max_lon: number;
  max_lat: number;
  /** JSON array of active periods (periods.ts); [] = always active. */
  active_periods: string;
  /** JSON array of device ids: the loudspeakers that cover the zone. */
  speaker_ids: string;
  description: string | null;
  /** Incremented on every edit; the spatial index of every node compares it. */
  version: number;
  created_at: string;
  updated_at: string;
}

export interface ZoneContactRow {
  id: string;
  zone_id: string;
  /** keeper, grid_worker, village_head, principal, police, household, fire_brigade. */
  role: string;
  /** A platform user, when the contact has an account (notified in-app and by their preferences). */
  user_id: string | null;
  /** Name of a contact without an account: encrypted (personal data). */
  name_enc: string | null;
  /** Phone, encrypted. */
  phone_enc: string | null;
  created_at: string;
}

export interface SchoolHolidayRow {
  id: string;
  /** The calendar applies to this area and everything in it (a county's education bureau sets it). */
  area_code: string;
  name: string;
  /** Inclusive local dates YYYY-MM-DD (Asia/Shanghai). */
  from_date: string;
  to_date: string;
  created_at: string;
}

export interface RuleRow {
  id: string;
  name: string;
  /** The rule applies to events in this area's subtree; it is read and edited by those whose scope covers it. */
  area_code: string;
  enabled: number;
  version: number;
  /** The validated definition (rules.schema.ts) as JSON. */
  definition: string;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export interface RuleVersionRow {
  rule_id: string;
  version: number;
  name: string;
  enabled: number;
  definition: string;
  created_by: string;
  created_at: string;
}

/** One row per rule that fired for one trigger: the unique key is what makes a re-delivered event a no-op. */
export interface RuleFiringRow {
  id: string;
  rule_id: string;
  rule_version: number;
  /** `event:<event id>` or `silence:<device id>:<last seen>`. */
  trigger_key: string;
  alert_id: string | null;
  fired_at: string;
}

/** A matching event counted in a rule's sliding window, per window key (zone, device or area). */
export interface RuleWindowHitRow {
  rule_id: string;
  window_key: string;
  event_id: string;
  at: string;
  /**
   * The event whose evaluation retired this hit (migration 0009): it made the window fire (every hit counted up to
   * then), or the hit fell out of its window. A retired hit no longer counts but stays for a while, so that an event
   * evaluated again (after a restart) is recognised and not counted twice. Null: the hit counts.
   */
  retired_by: string | null;
}

/** Where a node's rule evaluation has got to (migration 0009): every stored event with a smaller id is evaluated. */
export interface WarningCursorRow {
  name: string;
  /** A prefix of a time-ordered device_events id (`tttttttt-tttt`, milliseconds in hex). */
  position: string;
  updated_at: string;
}

export interface AlertRow {
  id: string;
  /** YJ430523-20260522-0001 */
  code: string;
  title: string;
  /** red, orange, yellow, blue (Chinese early-warning colours). */
  severity: string;
  /** raised, acknowledged, dispatched, on_scene, closed. */
  state: string;
  /** The administrative tier currently responsible: village, town, county, city (the escalation ladder). */
  tier: string;
  /** The area of that tier that contains the alert's area. */
  tier_area_code: string;
  area_code: string;
  subsystem: string;
  event_kind: string;
  rule_id: string | null;
  rule_version: number | null;
  /** Every rule that contributed (JSON array of ids): a second rule on the same event raises the same alert. */
  rule_ids: string;
  event_id: string | null;
  device_id: string | null;
  zone_id: string | null;
  zone_name: string | null;
  lon: number | null;
  lat: number | null;
  /** JSON array of snapshot ids. */
  snapshot_ids: string | null;
  /** JSON: the identification (student id, masked name, school, class, score) or null. */
  match: string | null;
  /** JSON: the escalation ladder in force (copied from the rule when raised). */
  ladder: string;
  /** Index of the ladder step reached. */
  ladder_step: number;
  raised_at: string;
  acknowledged_at: string | null;
  acknowledged_by: string | null;
  dispatched_at: string | null;
  on_scene_at: string | null;
  closed_at: string | null;
  closed_by: string | null;
  outcome: string | null;
  outcome_note: string | null;
  /** 1 when a "135" step was late. */
  overdue: number;
  updated_at: string;
}

export interface AlertStepRow {
  id: string;
  alert_id: string;
  at: string;
  /** raised, broadcast, speak, notified, identified, escalated, reminded, acknowledged, dispatched, answered,
   *  on_scene, closed, comment, attachment, overdue, upgraded. */
  action: string;
  actor_id: string | null;
  actor_name: string;
  /** JSON object or null. */
  detail: string | null;
}

export interface AlertAttachmentRow {
  id: string;
  alert_id: string;
  name: string;
  content_type: string;
  size: number;
  storage_key: string;
  created_by: string;
  created_at: string;
}

/** A stored due time. The sweeper claims a row (pending → done) and does its work in the same transaction. */
export interface AlertTimerRow {
  id: string;
  alert_id: string;
  /** escalate, remind, answer_due, on_scene_due. */
  kind: string;
  due_at: string;
  /** JSON object. */
  payload: string | null;
  /** pending, done, cancelled. */
  status: string;
  fired_at: string | null;
}

export interface ResponderRow {
  id: string;
  user_id: string | null;
  name: string;
  /** Encrypted phone. */
  phone_enc: string | null;
  /** fast_response (快警), auxiliary_police, keeper, rescue, fire_brigade, medical. */
  kind: string;
  area_code: string;
  lon: number | null;
  lat: number | null;
  position_at: string | null;
  available: number;
  created_at: string;
  updated_at: string;
}

export interface DispatchRow {
  id: string;
  alert_id: string;
  responder_id: string;
  area_code: string;
  distance_m: number | null;
  dispatched_at: string;
  dispatched_by: string;
  answer_due_at: string;
  on_scene_due_at: string;
  answered_at: string | null;
  on_scene_at: string | null;
  answer_overdue: number;
  on_scene_overdue: number;
  /** dispatched, answered, on_scene, cancelled. */
  state: string;
}

/** The last number of a day's alert codes in a county (series `YJ430523-20260522`). */
export interface AlertCounterRow {
  series: string;
  value: number;
}

/** A loudspeaker command sent for an alert; `failed_at` once its failure is on the alert's timeline. */
export interface AlertCommandRow {
  command_id: string;
  alert_id: string;
  device_id: string;
  text: string;
  repeat: number;
  created_at: string;
  failed_at: string | null;
}

export interface WarningTables {
  alert_commands: AlertCommandRow;
  alert_counters: AlertCounterRow;
  zones: ZoneRow;
  zone_contacts: ZoneContactRow;
  school_holidays: SchoolHolidayRow;
  rules: RuleRow;
  rule_versions: RuleVersionRow;
  rule_firings: RuleFiringRow;
  rule_window_hits: RuleWindowHitRow;
  warning_cursors: WarningCursorRow;
  alerts: AlertRow;
  alert_steps: AlertStepRow;
  alert_attachments: AlertAttachmentRow;
  alert_timers: AlertTimerRow;
  responders: ResponderRow;
  dispatches: DispatchRow;
}
