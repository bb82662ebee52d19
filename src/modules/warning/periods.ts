// Active periods of zones and rules: seasons, hours of the day, weekdays and school holidays, in local time
// (Asia/Shanghai, UTC+8 all year: China has no daylight-saving time, so a fixed offset is exact).
import { z } from 'zod';

const monthDay = z.string().regex(/^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'MM-DD');
const hourMinute = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'HH:MM');

/**
 * One period: every field given must hold (an AND); a zone or rule is active when any of its periods holds (an OR),
 * or always when it has none. Seasons and hours may wrap (11-01 → 02-28, 22:00 → 06:00).
 */
export const periodSchema = z
  .object({
    label: z.string().trim().max(40).optional(),
    seasons: z.array(z.object({ from: monthDay, to: monthDay })).max(12).optional(),
    hours: z.array(z.object({ from: hourMinute, to: hourMinute })).max(12).optional(),
    /** ISO weekdays, 1 = Monday … 7 = Sunday. */
    weekdays: z.array(z.number().int().min(1).max(7)).max(7).optional(),
    /** true: only on school-holiday dates (and weekends when `weekendsAsHoliday`); false: only outside them. */
    schoolHolidays: z.boolean().optional(),
    weekendsAsHoliday: z.boolean().optional(),
  })
  .strict();
export type Period = z.infer<typeof periodSchema>;
export const periodsSchema = z.array(periodSchema).max(20);

export interface HolidayRange {
  areaCode: string;
  /** YYYY-MM-DD, inclusive. */
  from: string;
  to: string;
}

/** Local calendar facts of an instant in Asia/Shanghai. */
export function localParts(at: Date): { date: string; monthDay: string; minutes: number; weekday: number } {
  const local = new Date(at.getTime() + 8 * 3600_000);
  const iso = local.toISOString();
  const day = local.getUTCDay();
  return {
    date: iso.slice(0, 10),
    monthDay: iso.slice(5, 10),
    minutes: local.getUTCHours() * 60 + local.getUTCMinutes(),
    weekday: day === 0 ? 7 : day,
  };
}

function minutesOf(hm: string): number {
  const [h, m] = hm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

function inRange<T extends string | number>(value: T, from: T, to: T): boolean {
  // A range whose end comes before its start wraps around (a winter season, a night shift).
  return from <= to ? value >= from && value <= to : value >= from || value <= to;
}

export function isSchoolHoliday(at: Date, areaCode: string, holidays: readonly HolidayRange[], weekendsAsHoliday = false): boolean {
  const p = localParts(at);
  if (weekendsAsHoliday && p.weekday >= 6) return true;
  return holidays.some((h) => areaCode.startsWith(h.areaCode) && p.date >= h.from && p.date <= h.to);
}

export function periodHolds(period: Period, at: Date, areaCode: string, holidays: readonly HolidayRange[]): boolean {
  const p = localParts(at);
  if (period.seasons?.length && !period.seasons.some((s) => inRange(p.monthDay, s.from, s.to))) return false;
  // Hours are half-open [from, to), so that 08:00–12:00 and 12:00–18:00 do not overlap.
  if (period.hours?.length && !period.hours.some((h) => {
    const from = minutesOf(h.from);
    const to = minutesOf(h.to);
    return from <= to ? p.minutes >= from && p.minutes < to : p.minutes >= from || p.minutes < to;
  })) return false;
  if (period.weekdays?.length && !period.weekdays.includes(p.weekday)) return false;
  if (period.schoolHolidays !== undefined) {
    const holiday = isSchoolHoliday(at, areaCode, holidays, period.weekendsAsHoliday ?? false);
    if (holiday !== period.schoolHolidays) return false;
  }
  return true;
}

/** No periods: always active. */
export function isActive(periods: readonly Period[], at: Date, areaCode: string, holidays: readonly HolidayRange[]): boolean {
  return periods.length === 0 || periods.some((p) => periodHolds(p, at, areaCode, holidays));
}
