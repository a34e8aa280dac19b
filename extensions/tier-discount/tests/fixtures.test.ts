import { basename } from "node:path";
import { loadFixture } from "@shopify/shopify-function-test-helpers";
import { describe, expect, it } from "vitest";
import * as fn from "../src/index";
import { exportFunctionName, fixtureFiles } from "./support/fixtures";

const REQUIRED_CASES = [
  "gold-member-10-percent",
  "no-customer",
  "scoped-products",
  "sale-items",
  "free-shipping-by-country",
  "minimum-not-met",
  "frozen-member",
  "malformed-metafield",
  "disabled-program",
  "fixed-amount",
  "order-class",
  "large-cart-500-lines",
];

describe("tier-discount fixtures", () => {
  const files = fixtureFiles();

  it("has a fixture for every required case", () => {
    const names = files.map((f) => basename(f, ".json"));
    expect(REQUIRED_CASES.filter((c) => !names.includes(c))).toEqual([]);
  });

  it.each(files.map((f) => [basename(f, ".json"), f]))("%s", async (_name, file) => {
    const fixture = await loadFixture(file);
    const run = (fn as Record<string, (input: unknown) => unknown>)[exportFunctionName(fixture.export)];
    expect(run, `no export for ${fixture.export}`).toBeTypeOf("function");
    expect(run(fixture.input)).toEqual(fixture.expectedOutput);
  });

  it("the 500-line cart discounts exactly the lines its rules select", async () => {
    const fixture = await loadFixture(files.find((f) => f.endsWith("large-cart-500-lines.json"))!);
    const input = fixture.input as { cart: { lines: unknown[] } };
    const output = fn.cartLinesDiscountsGenerateRun(fixture.input as never) as any;
    expect(input.cart.lines).toHaveLength(500);
    const targeted = output.operations[0].productDiscountsAdd.candidates.flatMap((c: any) => c.targets);
    // Lines in either collection (i even or divisible by 3) minus clearance (i divisible by 10).
    let expected = 0;
    for (let i = 1; i <= 500; i++) if ((i % 2 === 0 || i % 3 === 0) && i % 10 !== 0) expected++;
    expect(targeted).toHaveLength(expected);
  });
});
