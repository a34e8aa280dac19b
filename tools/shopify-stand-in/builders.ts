import type { MemberSyncRecord } from "../../app/shopify/types";
import { buildTierLevel } from "../sample-data/tier-builders";

/**
 * Builders with overridable defaults for Shopify-side tests, the demo and the benches (the member documents come from
 * tools/sample-data/tier-builders.ts, made by the app's own builder), plus a virtual clock shared by the app's
 * AdminCaller (sleep/now) and the stand-in's cost bucket (now), so throttling plays out instantly and exactly.
 */

export function buildMemberSyncRecord(customerGid: string, overrides: Partial<Omit<MemberSyncRecord, "customerGid">> = {}): MemberSyncRecord {
  return {
    customerGid,
    previousLevelId: null,
    level: buildTierLevel(),
    progress: { v: 1, currency: "USD", spend: "1200.00", points: 120, next: { id: "platinum", name: "Platinum", remainingSpend: "300.00" } },
    benefits: {
      v: 1,
      items: [
        { kind: "discount", type: "percentage", value: "10", minimumOrder: "50.00" },
        { kind: "freeShipping", countries: ["US", "CA"], minimumOrder: null },
        { kind: "custom", title: "Early access", icon: "star" },
      ],
    },
    history: { v: 1, entries: [{ at: "2026-03-02T10:00:00Z", kind: "earn", points: 120 }] },
    rewards: { v: 1, items: [] },
    ...overrides,
  };
}

export interface VirtualClock {
  now(): number;
  sleep(ms: number): Promise<void>;
  /** Every sleep requested, in order. */
  sleeps: number[];
  advance(ms: number): void;
}

export function virtualClock(start = Date.parse("2026-06-01T00:00:00Z")): VirtualClock {
  let t = start;
  const sleeps: number[] = [];
  return {
    now: () => t,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
      // Yield to the event loop, so background work (bulk operations) moves on while "time passes".
      await new Promise<void>((resolve) => setImmediate(resolve));
    },
    sleeps,
    advance: (ms: number) => {
      t += ms;
    },
  };
}
