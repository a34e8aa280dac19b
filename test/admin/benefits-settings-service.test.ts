import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "~/db/client.server";
import { DISCOUNT_SYNC_JOB, REVIEW_MEMBERS_JOB } from "~/queue/job-kinds";
import { benefitsEditView, loadShopperBenefits, requestDiscountSync, saveBenefitsAction, syncTierDiscount } from "~/services/admin/benefits.server";
import { loadVersions, programOf } from "~/services/admin/program-drafts.server";
import { saveSettingsAction, settingsView } from "~/services/admin/settings.server";
import { adminTestDb, rejected } from "../support/admin-test-db";
import { benefitsInput, formData, programJson, scopeInput, seedPublished, settingsInput } from "../support/admin-builders";
import { startStandIn, standInAdminClient, type StandIn } from "../../tools/shopify-stand-in";

const SHOP = "benefits.myshopify.com";
const NOW = Date.parse("2026-03-01T12:00:00Z");
let standIn: StandIn;
beforeAll(async () => {
  standIn = await startStandIn({ shops: [{ domain: SHOP, accessToken: "shpat_test" }] });
});
afterAll(async () => standIn.close());
const shopDb = adminTestDb(SHOP, (db) => seedPublished(db, SHOP));
let db: Db;
beforeEach(() => void (db = shopDb.db));

const saveBenefits = (levelId: string, input: Record<string, unknown>) =>
  saveBenefitsAction(db, SHOP, levelId, formData({ intent: "save", payload: input }), NOW);
const admin = () => standInAdminClient({ url: standIn.url, shop: SHOP, accessToken: "shpat_test" });

describe("saving benefits", () => {
  it("stores shopper benefits, puts points rules on the draft and queues one discount sync", async () => {
    await saveBenefits("gold", benefitsInput());
    const benefits = await loadShopperBenefits(db, SHOP);
    expect(benefits.gold.discount).toMatchObject({ type: "percentage", value: "10", minimumOrder: "50.00" });
    expect(benefits.gold.freeShipping).toEqual({ countries: ["US", "CA"], minimumOrder: null });
    expect(benefits.gold.custom).toEqual([{ title: "Early access", icon: "star", description: "" }]);
    const draft = programOf((await loadVersions(db, SHOP)).draft)!;
    expect((draft.points as any).earn).toEqual([{ per: "amount", every: "1.00", points: 2, prorate: true, levels: ["gold"] }]);
    expect(draft.levels!.find((l) => l.id === "gold")!.upgradePoints).toBe(100);

    await saveBenefits("silver", benefitsInput({ freeShipping: null }));
    const jobs = await db.job.findMany({ where: { type: DISCOUNT_SYNC_JOB } });
    expect(jobs).toHaveLength(1); // deduped while queued
    expect(jobs[0]).toMatchObject({ shop: SHOP, status: "queued" });
    expect((await benefitsEditView(db, SHOP, "gold")).discountSync.state).toBe("pending");
    const resyncs = await db.job.findMany({ where: { type: REVIEW_MEMBERS_JOB }, orderBy: { key: "asc" } });
    expect(resyncs.map((j) => [j.key, JSON.parse(j.payload)])).toEqual([
      [`${REVIEW_MEMBERS_JOB}:${SHOP}:level:gold`, { levelId: "gold" }],
      [`${REVIEW_MEMBERS_JOB}:${SHOP}:level:silver`, { levelId: "silver" }],
    ]);
  });

  it("saving again replaces the level's benefits rather than adding to them", async () => {
    await saveBenefits(
      "gold",
      benefitsInput({
        custom: [
          { title: "A", icon: "star" },
          { title: "B", icon: "gem" },
        ],
      }),
    );
    await saveBenefits("gold", benefitsInput({ discount: null, custom: [{ title: "C", icon: "star" }] }));
    const benefits = (await loadShopperBenefits(db, SHOP)).gold;
    expect(benefits.discount).toBeNull();
    expect(benefits.custom.map((c) => c.title)).toEqual(["C"]);
  });

  it.each([
    [
      "a 150% discount",
      benefitsInput({ discount: { ...benefitsInput().discount, amount: { type: "percentage", value: "150" } } }),
      "discount.amount.value",
    ],
    [
      "a welcome discount valid 120 days",
      benefitsInput({ welcome: { amount: { type: "percentage", value: "5" }, validDays: "120" } }),
      "welcome.validDays",
    ],
  ])("rejects %s and writes nothing", async (_n, input, field) => {
    const e = await rejected(() => saveBenefits("gold", input));
    expect(e.status).toBe(422);
    expect(Object.keys(e.errors)).toContain(field);
    expect(await db.benefit.count()).toBe(0);
    expect(await db.job.count()).toBe(0);
    expect((await loadVersions(db, SHOP)).draft).toBeNull();
  });

  it("an unknown level is a 404 and writes nothing", async () => {
    expect((await rejected(() => saveBenefits("bronze", benefitsInput()))).status).toBe(404);
    expect(await db.benefit.count()).toBe(0);
  });
});

describe("Shopify's Function limits, checked when benefits are saved", () => {
  const collections = (from: number, n: number) => Array.from({ length: n }, (_, i) => `gid://shopify/Collection/${1_000_000 + from + i}`);
  const products = (from: number, n: number) => Array.from({ length: n }, (_, i) => `gid://shopify/Product/${1_000_000_000_000 + from + i}`);
  const scoped = (scope: Record<string, unknown>) => benefitsInput({ discount: { ...benefitsInput().discount, scope: scopeInput(scope) } });

  it.each([
    [
      "120 tags in one scope",
      [] as [string, Record<string, unknown>][],
      ["gold", scoped({ excludeTags: Array.from({ length: 120 }, (_, i) => `tag-${i}`) })],
      "discount.scope",
      ["at most 100 tags", "Gold (120 excluded)", "Remove 20 tags or more"],
    ],
    [
      "101 collections to include, beside another level's scope",
      [["gold", scoped({ collectionIds: collections(0, 2) })]],
      ["silver", scoped({ collectionIds: collections(2, 101) })],
      "discount.scope",
      ["at most 100 collections", "Silver (101 included)", "Remove 1 collection or more"],
    ],
    [
      "products that take the settings past 10,000 bytes",
      [["gold", scoped({ productIds: products(0, 200) })]],
      ["silver", scoped({ productIds: products(200, 100) })],
      "_form",
      ["at most 10,000 bytes", "no member gets a discount", "Gold ("],
    ],
  ] as const)("refuses %s, names what to trim, and writes nothing", async (_n, before, [levelId, input], field, phrases) => {
    for (const [id, ok] of before) await saveBenefits(id, ok);
    const benefitsBefore = await db.benefit.count();
    const jobsBefore = await db.job.count();
    const e = await rejected(() => saveBenefits(levelId, input));
    expect(e.status).toBe(422);
    for (const phrase of phrases) expect(e.errors[field]).toContain(phrase);
    expect(await db.benefit.count()).toBe(benefitsBefore);
    expect(await db.job.count()).toBe(jobsBefore);
    expect((await loadShopperBenefits(db, SHOP)).silver).toBeUndefined();
  });

  it("accepts scopes of many collections and tags: every level's included and excluded lists, up to 100 entries each", async () => {
    // Before slots, about 2 collections or 5 tags across all levels filled a 200-line cart's input.
    await saveBenefits(
      "gold",
      scoped({
        collectionIds: collections(0, 100),
        excludeCollectionIds: collections(100, 3),
        tags: ["vip", "members"],
        excludeTags: ["clearance"],
        productIds: products(0, 40),
      }),
    );
    await saveBenefits(
      "silver",
      scoped({ collectionIds: collections(200, 20), excludeCollectionIds: collections(300, 1), excludeTags: ["clearance", "final-sale"] }),
    );
    expect(Object.keys(await loadShopperBenefits(db, SHOP)).sort()).toEqual(["gold", "silver"]);
  });

  it("a configuration over the limits that reaches the sync (rows written around the form) is not written, and says why", async () => {
    await saveBenefits("gold", benefitsInput());
    const row = await db.benefit.findFirstOrThrow({ where: { shop: SHOP, levelId: "gold", kind: "discount" } });
    const over = { ...JSON.parse(row.configJson), scope: { tags: Array.from({ length: 101 }, (_, i) => `t${i}`) } };
    await db.benefit.update({ where: { id: row.id }, data: { configJson: JSON.stringify(over) } });
    await expect(syncTierDiscount(db, admin(), SHOP)).rejects.toThrow(/at most 100/);
    expect(Object.keys(standIn.shop(SHOP).discounts)).toEqual([]);
    const view = await benefitsEditView(db, SHOP, "gold");
    expect(view.discountSync.state).toBe("failed");
    expect(view.discountSync.message).toContain("Over it: Gold (101 included). Remove 1 tag or more from each.");
  });
});

describe("the discount Function's configuration", () => {
  it("is written to the shop's automatic discount through the sync adapter, then reported up to date", async () => {
    await saveBenefits("gold", benefitsInput());
    await saveBenefits(
      "silver",
      benefitsInput({
        freeShipping: null,
        discount: {
          ...benefitsInput().discount,
          amount: { type: "fixed", value: "5" },
          combinesWith: { productDiscounts: true, orderDiscounts: true, shippingDiscounts: true },
        },
      }),
    );
    const { discountId } = await syncTierDiscount(db, admin(), SHOP);
    const discount = standIn.shop(SHOP).discounts[discountId!];
    expect(discount).toBeDefined();
    expect(discount.combinesWith).toEqual({ productDiscounts: false, orderDiscounts: false, shippingDiscounts: true });
    const config = standIn.metafieldJson(discountId!, "discount-config", undefined, SHOP) as any;
    expect(config.enabled).toBe(true);
    expect(Object.keys(config.levels).sort()).toEqual(["gold", "silver"]);
    expect(config.levels.gold.discount).toMatchObject({ type: "percentage", value: "10", minimumOrder: "50.00", appliesTo: "retail" });
    expect(config.levels.silver).toEqual({
      discount: { type: "fixed", value: "5.00", minimumOrder: "50.00", appliesTo: "retail", scope: null, saleItemExtra: null },
      freeShipping: null,
    });
    expect((await benefitsEditView(db, SHOP, "gold")).discountSync).toEqual({ state: "synced", message: null });

    // A second sync updates the same discount.
    await saveBenefits("gold", benefitsInput({ discount: null }));
    expect((await syncTierDiscount(db, admin(), SHOP)).discountId).toBe(discountId);
    expect((standIn.metafieldJson(discountId!, "discount-config", undefined, SHOP) as any).levels.gold).toEqual({
      discount: null,
      freeShipping: { countries: ["US", "CA"], minimumOrder: null },
    });
  });

  it("is removed from the shop while the program is disabled, and comes back when it is enabled again", async () => {
    await saveBenefits("gold", benefitsInput());
    const { discountId } = await syncTierDiscount(db, admin(), SHOP);
    expect(standIn.shop(SHOP).discounts[discountId!]).toBeDefined();

    // As a publish does: the new version, then a discount sync requested.
    await seedPublished(db, SHOP, programJson({ enabled: false }), new Date(NOW));
    await requestDiscountSync(db, SHOP, NOW);
    expect(await syncTierDiscount(db, admin(), SHOP)).toMatchObject({ discountId: null });
    expect(Object.keys(standIn.shop(SHOP).discounts)).toEqual([]);
    expect((await benefitsEditView(db, SHOP, "gold")).discountSync).toEqual({ state: "synced", message: null });
    // Disabled twice: nothing left to remove, still fine.
    expect(await syncTierDiscount(db, admin(), SHOP)).toMatchObject({ discountId: null });

    await seedPublished(db, SHOP, programJson({ enabled: true }), new Date(NOW + 1000));
    const again = await syncTierDiscount(db, admin(), SHOP);
    expect((standIn.metafieldJson(again.discountId!, "discount-config", undefined, SHOP) as any).enabled).toBe(true);
  });

  it("a failing Admin API is recorded and shown, and the save itself stands", async () => {
    await saveBenefits("gold", benefitsInput());
    standIn.injectFault({ kind: "http", status: 503, count: 2, shop: SHOP });
    // Retries are the adapter's business (tested there); here they are few and instant.
    await expect(syncTierDiscount(db, admin(), SHOP, { maxAttempts: 2, sleep: async () => undefined })).rejects.toThrow();
    const view = await benefitsEditView(db, SHOP, "gold");
    expect(view.discountSync.state).toBe("failed");
    expect(view.discountSync.message).toBeTruthy();
    expect((await loadShopperBenefits(db, SHOP)).gold.discount).not.toBeNull();
  });
});

describe("program settings", () => {
  it("puts rules on the draft and templates on the shop, in one save", async () => {
    await saveSettingsAction(
      db,
      SHOP,
      formData({ intent: "save", payload: settingsInput({ validity: { kind: "oneYear" }, graceDays: "14", channels: ["online_store", "pos"] }) }),
    );
    const draft = programOf((await loadVersions(db, SHOP)).draft)!;
    expect(draft).toMatchObject({ validity: { kind: "oneYear" }, graceDays: 14, channels: ["online_store", "pos"] });
    expect(draft.levels).toEqual(programJson().levels);
    const shop = await db.shop.findUniqueOrThrow({ where: { domain: SHOP } });
    expect(JSON.parse(shop.settingsJson!).notifications.levelUp).toEqual({ subject: "Welcome to {level}", body: "Hi {name}, enjoy {discount}." });
    const view = await settingsView(db, SHOP);
    expect(view.form.graceDays).toBe("14");
    expect(view.form.notifications.levelUp.subject).toBe("Welcome to {level}");
    expect(view.draftPending).toBe(true);
  });

  it.each([
    [
      "a typo in a template",
      settingsInput({ notifications: { levelUp: { subject: "{levl}", body: "x" }, levelDown: { subject: "x", body: "x" } } }),
      "notifications.levelUp.subject",
    ],
    ["a fixed window ending before it starts", settingsInput({ window: { kind: "fixed", from: "2026-05-01", to: "2026-01-01" } }), "window.to"],
  ])("rejects %s and writes nothing", async (_n, input, field) => {
    const e = await rejected(() => saveSettingsAction(db, SHOP, formData({ intent: "save", payload: input })));
    expect(Object.keys(e.errors)).toContain(field);
    expect((await loadVersions(db, SHOP)).draft).toBeNull();
    expect((await db.shop.findUniqueOrThrow({ where: { domain: SHOP } })).settingsJson).toBeNull();
  });
});
