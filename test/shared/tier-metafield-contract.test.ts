// The contract between the app's sync (writer) and every surface (readers). The documents are built exactly as the
// sync-members job builds them — memberShopperView over stored Member and PointsEntry rows, the rows being what the
// recalculation stores for real engine outcomes — and must pass the readers and the sync's own validator unchanged,
// for members in every state. A golden member pins the bytes: if the sync changes what it writes, this fails.
import { describe, expect, it } from "vitest";
import type { MemberOutcome } from "~/domain/index";
import {
  memberShopperView,
  nextRequirementsJson,
  shopperViewHash,
  type MemberStateForSync,
  type PointsEntryForSync,
} from "~/services/member-sync-records.server";
import type { ShopContext } from "~/services/shop-context.server";
import { parseTierBenefits, parseTierLevel, parseTierPointsHistory, parseTierProgress } from "~/shared/tier-metafield";
import { MemberSyncRecordSchema } from "~/shopify/types";
import { buildLevel, evaluate, onePointPerDollar, orderCount, paid, spend } from "../../tools/sample-data/program-builders";
import { FIXTURE_SHOP } from "../../tools/sample-data/tier-builders";

const program = {
  levels: [
    buildLevel({ id: "silver", name: "Silver", rank: 1, upgrade: [[spend("100.00")]] }),
    buildLevel({ id: "gold", name: "Gold", rank: 2, upgrade: [[spend("500.00")]] }),
    buildLevel({ id: "platinum", name: "Platinum", rank: 3, upgrade: [[spend("1500.00"), orderCount(3)], [spend("1000.00", { windowDays: 30 })]] }),
  ],
  points: onePointPerDollar,
};

const shop: ShopContext = {
  shop: "contract.myshopify.com",
  currency: "usd",
  rewardsFrom: null,
  uninstalled: false,
  versions: [],
  levels: new Map([
    [
      "silver",
      {
        id: "silver",
        name: "Silver",
        rank: 1,
        card: { badge: "star", background: "#1f2937", text: "#ffffff", levelColor: "#C0C0C0", hideDates: false },
      },
    ],
    [
      "gold",
      { id: "gold", name: "Gold", rank: 2, card: { badge: "crown", background: "#111111", text: "#fafafa", levelColor: "#d4af37", hideDates: true } },
    ],
    [
      "platinum",
      {
        id: "platinum",
        name: "Platinum",
        rank: 3,
        card: { badge: "gem", background: "not a colour", text: "#fff", levelColor: "#e5e4e2", hideDates: false },
      },
    ],
  ]),
  benefits: new Map([
    ["silver", [{ kind: "discount", type: "percentage", value: "5", minimumOrder: null }]],
    // Stored in any order; written in the contract's (discount, free shipping, points, custom).
    ["gold", [...FIXTURE_SHOP.benefits.get("gold")!]],
    // An empty country list names no country (the Function ships free nowhere): not shown.
    [
      "platinum",
      [
        { kind: "discount", type: "fixed", value: "25.00", minimumOrder: "100.00" },
        { kind: "freeShipping", countries: [], minimumOrder: null },
      ],
    ],
  ]),
};

/** The Member row the recalculation stores for an outcome (recalculation/member-plan.ts's memberState, its shopper columns). */
function storedRow(outcome: MemberOutcome, customerGid = "gid://shopify/Customer/1"): MemberStateForSync {
  const date = (t: number | null) => (t === null ? null : new Date(t));
  return {
    customerGid,
    levelId: outcome.level,
    status: outcome.status,
    levelSince: date(outcome.levelSince),
    levelExpiresAt: date(outcome.levelExpiresAt),
    points: outcome.points,
    spend: outcome.spend,
    nextLevelId: outcome.next?.level ?? null,
    remainingSpend: outcome.next?.remaining.spend ?? null,
    nextRequirementsJson: nextRequirementsJson(outcome.next),
  };
}

/** The PointsEntry rows the recalculation stores for an outcome's ledger. */
const storedLedger = (outcome: MemberOutcome): PointsEntryForSync[] =>
  outcome.ledger.map((e) => ({ key: e.key, kind: e.kind, points: e.points, at: new Date(e.at) }));

/** What the sync-members job builds and sends for the member. */
const written = (outcome: MemberOutcome) => memberShopperView(storedRow(outcome), shop, storedLedger(outcome));

const members: [string, MemberOutcome][] = [
  ["no orders yet", evaluate(program, [], "2026-06-01T00:00:00Z")],
  ["silver, mid-way to gold", evaluate(program, [paid("2026-03-02T10:00:00Z", { amount: "120.00" })], "2026-06-01T00:00:00Z")],
  [
    "gold, with points and a card",
    evaluate(
      program,
      [paid("2026-03-02T10:00:00Z", { amount: "300.00" }), paid("2026-04-02T10:00:00Z", { amount: "250.50" })],
      "2026-06-01T00:00:00Z",
    ),
  ],
  [
    "platinum, the top level",
    evaluate(
      program,
      [
        paid("2026-03-02T10:00:00Z", { amount: "1600.00" }),
        paid("2026-03-03T10:00:00Z", { amount: "1.00" }),
        paid("2026-03-04T10:00:00Z", { amount: "1.00" }),
      ],
      "2026-06-01T00:00:00Z",
    ),
  ],
  [
    "frozen gold",
    evaluate(
      { ...program, window: { kind: "rolling", days: 20 }, validity: { kind: "days", days: 30 }, onExpiry: "freeze" },
      [paid("2026-03-02T10:00:00Z", { amount: "600.00" })],
      "2026-06-01T00:00:00Z",
    ),
  ],
  [
    "gold in its grace period",
    evaluate(
      { ...program, window: { kind: "rolling", days: 20 }, validity: { kind: "days", days: 30 }, graceDays: 60 },
      [paid("2026-03-02T10:00:00Z", { amount: "600.00" })],
      "2026-04-15T00:00:00Z",
    ),
  ],
];

describe("what the sync writes → readers", () => {
  it.each(members)("%s: every document passes its reader and the sync's validator unchanged", (_name, outcome) => {
    const view = written(outcome);
    // What the sync writes is JSON text; read it back the way a surface does.
    const text = JSON.parse(JSON.stringify(view)) as typeof view;
    if (view.level) expect(parseTierLevel(JSON.stringify(text.level))).toEqual(view.level);
    else expect(outcome.level).toBeNull();
    expect(parseTierProgress(JSON.stringify(text.progress))).toEqual(view.progress);
    expect(parseTierBenefits(JSON.stringify(text.benefits))).toEqual(view.benefits);
    expect(parseTierPointsHistory(JSON.stringify(text.history))).toEqual(view.history);
    expect(MemberSyncRecordSchema.safeParse({ ...view, previousLevelId: null }).success).toBe(true);
  });

  it("states the members' real situations", () => {
    const byName = Object.fromEntries(members.map(([name, o]) => [name, written(o)]));
    expect(byName["no orders yet"]).toMatchObject({
      level: null,
      progress: { v: 1, currency: "USD", spend: "0.00", points: 0, next: { id: "silver", name: "Silver", remainingSpend: "100.00" } },
      benefits: { v: 1, items: [] },
      history: { v: 1, entries: [] },
    });
    expect(byName["silver, mid-way to gold"].progress).toEqual({
      v: 1,
      currency: "USD",
      spend: "120.00",
      points: 120,
      next: {
        id: "gold",
        name: "Gold",
        remainingSpend: "380.00",
        requirements: [{ kind: "accumulatedSpend", threshold: "500.00", current: "120.00", windowDays: null, scoped: false }],
      },
    });
    expect(byName["silver, mid-way to gold"].level).toMatchObject({
      id: "silver",
      status: "active",
      since: "2026-03-02T10:00:00Z",
      expiresAt: null,
      card: { levelColor: "#c0c0c0" },
    });
    expect(byName["gold, with points and a card"].level).toMatchObject({
      id: "gold",
      rank: 2,
      card: { badge: "crown", background: "#111111", hideDates: true },
    });
    expect(byName["platinum, the top level"].progress.next).toBeNull();
    expect(byName["platinum, the top level"].level?.card).toEqual({
      badge: "gem",
      background: "#1f2937",
      text: "#fff",
      levelColor: "#e5e4e2",
      hideDates: false,
    });
    expect(byName["platinum, the top level"].benefits.items).toEqual([{ kind: "discount", type: "fixed", value: "25.00", minimumOrder: "100.00" }]);
    expect(byName["frozen gold"].level).toMatchObject({ id: "gold", status: "frozen", expiresAt: "2026-04-01T10:00:00Z" });
    expect(byName["gold in its grace period"].level).toMatchObject({ id: "gold", status: "grace", expiresAt: "2026-04-01T10:00:00Z" });
  });

  it("writes the golden gold member byte for byte", () => {
    const view = written(members[2][1]);
    expect(JSON.stringify(view)).toBe(
      JSON.stringify({
        customerGid: "gid://shopify/Customer/1",
        level: {
          v: 1,
          id: "gold",
          name: "Gold",
          rank: 2,
          status: "active",
          since: "2026-04-02T10:00:00Z",
          expiresAt: null,
          card: { badge: "crown", background: "#111111", text: "#fafafa", levelColor: "#d4af37", hideDates: true },
        },
        progress: {
          v: 1,
          currency: "USD",
          spend: "550.50",
          points: 550,
          next: {
            id: "platinum",
            name: "Platinum",
            remainingSpend: "949.50",
            // The group closest to being met: $550.50 of $1,500 and 2 of 3 orders (0.52) beats $0 of $1,000 in 30 days.
            requirements: [
              { kind: "accumulatedSpend", threshold: "1500.00", windowDays: null, scoped: false, current: "550.50" },
              { kind: "orderCount", threshold: "3", windowDays: null, scoped: false, current: "2" },
            ],
          },
        },
        benefits: {
          v: 1,
          items: [
            { kind: "discount", type: "percentage", value: "10", minimumOrder: "50.00" },
            { kind: "freeShipping", countries: ["US", "CA"], minimumOrder: null },
            { kind: "points", multiplier: 2 },
            { kind: "custom", title: "Early access", icon: "star" },
          ],
        },
        history: {
          v: 1,
          entries: [
            { at: "2026-04-02T10:00:00Z", kind: "earn", points: 250 },
            { at: "2026-03-02T10:00:00Z", kind: "earn", points: 300 },
          ],
        },
        rewards: { v: 1, items: [] },
      }),
    );
    expect(shopperViewHash(view)).toBe(shopperViewHash(written(members[2][1])));
  });

  it("reads a row stored before requirements were kept as progress without them", () => {
    const row = { ...storedRow(members[1][1]), nextRequirementsJson: null };
    expect(memberShopperView(row, shop, []).progress.next).toEqual({ id: "gold", name: "Gold", remainingSpend: "380.00" });
    expect(memberShopperView({ ...row, nextRequirementsJson: "{garbage" }, shop, []).progress.next).toEqual({
      id: "gold",
      name: "Gold",
      remainingSpend: "380.00",
    });
  });
});

describe("points history", () => {
  const entry = (key: string, kind: string, points: number, iso: string): PointsEntryForSync => ({ key, kind, points, at: new Date(iso) });

  it("writes the newest entries first (ties by key, whatever the read order), skips zero moves, and shows corrections as adjustments", () => {
    const ledger = [
      entry("earn:o1", "earn", 100, "2026-03-01T00:00:00Z"),
      entry("earn:o2", "earn", 0, "2026-03-05T00:00:00Z"),
      entry("reverse:r1", "refund", -40, "2026-03-09T00:00:00Z"),
      entry("adjust:a1", "adjust", 5, "2026-03-09T00:00:00Z"),
      entry("fix:o1", "correction", -10, "2026-03-08T00:00:00Z"),
      entry("weird", "unknown-kind", 7, "2026-03-10T00:00:00Z"),
    ];
    const member = storedRow(members[0][1]);
    const history = memberShopperView(member, shop, ledger).history;
    expect(history).toEqual({
      v: 1,
      entries: [
        { at: "2026-03-09T00:00:00Z", kind: "refund", points: -40 },
        { at: "2026-03-09T00:00:00Z", kind: "adjust", points: 5 },
        { at: "2026-03-08T00:00:00Z", kind: "adjust", points: -10 },
        { at: "2026-03-01T00:00:00Z", kind: "earn", points: 100 },
      ],
    });
    expect(memberShopperView(member, shop, [...ledger].reverse()).history).toEqual(history);
  });

  it("keeps the latest 20", () => {
    const ledger = Array.from({ length: 30 }, (_, i) => entry(`earn:o${i}`, "earn", i + 1, new Date(Date.UTC(2026, 0, i + 1)).toISOString()));
    const history = memberShopperView(storedRow(members[0][1]), shop, ledger).history;
    expect(history.entries).toHaveLength(20);
    expect(history.entries[0]).toEqual({ at: "2026-01-30T00:00:00Z", kind: "earn", points: 30 });
  });
});
