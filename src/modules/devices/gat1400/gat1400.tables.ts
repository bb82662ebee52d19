export interface Gat1400RegistrationRow {
  /** The 20-digit DeviceID the device registered with. */
  gb_id: string;
  device_id: string;
  registered_at: string;
  last_seen_at: string;
  ip: string | null;
}

export interface Gat1400Tables {
  gat1400_registrations: Gat1400RegistrationRow;
}
