import { dbProvider, type Db, type DbOrTx } from "~/db/client.server";
import { jsonTextRows, sqlInstant } from "~/db/raw-values.server";
import type { OrderLine } from "~/domain";
import { scopesMatterBefore } from "~/domain/program-scopes";
import { asCaller, type AdminCaller, type AdminGraphqlClient, type CallPolicy } from "~/shopify/admin-graphql.server";
import { PRODUCT_COLLECTIONS_PAGE, PRODUCT_SCOPES } from "~/shopify/product-scope-documents";
import { recalculateMembers } from "./member-recalculation.server";
import { linesWithScopes, productsOfLines, type ProductScopeValue } from "./order-line-scopes";
import { currentProgram, loadShopContext } from "./shop-context.server";

/**
 * Collections and tags for live orders. Shopify's order webhooks carry neither, so an order stored from a webhook is
 * `unresolved` until the worker (job `resolve-order-scopes`, never the webhook's acknowledgement) reads its products'
 * collections and tags through the Admin API, writes them into the order's lines and marks it `resolved`. The backfill
 * reads them in its own export, so its orders come resolved.
 *
 * A cache (ProductScope) keeps what was read per product: fresh for PRODUCT_SCOPE_TTL_MS unless a products/update,
 * products/delete, collections/update or collections/delete webhook marked it stale since (markProductStale,
 * markShopProductsStale), so most orders cost no Admin call at all.
 *
 * Honest limit: a line gets its product's collections and tags as the cache knows them when the order is resolved,
 * normally seconds after payment, not as Shopify had them at the instant of payment (Shopify keeps no history of a
 * product's collections). The backfill likewise reads products as they are at the import. A product deleted before
 * the order is resolved has neither: its lines are resolved with no collections and no tags.
 *
 * Resolution runs whether or not the published program reads collections or tags, so a program published later finds
 * its orders resolved: with the cache that is one Admin query per 30 products not read in the last day, and none for
 * a product sold again. While a program that reads them applies, a member with an unresolved paid order is not folded
 * (product-data-wait.server.ts); the resolver recomputes them once their orders are resolved.
 */

export const PRODUCT_SCOPE_TTL_MS = 24 * 60 * 60_000;
/** Products per `nodes` query: 30 × (1 + 2 + 25) = 840 points, under the 1,000 a single query may cost. */
export const PRODUCTS_PER_QUERY = 30;
/** Unresolved orders handled per transaction. */
export const ORDERS_PER_BATCH = 200;

const collectionsOf = (data: { nodes: { id: string }[] }) => data.nodes.map((n) => n.id);

interface ProductScopesNode {
  id: string;
  tags: string[];
  collections: { nodes: { id: string }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}

/**
 * Reads products' collections and tags from Shopify: PRODUCTS_PER_QUERY products a query, and for a product in more
 * than 25 collections the rest 250 at a time. A product Shopify no longer has (deleted) gets none.
 */
export async function fetchProductScopes(caller: AdminCaller, productGids: string[]): Promise<Map<string, ProductScopeValue>> {
  const out = new Map<string, ProductScopeValue>();
  for (let i = 0; i < productGids.length; i += PRODUCTS_PER_QUERY) {
    const ids = productGids.slice(i, i + PRODUCTS_PER_QUERY);
    const data = await caller.request<{ nodes: (ProductScopesNode | null)[] }>(PRODUCT_SCOPES, { ids }, { estimatedCost: ids.length * 28 });
    for (const [index, gid] of ids.entries()) {
      const node = data.nodes[index];
      if (!node || !Array.isArray(node.tags) || !node.collections) {
        out.set(gid, { collectionIds: [], tags: [] });
        continue;
      }
      const collectionIds = collectionsOf(node.collections);
      let page = node.collections.pageInfo;
      while (page.hasNextPage) {
        const more = await caller.request<{ node: { collections?: ProductScopesNode["collections"] } | null }>(
          PRODUCT_COLLECTIONS_PAGE,
          { id: gid, after: page.endCursor },
          { estimatedCost: 253 },
        );
        if (!more.node?.collections) break; // deleted meanwhile: what was read stands
        collectionIds.push(...collectionsOf(more.node.collections));
        page = more.node.collections.pageInfo;
      }
      out.set(gid, { collectionIds: [...new Set(collectionIds)].sort(), tags: [...node.tags] });
    }
  }
  return out;
}

/** Whether a cached row may answer at `now`: read within the TTL and after the last webhook that marked it stale. */
export function isFresh(row: { fetchedAt: Date; staleAt: Date | null }, now: Date): boolean {
  const fetched = row.fetchedAt.getTime();
  return now.getTime() - fetched < PRODUCT_SCOPE_TTL_MS && (row.staleAt === null || fetched > row.staleAt.getTime());
}

/** The fresh cached scopes of these products (the others are missing from the map). */
export async function cachedProductScopes(db: DbOrTx, shop: string, productGids: string[], now: Date): Promise<Map<string, ProductScopeValue>> {
  const out = new Map<string, ProductScopeValue>();
  for (let i = 0; i < productGids.length; i += 500) {
    const rows = await db.productScope.findMany({ where: { shop, productGid: { in: productGids.slice(i, i + 500) } } });
    for (const row of rows) {
      if (isFresh(row, now)) out.set(row.productGid, { collectionIds: JSON.parse(row.collectionIds), tags: JSON.parse(row.tags) });
    }
  }
  return out;
}

/** Stores what was read, as of `fetchedAt` (when the read began): a stale mark set after it keeps the row stale. */
export async function storeProductScopes(db: Db, shop: string, scopes: Map<string, ProductScopeValue>, fetchedAt: Date): Promise<void> {
  await db.$transaction(async (tx) => {
    for (const [productGid, s] of scopes) {
      const data = { collectionIds: JSON.stringify(s.collectionIds), tags: JSON.stringify(s.tags), fetchedAt };
      await tx.productScope.upsert({ where: { shop_productGid: { shop, productGid } }, create: { shop, productGid, ...data }, update: data });
    }
  });
}

/** products/update, products/delete: the product's cached collections and tags are read again next time. */
export async function markProductStale(db: DbOrTx, shop: string, productGid: string, at: Date): Promise<void> {
  await db.productScope.updateMany({ where: { shop, productGid, OR: [{ staleAt: null }, { staleAt: { lt: at } }] }, data: { staleAt: at } });
}

/** collections/update, collections/delete: any product may have joined or left it; one UPDATE marks the shop's cache stale. */
export async function markShopProductsStale(db: DbOrTx, shop: string, at: Date): Promise<void> {
  await db.productScope.updateMany({
    where: { shop, fetchedAt: { lte: at }, OR: [{ staleAt: null }, { staleAt: { lt: at } }] },
    data: { staleAt: at },
  });
}

export interface ResolveResult {
  /** Orders whose lines now carry their products' collections and tags. */
  resolved: number;
  /** Customers recomputed because a program reading collections or tags applies to an order resolved now. */
  recomputed: string[];
  /** Products read from Shopify (the rest came from the cache). */
  fetched: number;
  /** Orders still unresolved because their products could not be read (their scopeAttempts went up). */
  failed: number;
  /** The Admin API's error when products could not be read (the job throws it, to retry with backoff). */
  error: unknown;
}

/**
 * Resolves the shop's unresolved paid orders, ORDERS_PER_BATCH at a time: products from the cache or from Shopify,
 * lines written only if the order did not change meanwhile (a delivery applied concurrently wins; the next run reads
 * it again). Orders whose products could not be read count a failed attempt and stay unresolved. After each batch the
 * customers of resolved orders are recomputed (origin "live", as the drainer would have) when a program reading
 * collections or tags applies to them. The shop's context is loaded after the batch commits, so a publication that
 * raced with it is seen either here or by the publication's own recalculation.
 */
export async function resolveOrderScopes(
  db: Db,
  admin: AdminGraphqlClient | AdminCaller,
  shop: string,
  opts: { now: () => Date; policy?: CallPolicy; afterBatch?: () => Promise<void> },
): Promise<ResolveResult> {
  const caller = asCaller(admin, opts.policy);
  const result: ResolveResult = { resolved: 0, recomputed: [], fetched: 0, failed: 0, error: null };
  // An uninstalled shop has no token to read products with (and its facts are purged).
  if ((await db.shop.findUnique({ where: { domain: shop }, select: { uninstalledAt: true } }))?.uninstalledAt) return result;
  const skip = new Set<string>();
  for (;;) {
    const orders = await db.orderFact.findMany({
      where: { shop, scopeState: "unresolved", paidAt: { not: null }, ...(skip.size ? { id: { notIn: [...skip] } } : {}) },
      select: { id: true, linesJson: true, customerGid: true, paidAt: true, test: true },
      orderBy: [{ paidAt: "asc" }, { id: "asc" }],
      take: ORDERS_PER_BATCH,
    });
    if (orders.length === 0) return result;
    const now = opts.now();
    const lines = new Map(orders.map((o) => [o.id, JSON.parse(o.linesJson) as OrderLine[]]));
    const wanted = [...new Set([...lines.values()].flatMap(productsOfLines))];
    const scopes = await cachedProductScopes(db, shop, wanted, now);
    const missing = wanted.filter((gid) => !scopes.has(gid));
    if (missing.length) {
      try {
        const read = await fetchProductScopes(caller, missing);
        await storeProductScopes(db, shop, read, now);
        for (const [gid, s] of read) scopes.set(gid, s);
        result.fetched += read.size;
      } catch (error) {
        result.error = error;
      }
    }
    const ready = orders.filter((o) => productsOfLines(lines.get(o.id)!).every((gid) => scopes.has(gid)));
    const unreadable = orders.filter((o) => !ready.includes(o));
    const customers = new Set<string>();
    await db.$transaction(async (tx) => {
      // One statement for the batch: each order its resolved lines, only where the stored lines are still those read.
      const resolved = ready.length
        ? await tx.$queryRaw<{ id: string }[]>`
            UPDATE "OrderFact" SET "linesJson" = v."after", "scopeState" = 'resolved', "updatedAt" = ${sqlInstant(dbProvider(tx), new Date())}
              FROM ${jsonTextRows(
                dbProvider(tx),
                ["id", "before", "after"],
                ready.map((o) => ({ id: o.id, before: o.linesJson, after: JSON.stringify(linesWithScopes(lines.get(o.id)!, scopes)) })),
              )}
             WHERE "OrderFact"."id" = v."id" AND "OrderFact"."scopeState" = 'unresolved' AND "OrderFact"."linesJson" = v."before"
            RETURNING "OrderFact"."id"`
        : [];
      const ids = new Set(resolved.map((r) => r.id));
      for (const o of ready) {
        if (!ids.has(o.id)) continue;
        result.resolved++;
        if (o.customerGid && !o.test) customers.add(o.customerGid);
      }
      if (unreadable.length) {
        await tx.orderFact.updateMany({ where: { id: { in: unreadable.map((o) => o.id) } }, data: { scopeAttempts: { increment: 1 } } });
      }
    });
    result.failed += unreadable.length;
    for (const o of unreadable) skip.add(o.id);
    await recomputeResolved(db, shop, orders, customers, now, result);
    await opts.afterBatch?.();
    if (result.error !== null && unreadable.length === orders.length) return result;
  }
}

/** Recomputes the customers of orders resolved now, when a program reading collections or tags applies to those orders. */
async function recomputeResolved(
  db: Db,
  shop: string,
  orders: { customerGid: string | null; paidAt: Date | null }[],
  customers: Set<string>,
  now: Date,
  result: ResolveResult,
): Promise<void> {
  if (customers.size === 0) return;
  const ctx = await loadShopContext(db, shop);
  const before = scopesMatterBefore(ctx.versions);
  if (!currentProgram(ctx) || before === null || ctx.uninstalled) return;
  const affected = [...customers].filter((gid) => orders.some((o) => o.customerGid === gid && o.paidAt!.getTime() < before)).sort();
  if (affected.length === 0) return;
  await recalculateMembers(db, ctx, affected, { now, origin: "live" });
  result.recomputed.push(...affected);
}

/** Why a member's level does not count their newest orders yet: what the admin's member page shows. */
export async function ordersWaitingForProductData(
  db: DbOrTx,
  shop: string,
  customerGid: string,
): Promise<{ orders: number; failedAttempts: number }> {
  const rows = await db.orderFact.findMany({
    where: { shop, customerGid, scopeState: "unresolved", paidAt: { not: null }, test: false },
    select: { scopeAttempts: true },
  });
  return { orders: rows.length, failedAttempts: rows.reduce((max, r) => Math.max(max, r.scopeAttempts), 0) };
}
