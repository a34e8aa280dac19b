// The metafield contract (docs/contracts.md) checked against what the backbone really writes: order webhooks go
// through the worker (process-webhooks → recalculation → sync-members) into the local Shopify stand-in, and what the
// stand-in then holds must read, through the shared parsers every extension uses, as the members' real situations —
// on both sync paths. The tier discount's metafields are checked the same way, by running the Function on them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "~/db/client.server";
import { saveBenefitsAction, syncTierDiscount } from "~/services/admin/benefits.server";
import { recordWebhook } from "~/services/webhook-inbox.server";
import {
  COLLECTION_SLOTS,
  DISCOUNT_CONFIG_KEY,
  DISCOUNT_VARIABLES_KEY,
  parseDiscountConfig,
  TAG_SLOTS,
  type DiscountVariablesV1,
} from "~/shared/discount-config";
import { createTranslator, MEMBER_MESSAGES_EN } from "~/shared/member-messages";
import { checkoutView, memberView, type MemberDocuments, type ViewContext } from "~/shared/member-view";
import { parseTierBenefits, parseTierLevel, parseTierPointsHistory, parseTierProgress, POINTS_HISTORY_LIMIT } from "~/shared/tier-metafield";
import type { SyncMembersOptions } from "~/shopify/member-sync.server";
import { cartDeliveryOptionsDiscountsGenerateRun, cartLinesDiscountsGenerateRun } from "../../extensions/tier-discount/src/index";
import { drain } from "../../scripts/worker";
import { benefitsInput, formData, scopeInput } from "../support/admin-builders";
import { createTestDb, publishProgram, seedShop, type TestDb } from "../support/db";
import { buildLevel, onePointPerDollar, spend } from "../../tools/sample-data/program-builders";
import { virtualClock } from "../../tools/shopify-stand-in/builders";
import { standInAdminClient, startStandIn, type StandIn } from "../../tools/shopify-stand-in/index";
import { delivery, orderPayload, refundPayload } from "../../tools/sample-data/webhook-payloads";

const TOKEN = "shpat_contract";
const NOW = Date.parse("2026-04-15T00:00:00Z");
const clock = virtualClock(NOW);
const policy: SyncMembersOptions = { sleep: clock.sleep, now: clock.now, random: () => 0.5, pollIntervalMs: 100 };

let standIn: StandIn;
let t: TestDb;
let db: Db;

beforeAll(async () => {
  standIn = await startStandIn({ now: clock.now });
  t = await createTestDb();
  db = t.db;
});
afterAll(async () => {
  await t?.cleanup();
  await standIn?.close();
});

/** Silver 100, gold 500, platinum 1500 (+100 points on reaching it); spend counted over 20 days, levels held 30. */
function programJson(onExpiry: "reevaluate" | "freeze") {
  return {
    levels: [
      buildLevel({ id: "silver", name: "Silver", rank: 1, upgrade: [[spend("100.00")]] }),
      buildLevel({ id: "gold", name: "Gold", rank: 2, upgrade: [[spend("500.00")]] }),
      buildLevel({ id: "platinum", name: "Platinum", rank: 3, upgrade: [[spend("1500.00")]], upgradePoints: 100 }),
    ],
    points: onePointPerDollar,
    window: { kind: "rolling", days: 20 },
    validity: { kind: "days", days: 30 },
    graceDays: onExpiry === "freeze" ? 0 : 60,
    onExpiry,
    currency: "EUR",
  };
}

interface Buyer {
  name: string;
  /** Orders: [order id, paid at, quantity of 100.00 items]. */
  orders: [number, string, number][];
  refunds?: [number, number, string, number][];
}

/** Members in every state the surfaces distinguish, in a shop that has a grace period… */
const graceShopBuyers: Buyer[] = [
  { name: "no level yet", orders: [[1001, "2026-04-12T10:00:00Z", 0.5]] },
  { name: "silver after a refund", orders: [[1002, "2026-04-05T10:00:00Z", 3]], refunds: [[5002, 1002, "2026-04-08T10:00:00Z", 1]] },
  { name: "gold in grace", orders: [[1003, "2026-03-02T10:00:00Z", 6]] },
  { name: "platinum at the top", orders: [[1004, "2026-04-10T10:00:00Z", 16]] },
];
/** …and one that freezes instead. */
const freezeShopBuyers: Buyer[] = [{ name: "frozen gold", orders: [[2001, "2026-03-02T10:00:00Z", 6]] }];

const ctx: ViewContext = { locale: "en", t: createTranslator(MEMBER_MESSAGES_EN, "en") };

async function runShop(domain: string, buyers: Buyer[], onExpiry: "reevaluate" | "freeze", bulk: boolean) {
  standIn.addShop({ domain, accessToken: TOKEN, currencyCode: "EUR" });
  const gids = standIn.seed(
    { customers: buyers.map((b) => ({ firstName: b.name, email: `${b.name.replace(/\W/g, "")}@example.com` })) },
    domain,
  ).customers;
  await seedShop(db, domain, { currency: "EUR", installedAt: new Date("2026-01-01T00:00:00Z") });
  await publishProgram(db, domain, programJson(onExpiry));
  // Benefits as the admin saves them (this also queues the discount sync and a re-sync of the level's members):
  // gold's discount leaves out products tagged "no-discount", so the Function's input query must ask about that tag.
  const discount = { ...(benefitsInput().discount as object), scope: scopeInput({ excludeTags: ["no-discount"] }) };
  await saveBenefitsAction(db, domain, "gold", formData({ intent: "save", payload: benefitsInput({ discount }) }), NOW - 86_400_000 * 200);
  let n = 0;
  for (const [i, b] of buyers.entries()) {
    const customer = { id: Number(gids[i].split("/").pop()), email: `${b.name.replace(/\W/g, "")}@example.com` };
    for (const [id, at, quantity] of b.orders) {
      const lines = [{ id: id * 10, quantity: Math.max(1, quantity), price: quantity < 1 ? `${quantity * 100}.00` : "100.00" }];
      const payload = orderPayload({ id, customer, processedAt: at, lines, currency: "EUR" });
      await recordWebhook(db, delivery("orders/paid", domain, payload, { webhookId: `wh-${domain}-${++n}` }), "orders/paid", new Date(NOW));
    }
    for (const [id, orderId, at, quantity] of b.refunds ?? []) {
      const payload = refundPayload({ id, orderId, createdAt: at, lines: [{ lineId: orderId * 10, quantity, price: "100.00" }], currency: "EUR" });
      await recordWebhook(db, delivery("refunds/create", domain, payload, { webhookId: `wh-${domain}-${++n}` }), "refunds/create", new Date(NOW));
    }
  }
  const results = await drain(db, {
    now: () => new Date(clock.now()),
    adminFor: async (shop) => standInAdminClient({ url: standIn.url, shop, accessToken: TOKEN }),
    syncOptions: { ...policy, bulk },
    leaseMs: 3600_000,
    // The discount is synced on its own below, the way its job handler calls it.
    types: ["process-webhooks", "recalculate", "review-members", "sync-members"],
  });
  for (const r of results) if (r.ran) expect(r.status, `${r.job.type}: ${r.error}`).toBe("done");
  const read = (gid: string): Required<MemberDocuments> => {
    const json = (key: string) => standIn.metafieldJson(gid, key, "$app:tierline", domain);
    return { level: json("level"), progress: json("progress"), benefits: json("benefits"), history: json("history"), rewards: json("rewards") };
  };
  return Object.fromEntries(buyers.map((b, i) => [b.name, read(gids[i])]));
}

const goldBenefits = [
  { kind: "discount", type: "percentage", value: "10", minimumOrder: "50.00" },
  { kind: "freeShipping", countries: ["US", "CA"], minimumOrder: null },
  { kind: "custom", title: "Early access", icon: "star" },
];

describe.each([
  { path: "metafieldsSet batches", bulk: false },
  { path: "bulk operation", bulk: true },
])("what the sync writes ($path) is what the surfaces read", ({ path, bulk }) => {
  const tag = bulk ? "bulk" : "direct";
  let docs: Record<string, Required<MemberDocuments>>;

  beforeAll(async () => {
    docs = {
      ...(await runShop(`contract-grace-${tag}.myshopify.com`, graceShopBuyers, "reevaluate", bulk)),
      ...(await runShop(`contract-freeze-${tag}.myshopify.com`, freezeShopBuyers, "freeze", bulk)),
    };
    const calls = standIn
      .calls(`contract-grace-${tag}.myshopify.com`)
      .filter((c) => c.outcome === "ok")
      .map((c) => c.operationName);
    expect(calls, path).toContain(bulk ? "BulkMutationRun" : "MemberMetafieldsSet");
  });

  it("no level yet: the level reads as none, progress toward silver, no benefits, the order's points", () => {
    const d = docs["no level yet"];
    expect(d.level).toEqual({ v: 1, id: null });
    expect(parseTierLevel(d.level)).toBeNull();
    expect(parseTierProgress(d.progress)).toEqual({
      v: 1,
      currency: "EUR",
      spend: "50.00",
      points: 50,
      next: {
        id: "silver",
        name: "Silver",
        remainingSpend: "50.00",
        requirements: [{ kind: "accumulatedSpend", threshold: "100.00", current: "50.00", windowDays: null, scoped: false }],
      },
    });
    expect(parseTierBenefits(d.benefits)).toEqual({ v: 1, items: [] });
    expect(parseTierPointsHistory(d.history)).toEqual({ v: 1, entries: [{ at: "2026-04-12T10:00:00Z", kind: "earn", points: 50 }] });
    const view = memberView(d, ctx);
    expect(view).toMatchObject({ kind: "none", progress: { kind: "next", levelName: "Silver", fraction: 0.5 } });
    expect(checkoutView({ signedIn: true, level: d.level, progress: d.progress, allocations: [] }, ctx)).toMatchObject({
      kind: "none",
      progress: { levelId: "silver" },
    });
  });

  it("silver after a refund: the refund lowers spend and points, and the history shows it newest first", () => {
    const d = docs["silver after a refund"];
    expect(parseTierLevel(d.level)).toMatchObject({
      id: "silver",
      name: "Silver",
      rank: 1,
      status: "active",
      since: "2026-04-05T10:00:00Z",
      expiresAt: "2026-05-05T10:00:00Z",
    });
    expect(parseTierProgress(d.progress)).toEqual({
      v: 1,
      currency: "EUR",
      spend: "200.00",
      points: 200,
      next: {
        id: "gold",
        name: "Gold",
        remainingSpend: "300.00",
        requirements: [{ kind: "accumulatedSpend", threshold: "500.00", current: "200.00", windowDays: null, scoped: false }],
      },
    });
    expect(parseTierPointsHistory(d.history)).toEqual({
      v: 1,
      entries: [
        { at: "2026-04-08T10:00:00Z", kind: "refund", points: -100 },
        { at: "2026-04-05T10:00:00Z", kind: "earn", points: 300 },
      ],
    });
    const view = memberView(d, ctx);
    expect(view).toMatchObject({ kind: "member", levelName: "Silver", statusText: null, pointsBalance: 200, points: "200 points", benefits: [] });
    expect(view.kind === "member" && view.history.map((r) => [r.label, r.points])).toEqual([
      ["Refund", "\u2212100"],
      ["Points earned", "+300"],
    ]);
  });

  it("gold in grace: status grace with the date it expired, and gold's benefits as the admin saved them", () => {
    const d = docs["gold in grace"];
    expect(parseTierLevel(d.level)).toMatchObject({ id: "gold", status: "grace", since: "2026-03-02T10:00:00Z", expiresAt: "2026-04-01T10:00:00Z" });
    // Nothing counted in the last 20 days: gold is 500.00 away again.
    expect(parseTierProgress(d.progress)).toEqual({
      v: 1,
      currency: "EUR",
      spend: "0.00",
      points: 600,
      next: {
        id: "platinum",
        name: "Platinum",
        remainingSpend: "1500.00",
        requirements: [{ kind: "accumulatedSpend", threshold: "1500.00", current: "0.00", windowDays: null, scoped: false }],
      },
    });
    expect(parseTierBenefits(d.benefits)).toEqual({ v: 1, items: goldBenefits });
    const view = memberView(d, ctx);
    expect(view).toMatchObject({ kind: "member", levelName: "Gold", status: "grace", statusText: expect.any(String), benefitsPaused: null });
    expect(view.kind === "member" && view.benefits.map((b) => b.text)).toEqual([
      "10% off every order over €50",
      "Free shipping to US, CA",
      "Early access",
    ]);
    expect(checkoutView({ signedIn: true, level: d.level, progress: d.progress, benefits: d.benefits, allocations: [] }, ctx)).toMatchObject({
      kind: "member",
      badgeText: "Gold member",
      hint: "10% off every order over €50",
      paused: null,
    });
  });

  it("platinum at the top: no next level, and the one-time reward in the history", () => {
    const d = docs["platinum at the top"];
    expect(parseTierLevel(d.level)).toMatchObject({ id: "platinum", rank: 3, status: "active", expiresAt: "2026-05-10T10:00:00Z" });
    expect(parseTierProgress(d.progress)).toEqual({ v: 1, currency: "EUR", spend: "1600.00", points: 1700, next: null });
    expect(
      parseTierPointsHistory(d.history)
        ?.entries.map((e) => [e.kind, e.points])
        .sort(),
    ).toEqual([
      ["earn", 1600],
      ["upgrade", 100],
    ]);
    expect(memberView(d, ctx)).toMatchObject({ kind: "member", progress: { kind: "top", fraction: 1 } });
  });

  it("frozen gold: the badge stays, the benefits are listed as paused, checkout claims no savings", () => {
    const d = docs["frozen gold"];
    expect(parseTierLevel(d.level)).toMatchObject({ id: "gold", status: "frozen", expiresAt: "2026-04-01T10:00:00Z" });
    expect(parseTierBenefits(d.benefits)).toEqual({ v: 1, items: goldBenefits });
    expect(memberView(d, ctx)).toMatchObject({ kind: "member", status: "frozen", benefitsPaused: expect.any(String) });
    const allocations = [{ type: "automatic", title: "Gold member: 10% off", discountedAmount: { amount: 10, currencyCode: "EUR" } }];
    expect(checkoutView({ signedIn: true, level: d.level, progress: d.progress, benefits: d.benefits, allocations }, ctx)).toMatchObject({
      kind: "member",
      savings: null,
      hint: null,
      paused: expect.any(String),
    });
  });

  it("every document the stand-in holds reads back through its parser unchanged", () => {
    for (const d of Object.values(docs)) {
      if ((d.level as { id: unknown }).id !== null) expect(parseTierLevel(d.level)).toEqual(d.level);
      expect(parseTierProgress(d.progress)).toEqual(d.progress);
      expect(parseTierBenefits(d.benefits)).toEqual(d.benefits);
      expect(parseTierPointsHistory(d.history)).toEqual(d.history);
      expect((d.history as { entries: unknown[] }).entries.length).toBeLessThanOrEqual(POINTS_HISTORY_LIMIT);
    }
  });
});

describe("a new points entry alone owes a sync (the hash covers the history)", () => {
  it("an order refunded in full leaves level and progress as they were, and still rewrites the history", async () => {
    const domain = "contract-grace-direct.myshopify.com";
    const gid = Object.keys(standIn.shop(domain).customers).find((g) => standIn.shop(domain).customers[g].firstName === "platinum at the top")!;
    const before = Object.fromEntries(["level", "progress", "benefits"].map((k) => [k, standIn.metafieldJson(gid, k, "$app:tierline", domain)]));
    const customer = { id: Number(gid.split("/").pop()), email: "platinumatthetop@example.com" };
    const paid = orderPayload({
      id: 1005,
      customer,
      processedAt: "2026-04-14T10:00:00Z",
      lines: [{ id: 10050, quantity: 1, price: "20.00" }],
      currency: "EUR",
    });
    const refund = refundPayload({
      id: 5005,
      orderId: 1005,
      createdAt: "2026-04-14T11:00:00Z",
      lines: [{ lineId: 10050, quantity: 1, price: "20.00" }],
      currency: "EUR",
    });
    await recordWebhook(db, delivery("orders/paid", domain, paid, { webhookId: "wh-extra-paid" }), "orders/paid", new Date(NOW));
    await recordWebhook(db, delivery("refunds/create", domain, refund, { webhookId: "wh-extra-refund" }), "refunds/create", new Date(NOW));
    const results = await drain(db, {
      now: () => new Date(clock.now()),
      adminFor: async (shop) => standInAdminClient({ url: standIn.url, shop, accessToken: TOKEN }),
      syncOptions: policy,
      types: ["process-webhooks", "sync-members"],
    });

    expect(results.filter((r) => r.ran).map((r) => r.ran && r.job.type)).toEqual(["process-webhooks", "sync-members"]);
    expect(Object.fromEntries(["level", "progress", "benefits"].map((k) => [k, standIn.metafieldJson(gid, k, "$app:tierline", domain)]))).toEqual(
      before,
    );
    expect(parseTierPointsHistory(standIn.metafieldJson(gid, "history", "$app:tierline", domain))?.entries.slice(0, 2)).toEqual([
      { at: "2026-04-14T11:00:00Z", kind: "refund", points: -20 },
      { at: "2026-04-14T10:00:00Z", kind: "earn", points: 20 },
    ]);
  });
});

describe("the discount configuration the admin writes is what the Function reads", () => {
  const domain = "contract-grace-direct.myshopify.com";
  let discountId: string;

  beforeAll(async () => {
    discountId = (await syncTierDiscount(db, standInAdminClient({ url: standIn.url, shop: domain, accessToken: TOKEN }), domain, policy)).discountId!;
  });

  const discountInput = (levelDoc: unknown) => {
    const config = standIn.metafieldJson(discountId, DISCOUNT_CONFIG_KEY, "$app:tierline", domain);
    return {
      discountClasses: ["PRODUCT", "SHIPPING"] as ("PRODUCT" | "SHIPPING")[],
      metafield: { jsonValue: config },
      customer: { id: "gid://shopify/Customer/1", metafield: { jsonValue: levelDoc } },
    };
  };
  /** A cart as Shopify builds the Function's input: the query's variables come from `discount-variables`. */
  const cart = (levelDoc: unknown, prices: string[], taggedNoDiscount: number[] = []) => {
    const d = discountInput(levelDoc);
    const variables = standIn.metafieldJson(discountId, DISCOUNT_VARIABLES_KEY, "$app:tierline", domain) as DiscountVariablesV1;
    const productTags = (i: number) => (taggedNoDiscount.includes(i) ? ["no-discount"] : []);
    return {
      presentmentCurrencyRate: "1.0",
      cart: {
        buyerIdentity: { customer: d.customer },
        lines: prices.map((price, i) => ({
          id: `gid://shopify/CartLine/${i + 1}`,
          quantity: 1,
          cost: { amountPerQuantity: { amount: price, currencyCode: "EUR" }, subtotalAmount: { amount: price }, compareAtAmountPerQuantity: null },
          merchandise: {
            id: `gid://shopify/ProductVariant/${i + 1}`,
            product: {
              id: `gid://shopify/Product/${i + 1}`,
              isGiftCard: false,
              // Each slot as Shopify evaluates `cN: inAnyCollection(ids: $cN)` / `tN: hasAnyTag(tags: $tN)`: these
              // products are in no collection and tagged as the case says.
              ...Object.fromEntries(COLLECTION_SLOTS.map((slot) => [slot, false])),
              ...Object.fromEntries(TAG_SLOTS.map((slot) => [slot, variables[slot].some((tag) => productTags(i).includes(tag))])),
            },
          },
        })),
      },
      discount: { discountClasses: d.discountClasses, metafield: d.metafield },
    };
  };
  const levelOf = (name: string, domainOf = domain) => {
    const gid = Object.keys(standIn.shop(domainOf).customers).find((g) => standIn.shop(domainOf).customers[g].firstName === name)!;
    return standIn.metafieldJson(gid, "level", "$app:tierline", domainOf);
  };

  it("writes discount-config that parses, and discount-variables naming what its scopes need", () => {
    const config = parseDiscountConfig(standIn.metafieldJson(discountId, DISCOUNT_CONFIG_KEY, "$app:tierline", domain));
    expect(config.ok).toBe(true);
    expect(config.ok && config.config.levels.gold).toMatchObject({
      discount: { type: "percentage", value: "10", minimumOrder: "50.00", scope: { excludeTags: ["no-discount"] } },
      freeShipping: { countries: ["US", "CA"], minimumOrder: null },
    });
    expect(standIn.metafieldJson(discountId, DISCOUNT_VARIABLES_KEY, "$app:tierline", domain)).toEqual({
      c0: [],
      c1: [],
      c2: [],
      c3: [],
      c4: [],
      c5: [],
      t0: ["no-discount"],
      t1: [],
      t2: [],
      t3: [],
      t4: [],
      t5: [],
    });
  });

  it.each([
    {
      name: "gold in grace",
      prices: ["40.00", "30.00"],
      expected: [
        ["gid://shopify/CartLine/1", "10"],
        ["gid://shopify/CartLine/2", "10"],
      ],
    },
    { name: "gold in grace", prices: ["40.00"], expected: [] },
    { name: "gold in grace", prices: ["60.00", "30.00"], tagged: [1], expected: [["gid://shopify/CartLine/1", "10"]] },
    // The tagged line does not count toward the minimum either: 40.00 eligible is below 50.00.
    { name: "gold in grace", prices: ["40.00", "30.00"], tagged: [1], expected: [] },
    { name: "silver after a refund", prices: ["40.00", "30.00"], expected: [] },
    { name: "no level yet", prices: ["40.00", "30.00"], expected: [] },
  ])("$name with a cart of $prices (lines $tagged tagged no-discount) gets $expected", ({ name, prices, tagged, expected }) => {
    const result = cartLinesDiscountsGenerateRun(cart(levelOf(name), prices, tagged) as never);
    const got = result.operations.flatMap((op) =>
      op.productDiscountsAdd
        ? op.productDiscountsAdd.candidates.flatMap((c) =>
            c.targets.map((t) => [(t as { cartLine: { id: string } }).cartLine.id, (c.value as { percentage: { value: string } }).percentage.value]),
          )
        : [],
    );
    expect(got.sort()).toEqual(expected);
  });

  it("a frozen member's level gets no discount", () => {
    const frozen = levelOf("frozen gold", "contract-freeze-direct.myshopify.com");
    expect(parseTierLevel(frozen)).toMatchObject({ status: "frozen" });
    expect(cartLinesDiscountsGenerateRun(cart(frozen, ["40.00", "30.00"]) as never).operations).toEqual([]);
  });

  it.each([
    { country: "US", free: true },
    { country: "FR", free: false },
  ])("free shipping for gold to $country: $free", ({ country, free }) => {
    const d = discountInput(levelOf("gold in grace"));
    const input = {
      presentmentCurrencyRate: "1.0",
      cart: {
        buyerIdentity: { customer: d.customer },
        cost: { subtotalAmount: { amount: "80.00", currencyCode: "EUR" } },
        deliveryGroups: [{ id: "gid://shopify/CartDeliveryGroup/1", deliveryAddress: { countryCode: country } }],
      },
      discount: { discountClasses: d.discountClasses, metafield: d.metafield },
    };
    expect(cartDeliveryOptionsDiscountsGenerateRun(input as never).operations.length > 0).toBe(free);
  });
});
