import type { DbOrTx } from "~/db/client.server";
import { BACKFILL_JOB, backfillKey } from "~/queue/job-kinds";
import { enqueueJob } from "~/queue/queue.server";
import type { AdminGraphqlClient } from "~/shopify/admin-graphql.server";
import { ensureMemberMetafieldDefinitions, type DefinitionsResult } from "~/shopify/metafield-definitions.server";
import { fetchShopCurrency } from "~/shopify/shop.server";
import { refreshShopPlan } from "./billing/plan-sync.server";
import { ensureShop } from "./shop-context.server";

/**
 * What happens when a shop installs (or reinstalls) Tierline, from `afterAuth`: the Shop row, the customer
 * metafield definitions, and the history backfill, queued. Webhook subscriptions come from shopify.app.toml.
 * Shopify calls are best-effort here: a failure must not break the merchant's login, and the backfill job ensures
 * the definitions again before it imports anything.
 */

export interface InstallResult {
  currency: string | null;
  definitions: DefinitionsResult | null;
  backfillQueued: boolean;
  errors: string[];
}

export async function onShopInstalled(db: DbOrTx, admin: AdminGraphqlClient, shop: string, opts: { now: Date }): Promise<InstallResult> {
  const errors: string[] = [];
  const currency = await fetchShopCurrency(admin).catch((e: unknown) => {
    errors.push(`shop currency: ${String(e)}`);
    return null;
  });
  await ensureShop(db, shop, { currency, now: opts.now });
  const definitions = await ensureMemberMetafieldDefinitions(admin).catch((e: unknown) => {
    errors.push(`metafield definitions: ${String(e)}`);
    return null;
  });
  // The plan the merchant chose while installing (Shopify App Pricing), if any; the free plan otherwise.
  await refreshShopPlan(db, admin, shop).catch((e: unknown) => errors.push(`plan: ${String(e)}`));
  const row = await db.shop.findUnique({ where: { domain: shop }, select: { backfilledAt: true } });
  const backfillQueued =
    row?.backfilledAt == null &&
    (await enqueueJob(db, { type: BACKFILL_JOB, shop, key: backfillKey(shop), maxAttempts: 5, backoffMs: 30_000 }, opts.now));
  return { currency, definitions, backfillQueued, errors };
}
