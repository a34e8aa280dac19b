import type { Db } from "~/db/client.server";
import { recalculateMember } from "~/services/member-recalculation.server";
import type { RecalculateResult } from "~/services/recalculation/member-writes";
import { loadShopContext, type ShopContext } from "~/services/shop-context.server";

// The admin's entry point for "this member's facts changed, bring their state up to date now" (after a manual
// assignment, a points adjustment or an import), so the page the merchant returns to already shows the result.
// It is the worker's own recomputation, so the admin and the worker can never disagree: whichever writes last
// writes the same thing.

/** Prisma's unique-constraint violation: the worker wrote the same ledger entry or level change a moment earlier. */
const isUniqueViolation = (error: unknown) => typeof error === "object" && error !== null && (error as { code?: unknown }).code === "P2002";

export async function recomputeMemberNow(db: Db, shop: string, customerGid: string, now: number, ctx?: ShopContext): Promise<RecalculateResult> {
  const context = ctx ?? (await loadShopContext(db, shop));
  try {
    return await recalculateMember(db, context, customerGid, { now: new Date(now), origin: "admin" });
  } catch (error) {
    // The worker folded this member concurrently and won the race: fold once more on top of what it wrote.
    if (!isUniqueViolation(error)) throw error;
    return recalculateMember(db, context, customerGid, { now: new Date(now), origin: "admin" });
  }
}
