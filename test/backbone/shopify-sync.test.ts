import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "~/db/client.server";
import { TAG_CHANGES_PER_RUN } from "~/jobs/sync-members.server";
import { onShopInstalled } from "~/services/install.server";
import { recordWebhook } from "~/services/webhook-inbox.server";
import { MEMBER_METAFIELD_KEYS } from "~/shared/metafield-keys";
import { adminOriginFetch } from "~/shopify-transport.server";
import type { SyncMembersOptions } from "~/shopify/member-sync.server";
import { drain } from "../../scripts/worker";
import { createTestDb, publishProgram, type TestDb } from "../support/db";
import { buildProgramJson, onePointPerDollar } from "../../tools/sample-data/program-builders";
import { virtualClock } from "../../tools/shopify-stand-in/builders";
import { standInAdminClient, startStandIn, type StandIn } from "../../tools/shopify-stand-in/index";
import { delivery, orderPayload, refundPayload } from "../../tools/sample-data/webhook-payloads";

/**
 * The backbone against the local Shopify stand-in, reached only through configuration (SHOPIFY_ADMIN_ORIGIN): the
 * app's own `unauthenticated.admin(shop)` sends its Admin GraphQL requests there. Install, backfill, webhook,
 * recomputation and the member sync run as the worker runs them.
 */

const SHOP = "backbone.myshopify.com";
const TOKEN = "shpat_backbone";
const clock = virtualClock(Date.parse("2026-06-01T00:00:00Z"));
const now = () => new Date(clock.now());
const policy: SyncMembersOptions = { sleep: clock.sleep, now: clock.now, random: () => 0.5, pollIntervalMs: 100 };

let standIn: StandIn;
let t: TestDb;
let db: Db;

beforeAll(async () => {
  standIn = await startStandIn({ now: clock.now, shops: [{ domain: SHOP, accessToken: TOKEN, currencyCode: "EUR" }] });
  t = await createTestDb();
  Object.assign(process.env, {
    DATABASE_URL: t.url,
    SHOPIFY_API_KEY: "backbone-key",
    SHOPIFY_API_SECRET: "backbone-secret",
    SHOPIFY_APP_URL: "https://tierline.example",
    SHOPIFY_ADMIN_ORIGIN: standIn.url,
  });
  db = (await import("~/db/client.server")).default;
  await db.session.create({
    data: {
      id: `offline_${SHOP}`,
      shop: SHOP,
      state: "",
      isOnline: false,
      accessToken: TOKEN,
      scope: "read_customers,write_customers,read_orders,read_all_orders",
    },
  });
});
afterAll(async () => {
  await db?.$disconnect();
  await t?.cleanup();
  await standIn?.close();
});

/** `count` new customers in the stand-in (ids from `first`), each with one paid order of `price` EUR recorded now. */
async function newCustomersPaying(count: number, first: number, price: string) {
  const customers = Array.from({ length: count }, (_, i) => ({ id: `gid://shopify/Customer/${first + i}`, email: `c${first + i}@example.com` }));
  standIn.seed({ customers }, SHOP);
  for (const [i, c] of customers.entries()) {
    const paid = orderPayload({
      id: first + 500_000 + i,
      customer: { id: first + i, email: c.email },
      processedAt: now().toISOString(),
      lines: [{ id: 1, quantity: 1, price }],
      currency: "EUR",
    });
    expect((await recordWebhook(db, delivery("orders/paid", SHOP, paid), "orders/paid", now())).status).toBe(200);
  }
  return customers;
}

const run = async () => {
  const results = await drain(db, { now, syncOptions: policy, leaseMs: 3600_000 });
  for (const r of results) if (r.ran) expect(r.status, `${r.job.type}: ${r.error}`).toBe("done");
  return results.map((r) => r.ran && r.job.type);
};

describe("transport", () => {
  it("reroutes only https://<shop>.myshopify.com requests, naming the shop in a header", async () => {
    const seen: { url: string; shop: string | null }[] = [];
    const fake = (async (input: RequestInfo | URL, init?: RequestInit) => {
      seen.push({ url: String(input), shop: new Headers(init?.headers).get("X-Shopify-Shop-Domain") });
      return new Response("{}");
    }) as typeof fetch;
    const routed = adminOriginFetch(new URL("http://127.0.0.1:4455"), fake);
    await routed("https://demo.myshopify.com/admin/api/2026-10/graphql.json?x=1", { method: "POST", body: "{}" });
    await routed("https://cdn.shopify.com/app-bridge.js");
    await routed("https://evil.example/demo.myshopify.com/admin");
    expect(seen).toEqual([
      { url: "http://127.0.0.1:4455/admin/api/2026-10/graphql.json?x=1", shop: "demo.myshopify.com" },
      { url: "https://cdn.shopify.com/app-bridge.js", shop: null },
      { url: "https://evil.example/demo.myshopify.com/admin", shop: null },
    ]);
  });

  it("the app's unauthenticated.admin(shop) reaches the stand-in through SHOPIFY_ADMIN_ORIGIN", async () => {
    const { unauthenticated } = await import("~/shopify.server");
    const { admin } = await unauthenticated.admin(SHOP);
    const response = await admin.graphql("query ShopCurrency { shop { currencyCode } }");
    expect(await response.json()).toMatchObject({ data: { shop: { currencyCode: "EUR" } } });
    expect(standIn.calls(SHOP).some((c) => c.operationName === "ShopCurrency")).toBe(true);
  });
});

describe("install, backfill, webhooks and sync", () => {
  let alice: string;
  let bob: string;

  it("on install: the shop row, the metafield definitions, and a queued backfill", async () => {
    [alice, bob] = standIn.seed(
      {
        customers: [
          { firstName: "Alice", lastName: "Arden", email: "alice@example.com", tags: ["newsletter"] },
          { firstName: "Bob", lastName: "Brook", email: "bob@example.com" },
        ],
      },
      SHOP,
    ).customers;
    standIn.seed(
      {
        orders: [
          {
            customerId: alice,
            processedAt: "2026-02-01T10:00:00Z",
            lineItems: [{ quantity: 6, unitPrice: "100.00" }],
            totalPrice: "600.00",
            subtotalPrice: "600.00",
          },
          {
            customerId: bob,
            processedAt: "2026-02-02T10:00:00Z",
            lineItems: [{ quantity: 1, unitPrice: "150.00" }],
            totalPrice: "150.00",
            subtotalPrice: "150.00",
          },
          {
            customerId: null,
            processedAt: "2026-02-03T10:00:00Z",
            lineItems: [{ quantity: 1, unitPrice: "900.00" }],
            totalPrice: "900.00",
            subtotalPrice: "900.00",
          },
        ],
      },
      SHOP,
    );
    // Reaching gold gives 50 points once, but not for history imported on install.
    await publishProgram(
      db,
      SHOP,
      buildProgramJson({
        points: onePointPerDollar,
        levels: [
          { id: "silver", name: "Silver", rank: 1, upgrade: [[{ kind: "accumulatedSpend", amount: "100.00" }]] },
          { id: "gold", name: "Gold", rank: 2, upgradePoints: 50, upgrade: [[{ kind: "accumulatedSpend", amount: "500.00" }]] },
        ],
      }),
    );
    const admin = standInAdminClient({ url: standIn.url, shop: SHOP, accessToken: TOKEN });
    const result = await onShopInstalled(db, admin, SHOP, { now: now() });

    expect(result).toMatchObject({ currency: "EUR", backfillQueued: true, errors: [] });
    expect(result.definitions?.created.sort()).toEqual(["benefits", "birthday", "history", "level", "progress", "rewards"]);
    expect(await db.shop.findUniqueOrThrow({ where: { domain: SHOP } })).toMatchObject({ currency: "EUR", rewardsFrom: now(), backfilledAt: null });
    // Installing again (a new session) neither duplicates definitions nor queues a second backfill.
    const again = await onShopInstalled(db, admin, SHOP, { now: now() });
    expect(again).toMatchObject({ backfillQueued: false, definitions: { created: [] } });
  });

  it("the worker backfills history into members (no install-time rewards) and syncs them to Shopify", async () => {
    expect(await run()).toEqual(["backfill", "sync-members"]);
    const members = await db.member.findMany({ where: { shop: SHOP }, orderBy: { customerGid: "asc" } });
    expect(members.map((m) => ({ gid: m.customerGid, level: m.levelId, points: m.points, email: m.email, firstName: m.firstName }))).toEqual([
      { gid: alice, level: "gold", points: 600, email: "alice@example.com", firstName: "Alice" },
      { gid: bob, level: "silver", points: 150, email: "bob@example.com", firstName: "Bob" },
    ]);
    expect(await db.orderFact.count({ where: { shop: SHOP, source: "backfill" } })).toBe(3);
    expect(standIn.state.customers[alice].tags.sort()).toEqual(["newsletter", "tier:gold"]);
    expect(standIn.state.customers[bob].tags).toEqual(["tier:silver"]);
    expect(standIn.metafieldJson(alice, "level")).toMatchObject({ v: 1, id: "gold", name: "Gold", status: "active", since: "2026-02-01T10:00:00Z" });
    expect(standIn.metafieldJson(bob, "progress")).toEqual({
      v: 1,
      currency: "EUR",
      spend: "150.00",
      points: 150,
      next: {
        id: "gold",
        name: "Gold",
        remainingSpend: "350.00",
        requirements: [{ kind: "accumulatedSpend", threshold: "500.00", current: "150.00", windowDays: null, scoped: false }],
      },
    });
    const states = await db.syncState.findMany({ where: { shop: SHOP } });
    expect(states.every((s) => s.syncedHash === s.pendingHash && s.lastSyncedAt !== null)).toBe(true);
    expect(await db.shop.findUniqueOrThrow({ where: { domain: SHOP } })).toMatchObject({ backfilledAt: now() });
  });

  it("a webhook after install moves a member up (with the one-time reward) and the next sync swaps the tier tag", async () => {
    clock.advance(3600_000);
    const bobId = Number(bob.split("/").pop());
    const paid = orderPayload({
      id: 990001,
      customer: { id: bobId, email: "bob@example.com" },
      processedAt: now().toISOString(),
      lines: [{ id: 1, quantity: 4, price: "100.00" }],
      currency: "EUR",
    });
    expect((await recordWebhook(db, delivery("orders/paid", SHOP, paid), "orders/paid", now())).status).toBe(200);
    // The order is folded, its products' collections and tags are read, Shopify gets the member, Flow the level-up.
    expect(await run()).toEqual(["process-webhooks", "resolve-order-scopes", "sync-members", "flow-events"]);

    expect(await db.member.findUniqueOrThrow({ where: { shop_customerGid: { shop: SHOP, customerGid: bob } } })).toMatchObject({
      levelId: "gold",
      points: 150 + 400 + 50,
    });
    expect(standIn.state.customers[bob].tags).toEqual(["tier:gold"]);
    expect(standIn.metafieldJson(bob, "level")).toMatchObject({ id: "gold" });
  });

  it("a refund moves the member back down and Shopify follows; a repeated sync writes nothing", async () => {
    clock.advance(3600_000);
    const refund = refundPayload({
      id: 880001,
      orderId: 990001,
      createdAt: now().toISOString(),
      lines: [{ lineId: 1, quantity: 4, price: "100.00" }],
      currency: "EUR",
    });
    await recordWebhook(db, delivery("refunds/create", SHOP, refund), "refunds/create", now());
    expect(await run()).toEqual(["process-webhooks", "sync-members", "flow-events"]);
    expect(standIn.state.customers[bob].tags).toEqual(["tier:silver"]);

    const calls = standIn.calls(SHOP).length;
    // Another part of the app keeps its own sync state beside the members' (the admin's discount configuration).
    await db.syncState.create({ data: { shop: SHOP, subject: "discount-config", pendingHash: "owed" } });
    await db.job.create({ data: { type: "sync-members", shop: SHOP, runAt: now() } });
    expect(await run()).toEqual(["sync-members"]);
    expect(standIn.calls(SHOP).length).toBe(calls);
    expect(await db.syncState.findUniqueOrThrow({ where: { shop_subject: { shop: SHOP, subject: "discount-config" } } })).toMatchObject({
      pendingHash: "owed",
      syncedHash: null,
    });
  });

  it("an order that keeps the level sends only the metafields it changed, and every one of them", async () => {
    clock.advance(3600_000);
    const bobId = Number(bob.split("/").pop());
    const keys = MEMBER_METAFIELD_KEYS;
    const shown = () => Object.fromEntries(keys.map((k) => [k, JSON.stringify(standIn.metafieldJson(bob, k))]));
    const before = shown();
    const calls = standIn.calls(SHOP).length;
    const paid = orderPayload({
      id: 990002,
      customer: { id: bobId, email: "bob@example.com" },
      processedAt: now().toISOString(),
      lines: [{ id: 2, quantity: 1, price: "10.00" }],
      currency: "EUR",
    });
    await recordWebhook(db, delivery("orders/paid", SHOP, paid), "orders/paid", now());
    await run();

    const after = shown();
    const changed = keys.filter((k) => after[k] !== before[k]);
    const sent = standIn
      .calls(SHOP)
      .slice(calls)
      .filter((c) => c.operationName?.startsWith("MemberMetafieldsSet"))
      .flatMap((c) =>
        Object.values(c.variables ?? {}).flatMap((list) => (list as { ownerId: string; key: string }[]).filter((m) => m.ownerId === bob)),
      )
      .map((m) => m.key);
    expect(changed).toEqual(expect.arrayContaining(["progress", "history"]));
    expect(changed).not.toContain("benefits");
    expect(sent.sort()).toEqual([...changed].sort());
    expect(standIn.state.customers[bob].tags).toEqual(["tier:silver"]);
  });

  it("a burst that leaves more members owed a sync than one SQL list may bind (SQLite: 999) is sent and recorded in one run", async () => {
    clock.advance(3600_000);
    const customers = await newCustomersPaying(1200, 7_000_000, "20.00");
    expect(await run()).toContain("sync-members");
    const owed = await db.syncState.count({ where: { shop: SHOP, subject: { startsWith: "gid://shopify/Customer/7" } } });
    const synced = await db.syncState.findMany({ where: { shop: SHOP, subject: { startsWith: "gid://shopify/Customer/7" }, failures: 0 } });
    expect(owed).toBe(1200);
    expect(synced.filter((st) => st.syncedHash === st.pendingHash && st.lastSyncedAt !== null)).toHaveLength(1200);
    expect(standIn.metafieldJson(customers[1199].id, "progress")).toMatchObject({ spend: "20.00" });
  }, 120_000);

  it("more level changes than a run reconciles tags for: every metafield in the first run, the tier tags over the next runs, each member's metafields sent once", async () => {
    clock.advance(3600_000);
    const members = TAG_CHANGES_PER_RUN * 2 + 20;
    const calls = standIn.calls(SHOP).length;
    const customers = await newCustomersPaying(members, 8_000_000, "150.00");
    const ran = await run();

    // Three runs: the first sends every member's metafields and TAG_CHANGES_PER_RUN tags, the next two the rest.
    expect(ran.filter((type) => type === "sync-members")).toHaveLength(3);
    const ours = new Set(customers.map((c) => c.id));
    const sentLevels = standIn
      .calls(SHOP)
      .slice(calls)
      .filter((c) => c.operationName?.startsWith("MemberMetafieldsSet"))
      .flatMap((c) =>
        Object.values(c.variables ?? {}).flatMap((list) => (list as { ownerId: string; key: string }[]).filter((m) => ours.has(m.ownerId))),
      )
      .filter((m) => m.key === "level");
    expect(sentLevels).toHaveLength(members);
    for (const c of customers) {
      expect(standIn.metafieldJson(c.id, "level")).toMatchObject({ id: "silver" });
      expect(standIn.state.customers[c.id].tags).toEqual(["tier:silver"]);
    }
    const states = await db.syncState.findMany({ where: { shop: SHOP, subject: { in: [...ours] } } });
    expect(states.filter((st) => st.syncedHash === st.pendingHash && st.syncedLevelId === "silver")).toHaveLength(members);
  }, 120_000);
});
