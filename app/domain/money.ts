import { programError, type ErrorFactory } from "./program.errors";

/** Integer minor units (cents). Decimal strings appear only at the edges. */
export type Money = number;

const DECIMAL = /^(0|[1-9]\d{0,12})(?:\.(\d{1,2}))?$/;

/**
 * Parses a non-negative decimal string with at most two decimals ("120.50", "7", "0.5") into minor units,
 * exactly (no floating-point arithmetic). Anything else (numbers, negatives, "1,000", "1e3") is rejected.
 */
export function parseMoney(s: unknown, path: string, fail: ErrorFactory = programError): Money {
  if (typeof s !== "string") {
    throw fail("INVALID_AMOUNT", path, `must be a decimal string like "120.50", got ${describeValue(s)}`);
  }
  const m = DECIMAL.exec(s);
  if (!m) throw fail("INVALID_AMOUNT", path, `must be a decimal string like "120.50" (non-negative, at most 2 decimals), got "${s}"`);
  const whole = Number(m[1]);
  const frac = m[2] === undefined ? 0 : Number(m[2].padEnd(2, "0"));
  return whole * 100 + frac;
}

/** Minor units → "1200.00" (no grouping, no currency). */
export function formatMoney(m: Money): string {
  const neg = m < 0;
  const abs = Math.round(Math.abs(m));
  const whole = Math.floor(abs / 100);
  const cents = abs % 100;
  return `${neg ? "-" : ""}${whole}.${cents < 10 ? "0" : ""}${cents}`;
}

const SYMBOLS: Record<string, string> = { USD: "$", CAD: "CA$", AUD: "A$", EUR: "€", GBP: "£", JPY: "¥" };

/** Minor units → "$1,020.00" for display in audit texts. */
export function formatMoneyDisplay(m: Money, currency = "USD"): string {
  const [whole, cents] = formatMoney(Math.abs(m)).split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const symbol = SYMBOLS[currency.toUpperCase()];
  const body = symbol ? `${symbol}${grouped}.${cents}` : `${grouped}.${cents} ${currency.toUpperCase()}`;
  return m < 0 ? `-${body}` : body;
}

export function describeValue(v: unknown): string {
  if (v === undefined) return "nothing";
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === "object") return "an object";
  return `${typeof v} ${String(v)}`;
}
