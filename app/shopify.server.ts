import "@shopify/shopify-app-remix/adapters/node";
import { ApiVersion, AppDistribution, shopifyApp } from "@shopify/shopify-app-remix/server";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import { abstractFetch } from "@shopify/shopify-api/runtime";
import { createHmac } from "node:crypto";
import db from "./db/client.server";
import { onShopInstalled } from "./services/install.server";
import { CachedSessionStorage } from "./shopify/session-cache.server";
import { prepareInbox, type WebhookDelivery } from "./services/webhook-inbox.server";
import { configureAdminTransport } from "./shopify-transport.server";
import type { AdminGraphqlClient } from "./shopify/admin-graphql.server";
import { SCOPES } from "./shopify/access-scopes.server";
import { checkWebhookSignature } from "./shopify/webhook-signature.server";
import { offlineAdminClient, OfflineTokens } from "./shopify/offline-token.server";

// After the adapter import above installed the library's fetch: SHOPIFY_ADMIN_ORIGIN (a local store stand-in)
// replaces the origin of Admin API requests. Unset in production, where this does nothing.
configureAdminTransport(process.env.SHOPIFY_ADMIN_ORIGIN);

export { SCOPES };

// Loaded sessions are kept for 2 s: the worker's Admin client reads the shop's session before every call.
const storage = new CachedSessionStorage(new PrismaSessionStorage(db));

/** The app's secret: the library's, and the one webhook signatures are checked with (authenticateWebhook). */
const apiSecretKey = process.env.SHOPIFY_API_SECRET || "";

const shopify = shopifyApp({
  apiKey: process.env.SHOPIFY_API_KEY,
  apiSecretKey,
  apiVersion: ApiVersion.October26,
  scopes: process.env.SCOPES?.split(",").filter(Boolean) ?? SCOPES,
  appUrl: process.env.SHOPIFY_APP_URL || "",
  authPathPrefix: "/auth",
  sessionStorage: storage,
  distribution: AppDistribution.AppStore,
  isEmbeddedApp: true,
  future: {
    // Shopify-managed installation with token exchange: the embedded admin authenticates with App Bridge's
    // session token and never bounces through an OAuth redirect.
    unstable_newEmbeddedAuthStrategy: true,
    // Expiring offline access tokens (60 minutes, with a 90-day refresh token replaced on each refresh): required of
    // public apps created from 2026-04-01, and from 2027-01-01 Admin API calls with non-expiring tokens fail. Token
    // exchange then asks for expiring tokens, and the library refreshes one that a request finds about to expire;
    // the worker refreshes its own (offlineAdmin below).
    expiringOfflineAccessTokens: true,
  },
  hooks: {
    afterAuth: async ({ session, admin }) => {
      const result = await onShopInstalled(db, admin, session.shop, { now: new Date() });
      if (result.errors.length) console.warn(`[tierline] install of ${session.shop} finished with: ${result.errors.join("; ")}`);
    },
  },
  ...(process.env.SHOP_CUSTOM_DOMAIN ? { customShopDomains: [process.env.SHOP_CUSTOM_DOMAIN] } : {}),
});

export default shopify;
export const apiVersion = ApiVersion.October26;
export const addDocumentResponseHeaders = shopify.addDocumentResponseHeaders;
/**
 * `authenticate` with one guard in front of `admin`: the library accepts any base64-looking `host` and then parses
 * its decoding with `new URL` unguarded, so `host=AAAA` (three NUL bytes) answered 500. Such a request is refused
 * with 400 here; every other request goes to the library unchanged.
 */
export const authenticate: typeof shopify.authenticate = {
  ...shopify.authenticate,
  admin: (request: Request) => {
    rejectUndecodableHost(request);
    return shopify.authenticate.admin(request);
  },
} as typeof shopify.authenticate;

function rejectUndecodableHost(request: Request): void {
  // With a bearer session token the library never reads `host`; it decodes it only on the id_token / bounce path.
  if (request.headers.get("Authorization")) return;
  const host = new URL(request.url).searchParams.get("host");
  if (host === null || !/^[0-9a-zA-Z+/]+={0,2}$/.test(host)) return; // the library itself treats these as no host
  try {
    new URL(`https://${atob(host)}`);
  } catch {
    throw new Response("The host parameter is not a base64-encoded Shopify host", { status: 400 });
  }
}
export const unauthenticated = shopify.unauthenticated;

const offlineTokens = new OfflineTokens({
  storage,
  clientId: process.env.SHOPIFY_API_KEY || "",
  clientSecret: process.env.SHOPIFY_API_SECRET || "",
  // The library's fetch: SHOPIFY_ADMIN_ORIGIN reroutes the token request like every Admin API request.
  fetch: (url, init) => abstractFetch(url, init),
});

/**
 * The Admin API of a shop for background work (the worker's jobs): its offline token is refreshed and stored
 * before it expires and after Shopify refuses it, so a job that outlives a token goes on. Fails with an
 * OfflineTokenError when the shop has no session or Shopify refuses the refresh.
 */
export async function offlineAdmin(shop: string): Promise<AdminGraphqlClient> {
  await offlineTokens.current(shop);
  return offlineAdminClient(offlineTokens, shop, async () => (await shopify.unauthenticated.admin(shop)).admin);
}
export const login = shopify.login;
export const sessionStorage = shopify.sessionStorage;

/**
 * `authenticate.webhook` for Tierline's webhook routes, with the library's verdicts (checkWebhookSignature,
 * app/shopify/webhook-signature.server.ts: the same checks with node:crypto, held to the library's by a differential
 * test): a wrong signature is 401, a delivery without a body or without one of Shopify's required headers 400, a method
 * other than POST 405. The result keeps the raw body so the inbox can store it and read 64-bit ids exactly. Two gaps of
 * the library's are closed: a request without any HMAC header is 401 (the library says 400), and a correctly signed body
 * that is not JSON reaches the inbox's validation (400) instead of failing inside the library (500).
 */
export async function authenticateWebhook(request: Request): Promise<WebhookDelivery> {
  if (!request.headers.get("X-Shopify-Hmac-Sha256")) throw new Response(undefined, { status: 401, statusText: "Unauthorized" });
  if (request.method !== "POST") throw new Response(undefined, { status: 405, statusText: "Method not allowed" });
  const rawBody = await request.text();
  const check = checkWebhookSignature(request.headers, rawBody, apiSecretKey);
  if (!check.valid) {
    throw new Response(undefined, check.status === 401 ? { status: 401, statusText: "Unauthorized" } : { status: 400, statusText: "Bad Request" });
  }
  const header = (name: string) => request.headers.get(name);
  return {
    shop: check.shop,
    topic: check.topic,
    webhookId: check.webhookId,
    eventId: check.eventId ?? header("X-Shopify-Event-Id"),
    triggeredAt: check.triggeredAt ?? header("X-Shopify-Triggered-At"),
    apiVersion: check.apiVersion,
    rawBody,
  };
}

/**
 * Run once before the server listens (server.js): the webhook path's first use costs tens of milliseconds (the
 * inbox's, see prepareInbox; the session storage; the library's HMAC and header code), and at hundreds of deliveries
 * a second the first ones after a deploy would queue behind it. A delivery signed here for a shop that has no session goes
 * through `authenticate.webhook`; nothing is stored.
 */
export async function warmUpWebhooks(): Promise<void> {
  await prepareInbox(db);
  const body = JSON.stringify({ warm_up: true });
  const hmac = createHmac("sha256", process.env.SHOPIFY_API_SECRET || "")
    .update(body)
    .digest("base64");
  const request = new Request(new URL("/webhooks/warm-up", process.env.SHOPIFY_APP_URL || "http://localhost").href, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      "X-Shopify-Topic": "app/scopes_update",
      "X-Shopify-Hmac-Sha256": hmac,
      "X-Shopify-Shop-Domain": "tierline-warm-up.myshopify.com",
      "X-Shopify-Webhook-Id": "tierline-warm-up",
      "X-Shopify-API-Version": apiVersion,
    },
    body,
  });
  await authenticateWebhook(request);
}
