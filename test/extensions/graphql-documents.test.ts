// Every GraphQL document the extensions send (app/shared/member-query.ts, the one client they share), checked
// against Shopify's real 2026-10 schemas: the customer account extensions speak the Customer Account API, the POS
// extension the Admin API (direct API access).
import { Kind, parse, validate, visit, type FieldNode, type OperationDefinitionNode, type StringValueNode } from "graphql";
import { describe, expect, it } from "vitest";
import * as accountBirthday from "~/shared/account-birthday";
import * as memberQuery from "~/shared/member-query";
import { BIRTHDAY_METAFIELD_KEY, MEMBER_METAFIELD_KEYS, PROGRAM_METAFIELD_KEY, TIERLINE_NAMESPACE } from "~/shared/metafield-keys";
import { loadShopifySchema, type ShopifyApi } from "../../tools/shopify-stand-in/schemas";

const documents: [string, ShopifyApi, string][] = [
  ["TIERLINE_MEMBER_CARD (account page)", "customer", memberQuery.TIERLINE_MEMBER_CARD],
  ["TIERLINE_MEMBER_SUMMARY (profile block)", "customer", memberQuery.TIERLINE_MEMBER_SUMMARY],
  ["TIERLINE_POS_MEMBER (POS)", "admin", memberQuery.TIERLINE_POS_MEMBER],
];

const isDocument = (v: unknown): v is string => typeof v === "string" && /^\s*(#graphql\s+)?(query|mutation)\b/.test(v);

describe("member query documents", () => {
  it("lists every document member-query.ts exports", () => {
    const exported = Object.values(memberQuery).filter(isDocument);
    expect(exported.sort()).toEqual(documents.map(([, , d]) => d).sort());
  });

  it.each(documents)("%s is one named operation, valid against the %s schema", (_name, api, source) => {
    const document = parse(source);
    const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
    expect(operations).toHaveLength(1);
    expect(operations[0].name?.value).toMatch(/^Tierline[A-Z][A-Za-z]+$/);
    expect(validate(loadShopifySchema(api), document).map((e) => e.message)).toEqual([]);
  });

  it.each(documents)("%s reads only the app's own metafields, each aliased to its key", (_name, _api, source) => {
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

  it("the account page reads the shop's programme (contract 4)", () => {
    expect(memberQuery.TIERLINE_MEMBER_CARD).toMatch(/shop \{\s*program: metafield\(namespace: "\$app:tierline", key: "program"\)/);
  });

  it("operation names are unique", () => {
    const names = documents.map(([, , s]) => (parse(s).definitions[0] as OperationDefinitionNode).name?.value);
    expect(new Set(names).size).toBe(names.length);
  });
});

// The account page's birthday (app/shared/account-birthday.ts): read and written through the Customer Account API.
describe("birthday documents", () => {
  const birthdayDocuments: [string, string][] = [
    ["TIERLINE_BIRTHDAY", accountBirthday.TIERLINE_BIRTHDAY],
    ["TIERLINE_BIRTHDAY_SET", accountBirthday.TIERLINE_BIRTHDAY_SET],
  ];

  it("lists every document account-birthday.ts exports", () => {
    expect(Object.values(accountBirthday).filter(isDocument).sort()).toEqual(birthdayDocuments.map(([, d]) => d).sort());
  });

  it.each(birthdayDocuments)("%s is one named operation, valid against the customer schema", (_name, source) => {
    const document = parse(source);
    const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
    expect(operations).toHaveLength(1);
    expect(operations[0].name?.value).toMatch(/^Tierline[A-Z][A-Za-z]+$/);
    expect(validate(loadShopifySchema("customer"), document).map((e) => e.message)).toEqual([]);
  });

  it("reads and writes only the app's birthday metafield", () => {
    expect(accountBirthday.TIERLINE_BIRTHDAY).toContain(`birthday: metafield(namespace: "${TIERLINE_NAMESPACE}", key: "${BIRTHDAY_METAFIELD_KEY}")`);
    expect(accountBirthday.TIERLINE_BIRTHDAY_SET).toContain(
      `namespace: "${TIERLINE_NAMESPACE}", key: "${BIRTHDAY_METAFIELD_KEY}", type: "single_line_text_field"`,
    );
  });
});
