import { describe, expect, it } from "vitest";
import { cartAmountToCents, formatCents, formatPercent, percentOf, readCurrencyRate, toCartCurrency } from "../src/money";

describe("cartAmountToCents", () => {
  it.each([
    ["10.0", 1000],
    ["29.99", 2999],
    ["0.5", 50],
    ["1200", 120000],
    ["29.994", 2999],
    ["29.995", 3000],
    ["29.9999", 3000],
    ["0", 0],
  ])("%s → %i", (s, cents) => expect(cartAmountToCents(s)).toBe(cents));

  it.each([["-1.0"], ["1e3"], ["abc"], [""], ["."], ["1.2.3"], [null], [undefined], [{}]])("rejects %j", (v) =>
    expect(cartAmountToCents(v)).toBeNull(),
  );

  it("reads a number too, should Shopify ever send one", () => expect(cartAmountToCents(12.5)).toBe(1250));
});

describe("money helpers", () => {
  it.each([
    [5, "0.05"],
    [625, "6.25"],
    [100000, "1000.00"],
    [0, "0.00"],
  ])("formatCents(%i) = %s", (c, s) => expect(formatCents(c)).toBe(s));

  it.each([
    [1000, "10"],
    [1250, "12.5"],
    [1225, "12.25"],
    [1205, "12.05"],
    [10000, "100"],
    [5, "0.05"],
  ])("formatPercent(%i) = %s", (bp, s) => expect(formatPercent(bp)).toBe(s));

  it.each([
    [7497, 1500, 1125], // 11.2455 rounds half up at the cent
    [1000, 1000, 100],
    [5, 1000, 1], // 0.5 cent rounds up
    [4, 1000, 0],
    [2999, 10000, 2999],
  ])("percentOf(%i, %i bp) = %i", (amount, bp, cents) => expect(percentOf(amount, bp)).toBe(cents));

  it.each([
    ["1.0", 1],
    ["1.25", 1.25],
    ["0", null],
    ["-1", null],
    ["x", null],
    ["", null],
    [null, null],
  ])("readCurrencyRate(%j) = %j", (s, rate) => expect(readCurrencyRate(s)).toBe(rate));

  it.each([
    [500, 1, 500],
    [500, 1.25, 625],
    [999, 0.3333, 333],
    [10000, 148.52, 1485200],
  ])("toCartCurrency(%i, %f) = %i", (cents, rate, expected) => expect(toCartCurrency(cents, rate)).toBe(expected));
});
