import { afterEach, describe, expect, it } from "vitest";
import { scopedLiveOrderShowcase } from "~/services/order-scopes-showcase.server";
import { BACKFILLED, JACKET, LIVE, NOW, ORDERS, PREMIUM, SCARF, SCOPED_PROGRAM, SOCKS, scopesWorld, type ScopesWorld } from "./scopes-harness";

/**
 * The same orders, imported by the install's backfill in one shop and delivered live (orders/paid webhooks, the
 * inbox, the worker) in another, end as the same facts and the same members under a programme with a
 * collection-scoped condition and an "everything except tag clearance" exclusion. Runs on SQLite, and on PostgreSQL
 * with TIERLINE_TEST_DATABASE_URL.
 */

let world: ScopesWorld;
afterEach(async () => world?.close());

const minutes = (m: number) => new Date(NOW.getTime() + m * 60_000);

describe("backfilled and live orders give the same lines and the same members", () => {
  it("collections and tags on every line, and each customer at the same level", async () => {
    world = await scopesWorld();
    for (const shop of [BACKFILLED, LIVE]) await world.publish(shop, SCOPED_PROGRAM, new Date("2026-04-01T00:00:00Z"));
    for (const spec of ORDERS) for (const shop of [BACKFILLED, LIVE]) world.seedOrder(shop, spec);

    await world.backfill(BACKFILLED, NOW);
    expect(await world.work(NOW)).toEqual([]);
    for (const spec of ORDERS) await world.deliverOrder(spec.n, minutes(1));
    expect(await world.work(minutes(1))).toEqual([]);

    for (const spec of ORDERS) {
      const live = await world.lines(LIVE, spec.n);
      expect(live, `order ${spec.n}`).toEqual(await world.lines(BACKFILLED, spec.n));
    }
    // What the lines say, as a merchant would check it.
    const scopesOf = async (n: number) =>
      (await world.lines(LIVE, n)).map((l) => ({ product: l.productId, collections: l.collectionIds, tags: l.tags }));
    expect(await scopesOf(1)).toEqual([{ product: JACKET, collections: [PREMIUM], tags: [] }]);
    expect(await scopesOf(2)).toEqual([{ product: SOCKS, collections: [], tags: ["clearance"] }]);
    expect(await scopesOf(4)).toEqual([{ product: SCARF, collections: [PREMIUM, "gid://shopify/Collection/9002"], tags: ["clearance", "winter"] }]);

    const levels: Record<string, unknown> = {};
    for (const shop of [BACKFILLED, LIVE]) {
      levels[shop] = await Promise.all(ORDERS.map(async (o) => [o.customer, await world.member(shop, o.customer)]));
    }
    expect(levels[LIVE]).toEqual(levels[BACKFILLED]);
    expect(levels[LIVE]).toEqual([
      // 2 Premium jackets: Gold by the collection.
      [601, { levelId: "gold", spend: 20000, orderCount: 1 }],
      // 400.00 of clearance socks: clearance is excluded from the 300.00, so Silver.
      [602, { levelId: "silver", spend: 40000, orderCount: 1 }],
      [603, { levelId: "silver", spend: 20000, orderCount: 1 }],
      // Scarves are Premium (and clearance): Gold by the collection.
      [604, { levelId: "gold", spend: 16000, orderCount: 1 }],
    ]);
    expect(await world.t.db.orderFact.count({ where: { scopeState: "unresolved" } })).toBe(0);

    // What the demo prints: a live order that moved a member through the collection-scoped condition.
    const store = world.standIn.shop(LIVE);
    const showcase = await scopedLiveOrderShowcase(world.t.db, LIVE, {
      product: (gid) => store.products[gid]?.title,
      collection: (gid) => (gid === PREMIUM ? "Premium" : undefined),
    });
    expect(showcase).toEqual({
      found: true,
      lines: [
        "Scoped condition on a live order: Buyer604 reached Gold: group 1 met, scoped products bought 2 ≥ 2 on 2026-05-05",
        "  #1004 (live, paid 2026-05-05): collections and tags the worker read for its lines",
        "    Scarf × 2: collections Premium, gid://shopify/Collection/9002; tags clearance, winter; counted by the scope",
      ],
    });
  });

  it("reads each product once: the second order of a product comes from the cache", async () => {
    world = await scopesWorld();
    await world.publish(LIVE, SCOPED_PROGRAM, new Date("2026-04-01T00:00:00Z"));
    for (const spec of ORDERS) world.seedOrder(LIVE, spec);
    await world.deliverOrder(1, minutes(1));
    expect(await world.work(minutes(1))).toEqual([]);
    for (const n of [2, 3, 4]) await world.deliverOrder(n, minutes(2));
    expect(await world.work(minutes(2))).toEqual([]);
    expect(world.productReads(LIVE)).toEqual([[JACKET], [SOCKS, SCARF]]);
  });
});
