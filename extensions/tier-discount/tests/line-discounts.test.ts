import { beforeEach, describe, expect, it } from "vitest";
import type { DiscountScopeV1, LevelBenefitsV1 } from "../../../app/shared/discount-config";
import { cartLinesDiscountsGenerateRun, planLineDiscounts } from "../src/cart_lines_discounts_generate_run";
import {
  config,
  goldBenefits,
  goldLevel,
  line,
  linesInput,
  resetLineIds,
  variablesOf,
  type CartLineInput,
  type DiscountClassName,
} from "./support/function-input";

beforeEach(() => resetLineIds());

const noScope: DiscountScopeV1 = { productIds: [], collectionIds: [], tags: [], excludeProductIds: [], excludeCollectionIds: [], excludeTags: [] };
type DiscountPatch = Partial<NonNullable<LevelBenefitsV1["discount"]>>;

/** Each line's quantity in the last run, so a per-item amount reads as what the whole line gets. */
const quantities = new Map<string, number>();

function run(opts: {
  discount?: DiscountPatch;
  classes?: DiscountClassName[];
  level?: unknown;
  rate?: string;
  lines: CartLineInput[];
  levels?: Record<string, LevelBenefitsV1>;
}) {
  quantities.clear();
  for (const l of opts.lines) quantities.set(l.id, l.quantity);
  const levels = opts.levels ?? { gold: goldBenefits({ discount: opts.discount ?? {} }) };
  return planLineDiscounts(linesInput({ classes: opts.classes, level: opts.level, rate: opts.rate, config: config(levels), lines: opts.lines }));
}

/** Each discounted line id with the value it gets (a per-item amount times the line's quantity), across operations. */
function discounted(result: ReturnType<typeof run>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const op of result.operations) {
    if (op.productDiscountsAdd) {
      for (const c of op.productDiscountsAdd.candidates) {
        for (const t of c.targets) {
          const id = t.cartLine!.id;
          const fixed = c.value.fixedAmount;
          const v = c.value.percentage
            ? `${c.value.percentage.value}%`
            : fixed!.appliesToEachItem
              ? times(fixed!.amount, quantities.get(id)!)
              : fixed!.amount;
          out[id.split("/").pop()!] = v;
        }
      }
    } else {
      const c = op.orderDiscountsAdd!.candidates[0];
      out[`order-${c.targets[0].orderSubtotal!.excludedCartLineIds.map((id) => id.split("/").pop()).join(",")}`] = c.value.percentage
        ? `${c.value.percentage.value}%`
        : c.value.fixedAmount!.amount;
    }
  }
  return out;
}

/** "2.50" × 3 → "7.50" */
function times(amount: string, quantity: number): string {
  const cents = Math.round(Number(amount) * 100) * quantity;
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, "0")}`;
}

describe("who gets the level discount", () => {
  it.each([
    ["an active member", goldLevel(), { "1": "10%" }],
    ["a member in grace", goldLevel({ status: "grace" }), { "1": "10%" }],
    ["a frozen member", goldLevel({ status: "frozen" }), {}],
    ["an unknown status", goldLevel({ status: "paused" }), {}],
    ["an unknown version", goldLevel({ v: 2 }), {}],
    ["no level", { v: 1, id: null }, {}],
    ["an empty level id", goldLevel({ id: "" }), {}],
    ["a level the configuration does not name", goldLevel({ id: "platinum" }), {}],
    ["a level id that is an Object property", goldLevel({ id: "constructor" }), {}],
    ["a metafield that is a list", [goldLevel()], {}],
    ["no metafield", null, {}],
  ])("%s", (_case, level, expected) => {
    expect(discounted(run({ level, lines: [line({ price: "10.0" })] }))).toEqual(expected);
  });

  it("uses the level id in the message when the metafield has no name", () => {
    const result = run({ level: goldLevel({ name: undefined }), lines: [line({ price: "10.0" })] });
    expect(result.operations[0]).toMatchObject({ productDiscountsAdd: { candidates: [{ message: "gold member: 10% off" }] } });
  });

  it("emits nothing for a discount without the PRODUCT or ORDER class", () => {
    expect(run({ classes: ["SHIPPING"], lines: [line({ price: "10.0" })] })).toEqual({ operations: [] });
  });
});

describe("minimum order, on the eligible subtotal in the cart's currency", () => {
  const clearance = { ...noScope, excludeTags: ["clearance"] };
  const vars = variablesOf(config({ gold: goldBenefits({ discount: { scope: clearance } }) }));
  it.each([
    ["just below", "100.00", "1.0", ["60.0", "39.99"], {}],
    ["exactly met", "100.00", "1.0", ["60.0", "40.0"], { "1": "10%", "2": "10%" }],
    ["converted: 100.00 × 1.5 = 150.00 not met", "100.00", "1.5", ["100.0", "49.99"], {}],
    ["converted: 100.00 × 1.5 = 150.00 met", "100.00", "1.5", ["100.0", "50.0"], { "1": "10%", "2": "10%" }],
  ])("%s", (_case, minimumOrder, rate, prices, expected) => {
    const lines = [...prices.map((price) => line({ price }, vars)), line({ price: "500.0", tags: ["clearance"] }, vars)];
    expect(discounted(run({ discount: { minimumOrder, scope: clearance }, rate, lines }))).toEqual(expected);
  });
});

describe("scope", () => {
  const C1 = "gid://shopify/Collection/1";
  const C2 = "gid://shopify/Collection/2";

  it("matches a bare product number in the configuration against the cart's GID", () => {
    const lines = [line({ price: "10.0", productId: "gid://shopify/Product/777" }), line({ price: "10.0", productId: "gid://shopify/Product/778" })];
    expect(discounted(run({ discount: { scope: { ...noScope, productIds: ["777"] } }, lines }))).toEqual({ "1": "10%" });
  });

  /** The variables the app writes for these levels, so every slot answers as Shopify would. */
  const varsOf = (levels: Record<string, LevelBenefitsV1>) => variablesOf(config(levels));
  const scoped = (scope: Partial<DiscountScopeV1>, value = "10") => goldBenefits({ discount: { value, scope: { ...noScope, ...scope } } });

  it("excludes wins over includes", () => {
    const scope = { ...noScope, collectionIds: [C1], excludeCollectionIds: [C2] };
    const vars = varsOf({ gold: goldBenefits({ discount: { scope } }) });
    const lines = [line({ price: "10.0", collections: [C1] }, vars), line({ price: "10.0", collections: [C1, C2] }, vars)];
    expect(discounted(run({ discount: { scope }, lines }))).toEqual({ "1": "10%" });
  });

  it("includes a line in any of the listed collections (Premium and Sale), by tag, or by product", () => {
    const [premium, sale] = ["gid://shopify/Collection/31", "gid://shopify/Collection/32"];
    const scope = { ...noScope, collectionIds: [premium, sale], tags: ["vip-only"], productIds: ["gid://shopify/Product/900"] };
    const vars = varsOf({ gold: goldBenefits({ discount: { scope } }) });
    const lines = [
      line({ price: "10.0", collections: [premium] }, vars),
      line({ price: "10.0", collections: [sale] }, vars),
      line({ price: "10.0", collections: [C1] }, vars),
      line({ price: "10.0", tags: ["vip-only"] }, vars),
      line({ price: "10.0", productId: "gid://shopify/Product/900" }, vars),
    ];
    expect(discounted(run({ discount: { scope }, lines }))).toEqual({ "1": "10%", "2": "10%", "4": "10%", "5": "10%" });
  });

  it("gives five levels, each excluding its own brand's collection, each its own exclusion", () => {
    const brands = [1, 2, 3, 4, 5].map((i) => `gid://shopify/Collection/70${i}`);
    const levels = Object.fromEntries(brands.map((b, i) => [`level-${i + 1}`, scoped({ excludeCollectionIds: [b] }, String(i + 1))]));
    const vars = varsOf(levels);
    brands.forEach((_brand, i) => {
      resetLineIds();
      const lines = brands.map((b) => line({ price: "10.0", collections: [b] }, vars));
      const expected = Object.fromEntries(brands.flatMap((_b, j) => (j === i ? [] : [[String(j + 1), `${i + 1}%`]])));
      expect(discounted(run({ levels, level: goldLevel({ id: `level-${i + 1}`, name: `Level ${i + 1}` }), lines }))).toEqual(expected);
    });
  });

  it.each([
    ["an excluded collection", { ...noScope, excludeCollectionIds: [C2] }, {}],
    ["an excluded tag", { ...noScope, excludeTags: ["clearance"] }, {}],
    ["an included collection", { ...noScope, collectionIds: [C1] }, {}],
    ["only products", { ...noScope, productIds: ["gid://shopify/Product/1"] }, { "1": "10%" }],
  ])("leaves a line out when its slot did not answer, for %s (discount-variables missing)", (_case, scope, expected) => {
    // Without the variables metafield the answers are missing, never a guess: an exclusion that cannot be checked
    // keeps the discount off the line, an inclusion that cannot be checked does not match.
    const l = line({ price: "10.0", collections: [C1, C2], tags: ["clearance"] }, varsOf({ gold: goldBenefits({ discount: { scope } }) }));
    const product = (l.merchandise as { product: Record<string, unknown> }).product;
    for (const slot of Object.keys(product)) if (/^[ct]\d$/.test(slot)) delete product[slot];
    expect(discounted(run({ discount: { scope }, lines: [l] }))).toEqual(expected);
  });

  it("leaves every line out of a level whose excluded list got no slot, and matches nothing by an included one", () => {
    // Seven levels, each excluding its own collection: one more list than slots (the admin refuses this; the
    // Function still never discounts an item it cannot show is outside the exclusion).
    const levels = Object.fromEntries(
      Array.from({ length: 7 }, (_, i) => [`l${i}`, scoped({ excludeCollectionIds: [`gid://shopify/Collection/${800 + i}`] })]),
    );
    const vars = varsOf(levels);
    const lines = () => [line({ price: "10.0" }, vars)];
    expect(discounted(run({ levels, level: goldLevel({ id: "l0" }), lines: lines() }))).toEqual({ "1": "10%" });
    resetLineIds();
    expect(discounted(run({ levels, level: goldLevel({ id: "l6" }), lines: lines() }))).toEqual({});
  });

  it("reads each level's own scope from the shared variables", () => {
    const levels = {
      gold: goldBenefits({ discount: { scope: { ...noScope, collectionIds: [C1] } } }),
      silver: goldBenefits({ discount: { value: "5", scope: { ...noScope, collectionIds: [C2] } } }),
    };
    const vars = varsOf(levels);
    const lines = () => [line({ price: "10.0", collections: [C1] }, vars), line({ price: "10.0", collections: [C2] }, vars)];
    expect(discounted(run({ levels, lines: lines() }))).toEqual({ "1": "10%" });
    resetLineIds();
    expect(discounted(run({ levels, level: goldLevel({ id: "silver", name: "Silver" }), lines: lines() }))).toEqual({ "2": "5%" });
  });

  it("never discounts gift cards or custom products, and emits nothing when no line is eligible", () => {
    expect(run({ lines: [line({ price: "50.0", giftCard: true }), line({ price: "5.0", custom: true })] })).toEqual({ operations: [] });
  });
});

describe("pricing", () => {
  it.each([
    // [case, discount, line, expected]
    ["10% on the price", {}, { price: "19.99", quantity: 3 }, "10%"],
    ["retail base, not on sale: the price", { appliesTo: "retail" as const }, { price: "20.0", compareAt: "15.0" }, "10%"],
    ["retail base on sale: % of the compare-at total", { appliesTo: "retail" as const }, { price: "8.0", compareAt: "10.0", quantity: 3 }, "3.00"],
    ["retail base never exceeds the line", { appliesTo: "retail" as const, value: "90" }, { price: "1.0", compareAt: "10.0" }, "1.00"],
    ["sale extra caps at 100%", { value: "98", saleItemExtra: "5" }, { price: "8.0", compareAt: "10.0" }, "100%"],
    ["sale extra, discounted base", { saleItemExtra: "2.5" }, { price: "8.0", compareAt: "10.0" }, "12.5%"],
    ["fixed amount capped at the eligible subtotal", { type: "fixed" as const, value: "50.00" }, { price: "12.0" }, "12.00"],
  ])("%s", (_case, discount, spec, expected) => {
    expect(discounted(run({ discount, lines: [line(spec)] }))).toEqual({ "1": expected });
  });

  it("shares a fixed amount with sale extras so the shares add up to the amount", () => {
    const lines = [line({ price: "33.33", compareAt: "40.0" }), line({ price: "33.33" }), line({ price: "33.34" })];
    const result = discounted(run({ classes: ["PRODUCT"], discount: { type: "fixed", value: "10.00", saleItemExtra: "10" }, lines }));
    // 10.00 shared by rounding the running total (3.333 → 3.33, 6.666 → 6.67, 10.00): 3.33 / 3.34 / 3.33,
    // plus 10% of 33.33 (3.33) on the sale line.
    expect(result).toEqual({ "1": "6.66", "2": "3.34", "3": "3.33" });
  });
});

describe("order class", () => {
  it.each([
    ["plain percentage stays a percentage", { classes: ["ORDER"] as DiscountClassName[], discount: {} }, { "order-3": "10%" }],
    [
      "retail pricing becomes the exact amount",
      { classes: ["ORDER"] as DiscountClassName[], discount: { appliesTo: "retail" as const } },
      { "order-3": "2.00" },
    ],
    ["sale extra becomes the exact amount", { classes: ["ORDER"] as DiscountClassName[], discount: { saleItemExtra: "10" } }, { "order-3": "2.60" }],
    [
      "fixed with both classes goes on the order",
      { classes: ["PRODUCT", "ORDER"] as DiscountClassName[], discount: { type: "fixed" as const, value: "5.00" } },
      { "order-3": "5.00" },
    ],
    [
      "percentage with both classes goes on the lines",
      { classes: ["PRODUCT", "ORDER"] as DiscountClassName[], discount: {} },
      { "1": "10%", "2": "10%" },
    ],
  ])("%s", (_case, opts, expected) => {
    // Line 1 is on sale (8.00, was 10.00); line 2 costs 10.00; line 3 is a gift card.
    // Retail: 10% of 10.00 twice = 2.00. Sale extra: 20% of 8.00 + 10% of 10.00 = 2.60.
    const lines = [line({ price: "8.0", compareAt: "10.0" }), line({ price: "10.0" }), line({ price: "25.0", giftCard: true })];
    expect(discounted(run({ ...opts, lines }))).toEqual(expected);
  });
});

describe("never throws", () => {
  const lines = [line({ price: "10.0" })];
  it.each([
    ["config is a string", "{}"],
    ["config is a list", [1, 2]],
    ["config is a number", 7],
    ["levels hold null", { v: 1, enabled: true, levels: { gold: null } }],
    ["discount is a list", { v: 1, enabled: true, levels: { gold: { discount: [], freeShipping: null } } }],
    [
      "scope lists are strings",
      {
        v: 1,
        enabled: true,
        levels: { gold: { discount: { type: "percentage", value: "10", appliesTo: "retail", scope: { tags: "vip" } }, freeShipping: null } },
      },
    ],
    [
      "deeply wrong",
      {
        v: 1,
        enabled: true,
        levels: { gold: { discount: { type: { x: 1 }, value: [], appliesTo: null, scope: 3, saleItemExtra: {} }, freeShipping: "yes" } },
      },
    ],
  ])("on a malformed configuration: %s", (_case, cfg) => {
    expect(planLineDiscounts(linesInput({ config: cfg, lines }))).toEqual({ operations: [] });
  });

  it.each([
    [
      "a cart line without cost",
      {
        presentmentCurrencyRate: "1.0",
        cart: { buyerIdentity: null, lines: [{ id: "x" }] },
        discount: { discountClasses: ["PRODUCT"], metafield: null },
      },
    ],
    ["no cart at all", { presentmentCurrencyRate: "1.0", discount: { discountClasses: ["PRODUCT"] } }],
    ["nothing", {}],
  ])("on input Shopify would never send: %s", (_case, input) => {
    expect(cartLinesDiscountsGenerateRun(input as never)).toEqual({ operations: [] });
  });

  it("on an unreadable amount: the line is left out, the others still get the discount", () => {
    const broken = line({ price: "10.0" });
    broken.cost.amountPerQuantity.amount = "ten";
    expect(discounted(run({ lines: [broken, line({ price: "10.0" })] }))).toEqual({ "2": "10%" });
  });

  it("on an unusable currency rate", () => {
    expect(run({ rate: "0", lines: [line({ price: "10.0" })] })).toEqual({ operations: [] });
  });
});
