import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "~/db/client.server";
import { jsonDepth, limitWebhookBody, MAX_WEBHOOK_BODY_BYTES, MAX_WEBHOOK_JSON_DEPTH } from "~/services/webhook-limits.server";
import { WEBHOOK_TOPICS } from "~/services/webhook-payloads.server";
import { APP_URL, callHandler, startSecurityApp, webhookAction, webhookRequest, type SecurityApp } from "../support/security/app-harness";
import { topicPayload } from "../support/security/webhook-corpus";
import { orderPayload, refundPayload } from "../../tools/sample-data/webhook-payloads";

// Oversized and deeply nested bodies are refused before anything parses them: 413 past 5 MiB (without reading past
// the limit), 400 past 64 levels of nesting. Real Shopify payloads are far inside both (see webhook-limits.server.ts).

const SHOP = "limits.myshopify.com";
let app: SecurityApp;
let db: Db;

beforeAll(async () => {
  app = await startSecurityApp();
  db = app.db;
});
afterAll(async () => app?.cleanup());

/** `depth` levels of alternating objects and arrays, as text (JSON.stringify itself overflows on deep values). */
const nestedText = (depth: number): string => {
  let open = "";
  let close = "";
  for (let i = 0; i < depth; i++) {
    open += i % 2 ? "[" : '{"d":';
    close = (i % 2 ? "]" : "}") + close;
  }
  return `${open}1${close}`;
};
const withExtra = (payload: object, depth: number) => JSON.stringify(payload).replace(/}$/, `,"extra":${nestedText(depth)}}`);

async function send(topic: string, payload: unknown, over: { stream?: boolean; secret?: string } = {}) {
  const before = await db.webhookInbox.count();
  const { request } = webhookRequest({ topic, shop: SHOP, payload, ...over });
  const response = await callHandler(webhookAction(app, topic), request);
  return { status: response.status, stored: (await db.webhookInbox.count()) - before };
}

describe("body size", () => {
  const padded = (bytes: number) => ({ ...orderPayload({ id: 555 }), note: "x".repeat(bytes) });

  it.each(WEBHOOK_TOPICS.map((topic) => ({ topic })))("$topic: a body over 5 MiB → 413, nothing stored", async ({ topic }) => {
    expect(await send(topic, { ...topicPayload(topic, SHOP), padding: "x".repeat(MAX_WEBHOOK_BODY_BYTES) })).toEqual({ status: 413, stored: 0 });
  });

  it.each([
    { name: "declared by Content-Length", stream: false },
    { name: "streamed without a length", stream: true },
  ])("an oversized body $name → 413, forged or not", async ({ stream }) => {
    expect(await send("orders/paid", padded(MAX_WEBHOOK_BODY_BYTES + 1), { stream })).toEqual({ status: 413, stored: 0 });
    expect(await send("orders/paid", padded(MAX_WEBHOOK_BODY_BYTES + 1), { stream, secret: "forged" })).toEqual({ status: 413, stored: 0 });
  });

  it("stops reading at the limit", async () => {
    let pulled = 0;
    const chunk = new Uint8Array(256 * 1024).fill(0x20);
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    const request = new Request(`${APP_URL}/webhooks/orders/paid`, { method: "POST", body: endless, duplex: "half" } as RequestInit);
    const refused = await limitWebhookBody(request).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(Response);
    expect((refused as Response).status).toBe(413);
    expect(pulled).toBeLessThanOrEqual(MAX_WEBHOOK_BODY_BYTES + 3 * chunk.byteLength);
  });

  it("accepts a large genuine order (1,500 line items) and a body just under the limit", async () => {
    const big = orderPayload({ id: 556, customer: { id: 77 }, lines: Array.from({ length: 1500 }, (_, i) => ({ price: `${(i % 50) + 1}.00` })) });
    const size = Buffer.byteLength(JSON.stringify(big));
    expect(size).toBeGreaterThan(1_000_000);
    expect(await send("orders/paid", big)).toEqual({ status: 200, stored: 1 });
    expect(await send("orders/paid", padded(MAX_WEBHOOK_BODY_BYTES - 20_000))).toEqual({ status: 200, stored: 1 });
  });
});

describe("nesting depth", () => {
  it.each([
    { depth: MAX_WEBHOOK_JSON_DEPTH - 1, status: 200 }, // plus the body's own object: exactly 64
    { depth: MAX_WEBHOOK_JSON_DEPTH, status: 400 },
    { depth: 5_000, status: 400 },
    { depth: 200_000, status: 400 },
  ])("an order with an extra field nested $depth deep → $status", async ({ depth, status }) => {
    expect(await send("orders/paid", withExtra(orderPayload({ id: 600 + depth }), depth))).toEqual({ status, stored: status === 200 ? 1 : 0 });
  });

  it("a deep body is refused before its signature is even checked, so nothing parses it", async () => {
    expect(await send("customers/update", withExtra({ id: 1 }, 100_000), { secret: "forged" })).toEqual({ status: 400, stored: 0 });
  });

  it.each([
    { text: '{"a":"[[[[[[[[[["}', depth: 1 },
    { text: '{"a":"\\"[[[[","b":[[1]]}', depth: 3 },
    { text: '[{"a":{}},[[]]]', depth: 3 },
    { text: '"{{{{"', depth: 0 },
  ])("counts $text as $depth deep (brackets inside strings do not count)", ({ text, depth }) => {
    expect(jsonDepth(new TextEncoder().encode(text))).toBe(depth);
  });
});

describe("amounts", () => {
  // Money is integer minor units in JavaScript numbers: past 2^53 it is no longer exact and cannot be stored. Such a
  // body used to be accepted and then fail in the worker on every attempt (found by webhook-fuzz.test.ts).
  const hugeLine = orderPayload({ id: 901, customer: { id: 91 }, lines: [{ price: "1.00" }] });
  hugeLine.line_items[0].quantity = 2 ** 31;
  hugeLine.line_items[0].price = "90000000000.00";
  hugeLine.line_items[0].price_set.shop_money.amount = "90000000000.00";
  const refunds = (amounts: string[]) => ({
    ...refundPayload({ id: 902, orderId: 901 }),
    transactions: amounts.map((amount) => ({ kind: "refund", status: "success", amount })),
  });

  it.each([
    {
      name: "a total of 10^21",
      topic: "orders/paid",
      payload: { ...orderPayload({ id: 903 }), total_price_set: { shop_money: { amount: "1000000000000000000000.00", currency_code: "USD" } } },
      status: 400,
    },
    { name: "a line whose price × quantity passes 2^53 minor units", topic: "orders/paid", payload: hugeLine, status: 400 },
    {
      name: "refund transactions adding up past 2^53 minor units",
      topic: "refunds/create",
      payload: refunds(["50000000000000.00", "50000000000000.00"]),
      status: 400,
    },
    {
      name: "an order of 25,000,000.00 (an ordinary IDR order)",
      topic: "orders/paid",
      payload: orderPayload({ id: 904, customer: { id: 94 }, currency: "IDR", lines: [{ price: "25000000.00" }] }),
      status: 200,
    },
  ])("$name → $status", async ({ topic, payload, status }) => {
    expect(await send(topic, payload)).toEqual({ status, stored: status === 200 ? 1 : 0 });
  });
});
