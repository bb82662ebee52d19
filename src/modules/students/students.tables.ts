// Student library tables. Personal fields are encrypted (`*_enc`, platform/crypto.ts) with blind indexes
// (`*_index`) for exact look-ups; lists show them masked.

export interface SchoolRow {
  id: string;
  area_code: string;
  name: string;
  /** primary, middle, nine_year, high, kindergarten, other */
  kind: string;
  address: string | null;
  lon: number | null;
  lat: number | null;
  created_at: string;
  updated_at: string;
}

export interface SchoolTeacherRow {
  id: string;
  school_id: string;
  area_code: string;
  name_enc: string;
  phone_enc: string | null;
  phone_index: string | null;
  /** The platform account of the teacher, when they have one (in-app notifications). */
  user_id: string | null;
  created_at: string;
  updated_at: string;
}

export interface SchoolClassRow {
  id: string;
  school_id: string;
  area_code: string;
  name: string;
  grade: number | null;
  /** The class teacher (班主任). */
  teacher_id: string | null;
  created_at: string;
  updated_at: string;
}

export interface StudentRow {
  id: string;
  school_id: string;
  class_id: string | null;
  area_code: string;
  name_enc: string;
  name_index: string;
  id_number_enc: string | null;
  id_number_index: string | null;
  gender: string | null;
  birth_year: number | null;
  /** active, left */
  status: string;
  created_at: string;
  updated_at: string;
}

export interface StudentGuardianRow {
  id: string;
  student_id: string;
  area_code: string;
  name_enc: string;
  phone_enc: string;
  phone_index: string;
  /** father, mother, grandparent, other */
  relation: string;
  /** 1 is called first. */
  priority: number;
  created_at: string;
  updated_at: string;
}

export interface StudentFaceRow {
  id: string;
  student_id: string;
  area_code: string;
  county_code: string;
  model: string;
  dim: number;
  /** Float32 little-endian bytes, base64, encrypted. */
  embedding_enc: string;
  /** photo (computed here) or feature (supplied by a device or an import). */
  source: string;
  quality: number | null;
  created_by: string;
  created_at: string;
}

export interface FaceSearchRow {
  id: string;
  county_code: string;
  area_code: string;
  /** feature or image */
  source: string;
  student_id: string | null;
  face_id: string | null;
  score: number | null;
  best_score: number | null;
  threshold: number;
  library_size: number;
  took_ms: number;
  alert_id: string | null;
  event_id: string | null;
  actor_name: string;
  created_at: string;
}

export interface StudentTables {
  schools: SchoolRow;
  school_teachers: SchoolTeacherRow;
  school_classes: SchoolClassRow;
  students: StudentRow;
  student_guardians: StudentGuardianRow;
  student_faces: StudentFaceRow;
  face_searches: FaceSearchRow;
}
