import { describe, expect, it } from "vitest";
import { parseProgram, progressToNext } from "~/domain/index";
import { buildLevel, buildProgramJson, evaluate, orderCount, paid, pointsCond, spend } from "../../tools/sample-data/program-builders";

const program = buildProgramJson({
  window: { kind: "rolling", days: 365 },
  levels: [
    buildLevel({ id: "silver", rank: 1, upgrade: [[spend("100.00")]] }),
    buildLevel({
      id: "gold",
      rank: 2,
      upgrade: [[spend("1000.00"), orderCount(3)], [spend("800.00", { windowDays: 30 })], [spend("10.00", { scope: { tags: ["vip"] } })]],
    }),
    buildLevel({ id: "staff", rank: 3, internalOnly: true, upgrade: [] }),
    buildLevel({ id: "platinum", rank: 4, upgrade: [[orderCount(50)]] }),
  ],
});

const req = (kind: string, threshold: number, current: number, windowDays: number | null = null, scoped = false) => ({
  kind,
  threshold,
  current,
  windowDays,
  scoped,
});

describe("rule 8: progress", () => {
  it("a member with no level: next is the lowest enabled, non-internal level", () => {
    const out = evaluate(program, [], "2026-01-01T00:00:00Z");
    expect(out.next).toEqual({ level: "silver", remaining: { spend: 10000 }, requirements: [req("accumulatedSpend", 10000, 0)] });
  });

  it("remaining.spend is the smallest missing amount among unscoped accumulatedSpend conditions, each in its window", () => {
    const events = [paid("2025-06-01T00:00:00Z", { amount: "300.00" }), paid("2026-01-15T00:00:00Z", { amount: "100.00" })];
    const out = evaluate(program, events, "2026-02-01T00:00:00Z");
    // group 1: 1000 − 400 = 600; group 2 (30 days): 800 − 100 = 700; the scoped group is left out.
    expect(out).toMatchObject({ level: "silver", spend: 40000, next: { level: "gold", remaining: { spend: 60000 } } });
  });

  it("remaining.spend is 0, not negative, when the spend part is met but another condition is not", () => {
    const events = [paid("2025-06-01T00:00:00Z", { amount: "600.00" }), paid("2025-08-01T00:00:00Z", { amount: "600.00" })];
    const out = evaluate(program, events, "2026-02-01T00:00:00Z");
    expect(out).toMatchObject({ level: "silver", spend: 120000, next: { level: "gold", remaining: { spend: 0 } } });
  });

  it("skips internal-only levels and omits remaining.spend when the next level has no spend condition", () => {
    const events = [paid("2026-01-15T00:00:00Z", { amount: "900.00" })];
    const out = evaluate(program, events, "2026-02-01T00:00:00Z");
    expect(out.level).toBe("gold");
    expect(out.next).toEqual({ level: "platinum", remaining: {}, requirements: [req("orderCount", 50, 1)] });
  });

  it("next is null at the top level", () => {
    const out = evaluate(buildProgramJson(), [paid("2026-01-01T00:00:00Z", { amount: "600.00" })], "2026-02-01T00:00:00Z");
    expect(out).toMatchObject({ level: "gold", next: null });
  });

  it("reports remaining points for points conditions", () => {
    const p = buildProgramJson({
      basis: "points",
      points: { earn: [{ per: "amount", every: "1.00", points: 1 }] },
      levels: [buildLevel({ id: "silver", rank: 1, upgrade: [[pointsCond(500)]] })],
    });
    const out = evaluate(p, [paid("2026-01-01T00:00:00Z", { amount: "120.00" })], "2026-02-01T00:00:00Z");
    expect(out.next).toEqual({ level: "silver", remaining: { points: 380 }, requirements: [req("points", 500, 120)] });
  });

  it("progressToNext gives the same answer from a stored outcome (no per-condition windows)", () => {
    const plain = buildProgramJson({ window: { kind: "rolling", days: 365 } });
    const out = evaluate(
      plain,
      [paid("2025-01-15T00:00:00Z", { amount: "300.00" }), paid("2026-01-15T00:00:00Z", { amount: "150.00" })],
      "2026-06-01T00:00:00Z",
    );
    expect(out.next).toMatchObject({ level: "gold", remaining: { spend: 35000 } });
    expect(progressToNext(parseProgram(plain), { level: out.level, spend: out.spend })).toEqual({ level: "gold", remaining: { spend: 35000 } });
  });
});
