/**
 * Points redemption as the merchant set it up and as every side reads it: the admin's settings (Shop.settingsJson
 * `redemption`), the shop's `program` metafield (optional `redemption`, docs/contracts.md), the backend's checks
 * (app/services/rewards/redemption.server.ts) and the account page's form (extensions/account-member-page). One home
 * for "what may a shopper redeem and what is it worth", so the page never offers what the backend refuses.
 *
 * Pure and dependency-free (no zod, no regex): the account-page extension bundles it.
 */

import { currencyDigits, decimalToMinor } from "./money-format";
import { asDocument, isDecimal, isPlainObject } from "./json-checks";

export type RedemptionFormV1 = "discountCode" | "storeCredit";

/** What shoppers may see: the rate, the minimum, the step and whether store credit is offered. Present only when on. */
export interface RedemptionRulesV1 {
  /** `points` points are worth `value` (a decimal string in the shop currency): 100 points = "5.00". */
  points: number;
  value: string;
  /** The fewest points one redemption takes. */
  minimumPoints: number;
  /** Redemptions go in multiples of this many points; null = any whole number from the minimum up. */
  stepPoints: number | null;
  /** Whether the shopper may take Shopify store credit instead of a discount code. */
  storeCredit: boolean;
}

/** Why a redemption cannot go ahead, as a stable code (the backend's 4xx body and the page's message key). */
export type RedemptionProblem =
  "invalid-points" | "below-minimum" | "not-a-step-multiple" | "worth-nothing" | "store-credit-not-offered" | "not-enough-points";

const isPositiveWhole = (n: unknown): n is number => typeof n === "number" && Number.isSafeInteger(n) && n > 0;

/** The money `points` buy, in minor units of `currency`, rounded down (a shopper is never given more than the rate). */
export function redemptionValueMinor(rules: Pick<RedemptionRulesV1, "points" | "value">, points: number, currency: string): number {
  const rateMinor = decimalToMinor(rules.value, currency) ?? 0;
  return Math.floor((points * rateMinor) / rules.points);
}

/** Minor units → the decimal string Shopify's MoneyInput and the metafields take ("5.00", "500" for JPY). */
export function minorToDecimal(minor: number, currency: string): string {
  const digits = currencyDigits(currency);
  if (digits === 0) return String(minor);
  const scale = 10 ** digits;
  const whole = Math.floor(minor / scale);
  const frac = String(minor % scale).padStart(digits, "0");
  return `${whole}.${frac}`;
}

/**
 * The first reason `points` cannot be redeemed as `form` by a shopper holding `balance`, or null when they can.
 * The checks run in the order a shopper fixes them: the amount itself, then the form, then the balance.
 */
export function redemptionProblem(
  rules: RedemptionRulesV1,
  input: { points: number; form: RedemptionFormV1; balance: number },
  currency: string,
): RedemptionProblem | null {
  if (!isPositiveWhole(input.points)) return "invalid-points";
  if (input.points < rules.minimumPoints) return "below-minimum";
  if (rules.stepPoints !== null && input.points % rules.stepPoints !== 0) return "not-a-step-multiple";
  if (redemptionValueMinor(rules, input.points, currency) <= 0) return "worth-nothing";
  if (input.form === "storeCredit" && !rules.storeCredit) return "store-credit-not-offered";
  if (input.balance < input.points) return "not-enough-points";
  return null;
}

/**
 * The amounts a shopper can pick: the minimum, then each step up to the balance (at most `limit` choices, highest
 * last). Without a step, the minimum and round multiples of it. Empty when the balance is below the minimum.
 */
export function redemptionChoices(rules: RedemptionRulesV1, balance: number, limit = 6): number[] {
  const step = rules.stepPoints ?? rules.minimumPoints;
  const first = rules.stepPoints === null ? rules.minimumPoints : Math.ceil(rules.minimumPoints / step) * step;
  const out: number[] = [];
  for (let p = first; p <= balance && out.length < limit; p += step) out.push(p);
  return out;
}

/** The `redemption` field of the programme metafield, or null when absent or malformed (the page then offers nothing). */
export function parseRedemptionRules(json: unknown): RedemptionRulesV1 | null {
  const o = isPlainObject(json) ? json : asDocument(json);
  if (!o) return null;
  if (!isPositiveWhole(o.points) || !isPositiveWhole(o.minimumPoints)) return null;
  if (typeof o.value !== "string" || !isDecimal(o.value, false)) return null;
  if (o.stepPoints !== null && !isPositiveWhole(o.stepPoints)) return null;
  if (typeof o.storeCredit !== "boolean") return null;
  return { points: o.points, value: o.value, minimumPoints: o.minimumPoints, stepPoints: o.stepPoints as number | null, storeCredit: o.storeCredit };
}
