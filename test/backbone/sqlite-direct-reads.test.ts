import { PrismaClient } from "@prisma/client";
import { afterEach, describe, expect, it } from "vitest";
import { adapterFor, type Db, type Tx } from "~/db/client.server";
import { sqliteConnectionOf } from "~/db/sqlite-direct-writes.server";
import { loadFactsOfMany, loadStoredMembers } from "~/services/member-recalculation.server";
import { createTestDb, testPostgresUrl, type TestDb } from "../support/db";

/**
 * The drain's reads on SQLite's connection under the transaction (app/db/sqlite-direct-reads.server.ts) hand back
 * what Prisma's findMany hands back, value for value and in the same order: the same reads through a client whose
 * connection is not offered (Prisma alone) are the reference. Rows hold every kind of value: nulls, booleans both ways,
 * fractional floats, instants written by Prisma and a CURRENT_TIMESTAMP default written by SQLite itself.
 */

const SHOP = "direct-reads.myshopify.com";
const T = (iso: string) => new Date(iso);
const opened: TestDb[] = [];
const clients: Db[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.$disconnect();
  for (const t of opened.splice(0)) await t.cleanup();
});

/** The transaction, having checked which way its reads go: on the connection, or through Prisma alone. */
const onTheConnection = (tx: Tx) => {
  expect(sqliteConnectionOf(tx)).not.toBeNull();
  return tx;
};
const throughPrisma = (tx: Tx) => {
  expect(sqliteConnectionOf(tx)).toBeNull();
  return tx;
};

/**
 * `read` on the test database's connection and through a client of Prisma alone on the same file: the two must be
 * equal, key order included (a row's JSON is hashed in places). Returns Prisma's.
 */
async function readBothWays<T>(t: TestDb, read: (tx: Tx) => Promise<Map<string, T>>): Promise<Map<string, T>> {
  const prismaOnly = new PrismaClient({ adapter: adapterFor(t.url) });
  clients.push(prismaOnly);
  const direct = await t.db.$transaction((tx) => read(onTheConnection(tx)));
  const reference = await prismaOnly.$transaction((tx) => read(throughPrisma(tx)));
  expect(direct).toEqual(reference);
  expect(JSON.stringify([...direct])).toBe(JSON.stringify([...reference]));
  return reference;
}

async function seed(db: Db): Promise<string[]> {
  const gids = ["gid://shopify/Customer/1", "gid://shopify/Customer/2", "gid://shopify/Customer/3", "gid://shopify/Customer/4"];
  const full = await db.member.create({
    data: {
      shop: SHOP,
      customerGid: gids[0],
      email: "zoë@example.com",
      firstName: 'Zoë "Z"',
      levelId: "gold",
      status: "active",
      levelSince: T("2026-01-02T03:04:05.006Z"),
      levelExpiresAt: T("2027-01-02T03:04:05.006Z"),
      locked: true,
      points: 1234.5678,
      pointsEarned: 0.1 + 0.2,
      spend: 2_147_483_000,
      remainingPoints: 12.3456,
      nextRequirementsJson: '{"spend":1}',
      orderCount: 42,
      reviewAt: T("2026-07-01T00:00:00.000Z"),
      evaluatedAt: T("2026-06-01T12:34:56.789Z"),
      version: 7,
    },
  });
  const bare = await db.member.create({ data: { shop: SHOP, customerGid: gids[1] } });
  // A row whose createdAt is SQLite's own CURRENT_TIMESTAMP ("YYYY-MM-DD HH:MM:SS", no zone).
  await db.$executeRawUnsafe(
    `INSERT INTO "Member" ("id", "shop", "customerGid", "updatedAt") VALUES ('m-raw', ?, ?, '2026-05-05T05:05:05.005+00:00')`,
    SHOP,
    gids[2],
  );
  for (const [i, memberId] of [full.id, full.id, bare.id, "m-raw", full.id].entries())
    await db.pointsEntry.create({
      data: {
        shop: SHOP,
        memberId,
        idempotencyKey: `${memberId}:k${i}`,
        key: `k${i}`,
        kind: i % 2 ? "refund" : "earn",
        points: i % 2 ? -3.3333 : 10.5 * i,
        reversesKey: i % 2 ? "k0" : null,
        at: T(`2026-03-0${i + 1}T05:06:07.089Z`),
      },
    });
  for (const [i, memberId] of [full.id, bare.id, full.id].entries())
    await db.levelChange.create({
      data: {
        shop: SHOP,
        memberId,
        at: T(`2026-02-0${i + 1}T00:00:00.000Z`),
        fromLevelId: i ? "silver" : null,
        toLevelId: i === 2 ? "" : "gold",
        cause: "upgrade",
        status: "active",
        levelExpiresAt: i ? null : T("2027-02-01T00:00:00.000Z"),
        reasonJson: '{"kind":"conditionsMet"}',
        retractedAt: i === 1 ? T("2026-04-01T00:00:00.000Z") : null,
      },
    });
  await db.syncState.create({ data: { shop: SHOP, subject: gids[0], pendingHash: "h1", syncedHash: "h0", failures: 2, lastError: "boom" } });
  await db.syncState.create({ data: { shop: SHOP, subject: gids[1] } });
  return gids;
}

describe.skipIf(testPostgresUrl)("reads on SQLite's connection return what Prisma returns", () => {
  it("loadStoredMembers: members, ledgers, audit trails and sync states", async () => {
    const t = await createTestDb();
    opened.push(t);
    const gids = await seed(t.db);
    const reference = await readBothWays(t, (tx) => loadStoredMembers(tx, SHOP, gids));
    expect(reference.get(gids[0])!.entries).toHaveLength(3);
    expect(reference.get(gids[2])!.member!.createdAt).toBeInstanceOf(Date);
  });

  it("loadFactsOfMany: paid orders in order, refunds found by order, the merchant's adjustments", async () => {
    const t = await createTestDb();
    opened.push(t);
    const gids = await seed(t.db);
    const order = (n: number, customerGid: string | null, over: Record<string, unknown> = {}) => ({
      shop: SHOP,
      orderGid: `gid://shopify/Order/${n}`,
      customerGid,
      paidAt: T(`2026-03-0${(n % 5) + 1}T05:06:07.089Z`),
      currency: "USD",
      total: 1000 * n,
      subtotal: 900 * n,
      shipping: 50,
      tax: 50,
      hasDiscountCode: n % 2 === 0,
      channel: n % 3 ? "web" : null,
      linesJson: `[{"id":"gid://shopify/LineItem/${n}","productId":"","quantity":1,"price":${900 * n},"collectionIds":[],"tags":[],"giftCard":false}]`,
      sourceUpdatedAt: T("2026-03-01T00:00:00.000Z"),
      ...over,
    });
    await t.db.orderFact.createMany({
      data: [
        order(1, gids[0]),
        order(2, gids[0], { cancelledAt: T("2026-04-01T00:00:00.000Z") }),
        order(6, gids[0]), // paid at the same instant as order 1: ordered by GID
        order(3, gids[1]),
        order(4, gids[1], { paidAt: null }), // not paid: not a fact of the engine's
        order(5, gids[1], { test: true }), // a test order: likewise
        order(7, gids[2]),
      ],
    });
    await t.db.refundFact.createMany({
      data: [
        {
          shop: SHOP,
          refundGid: "r-2",
          orderGid: "gid://shopify/Order/1",
          customerGid: gids[0],
          createdAt: T("2026-03-09T00:00:00.000Z"),
          amount: 300,
          linesJson: "[]",
        },
        {
          shop: SHOP,
          refundGid: "r-1",
          orderGid: "gid://shopify/Order/1",
          customerGid: gids[0],
          createdAt: T("2026-03-09T00:00:00.000Z"),
          amount: 200,
          linesJson: '[{"lineId":"gid://shopify/LineItem/1","quantity":1}]',
        },
        // Arrived before its order: no customer on its row, found by the order.
        {
          shop: SHOP,
          refundGid: "r-3",
          orderGid: "gid://shopify/Order/3",
          customerGid: null,
          createdAt: T("2026-03-02T00:00:00.000Z"),
          amount: 100,
          linesJson: "[]",
        },
      ],
    });
    await t.db.memberAdjustment.createMany({
      data: [
        {
          shop: SHOP,
          customerGid: gids[0],
          kind: "points",
          at: T("2026-03-03T00:00:00.000Z"),
          points: 12.5,
          note: "goodwill ✓",
          key: "a-2",
          actor: "staff",
        },
        { shop: SHOP, customerGid: gids[0], kind: "level", at: T("2026-03-03T00:00:00.000Z"), levelId: "gold", lock: true, key: "a-1" },
      ],
    });
    const reference = await readBothWays(t, (tx) => loadFactsOfMany(tx, SHOP, gids));
    expect(reference.get(gids[0])!.orders.map((o) => o.orderGid)).toEqual([
      "gid://shopify/Order/1",
      "gid://shopify/Order/6",
      "gid://shopify/Order/2",
    ]);
    expect(reference.get(gids[1])!.refunds).toHaveLength(1);
    expect(reference.get(gids[0])!.adjustments).toHaveLength(2);
  });
});
