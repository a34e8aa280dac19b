/**
 * A stand-in shop whose members the app's sync has written (metafieldsSet through the Admin stand-in, as the sync
 * does), and the sandbox fetches the extensions get: the Customer Account API for one logged-in customer, and POS's
 * direct Admin API access. Requests go over Node's own HTTP client, since a DOM test environment replaces `fetch`.
 */
import http from "node:http";
import { startStandIn, type StandIn } from "../../../tools/shopify-stand-in";
import { customerAccountFetch } from "../../../tools/shopify-stand-in/customer-account";
import type { ShopState } from "../../../tools/shopify-stand-in/store";

const DOMAIN = "tierline-demo.myshopify.com";
const TOKEN = "shpat_extensions";
const APP_ID = 424242;

export interface JsonResponse {
  ok: boolean;
  status: number;
  json(): Promise<unknown>;
}

export function postJson(url: string, headers: Record<string, string>, body: string): Promise<JsonResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: "POST", headers: { "Content-Type": "application/json", ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        const status = res.statusCode ?? 0;
        resolve({ ok: status >= 200 && status < 300, status, json: async () => JSON.parse(text) });
      });
    });
    req.on("error", reject);
    req.end(body);
  });
}

export type MemberFields = Partial<Record<"level" | "progress" | "benefits" | "history" | "rewards", string>>;

export interface MemberShop {
  standIn: StandIn;
  shop(): ShopState;
  /** A customer with these `$app:tierline` metafields, written through the Admin API; returns the GID. */
  addMember(fields: MemberFields): Promise<string>;
  /** The shop's `$app:tierline.program` (written through the Admin API, as a publish does), or none. */
  setProgram(value: string | null): Promise<void>;
  /** The customer account sandbox's fetch, logged in as `customerId`. */
  customerAccountFetch(customerId: string): (url: string, init?: { body?: unknown }) => Promise<JsonResponse>;
  /** POS's sandbox fetch: `shopify:admin/api/graphql.json` with the app's session. */
  posFetch(): (url: string, init: { body: string }) => Promise<JsonResponse>;
  close(): Promise<void>;
}

export async function startMemberShop(): Promise<MemberShop> {
  const standIn = await startStandIn({ shops: [{ domain: DOMAIN, accessToken: TOKEN, currencyCode: "USD" }], appId: APP_ID });
  const admin = async (query: string, variables: Record<string, unknown>) => {
    const res = await postJson(
      `${standIn.url}/admin/api/2026-10/graphql.json`,
      { "X-Shopify-Access-Token": TOKEN, "X-Shopify-Shop-Domain": DOMAIN },
      JSON.stringify({ query, variables }),
    );
    const body = (await res.json()) as { data?: Record<string, { userErrors?: unknown[] }>; errors?: unknown };
    if (body.errors) throw new Error(`Admin stand-in: ${JSON.stringify(body.errors)}`);
    return body.data!;
  };
  return {
    standIn,
    shop: () => standIn.shop(DOMAIN),
    async addMember(fields) {
      const [id] = standIn.seed(
        { customers: [{ firstName: "Ada", lastName: "Member", email: `ada+${Date.now()}${Math.random()}@example.com` }] },
        DOMAIN,
      ).customers;
      const metafields = Object.entries(fields).map(([key, value]) => ({ ownerId: id, namespace: "$app:tierline", key, type: "json", value }));
      if (metafields.length > 0) {
        const data = await admin(`mutation Set($m: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $m) { userErrors { field message } } }`, {
          m: metafields,
        });
        if (data.metafieldsSet.userErrors?.length) throw new Error(JSON.stringify(data.metafieldsSet.userErrors));
      }
      return id;
    },
    async setProgram(value) {
      // As a publish does: metafieldsSet (or metafieldsDelete) on the shop owner.
      const shop = standIn.shop(DOMAIN);
      const ownerId = `gid://shopify/Shop/${shop.numericId}`;
      const owner = { ownerId, namespace: "$app:tierline", key: "program" };
      if (value === null)
        await admin(`mutation Delete($m: [MetafieldIdentifierInput!]!) { metafieldsDelete(metafields: $m) { userErrors { field message } } }`, {
          m: [owner],
        });
      else {
        const data = await admin(`mutation Set($m: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $m) { userErrors { field message } } }`, {
          m: [{ ...owner, type: "json", value }],
        });
        if (data.metafieldsSet.userErrors?.length) throw new Error(JSON.stringify(data.metafieldsSet.userErrors));
      }
    },
    customerAccountFetch(customerId) {
      const run = customerAccountFetch({ shop: () => standIn.shop(DOMAIN), customerId, appId: APP_ID });
      return async (url, init) => {
        const res = await run(url, { method: "POST", body: init?.body });
        const text = await res.text();
        return { ok: res.ok, status: res.status, json: async () => JSON.parse(text) };
      };
    },
    posFetch() {
      return async (url, init) => {
        if (url !== "shopify:admin/api/graphql.json") throw new TypeError(`network access is off for this extension: ${url}`);
        return postJson(
          `${standIn.url}/admin/api/2026-10/graphql.json`,
          { "X-Shopify-Access-Token": TOKEN, "X-Shopify-Shop-Domain": DOMAIN },
          init.body,
        );
      };
    },
    close: () => standIn.close(),
  };
}
