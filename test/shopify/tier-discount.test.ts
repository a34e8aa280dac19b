import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureMemberMetafieldDefinitions } from "~/shopify/metafield-definitions.server";
import { fetchShopCurrency } from "~/shopify/shop.server";
import { DiscountConfigError, removeTierDiscount, upsertTierDiscount } from "~/shopify/tier-discount.server";
import type { DiscountConfigV1 } from "~/shopify/types";
import { virtualClock } from "../../tools/shopify-stand-in/builders";
import { standInAdminClient, startStandIn, type StandIn } from "../../tools/shopify-stand-in/index";

const TOKEN = "shpat_discount";
const clock = virtualClock();
let standIn: StandIn;
let n = 0;

beforeAll(async () => {
  standIn = await startStandIn({ now: clock.now });
});
afterAll(async () => {
  await standIn.close();
});

function freshShop(currencyCode = "USD") {
  const domain = `discount-${++n}.myshopify.com`;
  standIn.addShop({ domain, accessToken: TOKEN, currencyCode });
  return { domain, admin: standInAdminClient({ url: standIn.url, shop: domain, accessToken: TOKEN }) };
}

const policy = { sleep: clock.sleep, now: clock.now };

const config = (percent: string): DiscountConfigV1 => ({
  v: 1,
  enabled: true,
  levels: {
    gold: {
      discount: { type: "percentage", value: percent, minimumOrder: "50.00", appliesTo: "retail", scope: null, saleItemExtra: null },
      freeShipping: { countries: ["US"], minimumOrder: "75.00" },
    },
    silver: {
      discount: {
        type: "fixed",
        value: "5.00",
        minimumOrder: null,
        appliesTo: "discounted",
        scope: {
          productIds: [],
          collectionIds: ["gid://shopify/Collection/2"],
          tags: ["summer"],
          excludeProductIds: [],
          excludeCollectionIds: [],
          excludeTags: ["final-sale"],
        },
        saleItemExtra: null,
      },
      freeShipping: null,
    },
  },
});

describe("tier discount", () => {
  it("creates the automatic app discount with its configuration metafield, then updates it in place", async () => {
    const { domain, admin } = freshShop();
    const created = await upsertTierDiscount(admin, config("10"), policy);
    expect(created.created).toBe(true);
    const shop = standIn.shop(domain);
    expect(Object.keys(shop.discounts)).toEqual([created.discountId]);
    expect(shop.discounts[created.discountId]).toMatchObject({
      functionHandle: "tier-discount",
      discountClasses: ["PRODUCT", "SHIPPING"],
      title: "Member level discount",
    });
    expect(standIn.metafieldJson(created.discountId, "discount-config", "$app:tierline", domain)).toEqual(config("10"));
    // The Function's input-query variables: a slot per distinct collection list and tag list of the levels' scopes,
    // every other slot written empty so no variable is ever null.
    expect(standIn.metafieldJson(created.discountId, "discount-variables", "$app:tierline", domain)).toEqual({
      c0: ["gid://shopify/Collection/2"],
      c1: [],
      c2: [],
      c3: [],
      c4: [],
      c5: [],
      t0: ["final-sale"],
      t1: ["summer"],
      t2: [],
      t3: [],
      t4: [],
      t5: [],
    });

    // No id passed: the discount is found by its configuration metafield, not duplicated.
    const updated = await upsertTierDiscount(admin, config("15"), { ...policy, combinesWith: { shippingDiscounts: true } });
    expect(updated).toEqual({ discountId: created.discountId, created: false });
    expect(Object.keys(shop.discounts)).toHaveLength(1);
    expect(shop.discounts[created.discountId].combinesWith).toEqual({ productDiscounts: false, orderDiscounts: false, shippingDiscounts: true });
    expect(standIn.metafieldJson(created.discountId, "discount-config", "$app:tierline", domain)).toEqual(config("15"));
  });

  it.each([
    { name: "a non-decimal value", patch: { value: "ten" }, issue: "levels.gold.discount.value" },
    { name: "a percentage over 100", patch: { value: "150" }, issue: "levels.gold.discount.value: a percentage cannot exceed 100" },
    { name: "an unknown base price", patch: { appliesTo: "msrp" }, issue: "levels.gold.discount.appliesTo" },
  ])("rejects $name with the Function's own validator, before calling Shopify", async ({ patch, issue }) => {
    const { domain, admin } = freshShop();
    const bad = { ...config("10"), levels: { gold: { discount: { ...config("10").levels.gold.discount!, ...patch }, freeShipping: null } } };
    const error = await upsertTierDiscount(admin, bad as DiscountConfigV1, policy).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiscountConfigError);
    expect((error as DiscountConfigError).issues.join("\n")).toContain(issue);
    expect(standIn.calls(domain)).toHaveLength(0);
  });

  it("removes the discount, and removing again is a no-op", async () => {
    const { domain, admin } = freshShop();
    const { discountId } = await upsertTierDiscount(admin, config("10"), policy);
    expect(await removeTierDiscount(admin, policy)).toEqual({ deletedDiscountId: discountId });
    expect(standIn.shop(domain).discounts).toEqual({});
    expect(await removeTierDiscount(admin, policy)).toEqual({ deletedDiscountId: null });
  });
});

describe("install helpers", () => {
  it("creates the customer metafield definitions once: the documents shopper-readable, the birthday writable from the account page", async () => {
    const { domain, admin } = freshShop();
    const documents = ["level", "progress", "benefits", "history", "rewards"];
    expect(await ensureMemberMetafieldDefinitions(admin, policy)).toEqual({ created: [...documents, "birthday"], existing: [] });
    expect(await ensureMemberMetafieldDefinitions(admin, policy)).toEqual({ created: [], existing: [...documents, "birthday"] });
    expect(standIn.shop(domain).metafieldDefinitions.map((d) => [d.namespace, d.key, d.type, d.ownerType, d.access])).toEqual([
      ...documents.map((key) => [
        "app--424242--tierline",
        key,
        "json",
        "CUSTOMER",
        { admin: "MERCHANT_READ", storefront: "PUBLIC_READ", customerAccount: "READ" },
      ]),
      [
        "app--424242--tierline",
        "birthday",
        "single_line_text_field",
        "CUSTOMER",
        { admin: "MERCHANT_READ", storefront: "NONE", customerAccount: "READ_WRITE" },
      ],
    ]);
  });

  it.each(["USD", "EUR", "JPY"])("reads the shop currency (%s)", async (currency) => {
    const { admin } = freshShop(currency);
    expect(await fetchShopCurrency(admin, policy)).toBe(currency);
  });
});
