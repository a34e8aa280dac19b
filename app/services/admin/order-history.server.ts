import type { Db } from "~/db/client.server";
import { BACKFILL_JOB, backfillKey } from "~/queue/job-kinds";
import { enqueueJob } from "~/queue/queue.server";
import { DEFAULT_ORDER_WINDOW_DAYS, grantedScopes, grantsAllOrders } from "~/shopify/access-scopes.server";

/**
 * What the member centre tells the merchant about the order history levels are computed from. Without Shopify's
 * read_all_orders permission the Admin API answers only the last 60 days of orders, so the install's import
 * (app/jobs/backfill.server.ts) reads those and members' levels leave out older purchases: the merchant is told so,
 * and how to get the permission. Once it is granted, the older orders can be imported from the same banner.
 */

export interface OrderHistoryNotice {
  tone: "warning" | "info";
  title: string;
  paragraphs: string[];
  /** The button that imports the full history again (when the permission is there and the import was cut short). */
  reimport: { content: string } | null;
}

export interface OrderHistoryState {
  /** The shop's granted scopes (comma separated), null without an offline session. */
  scope: string | null;
  backfilledAt: Date | null;
  /** The first instant the last import could read (app/jobs/backfill.server.ts), null when it read everything. */
  backfillOrdersFrom: Date | null;
  reimportQueued: boolean;
}

const day = (d: Date) => d.toISOString().slice(0, 10);

export const HOW_TO_GET_ALL_ORDERS =
  "Shopify grants access to all orders only to apps it has approved for it. The app's developer requests \"read all orders\" access for Tierline from Shopify (the app's API access settings in the Partner Dashboard). Once Shopify approves it, you are asked to accept the new permission the next time you open Tierline; then import your full order history here.";

export function orderHistoryNotice(state: OrderHistoryState): OrderHistoryNotice | null {
  if (!grantsAllOrders(state.scope)) {
    // The program starts within the window: the import read everything the program counts.
    if (state.backfilledAt && !state.backfillOrdersFrom) return null;
    const what = state.backfillOrdersFrom
      ? `Your order history was imported from ${day(state.backfillOrdersFrom)} on: Shopify lets Tierline read only the last ${DEFAULT_ORDER_WINDOW_DAYS} days of orders without access to all orders.`
      : `Shopify lets Tierline read only the last ${DEFAULT_ORDER_WINDOW_DAYS} days of orders without access to all orders, so the history import reads only those.`;
    return {
      tone: "warning",
      title: `Levels count only the last ${DEFAULT_ORDER_WINDOW_DAYS} days of your order history`,
      paragraphs: [`${what} Purchases before that do not count toward members' levels.`, HOW_TO_GET_ALL_ORDERS],
      reimport: null,
    };
  }
  if (state.backfilledAt && state.backfillOrdersFrom) {
    return {
      tone: "info",
      title: "Your older orders can now be imported",
      paragraphs: state.reimportQueued
        ? ["Your full order history is being imported. Members' levels are updated when it finishes."]
        : [
            `Tierline now has access to all your orders, but your order history was imported from ${day(state.backfillOrdersFrom)} on. Import the full history so older purchases count toward members' levels (no one-time rewards are given for them).`,
          ],
      reimport: state.reimportQueued ? null : { content: "Import full order history" },
    };
  }
  return null;
}

export async function loadOrderHistoryNotice(db: Db, shop: string): Promise<OrderHistoryNotice | null> {
  const [scope, row, queued] = await Promise.all([
    grantedScopes(db, shop),
    db.shop.findUnique({ where: { domain: shop }, select: { backfilledAt: true, backfillOrdersFrom: true } }),
    db.job.count({ where: { shop, type: BACKFILL_JOB, status: { in: ["queued", "running"] } } }),
  ]);
  return orderHistoryNotice({ scope, backfilledAt: row?.backfilledAt ?? null, backfillOrdersFrom: row?.backfillOrdersFrom ?? null, reimportQueued: queued > 0 });
}

/** Queues the import of the full order history (only once the permission is there); returns whether one was queued. */
export async function importFullOrderHistory(db: Db, shop: string, now: Date): Promise<boolean> {
  if (!grantsAllOrders(await grantedScopes(db, shop))) return false;
  return enqueueJob(db, { type: BACKFILL_JOB, shop, key: backfillKey(shop), payload: { force: true }, maxAttempts: 5, backoffMs: 30_000 }, now);
}
