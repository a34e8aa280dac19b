import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { levelEditAction, levelEditView, levelsView } from "~/services/admin/levels.server";
import { refreshShopPlanIfStale } from "~/services/billing/plan-sync.server";
import { APP_HANDLE, planFromSubscriptions, planPageUrl } from "~/services/billing/subscription-plan";
import { onShopInstalled } from "~/services/install.server";
import { drain } from "../../scripts/worker";
import { standInAdminClient } from "../../tools/shopify-stand-in/index";
import { signWebhook } from "../../tools/shopify-stand-in/signed-webhook";
import { formData, levelInput, spendInput } from "../support/admin-builders";
import { rejected } from "../support/admin-test-db";
import { appWithStandIn } from "../shopify/support/app-with-stand-in";

/**
 * Plans come from Shopify App Pricing (docs/plans.md): the shop's ACTIVE app subscription, read through the Admin API
 * from the local stand-in, decides the level cap. app_subscriptions/update goes through the app's own route, inbox
 * and worker. Runs on SQLite, and on PostgreSQL with TIERLINE_TEST_DATABASE_URL.
 */

const SHOP = "billing.myshopify.com";
const app = appWithStandIn("billing");

const sub = (name: string, status = "ACTIVE", planHandles: string[] = []) => ({ name, status, planHandles });

describe("the plan a shop's subscriptions give it", () => {
  it.each([
    { name: "no subscription: the free plan", subs: [], plan: "basic" },
    { name: "Growth, by name", subs: [sub("Growth")], plan: "growth" },
    { name: "by plan handle, whatever the name says", subs: [sub("Grande croissance", "ACTIVE", ["plus"])], plan: "plus" },
    { name: "names in any case", subs: [sub("  PRO ")], plan: "pro" },
    { name: "an unknown plan: the free plan", subs: [sub("Enterprise")], plan: "basic" },
    { name: "a frozen subscription (unpaid): the free plan", subs: [sub("Plus", "FROZEN")], plan: "basic" },
    { name: "two active while Shopify swaps plans: the larger", subs: [sub("Growth"), sub("Plus")], plan: "plus" },
  ])("$name", ({ subs, plan }) => {
    expect(planFromSubscriptions(subs)).toBe(plan);
  });

  it("links to Shopify's plan page for this app, whose handle is shopify.app.toml's", () => {
    const toml = fs.readFileSync(path.resolve(import.meta.dirname, "../../shopify.app.toml"), "utf8");
    expect(/^handle = "([^"]+)"/m.exec(toml)?.[1]).toBe(APP_HANDLE);
    expect(planPageUrl("my-store.myshopify.com")).toBe("https://admin.shopify.com/store/my-store/charges/tierline/pricing_plans");
  });
});

const addLevel = (n: number) =>
  levelEditAction(
    app.db,
    SHOP,
    null,
    formData({ intent: "save", payload: levelInput({ name: `Level ${n}`, upgrade: [[spendInput(`${n * 100}`)]] }) }),
  );
const levelCount = async () => (await levelsView(app.db, SHOP)).levels.length;
const storedPlan = async () => (await app.db.shop.findUniqueOrThrow({ where: { domain: SHOP } })).plan;

/** Shopify tells the app its subscription changed: the app's route, then its worker (inbox → plan-refresh job). */
async function subscriptionWebhooks(changed: { changed: { id: string; name: string; status: string }[] }) {
  const { action } = await import("~/routes/webhooks.app_subscriptions.update");
  for (const s of changed.changed) {
    const signed = signWebhook({
      topic: "app_subscriptions/update",
      shop: SHOP,
      payload: app.standIn.billing.webhookPayload(app.standIn.shop(SHOP), s as never),
      appUrl: "https://tierline.example",
      secret: app.apiSecret,
    });
    const response = await action({
      request: new Request(signed.url, { method: "POST", headers: signed.headers, body: signed.body }),
      params: {},
      context: {},
    });
    expect(response.status).toBe(200);
  }
  const results = await drain(app.db, { types: ["process-webhooks", "plan-refresh"], syncOptions: { sleep: async () => {}, pollIntervalMs: 1 } });
  for (const r of results) if (r.ran) expect(r.status, `${r.job.type}: ${r.error}`).toBe("done");
}

describe("app_subscriptions/update at the door", () => {
  it.each([
    { name: "without the subscription", body: { id: 1 }, message: "app_subscriptions/update payload: app_subscription: " },
    {
      name: "with another kind of GID",
      body: { app_subscription: { admin_graphql_api_id: "gid://shopify/Order/1", name: "Growth", status: "ACTIVE" } },
      message: "must be a AppSubscription GID",
    },
    {
      name: "without a status",
      body: { app_subscription: { admin_graphql_api_id: "gid://shopify/AppSubscription/1", name: "Growth" } },
      message: "app_subscription.status",
    },
    {
      name: "with half a surrogate pair in the name",
      body: '{"app_subscription":{"admin_graphql_api_id":"gid://shopify/AppSubscription/1","name":"Gro\\ud800wth","status":"ACTIVE"}}',
      message: "half of a surrogate pair",
    },
  ])("$name → 400 naming the field, nothing stored", async ({ body, message }) => {
    const { action } = await import("~/routes/webhooks.app_subscriptions.update");
    const signed = signWebhook({
      topic: "app_subscriptions/update",
      shop: SHOP,
      payload: body,
      appUrl: "https://tierline.example",
      secret: app.apiSecret,
    });
    const response = await action({
      request: new Request(signed.url, { method: "POST", headers: signed.headers, body: signed.body }),
      params: {},
      context: {},
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain(message);
    expect(await app.db.webhookInbox.count({ where: { webhookId: signed.webhookId } })).toBe(0);
  });
});

describe("the level cap follows the shop's Shopify subscription", () => {
  it("a new shop is on the free plan: 3 levels, the 4th refused with the plan that allows more and its page", async () => {
    await app.install(SHOP, { scopes: ["read_customers", "write_customers", "read_orders", "write_discounts", "read_products"], expiring: false });
    const admin = standInAdminClient({
      url: app.standIn.url,
      shop: SHOP,
      accessToken: (await app.db.session.findUniqueOrThrow({ where: { id: `offline_${SHOP}` } })).accessToken!,
    });
    await onShopInstalled(app.db, admin, SHOP, { now: new Date() });
    expect(await storedPlan()).toBe("basic");

    for (const n of [1, 2, 3]) await addLevel(n);
    const e = await rejected(() => addLevel(4));
    expect(e.status).toBe(409);
    const message = "Your Basic plan allows 3 levels and you have 3. The Growth plan allows 5: change your plan or delete a level to add another.";
    expect(e.errors._form).toBe(message);
    const view = await levelsView(app.db, SHOP);
    expect(view).toMatchObject({
      cap: { plan: "basic", maxLevels: 3 },
      capMessage: message,
      planUrl: "https://admin.shopify.com/store/billing/charges/tierline/pricing_plans",
    });
    expect((await levelEditView(app.db, SHOP, null)).capMessage).toBe(message);
    expect(await levelCount()).toBe(3);
  });

  it("the merchant picks Growth on Shopify's plan page: app_subscriptions/update raises the cap to 5", async () => {
    await subscriptionWebhooks(app.standIn.billing.choosePlan(app.standIn.shop(SHOP), "Growth"));
    expect(await storedPlan()).toBe("growth");
    await addLevel(4);
    await addLevel(5);
    expect(await levelCount()).toBe(5);
    expect((await rejected(() => addLevel(6))).errors._form).toBe(
      "Your Growth plan allows 5 levels and you have 5. The Plus plan allows 10: change your plan or delete a level to add another.",
    );
  });

  it("the subscription is cancelled: back to the free plan; the 5 levels stay and can be edited, none can be added", async () => {
    await subscriptionWebhooks(app.standIn.billing.choosePlan(app.standIn.shop(SHOP), null));
    expect(await storedPlan()).toBe("basic");
    expect(await levelCount()).toBe(5);
    const message =
      "Your Basic plan allows 3 levels and you have 5. Your levels beyond it keep working for members. The Growth plan allows 5: change your plan or delete a level to add another.";
    expect((await levelsView(app.db, SHOP)).capMessage).toBe(message);
    expect((await rejected(() => addLevel(6))).errors._form).toBe(message);
    await levelEditAction(
      app.db,
      SHOP,
      "level-5",
      formData({ intent: "save", payload: levelInput({ name: "Level 5 renamed", upgrade: [[spendInput("500")]] }) }),
    );
    expect((await levelsView(app.db, SHOP)).levels.map((l) => l.name)).toContain("Level 5 renamed");
  });

  it("the admin's load reads the plan again (at most every few minutes), so a missed webhook heals", async () => {
    const admin = standInAdminClient({
      url: app.standIn.url,
      shop: SHOP,
      accessToken: (await app.db.session.findUniqueOrThrow({ where: { id: `offline_${SHOP}` } })).accessToken!,
    });
    app.standIn.billing.choosePlan(app.standIn.shop(SHOP), "Plus");
    const later = Date.now() + 3_600_000;
    await refreshShopPlanIfStale(app.db, admin, SHOP, later);
    expect(await storedPlan()).toBe("plus");
    const calls = app.standIn.calls(SHOP).length;
    await refreshShopPlanIfStale(app.db, admin, SHOP, later + 60_000);
    expect(app.standIn.calls(SHOP).length).toBe(calls);
  });
});
