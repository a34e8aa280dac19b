import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "~/db/client.server";
import { DEFAULT_REDEMPTION } from "~/forms/redemption-settings";
import {
  finishPendingRedemptions,
  redeemPoints,
  REDEMPTION_MAX_ATTEMPTS,
  RedemptionRefusedError,
  type RedemptionDeps,
  type RedemptionRequest,
} from "~/services/rewards/redemption.server";
import { createTestDb, type TestDb } from "../support/db";
import { standInAdminClient } from "../../tools/shopify-stand-in/admin-client";
import { discountCodesOf } from "../../tools/shopify-stand-in/discount-codes";
import { startStandIn, type StandIn } from "../../tools/shopify-stand-in/index";
import { refuseNextMutation, storeCreditBalance, storeCreditTransactions } from "../../tools/shopify-stand-in/store-credit";
import { balanceOf, REDEMPTION_ON, seedRedemptionShop, standInDeps } from "./redemption-support";

// Points redemption end to end on the service: the ledger (SQLite, and PostgreSQL when TIERLINE_TEST_DATABASE_URL is
// set), Shopify through the stand-in. What a shopper would see: their balance, their code or credit, and never a
// point spent twice.

const NOW = new Date("2026-12-07T04:00:00Z");

let store: StandIn;
let t: TestDb;
let db: Db;
let deps: RedemptionDeps;
let clock = NOW;

beforeAll(async () => {
  store = await startStandIn({ shops: [], now: () => clock.getTime() });
});
afterAll(() => store.close());
beforeEach(async () => {
  t = await createTestDb();
  db = t.db;
  clock = NOW;
  deps = standInDeps(store, () => clock);
});
afterEach(() => t.cleanup());

let shopSeq = 0;
async function shopWith(balances: number[], settings = REDEMPTION_ON) {
  const shop = `redeem-${++shopSeq}-${Date.now()}.myshopify.com`;
  const customers = await seedRedemptionShop(db, store, { shop, balances, settings, now: NOW });
  return { shop, customers };
}

const request = (shop: string, customerGid: string, over: Partial<RedemptionRequest> = {}): RedemptionRequest => ({
  shop,
  customerGid,
  points: 200,
  form: "discountCode",
  idempotencyKey: `key-${Math.random().toString(36).slice(2, 12)}`,
  ...over,
});

async function ledger(shop: string) {
  const [rewards, adjustments] = await Promise.all([
    db.reward.findMany({ where: { shop, kind: "redemption" } }),
    db.memberAdjustment.findMany({ where: { shop, key: { startsWith: "redeem:" } } }),
  ]);
  return { rewards, adjustments };
}

describe("redeeming points", () => {
  it("turns points into a one-use discount code for the shopper, and the balance shows it at once", async () => {
    const { shop, customers } = await shopWith([1000]);
    const result = await redeemPoints(db, deps, request(shop, customers[0], { points: 300 }));
    expect(result).toMatchObject({ status: "issued", replay: false, points: 300, value: "15.00", currency: "USD", balance: 700 });
    expect(result.code).toMatch(/^POINTS-[A-Z0-9]{10}$/);
    expect(await balanceOf(db, shop, customers[0])).toBe(700);
    const codes = discountCodesOf(store.shop(shop));
    expect(codes).toHaveLength(1);
    expect(codes[0]).toMatchObject({ code: result.code, customerIds: [customers[0]], usageLimit: 1, value: { amount: "15.00" } });
    const { rewards, adjustments } = await ledger(shop);
    expect(rewards.map((r) => [r.status, r.points, r.code])).toEqual([["issued", 300, result.code]]);
    expect(adjustments.map((a) => [a.points, a.note])).toEqual([[-300, "Redeemed for a discount code worth 15.00 USD"]]);
    // Shopify is owed the member's new balance and rewards (sync), and Flow hears of the reward.
    const flow = await db.flowEvent.findMany({ where: { shop } });
    expect(flow.map((e) => [e.trigger, JSON.parse(e.payloadJson)["Reward code"] ?? JSON.parse(e.payloadJson).properties?.["Reward code"]])).toEqual([
      ["tierline-reward-issued", result.code],
    ]);
    expect(await db.job.count({ where: { shop, type: "sync-members", status: "queued" } })).toBe(1);
  });

  it("turns points into Shopify store credit in the shop currency, when the merchant offers it", async () => {
    const { shop, customers } = await shopWith([1000]);
    const result = await redeemPoints(db, deps, request(shop, customers[0], { points: 400, form: "storeCredit" }));
    expect(result).toMatchObject({ status: "issued", value: "20.00", balance: 600, code: null });
    expect(result.creditGid).toMatch(/StoreCreditAccountCreditTransaction/);
    expect(storeCreditBalance(store.shop(shop), customers[0], "USD")).toBe("20.00");
  });

  it("a repeated key (double click, retry) is the same redemption: one debit, one code", async () => {
    const { shop, customers } = await shopWith([1000]);
    const req = request(shop, customers[0]);
    const first = await redeemPoints(db, deps, req);
    const again = await Promise.all([redeemPoints(db, deps, req), redeemPoints(db, deps, req), redeemPoints(db, deps, req)]);
    for (const r of again) expect(r).toMatchObject({ rewardId: first.rewardId, code: first.code, replay: true, balance: 800 });
    expect(await balanceOf(db, shop, customers[0])).toBe(800);
    expect((await ledger(shop)).adjustments).toHaveLength(1);
    expect(discountCodesOf(store.shop(shop))).toHaveLength(1);
  });

  it("the same key sent at once from two tabs debits once", async () => {
    const { shop, customers } = await shopWith([1000]);
    const req = request(shop, customers[0], { form: "storeCredit" });
    const results = await Promise.all(Array.from({ length: 5 }, () => redeemPoints(db, deps, req)));
    expect(new Set(results.map((r) => r.rewardId)).size).toBe(1);
    expect(results.filter((r) => !r.replay)).toHaveLength(1);
    expect(await balanceOf(db, shop, customers[0])).toBe(800);
    expect(storeCreditTransactions(store.shop(shop))).toHaveLength(1);
  });

  it("10 concurrent redemptions with different keys never overdraw: debits equal rewards issued, the balance never negative", async () => {
    const { shop, customers } = await shopWith([1000]);
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        redeemPoints(db, deps, request(shop, customers[0], { form: i % 2 ? "storeCredit" : "discountCode" })).catch((e: unknown) => e),
      ),
    );
    const issued = outcomes.filter((o) => !(o instanceof Error));
    const refused = outcomes.filter((o): o is RedemptionRefusedError => o instanceof RedemptionRefusedError);
    expect(issued).toHaveLength(5);
    expect(refused.map((r) => r.code)).toEqual(Array(5).fill("not-enough-points"));
    expect(await balanceOf(db, shop, customers[0])).toBe(0);
    const { rewards, adjustments } = await ledger(shop);
    expect(rewards.filter((r) => r.status === "issued")).toHaveLength(5);
    expect(adjustments.reduce((s, a) => s + (a.points ?? 0), 0)).toBe(-1000);
    const balances = (await db.pointsEntry.findMany({ where: { shop }, orderBy: [{ at: "asc" }, { createdAt: "asc" }] })).reduce<number[]>(
      (acc, e) => [...acc, (acc.at(-1) ?? 0) + e.points],
      [],
    );
    expect(Math.min(...balances)).toBeGreaterThanOrEqual(0);
    const given = discountCodesOf(store.shop(shop)).length + storeCreditTransactions(store.shop(shop)).length;
    expect(given).toBe(5);
  });

  it("two shoppers redeeming at once do not wait on or touch each other's points", async () => {
    const { shop, customers } = await shopWith([400, 400]);
    await Promise.all(customers.map((c) => redeemPoints(db, deps, request(shop, c, { points: 400 }))));
    expect([await balanceOf(db, shop, customers[0]), await balanceOf(db, shop, customers[1])]).toEqual([0, 0]);
  });
});

describe("a redemption that cannot go ahead writes nothing", () => {
  it.each([
    ["redemption off", DEFAULT_REDEMPTION, {}, 403, "redemption-off"],
    ["below the minimum", REDEMPTION_ON, { points: 100 }, 422, "below-minimum"],
    ["off the step", REDEMPTION_ON, { points: 250 }, 422, "not-a-step-multiple"],
    ["store credit not offered", { ...REDEMPTION_ON, storeCredit: false }, { form: "storeCredit" as const }, 403, "store-credit-not-offered"],
    ["more points than the balance", REDEMPTION_ON, { points: 1100 }, 422, "not-enough-points"],
    ["a customer who is not a member", REDEMPTION_ON, { customerGid: "gid://shopify/Customer/987654321" }, 404, "no-member"],
  ])("%s", async (_label, settings, reqOver, status, code) => {
    const { shop, customers } = await shopWith([1000], settings);
    const refused = await redeemPoints(db, deps, request(shop, customers[0], reqOver)).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RedemptionRefusedError);
    expect({ status: (refused as RedemptionRefusedError).status, code: (refused as RedemptionRefusedError).code }).toEqual({ status, code });
    expect(await ledger(shop)).toEqual({ rewards: [], adjustments: [] });
    expect(await balanceOf(db, shop, customers[0])).toBe(1000);
    expect(store.shop(shop).calls).toHaveLength(0);
  });

  it("a key reused for a different redemption is refused", async () => {
    const { shop, customers } = await shopWith([1000]);
    const req = request(shop, customers[0]);
    await redeemPoints(db, deps, req);
    await expect(redeemPoints(db, deps, { ...req, points: 300 })).rejects.toMatchObject({ code: "key-reused", status: 409 });
    expect(await balanceOf(db, shop, customers[0])).toBe(800);
  });
});

describe("Shopify failing leaves the points untouched", () => {
  it.each([
    ["a discount code", "discountCode", "discountCodeBasicCreate"],
    ["store credit", "storeCredit", "storeCreditAccountCredit"],
  ] as const)("Shopify refusing %s gives the points back and marks the reward failed", async (_label, form, mutation) => {
    const { shop, customers } = await shopWith([1000]);
    refuseNextMutation(store.shop(shop), mutation, "Something went wrong at Shopify");
    const result = await redeemPoints(db, deps, request(shop, customers[0], { form }));
    expect(result).toMatchObject({ status: "failed", balance: 1000, code: null, creditGid: null });
    expect(result.message).toMatch(/points were given back/);
    expect(await balanceOf(db, shop, customers[0])).toBe(1000);
    const { rewards, adjustments } = await ledger(shop);
    expect(rewards.map((r) => [r.status, r.error])).toEqual([["failed", expect.stringContaining("Something went wrong at Shopify")]]);
    expect(adjustments.map((a) => [a.key.endsWith(":refund"), a.points]).sort()).toEqual([
      [false, -200],
      [true, 200],
    ]);
    expect(discountCodesOf(store.shop(shop)).length + storeCreditTransactions(store.shop(shop)).length).toBe(0);
    // A new key works once Shopify does again.
    expect(await redeemPoints(db, deps, request(shop, customers[0], { form }))).toMatchObject({ status: "issued", balance: 800 });
  });
});

describe("a redemption interrupted between the debit and Shopify is finished by the redemption-credit job", () => {
  /** A client whose requests reach Shopify but whose answers are lost (a timeout after Shopify applied it). */
  const answerLost =
    (shop: string): RedemptionDeps["admin"] =>
    async () =>
      standInAdminClient({
        url: store.url,
        shop,
        accessToken: "shpat_redeem",
        fetch: async (url, init) => {
          await fetch(url, init);
          throw new TypeError("fetch failed");
        },
      });

  it.each(["storeCredit", "discountCode"] as const)("%s: given once when Shopify's answer was lost, found, not given again", async (form) => {
    const { shop, customers } = await shopWith([1000]);
    const pending = await redeemPoints(db, { ...deps, admin: answerLost(shop) }, request(shop, customers[0], { form }));
    expect(pending).toMatchObject({ status: "pending", balance: 800 });
    expect(pending.message).toMatch(/points are reserved/);
    // Not yet a minute old: the job leaves it alone.
    clock = new Date(NOW.getTime() + 30_000);
    expect(await finishPendingRedemptions(db, deps, shop)).toEqual({ issued: 0, refunded: 0, pending: 0 });
    clock = new Date(NOW.getTime() + 61_000);
    expect(await finishPendingRedemptions(db, deps, shop)).toEqual({ issued: 1, refunded: 0, pending: 0 });
    const [reward] = (await ledger(shop)).rewards;
    expect(reward.status).toBe("issued");
    expect(storeCreditTransactions(store.shop(shop)).length + discountCodesOf(store.shop(shop)).length).toBe(1);
    expect(reward.creditGid ?? reward.discountGid).toBe(storeCreditTransactions(store.shop(shop))[0]?.id ?? discountCodesOf(store.shop(shop))[0]?.id);
    expect(await balanceOf(db, shop, customers[0])).toBe(800);
  });

  it("a redemption whose request died before calling Shopify is given by the job", async () => {
    const { shop, customers } = await shopWith([1000]);
    const dead = await redeemPoints(
      db,
      { ...deps, admin: async () => Promise.reject(new Error("process killed")) },
      request(shop, customers[0], { form: "storeCredit" }),
    );
    expect(dead.status).toBe("pending");
    expect(storeCreditTransactions(store.shop(shop))).toHaveLength(0);
    clock = new Date(NOW.getTime() + 120_000);
    await finishPendingRedemptions(db, deps, shop);
    expect(storeCreditBalance(store.shop(shop), customers[0], "USD")).toBe("10.00");
  });

  it("the job refunds a redemption Shopify keeps failing, after its attempts", async () => {
    const { shop, customers } = await shopWith([1000]);
    const down: RedemptionDeps["admin"] = async () => Promise.reject(new Error("Shopify unreachable"));
    await redeemPoints(db, { ...deps, admin: down }, request(shop, customers[0], { form: "storeCredit" }));
    for (let i = 1; i < REDEMPTION_MAX_ATTEMPTS; i++) {
      clock = new Date(NOW.getTime() + i * 120_000);
      await expect(finishPendingRedemptions(db, { ...deps, admin: down }, shop)).rejects.toThrow(/still wait for Shopify/);
    }
    expect(await balanceOf(db, shop, customers[0])).toBe(800);
    clock = new Date(NOW.getTime() + 3_600_000);
    expect(await finishPendingRedemptions(db, { ...deps, admin: down }, shop)).toEqual({ issued: 0, refunded: 1, pending: 0 });
    expect(await balanceOf(db, shop, customers[0])).toBe(1000);
    expect((await ledger(shop)).rewards[0].status).toBe("failed");
  });
});
