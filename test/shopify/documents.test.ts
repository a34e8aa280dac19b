import fs from "node:fs";
import path from "node:path";
import { Kind, parse, validate, type OperationDefinitionNode } from "graphql";
import { describe, expect, it } from "vitest";
import { backfillOrdersQuery } from "~/shopify/backfill.server";
import * as documents from "~/shopify/documents";
import { checkBulkMutation, checkBulkQuery } from "../../tools/shopify-stand-in/bulk";
import { loadShopifySchema } from "../../tools/shopify-stand-in/schemas";

const shopifyDir = path.resolve(import.meta.dirname, "../../app/shopify");
const looksLikeGraphql = (value: unknown): value is string =>
  typeof value === "string" && /^\s*(#graphql\s+)?(query|mutation|subscription|fragment)\b/.test(value);

/** Every GraphQL document any module under app/shopify exports, found by walking the folder: none can be skipped. */
async function exportedDocuments(): Promise<{ name: string; source: string }[]> {
  const files = fs.readdirSync(shopifyDir, { recursive: true, encoding: "utf8" }).filter((f) => /\.tsx?$/.test(f));
  const found: { name: string; source: string }[] = [];
  for (const file of files) {
    const mod = (await import(/* @vite-ignore */ path.join(shopifyDir, file))) as Record<string, unknown>;
    for (const [name, value] of Object.entries(mod)) if (looksLikeGraphql(value)) found.push({ name: `${file}#${name}`, source: value });
  }
  return found;
}

const all = await exportedDocuments();
const admin = loadShopifySchema("admin");

describe("Admin GraphQL documents", () => {
  it("finds the documents (the walk itself works)", () => {
    expect(all.length).toBeGreaterThanOrEqual(20);
    expect(all.map((d) => d.name)).toContain("documents.ts#MEMBER_METAFIELDS_SET");
  });

  it.each(all)("$name is named and valid against Admin 2026-10", ({ source }) => {
    const document = parse(source);
    const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
    expect(operations).toHaveLength(1);
    expect(operations[0].name?.value).toMatch(/^[A-Z][A-Za-z0-9]+$/);
    expect(validate(admin, document).map((e) => e.message)).toEqual([]);
  });

  it("uses no operation name twice", () => {
    const names = all.map((d) => (parse(d.source).definitions[0] as OperationDefinitionNode).name?.value);
    expect(new Set(names).size).toBe(names.length);
  });

  it.each([
    ["MEMBER_METAFIELDS_SET_BULK", documents.MEMBER_METAFIELDS_SET_BULK],
    ["MEMBER_TIER_TAG_ADD", documents.MEMBER_TIER_TAG_ADD],
    ["MEMBER_TIER_TAG_REMOVE", documents.MEMBER_TIER_TAG_REMOVE],
  ])("%s is accepted as a bulk mutation (one mutation field)", (_name, source) => {
    expect(checkBulkMutation(admin, source)).toBeNull();
  });

  it("refuses the multi-field swap as a bulk mutation, which is why tags are bulk-synced in two operations", () => {
    expect(checkBulkMutation(admin, documents.MEMBER_TIER_TAG_SWAP)).toMatch(/single mutation field/);
  });

  it.each([
    ["BACKFILL_CUSTOMERS", documents.BACKFILL_CUSTOMERS],
    ["BACKFILL_ORDERS (with a date spliced in)", backfillOrdersQuery("2026-01-01T00:00:00.000Z")],
    ["BACKFILL_PRODUCTS", documents.BACKFILL_PRODUCTS],
  ])("%s obeys the bulk query rules (connections, depth, no connection inside a list)", (_name, source) => {
    expect(checkBulkQuery(admin, source)).toBeNull();
    expect(validate(admin, parse(source))).toEqual([]);
  });

  it("splices the activeFrom date into the orders search string", () => {
    expect(backfillOrdersQuery("2026-01-01T00:00:00.000Z")).toContain(`orders(query: "processed_at:>='2026-01-01T00:00:00.000Z'")`);
    expect(backfillOrdersQuery(null)).toContain("processed_at:>='1970-01-01T00:00:00Z'");
  });
});

describe("copied Shopify schemas", () => {
  it.each([
    ["admin", "QueryRoot"],
    ["customer", "QueryRoot"],
    ["functions_discount", "Input"],
  ] as const)("%s 2026-10 loads from test/fixtures (nothing outside the repository at runtime)", (api, typeName) => {
    expect(loadShopifySchema(api).getType(typeName)).toBeDefined();
  });
});
