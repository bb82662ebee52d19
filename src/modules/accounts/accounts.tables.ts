export interface UserRow {
  id: string;
  username: string;
  display_name: string;
  role: string;
  area_code: string;
  password_hash: string;
  /** Phone number, encrypted (platform/crypto.ts); null when unknown. */
  phone_enc: string | null;
  /** Keyed hash of the phone number for exact look-ups without decrypting. */
  phone_index: string | null;
  disabled: number;
  created_at: string;
  updated_at: string;
}

export interface SessionRow {
  id: string;
  /** SHA-256 of the bearer secret; the secret itself is never stored. */
  token_hash: string;
  user_id: string;
  kind: 'session' | 'api';
  name: string | null;
  created_at: string;
  expires_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
  ip: string | null;
}

export interface LoginFailureRow {
  id: string;
  username: string;
  at: string;
  ip: string | null;
}

export interface AccountTables {
  users: UserRow;
  sessions: SessionRow;
  login_failures: LoginFailureRow;
}
