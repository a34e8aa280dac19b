import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { recordWebhook } from "~/services/webhook-inbox.server";
import { createTestDb, publishProgram, runJobs, seedShop, type TestDb } from "../support/db";
import { buildProgramJson, onePointPerDollar } from "../../tools/sample-data/program-builders";
import { delivery, gid, orderPayload, refundPayload, type OrderInput } from "../../tools/sample-data/webhook-payloads";

/**
 * Orders and refunds from webhook to member: facts are stored whatever they say, members are recomputed from all of
 * their facts, and duplicates, early refunds and stale updates change nothing they should not.
 */

const SHOP = "facts.myshopify.com";
const NOW = new Date("2026-06-01T00:00:00Z");
const ADA = { id: 7001, email: "ada@example.com", firstName: "Ada", lastName: "Lovelace" };
const ADA_GID = gid("Customer", ADA.id);

let t: TestDb;

beforeEach(async () => {
  t = await createTestDb();
  await seedShop(t.db, SHOP);
});
afterEach(async () => {
  await t.cleanup();
});

const program = (over: Record<string, unknown> = {}) => buildProgramJson({ points: onePointPerDollar, ...over });

async function receive(topic: string, payload: unknown, webhookId?: string) {
  const result = await recordWebhook(t.db, delivery(topic, SHOP, payload, { webhookId }), topic, NOW);
  expect(result.status).toBe(200);
  return result;
}

const drain = () => runJobs(t.db, NOW);

/** What a member is, independent of when and how often facts arrived. */
async function memberState(customerGid = ADA_GID) {
  const member = await t.db.member.findUnique({ where: { shop_customerGid: { shop: SHOP, customerGid } } });
  if (!member) return null;
  const entries = await t.db.pointsEntry.findMany({ where: { memberId: member.id } });
  const ledger: Record<string, number> = {};
  for (const e of entries) {
    const key = e.kind === "correction" ? e.reversesKey! : e.key;
    ledger[key] = Math.round(((ledger[key] ?? 0) + e.points) * 10_000) / 10_000;
  }
  // A key corrected down to nothing is the same ledger as a key never written (only the arrival order differed).
  for (const k of Object.keys(ledger)) if (ledger[k] === 0 && entries.some((e) => e.reversesKey === k && e.kind === "correction")) delete ledger[k];
  const changes = await t.db.levelChange.findMany({
    where: { memberId: member.id, retractedAt: null },
    orderBy: [{ at: "asc" }, { toLevelId: "asc" }],
  });
  return {
    levelId: member.levelId,
    status: member.status,
    levelSince: member.levelSince?.toISOString() ?? null,
    points: member.points,
    spend: member.spend,
    orderCount: member.orderCount,
    ledger,
    audit: changes.map((c) => `${c.at.toISOString()} ${c.fromLevelId ?? "-"}→${c.toLevelId || "-"} ${c.cause}`),
  };
}

const order = (over: Partial<OrderInput> & { id: number }): OrderInput => ({ customer: ADA, ...over });
const sixHundred = (id = 1001, over: Partial<OrderInput> = {}) => order({ id, lines: [{ id: id * 10, quantity: 6, price: "100.00" }], ...over });

describe("orders/paid", () => {
  it("makes the customer a member at the level their spend reaches, with points, audit and a sync owed", async () => {
    await publishProgram(t.db, SHOP, program());
    await receive("orders/paid", orderPayload(sixHundred()));
    await drain();

    const member = await t.db.member.findUniqueOrThrow({ where: { shop_customerGid: { shop: SHOP, customerGid: ADA_GID } } });
    expect(member).toMatchObject({
      levelId: "gold",
      status: "active",
      spend: 60000,
      points: 600,
      email: "ada@example.com",
      firstName: "Ada",
      lastName: "Lovelace",
      orderCount: 1,
    });
    expect(await memberState()).toMatchObject({
      ledger: { [`earn:${gid("Order", 1001)}`]: 600 },
      audit: ["2026-03-01T10:00:00.000Z -→gold upgrade"],
    });
    expect(await t.db.syncState.findUnique({ where: { shop_subject: { shop: SHOP, subject: ADA_GID } } })).toMatchObject({ syncedHash: null });
    expect(await t.db.job.count({ where: { type: "sync-members", shop: SHOP, status: "queued" } })).toBe(1);
    expect(await t.db.webhookInbox.findMany({ select: { status: true } })).toEqual([{ status: "processed" }]);
  });

  it.each([
    { name: "the same delivery five times (one webhook id)", ids: ["same", "same", "same", "same", "same"], inbox: 1 },
    { name: "five deliveries of the same order (five webhook ids)", ids: ["a", "b", "c", "d", "e"], inbox: 5 },
  ])("counts $name once", async ({ ids, inbox }) => {
    await publishProgram(t.db, SHOP, program());
    for (const id of ids) {
      await receive("orders/paid", orderPayload(sixHundred()), id);
      await drain();
    }
    expect(await t.db.webhookInbox.count()).toBe(inbox);
    expect(await t.db.orderFact.count()).toBe(1);
    expect(await t.db.pointsEntry.count()).toBe(1);
    expect(await memberState()).toMatchObject({ levelId: "gold", points: 600, spend: 60000, orderCount: 1 });
  });

  it.each([
    { name: "a guest checkout (no customer)", program: {}, order: sixHundred(1001, { customer: null }) },
    { name: "an order paid before activeFrom", program: { activeFrom: "2026-04-01T00:00:00Z" }, order: sixHundred() },
    { name: "an order from a channel outside the program", program: { channels: ["online_store"] }, order: sixHundred(1001, { sourceName: "pos" }) },
    { name: "a test order", program: {}, order: sixHundred(1001, { test: true }) },
    {
      name: "an order not paid yet (orders/updated, pending)",
      program: {},
      order: sixHundred(1001, { financialStatus: "pending" }),
      topic: "orders/updated",
    },
  ])("stores $name but makes no member", async ({ program: over, order: o, topic }) => {
    await publishProgram(t.db, SHOP, program(over));
    await receive(topic ?? "orders/paid", orderPayload(o));
    await drain();
    expect(await t.db.orderFact.count({ where: { shop: SHOP, orderGid: gid("Order", o.id) } })).toBe(1);
    expect(await t.db.member.count()).toBe(0);
    expect(await t.db.pointsEntry.count()).toBe(0);
  });

  it("stores facts before any program is published and makes members once one is", async () => {
    await receive("orders/paid", orderPayload(sixHundred()));
    await drain();
    expect(await t.db.orderFact.count()).toBe(1);
    expect(await t.db.member.count()).toBe(0);

    await publishProgram(t.db, SHOP, program());
    await t.db.job.create({ data: { type: "recalculate", shop: SHOP, runAt: NOW } });
    await drain();
    expect(await memberState()).toMatchObject({ levelId: "gold", points: 600 });
    // The name and email come from the deliveries stored before the customer became a member.
    expect(await t.db.member.findFirstOrThrow()).toMatchObject({ email: "ada@example.com", firstName: "Ada", lastName: "Lovelace" });
  });

  it("uses the order's channel, discounts and gift cards the way the program counts spend", async () => {
    await publishProgram(t.db, SHOP, program());
    const payload = orderPayload(
      order({
        id: 1002,
        shipping: "10.00",
        tax: "8.00",
        lines: [
          { id: 1, quantity: 2, price: "150.00", discount: "30.00" },
          { id: 2, quantity: 1, price: "50.00", giftCard: true },
        ],
      }),
    );
    await receive("orders/paid", payload);
    await drain();
    const fact = await t.db.orderFact.findFirstOrThrow();
    expect(fact).toMatchObject({ total: 33800, subtotal: 32000, shipping: 1000, tax: 800, channel: "online_store" });
    expect(JSON.parse(fact.linesJson)).toMatchObject([
      { id: gid("LineItem", 1), quantity: 2, price: 13500, giftCard: false, productId: "gid://shopify/Product/632910392" },
      { id: gid("LineItem", 2), quantity: 1, price: 5000, giftCard: true },
    ]);
    // Counted: total − shipping − tax − gift cards = 338 − 10 − 8 − 50 = 270.
    expect(await memberState()).toMatchObject({ levelId: "silver", spend: 27000, points: 270 });
  });
});

describe("refunds/create", () => {
  const twoHundredBack = refundPayload({ id: 501, orderId: 1001, lines: [{ lineId: 10010, quantity: 2, price: "100.00" }] });

  it("takes back the refunded part: gold → silver, points reversed", async () => {
    await publishProgram(t.db, SHOP, program());
    await receive("orders/paid", orderPayload(sixHundred()));
    await drain();
    await receive("refunds/create", twoHundredBack);
    await drain();
    expect(await memberState()).toMatchObject({ levelId: "silver", spend: 40000, points: 400 });
    expect((await memberState())!.audit).toEqual(["2026-03-01T10:00:00.000Z -→gold upgrade", "2026-03-05T10:00:00.000Z gold→silver refund"]);
    const refund = await t.db.refundFact.findFirstOrThrow();
    expect(refund).toMatchObject({ refundGid: gid("Refund", 501), orderGid: gid("Order", 1001), customerGid: ADA_GID, amount: 20000 });
  });

  it("keeps a refund that arrives before its order and applies it when the order comes", async () => {
    await publishProgram(t.db, SHOP, program());
    await receive("refunds/create", twoHundredBack);
    await drain();
    expect(await t.db.refundFact.findFirstOrThrow()).toMatchObject({ customerGid: null });
    expect(await t.db.member.count()).toBe(0);

    await receive("orders/paid", orderPayload(sixHundred()));
    await drain();
    expect(await t.db.refundFact.findFirstOrThrow()).toMatchObject({ customerGid: ADA_GID });
    // The same history as when the order came first: the refund is dated after the order it belongs to.
    expect(await memberState()).toMatchObject({
      levelId: "silver",
      spend: 40000,
      points: 400,
      audit: ["2026-03-01T10:00:00.000Z -→gold upgrade", "2026-03-05T10:00:00.000Z gold→silver refund"],
    });
  });

  it("counts a refund delivered twice once", async () => {
    await publishProgram(t.db, SHOP, program());
    await receive("orders/paid", orderPayload(sixHundred()));
    for (const id of ["r-a", "r-b", "r-b"]) await receive("refunds/create", twoHundredBack, id);
    await drain();
    expect(await t.db.refundFact.count()).toBe(1);
    expect(await memberState()).toMatchObject({ spend: 40000, points: 400 });
  });
});

describe("orders/updated and orders/cancelled", () => {
  it("keeps the newest version of an order: a stale update arriving late changes nothing", async () => {
    await publishProgram(t.db, SHOP, program());
    await receive("orders/paid", orderPayload(sixHundred(1001, { updatedAt: "2026-03-01T10:00:00Z" })));
    await drain();
    // Edited down to 3 × 100 at 12:00; a delivery from 11:00 still showing 6 × 100 arrives after it.
    await receive(
      "orders/updated",
      orderPayload(order({ id: 1001, lines: [{ id: 10010, quantity: 3, price: "100.00" }], updatedAt: "2026-03-01T12:00:00Z" })),
    );
    await drain();
    await receive("orders/updated", orderPayload(sixHundred(1001, { updatedAt: "2026-03-01T11:00:00Z" })));
    await drain();

    expect(await t.db.orderFact.findFirstOrThrow()).toMatchObject({ total: 30000, sourceUpdatedAt: new Date("2026-03-01T12:00:00Z") });
    expect(await memberState()).toMatchObject({ levelId: "silver", spend: 30000, points: 300, ledger: { [`earn:${gid("Order", 1001)}`]: 300 } });
    // The earn entry of 600 stays; a correcting entry of −300 points at it.
    expect(
      await t.db.pointsEntry.findMany({ orderBy: { createdAt: "asc" }, select: { key: true, kind: true, points: true, reversesKey: true } }),
    ).toEqual([
      { key: `earn:${gid("Order", 1001)}`, kind: "earn", points: 600, reversesKey: null },
      { key: `correct:earn:${gid("Order", 1001)}#1`, kind: "correction", points: -300, reversesKey: `earn:${gid("Order", 1001)}` },
    ]);
  });

  it("cancellation takes the order's spend and points back and drops the level", async () => {
    await publishProgram(t.db, SHOP, program());
    await receive("orders/paid", orderPayload(sixHundred()));
    await drain();
    await receive(
      "orders/cancelled",
      orderPayload(sixHundred(1001, { cancelledAt: "2026-03-10T10:00:00Z", updatedAt: "2026-03-10T10:00:00Z", financialStatus: "refunded" })),
    );
    await drain();
    expect(await memberState()).toMatchObject({
      levelId: null,
      spend: 0,
      points: 0,
      orderCount: 0,
      ledger: { [`earn:${gid("Order", 1001)}`]: 600, [`cancel:${gid("Order", 1001)}`]: -600 },
    });
    expect((await memberState())!.audit).toEqual(["2026-03-01T10:00:00.000Z -→gold upgrade", "2026-03-10T10:00:00.000Z gold→- cancel"]);
  });

  it("never un-cancels: an older delivery without cancelled_at arriving late leaves the order cancelled", async () => {
    await publishProgram(t.db, SHOP, program());
    await receive("orders/cancelled", orderPayload(sixHundred(1001, { cancelledAt: "2026-03-10T10:00:00Z", updatedAt: "2026-03-10T10:00:00Z" })));
    await receive("orders/paid", orderPayload(sixHundred(1001, { updatedAt: "2026-03-01T10:00:00Z" })));
    await drain();
    expect(await t.db.orderFact.findFirstOrThrow()).toMatchObject({
      cancelledAt: new Date("2026-03-10T10:00:00Z"),
      paidAt: new Date("2026-03-01T10:00:00Z"),
    });
    // Only a cancelled order: the customer never became a member.
    expect(await t.db.member.count()).toBe(0);
  });
});

describe("replay", () => {
  const deliveries = () => [
    { topic: "orders/paid", payload: orderPayload(sixHundred(1001)) },
    { topic: "orders/paid", payload: orderPayload(order({ id: 1002, processedAt: "2026-03-20T10:00:00Z", lines: [{ id: 10020, price: "80.00" }] })) },
    {
      topic: "refunds/create",
      payload: refundPayload({ id: 501, orderId: 1001, createdAt: "2026-03-25T10:00:00Z", lines: [{ lineId: 10010, quantity: 2, price: "100.00" }] }),
    },
    {
      topic: "orders/updated",
      payload: orderPayload(
        order({
          id: 1002,
          processedAt: "2026-03-20T10:00:00Z",
          updatedAt: "2026-03-21T10:00:00Z",
          lines: [{ id: 10020, price: "80.00", quantity: 2 }],
        }),
      ),
    },
    {
      topic: "orders/cancelled",
      payload: orderPayload(
        order({ id: 1003, processedAt: "2026-03-02T10:00:00Z", cancelledAt: "2026-03-03T10:00:00Z", updatedAt: "2026-03-03T10:00:00Z" }),
      ),
    },
  ];

  it.each([
    { name: "in order, drained once", order: [0, 1, 2, 3, 4], drainEach: false },
    { name: "in order, drained after each", order: [0, 1, 2, 3, 4], drainEach: true },
    { name: "reversed, drained after each", order: [4, 3, 2, 1, 0], drainEach: true },
    { name: "shuffled with duplicates", order: [2, 3, 2, 0, 4, 1, 3, 0], drainEach: true },
  ])("gives the same member whatever the arrival: $name", async ({ order: sequence, drainEach }) => {
    await publishProgram(t.db, SHOP, program());
    const all = deliveries();
    for (const i of sequence) {
      await receive(all[i].topic, all[i].payload);
      if (drainEach) await drain();
    }
    await drain();
    // Gold from the $600 order on 1 March; the refund on 25 March leaves 400 + 160 (order 1002 as edited) = 560,
    // still gold. Order 1003 was cancelled the day after it was paid: earned and taken back.
    expect(await memberState()).toEqual({
      levelId: "gold",
      status: "active",
      levelSince: "2026-03-01T10:00:00.000Z",
      points: 560,
      spend: 56000,
      orderCount: 2,
      ledger: {
        [`earn:${gid("Order", 1001)}`]: 600,
        [`earn:${gid("Order", 1002)}`]: 160,
        [`earn:${gid("Order", 1003)}`]: 100,
        [`cancel:${gid("Order", 1003)}`]: -100,
        [`reverse:${gid("Refund", 501)}`]: -200,
      },
      audit: ["2026-03-01T10:00:00.000Z -→gold upgrade"],
    });
  });
});
