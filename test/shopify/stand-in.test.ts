import "@shopify/shopify-api/adapters/node";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { ApiVersion, LogSeverity, shopifyApi } from "@shopify/shopify-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signWebhook, webhookHmac, webhookPath } from "../../tools/shopify-stand-in/signed-webhook";
import { virtualClock } from "../../tools/shopify-stand-in/builders";
import { startStandIn, type StandIn } from "../../tools/shopify-stand-in/index";

const SHOP = "stand-in.myshopify.com";
const TOKEN = "shpat_stand_in";
const SECRET = "app-secret";
const clock = virtualClock();
let standIn: StandIn;

beforeAll(async () => {
  standIn = await startStandIn({
    now: clock.now,
    apiSecret: SECRET,
    shops: [
      { domain: SHOP, accessToken: TOKEN },
      { domain: "tiny.myshopify.com", accessToken: TOKEN, throttle: { maximumAvailable: 40, restoreRate: 10 } },
    ],
  });
  standIn.seed({ customers: [{ firstName: "Ada", email: "ada@example.com", tags: ["vip"] }] });
});
afterAll(async () => {
  await standIn.close();
});

async function post(body: unknown, headers: Record<string, string> = {}, version = "2026-10") {
  const res = await fetch(`${standIn.url}/admin/api/${version}/graphql.json`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Shopify-Shop-Domain": SHOP, "X-Shopify-Access-Token": TOKEN, ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as any };
}

describe("stand-in: invalid documents fail like Shopify (HTTP 200, errors array, no data)", () => {
  it.each([
    { name: "unknown field", query: "query Q { shop { nope } }", message: "Field 'nope' doesn't exist on type 'Shop'", code: "undefinedField" },
    {
      name: "missing required argument",
      query: "query Q { customer { id } }",
      message: "Field 'customer' is missing required arguments: id",
      code: "missingRequiredArguments",
    },
    {
      name: "unknown argument",
      query: 'query Q { shop(id: "1") { name } }',
      message: "Field 'shop' doesn't accept argument 'id'",
      code: "argumentNotAccepted",
    },
    { name: "syntax error", query: "query Q { shop { name }", message: /^syntax error, /, code: undefined },
    {
      name: "connection without first or last",
      query: "query Q { customers { nodes { id } } }",
      message: "you must provide one of first or last",
      code: "FIRST_OR_LAST_REQUIRED",
    },
  ])("$name", async ({ query, message, code }) => {
    const { status, json } = await post({ query });
    expect(status).toBe(200);
    expect(json.data).toBeUndefined();
    expect(Array.isArray(json.errors)).toBe(true);
    expect(json.errors[0].message).toMatch(message);
    expect(json.errors[0].extensions?.code).toBe(code);
  });

  it("a valid query answers data with Shopify's cost extension", async () => {
    const { status, json } = await post({ query: "query Q { shop { currencyCode myshopifyDomain } }" });
    expect(status).toBe(200);
    expect(json.data.shop).toEqual({ currencyCode: "USD", myshopifyDomain: SHOP });
    expect(json.extensions.cost).toMatchObject({
      requestedQueryCost: 1,
      actualQueryCost: 1,
      throttleStatus: { maximumAvailable: 2000, restoreRate: 100 },
    });
  });

  it("refuses a query over the single-query cost limit", async () => {
    const { json } = await post({ query: "query Q { customers(first: 250) { nodes { id orders(first: 10) { nodes { id } } } } }" });
    expect(json.errors[0].extensions).toMatchObject({ code: "MAX_COST_EXCEEDED", maxCost: 1000 });
  });
});

describe("stand-in: access", () => {
  it.each<{ name: string; headers: Record<string, string>; version: string; status: number }>([
    { name: "missing access token", headers: { "X-Shopify-Access-Token": "" }, version: "2026-10", status: 401 },
    { name: "wrong access token", headers: { "X-Shopify-Access-Token": "shpat_other" }, version: "2026-10", status: 401 },
    { name: "another API version", headers: {}, version: "2025-01", status: 404 },
  ])("$name → HTTP $status", async ({ headers, version, status }) => {
    const res = await post({ query: "query Q { shop { name } }" }, headers, version);
    expect(res.status).toBe(status);
    if (status === 401) expect(res.json).toEqual({ errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" });
  });

  it("takes the shop from the Host header when no X-Shopify-Shop-Domain is sent", async () => {
    const body = JSON.stringify({ query: "query Q { shop { myshopifyDomain } }" });
    const answer = await new Promise<any>((resolve, reject) => {
      const req = http.request(
        `${standIn.url}/admin/api/2026-10/graphql.json`,
        { method: "POST", headers: { Host: "by-host.myshopify.com", "Content-Type": "application/json", "X-Shopify-Access-Token": TOKEN } },
        (res) => {
          let text = "";
          res.on("data", (c: Buffer) => (text += c.toString("utf8")));
          res.on("end", () => resolve(JSON.parse(text)));
        },
      );
      req.on("error", reject);
      req.end(body);
    });
    expect(answer.data.shop.myshopifyDomain).toBe("by-host.myshopify.com");
  });

  it("serves any shop domain (an empty store) and keeps shops apart", async () => {
    const res = await post(
      { query: 'query Q { customers(first: 5, query: "tag:vip") { nodes { id } } }' },
      { "X-Shopify-Shop-Domain": "elsewhere.myshopify.com" },
    );
    expect(res.json.data.customers.nodes).toEqual([]);
    const home = await post({ query: 'query Q { customers(first: 5, query: "tag:vip") { nodes { displayName } } }' });
    expect(home.json.data.customers.nodes).toEqual([{ displayName: "Ada" }]);
  });
});

describe("stand-in: leaky bucket", () => {
  it("answers THROTTLED once the bucket cannot pay, and refills at the restore rate", async () => {
    const query = "query Q { customers(first: 10) { nodes { id } } }"; // 2 + 10 × 1 = 12 points
    const tiny = { "X-Shopify-Shop-Domain": "tiny.myshopify.com" };
    const costs: number[] = [];
    for (let i = 0; i < 3; i++) costs.push((await post({ query }, tiny)).json.extensions.cost.throttleStatus.currentlyAvailable);
    expect(costs).toEqual([28, 16, 4]);
    const refused = await post({ query }, tiny);
    expect(refused.json.errors[0].extensions.code).toBe("THROTTLED");
    expect(refused.json.extensions.cost).toMatchObject({
      requestedQueryCost: 12,
      actualQueryCost: null,
      throttleStatus: { currentlyAvailable: 4, restoreRate: 10 },
    });
    clock.advance(800); // +8 points → 12
    expect((await post({ query }, tiny)).json.extensions.cost.throttleStatus.currentlyAvailable).toBe(0);
  });
});

describe("stand-in: bulk operation rules", () => {
  it.each([
    {
      name: "two mutation fields in one bulk mutation",
      mutation:
        "mutation M($id: ID!, $tags: [String!]!) { tagsAdd(id: $id, tags: $tags) { node { id } } tagsRemove(id: $id, tags: $tags) { node { id } } }",
      code: "INVALID_MUTATION",
    },
    { name: "an invalid mutation", mutation: "mutation M { nope }", code: "INVALID_MUTATION" },
    {
      name: "a staged path that was never uploaded",
      mutation: "mutation M($id: ID!, $tags: [String!]!) { tagsAdd(id: $id, tags: $tags) { node { id } } }",
      code: "NO_SUCH_FILE",
    },
  ])("bulkOperationRunMutation refuses $name", async ({ mutation, code }) => {
    const { json } = await post({
      query:
        "mutation R($m: String!, $p: String!) { bulkOperationRunMutation(mutation: $m, stagedUploadPath: $p) { bulkOperation { id } userErrors { code message } } }",
      variables: { m: mutation, p: "tmp/0/bulk/none/bulk_op_vars" },
    });
    expect(json.data.bulkOperationRunMutation.bulkOperation).toBeNull();
    expect(json.data.bulkOperationRunMutation.userErrors[0].code).toBe(code);
  });

  it.each([
    {
      name: "a connection inside a list",
      query: "query B { orders { edges { node { id refunds { refundLineItems { edges { node { quantity } } } } } } } }",
      error: /within a list/,
    },
    {
      name: "three levels of connections",
      query: "query B { customers { edges { node { orders { edges { node { lineItems { edges { node { id } } } } } } } } } }",
      error: /nesting depth/,
    },
    { name: "no connection", query: "query B { shop { name } }", error: /at least one connection/ },
    { name: "a top-level nodes field", query: 'query B { nodes(ids: ["gid://shopify/Customer/1"]) { id } }', error: /top level/ },
  ])("bulkOperationRunQuery refuses $name", async ({ query, error }) => {
    const { json } = await post({
      query: "mutation R($q: String!) { bulkOperationRunQuery(query: $q, groupObjects: false) { bulkOperation { id } userErrors { code message } } }",
      variables: { q: query },
    });
    expect(json.data.bulkOperationRunQuery.userErrors[0]).toMatchObject({ code: "INVALID", message: expect.stringMatching(error) });
  });
});

describe("signed webhooks", () => {
  const received: { url: string; headers: http.IncomingHttpHeaders; body: string; valid: unknown }[] = [];
  let appUrl = "";
  let app: http.Server;
  const api = shopifyApi({
    apiKey: "k",
    apiSecretKey: SECRET,
    scopes: [],
    hostName: "tierline.example",
    apiVersion: ApiVersion.October26,
    isEmbeddedApp: true,
    logger: { level: LogSeverity.Error },
  });

  beforeAll(async () => {
    app = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", async () => {
        const body = Buffer.concat(chunks).toString("utf8");
        const valid = await api.webhooks.validate({ rawBody: body, rawRequest: req, rawResponse: res });
        received.push({ url: req.url ?? "", headers: req.headers, body, valid });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve));
    appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => app.close(() => resolve())));

  it.each([
    ["orders/paid", "/webhooks/orders/paid"],
    ["app/uninstalled", "/webhooks/app/uninstalled"],
    ["customers/data_request", "/webhooks/customers/data_request"],
    ["customers/redact", "/webhooks/customers/redact"],
    ["shop/redact", "/webhooks/shop/redact"],
    ["bulk_operations/finish", "/webhooks/bulk_operations/finish"],
  ])("%s goes to %s", (topic, route) => {
    expect(webhookPath(topic)).toBe(route);
  });

  it("delivers with Shopify's headers and an HMAC that @shopify/shopify-api accepts", async () => {
    const payload = { admin_graphql_api_id: "gid://shopify/Order/1", total_price: "120.00" };
    const result = await standIn.sendWebhook({ topic: "orders/paid", shop: SHOP, payload, appUrl, webhookId: "wh-1" });
    expect(result).toMatchObject({ status: 200, webhookId: "wh-1" });
    const delivery = received.at(-1)!;
    expect(delivery.url).toBe("/webhooks/orders/paid");
    expect(delivery.headers).toMatchObject({
      "x-shopify-topic": "orders/paid",
      "x-shopify-shop-domain": SHOP,
      "x-shopify-webhook-id": "wh-1",
      "x-shopify-api-version": "2026-10",
      "x-shopify-hmac-sha256": webhookHmac(JSON.stringify(payload), SECRET),
    });
    expect(delivery.headers["x-shopify-event-id"]).toBeTruthy();
    expect(Date.parse(String(delivery.headers["x-shopify-triggered-at"]))).not.toBeNaN();
    expect(delivery.valid).toMatchObject({ valid: true, topic: "ORDERS_PAID", domain: SHOP, webhookId: "wh-1" });
  });

  it("a body signed with another secret is rejected by the same validation", async () => {
    const request = signWebhook({ topic: "orders/paid", shop: SHOP, payload: { a: 1 }, appUrl, secret: "not-the-secret" });
    await fetch(request.url, { method: "POST", headers: request.headers, body: request.body });
    expect(received.at(-1)!.valid).toMatchObject({ valid: false });
  });
});

describe("stand-in: persistence for the demo", () => {
  it("reloads customers, tags and metafields from its JSON file", async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "stand-in-")), "store.json");
    const first = await startStandIn({ persistPath: file, shops: [{ domain: "persist.myshopify.com", accessToken: TOKEN }] });
    const [gid] = first.seed({ customers: [{ firstName: "Kept", tags: ["a"] }] }).customers;
    await fetch(`${first.url}/admin/api/2026-10/graphql.json`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Shopify-Shop-Domain": "persist.myshopify.com", "X-Shopify-Access-Token": TOKEN },
      body: JSON.stringify({
        query: 'mutation T($id: ID!) { tagsAdd(id: $id, tags: ["tier:gold"]) { userErrors { message } } }',
        variables: { id: gid },
      }),
    });
    await first.close();

    const second = await startStandIn({ persistPath: file, shops: [{ domain: "persist.myshopify.com" }] });
    expect(second.state.customers[gid].tags).toEqual(["a", "tier:gold"]);
    expect(second.state.accessToken).toBe(TOKEN);
    await second.close();
  });
});
