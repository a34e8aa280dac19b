// The burst of webhook deliveries bench:webhooks and bench:drain send: `count` orders/paid for ceil(count /
// ordersPerCustomer) customers, a refund of one unit for every fifth customer's first order, and `duplicateRatio` ×
// count repeats (half Shopify retries with the same webhook id, half the same order under a new webhook id),
// shuffled with a fixed seed. Also what each customer should end with, so a bench can check nothing was lost or
// counted twice.
import type { Db } from "../../app/db/client.server.ts";
import { gid, orderPayload, refundPayload } from "../../tools/sample-data/webhook-payloads";
import { seededRandom } from "../../tools/sample-data/seeded-random";

const DAY = 86_400_000;
const UNIT_PRICE = 4500;

export interface BurstDelivery {
  topic: string;
  payload: unknown;
  webhookId: string;
  customerGid: string;
  orderGid: string;
  /** What it adds to its member's spend once folded, in minor units: the order's total, or minus the refund. */
  amount: number;
}

export interface Burst {
  deliveries: BurstDelivery[];
  uniqueOrders: number;
  uniqueRefunds: number;
  repeats: number;
  customers: number;
  /** Per customer gid: spend in minor units and order count after every delivery is folded. */
  expected: Map<string, { spend: number; orders: number }>;
  distinctWebhookIds: number;
}

export const BURST_FIRST_CUSTOMER_ID = 10_001;

export function webhookBurst(opts: { count: number; ordersPerCustomer: number; duplicateRatio: number; seed?: number; now?: number }): Burst {
  const { count, ordersPerCustomer, duplicateRatio } = opts;
  const expected = new Map<string, { spend: number; orders: number }>();
  const unique: BurstDelivery[] = [];
  const base = (opts.now ?? Date.now()) - 300 * DAY;
  for (let i = 0; i < count; i++) {
    const c = Math.floor(i / ordersPerCustomer);
    const customerId = BURST_FIRST_CUSTOMER_ID + c;
    const orderId = 1_000_000 + i;
    const quantity = 1 + (c % 3);
    const processedAt = new Date(base + i * 60_000).toISOString();
    const customerGid = gid("Customer", customerId);
    const orderGid = gid("Order", orderId);
    unique.push({
      topic: "orders/paid",
      customerGid,
      orderGid,
      amount: UNIT_PRICE * quantity,
      webhookId: `bench-order-${orderId}`,
      payload: orderPayload({ id: orderId, customer: { id: customerId }, processedAt, lines: [{ id: orderId * 10, quantity, price: "45.00" }] }),
    });
    const e = expected.get(gid("Customer", customerId)) ?? { spend: 0, orders: 0 };
    e.spend += UNIT_PRICE * quantity;
    e.orders += 1;
    expected.set(gid("Customer", customerId), e);
    // Every fifth customer returns one unit of their first order.
    if (c % 5 === 0 && i % ordersPerCustomer === 0) {
      unique.push({
        topic: "refunds/create",
        customerGid,
        orderGid,
        amount: -UNIT_PRICE,
        webhookId: `bench-refund-${orderId}`,
        payload: refundPayload({
          id: 2_000_000 + i,
          orderId,
          createdAt: new Date(base + i * 60_000 + DAY).toISOString(),
          lines: [{ lineId: orderId * 10, quantity: 1, price: "45.00" }],
        }),
      });
      e.spend -= UNIT_PRICE;
    }
  }
  const random = seededRandom(opts.seed ?? 42);
  const orders = unique.filter((d) => d.topic === "orders/paid");
  const repeats: BurstDelivery[] = [];
  const duplicateCount = Math.round(count * duplicateRatio);
  for (let k = 0; k < duplicateCount; k++) {
    const original = orders[Math.floor(random() * orders.length)];
    // A Shopify retry keeps the webhook id; a second subscription or a replay sends the same order under a new one.
    repeats.push(k % 2 === 0 ? original : { ...original, webhookId: `${original.webhookId}-again-${k}` });
  }
  const deliveries = [...unique, ...repeats];
  for (let i = deliveries.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [deliveries[i], deliveries[j]] = [deliveries[j], deliveries[i]];
  }
  return {
    deliveries,
    uniqueOrders: orders.length,
    uniqueRefunds: unique.length - orders.length,
    repeats: repeats.length,
    customers: Math.ceil(count / ordersPerCustomer),
    expected,
    distinctWebhookIds: new Set(deliveries.map((d) => d.webhookId)).size,
  };
}

/** Whether the shop ended where the burst says it should: nothing lost, nothing counted twice. */
export async function burstChecks(db: Db, shop: string, burst: Burst) {
  const members = await db.member.findMany({ where: { shop }, select: { customerGid: true, spend: true, orderCount: true } });
  const byGid = new Map(members.map((m) => [m.customerGid, m]));
  const mismatched = [...burst.expected].filter(([customerGid, e]) => {
    const m = byGid.get(customerGid);
    return !m || m.spend !== e.spend || m.orderCount !== e.orders;
  });
  const checks = {
    inboxRows: await db.webhookInbox.count({ where: { shop, topic: { in: ["orders/paid", "refunds/create"] } } }),
    distinctWebhookIds: burst.distinctWebhookIds,
    unprocessed: await db.webhookInbox.count({ where: { shop, status: { notIn: ["processed", "skipped"] } } }),
    ordersCounted: await db.orderFact.count({ where: { shop } }),
    uniqueOrdersSent: burst.uniqueOrders,
    refundsCounted: await db.refundFact.count({ where: { shop } }),
    uniqueRefundsSent: burst.uniqueRefunds,
    members: members.length,
    customers: burst.customers,
    membersWithWrongSpendOrCount: mismatched.length,
    orderCountSum: members.reduce((n, m) => n + m.orderCount, 0),
  };
  const ok =
    checks.inboxRows === checks.distinctWebhookIds &&
    checks.unprocessed === 0 &&
    checks.ordersCounted === checks.uniqueOrdersSent &&
    checks.orderCountSum === checks.uniqueOrdersSent &&
    checks.refundsCounted === checks.uniqueRefundsSent &&
    checks.members === checks.customers &&
    checks.membersWithWrongSpendOrCount === 0;
  return { checks, ok, firstMismatches: mismatched.slice(0, 3) };
}

/**
 * Per delivery (in send order), its member's spend once every delivery sent up to and including it is folded: an order
 * counts once however often it is repeated, and a refund counts once its order is there (whichever came first).
 */
export function spendAfterEach(deliveries: BurstDelivery[]): number[] {
  const orders = new Map<string, Set<string>>();
  const refunds = new Map<string, Set<string>>();
  const amounts = new Map<string, number>();
  const spendOf = (customer: string) => {
    let total = 0;
    for (const o of orders.get(customer) ?? []) total += amounts.get(`order ${o}`)!;
    for (const o of refunds.get(customer) ?? []) if (orders.get(customer)?.has(o)) total += amounts.get(`refund ${o}`)!;
    return total;
  };
  return deliveries.map((d) => {
    const kind = d.topic === "refunds/create" ? "refund" : "order";
    const set = (kind === "order" ? orders : refunds).get(d.customerGid) ?? new Set<string>();
    set.add(d.orderGid);
    (kind === "order" ? orders : refunds).set(d.customerGid, set);
    amounts.set(`${kind} ${d.orderGid}`, d.amount);
    return spendOf(d.customerGid);
  });
}
