import { describe, expect, it } from "vitest";
import { DAY_MS, type MemberOutcome, type PointsEntry } from "~/domain";
import { memberState, nextReviewAt } from "~/services/recalculation/member-plan";
import { buildProgram } from "../../tools/sample-data/program-builders";

/** From the engine's outcome to the member row's state (pure: time passed in). */

const NOW = Date.parse("2026-06-01T00:00:00Z");
const outcome = (over: Partial<MemberOutcome> = {}): MemberOutcome => ({
  level: "gold",
  status: "active",
  levelSince: NOW - 10 * DAY_MS,
  levelExpiresAt: null,
  graceEndsAt: null,
  locked: false,
  points: 0,
  pointsEarned: 0,
  spend: 0,
  next: null,
  ledger: [],
  levelChanges: [],
  ...over,
});
const entry = (key: string, points: number, daysAgo: number, over: Partial<PointsEntry> = {}): PointsEntry => ({
  key,
  kind: "earn",
  points,
  at: NOW - daysAgo * DAY_MS,
  ...over,
});
const program = buildProgram();
const expiring = (days: number | null) => ({ ...program, points: { ...program.points, expiryDays: days } });

describe("nextReviewAt", () => {
  it.each([
    { name: "nothing ahead", outcome: outcome(), ledger: [], expiryDays: null, expected: null },
    { name: "the level expires", outcome: outcome({ levelExpiresAt: NOW + 5 * DAY_MS }), ledger: [], expiryDays: null, expected: 5 },
    { name: "an expiry already past is no review", outcome: outcome({ levelExpiresAt: NOW - DAY_MS }), ledger: [], expiryDays: null, expected: null },
    {
      name: "grace ends before the level's expiry",
      outcome: outcome({ levelExpiresAt: NOW + 9 * DAY_MS, graceEndsAt: NOW + 3 * DAY_MS }),
      ledger: [],
      expiryDays: null,
      expected: 3,
    },
    {
      name: "points expire first",
      outcome: outcome({ levelExpiresAt: NOW + 9 * DAY_MS }),
      ledger: [entry("earn:o1", 10, 28)],
      expiryDays: 30,
      expected: 2,
    },
    { name: "points without expiry are no review", outcome: outcome(), ledger: [entry("earn:o1", 10, 28)], expiryDays: null, expected: null },
    {
      name: "points already expired and reversals are no review",
      outcome: outcome(),
      ledger: [
        entry("earn:o1", 10, 28),
        entry("expire:earn:o1", -10, 0, { kind: "expire", reverses: "earn:o1" }),
        entry("refund:r1", -5, 1, { kind: "refund" }),
      ],
      expiryDays: 30,
      expected: null,
    },
  ])("$name", ({ outcome: o, ledger, expiryDays, expected }) => {
    const at = nextReviewAt(o, ledger, expiring(expiryDays), NOW);
    expect(at === null ? null : (at.getTime() - NOW) / DAY_MS).toBe(expected);
  });
});

describe("memberState", () => {
  it("maps the outcome to the row: instants as dates, the ledger's sum as points, uncancelled orders counted, the next level's requirements kept", () => {
    const o = outcome({
      levelExpiresAt: NOW + 5 * DAY_MS,
      pointsEarned: 30,
      spend: 12_345,
      next: {
        level: "platinum",
        remaining: { spend: 500 },
        requirements: [{ kind: "orderCount", threshold: 3, current: 1, windowDays: null, scoped: false }],
      },
    });
    const facts = { orders: [{ cancelledAt: null }, { cancelledAt: new Date(NOW) }, { cancelledAt: null }], refunds: [], adjustments: [] } as never;
    expect(memberState(o, [entry("earn:o1", 10.1, 1), entry("earn:o2", 20.2, 1)], facts, program, new Date(NOW))).toEqual({
      levelId: "gold",
      status: "active",
      levelSince: new Date(NOW - 10 * DAY_MS),
      levelExpiresAt: new Date(NOW + 5 * DAY_MS),
      graceEndsAt: null,
      locked: false,
      points: 30.3,
      pointsEarned: 30,
      spend: 12_345,
      nextLevelId: "platinum",
      remainingSpend: 500,
      remainingPoints: null,
      nextRequirementsJson: '[["orderCount",3,1,null,0]]',
      orderCount: 2,
      reviewAt: new Date(NOW + 5 * DAY_MS),
    });
  });
});
