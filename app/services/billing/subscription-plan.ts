import { PLAN_LEVEL_CAPS } from "../admin/plan-limits";

/**
 * Which Tierline plan a shop is on, read from its app subscriptions (Shopify App Pricing: the merchant picks a plan on
 * Shopify's plan page; docs/plans.md). The one place subscription plans become Tierline plans. No Shopify client, no
 * database: app/services/billing/plan-sync.server.ts reads the subscriptions and stores the result.
 */

/** The plan of a shop without a (known) active subscription. */
export const FREE_PLAN = "basic";

/**
 * Plan handles and names as defined in the Partner Dashboard (lower case) → Tierline plans. A subscription is matched
 * by its line item's plan handle first, then by its name. Keep in step with the dashboard's plans.
 */
export const SUBSCRIPTION_PLANS: Readonly<Record<string, keyof typeof PLAN_LEVEL_CAPS>> = {
  free: "basic",
  basic: "basic",
  growth: "growth",
  pro: "pro",
  plus: "plus",
};

/** Shopify's app subscription as the Admin API answers it (only what the plan depends on). */
export interface AppSubscriptionView {
  name: string;
  status: string;
  planHandles: string[];
}

function planOf(subscription: AppSubscriptionView): string | null {
  for (const key of [...subscription.planHandles, subscription.name]) {
    const plan = SUBSCRIPTION_PLANS[key.trim().toLowerCase()];
    if (plan) return plan;
  }
  return null;
}

/**
 * The plan the shop's ACTIVE subscriptions give it: the one allowing the most levels when (briefly, while Shopify
 * swaps plans) there are two. None, or none Tierline knows: the free plan.
 */
export function planFromSubscriptions(subscriptions: AppSubscriptionView[]): string {
  const plans = subscriptions
    .filter((s) => s.status === "ACTIVE")
    .map(planOf)
    .filter((p): p is string => p !== null);
  return plans.reduce((best, p) => (PLAN_LEVEL_CAPS[p].maxLevels > PLAN_LEVEL_CAPS[best].maxLevels ? p : best), FREE_PLAN);
}

/** The app's handle (shopify.app.toml `handle`): the last part of its plan page's address. */
export const APP_HANDLE = "tierline";

/** Shopify's plan selection page for this app on `shop` (Shopify App Pricing), opened in the admin's top frame. */
export function planPageUrl(shop: string, appHandle: string = APP_HANDLE): string {
  const store = shop.replace(/\.myshopify\.com$/i, "");
  return `https://admin.shopify.com/store/${encodeURIComponent(store)}/charges/${encodeURIComponent(appHandle)}/pricing_plans`;
}
