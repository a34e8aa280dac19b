import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseWebhookJson, parseWebhookPayload, webhookSubjects, WEBHOOK_TOPICS } from "~/services/webhook-payloads.server";
import { claimNextJob } from "~/jobs/queue.server";
import { recordWebhook } from "~/services/webhook-inbox.server";
import { createTestDb, type TestDb } from "../support/db";
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
  sample,
  sampleText,
  scopesUpdatePayload,
  shopRedactPayload,
} from "../support/webhook-payloads";

/** The inbox: every topic's payload validated and stored once; anything malformed refused with nothing stored. */

const SHOP = "inbox.myshopify.com";
const NOW = new Date("2026-06-01T00:00:00Z");
let t: TestDb;

beforeEach(async () => {
  t = await createTestDb();
});
afterEach(async () => {
  await t.cleanup();
});

const customer = { id: 42, email: "grace@example.com" };
const payloads: Record<(typeof WEBHOOK_TOPICS)[number], unknown> = {
  "orders/paid": orderPayload({ id: 1001, customer }),
  "orders/updated": orderPayload({ id: 1001, customer }),
  "orders/cancelled": orderPayload({ id: 1001, customer, cancelledAt: "2026-03-02T00:00:00Z" }),
  "refunds/create": refundPayload({ id: 501, orderId: 1001 }),
  "customers/create": customerPayload(customer),
  "customers/update": customerPayload(customer),
  "customers/delete": customerDeletePayload(42),
  "customers/merge": customerMergePayload(41, 42),
  "app/uninstalled": appUninstalledPayload(SHOP),
  "app/scopes_update": scopesUpdatePayload(["read_customers"]),
  "bulk_operations/finish": bulkOperationsFinishPayload(9),
  "customers/data_request": customersDataRequestPayload(SHOP, customer, [1001]),
  "customers/redact": customersRedactPayload(SHOP, customer, [1001]),
  "shop/redact": shopRedactPayload(SHOP),
};

const subjects: Record<string, { customerGid: string | null; orderGid: string | null }> = {
  "orders/paid": { customerGid: gid("Customer", 42), orderGid: gid("Order", 1001) },
  "refunds/create": { customerGid: null, orderGid: gid("Order", 1001) },
  "customers/merge": { customerGid: gid("Customer", 42), orderGid: null },
  "customers/redact": { customerGid: gid("Customer", 42), orderGid: null },
  "shop/redact": { customerGid: null, orderGid: null },
};

describe("recordWebhook", () => {
  it.each(WEBHOOK_TOPICS.map((topic) => ({ topic })))("stores a valid $topic delivery and queues the drainer", async ({ topic }) => {
    const d = delivery(topic, SHOP, payloads[topic]);
    const result = await recordWebhook(t.db, d, topic, NOW);
    expect(result).toMatchObject({ status: 200, stored: true, duplicate: false });
    const row = await t.db.webhookInbox.findFirstOrThrow();
    expect(row).toMatchObject({ shop: SHOP, topic, webhookId: d.webhookId, eventId: d.eventId, apiVersion: "2026-10", payload: d.rawBody, status: "received", receivedAt: NOW });
    if (subjects[topic]) expect({ customerGid: row.customerGid, orderGid: row.orderGid }).toEqual(subjects[topic]);
    expect(await t.db.job.findMany({ select: { type: true, shop: true, key: true, status: true } })).toEqual([
      { type: "process-webhooks", shop: SHOP, key: `process-webhooks:${SHOP}`, status: "queued" },
    ]);
  });

  it("accepts Shopify's own sample payloads unchanged for every topic it has a sample of", () => {
    const samples: [string, string][] = [
      ["orders/paid", "orders_paid"],
      ["orders/updated", "orders_updated"],
      ["orders/cancelled", "orders_cancelled"],
      ["refunds/create", "refunds_create"],
      ["customers/create", "customers_create"],
      ["customers/update", "customers_update"],
      ["customers/delete", "customers_delete"],
      ["customers/merge", "customers_merge"],
      ["app/uninstalled", "app_uninstalled"],
      ["bulk_operations/finish", "bulk_operations_finish"],
      ["customers/data_request", "customers_data_request"],
      ["customers/redact", "customers_redact"],
      ["shop/redact", "shop_redact"],
    ];
    for (const [topic, name] of samples) expect(() => parseWebhookPayload(topic, sampleText(name)), topic).not.toThrow();
  });

  it("reads 64-bit ids exactly from the raw body (a JavaScript number would round them)", () => {
    // Shopify's sample itself is already rounded (its order_id ends in …500 where the GID says …508): a refund
    // carries only the number, so its digits must come from the text as sent, not from a double.
    const refund = parseWebhookPayload("refunds/create", sampleText("refunds_create"));
    expect(webhookSubjects(refund).orderGid).toBe("gid://shopify/Order/820982911946154500");
    expect(JSON.parse('{"order_id": 820982911946154508}').order_id).toBe(820982911946154500);
    expect(parseWebhookJson('{"order_id": 820982911946154508, "small": 7}')).toEqual({ order_id: "820982911946154508", small: 7 });
    const redact = parseWebhookPayload("customers/redact", '{"shop_domain":"s","customer":{"id":9007199254740993,"email":null,"phone":null},"orders_to_redact":[9007199254740995]}');
    expect(redact.payload).toMatchObject({ customer: { id: "9007199254740993" }, orders_to_redact: ["9007199254740995"] });
  });

  it.each([
    ["a value", '{"status":"failed","error_code":"a\\u0000b"}', 'field "error_code" contains a NUL character'],
    ["a key", '{"status":"failed","x\\u0000":1}', 'field "x\\u0000" contains a NUL character'],
    ["a nested value", '{"status":"failed","admin_graphql_api_id":"gid://shopify/BulkOperation/1","type":"\\u0000"}', 'field "type" contains a NUL character'],
  ])("refuses a NUL character in %s at the boundary (PostgreSQL text cannot store it)", (_case, body, message) => {
    expect(() => parseWebhookPayload("bulk_operations/finish", body)).toThrow(message);
  });

  it("stores a delivery repeated five times once, and queues the drainer once", async () => {
    const d = delivery("orders/paid", SHOP, payloads["orders/paid"], { webhookId: "retry-me" });
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await recordWebhook(t.db, d, "orders/paid", NOW));
    expect(results.map((r) => (r.status === 200 ? r.duplicate : "error"))).toEqual([false, true, true, true, true]);
    expect(await t.db.webhookInbox.count()).toBe(1);
    expect(await t.db.job.count()).toBe(1);
  });

  it("queues a new drainer for a new delivery once the last one was claimed, and none for a repeat", async () => {
    const first = delivery("orders/paid", SHOP, payloads["orders/paid"], { webhookId: "first" });
    await recordWebhook(t.db, first, "orders/paid", NOW);
    expect(await claimNextJob(t.db, { workerId: "w", now: NOW, leaseMs: 60_000 })).toMatchObject({ type: "process-webhooks", shop: SHOP });
    await recordWebhook(t.db, first, "orders/paid", NOW);
    expect(await t.db.job.count({ where: { status: "queued" } })).toBe(0);
    await recordWebhook(t.db, delivery("orders/paid", SHOP, payloads["orders/updated"], { webhookId: "second" }), "orders/paid", NOW);
    expect(await t.db.job.findMany({ where: { status: "queued" }, select: { type: true, shop: true, key: true, payload: true, maxAttempts: true } })).toEqual([
      { type: "process-webhooks", shop: SHOP, key: `process-webhooks:${SHOP}`, payload: "{}", maxAttempts: 8 },
    ]);
  });

  it("keeps the same webhook id of two shops apart", async () => {
    for (const shop of [SHOP, "other.myshopify.com"]) {
      await recordWebhook(t.db, delivery("orders/paid", shop, payloads["orders/paid"], { webhookId: "same-id" }), "orders/paid", NOW);
    }
    expect(await t.db.webhookInbox.count()).toBe(2);
  });

  const order = sample("orders_paid");
  it.each([
    { name: "a body that is not JSON", topic: "orders/paid", body: "{not json", code: "WEBHOOK.INVALID_JSON" },
    { name: "an empty body", topic: "customers/redact", body: "", code: "WEBHOOK.INVALID_JSON" },
    { name: "a JSON array", topic: "orders/paid", body: "[]", code: "WEBHOOK.INVALID_PAYLOAD" },
    { name: "an order without line_items", topic: "orders/paid", body: JSON.stringify({ ...order, line_items: undefined }), code: "WEBHOOK.INVALID_PAYLOAD", field: "line_items" },
    { name: "an order whose id is not an Order GID", topic: "orders/paid", body: JSON.stringify({ ...order, admin_graphql_api_id: "gid://shopify/Customer/1" }), code: "WEBHOOK.INVALID_PAYLOAD", field: "admin_graphql_api_id" },
    { name: "an amount that is not a decimal", topic: "orders/updated", body: JSON.stringify({ ...order, total_price_set: { shop_money: { amount: "12,00", currency_code: "USD" } } }), code: "WEBHOOK.INVALID_PAYLOAD", field: "total_price_set.shop_money.amount" },
    { name: "a bad timestamp", topic: "orders/cancelled", body: JSON.stringify({ ...order, created_at: "yesterday" }), code: "WEBHOOK.INVALID_PAYLOAD", field: "created_at" },
    { name: "a refund without order_id", topic: "refunds/create", body: JSON.stringify({ ...sample("refunds_create"), order_id: undefined }), code: "WEBHOOK.INVALID_PAYLOAD", field: "order_id" },
    { name: "a redact without customer", topic: "customers/redact", body: JSON.stringify({ shop_domain: SHOP }), code: "WEBHOOK.INVALID_PAYLOAD", field: "customer" },
    { name: "scopes without current", topic: "app/scopes_update", body: JSON.stringify({ previous: [] }), code: "WEBHOOK.INVALID_PAYLOAD", field: "current" },
    { name: "a delivery for another topic", topic: "orders/paid", deliveredAs: "orders/updated", body: JSON.stringify(order), code: "WEBHOOK.TOPIC_MISMATCH" },
  ])("refuses $name with 400 and stores nothing", async ({ topic, deliveredAs, body, code, field }) => {
    const result = await recordWebhook(t.db, delivery(deliveredAs ?? topic, SHOP, body), topic, NOW);
    expect(result).toMatchObject({ status: 400, code });
    if (field && result.status === 400) expect(result.message).toContain(field);
    expect(await t.db.webhookInbox.count()).toBe(0);
    expect(await t.db.job.count()).toBe(0);
  });
});
