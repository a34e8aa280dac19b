/**
 * Birthdays: the one home for reading a birthday and for deciding when its reward is due. Pure: no clock (the day is
 * passed in as year, month, day) and no year of birth kept (a reward needs none, and a member's age is personal data
 * Tierline has no use for).
 *
 * A birthday is stored as "MM-DD". Accepted input: "MM-DD" or "YYYY-MM-DD" (the year is checked, then dropped),
 * with surrounding spaces; "/" or "." in place of "-" are not accepted, so "03/04" can never be read the wrong way
 * round. 29 February is a birthday like any other; impossible dates (02-30, 04-31, 13-01) are refused.
 */

/** Days in each month of a leap year: the calendar a yearless birthday lives in (02-29 exists). */
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export type BirthdayParse = { ok: true; birthday: string } | { ok: false; message: string };

const MONTH_DAY = /^(\d{2})-(\d{2})$/;
const YEAR_MONTH_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Reads a birthday as a shopper, a CSV file or a merchant wrote it; "MM-DD" or a sentence saying what is wrong. */
export function parseBirthday(input: unknown): BirthdayParse {
  if (typeof input !== "string") return { ok: false, message: "Enter a birthday as MM-DD (for example 03-14)." };
  const s = input.trim();
  const md = MONTH_DAY.exec(s);
  const ymd = md ? null : YEAR_MONTH_DAY.exec(s);
  if (!md && !ymd) return { ok: false, message: `"${clip(s)}" is not a birthday: write it as MM-DD (for example 03-14) or YYYY-MM-DD.` };
  const [month, day] = md ? [Number(md[1]), Number(md[2])] : [Number(ymd![2]), Number(ymd![3])];
  if (month < 1 || month > 12) return { ok: false, message: `"${clip(s)}" is not a birthday: the month must be 01 to 12.` };
  if (day < 1 || day > DAYS_IN_MONTH[month - 1])
    return { ok: false, message: `"${clip(s)}" is not a birthday: ${MONTH_NAMES[month - 1]} has no day ${day}.` };
  if (ymd) {
    const year = Number(ymd[1]);
    if (year < 1900) return { ok: false, message: `"${clip(s)}" is not a birthday: the year must be 1900 or later.` };
    if (month === 2 && day === 29 && !isLeapYear(year)) return { ok: false, message: `"${clip(s)}" is not a birthday: ${year} had no 29 February.` };
  }
  return { ok: true, birthday: `${pad(month)}-${pad(day)}` };
}

/** A stored "MM-DD" as month and day, or null when it is not one (a row written by hand, say). */
export function birthdayParts(birthday: string | null | undefined): { month: number; day: number } | null {
  if (!birthday) return null;
  const m = MONTH_DAY.exec(birthday);
  if (!m) return null;
  const [month, day] = [Number(m[1]), Number(m[2])];
  return month >= 1 && month <= 12 && day >= 1 && day <= DAYS_IN_MONTH[month - 1] ? { month, day } : null;
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** When a level's birthday reward is handed out: on the first day of the birthday month, or on the day itself. */
export type BirthdayRewardWhen = "month" | "day";

/** A calendar day (month 1–12). */
export interface CalendarDay {
  year: number;
  month: number;
  day: number;
}

/**
 * The day in `year` a birthday's reward is due: the 1st of the birthday month ("month"), or the birthday itself
 * ("day"), with 29 February moved to 28 February in a year that has none. Null for a malformed birthday.
 */
export function birthdayRewardDay(birthday: string, year: number, when: BirthdayRewardWhen): CalendarDay | null {
  const parts = birthdayParts(birthday);
  if (!parts) return null;
  if (when === "month") return { year, month: parts.month, day: 1 };
  const day = parts.month === 2 && parts.day === 29 && !isLeapYear(year) ? 28 : parts.day;
  return { year, month: parts.month, day };
}

/** Is the birthday's reward due on `today` (its due day is today)? */
export function isBirthdayRewardDue(birthday: string, today: CalendarDay, when: BirthdayRewardWhen): boolean {
  const due = birthdayRewardDay(birthday, today.year, when);
  return due !== null && due.month === today.month && due.day === today.day;
}

/**
 * The birthdays ("MM-DD") whose reward falls on `today` in either mode, for a query to narrow members down before
 * each member's level says which mode applies: "month" needs the whole month (every day of it is due on the 1st),
 * "day" only today's date, plus 02-29 on 28 February of a year without 29 February.
 */
export function birthdaysDueOn(today: CalendarDay, when: BirthdayRewardWhen): string[] {
  if (when === "month") {
    if (today.day !== 1) return [];
    return Array.from({ length: DAYS_IN_MONTH[today.month - 1] }, (_, i) => `${pad(today.month)}-${pad(i + 1)}`);
  }
  const out = [`${pad(today.month)}-${pad(today.day)}`];
  if (today.month === 2 && today.day === 28 && !isLeapYear(today.year)) out.push("02-29");
  return out;
}

/** The UTC calendar day of an instant (epoch ms). */
export function utcCalendarDay(t: number): CalendarDay {
  const d = new Date(t);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** "March 14" for a stored "03-14" (English; the admin's language), or the raw text when it is not a birthday. */
export function formatBirthday(birthday: string): string {
  const parts = birthdayParts(birthday);
  return parts ? `${MONTH_NAMES[parts.month - 1]} ${parts.day}` : birthday;
}

const MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const pad = (n: number) => String(n).padStart(2, "0");
const clip = (s: string) => (s.length > 20 ? `${s.slice(0, 20)}…` : s);
