import { describe, expect, it } from "vitest";
import {
  buildLevel,
  buildProgramJson,
  evaluate,
  itemCount,
  line,
  paid,
  productPurchase,
  refund,
  spend,
} from "../../tools/sample-data/program-builders";

type Json = Record<string, unknown>;
const measure = (over: Json, events: ReturnType<typeof paid>[]) =>
  evaluate(buildProgramJson({ levels: [], ...over }), events, "2026-02-01T00:00:00Z").spend;

// total 120.00 = goods 100.00 (2 × 50.00) + shipping 10.00 + tax 10.00
const order = { id: "o1", total: "120.00", subtotal: "100.00", shipping: "10.00", tax: "10.00", lines: [line("l1", "50.00", 2)] };

describe("counted spend of an order", () => {
  it.each<[string, Json, number]>([
    ["default: total without shipping and taxes", {}, 10000],
    ["shipping counted", { excludeShipping: false }, 11000],
    ["taxes counted", { excludeTaxes: false }, 11000],
    ["the whole total", { excludeShipping: false, excludeTaxes: false }, 12000],
    ["subtotal base ignores the shipping/tax toggles", { base: "subtotal", excludeShipping: false, excludeTaxes: false }, 10000],
  ])("%s", (_name, spendDef, expected) => {
    expect(measure({ spend: spendDef }, [paid("2026-01-01T00:00:00Z", order)])).toBe(expected);
  });

  it.each<[string, Json]>([
    ["total", { base: "total" }],
    ["subtotal", { base: "subtotal" }],
  ])("gift-card lines never count (base %s)", (_name, spendDef) => {
    const withGift = {
      id: "o2",
      total: "140.00",
      subtotal: "120.00",
      shipping: "10.00",
      tax: "10.00",
      lines: [line("l1", "50.00", 2), line("g", "20.00", 1, { giftCard: true })],
    };
    expect(measure({ spend: spendDef }, [paid("2026-01-01T00:00:00Z", withGift)])).toBe(10000);
  });

  it("an order of only gift cards counts for nothing, not even as an order", () => {
    const p = { levels: [buildLevel({ id: "a", rank: 1, upgrade: [[{ kind: "orderCount", count: 1 }]] })] };
    const gift = { id: "g1", lines: [line("g", "100.00", 1, { giftCard: true })] };
    const out = evaluate(buildProgramJson(p), [paid("2026-01-01T00:00:00Z", gift)], "2026-02-01T00:00:00Z");
    expect(out).toMatchObject({ level: null, spend: 0 });
  });
});

describe("counted spend of a refund", () => {
  it.each<[string, Json, number]>([
    [
      "with lines: the refunded goods' share of counted spend (shipping/tax in the amount do not matter)",
      { amount: "55.00", lines: [{ lineId: "l1", quantity: 1 }] },
      5000,
    ],
    ["with lines and no amount", { lines: [{ lineId: "l1", quantity: 2 }] }, 0],
    ["amount only: the amount's share of the total (60 of 120 paid → half of 100 counted)", { amount: "60.00" }, 5000],
    ["more units than bought are clamped", { lines: [{ lineId: "l1", quantity: 9 }] }, 0],
    ["unknown line ids are ignored", { lines: [{ lineId: "nope", quantity: 1 }] }, 10000],
  ])("%s", (_name, r, expected) => {
    expect(measure({}, [paid("2026-01-01T00:00:00Z", order), refund("2026-01-02T00:00:00Z", "o1", r as never)])).toBe(expected);
  });

  it("discounts: refunding half the goods takes back half of what was paid for them", () => {
    const discounted = { id: "o1", subtotal: "90.00", lines: [line("l1", "50.00", 2)] }; // 10% off
    expect(
      measure({}, [paid("2026-01-01T00:00:00Z", discounted), refund("2026-01-02T00:00:00Z", "o1", { lines: [{ lineId: "l1", quantity: 1 }] })]),
    ).toBe(4500);
  });
});

describe("scopes", () => {
  const lines = [
    line("a", "10.00", 1, { productId: "p-a", collectionIds: ["shoes"], tags: [] }),
    line("b", "20.00", 2, { productId: "p-b", collectionIds: ["shoes"], tags: ["sale"] }),
    line("c", "40.00", 1, { productId: "p-c", collectionIds: ["hats"], tags: ["vip"] }),
    line("g", "25.00", 1, { productId: "p-g", collectionIds: ["shoes"], giftCard: true }),
  ];
  const scopedSpend = (scope: Json) => buildProgramJson({ levels: [buildLevel({ id: "x", rank: 1, upgrade: [[spend("0.01", { scope })]] })] });

  it.each<[string, Json, number]>([
    ["productIds", { productIds: ["p-a", "p-c"] }, 5000],
    ["collectionIds", { collectionIds: ["shoes"] }, 5000],
    ["tags", { tags: ["vip"] }, 4000],
    ["include collection, exclude tag", { collectionIds: ["shoes"], excludeTags: ["sale"] }, 1000],
    ["exclude only (everything else)", { excludeCollectionIds: ["hats"] }, 5000],
    ["exclude product", { excludeProductIds: ["p-b"] }, 5000],
    ["includes are ORed", { productIds: ["p-a"], tags: ["vip"] }, 5000],
    ["nothing matches", { tags: ["none"] }, 0],
  ])("scoped spend, %s", (_name, scope, expected) => {
    const out = evaluate(scopedSpend(scope), [paid("2026-01-01T00:00:00Z", { id: "o1", lines })], "2026-02-01T00:00:00Z");
    const measured = out.levelChanges[0]?.reason.kind === "conditionsMet" ? out.levelChanges[0].reason.met.conditions[0].actual : 0;
    expect(measured).toBe(expected);
  });

  it("scoped item counts drop by refunded units", () => {
    const p = buildProgramJson({ levels: [buildLevel({ id: "x", rank: 1, upgrade: [[itemCount(2, { scope: { collectionIds: ["shoes"] } })]] })] });
    const events = [
      paid("2026-01-01T00:00:00Z", { id: "o1", lines }),
      refund("2026-01-02T00:00:00Z", "o1", { lines: [{ lineId: "b", quantity: 2 }] }),
    ];
    expect(evaluate(p, events.slice(0, 1), "2026-02-01T00:00:00Z").level).toBe("x");
    expect(evaluate(p, events, "2026-02-01T00:00:00Z").level).toBeNull();
  });

  it("productPurchase counts units of the scoped products", () => {
    const p = buildProgramJson({ levels: [buildLevel({ id: "x", rank: 1, upgrade: [[productPurchase(3, { productIds: ["p-b", "p-c"] })]] })] });
    expect(evaluate(p, [paid("2026-01-01T00:00:00Z", { id: "o1", lines })], "2026-02-01T00:00:00Z").level).toBe("x");
    expect(evaluate(p, [paid("2026-01-01T00:00:00Z", { id: "o1", lines: lines.slice(1, 2) })], "2026-02-01T00:00:00Z").level).toBeNull();
  });
});
