import { afterEach, describe, expect, it } from "vitest";
import { RESOLVE_ORDER_SCOPES_JOB } from "~/queue/job-kinds";
import { memberDetailView } from "~/services/admin/members.server";
import { ordersWaitingForProductData, PRODUCT_SCOPE_TTL_MS } from "~/services/order-scopes.server";
import {
  JACKET,
  LIVE,
  NOW,
  ORDERS,
  orderGid,
  PREMIUM,
  SCOPED_PROGRAM,
  SOCKS,
  UNSCOPED_PROGRAM,
  customerGid,
  scopesWorld,
  type ScopesWorld,
} from "./scopes-harness";

/**
 * Live orders whose products cannot be read yet wait (the member is not folded as if the order were in no collection
 * and had no tag), are retried with backoff, then counted; products and collections webhooks and the cache's time to
 * live make the next order read products again. Runs on SQLite, and on PostgreSQL with TIERLINE_TEST_DATABASE_URL.
 */

let world: ScopesWorld;
afterEach(async () => world?.close());

const later = (ms: number, from = NOW) => new Date(from.getTime() + ms);
const SECOND = 1000;
const PUBLISHED = new Date("2026-04-01T00:00:00Z");

async function liveShop(program: unknown) {
  world = await scopesWorld();
  await world.publish(LIVE, program, PUBLISHED);
  for (const spec of ORDERS) world.seedOrder(LIVE, spec);
}

const resolverJob = () => world.t.db.job.findFirst({ where: { type: RESOLVE_ORDER_SCOPES_JOB, shop: LIVE }, orderBy: { createdAt: "desc" } });

describe("a live order whose products cannot be read", () => {
  it("waits (the member is not folded as unscoped), is retried with backoff, then counted", async () => {
    await liveShop(SCOPED_PROGRAM);
    // Shopify answers 503 to the product read (the caller gives up after one attempt in these tests).
    world.standIn.injectFault({ kind: "http", status: 503, count: 1, shop: LIVE });
    await world.deliverOrder(1, NOW); // 2 Premium jackets, 200.00: Gold by the collection
    await world.deliverOrder(2, NOW); // 400.00 of clearance socks: Silver (clearance excluded)
    expect(await world.work(NOW)).toEqual([expect.stringContaining("resolve-order-scopes")]);

    // Neither is folded: unscoped, 601 would be Silver and 602 Gold.
    expect(await world.member(LIVE, 601)).toBeNull();
    expect(await world.member(LIVE, 602)).toBeNull();
    expect(await ordersWaitingForProductData(world.t.db, LIVE, customerGid(601))).toEqual({ orders: 1, failedAttempts: 1 });
    const job = await resolverJob();
    expect(job).toMatchObject({ status: "queued", attempts: 1 });
    expect(job!.runAt.getTime()).toBeGreaterThan(NOW.getTime());

    // A delivery meanwhile (a refund, an update) does not fold them either, nor start a second chain of retries.
    await world.deliverOrder(1, later(SECOND));
    expect(await world.work(later(SECOND), ["process-webhooks"])).toEqual([]);
    expect(await world.member(LIVE, 601)).toBeNull();
    expect(await world.t.db.job.count({ where: { type: RESOLVE_ORDER_SCOPES_JOB, status: "queued" } })).toBe(1);

    // The retry reads the products and recomputes the members who waited.
    expect(await world.work(later(60 * SECOND))).toEqual([]);
    expect(await world.member(LIVE, 601)).toMatchObject({ levelId: "gold" });
    expect(await world.member(LIVE, 602)).toMatchObject({ levelId: "silver" });
    expect(await ordersWaitingForProductData(world.t.db, LIVE, customerGid(601))).toEqual({ orders: 0, failedAttempts: 0 });
    const moves = await world.t.db.levelChange.findMany({ where: { shop: LIVE }, select: { toLevelId: true, retractedAt: true } });
    // Straight to the right level: no Silver granted on the way and taken back.
    expect(moves.filter((m) => m.retractedAt !== null)).toEqual([]);
  });

  it("with a programme that reads no collections or tags, nothing waits", async () => {
    await liveShop(UNSCOPED_PROGRAM);
    world.standIn.injectFault({ kind: "http", status: 503, count: 1, shop: LIVE });
    await world.deliverOrder(2, NOW);
    expect(await world.work(NOW)).toEqual([expect.stringContaining("resolve-order-scopes")]);
    expect(await world.member(LIVE, 602)).toMatchObject({ levelId: "silver", spend: 40000 });
    // Resolved anyway, so a programme published later finds the lines complete.
    expect(await world.work(later(60 * SECOND))).toEqual([]);
    expect((await world.lines(LIVE, 2))[0]).toMatchObject({ tags: ["clearance"] });
  });

  it("a deleted product: resolved with no collections and no tags", async () => {
    await liveShop(SCOPED_PROGRAM);
    world.standIn.catalog.deleteProduct(world.standIn.shop(LIVE), JACKET);
    await world.deliverOrder(1, NOW);
    expect(await world.work(NOW)).toEqual([]);
    expect((await world.lines(LIVE, 1))[0]).toMatchObject({ productId: JACKET, collectionIds: [], tags: [] });
    expect(await world.member(LIVE, 601)).toMatchObject({ levelId: "silver" });
  });
});

describe("the admin's member page", () => {
  it("marks a member's live order whose product data is not read yet, and then no more", async () => {
    await liveShop(SCOPED_PROGRAM);
    world.seedOrder(LIVE, { n: 21, customer: 601, at: "2026-05-20T10:00:00Z", lines: [{ product: SOCKS, quantity: 1, price: "50.00" }] });
    world.seedOrder(LIVE, { n: 22, customer: 601, at: "2026-05-21T10:00:00Z", lines: [{ product: JACKET, quantity: 1, price: "100.00" }] });
    await world.deliverOrder(1, NOW);
    expect(await world.work(NOW)).toEqual([]);
    // The socks cannot be read; the jacket comes from the cache, so #1022 is resolved in the same run as #1021 fails.
    world.standIn.injectFault({ kind: "http", status: 503, count: 1, shop: LIVE });
    await world.deliverOrder(21, later(SECOND));
    await world.deliverOrder(22, later(SECOND));
    await world.work(later(SECOND));
    // One retry pending, with its backoff (the member still waiting did not queue another run at once).
    expect(await world.t.db.job.findMany({ where: { type: RESOLVE_ORDER_SCOPES_JOB, status: "queued" }, select: { attempts: true } })).toEqual([
      { attempts: 1 },
    ]);
    const member = await world.t.db.member.findFirstOrThrow({ where: { shop: LIVE, customerGid: customerGid(601) } });
    const waiting = async () =>
      (await memberDetailView(world.t.db, LIVE, member.id, NOW.getTime())).orders.map((o) => [o.name, o.waitingForProductData]);
    expect(await waiting()).toEqual([
      ["#1022", false],
      ["#1021", true],
      ["#1001", false],
    ]);
    expect(await world.work(later(60 * SECOND))).toEqual([]);
    expect(await waiting()).toEqual([
      ["#1022", false],
      ["#1021", false],
      ["#1001", false],
    ]);
  });
});

describe("publishing a programme with scopes while live orders are unresolved", () => {
  it("the publication's full recalculation leaves their members for the resolver", async () => {
    await liveShop(UNSCOPED_PROGRAM);
    world.standIn.injectFault({ kind: "http", status: 503, count: 1, shop: LIVE });
    await world.deliverOrder(2, NOW); // 400.00 of clearance socks
    await world.work(NOW);
    expect(await world.member(LIVE, 602)).toMatchObject({ levelId: "silver" });

    const version = await world.publish(LIVE, SCOPED_PROGRAM, later(SECOND));
    await world.recalculateAll(LIVE, version, later(SECOND));
    expect(await world.work(later(SECOND), ["recalculate"])).toEqual([]);
    // Unscoped, 400.00 would reach Gold's 300.00 "except clearance": the member stays as they were.
    expect(await world.member(LIVE, 602)).toMatchObject({ levelId: "silver" });

    expect(await world.work(later(60 * SECOND))).toEqual([]);
    expect(await world.member(LIVE, 602)).toMatchObject({ levelId: "silver" });
    expect(await world.t.db.orderFact.count({ where: { shop: LIVE, scopeState: "unresolved" } })).toBe(0);
  });
});

describe("the product cache", () => {
  const socksOrder = async (n: number, at: Date) => {
    world.seedOrder(LIVE, { n, customer: 605, at: at.toISOString(), lines: [{ product: SOCKS, quantity: 1, price: "50.00" }] });
    await world.deliverOrder(n, at);
    expect(await world.work(at)).toEqual([]);
    return (await world.lines(LIVE, n))[0];
  };

  it("answers the next order from the cache until products/update says the product changed", async () => {
    await liveShop(SCOPED_PROGRAM);
    expect(await socksOrder(11, NOW)).toMatchObject({ collectionIds: [], tags: ["clearance"] });
    const shop = world.standIn.shop(LIVE);
    // Changed in Shopify without a webhook (yet): the cache still answers.
    const update = world.standIn.catalog.setProductCollections(shop, SOCKS, [PREMIUM]);
    world.standIn.catalog.setProductTags(shop, SOCKS, ["premium-socks"]);
    expect(await socksOrder(12, later(SECOND))).toMatchObject({ collectionIds: [], tags: ["clearance"] });
    expect(world.productReads(LIVE)).toEqual([[SOCKS]]);

    await world.receive(LIVE, "products/update", update, later(2 * SECOND));
    expect(await world.work(later(2 * SECOND))).toEqual([]);
    expect(await socksOrder(13, later(3 * SECOND))).toMatchObject({ collectionIds: [PREMIUM], tags: ["premium-socks"] });
    expect(world.productReads(LIVE)).toEqual([[SOCKS], [SOCKS]]);
  });

  it("collections/update marks every cached product stale", async () => {
    await liveShop(SCOPED_PROGRAM);
    expect(await socksOrder(11, NOW)).toMatchObject({ collectionIds: [] });
    const body = world.standIn.catalog.setCollectionMember(world.standIn.shop(LIVE), PREMIUM, SOCKS, true);
    await world.receive(LIVE, "collections/update", body, later(SECOND));
    expect(await world.work(later(SECOND))).toEqual([]);
    expect(await socksOrder(12, later(2 * SECOND))).toMatchObject({ collectionIds: [PREMIUM] });
    expect(world.productReads(LIVE)).toEqual([[SOCKS], [SOCKS]]);
  });

  it("collections/delete likewise", async () => {
    await liveShop(SCOPED_PROGRAM);
    world.standIn.catalog.setCollectionMember(world.standIn.shop(LIVE), PREMIUM, SOCKS, true);
    expect(await socksOrder(11, NOW)).toMatchObject({ collectionIds: [PREMIUM] });
    const body = world.standIn.catalog.deleteCollection(world.standIn.shop(LIVE), PREMIUM);
    await world.receive(LIVE, "collections/delete", body, later(SECOND));
    expect(await world.work(later(SECOND))).toEqual([]);
    expect(await socksOrder(12, later(2 * SECOND))).toMatchObject({ collectionIds: [] });
  });

  it("reads a product again once its cached answer is older than the time to live", async () => {
    await liveShop(SCOPED_PROGRAM);
    await socksOrder(11, NOW);
    world.standIn.catalog.setProductTags(world.standIn.shop(LIVE), SOCKS, ["restocked"]);
    expect(await socksOrder(12, later(PRODUCT_SCOPE_TTL_MS - SECOND))).toMatchObject({ tags: ["clearance"] });
    expect(await socksOrder(13, later(PRODUCT_SCOPE_TTL_MS + SECOND))).toMatchObject({ tags: ["restocked"] });
    expect(world.productReads(LIVE)).toEqual([[SOCKS], [SOCKS]]);
  });

  it("an orders/updated after resolution keeps the lines' collections and tags (no new read)", async () => {
    await liveShop(SCOPED_PROGRAM);
    await world.deliverOrder(1, NOW);
    expect(await world.work(NOW)).toEqual([]);
    const before = await world.lines(LIVE, 1);
    await world.receive(
      LIVE,
      "orders/updated",
      { ...world.standIn.catalog.ordersPaidPayload(world.standIn.shop(LIVE), orderGid(1)), updated_at: later(SECOND).toISOString() },
      later(SECOND),
    );
    expect(await world.work(later(SECOND))).toEqual([]);
    expect(await world.lines(LIVE, 1)).toEqual(before);
    expect(await world.t.db.orderFact.findFirstOrThrow({ where: { shop: LIVE } })).toMatchObject({ scopeState: "resolved" });
    expect(world.productReads(LIVE)).toEqual([[JACKET]]);
  });
});
