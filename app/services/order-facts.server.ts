import type { OrderFact as OrderFactRow } from "@prisma/client";
import type { Tx } from "~/db/client.server";
import type { OrderLine, RefundFact as EngineRefund } from "~/domain";
import { salesChannelOf } from "~/domain/sales-channels";
import { decimalToMinor } from "~/shopify/backfill.server";
import { scopesAfterMerge } from "./order-line-scopes";
import { orderGidFromId, productGidFromId, type OrderPayload, type RefundPayload } from "./webhook-payloads.server";

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
export function mergeOrderFact(existing: OrderFactRow, input: OrderFactInput): OrderFactData {
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

function sameContent(a: OrderFactData, row: OrderFactRow): boolean {
  return (Object.keys(a) as (keyof OrderFactData)[]).every((k) => {
    const x = a[k];
    const y = row[k];
    return x instanceof Date || y instanceof Date ? (x as Date | null)?.getTime() === (y as Date | null)?.getTime() : x === y;
  });
}

/**
 * Upserts an order. Returns the customers whose history changed (the order's customer, and its previous customer
 * when the order moved), or none when the delivery added nothing new.
 */
export async function upsertOrderFact(tx: Tx, shop: string, input: OrderFactInput, opts: { onlyIfMissing?: boolean } = {}): Promise<string[]> {
  const existing = await tx.orderFact.findUnique({ where: { shop_orderGid: { shop, orderGid: input.orderGid } } });
  let customer: string | null;
  const touched = new Set<string>();
  if (!existing) {
    // A backfill's lines carry their products' collections and tags; a webhook's do not (order-scopes.server.ts).
    await tx.orderFact.create({
      data: { shop, orderGid: input.orderGid, ...rowData(input), scopeState: input.source === "backfill" ? "resolved" : "unresolved" },
    });
    customer = input.customerGid;
    if (customer) touched.add(customer);
  } else {
    if (opts.onlyIfMissing) return [];
    const merged = mergeOrderFact(existing, input);
    const scopes = scopesAfterMerge(existing, merged);
    merged.linesJson = scopes.linesJson;
    if (sameContent(merged, existing)) return [];
    await tx.orderFact.update({ where: { id: existing.id }, data: { ...merged, scopeState: scopes.scopeState } });
    customer = merged.customerGid;
    if (customer) touched.add(customer);
    if (existing.customerGid && existing.customerGid !== customer) touched.add(existing.customerGid);
  }
  // Refunds that came first (or belonged to the previous customer) follow the order.
  const stale = customer === null ? { customerGid: { not: null } } : { OR: [{ customerGid: null }, { customerGid: { not: customer } }] };
  await tx.refundFact.updateMany({ where: { shop, orderGid: input.orderGid, ...stale }, data: { customerGid: customer } });
  return [...touched];
}

/** Inserts a refund once. Returns the customer to recompute (none while its order is unknown, or on a repeat). */
export async function insertRefundFact(tx: Tx, shop: string, input: RefundFactInput): Promise<string[]> {
  const existing = await tx.refundFact.findUnique({ where: { shop_refundGid: { shop, refundGid: input.refundGid } }, select: { id: true } });
  if (existing) return [];
  const order = await tx.orderFact.findUnique({ where: { shop_orderGid: { shop, orderGid: input.orderGid } }, select: { customerGid: true } });
  const customerGid = order?.customerGid ?? null;
  await tx.refundFact.create({
    data: {
      shop,
      refundGid: input.refundGid,
      orderGid: input.orderGid,
      customerGid,
      createdAt: input.createdAt,
      amount: input.amount,
      linesJson: JSON.stringify(input.lines),
    },
  });
  return customerGid ? [customerGid] : [];
}
