import type { Db, DbOrTx } from "~/db/client.server";
import { BACKFILL_JOB, backfillKey } from "~/queue/job-kinds";
import { enqueueJob } from "~/queue/queue.server";
import {
  ALL_ORDERS_SCOPE,
  DEFAULT_ORDER_WINDOW_DAYS,
  fetchGrantedScopes,
  grantedScopes,
  grantsAllOrders,
  storeGrantedScopes,
} from "~/shopify/access-scopes.server";
import type { AdminCaller, AdminGraphqlClient } from "~/shopify/admin-graphql.server";

/**
 * The order history levels are computed from. Without Shopify's read_all_orders permission (an optional scope) the
 * Admin API answers only the last 60 days of orders, so the install's import (app/jobs/backfill.server.ts) reads
 * those and members' levels leave out older purchases. The member centre says so and asks the merchant for the
 * permission; once it is granted, the full history is imported (from the banner, or when app/scopes_update arrives).
 */

export interface OrderHistoryNotice {
  tone: "warning" | "info";
  title: string;
  paragraphs: string[];
  /** The button that asks the merchant for the optional scope (App Bridge's scopes.request), when it is missing. */
  grant: { content: string; scope: string } | null;
  /** The button that imports the full history again (the permission is there and the import was cut short). */
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
  "To count your full order history, grant Tierline access to all orders: Shopify asks you to confirm, then Tierline imports your older orders. If Shopify answers that Tierline can't ask for it, the app's developer first requests \"read all orders\" access from Shopify (the app's API access settings in the Partner Dashboard).";

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
      grant: { content: "Grant access to all orders", scope: ALL_ORDERS_SCOPE },
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
      grant: null,
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
  return orderHistoryNotice({
    scope,
    backfilledAt: row?.backfilledAt ?? null,
    backfillOrdersFrom: row?.backfillOrdersFrom ?? null,
    reimportQueued: queued > 0,
  });
}

/**
 * Queues the import of the full order history when the shop granted read_all_orders and the last import was cut
 * short by the 60-day window; returns whether one was queued. Called from the banner's button and for
 * app/scopes_update (inside its transaction).
 */
export async function importFullOrderHistory(db: DbOrTx, shop: string, now: Date, scopes?: string[]): Promise<boolean> {
  if (!grantsAllOrders(scopes ? scopes.join(",") : await grantedScopes(db, shop))) return false;
  const row = await db.shop.findUnique({ where: { domain: shop }, select: { backfilledAt: true, backfillOrdersFrom: true } });
  if (!row?.backfilledAt || !row.backfillOrdersFrom) return false;
  return enqueueJob(db, { type: BACKFILL_JOB, shop, key: backfillKey(shop), payload: { force: true }, maxAttempts: 5, backoffMs: 30_000 }, now);
}

/**
 * The merchant just granted scopes in the admin (App Bridge): Shopify's own list is stored on the session, as
 * app/scopes_update will store it a little later, and the full import is queued when read_all_orders is among them.
 */
export async function scopesGrantedInAdmin(db: Db, admin: AdminGraphqlClient | AdminCaller, shop: string, now: Date): Promise<boolean> {
  const scopes = await fetchGrantedScopes(admin);
  await storeGrantedScopes(db, shop, scopes);
  return importFullOrderHistory(db, shop, now, scopes);
}
