/**
 * Money for shoppers' eyes, per locale and currency. Amounts arrive as decimal strings (the metafield contract) or as
 * integer minor units in the currency's own ISO 4217 exponent (cents for USD, yen for JPY, fils for KWD). No surface
 * does arithmetic on floats: decimal strings become integer minor units first.
 */

import { isDecimal } from "./json-checks";

export interface MoneyFormatOptions {
  /** "$50" rather than "$50.00" when the amount is whole: benefit texts read better that way. */
  trimWhole?: boolean;
}

const DEFAULT_LOCALE = "en";
const digitsCache = new Map<string, number>();

/** A locale Intl accepts; anything else ("", "xx_@@", undefined) falls back to English rather than throwing. */
export function safeLocale(locale: string | null | undefined): string {
  if (!locale) return DEFAULT_LOCALE;
  try {
    return Intl.getCanonicalLocales(locale)[0] ?? DEFAULT_LOCALE;
  } catch {
    return DEFAULT_LOCALE;
  }
}

/** The currency's minor-unit exponent (2 for USD, 0 for JPY, 3 for KWD); 2 when Intl does not know the code. */
export function currencyDigits(currency: string): number {
  const code = currency.toUpperCase();
  const cached = digitsCache.get(code);
  if (cached !== undefined) return cached;
  let digits = 2;
  try {
    digits = new Intl.NumberFormat("en", { style: "currency", currency: code }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    digits = 2;
  }
  digitsCache.set(code, digits);
  return digits;
}

/**
 * "1200.50" → minor units in `currency` (120050 for USD, 1201 for JPY: extra decimals round half up), exactly.
 * Null for anything that is not a plain decimal string.
 */
export function decimalToMinor(decimal: string, currency: string): number | null {
  let s = decimal.trim();
  let sign = 1;
  if (s.startsWith("-")) {
    sign = -1;
    s = s.slice(1);
  }
  const dot = s.indexOf(".");
  const whole = dot === -1 ? s : s.slice(0, dot);
  const frac = dot === -1 ? "" : s.slice(dot + 1);
  if (whole.length === 0 || !allDigits(whole) || (dot !== -1 && (frac.length === 0 || !allDigits(frac)))) return null;
  const digits = currencyDigits(currency);
  const kept = frac.slice(0, digits).padEnd(digits, "0");
  let minor = Number(whole) * 10 ** digits + (kept.length > 0 ? Number(kept) : 0);
  if (frac.length > digits && frac.charCodeAt(digits) >= 53 /* "5" */) minor += 1;
  if (!Number.isSafeInteger(minor)) return null;
  return minor === 0 ? 0 : sign * minor;
}

/** Minor units → "$1,200.50" / "1.200,50 €" / "￥1,200" in the shopper's locale. */
export function formatMinor(minor: number, currency: string, locale: string, options: MoneyFormatOptions = {}): string {
  const digits = currencyDigits(currency);
  const amount = minor / 10 ** digits;
  const whole = minor % 10 ** digits === 0;
  const loc = safeLocale(locale);
  try {
    const fractionDigits = options.trimWhole && whole ? { minimumFractionDigits: 0, maximumFractionDigits: 0 } : {};
    return new Intl.NumberFormat(loc, { style: "currency", currency: currency.toUpperCase(), ...fractionDigits }).format(amount);
  } catch {
    // An unknown currency code still shows an honest amount, with the code beside it.
    return `${new Intl.NumberFormat(loc, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(amount)} ${currency}`;
  }
}

/** A contract decimal string → display text; null when the string is not a decimal. */
export function formatDecimalAmount(decimal: string, currency: string, locale: string, options: MoneyFormatOptions = {}): string | null {
  const minor = decimalToMinor(decimal, currency);
  return minor === null ? null : formatMinor(minor, currency, locale, options);
}

/** A number in the shopper's locale ("1,200", "1.5"). */
export function formatNumber(n: number, locale: string, maximumFractionDigits = 2): string {
  return new Intl.NumberFormat(safeLocale(locale), { maximumFractionDigits }).format(n);
}

/** "10" → "10%", "12.5" → "12,5 %" in de-DE. */
export function formatPercent(decimal: string, locale: string): string | null {
  if (!isDecimal(decimal, false)) return null;
  return new Intl.NumberFormat(safeLocale(locale), { style: "percent", maximumFractionDigits: 2 }).format(Number(decimal) / 100);
}

function allDigits(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}
