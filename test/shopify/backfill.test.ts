import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BackfillParseError, collectBackfill, decimalToMinor, parseBackfillJsonl, startBackfill } from "~/shopify/backfill.server";
import { virtualClock } from "../../tools/shopify-stand-in/builders";
import { standInAdminClient, startStandIn, type StandIn } from "../../tools/shopify-stand-in/index";

const fixture = fs.readFileSync(path.join(import.meta.dirname, "fixtures/backfill-bulk-result.jsonl"), "utf8").split("\n");

describe("parseBackfillJsonl on a bulk query result", () => {
  const data = parseBackfillJsonl(fixture);
  const order = (gid: string) => data.orders.find((o) => o.gid === gid)!;

  it("reads customers", () => {
    expect(data.customers).toEqual([
      {
        gid: "gid://shopify/Customer/7001",
        displayName: "Ada Lovelace",
        email: "ada@example.com",
        tags: ["vip", "tier:silver"],
        createdAt: "2025-11-02T09:15:00Z",
      },
      { gid: "gid://shopify/Customer/7002", displayName: "Grace Hopper", email: null, tags: [], createdAt: "2025-12-24T18:00:00Z" },
    ]);
  });

  it("builds the engine's OrderFact, attaching lines that came before their order and product tags/collections", () => {
    expect(order("gid://shopify/Order/5001")).toMatchObject({
      customerGid: "gid://shopify/Customer/7001",
      paidAt: Date.parse("2026-02-01T10:00:00Z"),
      financialStatus: "PAID",
      currency: "USD",
      order: {
        id: "gid://shopify/Order/5001",
        total: 14500,
        subtotal: 12500,
        shipping: 1000,
        tax: 1000,
        channel: "online_store",
        hasDiscountCode: true,
        lines: [
          {
            id: "gid://shopify/LineItem/9002",
            productId: "gid://shopify/Product/3003",
            quantity: 1,
            price: 2500,
            giftCard: true,
            tags: ["gift-card"],
            collectionIds: [],
          },
          {
            id: "gid://shopify/LineItem/9001",
            productId: "gid://shopify/Product/3001",
            quantity: 2,
            price: 5000,
            giftCard: false,
            tags: ["apparel", "summer"],
            collectionIds: ["gid://shopify/Collection/4001", "gid://shopify/Collection/4002"],
          },
        ],
      },
    });
  });

  it.each([
    ["303.375", 30338],
    ["101.125", 10113],
    ["0.0", 0],
    ["7", 700],
    ["12.5", 1250],
    ["0.004", 0],
    ["-3.10", -310],
  ])("rounds Shopify Decimal %s to %i minor units", (amount, minor) => {
    expect(decimalToMinor(amount, "x")).toBe(minor);
  });

  it("maps channels and keeps refunds as their own facts", () => {
    expect(order("gid://shopify/Order/5002").order.channel).toBe("pos");
    expect(order("gid://shopify/Order/5003").order.channel).toBe("draft_orders");
    expect(order("gid://shopify/Order/5002").refunds).toEqual([
      {
        gid: "gid://shopify/Refund/6001",
        at: Date.parse("2026-03-20T12:00:00Z"),
        refund: { id: "gid://shopify/Refund/6001", amount: 10113, lines: [] },
      },
    ]);
  });

  it("reports lines it could not place instead of dropping them silently", () => {
    expect(data.skipped).toEqual([
      { line: 19, reason: 'unknown object "gid://shopify/Fulfillment/1"' },
      { line: 18, reason: "line item gid://shopify/LineItem/9999 of unknown order gid://shopify/Order/404" },
    ]);
  });

  it("gives the same result whatever order the lines arrive in", () => {
    const shuffled = [...fixture].reverse();
    const a = parseBackfillJsonl(fixture);
    const b = parseBackfillJsonl(shuffled);
    const byGid = (d: typeof a) =>
      Object.fromEntries(
        d.orders.map((o) => [o.gid, { ...o, order: { ...o.order, lines: [...o.order.lines].sort((x, y) => x.id.localeCompare(y.id)) } }]),
      );
    expect(byGid(b)).toEqual(byGid(a));
  });

  it("refuses a line that is not JSON, naming it", () => {
    expect(() => parseBackfillJsonl(['{"id":"gid://shopify/Customer/1"}', "{oops"])).toThrowError(new BackfillParseError("line 2: not JSON"));
  });
});

describe("startBackfill + collectBackfill against the stand-in", () => {
  const SHOP = "backfill.myshopify.com";
  const TOKEN = "shpat_backfill";
  const clock = virtualClock();
  let standIn: StandIn;
  let ids: { customers: string[]; products: string[]; orders: string[] };

  beforeAll(async () => {
    standIn = await startStandIn({ now: clock.now, shops: [{ domain: SHOP, accessToken: TOKEN }] });
    const products = standIn.seed({ products: [{ title: "Jacket", tags: ["outerwear"], collections: ["Winter"] }, { title: "Socks" }] }).products;
    const customers = standIn.seed({ customers: [{ firstName: "Ada", email: "ada@example.com" }, { firstName: "Grace" }] }).customers;
    const orders = standIn.seed({
      orders: [
        { customerId: customers[0], processedAt: "2025-12-01T10:00:00Z", lineItems: [{ productId: products[1], quantity: 1, unitPrice: "500.00" }] },
        {
          customerId: customers[0],
          processedAt: "2026-02-01T10:00:00Z",
          totalShipping: "5.00",
          lineItems: [{ productId: products[0], quantity: 2, unitPrice: "150.00" }],
        },
        {
          customerId: customers[0],
          processedAt: "2026-03-01T10:00:00Z",
          lineItems: [
            { productId: products[0], quantity: 1, unitPrice: "150.00" },
            { productId: products[1], quantity: 4, unitPrice: "10.00" },
          ],
          refunds: [{ createdAt: "2026-03-05T10:00:00Z", amount: "20.00", lines: [{ lineItemIndex: 1, quantity: 2 }] }],
        },
        { customerId: customers[1], processedAt: "2026-04-01T10:00:00Z", lineItems: [{ productId: products[1], quantity: 1, unitPrice: "90.00" }] },
      ],
    }).orders;
    ids = { customers, products, orders };
  });
  afterAll(async () => {
    await standIn.close();
  });

  it("exports customers, orders since activeFrom and products, then fills refund lines", async () => {
    const admin = standInAdminClient({ url: standIn.url, shop: SHOP, accessToken: TOKEN });
    const policy = { sleep: clock.sleep, now: clock.now, pollIntervalMs: 100 };
    const started = await startBackfill(admin, { since: "2026-01-01T00:00:00Z" }, policy);
    const data = await collectBackfill(admin, started, policy);

    expect(data.operations.map((o) => o.status)).toEqual(["COMPLETED", "COMPLETED", "COMPLETED"]);
    expect(data.customers.map((c) => c.gid)).toEqual(ids.customers);
    expect(data.orders.map((o) => o.gid)).toEqual(ids.orders.slice(1));
    const march = data.orders.find((o) => o.gid === ids.orders[2])!;
    const marchLines = standIn.state.orders[ids.orders[2]].lineItems;
    expect(march.order.lines.map((l) => [l.productId, l.quantity, l.price, l.collectionIds.length, l.tags])).toEqual([
      [ids.products[0], 1, 15000, 1, ["outerwear"]],
      [ids.products[1], 4, 1000, 0, []],
    ]);
    expect(march.refunds.map((r) => r.refund)).toEqual([
      { id: march.refunds[0].gid, amount: 2000, lines: [{ lineId: marchLines[1].id, quantity: 2 }] },
    ]);
    expect(data.skipped).toEqual([]);
  });
});
