import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { recordWebhook } from "~/services/webhook-inbox.server";
import { createTestDb, dumpTables, publishProgram, runJobs, seedShop, type TestDb } from "../support/db";
import { buildProgramJson, onePointPerDollar } from "../../tools/sample-data/program-builders";
import {
  appUninstalledPayload,
  bulkOperationsFinishPayload,
  customerDeletePayload,
  customerMergePayload,
  customerPayload,
  customersDataRequestPayload,
  customersRedactPayload,
  delivery,
  gid,
  orderPayload,
  refundPayload,
  scopesUpdatePayload,
  shopRedactPayload,
} from "../../tools/sample-data/webhook-payloads";

/** Compliance and lifecycle topics: redaction, deletion, merges, uninstalling, and shops kept apart. */

const SHOP = "privacy.myshopify.com";
const OTHER = "neighbour.myshopify.com";
const NOW = new Date("2026-06-01T00:00:00Z");

const AUGUSTA = { id: 8101, email: "augusta@analytical.example", firstName: "Augusta", lastName: "Byron-King", phone: "+44 20 7946 0001" };
const CHARLES = { id: 8102, email: "charles@difference.example", firstName: "Charles", lastName: "Babbage", phone: "+44 20 7946 0002" };
const gidOf = (c: { id: number }) => gid("Customer", c.id);

let t: TestDb;

beforeEach(async () => {
  t = await createTestDb();
  for (const shop of [SHOP, OTHER]) {
    await seedShop(t.db, shop);
    await publishProgram(t.db, shop, buildProgramJson({ points: onePointPerDollar }));
  }
});
afterEach(async () => {
  await t.cleanup();
});

async function receive(shop: string, topic: string, payload: unknown) {
  const result = await recordWebhook(t.db, delivery(topic, shop, payload), topic, NOW);
  expect(result.status).toBe(200);
}

const drain = () => runJobs(t.db, NOW);

/** A shop with two members, an order each, a refund, a merchant's note and staff sessions. */
async function populate(shop: string) {
  for (const c of [AUGUSTA, CHARLES]) await receive(shop, "customers/create", customerPayload(c));
  await receive(shop, "orders/paid", orderPayload({ id: 1001, customer: AUGUSTA, lines: [{ id: 11, quantity: 6, price: "100.00" }] }));
  await receive(shop, "orders/paid", orderPayload({ id: 1002, customer: CHARLES, lines: [{ id: 12, price: "150.00" }] }));
  await receive(shop, "refunds/create", refundPayload({ id: 501, orderId: 1001, lines: [{ lineId: 11, quantity: 1, price: "100.00" }] }));
  await drain();
  await t.db.memberAdjustment.create({
    data: {
      shop,
      customerGid: gidOf(AUGUSTA),
      kind: "points",
      at: new Date("2026-04-01T00:00:00Z"),
      points: 25,
      note: "Sorry Augusta Byron-King, late parcel",
      key: "goodwill-1",
      actor: "staff@shop",
    },
  });
  await t.db.job.create({ data: { type: "recalculate", shop, runAt: NOW, payload: JSON.stringify({ customerGids: [gidOf(AUGUSTA)] }) } });
  await drain();
  await t.db.session.create({ data: { id: `offline_${shop}`, shop, state: "", accessToken: "shpat_x", scope: "read_customers" } });
  await t.db.syncState.create({ data: { shop, subject: "shop", bulkStatus: "completed" } });
  await t.db.productScope.create({ data: { shop, productGid: "gid://shopify/Product/1", collectionIds: "[]", tags: "[]", fetchedAt: NOW } });
  const augusta = await t.db.member.findUniqueOrThrow({ where: { shop_customerGid: { shop, customerGid: gidOf(AUGUSTA) } } });
  await t.db.reward.create({
    data: {
      shop,
      memberId: augusta.id,
      customerGid: gidOf(AUGUSTA),
      kind: "welcome",
      key: `privacy-test:${gidOf(AUGUSTA)}`,
      levelId: "gold",
      form: "discountCode",
      valueType: "percentage",
      value: "15",
      code: "GOLD-PRIVACY01",
      status: "issued",
      at: NOW,
    },
  });
  await t.db.flowEvent.create({
    data: {
      shop,
      trigger: "tierline-level-up",
      key: `privacy-test:${gidOf(AUGUSTA)}`,
      customerGid: gidOf(AUGUSTA),
      payloadJson: JSON.stringify({ "Message subject": "Welcome to Gold, Augusta Byron-King!" }),
      at: NOW,
    },
  });
  await t.db.memberCheckpoint.create({
    data: { shop, customerGid: gidOf(AUGUSTA), slot: "privacy-test", eventCount: 1, hash: "x", stateJson: "{}", writtenAt: NOW },
  });
  await t.db.level.create({ data: { shop, levelId: "gold", name: "Gold", rank: 2, badge: "crown" } });
  await t.db.benefit.create({
    data: { shop, levelId: "gold", kind: "discount", configJson: JSON.stringify({ type: "percentage", value: "10", minimumOrder: null }) },
  });
}

/** Every cell of every table that mentions one of the needles, as "Table.column". */
function mentions(tables: Record<string, Record<string, unknown>[]>, needles: string[]): string[] {
  const found: string[] = [];
  for (const [table, rows] of Object.entries(tables)) {
    for (const row of rows) {
      for (const [column, value] of Object.entries(row)) {
        const text = String(value ?? "").toLowerCase();
        for (const needle of needles) if (text.includes(needle.toLowerCase())) found.push(`${table}.${column} ∋ ${needle}`);
      }
    }
  }
  return [...new Set(found)].sort();
}

const shopRows = (tables: Record<string, Record<string, unknown>[]>, shop: string) =>
  Object.fromEntries(Object.entries(tables).map(([table, rows]) => [table, rows.filter((r) => r.shop === shop || r.domain === shop)]));

describe("customers/redact", () => {
  it("removes the customer's email, name and phone from every column of every table, and only theirs", async () => {
    await populate(SHOP);
    await receive(SHOP, "customers/data_request", customersDataRequestPayload(SHOP, AUGUSTA, [1001]));
    await drain();
    const needles = [AUGUSTA.email, AUGUSTA.phone, AUGUSTA.firstName, AUGUSTA.lastName];
    expect(mentions(await dumpTables(t.db), needles).length).toBeGreaterThan(5);

    await receive(SHOP, "customers/redact", customersRedactPayload(SHOP, AUGUSTA, [1001]));
    await drain();

    const after = await dumpTables(t.db);
    expect(mentions(after, needles)).toEqual([]);
    // The other customer is untouched, and the redacted member keeps their level and points, without a name.
    expect(mentions(after, [CHARLES.email, CHARLES.lastName])).toContain("Member.email ∋ charles@difference.example");
    const member = await t.db.member.findUniqueOrThrow({ where: { shop_customerGid: { shop: SHOP, customerGid: gidOf(AUGUSTA) } } });
    // 600 − 100 refunded = 500: still gold; 500 + 25 goodwill points.
    expect(member).toMatchObject({ email: null, firstName: null, lastName: null, phone: null, redactedAt: NOW, levelId: "gold", points: 525 });
    expect(await t.db.webhookInbox.count({ where: { shop: SHOP, payload: '{"redacted":true}' } })).toBeGreaterThanOrEqual(5);
  });

  it("redacts in one shop only", async () => {
    await populate(SHOP);
    await populate(OTHER);
    await receive(SHOP, "customers/redact", customersRedactPayload(SHOP, AUGUSTA, [1001]));
    await drain();
    const tables = await dumpTables(t.db);
    expect(mentions(shopRows(tables, SHOP), [AUGUSTA.email])).toEqual([]);
    expect(mentions(shopRows(tables, OTHER), [AUGUSTA.email])).toContain("Member.email ∋ augusta@analytical.example");
  });
});

describe("customers/delete and customers/merge", () => {
  it("customers/delete keeps the member's history without personal data and stops syncing it", async () => {
    await populate(SHOP);
    await receive(SHOP, "customers/delete", customerDeletePayload(AUGUSTA.id));
    await drain();
    const member = await t.db.member.findUniqueOrThrow({ where: { shop_customerGid: { shop: SHOP, customerGid: gidOf(AUGUSTA) } } });
    expect(member).toMatchObject({ email: null, firstName: null, deletedAt: NOW, levelId: "gold", points: 525 });
    expect(await t.db.syncState.count({ where: { shop: SHOP, subject: gidOf(AUGUSTA) } })).toBe(0);
  });

  it("a completed merge moves the deleted customer's orders to the kept one and zeroes the deleted member's ledger", async () => {
    await populate(SHOP);
    await receive(SHOP, "customers/merge", customerMergePayload(AUGUSTA.id, CHARLES.id));
    await drain();
    const kept = await t.db.member.findUniqueOrThrow({ where: { shop_customerGid: { shop: SHOP, customerGid: gidOf(CHARLES) } } });
    const gone = await t.db.member.findUniqueOrThrow({ where: { shop_customerGid: { shop: SHOP, customerGid: gidOf(AUGUSTA) } } });
    // 150 + (600 − 100 refunded) = 650 → gold; the goodwill points follow the person.
    expect(kept).toMatchObject({ levelId: "gold", spend: 65000, points: 675, orderCount: 2 });
    expect(gone).toMatchObject({ levelId: null, points: 0, deletedAt: NOW, email: null });
    expect(await t.db.orderFact.count({ where: { shop: SHOP, customerGid: gidOf(AUGUSTA) } })).toBe(0);
    expect(await t.db.refundFact.findFirstOrThrow({ where: { shop: SHOP } })).toMatchObject({ customerGid: gidOf(CHARLES) });
  });

  it("a failed merge changes nothing", async () => {
    await populate(SHOP);
    const before = shopRows(await dumpTables(t.db), SHOP);
    await receive(SHOP, "customers/merge", customerMergePayload(AUGUSTA.id, CHARLES.id, "failed"));
    await drain();
    const after = shopRows(await dumpTables(t.db), SHOP);
    expect(after.Member).toEqual(before.Member);
    expect(after.OrderFact).toEqual(before.OrderFact);
  });
});

describe("app/uninstalled and shop/redact", () => {
  it.each([
    { topic: "app/uninstalled", payload: appUninstalledPayload(SHOP), tombstone: true },
    { topic: "shop/redact", payload: shopRedactPayload(SHOP), tombstone: false },
  ])("$topic removes everything of the shop (sessions included) and nothing of another shop", async ({ topic, payload, tombstone }) => {
    await populate(SHOP);
    await populate(OTHER);
    const otherBefore = shopRows(await dumpTables(t.db), OTHER);
    expect(Object.values(shopRows(await dumpTables(t.db), SHOP)).every((rows) => rows.length > 0)).toBe(true);

    await receive(SHOP, topic, payload);
    await drain();

    const tables = await dumpTables(t.db);
    const left = Object.fromEntries(Object.entries(shopRows(tables, SHOP)).filter(([, rows]) => rows.length > 0));
    if (tombstone) {
      expect(Object.keys(left)).toEqual(["Shop"]);
      expect(left.Shop).toMatchObject([{ domain: SHOP, uninstalledAt: NOW }]);
    } else {
      expect(left).toEqual({});
    }
    // Child rows without a shop column would escape shopRows: the ledger and audit belong to members, so check them.
    expect(await t.db.pointsEntry.count({ where: { shop: SHOP } })).toBe(0);
    expect(shopRows(tables, OTHER)).toEqual(otherBefore);
  });

  it("after app/uninstalled, late order deliveries are acknowledged but make no facts", async () => {
    await populate(SHOP);
    await receive(SHOP, "app/uninstalled", appUninstalledPayload(SHOP));
    await drain();
    await receive(SHOP, "orders/paid", orderPayload({ id: 1003, customer: CHARLES }));
    await drain();
    expect(await t.db.orderFact.count({ where: { shop: SHOP } })).toBe(0);
    expect(await t.db.webhookInbox.findFirstOrThrow({ where: { shop: SHOP } })).toMatchObject({ status: "skipped" });
  });
});

describe("lifecycle topics", () => {
  it("app/scopes_update records the granted scopes on the shop's sessions", async () => {
    await populate(SHOP);
    await receive(SHOP, "app/scopes_update", scopesUpdatePayload(["read_customers", "write_customers", "read_orders"], ["read_customers"]));
    await drain();
    expect(await t.db.session.findUniqueOrThrow({ where: { id: `offline_${SHOP}` } })).toMatchObject({
      scope: "read_customers,write_customers,read_orders",
    });
  });

  it("bulk_operations/finish records the operation's status for the shop", async () => {
    await receive(SHOP, "bulk_operations/finish", bulkOperationsFinishPayload(77, "completed", "mutation"));
    await drain();
    expect(await t.db.syncState.findUniqueOrThrow({ where: { shop_subject: { shop: SHOP, subject: "shop" } } })).toMatchObject({
      bulkOperationId: gid("BulkOperation", 77),
      bulkStatus: "completed",
      bulkOperationType: "mutation",
    });
  });

  it("customers/data_request is recorded and processed without changing any member", async () => {
    await populate(SHOP);
    const before = (await dumpTables(t.db)).Member;
    await receive(SHOP, "customers/data_request", customersDataRequestPayload(SHOP, AUGUSTA, [1001]));
    await drain();
    expect((await dumpTables(t.db)).Member).toEqual(before);
    expect(await t.db.webhookInbox.findFirstOrThrow({ where: { topic: "customers/data_request" } })).toMatchObject({ status: "processed" });
  });
});
