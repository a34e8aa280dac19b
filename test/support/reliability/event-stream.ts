import { gid, orderPayload, refundPayload } from "../../../tools/sample-data/webhook-payloads";
import { seededRandom } from "../../../tools/sample-data/seeded-random";

/**
 * A realistic, reproducible stream of a shop's order webhooks for the reliability suite: N customers, each with a few
 * paid orders spread over three months, some edited afterwards (orders/updated with new prices), some partly
 * refunded, some cancelled, plus the orders/updated echo Shopify sends beside every payment. Every event carries the
 * instant Shopify would send it and a stable webhook id (a retry of a delivery keeps its id).
 */

export const randomInt = (random: () => number, min: number, max: number) => min + Math.floor(random() * (max - min + 1));

export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

export type StreamTopic = "orders/paid" | "orders/updated" | "orders/cancelled" | "refunds/create";

export interface StreamEvent {
  topic: StreamTopic;
  /** When Shopify sends it: the in-order replay delivers events by this instant. */
  at: number;
  webhookId: string;
  eventId: string;
  payload: Record<string, unknown>;
  orderGid: string;
  customerGid: string;
}

export interface EventStream {
  seed: number;
  customerIds: number[];
  customerGids: string[];
  orderGids: string[];
  /** In the order Shopify produced them (by `at`, ties by webhook id). */
  events: StreamEvent[];
}

export interface StreamOptions {
  seed: number;
  customers: number;
  /** First numeric customer id; ids are consecutive. */
  firstCustomerId?: number;
  /** Orders per customer (inclusive range). */
  ordersPerCustomer?: [number, number];
}

const START = Date.parse("2026-03-01T08:00:00Z");
const HOUR = 3600_000;
const iso = (t: number) => new Date(t).toISOString().replace(/\.\d{3}Z$/, "Z");

export function generateStream(opts: StreamOptions): EventStream {
  const random = seededRandom(opts.seed);
  const [minOrders, maxOrders] = opts.ordersPerCustomer ?? [1, 4];
  const firstId = opts.firstCustomerId ?? 810_000;
  const events: StreamEvent[] = [];
  const customerIds: number[] = [];
  const orderGids: string[] = [];
  let orderId = opts.seed * 1000 + 500_000_000;
  let refundId = opts.seed * 1000 + 700_000_000;
  let lineId = opts.seed * 10_000 + 900_000_000;
  let webhookSeq = 0;
  const ids = () => {
    webhookSeq++;
    return { webhookId: `rel-${opts.seed}-${webhookSeq}`, eventId: `rel-ev-${opts.seed}-${webhookSeq}` };
  };

  for (let c = 0; c < opts.customers; c++) {
    const id = firstId + c;
    customerIds.push(id);
    const customer = { id, email: `member.${id}@example.com`, firstName: `Member${id}`, lastName: "Reliable" };
    const orders = randomInt(random, minOrders, maxOrders);
    for (let o = 0; o < orders; o++) {
      const oid = ++orderId;
      const paidAt = START + randomInt(random, 0, 90 * 24) * HOUR;
      const lines = Array.from({ length: randomInt(random, 1, 3) }, () => ({
        id: ++lineId,
        quantity: randomInt(random, 1, 2),
        price: `${randomInt(random, 8, 150)}.${randomInt(random, 0, 99).toString().padStart(2, "0")}`,
      }));
      const base = { id: oid, customer, processedAt: iso(paidAt), lines };
      const ref = { orderGid: gid("Order", oid), customerGid: gid("Customer", id) };
      orderGids.push(ref.orderGid);
      events.push({ topic: "orders/paid", at: paidAt, ...ids(), payload: orderPayload(base), ...ref });
      // Shopify announces the payment as an update too, with the same content.
      events.push({ topic: "orders/updated", at: paidAt + 1000, ...ids(), payload: orderPayload(base), ...ref });

      const fate = random();
      if (fate < 0.2) {
        // An edit: a line's price changes (a discount applied after checkout).
        const editedAt = paidAt + randomInt(random, 1, 72) * HOUR;
        const edited = lines.map((l, i) => (i === 0 ? { ...l, price: `${Math.max(5, Math.round(Number(l.price) * 0.6))}.00` } : l));
        events.push({
          topic: "orders/updated",
          at: editedAt,
          ...ids(),
          payload: orderPayload({ ...base, lines: edited, updatedAt: iso(editedAt) }),
          ...ref,
        });
      } else if (fate < 0.45) {
        const refundedAt = paidAt + randomInt(random, 2, 240) * HOUR;
        const line = lines[randomInt(random, 0, lines.length - 1)];
        const rid = ++refundId;
        events.push({
          topic: "refunds/create",
          at: refundedAt,
          ...ids(),
          payload: refundPayload({ id: rid, orderId: oid, createdAt: iso(refundedAt), lines: [{ lineId: line.id, quantity: 1, price: line.price }] }),
          ...ref,
        });
        events.push({
          topic: "orders/updated",
          at: refundedAt + 1000,
          ...ids(),
          payload: orderPayload({ ...base, financialStatus: "partially_refunded", updatedAt: iso(refundedAt + 1000) }),
          ...ref,
        });
      } else if (fate < 0.55) {
        const cancelledAt = paidAt + randomInt(random, 1, 48) * HOUR;
        events.push({
          topic: "orders/cancelled",
          at: cancelledAt,
          ...ids(),
          payload: orderPayload({ ...base, financialStatus: "refunded", cancelledAt: iso(cancelledAt), updatedAt: iso(cancelledAt) }),
          ...ref,
        });
      }
    }
  }
  events.sort((a, b) => a.at - b.at || (a.webhookId < b.webhookId ? -1 : 1));
  return { seed: opts.seed, customerIds, customerGids: customerIds.map((id) => gid("Customer", id)), orderGids, events };
}
