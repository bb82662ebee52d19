// Periods and comparisons, in Asia/Shanghai (UTC+8 all year, no daylight-saving time, so a fixed offset is exact).
// Every period is a half-open range of local dates [from, to); relative periods (this year, last 12 months, year to
// date) resolve against "today" to an absolute key, so that a figure or a ranking for a period can be reproduced.
import { shanghaiDay } from '../../platform/clock.ts';
import { errors } from '../../platform/errors.ts';

export interface Period {
  /** Canonical absolute key: month:2026-05, quarter:2026-Q2, year:2026, ytd:2026-05-22, r12:2026-05-22. */
  key: string;
  kind: 'month' | 'quarter' | 'year' | 'ytd' | 'r12';
  /** Inclusive first local date, YYYY-MM-DD. */
  from: string;
  /** Exclusive end local date, YYYY-MM-DD. */
  to: string;
  /** The year whose targets apply (the year of the last day). */
  year: string;
  label: string;
  labelEn: string;
}

export const relativePeriods = ['this_month', 'last_month', 'this_quarter', 'this_year', 'ytd', 'last_12_months'] as const;
const quarterNames = ['一', '二', '三', '四'];

const DAY = 86_400_000;
const pad = (n: number) => String(n).padStart(2, '0');
const ymd = (t: number) => new Date(t).toISOString().slice(0, 10);
const parse = (d: string) => Date.parse(d + 'T00:00:00.000Z');

/** Today's date in Asia/Shanghai. */
export const localToday: (now: Date) => string = shanghaiDay;

/** The UTC instant at which a local date begins, as ISO text (for comparing with stored timestamps). */
export function localDateStartUtc(date: string): string {
  return new Date(parse(date) - 8 * 3600_000).toISOString();
}

export function addDays(date: string, days: number): string {
  return ymd(parse(date) + days * DAY);
}

export function daysBetween(from: string, to: string): number {
  return Math.round((parse(to) - parse(from)) / DAY);
}

function daysInMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/** The same calendar date a number of months away, the day clamped to the month's length (29 Feb → 28 Feb). */
export function addMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const idx = y * 12 + (m - 1) + months;
  const ny = Math.floor(idx / 12);
  const nm = (idx % 12) + 1;
  return `${ny}-${pad(nm)}-${pad(Math.min(d, daysInMonth(ny, nm)))}`;
}

function monthPeriod(y: number, m: number): Period {
  const from = `${y}-${pad(m)}-01`;
  return { key: `month:${y}-${pad(m)}`, kind: 'month', from, to: addMonths(from, 1), year: String(y), label: `${y}年${m}月`, labelEn: `${y}-${pad(m)}` };
}

function quarterPeriod(y: number, q: number): Period {
  const from = `${y}-${pad((q - 1) * 3 + 1)}-01`;
  return { key: `quarter:${y}-Q${q}`, kind: 'quarter', from, to: addMonths(from, 3), year: String(y), label: `${y}年第${quarterNames[q - 1]}季度`, labelEn: `${y} Q${q}` };
}

function yearPeriod(y: number): Period {
  return { key: `year:${y}`, kind: 'year', from: `${y}-01-01`, to: `${y + 1}-01-01`, year: String(y), label: `${y}年`, labelEn: String(y) };
}

function ytdPeriod(date: string): Period {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return { key: `ytd:${date}`, kind: 'ytd', from: `${y}-01-01`, to: addDays(date, 1), year: String(y), label: `${y}年1月1日至${m}月${d}日`, labelEn: `${y}-01-01 – ${date}` };
}

function r12Period(date: string): Period {
  const first = addMonths(date.slice(0, 8) + '01', -11);
  return { key: `r12:${date}`, kind: 'r12', from: first, to: addDays(date, 1), year: date.slice(0, 4), label: `近12个月（${first.slice(0, 7)}至${date}）`, labelEn: `last 12 months (${first.slice(0, 7)} – ${date})` };
}

function validDate(s: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(s) && ymd(parse(s)) === s;
}

/** Parses an absolute or relative period key; `now` resolves the relative ones. Throws a validation error naming `field`. */
export function resolvePeriod(key: string, now: Date, field = 'period'): Period {
  const today = localToday(now);
  const [ty, tm] = today.split('-').map(Number) as [number, number];
  const bad = () => errors.validation('period.invalid', `Unknown period "${key}".`, [{ field, message: 'month:YYYY-MM, quarter:YYYY-Qn, year:YYYY, ytd:YYYY-MM-DD, r12:YYYY-MM-DD or ' + relativePeriods.join(', ') }]);
  switch (key) {
    case 'this_month': return monthPeriod(ty, tm);
    case 'last_month': return tm === 1 ? monthPeriod(ty - 1, 12) : monthPeriod(ty, tm - 1);
    case 'this_quarter': return quarterPeriod(ty, Math.floor((tm - 1) / 3) + 1);
    case 'this_year': return yearPeriod(ty);
    case 'ytd': return ytdPeriod(today);
    case 'last_12_months': return r12Period(today);
  }
  let m: RegExpMatchArray | null;
  if ((m = /^month:(\d{4})-(\d{2})$/.exec(key))) {
    const month = Number(m[2]);
    if (month < 1 || month > 12) throw bad();
    return monthPeriod(Number(m[1]), month);
  }
  if ((m = /^quarter:(\d{4})-Q([1-4])$/.exec(key))) return quarterPeriod(Number(m[1]), Number(m[2]));
  if ((m = /^year:(\d{4})$/.exec(key))) return yearPeriod(Number(m[1]));
  if ((m = /^(ytd|r12):(\d{4}-\d{2}-\d{2})$/.exec(key)) && validDate(m[2]!)) return m[1] === 'ytd' ? ytdPeriod(m[2]!) : r12Period(m[2]!);
  throw bad();
}

/** The same period one year earlier (year to date: to the same day last year; 29 Feb: to 28 Feb). */
export function samePeriodLastYear(p: Period): Period {
  switch (p.kind) {
    case 'month': return monthPeriod(Number(p.from.slice(0, 4)) - 1, Number(p.from.slice(5, 7)));
    case 'quarter': return quarterPeriod(Number(p.from.slice(0, 4)) - 1, Math.floor((Number(p.from.slice(5, 7)) - 1) / 3) + 1);
    case 'year': return yearPeriod(Number(p.year) - 1);
    case 'ytd': return ytdPeriod(addMonths(addDays(p.to, -1), -12));
    case 'r12': return r12Period(addMonths(addDays(p.to, -1), -12));
  }
}

/** How much of the period has elapsed by today, 0..1 (1 for a past period). */
export function elapsedFraction(p: Period, now: Date): number {
  const end = addDays(localToday(now), 1);
  if (end >= p.to) return 1;
  if (end <= p.from) return 0;
  return daysBetween(p.from, end) / daysBetween(p.from, p.to);
}

/**
 * The months an entered (monthly) figure contributes to a period, with the share of each. A past month counts by
 * the share of its days inside the period; the current month's figure is month-to-date, so it counts by the share
 * of its elapsed days inside the period.
 */
export function monthShares(p: Period, now: Date): { month: string; share: number }[] {
  const today = localToday(now);
  const out: { month: string; share: number }[] = [];
  for (let first = p.from.slice(0, 8) + '01'; first < p.to; first = addMonths(first, 1)) {
    const next = addMonths(first, 1);
    const lo = first > p.from ? first : p.from;
    const hi = next < p.to ? next : p.to;
    const monthEnd = today >= first && today < next ? addDays(today, 1) : next;
    const hiElapsed = hi < monthEnd ? hi : monthEnd;
    const basis = daysBetween(first, monthEnd);
    const days = daysBetween(lo, hiElapsed);
    if (first > today || days <= 0 || basis <= 0) continue;
    out.push({ month: first.slice(0, 7), share: Math.min(1, days / basis) });
  }
  return out;
}

/** The months (YYYY-MM) that fall in a period, for trends. */
export function monthsOf(p: Period): string[] {
  const out: string[] = [];
  for (let first = p.from.slice(0, 8) + '01'; first < p.to; first = addMonths(first, 1)) out.push(first.slice(0, 7));
  return out;
}
