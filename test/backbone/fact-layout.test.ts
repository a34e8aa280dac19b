import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Prisma } from "@prisma/client";
import { dbProvider } from "~/db/client.server";
import { loadFactsOfMany } from "~/services/member-recalculation.server";
import { loadFactsOfBatch, loadFactsOfBatchPostgres } from "~/services/recalculation/batch-reads.server";
import { memberEvents } from "~/services/recalculation/member-facts";
import { foldMember } from "~/services/recalculation/member-plan";
import { loadShopContext } from "~/services/shop-context.server";
import { shopHistories } from "~/services/admin/member-history.server";
import { generateSyntheticShop, syntheticCustomer, syntheticProgramJson } from "../../bench/support/synthetic-shop";
import { createTestDb, publishProgram, type TestDb } from "../support/db";

/**
 * The order facts' layout (migration 0006_fact_layout, docs/fact-layout.md): the full re-tier reads a batch's orders
 * through one covering index, and on PostgreSQL hands the engine each order's line measures instead of its lines when
 * nothing needs the lines. Whatever the lines look like, the re-tier's reader must lead the engine to exactly the
 * outcome the one-member reader (every order's own lines) leads it to.
 */

const SHOP = "layout.myshopify.com";
const NOW = new Date("2027-01-01T00:00:00Z");
const line = (id: string, quantity: number, price: number, extra: Record<string, unknown> = {}) => ({
  id,
  productId: "p1",
  quantity,
  price,
  collectionIds: [],
  tags: [],
  giftCard: false,
  ...extra,
});

/** Customers whose orders' lines stress the measures: gift cards, no lines, zero units, odd values, refunds by line. */
const CUSTOMERS: { name: string; orders: { lines: unknown[]; refund?: { amount: number; lines: { lineId: string; quantity: number }[] } }[] }[] = [
  { name: "plain lines", orders: [{ lines: [line("a", 2, 5000), line("b", 1, 12000)] }, { lines: [line("c", 1, 90000)] }] },
  { name: "gift cards only", orders: [{ lines: [line("a", 1, 5000, { giftCard: true }), line("b", 2, 2500, { giftCard: true })] }] },
  { name: "gift card beside goods", orders: [{ lines: [line("a", 3, 4000), line("b", 1, 10000, { giftCard: true }), line("c", 1, 700)] }] },
  { name: "no lines", orders: [{ lines: [] }, { lines: [] }] },
  { name: "zero units", orders: [{ lines: [line("a", 0, 5000), line("b", 0, 100)] }, { lines: [line("c", 0, 300)] }] },
  { name: "one line of many units", orders: [{ lines: [line("a", 7, 1300)] }] },
  { name: "fractional price (no measures)", orders: [{ lines: [line("a", 1, 1234.5), line("b", 2, 10)] }] },
  { name: "giftCard not a boolean (no measures)", orders: [{ lines: [line("a", 1, 5000, { giftCard: "yes" })] }] },
  {
    name: "refund by line",
    orders: [{ lines: [line("a", 2, 60000), line("b", 1, 30000)], refund: { amount: 60000, lines: [{ lineId: "a", quantity: 1 }] } }],
  },
  { name: "refund by amount", orders: [{ lines: [line("a", 2, 60000), line("b", 1, 30000)], refund: { amount: 45000, lines: [] } }] },
];
const customer = (i: number) => `gid://shopify/Customer/${700 + i}`;

/** The bench's program with an item count (units) beside spend and orders; `scoped` adds a condition on product p1. */
function program(scoped: boolean) {
  const p = syntheticProgramJson("1500.00");
  p.levels[0].upgrade.push([{ kind: "itemCount", count: 6 } as never]);
  if (scoped) p.levels[1].upgrade.push([{ kind: "productPurchase", count: 1, scope: { productIds: ["p1"] } } as never]);
  return p;
}

describe("order facts laid out for the re-tier", () => {
  let t: TestDb;
  beforeEach(async () => {
    t = await createTestDb();
    await t.db.shop.create({ data: { domain: SHOP, currency: "USD", installedAt: new Date("2025-01-01T00:00:00Z") } });
    let n = 0;
    for (const [i, c] of CUSTOMERS.entries()) {
      for (const o of c.orders) {
        n++;
        const paidAt = new Date(Date.UTC(2026, 0, n));
        const total = (o.lines as { quantity: number; price: number }[]).reduce((s, l) => s + Math.round(l.quantity * l.price), 0);
        await t.db.orderFact.create({
          data: {
            shop: SHOP,
            orderGid: `gid://shopify/Order/${n}`,
            customerGid: customer(i),
            paidAt,
            currency: "USD",
            total,
            subtotal: total,
            shipping: 0,
            tax: 0,
            linesJson: JSON.stringify(o.lines),
            sourceUpdatedAt: paidAt,
            scopeState: "resolved",
          },
        });
        if (o.refund)
          await t.db.refundFact.create({
            data: {
              shop: SHOP,
              refundGid: `gid://shopify/Refund/${n}`,
              orderGid: `gid://shopify/Order/${n}`,
              customerGid: customer(i),
              createdAt: new Date(paidAt.getTime() + 86_400_000),
              amount: o.refund.amount,
              linesJson: JSON.stringify(o.refund.lines),
            },
          });
      }
    }
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it.each([{ scoped: false }, { scoped: true }])(
    "the re-tier's reader leads the engine to the outcome of every order's own lines (scoped condition: $scoped)",
    async ({ scoped }) => {
      await publishProgram(t.db, SHOP, program(scoped), new Date("2025-01-01T00:00:00Z"));
      const ctx = await loadShopContext(t.db, SHOP);
      const gids = CUSTOMERS.map((_, i) => customer(i));
      const batch =
        dbProvider(t.db) === "postgresql"
          ? (await loadFactsOfBatchPostgres(t.db, SHOP, null, gids, ctx.versions)).facts
          : await loadFactsOfBatch(t.db, SHOP, null, gids);
      const own = await loadFactsOfMany(t.db, SHOP, gids);
      const outcome = (facts: typeof own, gid: string) => foldMember(ctx, memberEvents(facts.get(gid)!, ctx.versions), NOW);
      for (const [i, c] of CUSTOMERS.entries()) expect(outcome(batch, customer(i)), c.name).toEqual(outcome(own, customer(i)));
      // The outcomes compared differ from customer to customer: levels were reached and missed.
      expect(new Set(gids.map((g) => outcome(own, g).level)).size).toBeGreaterThan(1);
    },
  );

  it("reads a batch's orders from the covering index alone", async () => {
    const postgres = dbProvider(t.db) === "postgresql";
    const plan = postgres
      ? await t.db.$transaction(async (tx) => {
          // Only an index-only scan left to the planner: it is found when the index covers the read (a table this small
          // would otherwise be read whole).
          for (const scan of ["seqscan", "indexscan", "bitmapscan"]) await tx.$executeRawUnsafe(`SET LOCAL enable_${scan} = off`);
          return tx.$queryRaw<Record<string, string>[]>`
            EXPLAIN SELECT o."customerGid", o."orderGid", o."paidAt", o."cancelledAt", o.total, o.subtotal, o.shipping, o.tax, o."hasDiscountCode", o.channel, o."lineMeasures"
              FROM "OrderFact" o WHERE o.shop = ${SHOP} AND o."customerGid" > ${""} AND o."customerGid" <= ${customer(99)} AND o."paidAt" IS NOT NULL AND o.test = false`;
        })
      : await t.db.$queryRaw<Record<string, string>[]>(Prisma.sql`
          EXPLAIN QUERY PLAN SELECT "customerGid", "orderGid", "paidAt", "cancelledAt", "total", "subtotal", "shipping", "tax", "hasDiscountCode", "channel", "linesJson"
            FROM "OrderFact" WHERE "shop" = ${SHOP} AND "customerGid" > ${""} AND "customerGid" <= ${customer(99)} AND "paidAt" IS NOT NULL AND "test" = false
           ORDER BY "customerGid", "paidAt", "orderGid"`);
    const text = plan.map((row) => Object.values(row).join(" ")).join("\n");
    expect(text).toMatch(
      postgres ? /Index Only Scan using "?OrderFact_facts_by_customer_idx/ : /USING COVERING INDEX OrderFact_facts_by_customer_idx/,
    );
    expect(text).not.toMatch(/TEMP B-TREE|Sort/);
  });

  it("the what-if preview reads every member's history as the worker does, page after page", async () => {
    // 6,000 orders: past the preview's page of 5,000, so its keyset on (customer, paid instant, order) is crossed.
    const shop = "preview-layout.myshopify.com";
    await generateSyntheticShop(t.db, { shop, members: 600, orders: 6_000 });
    const ctx = await loadShopContext(t.db, shop);
    const histories = new Map<string, unknown>();
    for await (const m of shopHistories(t.db, shop, ctx.versions, [])) histories.set(m.id, m.events);
    const gids = Array.from({ length: 600 }, (_, i) => syntheticCustomer(i));
    const own = new Map<string, Awaited<ReturnType<typeof loadFactsOfMany>> extends Map<string, infer F> ? F : never>();
    for (let i = 0; i < gids.length; i += 50)
      for (const [gid, facts] of await loadFactsOfMany(t.db, shop, gids.slice(i, i + 50))) own.set(gid, facts);
    expect([...histories.keys()]).toEqual(gids);
    // Events with the orders' own lines: equal where the preview had the lines, equal in what the engine reads where
    // it had their measures (PostgreSQL), so compared through the fold.
    for (const gid of gids)
      expect(evaluate(ctx, histories.get(gid) as ReturnType<typeof memberEvents>), gid).toEqual(
        evaluate(ctx, memberEvents(own.get(gid)!, ctx.versions)),
      );
  });
});

const evaluate = (ctx: Awaited<ReturnType<typeof loadShopContext>>, events: ReturnType<typeof memberEvents>) => foldMember(ctx, events, NOW);
