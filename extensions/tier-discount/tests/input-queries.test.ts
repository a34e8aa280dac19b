import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  loadFixture,
  loadInputQuery,
  loadSchema,
  validateFixtureInput,
  validateFixtureOutput,
  validateInputQuery,
  validateTestAssets,
} from "@shopify/shopify-function-test-helpers";
import { Kind, type GraphQLSchema, type OperationDefinitionNode } from "graphql";
import { beforeAll, describe, expect, it } from "vitest";
import { COLLECTION_SLOTS, discountVariablesOf, TAG_SLOTS } from "../../../app/shared/discount-config";
import { printDiscountFunctionSchema } from "../scripts/print-schema";
import * as fn from "../src/index";
import { config, goldBenefits } from "./support/function-input";
import { EXTENSION_DIR, exportFunctionName, fixtureFiles, INPUT_QUERIES, SCHEMA_PATH } from "./support/fixtures";

let schema: GraphQLSchema;
beforeAll(async () => {
  schema = await loadSchema(SCHEMA_PATH);
});

describe("schema.graphql", () => {
  it("is the printed 2026-10 Discount Function introspection", () => {
    expect(readFileSync(SCHEMA_PATH, "utf8")).toBe(printDiscountFunctionSchema());
  });
});

describe("input queries", () => {
  it.each(Object.entries(INPUT_QUERIES))("%s is valid against the schema", async (_target, path) => {
    const errors = validateInputQuery(await loadInputQuery(path), schema);
    expect(errors.map((e) => e.message)).toEqual([]);
  });

  it("the lines query declares exactly the variables DiscountVariablesV1 provides", async () => {
    const doc = await loadInputQuery(INPUT_QUERIES["cart.lines.discounts.generate.run"]);
    const op = doc.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
    const declared = op.variableDefinitions!.map((v) => v.variable.name.value).sort();
    const provided = Object.keys(discountVariablesOf(config({ gold: goldBenefits() }))).sort();
    expect(declared).toEqual(provided);
  });

  it("asks each slot as one boolean per product: cN from inAnyCollection($cN), tN from hasAnyTag($tN)", async () => {
    const { visit } = await import("graphql");
    const doc = await loadInputQuery(INPUT_QUERIES["cart.lines.discounts.generate.run"]);
    const asked: string[] = [];
    visit(doc, {
      Field(node) {
        const arg = node.arguments?.[0];
        if (node.alias && arg?.value.kind === Kind.VARIABLE)
          asked.push(`${node.alias.value}=${node.name.value}(${arg.name.value}: $${arg.value.name.value})`);
      },
    });
    expect(asked).toEqual([
      ...COLLECTION_SLOTS.map((s) => `${s}=inAnyCollection(ids: $${s})`),
      ...TAG_SLOTS.map((s) => `${s}=hasAnyTag(tags: $${s})`),
    ]);
  });

  it("rejects a field the schema does not have (the check can fail)", async () => {
    const { parse } = await import("graphql");
    const errors = validateInputQuery(parse("query { cart { lines { id price } } }"), schema);
    expect(errors.map((e) => e.message)).toEqual(['Cannot query field "price" on type "CartLine".']);
  });
});

describe("shopify.extension.toml", () => {
  const toml = readFileSync(join(EXTENSION_DIR, "shopify.extension.toml"), "utf8");
  const targeting = [...toml.matchAll(/target = "([^"]+)"\s+input_query = "([^"]+)"\s+export = "([^"]+)"/g)].map((m) => ({
    target: m[1],
    query: m[2],
    exportName: m[3],
  }));

  it("maps both targets to their query file and an exported function", () => {
    expect(toml).toMatch(/^api_version = "2026-10"$/m);
    expect(targeting.map((t) => t.target).sort()).toEqual(Object.keys(INPUT_QUERIES).sort());
    for (const t of targeting) {
      expect(join(EXTENSION_DIR, t.query)).toBe(INPUT_QUERIES[t.target]);
      expect(existsSync(INPUT_QUERIES[t.target])).toBe(true);
      expect(typeof (fn as Record<string, unknown>)[exportFunctionName(t.exportName)]).toBe("function");
    }
  });

  it("is not offered under Discounts → Create, and opens the app's levels", () => {
    expect(toml).toMatch(
      /\[extensions\.ui\]\s+enable_create = false\s+\[extensions\.ui\.paths\]\s+create = "\/app\/levels"\s+details = "\/app\/levels"/,
    );
    expect(existsSync(join(EXTENSION_DIR, "../../app/routes/app.levels._index.tsx"))).toBe(true);
  });

  it("reads its input variables from the discount-variables metafield", () => {
    expect(toml).toMatch(/\[extensions\.input\.variables\]\s+namespace = "\$app:tierline"\s+key = "discount-variables"/);
  });
});

describe("fixtures against the schema", () => {
  it.each(fixtureFiles().map((f) => [f.split("/").pop(), f]))("%s: input matches its query, output matches the result type", async (_name, file) => {
    const fixture = await loadFixture(file);
    const result = await validateTestAssets({ schema, fixture, inputQueryAST: await loadInputQuery(INPUT_QUERIES[fixture.target]) });
    expect(result.inputQuery.errors).toEqual([]);
    expect(result.inputFixture.errors).toEqual([]);
    expect(result.outputFixture.errors).toEqual([]);
    expect(result.outputFixture.resultParameterType).toBe(
      fixture.target === "cart.lines.discounts.generate.run"
        ? "CartLinesDiscountsGenerateRunResult!"
        : "CartDeliveryOptionsDiscountsGenerateRunResult!",
    );
  });

  it("catches an input that does not match the query and an output the schema rejects", async () => {
    const query = await loadInputQuery(INPUT_QUERIES["cart.lines.discounts.generate.run"]);
    const input = validateFixtureInput(query, schema, {
      presentmentCurrencyRate: "1.0",
      cart: { buyerIdentity: null, lines: [{ id: "x" }] },
      discount: { discountClasses: ["PRODUCT"], metafield: null },
    });
    expect(input.errors.map((e) => e.message)).toContain("Missing expected fixture data for `quantity`");
    const output = await validateFixtureOutput(
      { operations: [{ productDiscountsAdd: { selectionStrategy: "EVERY", candidates: [] } }] },
      schema,
      "cartLinesDiscountsGenerateRun",
    );
    expect(output.errors).toHaveLength(1);
  });
});
