import { describe, expect, it } from "vitest";
import { evaluateMember, parseProgram, previewDiff } from "~/domain/index";
import { assign, at, buildLevel, buildProgramJson, paid, publish, spend } from "../../tools/sample-data/program-builders";

const rules = (silver: string, gold: string) =>
  parseProgram(
    buildProgramJson({
      levels: [buildLevel({ id: "silver", rank: 1, upgrade: [[spend(silver)]] }), buildLevel({ id: "gold", rank: 2, upgrade: [[spend(gold)]] })],
    }),
  );

const members = [
  { id: "a", events: [paid("2026-01-01T00:00:00Z", { amount: "50.00" })] },
  { id: "b", events: [paid("2026-01-01T00:00:00Z", { amount: "150.00" })] },
  { id: "c", events: [paid("2026-01-01T00:00:00Z", { amount: "350.00" })] },
  { id: "d", events: [paid("2026-01-01T00:00:00Z", { amount: "700.00" })] },
  { id: "e", events: [paid("2026-01-01T00:00:00Z", { amount: "350.00" }), assign("2026-01-02T00:00:00Z", "silver", true)] },
];

describe("previewDiff", () => {
  it("counts who would move up, down or stay per current level, and lists the moves", () => {
    const diff = previewDiff(rules("100.00", "500.00"), rules("200.00", "300.00"), members, at("2026-02-01T00:00:00Z"));
    expect(diff.perLevel).toEqual({
      none: { up: 0, down: 0, stay: 1 },
      silver: { up: 1, down: 1, stay: 1 },
      gold: { up: 0, down: 0, stay: 1 },
    });
    expect(diff.moves).toEqual([
      { member: "b", from: "silver", to: null },
      { member: "c", from: "silver", to: "gold" },
    ]);
    expect(diff.counts).toEqual({ before: { none: 1, silver: 3, gold: 1 }, after: { none: 2, gold: 2, silver: 1 } });
  });

  it("agrees with evaluating the member with the draft published at asOf (rule 7)", () => {
    const current = rules("100.00", "500.00");
    const draft = rules("200.00", "300.00");
    const asOf = at("2026-02-01T00:00:00Z");
    const diff = previewDiff(current, draft, members, asOf);
    for (const m of members) {
      const published = evaluateMember(
        current,
        [
          ...m.events,
          publish(
            "2026-02-01T00:00:00Z",
            buildProgramJson({
              levels: [
                buildLevel({ id: "silver", rank: 1, upgrade: [[spend("200.00")]] }),
                buildLevel({ id: "gold", rank: 2, upgrade: [[spend("300.00")]] }),
              ],
            }),
          ),
        ],
        asOf,
      );
      const before = evaluateMember(current, m.events, asOf);
      const move = diff.moves.find((x) => x.member === m.id);
      expect(published.level).toBe(move ? move.to : before.level);
    }
  });
});
