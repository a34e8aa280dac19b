/**
 * The account page's points redemption: the call to the app's backend (POST /api/account/redemptions with Shopify's
 * session token) and what its answers mean for the shopper. Pure: the fetch, the session token and the app's URL are
 * passed in (the extension sandbox's; the real route in tests). The rules themselves (rate, minimum, step) are
 * ./redemption.ts, shared with the backend.
 */

import type { FetchLike } from "./member-query";
import type { RedemptionFormV1 } from "./redemption";

/** Where the account page redeems (appended to the app's URL, ./app-url.ts). */
export const REDEMPTION_BACKEND_PATH = "/api/account/redemptions";

export interface RedeemDeps {
  fetch: FetchLike;
  /** `shopify.sessionToken.get` */
  sessionToken: () => Promise<string>;
  /** The app's URL (no trailing slash). */
  appUrl: string;
}

export interface RedeemInput {
  points: number;
  form: RedemptionFormV1;
  /** One per click: sending the same key again (a double click, "check again") is the same redemption. */
  idempotencyKey: string;
}

export type RedeemOutcome =
  /** Given: the code to type at checkout, or the store credit added. */
  | { status: "issued"; form: RedemptionFormV1; code: string | null; value: string; currency: string; balance: number }
  /** Reserved, Shopify not yet confirmed: ask again with the same key in a moment. */
  | { status: "pending"; balance: number }
  /** Shopify refused; the points were given back. A new click (new key) may work. */
  | { status: "failed"; balance: number | null; message: string }
  /** Not allowed (below the minimum, not enough points, …): `code` from the backend, nothing spent. */
  | { status: "refused"; code: string; message: string };

interface Answer {
  redemption?: { status?: string; form?: RedemptionFormV1; code?: string | null; value?: string; currency?: string; balance?: number };
  error?: { code?: string; message?: string };
}

/** Asks the app to redeem. Never throws: a network failure is `failed` (nothing known to be spent; try again). */
export async function redeemPoints(deps: RedeemDeps, input: RedeemInput): Promise<RedeemOutcome> {
  try {
    const token = await deps.sessionToken();
    const response = await deps.fetch(`${deps.appUrl}${REDEMPTION_BACKEND_PATH}`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
      body: JSON.stringify(input),
    });
    const body = (await response.json().catch(() => null)) as Answer | null;
    const r = body?.redemption;
    if (response.status === 200 && r?.status === "issued")
      return {
        status: "issued",
        form: r.form ?? input.form,
        code: r.code ?? null,
        value: r.value ?? "",
        currency: r.currency ?? "",
        balance: r.balance ?? 0,
      };
    if (response.status === 202) return { status: "pending", balance: r?.balance ?? 0 };
    if (response.status === 502) return { status: "failed", balance: r?.balance ?? null, message: body?.error?.message ?? "" };
    if (response.status >= 400 && response.status < 500)
      return { status: "refused", code: body?.error?.code ?? `http-${response.status}`, message: body?.error?.message ?? "" };
    return { status: "failed", balance: null, message: body?.error?.message ?? `HTTP ${response.status}` };
  } catch (error) {
    return { status: "failed", balance: null, message: error instanceof Error ? error.message : String(error) };
  }
}

/** A fresh idempotency key (letters, digits and -, as the backend accepts). */
export function newRedemptionKey(random: () => number = Math.random): string {
  const uuid = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto?.randomUUID?.();
  if (uuid) return uuid;
  let out = "r-";
  for (let i = 0; i < 24; i++) out += Math.floor(random() * 36).toString(36);
  return out;
}
