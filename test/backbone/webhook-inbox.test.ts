import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { dbProvider } from "~/db/client.server";
import { normalizeTopic, parseWebhookJson, parseWebhookPayload, webhookSubjects, WEBHOOK_TOPICS } from "~/services/webhook-payloads.server";
import { claimNextJob } from "~/queue/queue.server";
import { recordWebhook, type WebhookDelivery } from "~/services/webhook-inbox.server";
import { createTestDb, type TestDb } from "../support/db";
import { fuzzCorpus } from "../support/security/webhook-corpus";
import { signWebhook } from "../../tools/shopify-stand-in/signed-webhook";
import { collectionDeletePayload, collectionUpdatePayload, productDeletePayload, productUpdatePayload } from "../../tools/shopify-stand-in/catalog";
import {
  appUninstalledPayload,
  appSubscriptionsUpdatePayload,
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
} from "../../tools/sample-data/webhook-payloads";

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
  "app_subscriptions/update": appSubscriptionsUpdatePayload(7, "Growth", "ACTIVE"),
  "products/update": productUpdatePayload({ id: gid("Product", 632910392), title: "IPod Nano", tags: ["Premium"] }, "2026-03-01T10:00:00Z"),
  "products/delete": productDeletePayload(gid("Product", 632910392)),
  "collections/update": collectionUpdatePayload({ id: gid("Collection", 841564295), title: "IPods" }, "2026-03-01T10:00:00Z"),
  "collections/delete": collectionDeletePayload(gid("Collection", 841564295)),
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
    expect(row).toMatchObject({
      shop: SHOP,
      topic,
      webhookId: d.webhookId,
      eventId: d.eventId,
      apiVersion: "2026-10",
      payload: d.rawBody,
      status: "received",
      receivedAt: NOW,
    });
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
    const redact = parseWebhookPayload(
      "customers/redact",
      '{"shop_domain":"s","customer":{"id":9007199254740993,"email":null,"phone":null},"orders_to_redact":[9007199254740995]}',
    );
    expect(redact.payload).toMatchObject({ customer: { id: "9007199254740993" }, orders_to_redact: ["9007199254740995"] });
  });

  it.each([
    ["a value", '{"status":"failed","error_code":"a\\u0000b"}', 'field "error_code" contains a NUL character'],
    ["a key", '{"status":"failed","x\\u0000":1}', 'field "x\\u0000" contains a NUL character'],
    [
      "a nested value",
      '{"status":"failed","admin_graphql_api_id":"gid://shopify/BulkOperation/1","type":"\\u0000"}',
      'field "type" contains a NUL character',
    ],
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
    expect(
      await t.db.job.findMany({ where: { status: "queued" }, select: { type: true, shop: true, key: true, payload: true, maxAttempts: true } }),
    ).toEqual([{ type: "process-webhooks", shop: SHOP, key: `process-webhooks:${SHOP}`, payload: "{}", maxAttempts: 8 }]);
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
    {
      name: "an order without line_items",
      topic: "orders/paid",
      body: JSON.stringify({ ...order, line_items: undefined }),
      code: "WEBHOOK.INVALID_PAYLOAD",
      field: "line_items",
    },
    {
      name: "an order whose id is not an Order GID",
      topic: "orders/paid",
      body: JSON.stringify({ ...order, admin_graphql_api_id: "gid://shopify/Customer/1" }),
      code: "WEBHOOK.INVALID_PAYLOAD",
      field: "admin_graphql_api_id",
    },
    {
      name: "an amount that is not a decimal",
      topic: "orders/updated",
      body: JSON.stringify({ ...order, total_price_set: { shop_money: { amount: "12,00", currency_code: "USD" } } }),
      code: "WEBHOOK.INVALID_PAYLOAD",
      field: "total_price_set.shop_money.amount",
    },
    {
      name: "a bad timestamp",
      topic: "orders/cancelled",
      body: JSON.stringify({ ...order, created_at: "yesterday" }),
      code: "WEBHOOK.INVALID_PAYLOAD",
      field: "created_at",
    },
    {
      name: "a refund without order_id",
      topic: "refunds/create",
      body: JSON.stringify({ ...sample("refunds_create"), order_id: undefined }),
      code: "WEBHOOK.INVALID_PAYLOAD",
      field: "order_id",
    },
    {
      name: "a redact without customer",
      topic: "customers/redact",
      body: JSON.stringify({ shop_domain: SHOP }),
      code: "WEBHOOK.INVALID_PAYLOAD",
      field: "customer",
    },
    {
      name: "scopes without current",
      topic: "app/scopes_update",
      body: JSON.stringify({ previous: [] }),
      code: "WEBHOOK.INVALID_PAYLOAD",
      field: "current",
    },
    {
      name: "a delivery for another topic",
      topic: "orders/paid",
      deliveredAs: "orders/updated",
      body: JSON.stringify(order),
      code: "WEBHOOK.TOPIC_MISMATCH",
    },
  ])("refuses $name with 400 and stores nothing", async ({ topic, deliveredAs, body, code, field }) => {
    const result = await recordWebhook(t.db, delivery(deliveredAs ?? topic, SHOP, body), topic, NOW);
    expect(result).toMatchObject({ status: 400, code });
    if (field && result.status === 400) expect(result.message).toContain(field);
    expect(await t.db.webhookInbox.count()).toBe(0);
    expect(await t.db.job.count()).toBe(0);
  });
});

describe("recordWebhook with deliveries arriving together (group commit)", () => {
  const order = (id: number, shop = SHOP, webhookId = `wh-${shop}-${id}`) =>
    delivery("orders/paid", shop, orderPayload({ id, customer }), { webhookId });
  const OTHER = "other.myshopify.com";
  const record = (ds: WebhookDelivery[]) => Promise.all(ds.map((d) => recordWebhook(t.db, d, "orders/paid", NOW)));
  const storedKeys = (results: Awaited<ReturnType<typeof record>>, ds: WebhookDelivery[]) =>
    ds.filter((_, i) => results[i].status === 200 && "stored" in results[i] && results[i].stored).map((d) => `${d.shop} ${d.webhookId}`);
  const queuedDrainers = async () => (await t.db.job.findMany({ where: { status: "queued" }, select: { shop: true } })).map((j) => j.shop).sort();

  it.each([
    {
      name: "forty new deliveries of two shops",
      before: [],
      burst: Array.from({ length: 40 }, (_, i) => order(i, i % 2 ? OTHER : SHOP)),
      stored: 40,
      drainers: [SHOP, OTHER],
    },
    {
      name: "a retry inside the burst and a retry of a delivery stored before it",
      before: [order(1)],
      burst: [order(1), order(2), order(3), order(2), order(4, SHOP, "wh-inbox.myshopify.com-2")],
      stored: 2,
      drainers: [SHOP],
    },
    {
      name: "only retries, after the shop's drainer was claimed",
      before: [order(1), order(2)],
      claimBefore: true,
      burst: [order(1), order(2), order(1)],
      stored: 0,
      drainers: [],
    },
    {
      name: "retries of one shop and a new delivery of another, after the first shop's drainer was claimed",
      before: [order(1)],
      claimBefore: true,
      burst: [order(1), order(7, OTHER), order(1)],
      stored: 1,
      drainers: [OTHER],
    },
  ])(
    "$name: each answered after it is stored once, a drainer queued per shop with something new",
    async ({ before, claimBefore, burst, stored, drainers }) => {
      await record(before);
      if (claimBefore) await claimNextJob(t.db, { workerId: "w", now: NOW, leaseMs: 60_000 });
      const results = await record(burst);
      expect(results.every((r) => r.status === 200)).toBe(true);
      const keys = storedKeys(results, burst);
      expect(keys).toHaveLength(stored);
      expect(new Set(keys).size).toBe(stored);
      const distinct = new Set([...before, ...burst].map((d) => `${d.shop} ${d.webhookId}`));
      expect(await t.db.webhookInbox.count()).toBe(distinct.size);
      expect(await queuedDrainers()).toEqual(drainers);
      // Every stored delivery's answer names its own row.
      for (const [i, r] of results.entries()) {
        if (r.status === 200 && r.stored)
          expect(await t.db.webhookInbox.findUniqueOrThrow({ where: { id: r.inboxId! } })).toMatchObject({
            shop: burst[i].shop,
            webhookId: burst[i].webhookId,
          });
      }
    },
  );

  it("fails only the delivery the database refuses; the rest of its batch is stored", async () => {
    if (dbProvider(t.db) === "postgresql") {
      await t.db.$executeRawUnsafe(
        `CREATE FUNCTION refuse_poison() RETURNS trigger AS $$ BEGIN IF NEW."webhookId" = 'poison' THEN RAISE EXCEPTION 'poison'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`,
      );
      await t.db.$executeRawUnsafe(`CREATE TRIGGER refuse_poison BEFORE INSERT ON "WebhookInbox" FOR EACH ROW EXECUTE FUNCTION refuse_poison()`);
    } else {
      await t.db.$executeRawUnsafe(
        `CREATE TRIGGER refuse_poison BEFORE INSERT ON "WebhookInbox" WHEN NEW."webhookId" = 'poison' BEGIN SELECT RAISE(ABORT, 'poison'); END`,
      );
    }
    const burst = [order(1), order(2, SHOP, "poison"), order(3, OTHER)];
    const settled = await Promise.allSettled(burst.map((d) => recordWebhook(t.db, d, "orders/paid", NOW)));
    expect(settled.map((s) => s.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect((await t.db.webhookInbox.findMany({ select: { webhookId: true }, orderBy: { webhookId: "asc" } })).map((r) => r.webhookId)).toEqual(
      [burst[0].webhookId, burst[2].webhookId].sort(),
    );
    expect(await queuedDrainers()).toEqual([SHOP, OTHER]);
  });
});

/** parseWebhookJson as it was, with a reviver that sees every value: the fast version must answer exactly like it. */
function parseWithReviver(raw: string): unknown {
  let nulAt: string | null = null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw, function (this: unknown, key: string, value: unknown, context?: { source?: string }) {
      if (nulAt === null && ((typeof value === "string" && value.includes("\u0000")) || key.includes("\u0000")))
        nulAt = key.replaceAll("\u0000", "\\u0000") || "(body)";
      if (typeof value === "number" && !Number.isSafeInteger(value) && context?.source && /^-?\d+$/.test(context.source)) return context.source;
      return value;
    } as (this: unknown, key: string, value: unknown) => unknown);
  } catch (error) {
    return { code: "WEBHOOK.INVALID_JSON", message: `body is not JSON: ${(error as Error).message}` };
  }
  if (nulAt !== null) return { code: "WEBHOOK.INVALID_PAYLOAD", message: `field "${nulAt}" contains a NUL character (U+0000)` };
  return parsed;
}

function parseOrError(raw: string): unknown {
  try {
    return parseWebhookJson(raw);
  } catch (error) {
    return { code: (error as { code?: string }).code, message: (error as Error).message };
  }
}

describe("parseWebhookJson", () => {
  it.each([
    ["an id beyond 2^53", '{"id":820982911946154508}'],
    ["negative, in arrays, with spaces", "[ -9007199254740993 , 9007199254740992, [12345678901234567890] ]"],
    ["the largest safe integer and the next", "[9007199254740991, 9007199254740992, 9007199254740993]"],
    ["sixteen digits that are safe", '{"a":1234567890123456}'],
    ["long numbers that are not integers", "[12345678901234567.5, 12345678901234567e2, 1.12345678901234567890, 1e300]"],
    ["long digits inside strings", '{"s":"12345678901234567890", "t":"a\\"12345678901234567890"}'],
    ["a long integer as the whole body", "12345678901234567890"],
    ["a long integer as a key (not JSON)", "{12345678901234567890: 1}"],
    ["leading zeros (not JSON)", '{"a": 00012345678901234567}'],
    ["an unterminated string after a long integer", '{"a": 12345678901234567890, "b": "12345678901234567890'],
    ["a NUL in a value", '{"status":"failed","error_code":"a\\u0000b"}'],
    ["a NUL in a key", '{"x\\u0000":1}'],
    ["NULs in a nested value and a later one", '{"a":{"b":"\\u0000"},"c":"\\u0000"}'],
    ["a NUL as the whole body", '"\\u0000"'],
    ["an escaped backslash before u0000 (no NUL)", '{"a":"\\\\u0000"}'],
    ["no JSON at all", "{not json"],
  ])("answers %s exactly as the reviver did", (_case, raw) => {
    expect(parseOrError(raw)).toEqual(parseWithReviver(raw));
  });

  it("answers 1,200 fuzzed and Shopify's sample bodies exactly as the reviver did", () => {
    const bodies = [
      ...fuzzCorpus({ seed: 11, count: 1200, topics: WEBHOOK_TOPICS, shopFor: () => SHOP }).map((c) => c.body),
      ...["orders_paid", "orders_updated", "refunds_create", "customers_redact", "customers_data_request"].map(sampleText),
    ];
    const differing = bodies.filter((raw) => JSON.stringify(parseOrError(raw)) !== JSON.stringify(parseWithReviver(raw)));
    expect(differing).toEqual([]);
  });
});

describe("authenticateWebhook", () => {
  // Tierline's wrapper around the library's authenticate.webhook, request by request: the same answers, except two
  // deliberate ones.
  const SECRET = "inbox-auth-secret";
  const APP_URL = "https://tierline.inbox.test";
  let authDb: TestDb;
  let app: typeof import("~/shopify.server");
  beforeAll(async () => {
    authDb = await createTestDb();
    Object.assign(process.env, { DATABASE_URL: authDb.url, SHOPIFY_API_KEY: "inbox-auth-key", SHOPIFY_API_SECRET: SECRET, SHOPIFY_APP_URL: APP_URL });
    app = await import("~/shopify.server");
  });
  afterAll(async () => {
    await (await import("~/db/client.server")).default.$disconnect();
    await authDb.cleanup();
  });

  type Case = { secret?: string; body?: string; tamper?: (b: string) => string; drop?: string; hmac?: string; method?: string };
  function request(c: Case): Request {
    const s = signWebhook({
      topic: "orders/paid",
      shop: SHOP,
      payload: c.body ?? orderPayload({ id: 1001, customer }),
      appUrl: APP_URL,
      secret: c.secret ?? SECRET,
    });
    const headers = new Headers(s.headers);
    if (c.drop) headers.delete(c.drop);
    if (c.hmac !== undefined) headers.set("X-Shopify-Hmac-Sha256", c.hmac);
    const body = c.tamper ? c.tamper(s.body) : s.body;
    return new Request(s.url, { method: c.method ?? "POST", headers, body: c.method === "GET" ? undefined : body });
  }
  const status = async (run: () => Promise<unknown>) => {
    try {
      await run();
      return 200;
    } catch (thrown) {
      if (thrown instanceof Response) return thrown.status;
      return 500;
    }
  };

  it.each<{ name: string; c: Case; library: number; ours: number }>([
    { name: "signed with the app's secret", c: {}, library: 200, ours: 200 },
    { name: "signed with another secret", c: { secret: "an-attackers-guess" }, library: 401, ours: 401 },
    { name: "signed with an empty secret", c: { secret: "" }, library: 401, ours: 401 },
    { name: "body changed after signing", c: { tamper: (b) => b.replace('"paid"', '"refunded"') }, library: 401, ours: 401 },
    { name: "a byte appended after signing", c: { tamper: (b) => `${b} ` }, library: 401, ours: 401 },
    { name: "the HMAC in hex instead of base64", c: { hmac: "ab".repeat(32) }, library: 401, ours: 401 },
    { name: "the HMAC cut short", c: { hmac: "AAAA" }, library: 401, ours: 401 },
    { name: "an empty body", c: { tamper: () => "" }, library: 400, ours: 400 },
    { name: "without X-Shopify-Webhook-Id", c: { drop: "X-Shopify-Webhook-Id" }, library: 400, ours: 400 },
    { name: "without X-Shopify-Topic", c: { drop: "X-Shopify-Topic" }, library: 400, ours: 400 },
    { name: "without X-Shopify-Shop-Domain", c: { drop: "X-Shopify-Shop-Domain" }, library: 400, ours: 400 },
    { name: "without X-Shopify-API-Version", c: { drop: "X-Shopify-API-Version" }, library: 400, ours: 400 },
    { name: "a GET", c: { method: "GET" }, library: 405, ours: 405 },
    // Where Tierline answers differently on purpose: no HMAC header at all is unauthenticated, and a signed body that
    // is not JSON is the inbox's to refuse (400) rather than an exception in the library.
    { name: "without the HMAC header", c: { drop: "X-Shopify-Hmac-Sha256" }, library: 400, ours: 401 },
    { name: "signed, but not JSON", c: { body: "{definitely not json" }, library: 500, ours: 200 },
  ])("$name: the library says $library, Tierline $ours", async ({ c, library, ours }) => {
    expect(await status(() => app.default.authenticate.webhook(request(c)))).toBe(library);
    expect(await status(() => app.authenticateWebhook(request(c)))).toBe(ours);
  });

  it("warms the path up before the server listens: its own signed delivery passes the HMAC check, and nothing is stored", async () => {
    const rows = async () => ({
      inbox: await authDb.db.webhookInbox.count(),
      jobs: await authDb.db.job.count(),
      sessions: await authDb.db.session.count(),
    });
    const before = await rows();
    await expect(app.warmUpWebhooks()).resolves.toBeUndefined();
    expect(await rows()).toEqual(before);
  });

  it("hands the inbox the headers and the exact raw body", async () => {
    const r = request({});
    const raw = await r.clone().text();
    const delivery = await app.authenticateWebhook(r);
    expect(normalizeTopic(delivery.topic)).toBe("orders/paid"); // the library answers ORDERS_PAID
    expect(delivery).toEqual({
      shop: SHOP,
      topic: delivery.topic,
      webhookId: r.headers.get("X-Shopify-Webhook-Id"),
      eventId: r.headers.get("X-Shopify-Event-Id"),
      triggeredAt: r.headers.get("X-Shopify-Triggered-At"),
      apiVersion: "2026-10",
      rawBody: raw,
    });
  });
});
