import { describe, expect, it } from "vitest";
import { roundPoints } from "~/domain/points-ledger";
import { buildProgramJson, evaluate, paid } from "../../tools/sample-data/program-builders";

describe("rounding modes", () => {
  it.each([
    ["down", 12.5, 12],
    ["up", 12.5, 13],
    ["nearest", 12.5, 13],
    ["nearest", 12.49, 12],
    ["none", 12.5, 12.5],
    ["down", 119.99999999999999, 120],
    ["up", 120.00000000000001, 120],
    ["none", 0.1 + 0.2, 0.3],
  ] as const)("%s(%d) = %d", (mode, x, expected) => {
    expect(roundPoints(x, mode)).toBe(expected);
  });

  it.each([
    ["down", 12],
    ["up", 13],
    ["nearest", 13],
    ["none", 12.5],
  ] as const)("applies once per order, not per rule (%s)", (rounding, expected) => {
    const points = {
      earn: [
        { per: "amount", every: "2.00", points: 1 },
        { per: "amount", every: "2.00", points: 1 },
      ],
      rounding,
    };
    // 12.50 / 2.00 = 6.25 per rule; 12.5 for the order
    const out = evaluate(buildProgramJson({ points, levels: [] }), [paid("2026-01-01T00:00:00Z", { amount: "12.50" })], "2026-02-01T00:00:00Z");
    expect(out.points).toBe(expected);
  });
});
