import { orderPayload } from "../sample-data/webhook-payloads";
import { numericPart, type ShopState } from "./store";

/**
 * The merchant's catalogue changing, as Shopify tells apps about it: a product's tags or collections edited, a product
 * or collection deleted, each returning the webhook body Shopify sends (products/update, products/delete,
 * collections/update, collections/delete), for `store.sendWebhook`. `nodes(ids:)` and `product(id:)` already answer
 * products' tags and collections from the store (resolvers.ts), so the app reads what these changes left.
 * Also the orders/paid body of an order of the store, so the same order can be imported by the backfill in one shop
 * and delivered live in another (test/scopes).
 */

type Json = Record<string, unknown>;

export interface StandInCatalog {
  /** Sets a product's tags; returns its products/update body. */
  setProductTags(shop: ShopState, productGid: string, tags: string[]): Json;
  /** Sets the (manual) collections a product is in, by title or GID (unknown titles create the collection); returns its products/update body. */
  setProductCollections(shop: ShopState, productGid: string, collections: string[]): Json;
  /** Moves a product into or out of a collection; returns the collection's collections/update body. */
  setCollectionMember(shop: ShopState, collectionGid: string, productGid: string, member: boolean): Json;
  /** Creates a collection with this GID and title (or renames it), so seeds and programmes can name a fixed GID; returns its collections/update body. */
  nameCollection(shop: ShopState, collectionGid: string, title: string): Json;
  /** Deletes a product (nodes then answers null for it); returns its products/delete body. */
  deleteProduct(shop: ShopState, productGid: string): Json;
  /** Deletes a collection (it leaves every product); returns its collections/delete body. */
  deleteCollection(shop: ShopState, collectionGid: string): Json;
  /** The orders/paid body Shopify would send for an order of the store (lines at the prices the buyer paid). */
  ordersPaidPayload(shop: ShopState, orderGid: string): Json;
}

const iso = (ms: number) => new Date(ms).toISOString();

export function productUpdatePayload(p: { id: string; title: string; tags: string[] }, updatedAt: string): Json {
  return {
    admin_graphql_api_id: p.id,
    id: numericPart(p.id),
    title: p.title,
    handle: p.title.toLowerCase().replace(/[^a-z0-9]+/g, "-"),
    body_html: null,
    vendor: "Tierline demo",
    product_type: "",
    status: "active",
    published_scope: "web",
    // REST's comma-separated form, as Shopify sends it.
    tags: p.tags.join(", "),
    created_at: updatedAt,
    updated_at: updatedAt,
    published_at: updatedAt,
    template_suffix: null,
    variants: [],
    options: [],
    images: [],
    image: null,
    media: [],
    variant_gids: [],
    has_variants_that_requires_components: false,
    category: null,
  };
}

export const productDeletePayload = (productGid: string): Json => ({ id: numericPart(productGid) });

export function collectionUpdatePayload(c: { id: string; title: string }, updatedAt: string): Json {
  return {
    admin_graphql_api_id: c.id,
    id: numericPart(c.id),
    handle: c.title.toLowerCase().replace(/[^a-z0-9]+/g, "-"),
    title: c.title,
    updated_at: updatedAt,
    body_html: null,
    published_at: updatedAt,
    sort_order: "manual",
    template_suffix: null,
    published_scope: "web",
  };
}

export const collectionDeletePayload = (collectionGid: string): Json => ({
  id: numericPart(collectionGid),
  published_scope: "web",
  admin_graphql_api_id: collectionGid,
});

export function createStandInCatalog(now: () => number, changed: () => void): StandInCatalog {
  const product = (shop: ShopState, gid: string) => {
    const p = shop.products[gid];
    if (!p) throw new Error(`the stand-in has no product ${gid} in ${shop.domain}`);
    return p;
  };
  const collectionId = (shop: ShopState, c: string) => {
    if (c.startsWith("gid://")) {
      shop.collections[c] ??= { id: c, title: c };
      return c;
    }
    const found = Object.values(shop.collections).find((x) => x.title === c);
    if (found) return found.id;
    const id = `gid://shopify/Collection/${shop.nextId++}`;
    shop.collections[id] = { id, title: c };
    return id;
  };
  return {
    setProductTags(shop, gid, tags) {
      const p = product(shop, gid);
      p.tags = [...tags];
      changed();
      return productUpdatePayload(p, iso(now()));
    },
    setProductCollections(shop, gid, collections) {
      const p = product(shop, gid);
      p.collectionIds = collections.map((c) => collectionId(shop, c));
      changed();
      return productUpdatePayload(p, iso(now()));
    },
    setCollectionMember(shop, collectionGid, gid, member) {
      const p = product(shop, gid);
      const id = collectionId(shop, collectionGid);
      p.collectionIds = p.collectionIds.filter((c) => c !== id);
      if (member) p.collectionIds.push(id);
      changed();
      return collectionUpdatePayload(shop.collections[id], iso(now()));
    },
    nameCollection(shop, collectionGid, title) {
      shop.collections[collectionGid] = { id: collectionGid, title };
      changed();
      return collectionUpdatePayload(shop.collections[collectionGid], iso(now()));
    },
    deleteProduct(shop, gid) {
      product(shop, gid);
      delete shop.products[gid];
      changed();
      return productDeletePayload(gid);
    },
    deleteCollection(shop, collectionGid) {
      for (const p of Object.values(shop.products)) p.collectionIds = p.collectionIds.filter((c) => c !== collectionGid);
      delete shop.collections[collectionGid];
      changed();
      return collectionDeletePayload(collectionGid);
    },
    ordersPaidPayload(shop, orderGid) {
      const o = shop.orders[orderGid];
      if (!o) throw new Error(`the stand-in has no order ${orderGid} in ${shop.domain}`);
      const c = o.customerId ? shop.customers[o.customerId] : undefined;
      return orderPayload({
        id: numericPart(o.id),
        name: o.name,
        customer: c ? { id: numericPart(c.id), email: c.email, firstName: c.firstName, lastName: c.lastName } : null,
        lines: o.lineItems.map((l) => ({
          id: numericPart(l.id),
          productId: l.productId ? numericPart(l.productId) : undefined,
          quantity: l.quantity,
          price: l.unitPrice,
          giftCard: l.isGiftCard,
        })),
        shipping: o.totalShipping,
        tax: o.totalTax,
        currency: o.currencyCode,
        processedAt: o.processedAt,
        createdAt: o.createdAt,
        cancelledAt: o.cancelledAt,
        test: o.test,
        sourceName: o.sourceName,
        discountCodes: o.discountCodes,
      }) as Json;
    },
  };
}
