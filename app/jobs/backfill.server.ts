import { channelOf, upsertOrderFact, insertRefundFact, type OrderFactInput } from "~/services/order-facts.server";
import type { MemberProfile } from "~/services/privacy.server";
import { currentProgram, loadShopContext } from "~/services/shop-context.server";
import { grantedScopes, grantsAllOrders } from "~/shopify/access-scopes.server";
import { backfillOrdersWindow, collectBackfill, startBackfill, type BackfillCustomer, type BackfillOrder } from "~/shopify/backfill.server";
import { ensureMemberMetafieldDefinitions } from "~/shopify/metafield-definitions.server";
import { recalculateCustomers } from "./recalculate.server";
import type { JobContext } from "./worker.server";

/**
 * Job `backfill` (queued on install): imports the shop's order history through sync's bulk exports, stores it as
 * facts, and computes every buyer's membership. Orders already known from webhooks are left as they are (a webhook
 * is at least as recent). History from before the install hands out no one-time rewards (Shop.rewardsFrom).
 */

const PAID = new Set(["PAID", "PARTIALLY_REFUNDED", "REFUNDED"]);
const ORDERS_PER_TRANSACTION = 100;

export async function backfillJob(ctx: JobContext): Promise<void> {
  const shop = ctx.job.shop;
  if (!shop) throw new Error("backfill needs a shop");
  if (!ctx.deps.adminFor) throw new Error("backfill needs deps.adminFor (the Admin API client of a shop)");
  const shopRow = await ctx.db.shop.findUnique({ where: { domain: shop }, select: { backfilledAt: true, uninstalledAt: true } });
  if (shopRow?.uninstalledAt || (shopRow?.backfilledAt && !ctx.payload<{ force?: boolean }>().force)) return;
  const admin = await ctx.deps.adminFor(shop);
  // Also done at install; repeated here so a failure during the OAuth redirect is repaired by the job's retries.
  await ensureMemberMetafieldDefinitions(admin, ctx.deps.syncOptions);

  const shopCtx = await loadShopContext(ctx.db, shop);
  const activeFrom = currentProgram(shopCtx)?.activeFrom ?? null;
  const startedAt = ctx.now();
  // Without read_all_orders Shopify answers only the last 60 days of orders: the window says so, and is recorded.
  const window = backfillOrdersWindow({ activeFrom, allOrders: grantsAllOrders(await grantedScopes(ctx.db, shop)), now: startedAt });
  const started = await startBackfill(admin, { since: window.since }, ctx.deps.syncOptions);
  await ctx.heartbeat();
  const data = await collectBackfill(admin, started, ctx.deps.syncOptions);
  await ctx.heartbeat();

  for (let i = 0; i < data.orders.length; i += ORDERS_PER_TRANSACTION) {
    const chunk = data.orders.slice(i, i + ORDERS_PER_TRANSACTION);
    await ctx.db.$transaction(async (tx) => {
      for (const order of chunk) {
        await upsertOrderFact(tx, shop, backfillOrderFact(order, startedAt, shopCtx.currency), { onlyIfMissing: true });
        for (const r of order.refunds) {
          await insertRefundFact(tx, shop, {
            refundGid: r.gid,
            orderGid: order.gid,
            createdAt: new Date(r.at),
            amount: r.refund.amount,
            lines: r.refund.lines,
          });
        }
      }
    });
  }

  const profiles = new Map(data.customers.map((c) => [c.gid, profileOf(c)]));
  const buyers = [...new Set(data.orders.filter((o) => o.customerGid && !o.test).map((o) => o.customerGid!))].sort();
  await recalculateCustomers(ctx, shop, buyers, profiles);
  await ctx.db.shop.updateMany({
    where: { domain: shop },
    data: { backfilledAt: ctx.now(), backfillOrdersFrom: window.limited ? window.since : null },
  });
}

export function backfillOrderFact(o: BackfillOrder, startedAt: Date, shopCurrency: string): OrderFactInput {
  const status = o.financialStatus?.toUpperCase() ?? null;
  return {
    orderGid: o.gid,
    customerGid: o.customerGid,
    name: o.name,
    paidAt: status !== null && PAID.has(status) ? new Date(o.paidAt) : null,
    cancelledAt: o.cancelledAt === null ? null : new Date(o.cancelledAt),
    financialStatus: status?.toLowerCase() ?? null,
    test: o.test,
    channel: channelOf(o.order.channel ?? null),
    currency: o.currency ?? shopCurrency,
    total: o.order.total,
    subtotal: o.order.subtotal,
    shipping: o.order.shipping,
    tax: o.order.tax,
    hasDiscountCode: o.order.hasDiscountCode === true,
    lines: o.order.lines,
    // The export shows the order as of the backfill's start: older deliveries must not override it.
    sourceUpdatedAt: startedAt,
    source: "backfill",
  };
}

function profileOf(c: BackfillCustomer): Partial<MemberProfile> {
  const [firstName, ...rest] = (c.displayName ?? "").trim().split(/\s+/);
  return { email: c.email, firstName: firstName || null, lastName: rest.length ? rest.join(" ") : null };
}
