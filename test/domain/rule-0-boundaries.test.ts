import { describe, expect, it } from "vitest";
import { buildLevel, buildProgramJson, evaluate, paid, spend } from "../../tools/sample-data/program-builders";

const silverAt100 = (over: Record<string, unknown> = {}) =>
  buildProgramJson({ levels: [buildLevel({ id: "silver", rank: 1, upgrade: [[spend("100.00")]] })], ...over });

describe("rule 0: an event at T is seen by an evaluation at T", () => {
  it("asOf equal to the order's time includes the order", () => {
    const out = evaluate(silverAt100(), [paid("2026-03-01T10:00:00Z", { amount: "100.00" })], "2026-03-01T10:00:00Z");
    expect(out).toMatchObject({ level: "silver", spend: 10000 });
  });

  it("an order at the expiry instant counts for renewal at that instant", () => {
    const program = silverAt100({ window: { kind: "rolling", days: 30 }, validity: { kind: "days", days: 30 } });
    const events = [paid("2026-01-01T00:00:00Z", { amount: "100.00" }), paid("2026-01-31T00:00:00Z", { amount: "100.00" })];
    const out = evaluate(program, events, "2026-02-15T00:00:00Z");
    expect(out).toMatchObject({ level: "silver", status: "active", levelSince: Date.UTC(2026, 0, 31), levelExpiresAt: Date.UTC(2026, 2, 2) });
    expect(out.levelChanges.map((c) => c.cause)).toEqual(["upgrade", "renewal"]);
  });
});

describe("rule 0: rolling window (T − N days, T]", () => {
  const program = silverAt100({ window: { kind: "rolling", days: 30 } });
  it.each([
    ["exactly N days before: excluded", "2026-01-01T10:00:00Z", null, 5000],
    ["1 second less than N days before: included", "2026-01-01T10:00:01Z", "silver", 11000],
  ])("%s", (_name, firstAt, level, spendNow) => {
    const events = [paid(firstAt, { amount: "60.00" }), paid("2026-01-31T10:00:00Z", { amount: "50.00" })];
    const out = evaluate(program, events, "2026-01-31T10:00:00Z");
    expect(out.level).toBe(level);
    expect(out.spend).toBe(spendNow);
  });
});

describe("rule 0: fixed window [from, to)", () => {
  const program = silverAt100({ window: { kind: "fixed", from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z" } });
  it.each([
    ["an order at `from` counts", "2026-01-01T00:00:00Z", "silver"],
    ["an order just before `from` does not", "2025-12-31T23:59:59Z", null],
    ["an order just before `to` counts", "2026-01-31T23:59:59Z", "silver"],
    ["an order at `to` does not", "2026-02-01T00:00:00Z", null],
  ])("%s", (_name, when, level) => {
    expect(evaluate(program, [paid(when, { amount: "100.00" })], "2026-03-01T00:00:00Z").level).toBe(level);
  });
});

describe("rule 0: activeFrom counts orders paid at or after it", () => {
  const program = silverAt100({ activeFrom: "2026-01-01T00:00:00Z" });
  it.each([
    ["at activeFrom", "2026-01-01T00:00:00Z", "silver", 10000],
    ["1 second before", "2025-12-31T23:59:59Z", null, 0],
  ])("%s", (_name, when, level, spendNow) => {
    const out = evaluate(program, [paid(when, { amount: "100.00" })], "2026-02-01T00:00:00Z");
    expect(out.level).toBe(level);
    expect(out.spend).toBe(spendNow);
  });
});

describe("rule 0: sinceLastUpgrade counts only orders strictly after levelSince", () => {
  const program = buildProgramJson({
    window: { kind: "sinceLastUpgrade" },
    levels: [buildLevel({ id: "silver", rank: 1, upgrade: [[spend("100.00")]] }), buildLevel({ id: "gold", rank: 2, upgrade: [[spend("200.00")]] })],
  });

  it("the order that caused the upgrade does not count again", () => {
    const events = [paid("2026-01-01T00:00:00Z", { amount: "150.00" }), paid("2026-01-02T00:00:00Z", { amount: "150.00" })];
    const out = evaluate(program, events, "2026-01-03T00:00:00Z");
    expect(out).toMatchObject({ level: "silver", spend: 15000, next: { level: "gold", remaining: { spend: 5000 } } });
  });

  it("fresh spend after the upgrade reaches the next level", () => {
    const events = [
      paid("2026-01-01T00:00:00Z", { amount: "150.00" }),
      paid("2026-01-02T00:00:00Z", { amount: "150.00" }),
      paid("2026-01-03T00:00:00Z", { amount: "50.00" }),
    ];
    const out = evaluate(program, events, "2026-01-04T00:00:00Z");
    expect(out).toMatchObject({ level: "gold", levelSince: Date.UTC(2026, 0, 3), spend: 0 });
  });

  it("another order at the same instant as the upgrade is not after levelSince", () => {
    const events = [paid("2026-01-01T00:00:00Z", { amount: "150.00" }), paid("2026-01-01T00:00:00Z", { amount: "190.00" })];
    expect(evaluate(program, events, "2026-01-04T00:00:00Z")).toMatchObject({ level: "silver", spend: 0 });
  });
});

describe("rule 0: calendar year", () => {
  const program = silverAt100({ window: { kind: "calendarYear" } });
  it.each([
    ["same year: both count", "2026-01-01T00:00:00Z", "silver"],
    ["previous year's last second: not counted", "2025-12-31T23:59:59Z", null],
  ])("%s", (_name, firstAt, level) => {
    const events = [paid(firstAt, { amount: "60.00" }), paid("2026-06-01T00:00:00Z", { amount: "50.00" })];
    expect(evaluate(program, events, "2026-06-02T00:00:00Z").level).toBe(level);
  });
});

describe("events listed out of time order", () => {
  it("are sorted stably by time before evaluation", () => {
    const program = silverAt100({ window: { kind: "rolling", days: 10 } });
    const events = [paid("2026-01-20T00:00:00Z", { amount: "50.00" }), paid("2026-01-15T00:00:00Z", { amount: "50.00" })];
    expect(evaluate(program, events, "2026-01-21T00:00:00Z")).toMatchObject({ level: "silver", levelSince: Date.UTC(2026, 0, 20) });
  });

  it("ignores events after asOf", () => {
    const out = evaluate(silverAt100(), [paid("2026-03-01T00:00:00Z", { amount: "500.00" })], "2026-02-28T23:59:59Z");
    expect(out).toMatchObject({ level: null, spend: 0 });
  });
});
