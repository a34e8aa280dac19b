import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "~/db/client.server";
import { formData, programJson } from "../support/admin-builders";
import { dumpTables, publishProgram, runJobs, seedShop } from "../support/db";
import { callHandler, startSecurityApp, webhookAction, webhookRequest, type SecurityApp } from "../support/security/app-harness";
import { scanCells, shopRows } from "../support/security/table-scan";
import {
  customerPayload,
  customersRedactPayload,
  orderPayload,
  refundPayload,
  shopRedactPayload,
  appUninstalledPayload,
} from "../../tools/sample-data/webhook-payloads";

// customers/redact, shop/redact and app/uninstalled, checked against every column of every table.
//
// What a customers/redact leaves, on purpose: the Shopify ids of the customer and their orders on the fact rows
// (member, order and refund facts, ledger keys, level-change reasons, sync state, the inbox's subject columns) and the
// amounts. They are pseudonymous keys — Shopify has deleted the customer they pointed at — and they keep the shop's
// aggregates (members per level, spend, the points ledger) consistent. Everything that identifies the person — name,
// email, phone, addresses, notes (the merchant's and the order's), the raw webhook bodies — must be gone. The scan
// below fails on any identifying string anywhere, and on the ids anywhere outside that list of columns.
//
// app/uninstalled keeps one row, the Shop tombstone (domain, dates, plan; settings cleared), so late deliveries are
// recognised and a reinstall starts clean. shop/redact removes that too.

const SHOP = "redaction.myshopify.com";
const OTHER = "bystander.myshopify.com";
const ZELDA = { id: 5550001111, email: "zelda.quixote@redact-me.example", firstName: "Zelda", lastName: "Quixotewright", phone: "+1-555-0147-3321" };
const ORDERS = [6660001111, 6660002222];
const OTHER_CUSTOMER = { id: 5550002222, email: "otto.keep@stays.example", firstName: "Otto", lastName: "Keepsake", phone: "+1-555-0199-0000" };

/** Every identifying string about Zelda that the seeded deliveries and the merchant put in the database. */
const IDENTIFYING = [
  ZELDA.email,
  "zelda.quixote",
  ZELDA.firstName,
  ZELDA.lastName,
  ZELDA.phone,
  "0147-3321",
  "Marigold Crescent",
  "Wexbridge",
  "Leave it with Zelda",
  "apologised to Zelda",
];
/** The ids, allowed only in these columns. */
const IDS = [String(ZELDA.id), ...ORDERS.map(String)];
const ID_COLUMNS = new Set([
  "Member.customerGid",
  "OrderFact.orderGid",
  "OrderFact.customerGid",
  "OrderFact.name",
  "RefundFact.orderGid",
  "RefundFact.customerGid",
  "PointsEntry.key",
  "PointsEntry.idempotencyKey",
  "PointsEntry.orderGid",
  "PointsEntry.reversesKey",
  "LevelChange.reasonJson",
  "MemberAdjustment.customerGid",
  "SyncState.subject",
  "WebhookInbox.customerGid",
  "WebhookInbox.orderGid",
  "WebhookInbox.touchedJson",
  "Job.payload",
]);

let app: SecurityApp;
let db: Db;

beforeAll(async () => {
  app = await startSecurityApp();
  db = app.db;
});
afterAll(async () => app?.cleanup());

async function deliver(shop: string, topic: string, payload: unknown) {
  const { request } = webhookRequest({ topic, shop, payload });
  const response = await callHandler(webhookAction(app, topic), request);
  expect(response.status, `${topic}: ${await response.clone().text()}`).toBe(200);
}

const drain = () => runJobs(db, new Date(Date.now() + 60_000));

function withAddress<T extends Record<string, any>>(payload: T): T {
  const address = {
    address1: "17 Marigold Crescent",
    city: "Wexbridge",
    first_name: ZELDA.firstName,
    last_name: ZELDA.lastName,
    phone: ZELDA.phone,
    name: `${ZELDA.firstName} ${ZELDA.lastName}`,
  };
  const p: Record<string, any> = structuredClone(payload);
  if ("billing_address" in p)
    Object.assign(p, {
      billing_address: { ...p.billing_address, ...address },
      shipping_address: { ...p.shipping_address, ...address },
      note: "Leave it with Zelda's neighbour",
    });
  if (p.customer) p.customer.default_address = { ...p.customer.default_address, ...address };
  if ("addresses" in p) Object.assign(p, { addresses: [address], default_address: address, note: "Leave it with Zelda at the back door" });
  return p as T;
}

async function seedShopWithCustomers(shop: string) {
  await seedShop(db, shop);
  await publishProgram(db, shop, programJson({ points: { earn: [{ per: "amount", every: "1.00", points: 1 }] } }));
  for (const c of [ZELDA, OTHER_CUSTOMER]) await deliver(shop, "customers/create", withAddress(customerPayload(c)));
  await deliver(shop, "orders/paid", withAddress(orderPayload({ id: ORDERS[0], customer: ZELDA, lines: [{ id: 4401, price: "300.00" }] })));
  await deliver(shop, "orders/paid", withAddress(orderPayload({ id: ORDERS[1], customer: ZELDA, lines: [{ id: 4402, price: "250.00" }] })));
  await deliver(shop, "orders/paid", orderPayload({ id: 6660009999, customer: OTHER_CUSTOMER, lines: [{ price: "120.00" }] }));
  await deliver(shop, "refunds/create", refundPayload({ id: 7770001111, orderId: ORDERS[1], amount: "50.00" }));
  await deliver(shop, "customers/update", withAddress(customerPayload({ ...ZELDA, updatedAt: "2026-03-02T00:00:00Z" })));
  await drain();
  // The merchant's own notes about her: a points adjustment.
  const { memberAction } = await import("~/services/admin/members.server");
  const member = await db.member.findUniqueOrThrow({ where: { shop_customerGid: { shop, customerGid: `gid://shopify/Customer/${ZELDA.id}` } } });
  await memberAction(
    db,
    shop,
    member.id,
    formData({ intent: "adjustPoints", points: "20", note: "Late parcel, apologised to Zelda by phone", key: `note-${shop.length}` }),
    Date.now(),
  );
}

describe("customers/redact", () => {
  it("leaves no identifying data about the customer in any column of any table; everyone else keeps theirs", async () => {
    await seedShopWithCustomers(SHOP);
    await seedShopWithCustomers(OTHER);
    const before = await dumpTables(db);
    // The seed really put her data in many places, or the scan below would prove nothing.
    const seeded = scanCells(before, IDENTIFYING);
    expect(new Set(seeded.map((f) => f.table))).toEqual(new Set(["Member", "MemberAdjustment", "PointsEntry", "WebhookInbox"]));
    const otherShopBefore = await shopRows(db, OTHER);

    await deliver(SHOP, "customers/redact", customersRedactPayload(SHOP, { id: ZELDA.id, email: ZELDA.email, phone: ZELDA.phone }, ORDERS));
    await drain();

    const after = await dumpTables(db);
    const inShop = (_t: string, row: Record<string, unknown>) => ("shop" in row ? row.shop === SHOP : row.domain === SHOP);
    const identifying = scanCells(after, IDENTIFYING, { rows: inShop });
    expect(identifying.map((f) => `${f.table}.${f.column}: ${f.value}`)).toEqual([]);
    const idsOutsideFacts = scanCells(after, IDS, { rows: inShop }).filter((f) => !ID_COLUMNS.has(`${f.table}.${f.column}`));
    expect(idsOutsideFacts.map((f) => `${f.table}.${f.column}: ${f.value}`)).toEqual([]);

    // Aggregates stay: she is still a member at her level, with her spend and ledger, just nameless.
    const zelda = await db.member.findUniqueOrThrow({
      where: { shop_customerGid: { shop: SHOP, customerGid: `gid://shopify/Customer/${ZELDA.id}` } },
    });
    expect(zelda).toMatchObject({ email: null, firstName: null, lastName: null, phone: null, levelId: "gold" });
    expect(zelda.redactedAt).not.toBeNull();
    // The other customer of the same shop, and the other shop entirely, are untouched.
    expect(scanCells(after, [OTHER_CUSTOMER.email, OTHER_CUSTOMER.lastName], { rows: inShop }).length).toBeGreaterThan(0);
    expect(await shopRows(db, OTHER)).toEqual(otherShopBefore);
  });
});

describe.each([
  { topic: "app/uninstalled", payload: appUninstalledPayload, left: ["Shop"] },
  { topic: "shop/redact", payload: shopRedactPayload, left: [] as string[] },
])("$topic", ({ topic, payload, left }) => {
  it("leaves no row of the shop in any table (but the tombstone where stated) and nothing of it in any column; other shops untouched", async () => {
    const shop = `purged-${topic.replace(/\W/g, "-")}.myshopify.com`;
    await seedShopWithCustomers(shop);
    await db.session.create({ data: { id: `offline_${shop}`, shop, state: "", accessToken: "shpat_x", email: "owner@purged.example" } });
    await db.shop.update({
      where: { domain: shop },
      data: { settingsJson: JSON.stringify({ notifications: { levelUp: { subject: "Hi", body: "x" } } }) },
    });
    const othersBefore = await shopRows(db, OTHER);

    await deliver(shop, topic, payload(shop));
    await drain();

    const rows = await shopRows(db, shop);
    const remaining = Object.entries(rows)
      .filter(([, r]) => r.length > 0)
      .map(([t]) => t);
    expect(remaining).toEqual(left);
    if (left.includes("Shop")) expect(rows.Shop[0]).toMatchObject({ domain: shop, settingsJson: null, uninstalledAt: expect.any(Date) });
    const all = await dumpTables(db);
    const mentions = scanCells(all, [shop]).filter((f) => !(f.table === "Shop" && left.includes("Shop")));
    expect(mentions.map((f) => `${f.table}.${f.column}`)).toEqual([]);
    expect(await shopRows(db, OTHER)).toEqual(othersBefore);
  });
});
