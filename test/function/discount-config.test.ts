import { describe, expect, it } from "vitest";
import {
  decimalToHundredths,
  discountLimitIssues,
  discountSlotPlan,
  discountVariablesOf,
  FUNCTION_LIMITS,
  levelBenefitsOf,
  parseDiscountConfig,
  type DiscountConfigV1,
} from "~/shared/discount-config";

const scope = {
  productIds: ["gid://shopify/Product/1"],
  collectionIds: ["c1"],
  tags: ["vip"],
  excludeProductIds: [],
  excludeCollectionIds: ["c2"],
  excludeTags: ["clearance"],
};
const valid: DiscountConfigV1 = {
  v: 1,
  enabled: true,
  levels: {
    silver: {
      discount: { type: "fixed", value: "5.00", minimumOrder: "50.00", appliesTo: "discounted", scope: null, saleItemExtra: null },
      freeShipping: null,
    },
    gold: {
      discount: { type: "percentage", value: "12.5", minimumOrder: null, appliesTo: "retail", scope, saleItemExtra: "5" },
      freeShipping: { countries: ["US", "CA"], minimumOrder: "75.00" },
    },
    vip_3: { discount: null, freeShipping: { countries: null, minimumOrder: null } },
  },
};

/** A copy of the valid config with one level's benefits replaced. */
function withGold(gold: unknown): unknown {
  return { ...valid, levels: { ...valid.levels, gold } };
}
const goldDiscount = (patch: Record<string, unknown>) => withGold({ ...valid.levels.gold, discount: { ...valid.levels.gold.discount, ...patch } });
const goldShipping = (patch: Record<string, unknown>) =>
  withGold({ ...valid.levels.gold, freeShipping: { ...valid.levels.gold.freeShipping, ...patch } });

describe("decimalToHundredths", () => {
  it.each([
    ["10", 1000],
    ["12.5", 1250],
    ["0.05", 5],
    ["1200.00", 120000],
    ["0", 0],
    ["007", 700],
  ])("%s → %i", (s, expected) => expect(decimalToHundredths(s)).toBe(expected));

  it.each([["1.234"], ["-1"], ["+1"], ["1e3"], ["1,000"], ["1."], [".5"], [""], ["1.2.3"], [" 1"], ["12345678901234567"]])("rejects %j", (s) => {
    expect(decimalToHundredths(s)).toBeNull();
  });

  it.each([[10], [null], [undefined], [{}]])("rejects non-strings (%j)", (v) => expect(decimalToHundredths(v)).toBeNull());
});

describe("parseDiscountConfig", () => {
  it("accepts the contract's shape and returns it unchanged", () => {
    const result = parseDiscountConfig(JSON.parse(JSON.stringify(valid)));
    expect(result).toEqual({ ok: true, config: valid });
  });

  it("fills in what a reader may assume: missing scope lists are empty, missing nullable fields are null", () => {
    const result = parseDiscountConfig(
      withGold({ discount: { type: "percentage", value: "10", appliesTo: "discounted", scope: { tags: ["vip"] } } }),
    );
    expect(result.ok && result.config.levels.gold).toEqual({
      discount: {
        type: "percentage",
        value: "10",
        minimumOrder: null,
        appliesTo: "discounted",
        scope: { productIds: [], collectionIds: [], tags: ["vip"], excludeProductIds: [], excludeCollectionIds: [], excludeTags: [] },
        saleItemExtra: null,
      },
      freeShipping: null,
    });
  });

  it.each([
    ["not an object", "[]", ["config: must be an object"]],
    ["an unknown version", { ...valid, v: 2 }, ["v: must be 1 (this reader knows version 1 only)"]],
    ["enabled as a string", { ...valid, enabled: "yes" }, ["enabled: must be true or false"]],
    ["levels as a list", { ...valid, levels: [] }, ["levels: must be an object keyed by level id"]],
    [
      "a level id with a space",
      { ...valid, levels: { "go ld": valid.levels.silver } },
      ["levels.go ld: level ids are 1–64 letters, digits, '-' or '_'"],
    ],
    ["a level that is not an object", withGold("gold"), ["levels.gold: must be an object with discount and freeShipping"]],
    ["an unknown discount type", goldDiscount({ type: "bogo" }), ['levels.gold.discount.type: must be "percentage" or "fixed"']],
    [
      "a value in words",
      goldDiscount({ value: "ten" }),
      ['levels.gold.discount.value: must be a decimal string above 0 with at most 2 decimals, like "10" or "5.00"'],
    ],
    [
      "a zero value",
      goldDiscount({ value: "0" }),
      ['levels.gold.discount.value: must be a decimal string above 0 with at most 2 decimals, like "10" or "5.00"'],
    ],
    [
      "a numeric value",
      goldDiscount({ value: 10 }),
      ['levels.gold.discount.value: must be a decimal string above 0 with at most 2 decimals, like "10" or "5.00"'],
    ],
    ["over 100%", goldDiscount({ value: "100.01" }), ["levels.gold.discount.value: a percentage cannot exceed 100"]],
    [
      "a minimum with 3 decimals",
      goldDiscount({ minimumOrder: "50.001" }),
      ['levels.gold.discount.minimumOrder: must be an amount like "50.00" (at most 2 decimals), or null'],
    ],
    ["an unknown base", goldDiscount({ appliesTo: "msrp" }), ['levels.gold.discount.appliesTo: must be "retail" or "discounted"']],
    [
      "a scope list of numbers",
      goldDiscount({ scope: { ...scope, productIds: [1] } }),
      ["levels.gold.discount.scope.productIds: must be a list of non-empty strings"],
    ],
    [
      "a sale extra over 100",
      goldDiscount({ saleItemExtra: "101" }),
      ['levels.gold.discount.saleItemExtra: must be a percentage from 0 to 100, like "5", or null'],
    ],
    [
      "a lower-case country",
      goldShipping({ countries: ["US", "ca"] }),
      ['levels.gold.freeShipping.countries[1]: must be a two-letter country code like "US"'],
    ],
    [
      "countries as a string",
      goldShipping({ countries: "US" }),
      ["levels.gold.freeShipping.countries: must be a list of two-letter country codes, or null for everywhere"],
    ],
    [
      "a negative shipping minimum",
      goldShipping({ minimumOrder: "-1" }),
      ['levels.gold.freeShipping.minimumOrder: must be an amount like "50.00" (at most 2 decimals), or null'],
    ],
  ])("rejects %s", (_case, json, errors) => {
    expect(parseDiscountConfig(typeof json === "string" ? JSON.parse(json) : json)).toEqual({ ok: false, errors });
  });

  it("reports every problem at once", () => {
    const result = parseDiscountConfig({
      v: 1,
      enabled: true,
      levels: { gold: { discount: { type: "x", value: "x", appliesTo: "x" }, freeShipping: { countries: [1] } } },
    });
    expect(result.ok ? [] : result.errors).toHaveLength(4);
  });

  it("treats a level id like __proto__ as data, never as the object's prototype", () => {
    const json = JSON.parse('{"v":1,"enabled":true,"levels":{"__proto__":{"discount":null,"freeShipping":{"countries":null,"minimumOrder":null}}}}');
    const result = parseDiscountConfig(json);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(levelBenefitsOf(result.config, "__proto__")).toEqual({ discount: null, freeShipping: { countries: null, minimumOrder: null } });
    expect(levelBenefitsOf(result.config, "constructor")).toBeNull();
    expect(levelBenefitsOf(result.config, "toString")).toBeNull();
  });
});

const EMPTY_SLOTS = { c0: [], c1: [], c2: [], c3: [], c4: [], c5: [], t0: [], t1: [], t2: [], t3: [], t4: [], t5: [] };

describe("discountVariablesOf", () => {
  it("gives each distinct collection list and tag list a slot (included or excluded), entries deduplicated and sorted, lists in the order of their JSON", () => {
    const other = { ...scope, collectionIds: ["c3", "c1", "c3"], tags: [], excludeCollectionIds: ["c2"], excludeTags: ["vip"] };
    const cfg: DiscountConfigV1 = {
      ...valid,
      levels: { ...valid.levels, silver: { discount: { ...valid.levels.silver.discount!, scope: other }, freeShipping: null } },
    };
    // gold: collections [c1], excluded [c2], tags [vip], excluded [clearance]; silver: [c1, c3], excluded [c2] (shared), excluded tags [vip] (shared).
    expect(discountVariablesOf(cfg)).toEqual({ ...EMPTY_SLOTS, c0: ["c1", "c3"], c1: ["c1"], c2: ["c2"], t0: ["clearance"], t1: ["vip"] });
    expect(discountSlotPlan(cfg).scopes.gold).toEqual({ collections: "c1", excludeCollections: "c2", tags: "t1", excludeTags: "t0" });
    expect(discountSlotPlan(cfg).scopes.silver).toEqual({ collections: "c0", excludeCollections: "c2", tags: null, excludeTags: "t1" });
  });

  it("gives the same slots whatever the order of the levels and of their lists", () => {
    const a = { v: 1 as const, enabled: true, levels: { x: scoped({ collectionIds: ["b", "a"] }), y: scoped({ excludeCollectionIds: ["z"] }) } };
    const b = { v: 1 as const, enabled: true, levels: { y: scoped({ excludeCollectionIds: ["z"] }), x: scoped({ collectionIds: ["a", "b"] }) } };
    expect(discountVariablesOf(a)).toEqual(discountVariablesOf(b));
    expect(discountSlotPlan(a).scopes).toEqual(discountSlotPlan(b).scopes);
  });

  it("writes every slot, empty when no level has a scope", () => {
    expect(discountVariablesOf({ v: 1, enabled: true, levels: { silver: valid.levels.silver } })).toEqual(EMPTY_SLOTS);
  });
});

function scoped(over: Partial<typeof scope>): DiscountConfigV1["levels"][string] {
  return {
    discount: {
      ...valid.levels.gold.discount!,
      scope: { ...scope, productIds: [], collectionIds: [], excludeCollectionIds: [], tags: [], excludeTags: [], ...over },
    },
    freeShipping: null,
  };
}

describe("discountLimitIssues", () => {
  const withScope = (over: Partial<typeof scope>): DiscountConfigV1 => ({
    v: 1,
    enabled: true,
    levels: {
      gold: {
        discount: {
          ...valid.levels.gold.discount!,
          scope: { ...scope, collectionIds: [], excludeCollectionIds: [], tags: [], excludeTags: [], ...over },
        },
        freeShipping: null,
      },
    },
  });
  const tags = (n: number) => Array.from({ length: n }, (_, i) => `t${i}`);
  const levels = (n: number, over: (i: number) => Partial<typeof scope>): DiscountConfigV1 => ({
    v: 1,
    enabled: true,
    levels: Object.fromEntries(Array.from({ length: n }, (_, i) => [`l${i}`, scoped(over(i))])),
  });
  /** A configuration of exactly `bytes` bytes of JSON, padded with product ids (which cost nothing per cart line). */
  function ofBytes(bytes: number): DiscountConfigV1 {
    const cfg = withScope({ productIds: [] });
    const size = () => Buffer.byteLength(JSON.stringify(cfg));
    const ids = cfg.levels.gold.discount!.scope!.productIds;
    // Each id adds its length + 3 (quotes and comma); the loop leaves room for a last id of 1–13 digits.
    while (size() + 13 + 4 <= bytes) ids.push(String(1_000_000_000 + ids.length));
    ids.push("9".repeat(bytes - size() - 3));
    expect(size()).toBe(bytes);
    return cfg;
  }

  it.each([
    ["the valid example", valid, []],
    ["exactly 10,000 bytes", ofBytes(FUNCTION_LIMITS.metafieldBytes), []],
    ["10,001 bytes", ofBytes(FUNCTION_LIMITS.metafieldBytes + 1), ["configBytes"]],
    ["100 tags in one list", withScope({ excludeTags: tags(100) }), []],
    ["101 tags in one list", withScope({ excludeTags: tags(101) }), ["tags"]],
    ["101 collections in one list", withScope({ collectionIds: tags(101) }), ["collections"]],
    ["100 collections included and 100 other excluded", withScope({ collectionIds: tags(100), excludeCollectionIds: tags(200).slice(100) }), []],
    ["6 levels, each excluding its own collection", levels(6, (i) => ({ excludeCollectionIds: [`brand-${i}`] })), []],
    ["7 levels, each excluding its own collection", levels(7, (i) => ({ excludeCollectionIds: [`brand-${i}`] })), ["collectionLists"]],
    ["7 levels, all excluding the same collection", levels(7, () => ({ excludeCollectionIds: ["brand-a"] })), []],
    ["7 levels, each with its own tag list", levels(7, (i) => ({ tags: [`t${i}`, "shared"] })), ["tagLists"]],
    ["6 collection lists and 6 tag lists", levels(6, (i) => ({ collectionIds: [`c${i}`], excludeTags: [`t${i}`] })), []],
  ] as const)("%s", (_name, cfg, kinds) => {
    expect(discountLimitIssues(cfg).map((i) => i.kind)).toEqual(kinds);
  });

  it.each([
    [
      "a list over 100 entries",
      withScope({ tags: tags(101) }),
      "A level discount's scope can name at most 100 tags to include and 100 to exclude (Shopify's limit for one list). Over it: Level gold (101 included). Remove 1 tag or more from each.",
    ],
    [
      "more lists than slots",
      levels(8, (i) => ({ collectionIds: [`c${i}`] })),
      "The level discounts' scopes use 8 different collection lists (included or excluded), and the discount can check at most 6 at checkout. " +
        "Levels that include or exclude exactly the same collections share one list. Remove 2 collection lists (or make them the same as another level's) " +
        "in the scopes of Level l0, Level l1, Level l2, Level l3, Level l4, Level l5, Level l6, Level l7.",
    ],
  ])("names the levels to trim by the names merchants know: %s", (_name, cfg, message) => {
    expect(discountLimitIssues(cfg, (id) => `Level ${id}`).map((i) => i.message)).toEqual([message]);
  });
});
