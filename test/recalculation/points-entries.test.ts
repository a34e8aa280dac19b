import { describe, expect, it } from "vitest";
import type { PointsEntry } from "~/domain";
import { ledgerToPersist, ledgerWrites, round4 } from "~/services/recalculation/points-entries";

/** The member's points entries: append-only corrections, withheld rewards (pure: no database). */

const NOW = new Date("2026-06-01T00:00:00Z");
const entry = (key: string, points: number, over: Partial<PointsEntry> = {}): PointsEntry => ({
  key,
  at: Date.parse("2026-03-01T00:00:00Z"),
  kind: "earn",
  points,
  ...over,
});
const stored = (key: string, points: number, kind = "earn", reversesKey: string | null = null) => ({ key, kind, points, reversesKey });

describe("ledgerWrites", () => {
  it.each([
    {
      name: "nothing stored: every entry is new",
      stored: [],
      target: [entry("earn:o1", 100), entry("upgrade:gold", 50, { kind: "upgrade" })],
      expected: ["earn:o1 +100", "upgrade:gold +50"],
    },
    { name: "all stored: nothing to write", stored: [stored("earn:o1", 100)], target: [entry("earn:o1", 100)], expected: [] },
    {
      name: "an order's points changed: a correction points at the entry",
      stored: [stored("earn:o1", 100)],
      target: [entry("earn:o1", 60)],
      expected: ["correct:earn:o1#1 -40 → earn:o1"],
    },
    {
      name: "corrected before: the next correction is numbered after it",
      stored: [stored("earn:o1", 100), stored("correct:earn:o1#1", -40, "correction", "earn:o1")],
      target: [entry("earn:o1", 100)],
      expected: ["correct:earn:o1#2 +40 → earn:o1"],
    },
    {
      name: "an entry the replay no longer makes is corrected to zero",
      stored: [stored("earn:o1", 100), stored("earn:o2", 30)],
      target: [entry("earn:o1", 100)],
      expected: ["correct:earn:o2#1 -30 → earn:o2"],
    },
    {
      name: "fractional points (rounding none) compare exactly",
      stored: [stored("earn:o1", 12.345)],
      target: [entry("earn:o1", 12.345)],
      expected: [],
    },
  ])("$name", ({ stored: s, target, expected }) => {
    const writes = ledgerWrites(s, target, NOW);
    expect(writes.map((w) => `${w.key} ${w.points > 0 ? "+" : ""}${w.points}${w.reversesKey ? ` → ${w.reversesKey}` : ""}`)).toEqual(expected);
  });
});

describe("ledgerToPersist", () => {
  const install = Date.parse("2026-05-01T00:00:00Z");
  it("withholds upgrade rewards reached before rewards began, and their expiry entries, and nothing else", () => {
    const ledger = [
      entry("earn:o1", 600),
      entry("upgrade:gold", 50, { kind: "upgrade", at: Date.parse("2026-03-01T00:00:00Z") }),
      entry("expire:upgrade:gold", -50, { kind: "expire", reverses: "upgrade:gold", at: Date.parse("2026-09-01T00:00:00Z") }),
      entry("upgrade:platinum", 100, { kind: "upgrade", at: Date.parse("2026-05-02T00:00:00Z") }),
    ];
    expect(ledgerToPersist(ledger, install).map((e) => e.key)).toEqual(["earn:o1", "upgrade:platinum"]);
    expect(ledgerToPersist(ledger, null)).toBe(ledger);
  });
});

describe("round4", () => {
  it.each([
    { n: 0.1 + 0.2, expected: 0.3 },
    { n: 12.34567, expected: 12.3457 },
    { n: -0.00001, expected: 0 },
    { n: -1.5, expected: -1.5 },
  ])("$n → $expected", ({ n, expected }) => {
    expect(Object.is(round4(n), expected)).toBe(true);
  });
});
