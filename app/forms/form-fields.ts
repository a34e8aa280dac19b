import { z } from "zod";

// Field readers shared by the admin forms. Text fields arrive as strings; these normalise what a merchant
// types ("$1,000", " 12 ") into the canonical shapes the engine accepts ("1000.00", 12) and say clearly what is wrong.

const MONEY = /^(0|[1-9]\d{0,12})(\.\d{1,2})?$/;

/** "1,000.5" / "$1000" / 1000 → "1000.50". Rejects negatives and more than two decimals. */
export function normaliseMoney(v: unknown): string | null {
  if (typeof v === "number") v = Number.isFinite(v) ? String(v) : "";
  if (typeof v !== "string") return null;
  let s = v
    .trim()
    .replace(/^[$€£¥]|^[A-Z]{2}\$/, "")
    .trim();
  // Thousands separators only where they group digits in threes, so "1,5" is not read as 15.
  if (/^\d{1,3}(,\d{3})+(\.\d+)?$/.test(s)) s = s.replace(/,/g, "");
  s = s.replace(/^0+(?=\d)/, "");
  if (!MONEY.test(s)) return null;
  const [whole, frac = ""] = s.split(".");
  return `${whole}.${frac.padEnd(2, "0")}`;
}

export const money = (label = "Amount") =>
  z
    .unknown()
    .optional()
    .transform((v, ctx) => {
      const out = normaliseMoney(v);
      if (out === null) {
        ctx.addIssue({ code: "custom", message: `${label} must be an amount like 120.50 (no negatives, at most 2 decimals)` });
        return z.NEVER;
      }
      return out;
    });

/** Empty → null; otherwise a money string. */
export const optionalMoney = (label = "Amount") =>
  z
    .unknown()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === null || (typeof v === "string" && v.trim() === "")) return null;
      const out = normaliseMoney(v);
      if (out === null) {
        ctx.addIssue({ code: "custom", message: `${label} must be an amount like 50.00, or left empty` });
        return z.NEVER;
      }
      return out;
    });

function toInt(v: unknown): number | null {
  if (typeof v === "number") return Number.isInteger(v) ? v : null;
  if (typeof v === "string" && /^\s*\d+\s*$/.test(v)) return Number(v.trim());
  return null;
}

export const int = (label: string, min: number, max = 1_000_000_000) =>
  z
    .unknown()
    .optional()
    .transform((v, ctx) => {
      const n = toInt(v);
      if (n === null || n < min || n > max) {
        ctx.addIssue({
          code: "custom",
          message: `${label} must be a whole number${max < 1_000_000_000 ? ` from ${min} to ${max}` : ` of at least ${min}`}`,
        });
        return z.NEVER;
      }
      return n;
    });

/** Empty → null; otherwise a whole number in range. */
export const optionalInt = (label: string, min: number, max = 1_000_000_000) =>
  z
    .unknown()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === null || (typeof v === "string" && v.trim() === "")) return null;
      const n = toInt(v);
      if (n === null || n < min || n > max) {
        ctx.addIssue({
          code: "custom",
          message: `${label} must be a whole number${max < 1_000_000_000 ? ` from ${min} to ${max}` : ` of at least ${min}`}, or left empty`,
        });
        return z.NEVER;
      }
      return n;
    });

/** A non-negative number with up to 4 decimals (points, multipliers, percentages). */
export const decimal = (label: string, min: number, max: number) =>
  z
    .unknown()
    .optional()
    .transform((v, ctx) => {
      const n = typeof v === "number" ? v : typeof v === "string" && /^\s*\d+(\.\d{1,4})?\s*$/.test(v) ? Number(v) : NaN;
      if (!Number.isFinite(n) || n < min || n > max) {
        ctx.addIssue({ code: "custom", message: `${label} must be a number from ${min} to ${max}` });
        return z.NEVER;
      }
      return n;
    });

export const bool = z
  .unknown()
  .optional()
  .transform((v) => v === true || v === "true" || v === "on" || v === "1");

export const hexColour = (label: string) =>
  z
    .string()
    .trim()
    .regex(/^#[0-9a-fA-F]{6}$/, `${label} must be a colour like #1f2937`)
    .transform((s) => s.toLowerCase());

export const text = (label: string, max: number) =>
  z
    .string({ error: `${label} is required` })
    .trim()
    .min(1, `${label} is required`)
    .max(max, `${label} must be at most ${max} characters`);

/** "a, b\nc" or ["a","b"] → ["a","b","c"] (trimmed, de-duplicated, empties dropped). */
export const stringList = (label: string, max = 250) =>
  z
    .unknown()
    .optional()
    .transform((v, ctx) => {
      const items = Array.isArray(v) ? v : typeof v === "string" ? v.split(/[,\n]/) : v === undefined || v === null ? [] : null;
      if (items === null || items.some((x) => typeof x !== "string")) {
        ctx.addIssue({ code: "custom", message: `${label} must be a list of text values` });
        return z.NEVER;
      }
      const out = [...new Set((items as string[]).map((s) => s.trim()).filter(Boolean))];
      if (out.length > max) {
        ctx.addIssue({ code: "custom", message: `${label} can hold at most ${max} values` });
        return z.NEVER;
      }
      return out;
    });

/** "2026-03-01" or "2026-03-01T10:00" (read as UTC) or a full ISO time → canonical ISO "…Z". */
export function normaliseInstant(v: unknown): string | null {
  if (typeof v !== "string") return null;
  const s = v.trim();
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?)?$/.exec(s);
  if (!m) return null;
  const zone = m[7] ?? "Z";
  const iso = `${m[1]}-${m[2]}-${m[3]}T${m[4] ?? "00"}:${m[5] ?? "00"}:${m[6] ?? "00"}${zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone}`;
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return null;
  const d = new Date(t);
  // Date.parse rolls 2026-02-30 over to March; a date that does not round-trip is not a real date.
  if (zone === "Z" && d.toISOString().slice(0, 10) !== `${m[1]}-${m[2]}-${m[3]}`) return null;
  return d.toISOString().replace(".000Z", "Z");
}

export const optionalInstant = (label: string) =>
  z
    .unknown()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === null || (typeof v === "string" && v.trim() === "")) return null;
      const out = normaliseInstant(v);
      if (out === null) {
        ctx.addIssue({ code: "custom", message: `${label} must be a date like 2026-03-01 (or a date and time)` });
        return z.NEVER;
      }
      return out;
    });

export const instant = (label: string) =>
  z
    .unknown()
    .optional()
    .transform((v, ctx) => {
      const out = normaliseInstant(v);
      if (out === null) {
        ctx.addIssue({ code: "custom", message: `${label} must be a date and time like 2026-03-01T10:00` });
        return z.NEVER;
      }
      return out;
    });
