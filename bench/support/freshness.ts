// Level freshness for bench:webhooks: how long after a delivery's ack its member's `$app:tierline` metafields in the
// Shopify stand-in reflect it. A watcher polls the stand-in's customers (in the bench process, beside the worker
// loop) and keeps, per customer, when the progress metafield's spend changed and to what; afterwards each delivery is
// matched to the first poll, at or after its ack, that shows its member's spend with it folded (spendAfterEach) or a
// later state. The level and progress metafields are written together by the sync, so the progress one stands for both.
import { performance } from "node:perf_hooks";
import type { StandIn } from "../../tools/shopify-stand-in/index";
import { spendAfterEach, type BurstDelivery } from "./webhook-burst.ts";

export interface SpendChange {
  at: number;
  spend: number;
}

/** Polls `customerGids`' progress metafield every `intervalMs`; stop() returns each one's changes (epoch ms). */
export function watchStandInSpend(standIn: StandIn, shop: string, customerGids: string[], intervalMs = 100) {
  const changes = new Map<string, SpendChange[]>(customerGids.map((gid) => [gid, []]));
  const lastValue = new Map<string, string>();
  const poll = () => {
    const at = performance.timeOrigin + performance.now();
    const customers = standIn.shop(shop).customers;
    for (const gid of customerGids) {
      const metafields = customers[gid]?.metafields ?? {};
      const progress = Object.values(metafields).find((m) => m.key === "progress" && m.namespace.endsWith("--tierline"));
      if (!progress || lastValue.get(gid) === progress.value) continue;
      lastValue.set(gid, progress.value);
      const spend = Math.round(Number((JSON.parse(progress.value) as { spend: string }).spend) * 100);
      changes.get(gid)!.push({ at, spend });
    }
  };
  const timer = setInterval(poll, intervalMs);
  return {
    /** Whether every customer's last seen spend is `final`'s. */
    settled: (final: Map<string, number>) => [...final].every(([gid, spend]) => changes.get(gid)!.at(-1)?.spend === spend),
    stop(): Map<string, SpendChange[]> {
      clearInterval(timer);
      poll();
      return changes;
    },
  };
}

/**
 * Per delivery (send order; `ackedAt` epoch ms in the same order), ms from its ack until the stand-in showed its member
 * with it folded; null when it never did. `measuredFrom` skips the warm-up deliveries.
 */
export function freshnessMs(
  deliveries: BurstDelivery[],
  ackedAt: number[],
  changes: Map<string, SpendChange[]>,
  measuredFrom = 0,
): (number | null)[] {
  const expected = spendAfterEach(deliveries);
  // Per customer, the expected spends from each delivery on: a poll showing any of them has this delivery folded.
  const laterByIndex = new Map<number, Set<number>>();
  const byCustomer = new Map<string, number[]>();
  deliveries.forEach((d, i) => byCustomer.set(d.customerGid, [...(byCustomer.get(d.customerGid) ?? []), i]));
  for (const indexes of byCustomer.values()) {
    const later = new Set<number>();
    for (let k = indexes.length - 1; k >= 0; k--) {
      later.add(expected[indexes[k]]);
      laterByIndex.set(indexes[k], new Set(later));
    }
  }
  const out: (number | null)[] = [];
  for (let i = measuredFrom; i < deliveries.length; i++) {
    const acked = ackedAt[i];
    // Before its first sync a customer shows no spend (no metafields): the state in force from the start, spend 0. So a
    // delivery that leaves nothing to show (a refund that came before any of its customer's orders) is fresh at its ack,
    // not when the customer's first order, seconds later, is synced.
    const shown = [{ at: -Infinity, spend: 0 }, ...(changes.get(deliveries[i].customerGid) ?? [])];
    const seen = shown.find((c, k, list) => {
      // The state in force at the ack (the last change before it) counts from the ack on.
      const until = list[k + 1]?.at ?? Infinity;
      return until > acked && laterByIndex.get(i)!.has(c.spend);
    });
    out.push(seen ? Math.max(0, seen.at - acked) : null);
  }
  return out;
}
