import { Prisma, type OrderFact as OrderFactRow } from "@prisma/client";
import { dbProvider, type Tx } from "~/db/client.server";
import { inJsonList, selectLikePrisma } from "~/db/sqlite-direct-reads.server";
import { sqliteConnectionOf } from "~/db/sqlite-direct-writes.server";
import type { OrderLine, RefundFact as EngineRefund } from "~/domain";
import { salesChannelOf } from "~/domain/sales-channels";
import { decimalToMinor } from "~/shopify/backfill.server";
import { scopesAfterMerge } from "./order-line-scopes";
import { orderGidFromId, productGidFromId, type OrderPayload, type RefundPayload } from "./webhook-payloads.server";
import { insertOrderFacts } from "./recalculation/batch-sql.server";
import { newRowId } from "./recalculation/row-id.server";

/**
 * Orders and refunds as facts. An order row always holds the newest description Shopify sent (by `updated_at`),
 * so deliveries in any order converge on the same row; being paid and being cancelled are one-way, so an older
 * payload can add them but never take them away. A refund is written once and may precede its order.
 */

/** Financial statuses of an order that has been paid (refunds then arrive as their own facts). */
const PAID_STATUSES = new Set(["paid", "partially_refunded", "refunded"]);

/** Shopify's `source_name` → the program's channel id: the one mapping of app/domain/sales-channels.ts. */
export const channelOf = salesChannelOf;

export interface OrderFactInput {
  orderGid: string;
  customerGid: string | null;
  name: string | null;
  paidAt: Date | null;
  cancelledAt: Date | null;
  financialStatus: string | null;
  test: boolean;
  channel: string | null;
  currency: string;
  total: number;
  subtotal: number;
  shipping: number;
  tax: number;
  hasDiscountCode: boolean;
  lines: OrderLine[];
  sourceUpdatedAt: Date;
  source: "webhook" | "backfill";
}

// scopeState/scopeAttempts are kept by their own writer (the lines' collections and tags), not by a payload merge.
type OrderFactData = Omit<OrderFactRow, "id" | "shop" | "orderGid" | "createdAt" | "updatedAt" | "scopeState" | "scopeAttempts">;

/** Unit price after every discount allocated to the line (line and order discounts), in the shop's currency. */
function lineFromPayload(item: OrderPayload["line_items"][number]): OrderLine {
  const unit = decimalToMinor(item.price_set?.shop_money.amount ?? item.price, `${item.admin_graphql_api_id}.price`);
  const discounts = (item.discount_allocations ?? []).reduce(
    (sum, d) => sum + decimalToMinor(d.amount_set?.shop_money.amount ?? d.amount ?? "0", `${item.admin_graphql_api_id}.discount_allocations`),
    0,
  );
  const quantity = item.quantity;
  const price = quantity > 0 ? Math.max(0, Math.round((unit * quantity - discounts) / quantity)) : unit;
  return {
    id: item.admin_graphql_api_id,
    productId: item.product_id ? productGidFromId(item.product_id) : "",
    quantity,
    price,
    // Webhooks carry neither collections nor product tags; scoped conditions see only product ids here.
    collectionIds: [],
    tags: [],
    giftCard: item.gift_card === true,
  };
}

export function orderFactFromPayload(order: OrderPayload, topic: "orders/paid" | "orders/updated" | "orders/cancelled"): OrderFactInput {
  const status = order.financial_status?.toLowerCase() ?? null;
  const paid = topic === "orders/paid" || (status !== null && PAID_STATUSES.has(status));
  const paidAt = paid ? new Date(order.processed_at ?? order.created_at) : null;
  return {
    orderGid: order.admin_graphql_api_id,
    customerGid: order.customer?.admin_graphql_api_id ?? null,
    name: order.name ?? null,
    paidAt,
    cancelledAt: order.cancelled_at ? new Date(order.cancelled_at) : null,
    financialStatus: status,
    test: order.test === true,
    channel: channelOf(order.source_name),
    currency: order.total_price_set.shop_money.currency_code,
    total: decimalToMinor(order.total_price_set.shop_money.amount, "total_price_set"),
    subtotal: decimalToMinor(order.subtotal_price_set.shop_money.amount, "subtotal_price_set"),
    shipping: order.total_shipping_price_set ? decimalToMinor(order.total_shipping_price_set.shop_money.amount, "total_shipping_price_set") : 0,
    tax: order.total_tax_set ? decimalToMinor(order.total_tax_set.shop_money.amount, "total_tax_set") : 0,
    hasDiscountCode: (order.discount_codes ?? []).length > 0,
    lines: order.line_items.map(lineFromPayload),
    sourceUpdatedAt: new Date(order.updated_at ?? order.created_at),
    source: "webhook",
  };
}

export interface RefundFactInput {
  refundGid: string;
  orderGid: string;
  createdAt: Date;
  amount: number;
  lines: EngineRefund["lines"];
}

/** Money returned = the successful refund transactions; the returned lines decide what the engine takes back. */
export function refundFactFromPayload(refund: RefundPayload): RefundFactInput {
  const amount = (refund.transactions ?? [])
    .filter((t) => t.kind === "refund" && (t.status ?? "success") === "success")
    .reduce((sum, t) => sum + decimalToMinor(t.amount, "transactions.amount"), 0);
  return {
    refundGid: refund.admin_graphql_api_id,
    orderGid: orderGidFromId(refund.order_id),
    createdAt: new Date(refund.created_at),
    amount,
    lines: refund.refund_line_items
      .filter((l) => l.line_item?.admin_graphql_api_id && l.quantity > 0)
      .map((l) => ({ lineId: l.line_item!.admin_graphql_api_id, quantity: l.quantity })),
  };
}

function rowData(input: OrderFactInput): OrderFactData {
  return {
    customerGid: input.customerGid,
    name: input.name,
    paidAt: input.paidAt,
    cancelledAt: input.cancelledAt,
    financialStatus: input.financialStatus,
    test: input.test,
    channel: input.channel,
    currency: input.currency,
    total: input.total,
    subtotal: input.subtotal,
    shipping: input.shipping,
    tax: input.tax,
    hasDiscountCode: input.hasDiscountCode,
    linesJson: JSON.stringify(input.lines),
    sourceUpdatedAt: input.sourceUpdatedAt,
    source: input.source,
  };
}

const earlier = (a: Date | null, b: Date | null) => (a === null ? b : b === null ? a : a.getTime() <= b.getTime() ? a : b);

/** The stored row's content after merging `input` into `existing`. */
export function mergeOrderFact(existing: OrderFactData, input: OrderFactInput): OrderFactData {
  const newer = input.sourceUpdatedAt.getTime() > existing.sourceUpdatedAt.getTime();
  const base = newer
    ? rowData(input)
    : {
        customerGid: existing.customerGid,
        name: existing.name,
        paidAt: existing.paidAt,
        cancelledAt: existing.cancelledAt,
        financialStatus: existing.financialStatus,
        test: existing.test,
        channel: existing.channel,
        currency: existing.currency,
        total: existing.total,
        subtotal: existing.subtotal,
        shipping: existing.shipping,
        tax: existing.tax,
        hasDiscountCode: existing.hasDiscountCode,
        linesJson: existing.linesJson,
        sourceUpdatedAt: existing.sourceUpdatedAt,
        source: existing.source,
      };
  // One-way facts: whichever payload saw them first, they stay (the earliest instant wins, so the order is stable).
  return { ...base, paidAt: earlier(existing.paidAt, input.paidAt), cancelledAt: earlier(existing.cancelledAt, input.cancelledAt) };
}

function sameContent(a: OrderFactData, row: OrderFactData): boolean {
  return (Object.keys(a) as (keyof OrderFactData)[]).every((k) => {
    const x = a[k];
    const y = row[k];
    return x instanceof Date || y instanceof Date ? (x as Date | null)?.getTime() === (y as Date | null)?.getTime() : x === y;
  });
}

/** An order or a refund to store: what one delivery (or one backfilled record) says. */
export type FactInput = { kind: "order"; input: OrderFactInput } | { kind: "refund"; input: RefundFactInput };

export interface FactWrites {
  /** Per input, in order: the customers whose history it changed (none when it added nothing new). */
  touched: string[][];
  /** Whether a paid order written here waits for its lines' collections and tags (the resolver is to be queued). */
  awaitingScopes: boolean;
}

/** An order row as this writer tracks it: the stored row, or one created by an earlier input of the same call. */
type OrderState = OrderFactData & { orderGid: string; scopeState: string; id?: string };

/**
 * Stores many orders and refunds (a drainer's group of deliveries, a backfill's chunk) as if each were stored alone,
 * in order, with a few statements for all of them: one read of the orders and refunds they name, the merges in
 * memory, then one insert per table, an update per changed stored order, and one statement that makes refunds
 * follow their order's customer. An order keeps the newest description Shopify sent (mergeOrderFact); a refund is
 * written once, with its order's customer when the order is known (else none until the order arrives).
 * `onlyIfMissing` (a backfill): orders already stored are left as they are.
 */
export async function writeFacts(tx: Tx, shop: string, inputs: FactInput[], opts: { onlyIfMissing?: boolean } = {}): Promise<FactWrites> {
  const orderGids = [...new Set(inputs.map((f) => f.input.orderGid))];
  const refundGids = [...new Set(inputs.flatMap((f) => (f.kind === "refund" ? [f.input.refundGid] : [])))];
  // On SQLite's connection under the transaction, the same rows without Prisma's per-query cost (sqlite-direct-reads).
  const database = sqliteConnectionOf(tx);
  const [storedOrders, storedRefunds] = database
    ? [
        selectLikePrisma<OrderFactRow>(database, "OrderFact", {
          where: `"shop" = ? AND ${inJsonList("orderGid")}`,
          args: [shop, JSON.stringify(orderGids)],
        }),
        refundGids.length
          ? selectLikePrisma<{ refundGid: string }>(database, "RefundFact", {
              select: { refundGid: true },
              where: `"shop" = ? AND ${inJsonList("refundGid")}`,
              args: [shop, JSON.stringify(refundGids)],
            })
          : [],
      ]
    : await Promise.all([
        tx.orderFact.findMany({ where: { shop, orderGid: { in: orderGids } } }),
        refundGids.length ? tx.refundFact.findMany({ where: { shop, refundGid: { in: refundGids } }, select: { refundGid: true } }) : [],
      ]);
  const orders = new Map<string, OrderState>(storedOrders.map((o) => [o.orderGid, o]));
  const refundsSeen = new Set(storedRefunds.map((r) => r.refundGid));
  const creates = new Map<string, OrderState>();
  const updates = new Map<string, { id: string; data: OrderFactData & { scopeState: string } }>();
  const newRefunds: Prisma.RefundFactCreateManyInput[] = [];
  const moved = new Set<string>();
  const touched: string[][] = [];

  for (const fact of inputs) {
    if (fact.kind === "refund") {
      const r = fact.input;
      if (refundsSeen.has(r.refundGid)) {
        touched.push([]);
        continue;
      }
      refundsSeen.add(r.refundGid);
      const customerGid = orders.get(r.orderGid)?.customerGid ?? null;
      newRefunds.push({
        shop,
        refundGid: r.refundGid,
        orderGid: r.orderGid,
        customerGid,
        createdAt: r.createdAt,
        amount: r.amount,
        linesJson: JSON.stringify(r.lines),
      });
      touched.push(customerGid ? [customerGid] : []);
      continue;
    }
    const input = fact.input;
    const existing = orders.get(input.orderGid);
    if (!existing) {
      // A backfill's lines carry their products' collections and tags; a webhook's do not (order-scopes.server.ts).
      const row: OrderState = { orderGid: input.orderGid, ...rowData(input), scopeState: input.source === "backfill" ? "resolved" : "unresolved" };
      orders.set(input.orderGid, row);
      creates.set(input.orderGid, row);
      moved.add(input.orderGid);
      touched.push(input.customerGid ? [input.customerGid] : []);
      continue;
    }
    if (opts.onlyIfMissing) {
      touched.push([]);
      continue;
    }
    const merged = mergeOrderFact(existing, input);
    const scopes = scopesAfterMerge(existing, merged);
    merged.linesJson = scopes.linesJson;
    if (sameContent(merged, existing)) {
      touched.push([]);
      continue;
    }
    const row: OrderState = { ...existing, ...merged, scopeState: scopes.scopeState };
    orders.set(input.orderGid, row);
    if (creates.has(input.orderGid)) creates.set(input.orderGid, row);
    else updates.set(input.orderGid, { id: existing.id!, data: { ...merged, scopeState: scopes.scopeState } });
    moved.add(input.orderGid);
    const customers = new Set<string>();
    if (row.customerGid) customers.add(row.customerGid);
    if (existing.customerGid && existing.customerGid !== row.customerGid) customers.add(existing.customerGid);
    touched.push([...customers]);
  }

  await insertOrderFacts(
    tx,
    shop,
    [...creates.values()].map((row) => ({ ...row, id: newRowId() })),
  );
  for (const { id, data } of updates.values()) await tx.orderFact.update({ where: { id }, data });
  if (newRefunds.length) await tx.refundFact.createMany({ data: newRefunds });
  // Refunds that came first (or belonged to the previous customer) follow their order.
  if (moved.size) await refundsFollowTheirOrders(tx, shop, [...moved]);
  const awaitingScopes = [...moved].some((gid) => {
    const o = orders.get(gid)!;
    return o.scopeState === "unresolved" && o.paidAt !== null;
  });
  return { touched, awaitingScopes };
}

/** Sets each refund of these orders to its order's customer where it differs (null included), in one statement. */
async function refundsFollowTheirOrders(tx: Tx, shop: string, orderGids: string[]): Promise<void> {
  const differs = dbProvider(tx) === "postgresql" ? Prisma.sql`IS DISTINCT FROM` : Prisma.sql`IS NOT`;
  const customerOfOrder = Prisma.sql`(SELECT o."customerGid" FROM "OrderFact" AS o WHERE o."shop" = "RefundFact"."shop" AND o."orderGid" = "RefundFact"."orderGid")`;
  await tx.$executeRaw`
    UPDATE "RefundFact" SET "customerGid" = ${customerOfOrder}
     WHERE "shop" = ${shop} AND "orderGid" IN (${Prisma.join(orderGids)}) AND "customerGid" ${differs} ${customerOfOrder}`;
}

/**
 * Upserts an order. Returns the customers whose history changed (the order's customer, and its previous customer
 * when the order moved), or none when the delivery added nothing new.
 */
export async function upsertOrderFact(tx: Tx, shop: string, input: OrderFactInput, opts: { onlyIfMissing?: boolean } = {}): Promise<string[]> {
  return (await writeFacts(tx, shop, [{ kind: "order", input }], opts)).touched[0];
}

/** Inserts a refund once. Returns the customer to recompute (none while its order is unknown, or on a repeat). */
export async function insertRefundFact(tx: Tx, shop: string, input: RefundFactInput): Promise<string[]> {
  return (await writeFacts(tx, shop, [{ kind: "refund", input }])).touched[0];
}
