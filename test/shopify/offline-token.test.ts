import { Session } from "@shopify/shopify-api";
import { describe, expect, it } from "vitest";
import { BACKFILL_JOB, backfillKey } from "~/queue/job-kinds";
import { enqueueJob } from "~/queue/queue.server";
import { adminOriginFetch } from "~/shopify-transport.server";
import { OfflineTokens, REFRESH_BEFORE_EXPIRY_MS } from "~/shopify/offline-token.server";
import { drain } from "../../scripts/worker";
import { ACCESS_TOKEN_TTL_S, REFRESH_TOKEN_TTL_S } from "../../tools/shopify-stand-in/oauth";
import type { IssuedTokens } from "../../tools/shopify-stand-in/index";
import { appWithStandIn } from "./support/app-with-stand-in";

/**
 * Expiring offline access tokens in the worker, against the local stand-in reached through SHOPIFY_ADMIN_ORIGIN: the
 * stand-in issues 60-minute tokens with 90-day refresh tokens and answers Shopify's refresh request; the app's own
 * worker (scripts/worker.ts → offlineAdmin) runs a job that needs the Admin API.
 */

const HOUR = 3_600_000;
const app = appWithStandIn("offline-token");

/** Installs the app with expiring tokens (the stored expiry `expiresInMs` from now) and seeds a customer to import. */
async function install(shop: string, opts: { expiresInMs?: number } = {}): Promise<IssuedTokens> {
  const issued = await app.install(shop, { scopes: ["read_customers", "write_customers", "read_orders", "read_all_orders"], ...opts });
  await app.db.shop.create({ data: { domain: shop, currency: "USD" } });
  app.standIn.seed({ customers: [{ firstName: "Ada" }] }, shop);
  return issued;
}

/** Queues the install's history import for `shop` and runs the worker until nothing is due. */
async function runBackfill(shop: string) {
  await enqueueJob(app.db, { type: BACKFILL_JOB, shop, key: backfillKey(shop), maxAttempts: 3, backoffMs: 0 });
  const policy = { sleep: async () => {}, pollIntervalMs: 1 };
  return drain(app.db, { syncOptions: policy, leaseMs: HOUR });
}

const stored = (shop: string) => app.db.session.findUniqueOrThrow({ where: { id: `offline_${shop}` } });

describe("the worker with expiring offline access tokens", () => {
  it.each([
    { name: "expired when the job starts", shop: "expired-start.myshopify.com", expiresInMs: -HOUR },
    { name: "about to expire when the job starts", shop: "expiring-soon.myshopify.com", expiresInMs: REFRESH_BEFORE_EXPIRY_MS - 60_000 },
    // The stored expiry says 30 minutes, but Shopify already refuses the token (401): refreshed once, then the call is sent again.
    { name: "refused by Shopify although not yet expired", shop: "refused.myshopify.com", expiresInMs: 30 * 60_000, refuse: true },
  ])("a token $name is refreshed, stored, and the job finishes", async ({ shop, expiresInMs, refuse }) => {
    const issued = await install(shop, { expiresInMs });
    if (refuse) app.standIn.oauth.revokeAccessToken(issued.access_token);
    const results = await runBackfill(shop);

    expect(results[0]).toMatchObject({ ran: true, job: { type: BACKFILL_JOB }, status: "done" });
    for (const r of results) expect(r.ran && r.status, r.ran ? `${r.job.type}: ${r.error}` : "").toBe("done");
    expect(app.standIn.oauth.refreshes(shop)).toBe(1);
    const session = await stored(shop);
    expect(session.accessToken).not.toBe(issued.access_token);
    expect(session.accessToken).toBe(app.standIn.shop(shop).accessToken);
    expect(session.refreshToken).not.toBe(issued.refresh_token);
    expect(session.expires!.getTime()).toBeGreaterThan(Date.now() + ACCESS_TOKEN_TTL_S * 1000 - 60_000);
    expect(session.refreshTokenExpires!.getTime()).toBeGreaterThan(Date.now() + REFRESH_TOKEN_TTL_S * 1000 - 60_000);
    expect(await app.db.shop.findUniqueOrThrow({ where: { domain: shop } })).toMatchObject({ backfilledAt: expect.any(Date) });
    // The new token is used from then on: every Admin call after the refresh was accepted.
    const calls = app.standIn.calls(shop);
    expect(calls.filter((c) => c.outcome === "unauthorized")).toHaveLength(refuse ? 1 : 0);
    expect(calls.filter((c) => c.outcome === "ok").length).toBeGreaterThan(3);
  });

  it("a valid token is used as it is", async () => {
    const shop = "valid.myshopify.com";
    const issued = await install(shop);
    const [first] = await runBackfill(shop);
    expect(first).toMatchObject({ status: "done" });
    expect(app.standIn.oauth.refreshes(shop)).toBe(0);
    expect((await stored(shop)).accessToken).toBe(issued.access_token);
  });

  it("a revoked refresh token fails the job with a clear error, retried with backoff and then stopped, never looping", async () => {
    const shop = "revoked.myshopify.com";
    await install(shop, { expiresInMs: -HOUR });
    app.standIn.oauth.revokeRefreshTokens(shop);
    const results = await runBackfill(shop);

    // maxAttempts 3, backoff 0: three attempts, each one refresh request, then dead.
    expect(results.map((r) => r.ran && r.status)).toEqual(["queued", "queued", "dead"]);
    for (const r of results) {
      expect(r.ran && r.error).toMatch(
        /OfflineTokenError: revoked\.myshopify\.com: Shopify refused to refresh the offline access token: Shopify answered HTTP 400 \(invalid_grant: .*\)\. .*open Tierline once from the shop's Shopify admin/,
      );
    }
    expect(app.standIn.oauth.tokenRequests(shop)).toBe(3);
    const job = await app.db.job.findFirstOrThrow({ where: { shop, type: BACKFILL_JOB } });
    expect(job).toMatchObject({ status: "dead", attempts: 3 });
    expect(job.lastError).toMatch(/refused to refresh/);
  });
});

describe("OfflineTokens", () => {
  /** The app's storage, in memory; `loadFresh` like CachedSessionStorage's. */
  function memoryStorage() {
    const rows = new Map<string, Session>();
    return {
      rows,
      loadSession: async (id: string) => rows.get(id),
      loadFresh: async (id: string) => rows.get(id),
      storeSession: async (s: Session) => (rows.set(s.id, s), true),
    };
  }
  const tokensFor = (storage: ReturnType<typeof memoryStorage>) =>
    new OfflineTokens({
      storage,
      clientId: app.apiKey,
      clientSecret: app.apiSecret,
      fetch: (url, init) => adminOriginFetch(new URL(app.standIn.url))(url, init),
    });
  const sessionOf = (shop: string, issued: IssuedTokens, expiresInMs: number) =>
    new Session({
      id: `offline_${shop}`,
      shop,
      state: "",
      isOnline: false,
      accessToken: issued.access_token,
      scope: issued.scope,
      expires: new Date(Date.now() + expiresInMs),
      refreshToken: issued.refresh_token,
      refreshTokenExpires: new Date(Date.now() + issued.refresh_token_expires_in! * 1000),
    });

  it("refreshes once for callers that arrive together", async () => {
    const shop = "together.myshopify.com";
    const issued = app.standIn.oauth.grant(app.standIn.addShop({ domain: shop }), {
      scopes: ["read_orders"],
      clientId: app.apiKey,
      clientSecret: app.apiSecret,
    });
    const storage = memoryStorage();
    storage.rows.set(`offline_${shop}`, sessionOf(shop, issued, -HOUR));
    const tokens = tokensFor(storage);
    const sessions = await Promise.all([tokens.current(shop), tokens.current(shop), tokens.current(shop)]);
    expect(new Set(sessions.map((s) => s.accessToken)).size).toBe(1);
    expect(app.standIn.oauth.refreshes(shop)).toBe(1);
    expect(storage.rows.get(`offline_${shop}`)!.accessToken).toBe(sessions[0].accessToken);
  });

  it("uses the token another process stored instead of refreshing again", async () => {
    const shop = "elsewhere.myshopify.com";
    const issued = app.standIn.oauth.grant(app.standIn.addShop({ domain: shop }), {
      scopes: ["read_orders"],
      clientId: app.apiKey,
      clientSecret: app.apiSecret,
    });
    const storage = memoryStorage();
    storage.rows.set(`offline_${shop}`, sessionOf(shop, issued, HOUR));
    const tokens = tokensFor(storage);
    // This process holds the old token and Shopify refused it; meanwhile another worker refreshed and stored a new pair.
    const other = tokensFor(storage);
    storage.rows.set(`offline_${shop}`, sessionOf(shop, issued, -HOUR));
    const refreshedElsewhere = await other.current(shop);
    const replaced = await tokens.replace(shop, issued.access_token);
    expect(replaced.accessToken).toBe(refreshedElsewhere.accessToken);
    expect(app.standIn.oauth.refreshes(shop)).toBe(1);
  });

  it("a refresh whose answer was lost can be repeated with the stored refresh token (Shopify keeps it until its successor is used)", async () => {
    const shop = "lost-answer.myshopify.com";
    const issued = app.standIn.oauth.grant(app.standIn.addShop({ domain: shop }), {
      scopes: ["read_orders"],
      clientId: app.apiKey,
      clientSecret: app.apiSecret,
    });
    const storage = memoryStorage();
    storage.rows.set(`offline_${shop}`, sessionOf(shop, issued, -HOUR));
    let lose = true;
    const tokens = new OfflineTokens({
      storage,
      clientId: app.apiKey,
      clientSecret: app.apiSecret,
      fetch: async (url, init) => {
        const response = await adminOriginFetch(new URL(app.standIn.url))(url, init);
        if (!lose) return response;
        lose = false;
        throw new Error("socket hang up");
      },
    });
    await expect(tokens.current(shop)).rejects.toMatchObject({ code: "REFRESH_FAILED" });
    const session = await tokens.current(shop);
    expect(session.accessToken).toBe(app.standIn.shop(shop).accessToken);
    expect(app.standIn.oauth.refreshes(shop)).toBe(2);
  });
});
