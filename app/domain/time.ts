import { describeValue } from "./money";
import { programError, type ErrorFactory } from "./program.errors";

/** Epoch milliseconds (UTC). The domain never reads a clock: time is always passed in. */
export type Instant = number;

export const DAY_MS = 86_400_000;

// Date only ("2026-03-01", UTC midnight) or date-time with optional seconds/fraction and Z or an offset.
// A date-time without a zone is read as UTC.
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

export function parseInstant(s: unknown, path: string, fail: ErrorFactory = programError): Instant {
  if (typeof s !== "string") throw fail("INVALID_TIME", path, `must be an ISO-8601 time like "2026-03-01T10:00:00Z", got ${describeValue(s)}`);
  const m = ISO.exec(s.trim());
  const bad = () => fail("INVALID_TIME", path, `must be an ISO-8601 time like "2026-03-01T10:00:00Z", got "${s}"`);
  if (!m) throw bad();
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const [h, mi, sec] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)];
  const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, "0")) : 0;
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo - 1) || h > 23 || mi > 59 || sec > 59) throw bad();
  let t = Date.UTC(y, mo - 1, d, h, mi, sec, ms);
  const zone = m[8];
  if (zone && zone.toUpperCase() !== "Z") {
    const sign = zone[0] === "-" ? -1 : 1;
    const digits = zone.slice(1).replace(":", "");
    const oh = Number(digits.slice(0, 2));
    const om = Number(digits.slice(2, 4));
    if (oh > 23 || om > 59) throw bad();
    t -= sign * (oh * 60 + om) * 60_000;
  }
  return t;
}

/** "2026-03-01T10:00:00Z" (milliseconds only when non-zero). */
export function formatInstant(t: Instant): string {
  const iso = new Date(t).toISOString();
  return iso.endsWith(".000Z") ? `${iso.slice(0, -5)}Z` : iso;
}

export function formatDate(t: Instant): string {
  return new Date(t).toISOString().slice(0, 10);
}

export function daysInMonth(year: number, month0: number): number {
  return new Date(Date.UTC(year, month0 + 1, 0)).getUTCDate();
}

export function addDays(t: Instant, days: number): Instant {
  return t + days * DAY_MS;
}

/**
 * Same calendar date and time a year later (UTC). 29 February becomes 28 February: never longer than a year.
 * Calendar arithmetic on whole days (no Date objects: the fold calls this for every level reached, in every replay).
 */
export function addOneYear(t: Instant): Instant {
  const days = Math.floor(t / DAY_MS);
  const timeOfDay = t - days * DAY_MS;
  const [y, m, d] = civilFromDays(days);
  // A year is 366 days when it crosses a 29 February (this year's before March, next year's after), 365 otherwise;
  // from 29 February itself 365 days land on 28 February.
  const leapCrossed = m === 2 && d === 29 ? false : m <= 2 ? isLeapYear(y) : isLeapYear(y + 1);
  return (days + (leapCrossed ? 366 : 365)) * DAY_MS + timeOfDay;
}

const isLeapYear = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/** [year, month 1–12, day] of a day count since 1970-01-01 (proleptic Gregorian; H. Hinnant's civil_from_days). */
function civilFromDays(z: number): [number, number, number] {
  const s = z + 719_468;
  const era = Math.floor(s / 146_097);
  const doe = s - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

/** 1 January 00:00 UTC of t's year. */
export function startOfUtcYear(t: Instant): Instant {
  return Date.UTC(new Date(t).getUTCFullYear(), 0, 1);
}
