import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WEBHOOK_TOPICS } from "~/services/webhook-payloads.server";
import { startSecurityApp, API_SECRET, APP_URL, webhookRequest, type SecurityApp, type WebhookRequestOptions } from "../support/security/app-harness";
import { topicPayload } from "../support/security/webhook-corpus";

/**
 * The webhook routes check signatures with node:crypto (checkWebhookSignature, through authenticateWebhook in
 * app/shopify.server.ts) instead of the library's `authenticate.webhook`. Both are run here on the same requests:
 * every accepted delivery must be accepted by both with the same shop, topic, webhook id, API version, trigger time
 * and event id, and every refused one refused with the same status. The two deliberate differences of
 * authenticateWebhook (no HMAC header at all: 401 where the library says 400; a signed body that is not JSON reaches the
 * inbox where the library throws) are asserted as such.
 */

const SHOP = "differential.myshopify.com";
let app: SecurityApp;
let ours: (request: Request) => Promise<unknown>;
let library: (request: Request) => Promise<Record<string, unknown>>;

beforeAll(async () => {
  app = await startSecurityApp();
  const mod = await import("~/shopify.server");
  ours = mod.authenticateWebhook;
  // The library's verdict with the fields the routes take from it, as authenticateWebhook took them when it called the
  // library (event id and trigger time from the classic headers when the library gives none).
  library = async (request) => {
    const webhook = (await mod.default.authenticate.webhook(request)) as unknown as Record<string, unknown>;
    return {
      ...webhook,
      eventId: webhook.eventId ?? request.headers.get("X-Shopify-Event-Id"),
      triggeredAt: webhook.triggeredAt ?? request.headers.get("X-Shopify-Triggered-At"),
    };
  };
});
afterAll(async () => app?.cleanup());

type Verdict =
  | { status: number }
  | { status: 200; shop: unknown; topic: unknown; webhookId: unknown; apiVersion: unknown; triggeredAt: unknown; eventId: unknown };

async function verdict(run: () => Promise<unknown>): Promise<Verdict | { throws: string }> {
  try {
    const r = (await run()) as Record<string, unknown>;
    return {
      status: 200,
      shop: r.shop,
      topic: r.topic,
      webhookId: r.webhookId,
      apiVersion: r.apiVersion,
      triggeredAt: r.triggeredAt ?? null,
      eventId: r.eventId ?? null,
    };
  } catch (thrown) {
    if (thrown instanceof Response) return { status: thrown.status };
    return { throws: (thrown as Error).name };
  }
}

const sign = (body: string, secret = API_SECRET) => createHmac("sha256", secret).update(body, "utf8").digest("base64");

/** A request rebuilt with other headers, method or body (each clone keeps the original's). */
function variant(base: Request, over: { method?: string; headers?: (h: Headers) => void; body?: string | null }): Request {
  const headers = new Headers(base.headers);
  over.headers?.(headers);
  const method = over.method ?? "POST";
  const body = method === "GET" || method === "HEAD" ? undefined : (over.body ?? undefined);
  return new Request(base.url, { method, headers, body });
}

const corpus = (topic: string, over: Partial<WebhookRequestOptions> = {}) =>
  webhookRequest({ topic, shop: SHOP, payload: topicPayload(topic, SHOP), ...over });

/** A signed orders/paid delivery that also carries event-delivery headers (Shopify-*), its own signature with `secret`. */
function eventDelivery(extra: Record<string, string>, secret = API_SECRET): Request {
  const { request, body } = corpus("orders/paid");
  return variant(request, {
    headers: (h) => {
      h.set("Shopify-Hmac-Sha256", sign(body, secret));
      h.set("Shopify-Topic", "orders/paid");
      h.set("Shopify-Shop-Domain", SHOP);
      h.set("Shopify-API-Version", "2026-10");
      for (const [name, value] of Object.entries(extra)) h.set(name, value);
    },
    body,
  });
}

describe("authenticateWebhook agrees with the library's authenticate.webhook", () => {
  const bodyOf = (topic: string) => corpus(topic).body;
  const cases: { name: string; request: () => Request }[] = [
    ...WEBHOOK_TOPICS.flatMap((topic) => [
      { name: `${topic} signed`, request: () => corpus(topic).request },
      { name: `${topic} forged`, request: () => corpus(topic, { secret: "an-attackers-guess" }).request },
      { name: `${topic} body changed after signing`, request: () => corpus(topic, { tamper: (b) => b.replace(/.$/, " }") }).request },
      { name: `${topic} signed with an empty secret`, request: () => corpus(topic, { secret: "" }).request },
    ]),
    ...[
      "X-Shopify-Topic",
      "X-Shopify-Shop-Domain",
      "X-Shopify-API-Version",
      "X-Shopify-Webhook-Id",
      "X-Shopify-Triggered-At",
      "X-Shopify-Event-Id",
    ].map((header) => ({ name: `without ${header}`, request: () => corpus("orders/paid", { dropHeaders: [header] }).request })),
    ...["X-Shopify-Topic", "X-Shopify-Shop-Domain", "X-Shopify-Webhook-Id"].map((header) => ({
      name: `${header} empty`,
      request: () => variant(corpus("orders/paid").request, { headers: (h) => h.set(header, ""), body: bodyOf("orders/paid") }),
    })),
    {
      name: "the signature header given twice",
      request: () =>
        variant(corpus("orders/paid").request, { headers: (h) => h.append("X-Shopify-Hmac-Sha256", "AAAA"), body: bodyOf("orders/paid") }),
    },
    {
      name: "the signature with a trailing space",
      request: () => {
        const r = corpus("orders/paid");
        return variant(r.request, { headers: (h) => h.set("X-Shopify-Hmac-Sha256", `${sign(r.body)} `), body: r.body });
      },
    },
    {
      name: "the signature in hex",
      request: () => {
        const r = corpus("orders/paid");
        const hex = createHmac("sha256", API_SECRET).update(r.body).digest("hex");
        return variant(r.request, { headers: (h) => h.set("X-Shopify-Hmac-Sha256", hex), body: r.body });
      },
    },
    {
      name: "a topic in Shopify's GraphQL form",
      request: () => variant(corpus("orders/paid").request, { headers: (h) => h.set("X-Shopify-Topic", "ORDERS_PAID"), body: bodyOf("orders/paid") }),
    },
    {
      name: "a multi-byte body",
      request: () => {
        const body = JSON.stringify({ id: 1, note: "Zoë's order ✓ — 東京" });
        return variant(corpus("orders/paid").request, { headers: (h) => h.set("X-Shopify-Hmac-Sha256", sign(body)), body });
      },
    },
    {
      name: "an empty body, signed",
      request: () => variant(corpus("orders/paid").request, { headers: (h) => h.set("X-Shopify-Hmac-Sha256", sign("")), body: "" }),
    },
    {
      name: "an event delivery (Shopify-* headers) beside a classic signature header",
      request: () => eventDelivery({ "Shopify-Webhook-Id": "event-delivery-1", "Shopify-Triggered-At": "2026-12-01T00:00:00Z" }),
    },
    {
      name: "an event delivery whose own signature is forged",
      request: () => eventDelivery({ "Shopify-Webhook-Id": "event-delivery-2" }, "wrong"),
    },
    { name: "an event delivery without its webhook id", request: () => eventDelivery({}) },
    ...["GET", "PUT", "DELETE"].map((method) => ({
      name: `a ${method}`,
      request: () => variant(corpus("orders/paid").request, { method, body: bodyOf("orders/paid") }),
    })),
  ];

  it.each(cases)("$name", async ({ request }) => {
    const delivery = request(); // one delivery (its ids are random), a copy to each
    const expected = await verdict(() => library(delivery.clone()));
    const actual = await verdict(() => ours(delivery.clone()));
    expect(actual).toEqual(expected);
  });

  it("differs from the library only where it means to: no HMAC header, and a signed body that is not JSON", async () => {
    const noHeader = () => corpus("orders/paid", { dropHeaders: ["X-Shopify-Hmac-Sha256"] }).request;
    expect(await verdict(() => library(noHeader()))).toEqual({ status: 400 });
    expect(await verdict(() => ours(noHeader()))).toEqual({ status: 401 });
    const notJson = () =>
      variant(corpus("orders/paid").request, { headers: (h) => h.set("X-Shopify-Hmac-Sha256", sign("not json")), body: "not json" });
    expect(await verdict(() => library(notJson()))).toEqual({ throws: "SyntaxError" });
    expect(await verdict(() => ours(notJson()))).toMatchObject({ status: 200, shop: SHOP, topic: "ORDERS_PAID" });
    expect(APP_URL).toMatch(/^https:/);
  });
});
