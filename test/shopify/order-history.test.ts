import { describe, expect, it } from "vitest";
import { BACKFILL_JOB, backfillKey } from "~/queue/job-kinds";
import { enqueueJob } from "~/queue/queue.server";
import { recordWebhook } from "~/services/webhook-inbox.server";
import {
  HOW_TO_GET_ALL_ORDERS,
  importFullOrderHistory,
  loadOrderHistoryNotice,
  orderHistoryNotice,
  scopesGrantedInAdmin,
} from "~/services/order-history.server";
import { backfillOrdersWindow } from "~/shopify/backfill.server";
import { drain } from "../../scripts/worker";
import { standInAdminClient } from "../../tools/shopify-stand-in/index";
import { delivery } from "../../tools/sample-data/webhook-payloads";
import { appWithStandIn } from "./support/app-with-stand-in";

/**
 * Orders older than 60 days need Shopify's read_all_orders permission. The install's history import runs through the
 * app's own worker against the local stand-in, which (like Shopify) answers only the last 60 days of orders to an
 * installation without that scope; the member centre says so, and how to get it.
 */

const DAY = 86_400_000;
const ALL = ["read_customers", "write_customers", "read_orders", "read_all_orders", "write_discounts", "read_products"];
const RECENT = ALL.filter((s) => s !== "read_all_orders");
const app = appWithStandIn("order-history");

/** Installs the app with `scopes` (stand-in and stored session agree, as after Shopify's install) and seeds two orders. */
async function install(shop: string, scopes: string[]): Promise<{ old: string; recent: string }> {
  await grant(shop, scopes);
  await app.db.shop.create({ data: { domain: shop, currency: "USD" } });
  const [customer] = app.standIn.seed({ customers: [{ firstName: "Ada", email: `ada@${shop}` }] }, shop).customers;
  const iso = (daysAgo: number) => new Date(Date.now() - daysAgo * DAY).toISOString();
  const [old, recent] = app.standIn.seed(
    {
      orders: [
        {
          customerId: customer,
          processedAt: iso(200),
          lineItems: [{ quantity: 1, unitPrice: "500.00" }],
          totalPrice: "500.00",
          subtotalPrice: "500.00",
        },
        { customerId: customer, processedAt: iso(10), lineItems: [{ quantity: 1, unitPrice: "40.00" }], totalPrice: "40.00", subtotalPrice: "40.00" },
      ],
    },
    shop,
  ).orders;
  return { old, recent };
}

/** Shopify grants `scopes` (install, or the merchant accepting new ones); app/scopes_update stores them on the session. */
const grant = (shop: string, scopes: string[]) => app.install(shop, { scopes, expiring: false });

async function runWorker() {
  const results = await drain(app.db, { syncOptions: { sleep: async () => {}, pollIntervalMs: 1 }, leaseMs: 3_600_000 });
  for (const r of results) if (r.ran) expect(r.status, `${r.job.type}: ${r.error}`).toBe("done");
}

const importedOrders = async (shop: string) =>
  (await app.db.orderFact.findMany({ where: { shop }, select: { orderGid: true } })).map((o) => o.orderGid).sort();

describe("the history import with and without read_all_orders", () => {
  it.each([
    { name: "with read_all_orders: the whole history", shop: "all-orders.myshopify.com", scopes: ALL, limited: false },
    { name: "without it: the last 60 days, recorded on the shop", shop: "recent-orders.myshopify.com", scopes: RECENT, limited: true },
  ])("$name", async ({ shop, scopes, limited }) => {
    const orders = await install(shop, scopes);
    await enqueueJob(app.db, { type: BACKFILL_JOB, shop, key: backfillKey(shop) });
    const before = Date.now();
    await runWorker();

    expect(await importedOrders(shop)).toEqual((limited ? [orders.recent] : [orders.old, orders.recent]).sort());
    const row = await app.db.shop.findUniqueOrThrow({ where: { domain: shop } });
    expect(row.backfilledAt).not.toBeNull();
    if (limited) expect(Math.abs(row.backfillOrdersFrom!.getTime() - (before - 60 * DAY))).toBeLessThan(60_000);
    else expect(row.backfillOrdersFrom).toBeNull();
    // The import asked for exactly what it could get: the orders query names its start when the window applies.
    const bulk = Object.values(app.standIn.shop(shop).bulkOperations)
      .map((op) => op.query ?? "")
      .find((q) => q.includes("orders("));
    expect(bulk).toContain(limited ? row.backfillOrdersFrom!.toISOString() : "1970-01-01T00:00:00Z");
  });

  it("the member centre says plainly that only 60 days count, and how to get access to all orders", async () => {
    const shop = "recent-orders.myshopify.com";
    const notice = await loadOrderHistoryNotice(app.db, shop);
    const from = (await app.db.shop.findUniqueOrThrow({ where: { domain: shop } })).backfillOrdersFrom!.toISOString().slice(0, 10);
    expect(notice).toEqual({
      tone: "warning",
      title: "Levels count only the last 60 days of your order history",
      paragraphs: [
        `Your order history was imported from ${from} on: Shopify lets Tierline read only the last 60 days of orders without access to all orders. Purchases before that do not count toward members' levels.`,
        HOW_TO_GET_ALL_ORDERS,
      ],
      grant: { content: "Grant access to all orders", scope: "read_all_orders" },
      reimport: null,
    });
    expect(HOW_TO_GET_ALL_ORDERS).toBe(
      "To count your full order history, grant Tierline access to all orders: Shopify asks you to confirm, then Tierline imports your older orders. If Shopify answers that Tierline can't ask for it, the app's developer first requests \"read all orders\" access from Shopify (the app's API access settings in the Partner Dashboard).",
    );
    expect(await loadOrderHistoryNotice(app.db, "all-orders.myshopify.com")).toBeNull();
    // Without the permission, the button's action does nothing.
    expect(await importFullOrderHistory(app.db, shop, new Date())).toBe(false);
  });

  it("granted through app/scopes_update (the merchant accepted the optional scope), the older orders are imported", async () => {
    const shop = "recent-orders.myshopify.com";
    app.standIn.oauth.setScopes(shop, ALL);
    expect(
      (
        await recordWebhook(
          app.db,
          delivery("app/scopes_update", shop, { id: 1, previous: RECENT, current: ALL, updated_at: new Date().toISOString() }),
          "app/scopes_update",
        )
      ).status,
    ).toBe(200);
    await runWorker();

    expect(await importedOrders(shop)).toHaveLength(2);
    expect(await app.db.shop.findUniqueOrThrow({ where: { domain: shop } })).toMatchObject({ backfillOrdersFrom: null });
    expect(await loadOrderHistoryNotice(app.db, shop)).toBeNull();
  });

  it("granted in the admin (App Bridge), Shopify's own list is read before app/scopes_update arrives, and the older orders are imported", async () => {
    const shop = "admin-grant.myshopify.com";
    await install(shop, RECENT);
    await enqueueJob(app.db, { type: BACKFILL_JOB, shop, key: backfillKey(shop) });
    await runWorker();
    expect(await importedOrders(shop)).toHaveLength(1);

    app.standIn.oauth.setScopes(shop, ALL);
    const admin = standInAdminClient({ url: app.standIn.url, shop, accessToken: app.standIn.shop(shop).accessToken! });
    expect(await scopesGrantedInAdmin(app.db, admin, shop, new Date())).toBe(true);
    expect(await loadOrderHistoryNotice(app.db, shop)).toMatchObject({
      tone: "info",
      paragraphs: ["Your full order history is being imported. Members' levels are updated when it finishes."],
      grant: null,
      reimport: null,
    });
    await runWorker();
    expect(await importedOrders(shop)).toHaveLength(2);
    expect(await loadOrderHistoryNotice(app.db, shop)).toBeNull();
  });
});

describe("backfillOrdersWindow and the notice before any import", () => {
  const now = new Date("2026-12-01T00:00:00Z");
  const sixtyDaysAgo = new Date(now.getTime() - 60 * DAY);
  it.each([
    { name: "all orders, no activeFrom", activeFrom: null, allOrders: true, want: { since: null, limited: false } },
    {
      name: "all orders, activeFrom",
      activeFrom: Date.parse("2025-01-01T00:00:00Z"),
      allOrders: true,
      want: { since: new Date("2025-01-01T00:00:00Z"), limited: false },
    },
    { name: "60 days, no activeFrom", activeFrom: null, allOrders: false, want: { since: sixtyDaysAgo, limited: true } },
    {
      name: "60 days, activeFrom before the window",
      activeFrom: Date.parse("2025-01-01T00:00:00Z"),
      allOrders: false,
      want: { since: sixtyDaysAgo, limited: true },
    },
    {
      name: "60 days, activeFrom inside the window",
      activeFrom: Date.parse("2026-11-15T00:00:00Z"),
      allOrders: false,
      want: { since: new Date("2026-11-15T00:00:00Z"), limited: false },
    },
  ])("$name", ({ activeFrom, allOrders, want }) => {
    expect(backfillOrdersWindow({ activeFrom, allOrders, now })).toEqual(want);
  });

  it("warns before the first import too, and stays silent when the import read everything the program counts", () => {
    expect(orderHistoryNotice({ scope: RECENT.join(","), backfilledAt: null, backfillOrdersFrom: null, reimportQueued: false })?.paragraphs[0]).toBe(
      "Shopify lets Tierline read only the last 60 days of orders without access to all orders, so the history import reads only those. Purchases before that do not count toward members' levels.",
    );
    expect(orderHistoryNotice({ scope: RECENT.join(","), backfilledAt: now, backfillOrdersFrom: null, reimportQueued: false })).toBeNull();
  });
});
