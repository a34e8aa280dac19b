import { beforeAll, describe, expect, it } from "vitest";
import { customerSessionToken } from "../../tools/shopify-stand-in/customer-session-token";
import { discountCodesOf } from "../../tools/shopify-stand-in/discount-codes";
import { refuseNextMutation, storeCreditBalance } from "../../tools/shopify-stand-in/store-credit";
import { appWithStandIn } from "../shopify/support/app-with-stand-in";
import { balanceOf, seedRedemptionShop } from "./redemption-support";

// POST /api/account/redemptions as the account page calls it: cross-origin, with a customer account session token,
// through the app's own authenticate.public.customerAccount, its database and the Shopify stand-in.

const app = appWithStandIn("redeem-route");
const SHOP = "redeem-route.myshopify.com";
const ORIGIN = "https://extensions.shopifycdn.com";
const URL_ = "https://tierline.example/api/account/redemptions";
type RouteModule = { action: (args: { request: Request }) => Promise<Response>; loader: (args: { request: Request }) => Promise<Response> };
let route: RouteModule;
let customers: string[];

beforeAll(async () => {
  await app.install(SHOP, { scopes: ["read_customers", "write_customers", "read_orders", "write_discounts"], expiring: false });
  customers = await seedRedemptionShop(app.db, app.standIn, { shop: SHOP, balances: [1000, 1000, 1000], now: new Date(), accessToken: null });
  route = (await import("../../app/routes/api.account.redemptions.tsx")) as unknown as RouteModule;
});

const token = (customerGid: string | null, over: Partial<Parameters<typeof customerSessionToken>[0]> = {}) =>
  customerSessionToken({ shop: SHOP, customerGid, apiKey: app.apiKey, apiSecret: app.apiSecret, ...over });

let keySeq = 0;
const newKey = () => `click-${Date.now()}-${++keySeq}`;

function post(body: unknown, auth: string | null): Request {
  return new Request(URL_, {
    method: "POST",
    headers: { Origin: ORIGIN, "Content-Type": "application/json", ...(auth ? { Authorization: `Bearer ${auth}` } : {}) },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** What the extension sees: the status and JSON body, or the thrown Response the library answers with. */
async function call(request: Request, via: "action" | "loader" = "action") {
  const res = await route[via]({ request }).catch((thrown: unknown) => {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  });
  const text = await res.text();
  return { status: res.status, cors: res.headers.get("Access-Control-Allow-Origin"), body: text ? JSON.parse(text) : null };
}

const counts = async () => ({
  rewards: await app.db.reward.count({ where: { shop: SHOP } }),
  adjustments: await app.db.memberAdjustment.count({ where: { shop: SHOP } }),
});

describe("POST /api/account/redemptions", () => {
  it("answers the CORS preflight as the library does", async () => {
    const res = await call(new Request(URL_, { method: "OPTIONS", headers: { Origin: ORIGIN } }));
    expect({ status: res.status, cors: res.cors }).toEqual({ status: 204, cors: "*" });
  });

  it("redeems for the token's customer and answers the code, whatever customer the body names", async () => {
    const res = await call(post({ points: 200, form: "discountCode", idempotencyKey: newKey(), customerGid: customers[1] }, token(customers[0])));
    expect(res.status).toBe(200);
    expect(res.cors).toBe("*");
    expect(res.body.redemption).toMatchObject({ status: "issued", points: 200, value: "10.00", currency: "USD", balance: 800 });
    expect(discountCodesOf(app.standIn.shop(SHOP)).map((d) => d.code)).toContain(res.body.redemption.code);
    expect([await balanceOf(app.db, SHOP, customers[0]), await balanceOf(app.db, SHOP, customers[1])]).toEqual([800, 1000]);
  });

  it("a double click (same key) answers the same code and debits once", async () => {
    const body = { points: 200, form: "discountCode", idempotencyKey: newKey() };
    const both = await Promise.all([call(post(body, token(customers[2]))), call(post(body, token(customers[2])))]);
    // The second click may arrive while the first is at Shopify: 202, "pending", and the page asks again with the key.
    expect(both.map((r) => r.status).sort()).toEqual(expect.arrayContaining([200]));
    const issued = both.find((r) => r.status === 200)!.body.redemption;
    for (const r of both) expect(r.body.redemption).toMatchObject({ rewardId: issued.rewardId, balance: 800 });
    const again = await call(post(body, token(customers[2])));
    expect({ status: again.status, code: again.body.redemption.code, replay: again.body.redemption.replay }).toEqual({
      status: 200,
      code: issued.code,
      replay: true,
    });
    expect(await balanceOf(app.db, SHOP, customers[2])).toBe(800);
  });

  it("store credit lands in the shopper's Shopify account", async () => {
    const before = Number(storeCreditBalance(app.standIn.shop(SHOP), customers[2], "USD"));
    const res = await call(post({ points: 300, form: "storeCredit", idempotencyKey: newKey() }, token(customers[2])));
    expect(res.status).toBe(200);
    expect(res.body.redemption).toMatchObject({ status: "issued", value: "15.00", code: null });
    expect(Number(storeCreditBalance(app.standIn.shop(SHOP), customers[2], "USD")) - before).toBe(15);
  });

  it("Shopify failing: 502, retryable, the points untouched", async () => {
    const before = await balanceOf(app.db, SHOP, customers[1]);
    refuseNextMutation(app.standIn.shop(SHOP), "storeCreditAccountCredit", "Store credit is not available in this shop");
    const res = await call(post({ points: 200, form: "storeCredit", idempotencyKey: newKey() }, token(customers[1])));
    expect(res.status).toBe(502);
    expect(res.body.error).toMatchObject({ code: "shopify-failed", retryable: true });
    expect(res.body.redemption).toMatchObject({ status: "failed", balance: before });
    expect(await balanceOf(app.db, SHOP, customers[1])).toBe(before);
  });

  it.each([
    ["no token", () => null, 401],
    ["a token signed with another secret", () => token(customers[0], { apiSecret: "not-the-app-secret" }), 401],
    ["an expired token", () => token(customers[0], { now: Date.now() - 3_600_000 }), 401],
    ["a token without a customer (not logged in)", () => token(null), 401],
    ["a token from a shop that offers no redemption", () => token(customers[0], { shop: "other-shop.myshopify.com" }), 403],
  ])("%s → %s, nothing written", async (_label, auth, status) => {
    const before = await counts();
    const res = await call(post({ points: 200, form: "discountCode", idempotencyKey: newKey() }, auth()));
    expect(res.status).toBe(status);
    expect(res.cors).toBe("*");
    expect(await counts()).toEqual(before);
  });

  it.each([
    ["a body that is not JSON", "points=200", 400, "invalid-request"],
    ["no points", { form: "discountCode", idempotencyKey: "abcdefgh" }, 400, "invalid-request"],
    ["points as text", { points: "200", form: "discountCode", idempotencyKey: "abcdefgh" }, 400, "invalid-request"],
    ["a fraction of a point", { points: 200.5, form: "discountCode", idempotencyKey: "abcdefgh" }, 400, "invalid-request"],
    ["an unknown form", { points: 200, form: "giftCard", idempotencyKey: "abcdefgh" }, 400, "invalid-request"],
    ["a key too short", { points: 200, form: "discountCode", idempotencyKey: "abc" }, 400, "invalid-request"],
    ["below the minimum", { points: 100, form: "discountCode", idempotencyKey: "abcdefgh1" }, 422, "below-minimum"],
    ["off the step", { points: 250, form: "discountCode", idempotencyKey: "abcdefgh2" }, 422, "not-a-step-multiple"],
    ["more than the balance", { points: 100_000, form: "discountCode", idempotencyKey: "abcdefgh3" }, 422, "not-enough-points"],
  ])("%s → %s %s, nothing written", async (_label, body, status, code) => {
    const before = await counts();
    const res = await call(post(body, token(customers[0])));
    expect({ status: res.status, code: res.body.error.code }).toEqual({ status, code });
    expect(res.body.error.message).toEqual(expect.any(String));
    expect(await counts()).toEqual(before);
  });

  it("GET is not a redemption", async () => {
    const res = await call(new Request(URL_, { headers: { Origin: ORIGIN, Authorization: `Bearer ${token(customers[0])}` } }), "loader");
    expect(res.status).toBe(405);
  });
});
