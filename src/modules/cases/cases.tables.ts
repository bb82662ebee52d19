// Tables of the cases module (migration 0003_cases). Timestamps: ISO-8601 UTC text; booleans: 0/1; JSON: text.

export interface MediationCentreRow {
  id: string;
  /** One centre per area: the city, a county or a town. */
  area_code: string;
  level: 'city' | 'county' | 'town';
  name: string;
  /** The leader responsible (包案领导) for difficult cases handled here; required at county level. */
  leader_name: string | null;
  /** The centre's public duty phone (not personal data). */
  phone: string | null;
  address: string | null;
  active: number;
  created_at: string;
  updated_at: string;
}

export interface MediatorRow {
  id: string;
  centre_id: string;
  /** The mediator's account, for the phone view and signing for cases; null for mediators without one. */
  user_id: string | null;
  name: string;
  /** Encrypted phone number. */
  phone_enc: string | null;
  /** The area served: the centre's own area, or the village a backpack mediator is attached to. */
  area_code: string;
  kind: 'centre' | 'backpack' | 'specialist';
  /** JSON array of case types. */
  specialities: string;
  /** How many open cases the mediator can carry. */
  capacity: number;
  active: number;
  created_at: string;
  updated_at: string;
}

export interface CaseDepartmentRow {
  id: string;
  area_code: string;
  name: string;
  kind: string;
  contact: string | null;
  created_at: string;
}

export interface CaseRow {
  id: string;
  /** One readable code per case: MJ430523-20260522-0001. */
  code: string;
  title: string;
  type: string;
  risk: string;
  state: string;
  channel: string;
  /** Where the dispute is (a village, town or county code). */
  area_code: string;
  place: string | null;
  lon: number | null;
  lat: number | null;
  summary: string;
  people_count: number | null;
  /** Yuan. */
  amount_involved: number | null;
  centre_id: string;
  level: string;
  mediator_id: string | null;
  responsible_leader: string | null;
  deadline_at: string;
  /** The period the current deadline was set for (days), for reminders. */
  deadline_days: number;
  extension_count: number;
  /** First time the case went past its deadline; stays set (it counts in the overdue rate). */
  overdue_at: string | null;
  escalation_count: number;
  outcome: string | null;
  outcome_note: string | null;
  concluded_at: string | null;
  days_to_conclude: number | null;
  followed_up_at: string | null;
  satisfaction: number | null;
  rated_at: string | null;
  mass_stage: string | null;
  amount_recovered: number | null;
  report_count: number;
  /** Day of intake in Asia/Shanghai (YYYY-MM-DD), for figures by month without engine date functions. */
  intake_day: string;
  /** Bumped by every change: a change applies only to the version its author read (optimistic locking). */
  version: number;
  created_by: string | null;
  created_by_name: string;
  created_at: string;
  updated_at: string;
}

export interface CasePartyRow {
  id: string;
  case_id: string;
  /** Order as entered (the applicant first, as a rule). */
  position: number;
  role: string;
  /** Personal data: encrypted, with keyed blind indexes for finding a second report of the same dispute. */
  name_enc: string;
  name_index: string;
  id_number_enc: string | null;
  id_number_index: string | null;
  phone_enc: string | null;
  phone_index: string | null;
  sex: string | null;
  created_at: string;
}

export interface CaseReportRow {
  id: string;
  case_id: string;
  channel: string;
  /** The alert a case came from (unique: an alert becomes at most one case). */
  source_ref: string | null;
  reporter_enc: string | null;
  summary: string;
  reported_at: string;
  created_by_name: string;
}

export interface CaseEventRow {
  id: string;
  case_id: string;
  seq: number;
  at: string;
  actor_id: string | null;
  actor_name: string;
  action: string;
  from_state: string | null;
  to_state: string | null;
  detail: string | null;
}

export interface CaseTimerRow {
  id: string;
  case_id: string;
  kind: 'reminder' | 'overdue';
  due_at: string;
  created_at: string;
  fired_at: string | null;
  cancelled_at: string | null;
}

export interface CaseAttachmentRow {
  id: string;
  case_id: string;
  name: string;
  content_type: string;
  size: number;
  sha256: string;
  data: Buffer;
  created_at: string;
  created_by_name: string;
}

export interface CaseDepartmentLinkRow {
  case_id: string;
  department_id: string;
  note: string | null;
  added_at: string;
  added_by_name: string;
}

export interface CaseCounterRow {
  series: string;
  value: number;
}

export interface CaseTables {
  mediation_centres: MediationCentreRow;
  mediators: MediatorRow;
  case_departments: CaseDepartmentRow;
  cases: CaseRow;
  case_parties: CasePartyRow;
  case_reports: CaseReportRow;
  case_events: CaseEventRow;
  case_timers: CaseTimerRow;
  case_attachments: CaseAttachmentRow;
  case_department_links: CaseDepartmentLinkRow;
  case_counters: CaseCounterRow;
}
