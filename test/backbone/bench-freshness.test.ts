import { describe, expect, it } from "vitest";
import { freshnessMs } from "../../bench/support/freshness";
import type { BurstDelivery } from "../../bench/support/webhook-burst";

/**
 * bench:webhooks' level freshness: per delivery, the time from its ack until the store shows its member with it
 * folded. What the shopper would see decides, including a customer with nothing to show yet.
 */

const ADA = "gid://shopify/Customer/1";
const order = (n: number, amount = 4500): BurstDelivery => ({
  topic: "orders/paid",
  payload: {},
  webhookId: `order-${n}`,
  customerGid: ADA,
  orderGid: `gid://shopify/Order/${n}`,
  amount,
});
const refund = (n: number): BurstDelivery => ({ ...order(n, -1500), topic: "refunds/create", webhookId: `refund-${n}` });

describe("level freshness", () => {
  it.each([
    { name: "an order, shown 500 ms after its ack", deliveries: [order(1)], acks: [1000], shown: [[1500, 4500]], fresh: [500] },
    {
      name: "a refund before any order of its customer: nothing to show, fresh at its ack",
      deliveries: [refund(1), order(1)],
      acks: [1000, 9000],
      shown: [[9400, 3000]],
      fresh: [0, 400],
    },
    { name: "a repeat of an order already shown", deliveries: [order(1), order(1)], acks: [1000, 3000], shown: [[1200, 4500]], fresh: [200, 0] },
    {
      name: "a later state shown first counts for the earlier delivery too",
      deliveries: [order(1), order(2)],
      acks: [1000, 1100],
      shown: [[2000, 9000]],
      fresh: [1000, 900],
    },
    { name: "never shown", deliveries: [order(1)], acks: [1000], shown: [], fresh: [null] },
  ])("$name", ({ deliveries, acks, shown, fresh }) => {
    const changes = new Map([[ADA, shown.map(([at, spend]) => ({ at, spend }))]]);
    expect(freshnessMs(deliveries, acks, changes)).toEqual(fresh);
  });
});
