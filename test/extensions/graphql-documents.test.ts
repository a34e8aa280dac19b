// Every GraphQL document an extension sends, checked against Shopify's real 2026-10 schemas: the account member
// card speaks the Customer Account API, the POS extension the Admin API (direct API access).
import { Kind, parse, validate, visit, type FieldNode, type OperationDefinitionNode, type StringValueNode } from "graphql";
import { describe, expect, it } from "vitest";
import * as accountDocuments from "../../extensions/account-member-card/src/documents";
import * as posDocuments from "../../extensions/pos-member-tile/src/documents";
import { MEMBER_METAFIELD_KEYS, PROGRAM_METAFIELD_KEY, TIERLINE_NAMESPACE } from "~/shared/metafield-keys";
import { loadShopifySchema, type ShopifyApi } from "../support/shopify-stand-in/schemas";

const isDocument = (v: unknown): v is string => typeof v === "string" && /^\s*(#graphql\s+)?(query|mutation)\b/.test(v);
const documentsOf = (mod: Record<string, unknown>) => Object.entries(mod).filter(([, v]) => isDocument(v)) as [string, string][];

const suites: [string, ShopifyApi, [string, string][], number][] = [
  ["account-member-card", "customer", documentsOf(accountDocuments), 2],
  ["pos-member-tile", "admin", documentsOf(posDocuments), 1],
];

describe.each(suites)("%s documents (%s API 2026-10)", (_ext, api, documents, count) => {
  const schema = loadShopifySchema(api);

  it("finds every document the extension exports", () => {
    expect(documents).toHaveLength(count);
  });

  it.each(documents)("%s is one named operation, valid against the schema", (_name, source) => {
    const document = parse(source);
    const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
    expect(operations).toHaveLength(1);
    expect(operations[0].name?.value).toMatch(/^Tierline[A-Z][A-Za-z]+$/);
    expect(validate(schema, document).map((e) => e.message)).toEqual([]);
  });

  it.each(documents)("%s reads only the app's member metafields, each aliased to its key", (_name, source) => {
    const metafields: { alias: string | undefined; namespace: string; key: string }[] = [];
    visit(parse(source), {
      Field(node: FieldNode) {
        if (node.name.value !== "metafield") return;
        const arg = (name: string) => (node.arguments?.find((a) => a.name.value === name)?.value as StringValueNode | undefined)?.value ?? "";
        metafields.push({ alias: node.alias?.value, namespace: arg("namespace"), key: arg("key") });
      },
    });
    expect(metafields.length).toBeGreaterThan(0);
    for (const m of metafields) {
      expect(m.namespace).toBe(TIERLINE_NAMESPACE);
      expect([...MEMBER_METAFIELD_KEYS, PROGRAM_METAFIELD_KEY]).toContain(m.key);
      expect(m.alias).toBe(m.key);
    }
  });
});

describe("operation names", () => {
  it("are unique across the extensions", () => {
    const names = suites.flatMap(([, , docs]) => docs.map(([, s]) => (parse(s).definitions[0] as OperationDefinitionNode).name?.value));
    expect(new Set(names).size).toBe(names.length);
  });
});
