import fs from "node:fs";
import path from "node:path";
import type { Db } from "~/db/client.server";
import { createTestDb, type TestDb } from "../db";
import { mintSessionToken } from "../../../tools/shopify-stand-in/session-token";
import { signWebhook } from "../../../tools/shopify-stand-in/signed-webhook";

/**
 * The app's route handlers, called in-process as Remix calls them, over a fresh test database: webhook routes with
 * requests signed like Shopify's, admin routes with App Bridge session tokens. The app reads its configuration when
 * first imported, so `startSecurityApp` sets the environment and only then imports the app (dynamically): call it
 * before anything imports `~/db/client.server` or `~/shopify.server`.
 */

export const API_KEY = "security-api-key";
export const API_SECRET = "security-api-secret";
export const APP_URL = "https://tierline.security.test";

const root = path.resolve(import.meta.dirname, "../../..");
export const ROUTES_DIR = path.join(root, "app/routes");

type Handler = (args: { request: Request; params: Record<string, string>; context: object }) => Promise<Response>;
export interface RouteModule {
  loader?: Handler;
  action?: Handler;
}

export interface SecurityApp {
  db: Db;
  testDb: TestDb;
  /** Route modules by file name without extension ("app.members.$id", "webhooks.orders.paid"). */
  routes: Map<string, RouteModule>;
  cleanup(): Promise<void>;
}

/** Every route module of app/routes, loaded through Vite (the `~` alias, `?url` imports). */
const routeLoaders = import.meta.glob<RouteModule>("../../../app/routes/*.tsx");

export async function startSecurityApp(): Promise<SecurityApp> {
  const testDb = await createTestDb();
  Object.assign(process.env, { DATABASE_URL: testDb.url, SHOPIFY_API_KEY: API_KEY, SHOPIFY_API_SECRET: API_SECRET, SHOPIFY_APP_URL: APP_URL });
  delete process.env.SHOPIFY_ADMIN_ORIGIN;
  const db = (await import("~/db/client.server")).default;
  const routes = new Map<string, RouteModule>();
  for (const [file, load] of Object.entries(routeLoaders)) routes.set(path.basename(file, ".tsx"), await load());
  return {
    db,
    testDb,
    routes,
    async cleanup() {
      await db.$disconnect();
      await testDb.cleanup();
    },
  };
}

/** Route files on disk (not the glob), so a route added later is seen by the tests that must cover it. */
export function routeFilesOnDisk(prefix: RegExp): string[] {
  return fs
    .readdirSync(ROUTES_DIR)
    .filter((f) => f.endsWith(".tsx") && prefix.test(f))
    .map((f) => f.replace(/\.tsx$/, ""))
    .sort();
}

/** Calls a handler; a thrown Response (401, 404, a redirect) is returned like a returned one. */
export async function callHandler(handler: Handler, request: Request, params: Record<string, string> = {}): Promise<Response> {
  try {
    return await handler({ request, params, context: {} });
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

// ── Webhooks ────────────────────────────────────────────────────────────────────────────────────────────────────

export interface WebhookRequestOptions {
  topic: string;
  shop: string;
  /** An object (serialised) or the exact raw body. */
  payload: unknown;
  secret?: string;
  webhookId?: string;
  triggeredAt?: string;
  /** The topic header, when it should differ from the route's. */
  headerTopic?: string;
  dropHeaders?: string[];
  tamper?: (body: string) => string;
  /** Raw bytes instead of the signed text (signed too unless `unsigned`). */
  bodyBytes?: Uint8Array;
  stream?: boolean;
}

export function webhookRequest(o: WebhookRequestOptions): { request: Request; webhookId: string; body: string } {
  const s = signWebhook({
    topic: o.headerTopic ?? o.topic,
    shop: o.shop,
    payload: o.payload,
    appUrl: APP_URL,
    secret: o.secret ?? API_SECRET,
    webhookId: o.webhookId,
    triggeredAt: o.triggeredAt,
  });
  const headers = new Headers(s.headers);
  for (const h of o.dropHeaders ?? []) headers.delete(h);
  const body = o.tamper ? o.tamper(s.body) : s.body;
  const url = `${APP_URL}/webhooks/${o.topic}`;
  if (o.stream) {
    // A chunked body with no Content-Length: the limit must hold while reading, not only on the declared length.
    const bytes = new TextEncoder().encode(body);
    const chunk = 64 * 1024;
    let offset = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (offset >= bytes.length) return controller.close();
        controller.enqueue(bytes.subarray(offset, (offset += chunk)));
      },
    });
    return { request: new Request(url, { method: "POST", headers, body: stream, duplex: "half" } as RequestInit), webhookId: s.webhookId, body };
  }
  return { request: new Request(url, { method: "POST", headers, body }), webhookId: s.webhookId, body };
}

/** The route handler for a topic ("orders/paid" → webhooks.orders.paid). */
export function webhookAction(app: SecurityApp, topic: string): Handler {
  const mod = app.routes.get(`webhooks.${topic.replace("/", ".")}`);
  if (!mod?.action) throw new Error(`no webhook route for ${topic}`);
  return mod.action;
}

// ── Admin ───────────────────────────────────────────────────────────────────────────────────────────────────────

/** An offline session like the one token exchange stores on install. */
export async function installSession(db: Db, shop: string): Promise<void> {
  await db.session.upsert({
    where: { id: `offline_${shop}` },
    create: {
      id: `offline_${shop}`,
      shop,
      state: "",
      isOnline: false,
      scope: "read_customers,write_customers,read_orders,write_discounts,read_products",
      accessToken: `shpat_${shop}`,
    },
    update: {},
  });
}

export function sessionToken(shop: string, over: { apiKey?: string; apiSecret?: string; now?: number; ttlSeconds?: number } = {}): string {
  return mintSessionToken({
    shop,
    apiKey: over.apiKey ?? API_KEY,
    apiSecret: over.apiSecret ?? API_SECRET,
    now: over.now,
    ttlSeconds: over.ttlSeconds,
  });
}

/** A token with `alg: none` and no signature: must never be accepted. */
export function unsignedToken(shop: string): string {
  const now = Math.floor(Date.now() / 1000);
  const encode = (v: object) => Buffer.from(JSON.stringify(v)).toString("base64url");
  return `${encode({ alg: "none", typ: "JWT" })}.${encode({ iss: `https://${shop}/admin`, dest: `https://${shop}`, aud: API_KEY, sub: "1", exp: now + 60, nbf: now - 1, iat: now, jti: "x", sid: "y" })}.`;
}

export function adminRequest(
  pathAndQuery: string,
  init: { token?: string | null; method?: "GET" | "POST"; form?: Record<string, unknown> | FormData } = {},
): Request {
  const headers = new Headers();
  if (init.token) headers.set("Authorization", `Bearer ${init.token}`);
  let body: FormData | undefined;
  if (init.form instanceof FormData) body = init.form;
  else if (init.form) {
    body = new FormData();
    for (const [k, v] of Object.entries(init.form)) body.append(k, typeof v === "string" ? v : JSON.stringify(v));
  }
  return new Request(`${APP_URL}${pathAndQuery}`, { method: init.method ?? (body ? "POST" : "GET"), headers, body });
}
