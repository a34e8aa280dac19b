import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spoolFileOf, sqliteFilesOf } from "~/db/sqlite-spool.server";
import { moveSpooledDeliveries } from "~/services/webhook-inbox-store.server";
import { dumpTables } from "../support/db";
import { startLocalStack, type LocalStack } from "../../tools/local-stack";
import { buildProgramJson, onePointPerDollar } from "../../tools/sample-data/program-builders";
import {
  appUninstalledPayload,
  customersRedactPayload,
  gid,
  orderPayload,
  refundPayload,
  shopRedactPayload,
} from "../../tools/sample-data/webhook-payloads";

/**
 * Tierline end to end: the production build served by remix-serve, signed webhooks sent over HTTP, the worker
 * draining the inbox and syncing the Shopify stand-in through the shop's offline session. Every case runs in its
 * own installed shop, and checks both the database and the store the merchant sees (tags, `$app:tierline`
 * metafields).
 */

let stack: LocalStack;
let shopSeq = 0;
// Silver at 100.00 and Gold at 500.00 accumulated spend, 1 point per 1.00; a refund can take a level away.
const PROGRAM = buildProgramJson({ points: onePointPerDollar, downgradeOnRefund: true });
const DAY = 86_400_000;

beforeAll(async () => {
  stack = await startLocalStack({ quiet: true });
}, 240_000);
afterAll(async () => {
  await stack?.stop();
});

interface Customer {
  id: number;
  email: string;
  firstName: string;
  lastName: string;
  phone: string;
}

/** A newly installed shop with the program published a month ago and its customers in the Shopify store. */
async function newShop(customers: Customer[] = []): Promise<string> {
  const shop = `e2e-${process.pid}-${++shopSeq}.myshopify.com`;
  await stack.installShop(shop);
  await stack.publishProgram(PROGRAM, { shop, publishedAt: new Date(Date.now() - 30 * DAY) });
  stack.standIn.seed(
    { customers: customers.map((c) => ({ id: gid("Customer", c.id), email: c.email, firstName: c.firstName, lastName: c.lastName })) },
    shop,
  );
  await stack.drain();
  return shop;
}

const customer = (id: number): Customer => ({
  id,
  email: `member.${id}@example.com`,
  firstName: `Grace${id}`,
  lastName: `Hopper${id}`,
  phone: `+1-555-02${id % 10_000}`,
});
const daysAgo = (n: number) => new Date(Date.now() - n * DAY).toISOString();

/** An order of one line (id `<order id>0`), `quantity` × `price`. */
function order(id: number, c: Customer, price: string, processedAt: string, extra: { cancelledAt?: string; quantity?: number } = {}) {
  return orderPayload({
    id,
    customer: c,
    processedAt,
    updatedAt: extra.cancelledAt ?? processedAt,
    cancelledAt: extra.cancelledAt,
    lines: [{ id: id * 10, price, quantity: extra.quantity ?? 1 }],
  });
}

/**
 * Deliveries stored for the shop, without the stand-in's own bulk_operations/finish notices: the app stores them in
 * its spool, moved into the inbox here as the worker moves them before it drains.
 */
async function inboxCount(shop: string): Promise<number> {
  await moveSpooledDeliveries(stack.db);
  return stack.db.webhookInbox.count({ where: { shop, topic: { not: "bulk_operations/finish" } } });
}

async function send(shop: string, topic: string, payload: unknown, webhookId?: string): Promise<void> {
  const res = await stack.sendWebhook(topic, payload, { shop, webhookId });
  expect(res.status, `${topic} → ${res.status} ${await res.clone().text()}`).toBe(200);
}

async function member(shop: string, c: Customer) {
  return stack.db.member.findUniqueOrThrow({ where: { shop_customerGid: { shop, customerGid: gid("Customer", c.id) } } });
}

/** The tier tags and Tierline metafields the stand-in store holds for a customer. */
function inStore(shop: string, c: Customer) {
  const record = stack.standIn.shop(shop).customers[gid("Customer", c.id)];
  const json = (key: string) => stack.standIn.metafieldJson(gid("Customer", c.id), key, "$app:tierline", shop) as Record<string, any> | undefined;
  return {
    tierTags: (record?.tags ?? []).filter((t: string) => t.startsWith("tier:")).sort(),
    level: json("level"),
    progress: json("progress"),
    benefits: json("benefits"),
  };
}

async function ledger(shop: string, c: Customer) {
  const m = await member(shop, c);
  const rows = await stack.db.pointsEntry.findMany({ where: { memberId: m.id }, orderBy: { key: "asc" } });
  return rows.map((e) => `${e.kind} ${e.key.replace(/gid:\/\/shopify\/\w+\//g, "")} ${e.points}`);
}

describe("orders, refunds and cancellations", () => {
  it("orders/paid moves a customer up, tags them tier:<level> and writes the level, progress and benefits metafields", async () => {
    const ada = customer(101);
    const shop = await newShop([ada]);
    await send(shop, "orders/paid", order(1001, ada, "250.00", daysAgo(3)));
    await stack.drain();
    expect(await member(shop, ada)).toMatchObject({ levelId: "silver", spend: 25000, points: 250, orderCount: 1, email: ada.email });
    expect(inStore(shop, ada)).toMatchObject({ tierTags: ["tier:silver"], level: { v: 1, id: "silver", name: "Silver", rank: 1 } });

    await send(shop, "orders/paid", order(1002, ada, "300.00", daysAgo(2)));
    await stack.drain();
    expect(await member(shop, ada)).toMatchObject({ levelId: "gold", spend: 55000, points: 550, orderCount: 2 });
    const store = inStore(shop, ada);
    expect(store.tierTags).toEqual(["tier:gold"]);
    expect(store.level).toMatchObject({ v: 1, id: "gold", name: "Gold", rank: 2, status: "active" });
    expect(store.progress).toMatchObject({ v: 1, currency: "USD" });
    expect(store.benefits).toMatchObject({ v: 1 });
  });

  it("refunds/create reverses the refunded order's points and moves the member down", async () => {
    const bo = customer(102);
    const shop = await newShop([bo]);
    await send(shop, "orders/paid", order(2001, bo, "250.00", daysAgo(5)));
    await send(shop, "orders/paid", order(2002, bo, "300.00", daysAgo(4)));
    await stack.drain();
    expect(await member(shop, bo)).toMatchObject({ levelId: "gold", points: 550 });

    await send(
      shop,
      "refunds/create",
      refundPayload({ id: 2901, orderId: 2002, createdAt: daysAgo(1), lines: [{ lineId: 20020, quantity: 1, price: "300.00" }] }),
    );
    await stack.drain();
    expect(await member(shop, bo)).toMatchObject({ levelId: "silver", spend: 25000, points: 250 });
    expect(await ledger(shop, bo)).toEqual(["earn earn:2001 250", "earn earn:2002 300", "refund reverse:2901 -300"]);
    expect(inStore(shop, bo)).toMatchObject({ tierTags: ["tier:silver"], level: { id: "silver" } });
    expect(await stack.db.levelChange.count({ where: { shop, toLevelId: "silver", fromLevelId: "gold" } })).toBe(1);
  });

  it("orders/cancelled takes the order's spend and points back", async () => {
    const cy = customer(103);
    const shop = await newShop([cy]);
    await send(shop, "orders/paid", order(3001, cy, "120.00", daysAgo(6)));
    await send(shop, "orders/paid", order(3002, cy, "600.00", daysAgo(5)));
    await stack.drain();
    expect(await member(shop, cy)).toMatchObject({ levelId: "gold", points: 720 });

    await send(shop, "orders/cancelled", order(3002, cy, "600.00", daysAgo(5), { cancelledAt: daysAgo(4) }));
    await stack.drain();
    expect(await member(shop, cy)).toMatchObject({ levelId: "silver", spend: 12000, points: 120, orderCount: 1 });
    expect((await ledger(shop, cy)).filter((e) => e.startsWith("cancel"))).toEqual([expect.stringMatching(/^cancel .*3002 -600$/)]);
    expect(inStore(shop, cy).tierTags).toEqual(["tier:silver"]);
  });
});

describe("deliveries Shopify repeats or reorders", () => {
  it("counts an order once whether it is retried under one webhook id ×5 or delivered under 5 webhook ids", async () => {
    const di = customer(104);
    const shop = await newShop([di]);
    const paid = order(4001, di, "150.00", daysAgo(3));
    const responses = await Promise.all(Array.from({ length: 5 }, () => stack.sendWebhook("orders/paid", paid, { shop, webhookId: "retried-4001" })));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(await inboxCount(shop)).toBe(1);

    const again = order(4002, di, "200.00", daysAgo(2));
    for (let i = 0; i < 5; i++) await send(shop, "orders/paid", again, `delivery-4002-${i}`);
    expect(await inboxCount(shop)).toBe(6);
    await stack.drain();

    expect(await stack.db.orderFact.count({ where: { shop } })).toBe(2);
    expect(await member(shop, di)).toMatchObject({ levelId: "silver", spend: 35000, points: 350, orderCount: 2 });
    expect(await ledger(shop, di)).toEqual(["earn earn:4001 150", "earn earn:4002 200"]);
  });

  it("a refund delivered before its order ends in the same state as in order", async () => {
    const ev = customer(105);
    const paidAt = daysAgo(3);
    const paidOrder = () => order(5001, ev, "350.00", paidAt, { quantity: 2 });
    const refund = refundPayload({ id: 5901, orderId: 5001, createdAt: daysAgo(1), lines: [{ lineId: 50010, quantity: 1, price: "350.00" }] });

    const inOrder = await newShop([ev]);
    await send(inOrder, "orders/paid", paidOrder());
    await send(inOrder, "refunds/create", refund);
    await stack.drain();

    const reversed = await newShop([ev]);
    await send(reversed, "refunds/create", refund);
    await stack.drain();
    await send(reversed, "orders/paid", paidOrder());
    await stack.drain();

    const state = async (shop: string) => {
      const m = await member(shop, ev);
      return {
        member: { levelId: m.levelId, spend: m.spend, points: m.points, orderCount: m.orderCount },
        ledger: await ledger(shop, ev),
        store: inStore(shop, ev),
      };
    };
    const expected = await state(inOrder);
    expect(expected.member).toMatchObject({ levelId: "silver", spend: 35000, points: 350 });
    expect(await state(reversed)).toEqual(expected);
  });
});

describe("deliveries the app refuses", () => {
  it.each([
    { name: "a forged HMAC", hmac: "Zm9yZ2VkLXNpZ25hdHVyZQ==", status: 401 },
    { name: "no HMAC header", hmac: null, status: 401 },
    { name: "a body that is not JSON", rawBody: "{not json", status: 400 },
    { name: "JSON that is not an order", rawBody: JSON.stringify({ id: 1, hello: "world" }), status: 400 },
    { name: "an order whose line_items is not a list", rawBody: JSON.stringify({ ...orderPayload({ id: 6001 }), line_items: "many" }), status: 400 },
  ])("$name → $status and nothing stored", async ({ hmac, rawBody, status }) => {
    const shop = await newShop();
    const res = await stack.sendWebhook("orders/paid", orderPayload({ id: 6001, customer: customer(106), processedAt: daysAgo(1) }), {
      shop,
      hmac,
      rawBody,
    });
    expect(res.status).toBe(status);
    await stack.drain();
    expect(await inboxCount(shop)).toBe(0);
    expect(await stack.db.orderFact.count({ where: { shop } })).toBe(0);
    expect(await stack.db.member.count({ where: { shop } })).toBe(0);
  });
});

/** Every "Table.column" of the shop's rows that still holds one of the needles. */
async function mentions(needles: string[]): Promise<string[]> {
  const found = new Set<string>();
  for (const [table, rows] of Object.entries(await dumpTables(stack.db))) {
    for (const row of rows) {
      for (const [column, value] of Object.entries(row)) {
        const text = String(value ?? "").toLowerCase();
        for (const needle of needles) if (text.includes(needle.toLowerCase())) found.add(`${table}.${column}`);
      }
    }
  }
  return [...found].sort();
}

async function shopRows(shop: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const [table, rows] of Object.entries(await dumpTables(stack.db))) {
    const n = rows.filter((r) => r.shop === shop || r.domain === shop).length;
    if (n > 0) counts[table] = n;
  }
  return counts;
}

describe("privacy and uninstall", () => {
  it("customers/redact removes the customer's personal data and keeps their level", async () => {
    const fay = customer(107);
    const gus = customer(108);
    const shop = await newShop([fay, gus]);
    await send(shop, "orders/paid", order(7001, fay, "600.00", daysAgo(3)));
    await send(shop, "orders/paid", order(7002, gus, "150.00", daysAgo(3)));
    await stack.drain();
    const needles = [fay.email, fay.firstName, fay.lastName];
    expect((await mentions(needles)).length).toBeGreaterThan(0);

    await send(shop, "customers/redact", customersRedactPayload(shop, { id: fay.id, email: fay.email }, [7001]));
    await stack.drain();
    expect(await mentions(needles)).toEqual([]);
    expect(await member(shop, fay)).toMatchObject({ email: null, firstName: null, lastName: null, phone: null, levelId: "gold" });
    expect(await member(shop, gus)).toMatchObject({ email: gus.email, firstName: gus.firstName });
  });

  it.each([
    { topic: "app/uninstalled", payload: appUninstalledPayload, left: { Shop: 1 } },
    { topic: "shop/redact", payload: shopRedactPayload, left: {} },
  ])("$topic removes the shop's data (sessions, members, facts, inbox) and no other shop's", async ({ topic, payload, left }) => {
    const hal = customer(109);
    const shop = await newShop([hal]);
    const other = await newShop([hal]);
    for (const s of [shop, other]) await send(s, "orders/paid", order(9001, hal, "250.00", daysAgo(2)));
    await stack.drain();
    const otherBefore = await shopRows(other);
    expect(await shopRows(shop)).toMatchObject({ Session: 1, Member: 1, OrderFact: 1, PointsEntry: 1 });

    await send(shop, topic, payload(shop));
    await stack.drain();
    expect(await shopRows(shop)).toEqual(left);
    expect(await shopRows(other)).toEqual(otherBefore);
  });
});

describe("the app process's SQLite file", () => {
  it("has deliveries copied from the WAL into its spool's file by the worker's checkpoint thread, with no commit of the app's waiting for it", async () => {
    const ada = customer(110);
    const shop = await newShop([ada]);
    const ids = Array.from({ length: 40 }, (_, i) => 11_001 + i);
    await Promise.all(ids.map((id) => send(shop, "orders/paid", order(id, ada, "10.00", daysAgo(1)))));
    // Nothing writes now. The app never checkpoints (checkpointsElsewhere); the worker's thread (the stack's client
    // here, as the worker's) checkpoints within a fraction of a second of any commit.
    await new Promise((r) => setTimeout(r, 1_000));
    const copy = path.join(os.tmpdir(), `tierline-main-file-${process.pid}-${randomUUID()}.sqlite`);
    // The app stores deliveries in its spool (nothing here moves them): the spool's file alone, without its -wal.
    fs.copyFileSync(spoolFileOf(stack.databaseFile), copy);
    try {
      const sqlite = new Database(copy);
      const { n } = sqlite.prepare(`SELECT count(*) AS n FROM "SpooledDelivery" WHERE "shop" = ? AND "topic" = 'orders/paid'`).get(shop) as {
        n: number;
      };
      sqlite.close();
      expect(n).toBe(ids.length);
    } finally {
      for (const f of sqliteFilesOf(copy)) fs.rmSync(f, { force: true });
    }
  });
});
