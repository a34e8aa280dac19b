import { describe, expect, it } from "vitest";
import type { OrderLine } from "~/domain";
import { programUsesScopes, scopesMatterBefore } from "~/domain/program-scopes";
import { scopesAfterMerge } from "~/services/order-line-scopes";
import { buildLevel, buildProgram, productPurchase, spend } from "../../tools/sample-data/program-builders";

/** Which programmes read collections or tags, and what a later delivery of an order keeps of its resolved lines. */

const scoped = (scope: object) => buildProgram({ levels: [buildLevel({ id: "vip", rank: 1, upgrade: [[spend("100.00", { scope })]] })] });

describe("programUsesScopes", () => {
  it.each([
    { name: "no scope anywhere", program: buildProgram(), uses: false },
    {
      name: "a condition scoped by product ids only (every order carries them)",
      program: scoped({ productIds: ["gid://shopify/Product/1"] }),
      uses: false,
    },
    { name: "a condition in a collection", program: scoped({ collectionIds: ["gid://shopify/Collection/1"] }), uses: true },
    { name: "a condition with a tag", program: scoped({ tags: ["premium"] }), uses: true },
    { name: "everything except a collection", program: scoped({ excludeCollectionIds: ["gid://shopify/Collection/1"] }), uses: true },
    { name: "everything except a tag", program: scoped({ excludeTags: ["clearance"] }), uses: true },
    {
      name: "a product purchase in a collection, in a renewal",
      program: buildProgram({
        levels: [buildLevel({ id: "vip", rank: 1, renewal: [[productPurchase(1, { collectionIds: ["gid://shopify/Collection/1"] })]] })],
      }),
      uses: true,
    },
    {
      name: "an earn rule with a tag",
      program: buildProgram({ points: { earn: [{ per: "amount", every: "1.00", points: 1, scope: { tags: ["double"] } }] } }),
      uses: true,
    },
  ])("$name → $uses", ({ program, uses }) => {
    expect(programUsesScopes(program)).toBe(uses);
  });
});

describe("scopesMatterBefore (published versions, oldest first)", () => {
  const plain = buildProgram();
  const withTag = scoped({ tags: ["premium"] });
  it.each([
    { name: "never scoped", versions: [plain, plain], before: null },
    { name: "the version in force is scoped: every order", versions: [plain, withTag], before: Number.POSITIVE_INFINITY },
    { name: "an earlier version was: orders paid before its successor", versions: [withTag, plain, plain], before: 2000 },
  ])("$name", ({ versions, before }) => {
    expect(scopesMatterBefore(versions.map((program, i) => ({ program, publishedAt: (i + 1) * 1000 })))).toBe(before);
  });
});

const line = (id: string, productId: string, collectionIds: string[] = [], tags: string[] = []): OrderLine => ({
  id,
  productId,
  quantity: 1,
  price: 1000,
  collectionIds,
  tags,
  giftCard: false,
});
const json = (lines: OrderLine[]) => JSON.stringify(lines);
const resolved = { linesJson: json([line("L1", "P1", ["C1"], ["t"]), line("L2", "P2", [], ["x"])]), scopeState: "resolved" };

describe("scopesAfterMerge: a later delivery of an order over its stored lines", () => {
  it.each([
    {
      name: "same lines (orders/updated after resolution): kept as resolved",
      stored: resolved,
      merged: { linesJson: json([line("L1", "P1"), line("L2", "P2")]), source: "webhook" },
      want: { linesJson: resolved.linesJson, scopeState: "resolved" },
    },
    {
      name: "a line added: the others keep theirs, the order is read again",
      stored: resolved,
      merged: { linesJson: json([line("L1", "P1"), line("L2", "P2"), line("L3", "P3")]), source: "webhook" },
      want: { linesJson: json([line("L1", "P1", ["C1"], ["t"]), line("L2", "P2", [], ["x"]), line("L3", "P3")]), scopeState: "unresolved" },
    },
    {
      name: "a line now of another product: read again",
      stored: resolved,
      merged: { linesJson: json([line("L1", "P9"), line("L2", "P2")]), source: "webhook" },
      want: { linesJson: json([line("L1", "P9"), line("L2", "P2", [], ["x"])]), scopeState: "unresolved" },
    },
    {
      name: "a custom item added (no product): still resolved",
      stored: resolved,
      merged: { linesJson: json([line("L1", "P1"), line("L2", "P2"), line("L4", "")]), source: "webhook" },
      want: { linesJson: json([line("L1", "P1", ["C1"], ["t"]), line("L2", "P2", [], ["x"]), line("L4", "")]), scopeState: "resolved" },
    },
    {
      name: "not resolved yet: stays unresolved",
      stored: { linesJson: json([line("L1", "P1")]), scopeState: "unresolved" },
      merged: { linesJson: json([line("L1", "P1"), line("L2", "P2")]), source: "webhook" },
      want: { linesJson: json([line("L1", "P1"), line("L2", "P2")]), scopeState: "unresolved" },
    },
    {
      name: "a backfill's lines: resolved as they come",
      stored: { linesJson: json([line("L1", "P1")]), scopeState: "unresolved" },
      merged: { linesJson: json([line("L1", "P1", ["C2"], [])]), source: "backfill" },
      want: { linesJson: json([line("L1", "P1", ["C2"], [])]), scopeState: "resolved" },
    },
  ])("$name", ({ stored, merged, want }) => {
    expect(scopesAfterMerge(stored, merged)).toEqual(want);
  });
});
