// The 18-character resident ID number (GB 11643): 6-digit area code, birth date YYYYMMDD, 3-digit sequence (odd for
// men, even for women), and an ISO 7064 MOD 11-2 check character.

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

export function idCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i]!;
  return CHECK[sum % 11]!;
}

export interface IdNumberFacts {
  areaCode: string;
  birthDate: string;
  birthYear: number;
  gender: 'male' | 'female';
}

/** The facts an ID number carries, or the reason it is not a valid one. */
export function parseIdNumber(raw: string): { ok: true; value: string; facts: IdNumberFacts } | { ok: false; reason: string } {
  const v = raw.trim().toUpperCase();
  if (!/^\d{17}[\dX]$/.test(v)) return { ok: false, reason: 'an 18-character resident ID number (17 digits and a digit or X)' };
  const y = Number(v.slice(6, 10));
  const m = Number(v.slice(10, 12));
  const d = Number(v.slice(12, 14));
  const date = new Date(Date.UTC(y, m - 1, d));
  if (y < 1900 || date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return { ok: false, reason: 'the birth date in the ID number is not a real date' };
  if (idCheckChar(v.slice(0, 17)) !== v[17]) return { ok: false, reason: 'the check character of the ID number is wrong' };
  return {
    ok: true,
    value: v,
    facts: { areaCode: v.slice(0, 6), birthDate: `${v.slice(6, 10)}-${v.slice(10, 12)}-${v.slice(12, 14)}`, birthYear: y, gender: Number(v[16]) % 2 === 1 ? 'male' : 'female' },
  };
}

/** A valid ID number (demo data and tests): area, birth date as YYYYMMDD, sequence 0–999 (its parity sets the sex). */
export function makeIdNumber(areaCode: string, birth: string, sequence: number): string {
  const first17 = areaCode.slice(0, 6) + birth + String(sequence % 1000).padStart(3, '0');
  return first17 + idCheckChar(first17);
}
