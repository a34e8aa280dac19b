import type { OrderFact, OrderLine, RefundFact } from "~/domain";
import { salesChannelOf } from "~/domain/sales-channels";
import { DEFAULT_ORDER_WINDOW_DAYS } from "./access-scopes.server";
import { asCaller, type AdminCaller, type AdminGraphqlClient, type CallPolicy } from "./admin-graphql.server";
import {
  awaitBulkOperation,
  newBulkStats,
  readJsonl,
  startBulkQuery,
  type BulkOperationState,
  type BulkOptions,
  type BulkStats,
} from "./bulk-operations.server";
import { BACKFILL_CUSTOMERS, BACKFILL_ORDERS, BACKFILL_PRODUCTS, BACKFILL_REFUND_LINES, BACKFILL_SINCE_PLACEHOLDER } from "./documents";

/**
 * Install backfill: three bulk queries (customers; orders since activeFrom with their lines; products with tags and
 * collections), parsed into the engine's facts. Fetch and parse only: the caller evaluates with
 * `grantRewards: false`, because history imported on install must not hand out upgrade rewards.
 *
 * Bulk query results are flat JSONL: a nested connection's items are separate lines pointing at their parent with
 * `__parentId`, and may come before or after it, so parsing collects everything before joining.
 */

export interface BackfillStarted {
  since: string | null;
  operations: { customers: string; orders: string; products: string };
}

export interface BackfillCustomer {
  gid: string;
  displayName: string | null;
  email: string | null;
  tags: string[];
  createdAt: string | null;
}

export interface BackfillRefund {
  gid: string;
  at: number;
  refund: RefundFact;
}

export interface BackfillOrder {
  gid: string;
  name: string | null;
  customerGid: string | null;
  /** When the order was processed (paid for the purposes of levels), epoch ms. */
  paidAt: number;
  cancelledAt: number | null;
  test: boolean;
  financialStatus: string | null;
  currency: string | null;
  order: OrderFact;
  refunds: BackfillRefund[];
}

export interface BackfillData {
  customers: BackfillCustomer[];
  orders: BackfillOrder[];
  /** Lines that were not understood (unknown object type, orphaned child), kept for the import report. */
  skipped: { line: number; reason: string }[];
}

export interface BackfillOptions extends CallPolicy, BulkOptions {}

export class BackfillParseError extends Error {
  readonly code = "BACKFILL.INVALID_JSONL";
  constructor(message: string) {
    super(message);
    this.name = "BackfillParseError";
  }
}

export interface BackfillWindow {
  /** Orders processed from this instant are imported; null: all of them. */
  since: Date | null;
  /** Shopify's 60-day window cut the history short (read_all_orders not granted). */
  limited: boolean;
}

/**
 * From when the backfill reads orders: the program's `activeFrom`, and without read_all_orders no earlier than the
 * last 60 days, the only orders Shopify then answers. Asking for them explicitly makes the cut visible (stored on the
 * shop, told to the merchant) instead of an import that silently sees less than it asked for.
 */
export function backfillOrdersWindow({ activeFrom, allOrders, now }: { activeFrom: number | null; allOrders: boolean; now: Date }): BackfillWindow {
  const from = activeFrom === null ? null : new Date(activeFrom);
  if (allOrders) return { since: from, limited: false };
  const windowStart = new Date(now.getTime() - DEFAULT_ORDER_WINDOW_DAYS * 86_400_000);
  return from !== null && from >= windowStart ? { since: from, limited: false } : { since: windowStart, limited: true };
}

export function backfillOrdersQuery(since: string | null): string {
  // A search string, not a variable: bulk queries take none. An ISO instant has no quote to escape.
  return BACKFILL_ORDERS.replace(BACKFILL_SINCE_PLACEHOLDER, since ?? "1970-01-01T00:00:00Z");
}

export async function startBackfill(
  admin: AdminGraphqlClient | AdminCaller,
  { since }: { since: Date | string | null },
  opts: BackfillOptions = {},
  stats: BulkStats = newBulkStats(),
): Promise<BackfillStarted> {
  const caller = asCaller(admin, opts);
  const sinceDate = since === null ? null : new Date(since);
  if (sinceDate !== null && Number.isNaN(sinceDate.getTime())) throw new BackfillParseError(`since must be an ISO instant, got ${String(since)}`);
  const sinceIso = sinceDate === null ? null : sinceDate.toISOString();
  // API 2026-10 runs several bulk operations at once, so the three exports proceed in parallel on Shopify's side.
  const customers = await startBulkQuery(caller, BACKFILL_CUSTOMERS, stats);
  const orders = await startBulkQuery(caller, backfillOrdersQuery(sinceIso), stats);
  const products = await startBulkQuery(caller, BACKFILL_PRODUCTS, stats);
  return { since: sinceIso, operations: { customers, orders, products } };
}

/** Waits for the three exports, parses them, and fills in refund lines (which bulk queries cannot return). */
export async function collectBackfill(
  admin: AdminGraphqlClient | AdminCaller,
  started: BackfillStarted,
  opts: BackfillOptions = {},
  stats: BulkStats = newBulkStats(),
): Promise<BackfillData & { operations: BulkOperationState[] }> {
  const caller = asCaller(admin, opts);
  const operations: BulkOperationState[] = [];
  const lines: string[] = [];
  for (const id of Object.values(started.operations)) {
    const state = await awaitBulkOperation(caller, id, opts, stats);
    operations.push(state);
    if (state.status !== "COMPLETED") {
      throw new BackfillParseError(
        `backfill export ${id} ended ${state.status}${state.errorCode ? ` (${state.errorCode})` : ""}; start the backfill again`,
      );
    }
    if (state.url) for await (const line of readJsonl(state.url, opts)) lines.push(line);
  }
  const data = parseBackfillJsonl(lines);
  await fetchRefundLines(caller, data);
  return { ...data, operations };
}

// 5 refunds × 25 lines per order costs ~266 points; three orders stay under the 1,000-point single-query limit.
const REFUND_ORDERS_PER_CALL = 3;

/**
 * Completes refunds with their returned lines, only for orders that have refunds. A refund with more lines than one
 * request returns keeps `lines: []`, so the engine takes back its amount instead of guessing at units.
 */
export async function fetchRefundLines(admin: AdminGraphqlClient | AdminCaller, data: BackfillData, policy?: CallPolicy): Promise<void> {
  const caller = asCaller(admin, policy);
  const withRefunds = data.orders.filter((o) => o.refunds.length > 0);
  const refundsById = new Map(withRefunds.flatMap((o) => o.refunds.map((r) => [r.gid, r] as const)));
  for (let i = 0; i < withRefunds.length; i += REFUND_ORDERS_PER_CALL) {
    const ids = withRefunds.slice(i, i + REFUND_ORDERS_PER_CALL).map((o) => o.gid);
    const result = await caller.request(BACKFILL_REFUND_LINES, { ids }, { estimatedCost: ids.length * 270 });
    for (const node of result?.nodes ?? []) {
      for (const refund of node?.refunds ?? []) {
        const target = refundsById.get(refund.id);
        if (!target || refund.refundLineItems?.pageInfo?.hasNextPage) continue;
        target.refund.lines = (refund.refundLineItems?.nodes ?? [])
          .filter((l: any) => l?.lineItem?.id && l.quantity > 0)
          .map((l: any) => ({ lineId: l.lineItem.id as string, quantity: l.quantity as number }));
      }
    }
  }
}

// ── Parsing ───────────────────────────────────────────────────────────────────────────────────────────────────────

function gidType(gid: unknown): string | null {
  return typeof gid === "string" ? (/^gid:\/\/shopify\/([A-Za-z]+)\//.exec(gid)?.[1] ?? null) : null;
}

/** Decimal string → minor units, exactly; Shopify's Decimal can carry more than two places, which round half up. */
export function decimalToMinor(amount: unknown, where: string): number {
  if (typeof amount !== "string" && typeof amount !== "number")
    throw new BackfillParseError(`${where}: expected a decimal amount, got ${JSON.stringify(amount)}`);
  const text = String(amount).trim();
  const m = /^(-)?(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) throw new BackfillParseError(`${where}: expected a decimal amount, got ${JSON.stringify(amount)}`);
  const fraction = (m[3] ?? "").padEnd(3, "0");
  let minor = Number(m[2]) * 100 + Number(fraction.slice(0, 2));
  if (Number(fraction[2]) >= 5) minor += 1;
  return m[1] ? -minor : minor;
}

const money = (bag: any, where: string): number => (bag?.shopMoney?.amount === undefined ? 0 : decimalToMinor(bag.shopMoney.amount, where));

/** Shopify's `sourceName` → the channel id the program's `channels` list uses (app/domain/sales-channels.ts). */
export function channelOf(sourceName: unknown): string | undefined {
  return salesChannelOf(typeof sourceName === "string" ? sourceName : null) ?? undefined;
}

export function parseBackfillJsonl(input: Iterable<string>): BackfillData {
  const customers: BackfillCustomer[] = [];
  const orders = new Map<string, any>();
  const products = new Map<string, { tags: string[]; collectionIds: string[] }>();
  const lineItems: { parent: string; node: any; line: number }[] = [];
  const collections: { parent: string; id: string; line: number }[] = [];
  const skipped: BackfillData["skipped"] = [];

  let lineNumber = 0;
  for (const raw of input) {
    lineNumber++;
    const text = raw.trim();
    if (!text) continue;
    let row: any;
    try {
      row = JSON.parse(text);
    } catch {
      throw new BackfillParseError(`line ${lineNumber}: not JSON`);
    }
    const type = gidType(row?.id);
    switch (type) {
      case "Customer":
        customers.push({
          gid: row.id,
          displayName: row.displayName ?? null,
          email: row.defaultEmailAddress?.emailAddress ?? null,
          tags: Array.isArray(row.tags) ? row.tags : [],
          createdAt: row.createdAt ?? null,
        });
        break;
      case "Order":
        orders.set(row.id, row);
        break;
      case "LineItem":
        if (typeof row.__parentId !== "string") skipped.push({ line: lineNumber, reason: "line item without __parentId" });
        else lineItems.push({ parent: row.__parentId, node: row, line: lineNumber });
        break;
      case "Product":
        products.set(row.id, { tags: Array.isArray(row.tags) ? row.tags : [], collectionIds: products.get(row.id)?.collectionIds ?? [] });
        break;
      case "Collection":
        if (typeof row.__parentId !== "string") skipped.push({ line: lineNumber, reason: "collection without __parentId" });
        else collections.push({ parent: row.__parentId, id: row.id, line: lineNumber });
        break;
      default:
        skipped.push({ line: lineNumber, reason: `unknown object ${JSON.stringify(row?.id ?? null)}` });
    }
  }

  for (const c of collections) {
    const product = products.get(c.parent);
    if (product) product.collectionIds.push(c.id);
    else skipped.push({ line: c.line, reason: `collection ${c.id} of unknown product ${c.parent}` });
  }
  // Result files promise no order among siblings; sorting keeps a re-import byte-for-byte the same.
  for (const product of products.values()) product.collectionIds.sort();

  const linesByOrder = new Map<string, OrderLine[]>();
  for (const item of lineItems) {
    if (!orders.has(item.parent)) {
      skipped.push({ line: item.line, reason: `line item ${item.node.id} of unknown order ${item.parent}` });
      continue;
    }
    const productId: string = item.node.product?.id ?? "";
    const product = products.get(productId);
    const line: OrderLine = {
      id: item.node.id,
      productId,
      quantity: Number(item.node.quantity ?? 0),
      price: money(item.node.discountedUnitPriceAfterAllDiscountsSet, `${item.node.id}.discountedUnitPriceAfterAllDiscountsSet`),
      collectionIds: product ? [...product.collectionIds] : [],
      tags: product ? [...product.tags] : [],
      giftCard: item.node.isGiftCard === true,
    };
    const list = linesByOrder.get(item.parent) ?? [];
    list.push(line);
    linesByOrder.set(item.parent, list);
  }

  const parsedOrders: BackfillOrder[] = [];
  for (const row of orders.values()) {
    const paidAt = Date.parse(row.processedAt);
    if (Number.isNaN(paidAt)) throw new BackfillParseError(`${row.id}: processedAt is not an instant`);
    const order: OrderFact = {
      id: row.id,
      total: money(row.totalPriceSet, `${row.id}.totalPriceSet`),
      subtotal: money(row.subtotalPriceSet, `${row.id}.subtotalPriceSet`),
      shipping: money(row.totalShippingPriceSet, `${row.id}.totalShippingPriceSet`),
      tax: money(row.totalTaxSet, `${row.id}.totalTaxSet`),
      lines: linesByOrder.get(row.id) ?? [],
      hasDiscountCode: Array.isArray(row.discountCodes) && row.discountCodes.length > 0,
    };
    const channel = channelOf(row.sourceName);
    if (channel) order.channel = channel;
    parsedOrders.push({
      gid: row.id,
      name: row.name ?? null,
      customerGid: row.customer?.id ?? null,
      paidAt,
      cancelledAt: row.cancelledAt ? Date.parse(row.cancelledAt) : null,
      test: row.test === true,
      financialStatus: row.displayFinancialStatus ?? null,
      currency: row.totalPriceSet?.shopMoney?.currencyCode ?? null,
      order,
      refunds: (Array.isArray(row.refunds) ? row.refunds : []).map((r: any) => ({
        gid: r.id,
        at: Date.parse(r.createdAt ?? row.processedAt),
        refund: { id: r.id, amount: money(r.totalRefundedSet, `${r.id}.totalRefundedSet`), lines: [] },
      })),
    });
  }
  parsedOrders.sort((a, b) => a.paidAt - b.paidAt || (a.gid < b.gid ? -1 : 1));
  return { customers, orders: parsedOrders, skipped };
}
