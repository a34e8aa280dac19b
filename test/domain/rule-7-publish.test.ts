import { describe, expect, it } from "vitest";
import { assign, at, buildLevel, buildProgramJson, evaluate, paid, publish, refund, spend } from "../../tools/sample-data/program-builders";

type Json = Record<string, unknown>;
const rules = (silver: string, gold: string, over: Json = {}) =>
  buildProgramJson({
    levels: [
      buildLevel({ id: "silver", rank: 1, upgrade: [[spend(silver)]], upgradePoints: 10 }),
      buildLevel({ id: "gold", rank: 2, upgrade: [[spend(gold)]], upgradePoints: 50 }),
    ],
    ...over,
  });

describe("rule 7: publishProgram replays every member's full history under the new rules", () => {
  it.each([
    ["lower gold threshold moves the member up", "300.00", "gold"],
    ["higher silver threshold moves the member down", "900.00", null],
  ])("%s", (_name, newThreshold, level) => {
    const newRules = newThreshold === "300.00" ? rules("100.00", "300.00") : rules("900.00", "1000.00");
    const events = [paid("2026-01-01T00:00:00Z", { amount: "400.00" }), publish("2026-02-01T00:00:00Z", newRules)];
    const out = evaluate(rules("100.00", "500.00"), events, "2026-03-01T00:00:00Z");
    expect(out.level).toBe(level);
    expect(out.levelChanges.at(-1)).toMatchObject({ cause: "publish", at: at("2026-02-01T00:00:00Z"), from: "silver", to: level });
  });

  it("no one-time rewards for levels reached only because of the recalculation, then or later", () => {
    const events = [
      paid("2026-01-01T00:00:00Z", { amount: "400.00" }),
      publish("2026-02-01T00:00:00Z", rules("100.00", "300.00")),
      paid("2026-02-05T00:00:00Z", { amount: "400.00" }),
    ];
    const out = evaluate(rules("100.00", "500.00"), events, "2026-03-01T00:00:00Z");
    expect(out.level).toBe("gold");
    expect(out.ledger.map((e) => e.key)).toEqual(["upgrade:silver"]);
  });

  it("new rules apply to later events (windows, validity)", () => {
    const events = [
      paid("2026-01-01T00:00:00Z", { amount: "600.00" }),
      publish("2026-02-01T00:00:00Z", rules("100.00", "500.00", { validity: { kind: "days", days: 45 } })),
    ];
    const out = evaluate(rules("100.00", "500.00"), events, "2026-03-01T00:00:00Z");
    // Replayed under the new rules: Gold from 01-01 would expire 02-15 and be re-evaluated (lifetime 600 → Gold again).
    expect(out).toMatchObject({ level: "gold", levelSince: at("2026-02-15T00:00:00Z"), levelExpiresAt: at("2026-04-01T00:00:00Z") });
  });

  it("replays refunds under the new rules too", () => {
    const events = [
      paid("2026-01-01T00:00:00Z", { id: "o1", amount: "400.00" }),
      refund("2026-01-10T00:00:00Z", "o1", { amount: "150.00" }),
      publish("2026-02-01T00:00:00Z", rules("100.00", "300.00")),
    ];
    expect(evaluate(rules("100.00", "500.00"), events, "2026-03-01T00:00:00Z").level).toBe("silver");
  });

  it("keeps manual assignments and locks from the history", () => {
    const events = [
      paid("2026-01-01T00:00:00Z", { amount: "50.00" }),
      assign("2026-01-02T00:00:00Z", "gold", true),
      publish("2026-02-01T00:00:00Z", rules("100.00", "300.00")),
    ];
    expect(evaluate(rules("100.00", "500.00"), events, "2026-03-01T00:00:00Z")).toMatchObject({ level: "gold", locked: true });
  });

  it("a publish that disables the program shows no level; one that re-enables it replays history", () => {
    const events = [
      paid("2026-01-01T00:00:00Z", { amount: "600.00" }),
      publish("2026-02-01T00:00:00Z", rules("100.00", "500.00", { enabled: false })),
    ];
    expect(evaluate(rules("100.00", "500.00"), events, "2026-03-01T00:00:00Z")).toMatchObject({ level: null, status: "none" });
    const again = [...events, publish("2026-03-01T00:00:00Z", rules("100.00", "500.00"))];
    expect(evaluate(rules("100.00", "500.00"), again, "2026-03-02T00:00:00Z")).toMatchObject({ level: "gold" });
  });
});
