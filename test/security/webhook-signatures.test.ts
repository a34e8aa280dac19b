import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "~/db/client.server";
import { WEBHOOK_TOPICS } from "~/services/webhook-payloads.server";
import { publishProgram, runJobs, seedShop } from "../support/db";
import {
  callHandler,
  startSecurityApp,
  webhookAction,
  webhookRequest,
  type SecurityApp,
  type WebhookRequestOptions,
} from "../support/security/app-harness";
import { shopRows } from "../support/security/table-scan";
import { programJson } from "../support/admin-builders";
import { orderPayload, refundPayload } from "../../tools/sample-data/webhook-payloads";
import { topicPayload } from "../support/security/webhook-corpus";

// Shopify signs a webhook's raw body (HMAC-SHA256 with the app's secret, base64) and nothing else. Every route must
// refuse a delivery whose signature is forged, missing or does not match the body, and store nothing for it.
//
// Replays: Shopify retries a delivery for up to 48 hours with the same X-Shopify-Webhook-Id, and a retry's
// X-Shopify-Triggered-At is the original trigger time. A delivery is therefore never refused for being old (that
// would drop real retries after an outage); "replay" protection is idempotence instead: the same webhook id is stored
// once, and the same signed body under a new webhook id (the id header is not signed) changes nothing twice, because
// facts are keyed by Shopify's own ids (order, refund, customer).

const SHOP = "signatures.myshopify.com";
let app: SecurityApp;
let db: Db;

beforeAll(async () => {
  app = await startSecurityApp();
  db = app.db;
});
afterAll(async () => app?.cleanup());

async function deliver(o: Omit<WebhookRequestOptions, "shop"> & { shop?: string }) {
  const { request, webhookId } = webhookRequest({ shop: SHOP, ...o });
  const response = await callHandler(webhookAction(app, o.topic), request);
  return { status: response.status, webhookId };
}

const inboxCount = () => db.webhookInbox.count();

describe("signatures", () => {
  const bad: { name: string; over: Partial<WebhookRequestOptions> }[] = [
    { name: "signed with another secret (forged)", over: { secret: "an-attackers-guess" } },
    { name: "signed with an empty secret", over: { secret: "" } },
    { name: "without the HMAC header", over: { dropHeaders: ["X-Shopify-Hmac-Sha256"] } },
    { name: "with the body changed after signing", over: { tamper: (b) => b.replace(/.$/, " }") } },
    { name: "with the body cut after signing", over: { tamper: (b) => b.slice(0, Math.floor(b.length / 2)) } },
    { name: "with a byte appended after signing", over: { tamper: (b) => `${b}\n` } },
  ];
  const cases = WEBHOOK_TOPICS.flatMap((topic) => bad.map((b) => ({ topic, ...b })));

  it.each(cases)("$topic $name → 401, nothing stored", async ({ topic, over }) => {
    const before = await inboxCount();
    const { status } = await deliver({ topic, payload: topicPayload(topic, SHOP), ...over });
    expect(status).toBe(401);
    expect(await inboxCount()).toBe(before);
  });

  it.each(WEBHOOK_TOPICS.map((topic) => ({ topic })))("$topic carrying the genuine HMAC of another body → 401, nothing stored", async ({ topic }) => {
    const before = await inboxCount();
    const other = webhookRequest({ topic, shop: SHOP, payload: { other: true } });
    const forged = webhookRequest({ topic, shop: SHOP, payload: topicPayload(topic, SHOP) });
    forged.request.headers.set("X-Shopify-Hmac-Sha256", other.request.headers.get("X-Shopify-Hmac-Sha256")!);
    expect((await callHandler(webhookAction(app, topic), forged.request)).status).toBe(401);
    expect(await inboxCount()).toBe(before);
  });
});

describe("replays", () => {
  it.each(WEBHOOK_TOPICS.map((topic) => ({ topic })))("$topic: the same delivery three times → 200 each time, stored once", async ({ topic }) => {
    const payload = topicPayload(topic, SHOP);
    const results = [];
    for (let i = 0; i < 3; i++) results.push((await deliver({ topic, payload, webhookId: `replay-${topic}` })).status);
    expect(results).toEqual([200, 200, 200]);
    expect(await db.webhookInbox.count({ where: { shop: SHOP, webhookId: `replay-${topic}` } })).toBe(1);
  });

  it("a retry hours after the trigger time is still accepted (Shopify retries for 48 hours)", async () => {
    const triggeredAt = new Date(Date.now() - 30 * 3_600_000).toISOString();
    const { status, webhookId } = await deliver({ topic: "orders/paid", payload: orderPayload({ id: 7001 }), triggeredAt });
    expect(status).toBe(200);
    expect(await db.webhookInbox.findFirstOrThrow({ where: { shop: SHOP, webhookId } })).toMatchObject({ triggeredAt: new Date(triggeredAt) });
  });

  it("the same signed bodies resent under new webhook ids change nothing twice", async () => {
    const shop = "replayed-bodies.myshopify.com";
    await seedShop(db, shop);
    await publishProgram(db, shop, programJson({ points: { earn: [{ per: "amount", every: "1.00", points: 1 }] } }));
    const customer = { id: 8801, email: "replay@example.com", firstName: "Re", lastName: "Play" };
    const bodies = [
      { topic: "orders/paid", payload: orderPayload({ id: 8802, customer, lines: [{ price: "150.00" }] }) },
      { topic: "refunds/create", payload: refundPayload({ id: 8803, orderId: 8802, amount: "20.00" }) },
    ];
    const now = new Date(Date.now() + 60_000);
    for (const b of bodies) expect((await deliver({ ...b, shop })).status).toBe(200);
    await runJobs(db, now);
    const once = await shopRows(db, shop);
    for (let round = 0; round < 2; round++) for (const b of bodies) expect((await deliver({ ...b, shop })).status).toBe(200);
    await runJobs(db, new Date(now.getTime() + 60_000));
    const twice = await shopRows(db, shop);
    const facts = (t: typeof once) => ({
      orders: t.OrderFact.map((o) => [o.orderGid, o.total]),
      refunds: t.RefundFact.map((r) => [r.refundGid, r.amount]),
      members: t.Member.map((m) => [m.customerGid, m.levelId, m.points, m.spend, m.orderCount]),
      ledger: t.PointsEntry.map((p) => [p.key, p.points]).sort(),
      levelChanges: t.LevelChange.length,
    });
    expect(once.Member).toHaveLength(1);
    expect(facts(twice)).toEqual(facts(once));
    expect(twice.WebhookInbox).toHaveLength(6);
  });
});

describe("the shop a delivery names", () => {
  // Only the body is signed: a captured compliance body of one shop must not act on another shop by swapping headers.
  it.each(["shop/redact", "customers/redact", "customers/data_request", "app/uninstalled"])(
    "%s whose body names another shop than the header → 400, nothing stored",
    async (topic) => {
      const before = await inboxCount();
      const { status } = await deliver({ topic, shop: "victim.myshopify.com", payload: topicPayload(topic, "attacker.myshopify.com") });
      expect(status).toBe(400);
      expect(await inboxCount()).toBe(before);
    },
  );
});
