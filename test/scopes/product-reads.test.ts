import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchProductScopes, PRODUCTS_PER_QUERY } from "~/services/order-scopes.server";
import { asCaller } from "~/shopify/admin-graphql.server";
import { virtualClock } from "../../tools/shopify-stand-in/builders";
import { standInAdminClient, startStandIn, type StandIn } from "../../tools/shopify-stand-in/index";

/**
 * Reading products' collections and tags through the Admin API (the stand-in executes the queries against Shopify's
 * real 2026-10 schema and prices them as Shopify does): batches stay under a single query's 1,000-point limit, a
 * product in more collections than the first page holds is paged to the end, and a deleted product has none.
 */

const SHOP = "product-reads.myshopify.com";
let standIn: StandIn;
// One clock for the stand-in's cost bucket and the caller's waits: throttling plays out instantly and exactly.
const clock = virtualClock();
const caller = () =>
  asCaller(standInAdminClient({ url: standIn.url, shop: SHOP, accessToken: "shpat_reads" }), { sleep: clock.sleep, now: clock.now });
const product = (n: number) => `gid://shopify/Product/${n}`;
const collection = (n: number) => `gid://shopify/Collection/${n}`;

beforeAll(async () => {
  standIn = await startStandIn({ shops: [{ domain: SHOP, accessToken: "shpat_reads" }], now: clock.now });
  standIn.seed(
    {
      products: [
        // In 300 collections: a first page of 25, then 250, then 25.
        { id: product(1), title: "Everywhere", tags: ["b", "a"], collections: Array.from({ length: 300 }, (_, i) => collection(5000 + i)) },
        ...Array.from({ length: 69 }, (_, i) => ({
          id: product(100 + i),
          title: `P${i}`,
          tags: [`t${i}`],
          collections: [collection(9000 + (i % 3))],
        })),
      ],
    },
    SHOP,
  );
});
afterAll(async () => standIn?.close());

describe("fetchProductScopes", () => {
  it("reads 70 products in batches of 30 under the cost limit, paging a product's 300 collections", async () => {
    const gids = [product(1), ...Array.from({ length: 69 }, (_, i) => product(100 + i))];
    const scopes = await fetchProductScopes(caller(), gids);
    expect(scopes.get(product(1))).toEqual({
      collectionIds: Array.from({ length: 300 }, (_, i) => collection(5000 + i)).sort(),
      tags: ["b", "a"],
    });
    expect(scopes.get(product(105))).toEqual({ collectionIds: [collection(9002)], tags: ["t5"] });
    const calls = standIn.calls(SHOP).filter((c) => c.outcome === "ok");
    expect(calls.map((c) => c.operationName)).toEqual([
      "ProductScopes",
      "ProductCollectionsPage",
      "ProductCollectionsPage",
      "ProductScopes",
      "ProductScopes",
    ]);
    expect(calls.filter((c) => c.operationName === "ProductScopes").map((c) => (c.variables?.ids as string[]).length)).toEqual([
      PRODUCTS_PER_QUERY,
      PRODUCTS_PER_QUERY,
      10,
    ]);
    for (const c of calls) expect(c.requestedQueryCost).toBeLessThanOrEqual(1000);
  });

  it("a product Shopify no longer has: no collections, no tags", async () => {
    expect(await fetchProductScopes(caller(), [product(999_999)])).toEqual(new Map([[product(999_999), { collectionIds: [], tags: [] }]]));
  });
});
