// Seeded random programmes and fact streams for the checkpoint differential tests (test/domain/checkpoint-differential.test.ts,
// test/backbone/member-checkpoints.test.ts): a failure names its seed and replays exactly.
/** mulberry32: a small seeded generator, so a failure names its seed and replays exactly. */
export function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)],
    chance: (p: number) => next() < p,
  };
}
export type Rng = ReturnType<typeof rng>;

export const money = (cents: number) => (cents / 100).toFixed(2);
export const T0 = Date.UTC(2025, 0, 1);

/** A random programme in the scenario format: three levels, random windows, validity, grace, retention, points. */
export function randomProgram(r: Rng) {
  const base = r.int(50, 200) * 100;
  const scopedSilver = r.chance(0.3);
  return {
    basis: "spend",
    window: r.pick([{ kind: "lifetime" }, { kind: "rolling", days: r.int(30, 200) }, { kind: "calendarYear" }, { kind: "sinceLastUpgrade" }]),
    validity: r.pick([{ kind: "permanent" }, { kind: "days", days: r.int(20, 120) }, { kind: "oneYear" }]),
    graceDays: r.pick([0, 0, 10, 30]),
    onExpiry: r.pick(["reevaluate", "reevaluate", "freeze"]),
    retention: r.chance(0.3) ? { extendDays: r.int(30, 90) } : null,
    downgradeOnRefund: r.chance(0.8),
    points: {
      earn: r.chance(0.8) ? [{ per: "amount", every: "1.00", points: r.int(1, 3), prorate: r.chance(0.5), levels: null }] : [],
      rounding: r.pick(["down", "up", "nearest", "none"]),
      expiryDays: r.pick([null, 60, 200]),
    },
    levels: [
      {
        id: "silver",
        name: "Silver",
        rank: 1,
        upgrade: scopedSilver
          ? [[{ kind: "accumulatedSpend", amount: money(base), scope: { tags: ["vip"] } }], [{ kind: "orderCount", count: 3 }]]
          : [[{ kind: "accumulatedSpend", amount: money(base) }]],
        retainAmount: money(base / 2),
        upgradePoints: r.pick([0, 10]),
      },
      {
        id: "gold",
        name: "Gold",
        rank: 2,
        enabled: r.chance(0.9),
        upgrade: [[{ kind: "accumulatedSpend", amount: money(base * 3) }], [{ kind: "singleOrder", amount: money(base * 2) }]],
        retainAmount: money(base),
        upgradePoints: r.pick([0, 50]),
      },
      {
        id: "vip",
        name: "VIP",
        rank: 3,
        internalOnly: r.chance(0.3),
        upgrade: r.chance(0.5) ? [] : [[{ kind: "accumulatedSpend", amount: money(base * 8) }]],
        upgradePoints: 100,
      },
    ],
  };
}
