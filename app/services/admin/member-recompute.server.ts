import type { Db } from "~/db.server";
import { recalculateMember, type RecalculateResult } from "~/services/member-recalculation.server";
import { loadShopContext, type ShopContext } from "~/services/shop-context.server";

// The admin's entry point for "this member's facts changed, bring their state up to date now" (after a manual
// assignment, a points adjustment or an import), so the page the merchant returns to already shows the result.
// It is the worker's own recomputation, so the admin and the worker can never disagree: whichever writes last
// writes the same thing.

export async function recomputeMemberNow(db: Db, shop: string, customerGid: string, now: number, ctx?: ShopContext): Promise<RecalculateResult> {
  return recalculateMember(db, ctx ?? (await loadShopContext(db, shop)), customerGid, { now: new Date(now) });
}
