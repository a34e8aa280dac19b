// The contract between the app's sync (writer) and every surface (readers): what buildTierMetafields makes from
// real engine outcomes must pass the readers unchanged, for members in every state.
import { describe, expect, it } from "vitest";
import type { MemberOutcome } from "~/domain/index";
import {
  buildPointsHistory,
  buildTierMetafields,
  parseTierBenefits,
  parseTierLevel,
  parseTierPointsHistory,
  parseTierProgress,
  TierMetafieldBuildError,
  type LevelDisplayInput,
} from "~/shared/tier-metafield";
import { buildLevel, evaluate, onePointPerDollar, paid, spend } from "../support/program-builders";

const program = {
  levels: [
    buildLevel({ id: "silver", name: "Silver", rank: 1, upgrade: [[spend("100.00")]] }),
    buildLevel({ id: "gold", name: "Gold", rank: 2, upgrade: [[spend("500.00")]] }),
    buildLevel({ id: "platinum", name: "Platinum", rank: 3, upgrade: [[spend("1500.00")]] }),
  ],
  points: onePointPerDollar,
};

const display: Record<string, LevelDisplayInput> = {
  silver: { id: "silver", name: "Silver", rank: 1, benefits: { discount: { type: "percentage", value: "5", minimumOrder: null } } },
  gold: {
    id: "gold",
    name: "Gold",
    rank: 2,
    card: { badge: "crown", background: "#111111", text: "#fafafa", levelColor: "#d4af37", hideDates: true },
    benefits: {
      discount: { type: "percentage", value: "10", minimumOrder: "50.00" },
      freeShipping: { countries: ["US", "CA"], minimumOrder: null },
      pointsMultiplier: 2,
      custom: [{ title: "Early access", icon: "star" }],
    },
  },
  platinum: { id: "platinum", name: "Platinum", rank: 3, benefits: { discount: { type: "fixed", value: "25.00", minimumOrder: "100.00" }, freeShipping: { countries: [] }, pointsMultiplier: 1 } },
};
const programLevels = { levels: Object.values(display).map((l) => ({ id: l.id, name: l.name })) };

function build(outcome: MemberOutcome, currency = "USD") {
  return buildTierMetafields(outcome, outcome.level ? display[outcome.level] : null, programLevels, currency);
}

const members: [string, MemberOutcome][] = [
  ["no orders yet", evaluate(program, [], "2026-06-01T00:00:00Z")],
  ["silver, mid-way to gold", evaluate(program, [paid("2026-03-02T10:00:00Z", { amount: "120.00" })], "2026-06-01T00:00:00Z")],
  ["gold, with points and a card", evaluate(program, [paid("2026-03-02T10:00:00Z", { amount: "300.00" }), paid("2026-04-02T10:00:00Z", { amount: "250.50" })], "2026-06-01T00:00:00Z")],
  ["platinum, the top level", evaluate(program, [paid("2026-03-02T10:00:00Z", { amount: "1600.00" })], "2026-06-01T00:00:00Z")],
  ["frozen gold", evaluate({ ...program, window: { kind: "rolling", days: 20 }, validity: { kind: "days", days: 30 }, onExpiry: "freeze" }, [paid("2026-03-02T10:00:00Z", { amount: "600.00" })], "2026-06-01T00:00:00Z")],
  ["gold in its grace period", evaluate({ ...program, window: { kind: "rolling", days: 20 }, validity: { kind: "days", days: 30 }, graceDays: 60 }, [paid("2026-03-02T10:00:00Z", { amount: "600.00" })], "2026-04-15T00:00:00Z")],
];

describe("buildTierMetafields → readers", () => {
  it.each(members)("%s: every document passes its reader unchanged", (_name, outcome) => {
    const docs = build(outcome);
    // What the sync writes is JSON text; read it back the way a surface does.
    const written = JSON.parse(JSON.stringify(docs));
    if (docs.level) expect(parseTierLevel(JSON.stringify(written.level))).toEqual(docs.level);
    else expect(outcome.level).toBeNull();
    expect(parseTierProgress(JSON.stringify(written.progress))).toEqual(docs.progress);
    expect(parseTierBenefits(JSON.stringify(written.benefits))).toEqual(docs.benefits);
  });

  it("states the members' real situations", () => {
    const byName = Object.fromEntries(members.map(([name, o]) => [name, build(o)]));
    expect(byName["no orders yet"]).toEqual({
      level: null,
      progress: { v: 1, currency: "USD", spend: "0.00", points: 0, next: { id: "silver", name: "Silver", remainingSpend: "100.00" } },
      benefits: { v: 1, items: [] },
    });
    expect(byName["silver, mid-way to gold"].progress).toEqual({ v: 1, currency: "USD", spend: "120.00", points: 120, next: { id: "gold", name: "Gold", remainingSpend: "380.00" } });
    expect(byName["silver, mid-way to gold"].level).toMatchObject({ id: "silver", status: "active", since: "2026-03-02T10:00:00Z", expiresAt: null });
    expect(byName["gold, with points and a card"].level).toMatchObject({ id: "gold", rank: 2, card: { badge: "crown", background: "#111111", hideDates: true } });
    expect(byName["gold, with points and a card"].progress).toMatchObject({ spend: "550.50", points: 550, next: { id: "platinum", remainingSpend: "949.50" } });
    expect(byName["gold, with points and a card"].benefits.items).toEqual([
      { kind: "discount", type: "percentage", value: "10", minimumOrder: "50.00" },
      { kind: "freeShipping", countries: ["US", "CA"], minimumOrder: null },
      { kind: "points", multiplier: 2 },
      { kind: "custom", title: "Early access", icon: "star" },
    ]);
    expect(byName["platinum, the top level"].progress.next).toBeNull();
    // An empty country list names no country (the Function ships free nowhere), so it is not shown; a ×1 multiplier
    // is no benefit at all.
    expect(byName["platinum, the top level"].benefits.items).toEqual([{ kind: "discount", type: "fixed", value: "25.00", minimumOrder: "100.00" }]);
    expect(byName["frozen gold"].level).toMatchObject({ id: "gold", status: "frozen", expiresAt: "2026-04-01T10:00:00Z" });
    expect(byName["gold in its grace period"].level).toMatchObject({ id: "gold", status: "grace", expiresAt: "2026-04-01T10:00:00Z" });
  });

  it("upper-cases the currency and keeps non-USD amounts as plain decimals", () => {
    const docs = build(members[2][1], "eur");
    expect(docs.progress.currency).toBe("EUR");
    expect(parseTierProgress(docs.progress)).not.toBeNull();
  });

  it.each<[string, () => unknown, RegExp]>([
    ["display data for another level", () => buildTierMetafields(members[2][1], display.silver, programLevels, "USD"), /level display data for "gold" is missing \(got "silver"\)/],
    ["no display data for the member's level", () => buildTierMetafields(members[2][1], null, programLevels, "USD"), /level display data for "gold" is missing/],
    ["a currency that is not an ISO code", () => buildTierMetafields(members[1][1], display.silver, programLevels, "dollars"), /valid TierProgressV1/],
    ["a benefit the readers would drop", () => buildTierMetafields(members[1][1], { ...display.silver, benefits: { freeShipping: { countries: ["usa"] } } }, programLevels, "USD"), /valid TierBenefitsV1/],
  ])("refuses to build with %s", (_name, run, message) => {
    expect(run).toThrow(TierMetafieldBuildError);
    expect(run).toThrow(message);
  });
});

describe("buildPointsHistory", () => {
  it("writes the newest entries first, skips zero moves, and passes its reader", () => {
    const ledger = [
      { at: Date.parse("2026-03-01T00:00:00Z"), kind: "earn" as const, points: 100 },
      { at: Date.parse("2026-03-05T00:00:00Z"), kind: "earn" as const, points: 0 },
      { at: Date.parse("2026-03-09T00:00:00Z"), kind: "refund" as const, points: -40 },
      { at: Date.parse("2026-03-09T00:00:00Z"), kind: "adjust" as const, points: 5 },
    ];
    const doc = buildPointsHistory(ledger, 2);
    expect(doc).toEqual({
      v: 1,
      entries: [
        { at: "2026-03-09T00:00:00Z", kind: "adjust", points: 5 },
        { at: "2026-03-09T00:00:00Z", kind: "refund", points: -40 },
      ],
    });
    expect(parseTierPointsHistory(JSON.stringify(doc))).toEqual(doc);
  });

  it("takes the engine's ledger as it is", () => {
    const outcome = members[2][1];
    const doc = buildPointsHistory(outcome.ledger);
    expect(doc.entries.map((e) => [e.kind, e.points])).toEqual([
      ["earn", 250],
      ["earn", 300],
    ]);
    expect(parseTierPointsHistory(doc)).toEqual(doc);
  });
});
