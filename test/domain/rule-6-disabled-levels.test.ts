import { describe, expect, it } from "vitest";
import { assign, buildLevel, buildProgramJson, evaluate, orderCount, paid, publish, spend } from "../../tools/sample-data/program-builders";

const levels = (goldEnabled: boolean) => [
  buildLevel({ id: "bronze", rank: 1, upgrade: [[orderCount(1)]] }),
  buildLevel({ id: "silver", rank: 2, upgrade: [[spend("100.00")]] }),
  buildLevel({ id: "gold", rank: 3, enabled: goldEnabled, upgrade: [[spend("500.00")]] }),
];

describe("rule 6: disabled levels", () => {
  it("a disabled level is never reached; members qualify for the next enabled level below", () => {
    const out = evaluate(buildProgramJson({ levels: levels(false) }), [paid("2026-01-01T00:00:00Z", { amount: "600.00" })], "2026-02-01T00:00:00Z");
    expect(out.level).toBe("silver");
  });

  it.each([
    ["spent 600", "600.00", "silver"],
    ["spent 50 (only bronze qualifies)", "50.00", "bronze"],
  ])("when a level is disabled by a publish, its members fall to the next enabled level they qualify for: %s", (_name, amount, level) => {
    const events = [
      paid("2026-01-01T00:00:00Z", { amount }),
      assign("2026-01-02T00:00:00Z", "gold"),
      publish("2026-02-01T00:00:00Z", buildProgramJson({ levels: levels(false) })),
    ];
    const out = evaluate(buildProgramJson({ levels: levels(true) }), events, "2026-03-01T00:00:00Z");
    expect(out.level).toBe(level);
    expect(out.levelChanges.at(-1)).toMatchObject({ cause: "disabled", from: "gold", to: level, reason: { kind: "levelDisabled", level: "gold" } });
  });

  it("locked members at a disabled level fall too, and stay locked at the level they fall to", () => {
    const events = [
      paid("2026-01-01T00:00:00Z", { amount: "150.00" }),
      assign("2026-01-02T00:00:00Z", "gold", true),
      publish("2026-02-01T00:00:00Z", buildProgramJson({ levels: levels(false) })),
    ];
    const out = evaluate(buildProgramJson({ levels: levels(true) }), events, "2026-03-01T00:00:00Z");
    expect(out).toMatchObject({ level: "silver", locked: true });
  });

  it("the next level for progress skips disabled levels", () => {
    const p = buildProgramJson({ levels: [...levels(false), buildLevel({ id: "platinum", rank: 4, upgrade: [[spend("900.00")]] })] });
    const out = evaluate(p, [paid("2026-01-01T00:00:00Z", { amount: "600.00" })], "2026-02-01T00:00:00Z");
    expect(out.next).toMatchObject({ level: "platinum", remaining: { spend: 30000 } });
  });
});
