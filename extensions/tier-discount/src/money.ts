/**
 * Money inside the Function is integer minor units ("cents"); percentages are basis points (hundredths of a percent).
 * Decimal strings appear only where the input is read and where the result is written.
 */

export type Cents = number;
export type BasisPoints = number;

export const FULL_PERCENT: BasisPoints = 10_000;

/**
 * A cart `Decimal` ("10.0", "29.99") in cents. Shopify may send more than two decimals for some currencies; the
 * third decimal rounds half up and later ones are ignored, so the result is exact to the cent. Null when unreadable.
 */
export function cartAmountToCents(s: unknown): Cents | null {
  if (typeof s === "number") return Number.isFinite(s) && s >= 0 ? Math.round(s * 100) : null;
  if (typeof s !== "string" || s.length === 0 || s.length > 24) return null;
  let whole = 0;
  let frac = 0;
  let fracDigits = 0;
  let roundUp = false;
  let seenPoint = false;
  let digits = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 46 /* . */ && !seenPoint) {
      seenPoint = true;
      continue;
    }
    if (c < 48 || c > 57) return null;
    const d = c - 48;
    digits++;
    if (!seenPoint) whole = whole * 10 + d;
    else if (fracDigits < 2) {
      frac = frac * 10 + d;
      fracDigits++;
    } else if (fracDigits === 2) {
      roundUp = d >= 5;
      fracDigits++;
    }
  }
  if (digits === 0) return null;
  if (fracDigits === 1) frac *= 10;
  return whole * 100 + frac + (roundUp ? 1 : 0);
}

/** `presentmentCurrencyRate`: how many cart-currency units one shop-currency unit is worth. Null when unusable. */
export function readCurrencyRate(s: unknown): number | null {
  const rate = typeof s === "number" ? s : typeof s === "string" && s.length > 0 ? Number(s) : Number.NaN;
  return Number.isFinite(rate) && rate > 0 ? rate : null;
}

/**
 * A shop-currency amount (configuration: minimums, fixed discounts) in the cart's currency. The rate is a decimal
 * Shopify chose; rounding the product to the nearest cent is the one place a float touches money.
 */
export function toCartCurrency(shopCents: Cents, rate: number): Cents {
  return rate === 1 ? shopCents : Math.round(shopCents * rate);
}

/** `bp` basis points of an amount, rounded half up to the cent. */
export function percentOf(amount: Cents, bp: BasisPoints): Cents {
  return Math.floor((amount * bp + 5_000) / FULL_PERCENT);
}

/** 500 → "5.00". */
export function formatCents(c: Cents): string {
  const whole = Math.floor(c / 100);
  const cents = c % 100;
  return `${whole}.${cents < 10 ? "0" : ""}${cents}`;
}

/** 1000 → "10", 1250 → "12.5", 1225 → "12.25". */
export function formatPercent(bp: BasisPoints): string {
  const whole = Math.floor(bp / 100);
  const frac = bp % 100;
  if (frac === 0) return `${whole}`;
  return frac % 10 === 0 ? `${whole}.${frac / 10}` : `${whole}.${frac < 10 ? "0" : ""}${frac}`;
}
