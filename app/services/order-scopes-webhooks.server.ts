import type { DbOrTx } from "~/db/client.server";
import { markProductStale, markShopProductsStale } from "./order-scopes.server";
import { productGidFromId, type ParsedWebhook } from "./webhook-payloads.server";

type CatalogWebhook = Extract<ParsedWebhook, { topic: "products/update" | "products/delete" | "collections/update" | "collections/delete" }>;

/**
 * A product or collection changed in Shopify (webhook applied by the drainer): the cached collections and tags it may
 * have changed are read again when the next order needs them. `at` is when the delivery arrived: a read that began
 * after it already saw the change. A product's webhook marks that product; a collection's marks every cached product
 * of the shop (a product may have joined or left it, and the payload does not say which), in one UPDATE.
 */
export async function applyCatalogChange(db: DbOrTx, shop: string, parsed: CatalogWebhook, at: Date): Promise<void> {
  switch (parsed.topic) {
    case "products/update":
      return markProductStale(db, shop, parsed.payload.admin_graphql_api_id, at);
    case "products/delete":
      return markProductStale(db, shop, parsed.payload.admin_graphql_api_id ?? productGidFromId(parsed.payload.id), at);
    case "collections/update":
    case "collections/delete":
      return markShopProductsStale(db, shop, at);
  }
}
