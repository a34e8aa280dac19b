import type { DbOrTx } from "~/db/client.server";
import { asCaller, ShopifyAdminError, type AdminCaller, type AdminGraphqlClient } from "~/shopify/admin-graphql.server";
import { CURRENT_APP_SUBSCRIPTIONS } from "~/shopify/documents";
import { planFromSubscriptions, type AppSubscriptionView } from "./subscription-plan";

/**
 * The shop's plan, read from Shopify and stored on the Shop row (`plan`, which the level cap reads). Read on install,
 * when app_subscriptions/update arrives (job `plan-refresh`), and when the admin loads, at most every
 * PLAN_RECHECK_MS per shop and process (the cache below): one small query.
 */

/** The shop's active subscriptions as Shopify answers them now. */
export async function readAppSubscriptions(admin: AdminGraphqlClient | AdminCaller): Promise<AppSubscriptionView[]> {
  const data = await asCaller(admin).request(CURRENT_APP_SUBSCRIPTIONS);
  const subs = data?.currentAppInstallation?.activeSubscriptions;
  if (!Array.isArray(subs)) throw new ShopifyAdminError("GRAPHQL_ERRORS", "currentAppInstallation.activeSubscriptions missing from the response");
  return subs.map((s: { name?: unknown; status?: unknown; lineItems?: { plan?: { pricingDetails?: { planHandle?: unknown } } }[] }) => ({
    name: typeof s.name === "string" ? s.name : "",
    status: typeof s.status === "string" ? s.status : "",
    planHandles: (s.lineItems ?? []).map((l) => l.plan?.pricingDetails?.planHandle).filter((h): h is string => typeof h === "string"),
  }));
}

/** Reads the shop's plan from Shopify and stores it (nothing when the shop has no row). Returns the plan. */
export async function refreshShopPlan(db: DbOrTx, admin: AdminGraphqlClient | AdminCaller, shop: string): Promise<string> {
  const plan = planFromSubscriptions(await readAppSubscriptions(admin));
  await db.shop.updateMany({ where: { domain: shop, NOT: { plan } }, data: { plan } });
  return plan;
}

/** How long a plan read on an admin load is trusted (app_subscriptions/update refreshes it sooner). */
export const PLAN_RECHECK_MS = 10 * 60_000;
const checkedAt = new Map<string, number>();

/**
 * The admin's load: reads the plan again when this process has not read it for PLAN_RECHECK_MS. Best effort: when
 * Shopify cannot be reached the stored plan stands and the page loads.
 */
export async function refreshShopPlanIfStale(db: DbOrTx, admin: AdminGraphqlClient, shop: string, now: number = Date.now()): Promise<void> {
  const last = checkedAt.get(shop);
  if (last !== undefined && now - last < PLAN_RECHECK_MS) return;
  checkedAt.set(shop, now);
  try {
    await refreshShopPlan(db, admin, shop);
  } catch (error) {
    console.warn(`[tierline] could not read the plan of ${shop}: ${String(error)}`);
  }
}
