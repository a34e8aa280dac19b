/**
 * Shopify's Function limits at the largest cart they are stated for (200 lines): the output of every discount mode
 * stays under 20 kB, with the same total off as pricing every line on its own, and the largest configuration the
 * admin accepts gives an input under 128 kB.
 */
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { loadInputQuery, loadSchema, validateFixtureInput, validateFixtureOutput } from "@shopify/shopify-function-test-helpers";
import type { GraphQLSchema } from "graphql";
import { beforeAll, describe, expect, it } from "vitest";
import {
  COLLECTION_SLOTS,
  discountInputBytes,
  discountLimitIssues,
  discountVariablesOf,
  FUNCTION_LIMITS,
  INPUT_LINE_BYTES,
  INPUT_OTHER_BYTES,
  SLOT_ANSWER_BYTES,
  TAG_SLOTS,
  type DiscountConfigV1,
  type LevelBenefitsV1,
  type LevelDiscountV1,
} from "../../../app/shared/discount-config";
import type { CartLinesDiscountsGenerateRunResult } from "../generated/api";
import { planFreeShipping } from "../src/cart_delivery_options_discounts_generate_run";
import { cartLinesDiscountsGenerateRun, planLineDiscounts } from "../src/cart_lines_discounts_generate_run";
import { jsonStringBytes } from "../src/output-size";
import { fixtureFiles, INPUT_QUERIES, SCHEMA_PATH } from "./support/fixtures";
import {
  config,
  deliveryGroup,
  deliveryInput,
  goldBenefits,
  goldLevel,
  line,
  linesInput,
  resetLineIds,
  variablesOf,
  type CartLineInput,
  type DiscountClassName,
} from "./support/function-input";

const LINES = FUNCTION_LIMITS.cartLines;
const bytes = (v: unknown) => Buffer.byteLength(JSON.stringify(v), "utf8");

let schema: GraphQLSchema;
beforeAll(async () => {
  schema = await loadSchema(SCHEMA_PATH);
});

/** Line ids as the fixtures write them, and 64-character ones in case Shopify's are longer. */
const ID_STYLES = {
  short: (i: number) => `gid://shopify/CartLine/${i}`,
  long: (i: number) => `gid://shopify/CartLine/${i.toString(16).padStart(8, "0")}-5793-48da-8737-498b1427db9a-0001`,
};

/**
 * 200 lines where no two lines get the same discount: every price differs, quantities 1–3, every other line on sale,
 * every fifth one in the scope's excluded collection. The hardest cart for the output's size.
 */
function distinctCart(
  idOf: (i: number) => string,
  variables = variablesOf(config({ gold: goldBenefits({ discount: { scope: SCOPES[1] } }) })),
): CartLineInput[] {
  resetLineIds();
  const lines: CartLineInput[] = [];
  for (let i = 1; i <= LINES; i++) {
    const cents = 1_000 + i * 137;
    const price = `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, "0")}`;
    const compare = cents + 513 + i;
    const compareAt = i % 2 === 0 ? `${Math.floor(compare / 100)}.${String(compare % 100).padStart(2, "0")}` : null;
    lines.push(line({ id: idOf(i), price, quantity: 1 + (i % 3), compareAt, collections: i % 5 === 0 ? [SALE_COLLECTION] : [] }, variables));
  }
  return lines;
}
const SALE_COLLECTION = "gid://shopify/Collection/4242";

/** Every combination the benefits form can save (buildDiscountConfig copies these fields as they are). */
const TYPES: Pick<LevelDiscountV1, "type" | "value">[] = [
  { type: "percentage", value: "12.5" },
  { type: "fixed", value: "40.00" },
];
const BASES: LevelDiscountV1["appliesTo"][] = ["discounted", "retail"];
const EXTRAS: LevelDiscountV1["saleItemExtra"][] = [null, "7.5"];
const SCOPES: LevelDiscountV1["scope"][] = [
  null,
  { productIds: [], collectionIds: [], tags: [], excludeProductIds: [], excludeCollectionIds: [SALE_COLLECTION], excludeTags: [] },
];
const CLASSES: DiscountClassName[][] = [["PRODUCT", "SHIPPING"], ["ORDER"], ["PRODUCT", "ORDER", "SHIPPING"]];

const MODES = TYPES.flatMap((t) =>
  BASES.flatMap((appliesTo) =>
    EXTRAS.flatMap((saleItemExtra) =>
      SCOPES.flatMap((scope) =>
        CLASSES.map((classes) => ({
          name: `${t.type} ${t.value}, on the ${appliesTo} price, sale extra ${saleItemExtra ?? "none"}, ${scope ? "scoped" : "every product"}, ${classes.join("+")}`,
          discount: { ...t, appliesTo, saleItemExtra, scope, minimumOrder: "10.00" },
          classes,
        })),
      ),
    ),
  ),
);

/** Cents off the cart the output gives, the way Shopify applies it (a percentage rounded per line). */
function totalOff(result: CartLinesDiscountsGenerateRunResult, lines: CartLineInput[]): number {
  const byId = new Map(lines.map((l) => [l.id, l]));
  const cents = (s: string) => Math.round(Number(s) * 100);
  let total = 0;
  for (const op of result.operations) {
    for (const c of op.productDiscountsAdd?.candidates ?? []) {
      const ids = c.targets.map((t) => t.cartLine!.id);
      if (c.value.percentage)
        for (const id of ids)
          total += Math.floor((cents(byId.get(id)!.cost.subtotalAmount.amount) * cents(c.value.percentage.value) + 5_000) / 10_000);
      else if (c.value.fixedAmount!.appliesToEachItem) for (const id of ids) total += cents(c.value.fixedAmount!.amount) * byId.get(id)!.quantity;
      else total += cents(c.value.fixedAmount!.amount);
    }
    for (const c of op.orderDiscountsAdd?.candidates ?? []) {
      const excluded = new Set(c.targets[0].orderSubtotal!.excludedCartLineIds);
      if (c.value.fixedAmount) total += cents(c.value.fixedAmount.amount);
      else
        for (const l of lines)
          if (!excluded.has(l.id)) total += Math.floor((cents(l.cost.subtotalAmount.amount) * cents(c.value.percentage!.value) + 5_000) / 10_000);
    }
  }
  return total;
}

describe(`output under ${FUNCTION_LIMITS.outputBytes.toLocaleString("en-US")} bytes at ${LINES} lines`, () => {
  it("covers every mode the form can save", () => {
    expect(MODES).toHaveLength(TYPES.length * BASES.length * EXTRAS.length * SCOPES.length * CLASSES.length);
  });

  it.each(Object.entries(ID_STYLES).flatMap(([style, idOf]) => MODES.map((m) => [`${m.name}, ${style} line ids`, m, idOf] as const)))(
    "%s",
    async (_name, mode, idOf) => {
      const lines = distinctCart(idOf);
      const input = linesInput({ classes: mode.classes, config: config({ gold: goldBenefits({ discount: mode.discount }) }), lines });
      const output = cartLinesDiscountsGenerateRun(input);
      expect(output.operations).toHaveLength(1);
      expect(bytes(output)).toBeLessThan(FUNCTION_LIMITS.outputBytes);
      // Shaping the output never changes what the cart saves.
      expect(totalOff(output, lines)).toBe(totalOff(planLineDiscounts(input, Infinity), lines));
      expect((await validateFixtureOutput(output, schema, "cartLinesDiscountsGenerateRun")).errors).toEqual([]);
    },
  );

  it("keeps every line's own amount while that fits (200 lines at 8 prices)", () => {
    resetLineIds();
    const lines = Array.from({ length: LINES }, (_, i) =>
      line({ price: `${20 + (i % 8)}.99`, quantity: 1 + (i % 2), compareAt: `${40 + (i % 8)}.00` }),
    );
    // Retail pricing: one candidate per price and quantity. A fixed amount's shares differ by a cent here and there.
    for (const [discount, most] of [
      [{ appliesTo: "retail" as const }, 16],
      [{ type: "fixed" as const, value: "25.00", saleItemExtra: "5" }, LINES],
    ] as const) {
      const input = linesInput({ config: config({ gold: goldBenefits({ discount }) }), lines });
      expect(planLineDiscounts(input)).toEqual(planLineDiscounts(input, Infinity));
      expect(planLineDiscounts(input).operations[0].productDiscountsAdd!.candidates.length).toBeLessThanOrEqual(most);
    }
  });

  it.each(fixtureFiles().map((f) => [basename(f, ".json"), f]))("fixture %s, grown to 200 lines of distinct prices", async (_name, file) => {
    const { payload } = JSON.parse(readFileSync(file, "utf8"));
    if (payload.target !== "cart.lines.discounts.generate.run") return;
    const source = payload.input.cart.lines as CartLineInput[];
    if (source.length === 0) return;
    const lines: CartLineInput[] = [];
    for (let i = 0; i < LINES; i++) {
      const l = structuredClone(source[i % source.length]);
      const k = 1 + i / 1_000;
      const scale = (s: string) => (Math.round(Number(s) * 100 * k) / 100).toFixed(2);
      l.id = ID_STYLES.long(i);
      l.cost.amountPerQuantity.amount = scale(l.cost.amountPerQuantity.amount);
      l.cost.subtotalAmount.amount = (Number(l.cost.amountPerQuantity.amount) * l.quantity).toFixed(2);
      if (l.cost.compareAtAmountPerQuantity) l.cost.compareAtAmountPerQuantity.amount = scale(l.cost.compareAtAmountPerQuantity.amount);
      lines.push(l);
    }
    const input = { ...payload.input, cart: { ...payload.input.cart, lines } };
    const output = cartLinesDiscountsGenerateRun(input);
    expect(bytes(output)).toBeLessThan(FUNCTION_LIMITS.outputBytes);
    expect(totalOff(output, lines)).toBe(totalOff(planLineDiscounts(input, Infinity), lines));
    expect((await validateFixtureOutput(output, schema, "cartLinesDiscountsGenerateRun")).errors).toEqual([]);
  });

  it("free shipping on 200 delivery groups", async () => {
    const groups = Array.from({ length: LINES }, (_, i) => deliveryGroup(i + 1, "US"));
    const output = planFreeShipping(
      deliveryInput({
        config: config({ gold: goldBenefits({ freeShipping: { countries: ["US"], minimumOrder: null } }) }),
        subtotal: "100.0",
        groups,
      }),
    );
    expect(output.operations[0].deliveryDiscountsAdd!.candidates[0].targets).toHaveLength(LINES);
    expect(bytes(output)).toBeLessThan(FUNCTION_LIMITS.outputBytes);
    expect((await validateFixtureOutput(output, schema, "cartDeliveryOptionsDiscountsGenerateRun")).errors).toEqual([]);
  });

  it("counts a JSON string's bytes as JSON.stringify writes them, or more", () => {
    for (const s of ["Gold member: 10% off", 'Or "Über" \\ gold', "\n\t", "🥇 member", ""])
      expect(jsonStringBytes(s)).toBeGreaterThanOrEqual(bytes(s));
  });
});

describe(`input under ${FUNCTION_LIMITS.inputBytes.toLocaleString("en-US")} bytes at ${LINES} lines for the largest configuration the admin accepts`, () => {
  /** The input the lines query returns for a 200-line cart: the longest line fields, every collection and tag answered. */
  function fullInput(cfg: DiscountConfigV1) {
    const variables = discountVariablesOf(cfg);
    resetLineIds();
    const lines = Array.from({ length: LINES }, (_, i) => {
      const l = line(
        {
          id: ID_STYLES.long(i),
          price: "99999.99",
          quantity: 9_999,
          compareAt: "99999.99",
          productId: "gid://shopify/Product/99999999999999",
          variantId: "gid://shopify/ProductVariant/99999999999999",
        },
        variables,
      );
      l.cost.subtotalAmount.amount = "999999.99";
      return l;
    });
    const level = goldLevel({ name: "L".repeat(100), id: "level-".padEnd(64, "x") });
    return linesInput({ config: cfg, lines, level, rate: "1.2345678901" });
  }

  /** Grows a configuration one step at a time while the admin accepts it; returns the last accepted one. */
  function largestAccepted(step: (n: number) => DiscountConfigV1): DiscountConfigV1 {
    let n = 0;
    while (discountLimitIssues(step(n + 1)).length === 0) n++;
    expect(n).toBeGreaterThan(0);
    return step(n);
  }

  const scoped = (scope: Partial<NonNullable<LevelDiscountV1["scope"]>>): LevelBenefitsV1 =>
    goldBenefits({
      discount: {
        scope: { productIds: [], collectionIds: [], tags: [], excludeProductIds: [], excludeCollectionIds: [], excludeTags: [], ...scope },
      },
    });
  const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(13, "0")}`);

  const CASES: [string, (n: number) => DiscountConfigV1][] = [
    ["the most products (metafield at its size limit)", (n) => config({ gold: scoped({ productIds: ids("gid://shopify/Product/", n) }) })],
    [
      "the most levels (metafield at its size limit)",
      (n) =>
        config(
          Object.fromEntries(
            Array.from({ length: n }, (_, i) => [
              `level-${i}`.padEnd(64, "x"),
              goldBenefits({ freeShipping: { countries: ["US", "CA"], minimumOrder: "100.00" } }),
            ]),
          ),
        ),
    ],
    ["the most collections in one list", (n) => config({ gold: scoped({ collectionIds: ids("gid://shopify/Collection/", n) }) })],
    ["the most tags in one list", (n) => config({ gold: scoped({ excludeTags: ids("tag-", n) }) })],
    [
      "the most collection lists (a level each, excluding its own brand)",
      (n) =>
        config(
          Object.fromEntries(
            Array.from({ length: n }, (_, i) => [`level-${i}`, scoped({ excludeCollectionIds: ids(`gid://shopify/Collection/${i}`, 1) })]),
          ),
        ),
    ],
    [
      "the most tag lists",
      (n) => config(Object.fromEntries(Array.from({ length: n }, (_, i) => [`level-${i}`, scoped({ tags: ids(`tag-${i}-`, 2) })]))),
    ],
    [
      "every slot used and the metafield at its size limit",
      (n) =>
        config(
          Object.fromEntries(
            COLLECTION_SLOTS.map((_, i) => [
              `level-${i}`.padEnd(64, "x"),
              scoped({
                collectionIds: ids(`gid://shopify/Collection/${i}`, 3),
                excludeTags: ids(`tag-${i}-`, 3),
                productIds: i === 0 ? ids("gid://shopify/Product/", n) : [],
              }),
            ]),
          ),
        ),
    ],
    [
      "collections, tags and products together",
      (n) =>
        config({
          gold: scoped({
            collectionIds: ids("gid://shopify/Collection/", Math.min(n, 100)),
            excludeTags: ids("tag-", Math.min(n, 100)),
            productIds: ids("gid://shopify/Product/", 4 * n),
          }),
        }),
    ],
  ];

  it.each(CASES)("%s", async (_name, step) => {
    const cfg = largestAccepted(step);
    const input = fullInput(cfg);
    expect(bytes(input)).toBeLessThan(FUNCTION_LIMITS.inputBytes);
    expect(bytes(cfg)).toBeLessThanOrEqual(FUNCTION_LIMITS.metafieldBytes);
    // The admin's estimate is an upper bound of the real input.
    expect(discountInputBytes(cfg)).toBeGreaterThanOrEqual(bytes(input));
    const query = await loadInputQuery(INPUT_QUERIES["cart.lines.discounts.generate.run"]);
    expect(validateFixtureInput(query, schema, input).errors).toEqual([]);
  });

  it("the admin's per-line and fixed byte counts cover the longest line and buyer", () => {
    const input = fullInput(config({}));
    const line0 = bytes(input.cart.lines[0]) + 1;
    expect(INPUT_LINE_BYTES + (COLLECTION_SLOTS.length + TAG_SLOTS.length) * SLOT_ANSWER_BYTES).toBeGreaterThanOrEqual(line0);
    expect(INPUT_OTHER_BYTES).toBeGreaterThanOrEqual(bytes(input) - LINES * line0 - bytes(config({})));
  });
});
