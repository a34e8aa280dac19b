import { appSubscriptionsUpdatePayload } from "../sample-data/webhook-payloads";
import type { AppSubscriptionRecord, ShopState } from "./store";

/**
 * Shopify App Pricing's side of a shop: the app subscription the merchant chose on Shopify's plan page. Tests and the
 * demo set it (`store.billing.choosePlan`); `currentAppInstallation { activeSubscriptions }` answers the ACTIVE ones,
 * and `app_subscriptions/update` is sent as Shopify sends it (the subscription whose status changed). Choosing a new
 * plan cancels the previous subscription, as Shopify does.
 */

export interface StandInBilling {
  /** The merchant picks `plan` (a plan name from the Partner Dashboard, handle = its lower-case form); null cancels. */
  choosePlan(shop: ShopState, plan: string | null, opts?: { handle?: string; price?: string }): { changed: AppSubscriptionRecord[] };
  /** Sets a subscription's status (FROZEN for non-payment, ACTIVE again…). */
  setStatus(shop: ShopState, subscriptionId: string, status: AppSubscriptionRecord["status"]): AppSubscriptionRecord;
  /** The app_subscriptions/update body Shopify sends for this subscription. */
  webhookPayload(shop: ShopState, subscription: AppSubscriptionRecord): Record<string, unknown>;
}

export function createStandInBilling(now: () => number, changed: () => void): StandInBilling {
  const billing: StandInBilling = {
    choosePlan(shop, plan, opts = {}) {
      const subs = (shop.appSubscriptions ??= []);
      const out: AppSubscriptionRecord[] = [];
      for (const s of subs) {
        if (s.status === "ACTIVE" || s.status === "FROZEN") {
          s.status = "CANCELLED";
          out.push(s);
        }
      }
      if (plan !== null) {
        const record: AppSubscriptionRecord = {
          id: `gid://shopify/AppSubscription/${shop.nextId++}`,
          name: plan,
          handle: opts.handle ?? plan.toLowerCase(),
          status: "ACTIVE",
          price: opts.price ?? "19.00",
          createdAt: new Date(now()).toISOString(),
        };
        subs.push(record);
        out.push(record);
      }
      changed();
      return { changed: out };
    },
    setStatus(shop, subscriptionId, status) {
      const record = (shop.appSubscriptions ?? []).find((s) => s.id === subscriptionId);
      if (!record) throw new Error(`the stand-in has no app subscription ${subscriptionId} on ${shop.domain}`);
      record.status = status;
      changed();
      return record;
    },
    webhookPayload: (shop, s) => appSubscriptionsUpdatePayload(Number(s.id.split("/").pop()), s.name, s.status, shop.numericId),
  };
  return billing;
}

/** `currentAppInstallation.activeSubscriptions` as the Admin API answers it. */
export function activeSubscriptionsView(shop: ShopState) {
  return (shop.appSubscriptions ?? [])
    .filter((s) => s.status === "ACTIVE")
    .map((s) => ({
      id: s.id,
      name: s.name,
      status: s.status,
      test: true,
      createdAt: s.createdAt,
      currentPeriodEnd: null,
      trialDays: 0,
      returnUrl: "https://tierline.example/app",
      lineItems: [
        {
          id: `gid://shopify/AppSubscriptionLineItem/${s.id.split("/").pop()}`,
          plan: {
            pricingDetails: {
              __typename: "AppRecurringPricing",
              planHandle: s.handle,
              interval: "EVERY_30_DAYS",
              price: { amount: s.price, currencyCode: "USD" },
              discount: null,
            },
          },
        },
      ],
    }));
}
