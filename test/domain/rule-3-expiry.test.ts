import { describe, expect, it } from "vitest";
import { at, buildLevel, buildProgramJson, evaluate, orderCount, paid, refund, spend } from "../../tools/sample-data/program-builders";

type Json = Record<string, unknown>;

/** Silver 100 / Gold 500 in a rolling 30-day window, valid 30 days. */
const program = (over: Json = {}, gold: Json = {}) =>
  buildProgramJson({
    window: { kind: "rolling", days: 30 },
    validity: { kind: "days", days: 30 },
    levels: [
      buildLevel({ id: "silver", rank: 1, upgrade: [[spend("100.00")]] }),
      buildLevel({ id: "gold", rank: 2, upgrade: [[spend("500.00")]], ...gold }),
    ],
    ...over,
  });

const causes = (out: ReturnType<typeof evaluate>) => out.levelChanges.map((c) => `${c.cause}:${c.from ?? "-"}>${c.to ?? "-"}:${c.status}`);

describe("rule 3: at levelExpiresAt", () => {
  it("renews for a new validity period when the (upgrade) conditions still hold at that instant", () => {
    const events = [paid("2026-01-01T00:00:00Z", { amount: "500.00" }), paid("2026-01-20T00:00:00Z", { amount: "500.00" })];
    const out = evaluate(program(), events, "2026-02-05T00:00:00Z");
    expect(out).toMatchObject({
      level: "gold",
      status: "active",
      levelSince: at("2026-01-31T00:00:00Z"),
      levelExpiresAt: at("2026-03-02T00:00:00Z"),
    });
    expect(causes(out)).toEqual(["upgrade:->gold:active", "renewal:gold>gold:active"]);
  });

  it("uses the renewal conditions when the level has them", () => {
    const events = [paid("2026-01-01T00:00:00Z", { amount: "500.00" }), paid("2026-01-20T00:00:00Z", { amount: "200.00" })];
    const renewal = { renewal: [[spend("200.00")]] };
    expect(evaluate(program({}, renewal), events, "2026-02-05T00:00:00Z")).toMatchObject({ level: "gold", levelSince: at("2026-01-31T00:00:00Z") });
    expect(evaluate(program(), events, "2026-02-05T00:00:00Z")).toMatchObject({ level: "silver", levelSince: at("2026-01-31T00:00:00Z") });
  });

  it("without renewal, reevaluate sets the level that qualifies at that instant (possibly none)", () => {
    const out = evaluate(program(), [paid("2026-01-01T00:00:00Z", { amount: "500.00" })], "2026-03-01T00:00:00Z");
    expect(out).toMatchObject({ level: null, status: "none", levelSince: null, levelExpiresAt: null });
    expect(causes(out)).toEqual(["upgrade:->gold:active", "expiry:gold>-:none"]);
  });

  it("handles several expiries in sequence before asOf (renewal → new period → next expiry)", () => {
    const events = [
      paid("2026-01-01T00:00:00Z", { amount: "500.00" }),
      paid("2026-01-25T00:00:00Z", { amount: "500.00" }), // renews at 01-31 (window 01-01..01-31 holds 1000)
      paid("2026-02-20T00:00:00Z", { amount: "150.00" }), // at 03-02: 150 in window → silver
    ];
    const out = evaluate(program(), events, "2026-05-01T00:00:00Z");
    expect(causes(out)).toEqual(["upgrade:->gold:active", "renewal:gold>gold:active", "expiry:gold>silver:active", "expiry:silver>-:none"]);
    expect(out.levelChanges.map((c) => c.at)).toEqual([
      at("2026-01-01T00:00:00Z"),
      at("2026-01-31T00:00:00Z"),
      at("2026-03-02T00:00:00Z"),
      at("2026-04-01T00:00:00Z"),
    ]);
  });

  it("processes expiries in time order between orders: an order after the expiry is judged from the new level", () => {
    const events = [paid("2026-01-01T00:00:00Z", { amount: "500.00" }), paid("2026-02-10T00:00:00Z", { amount: "120.00" })];
    const out = evaluate(program(), events, "2026-02-11T00:00:00Z");
    expect(causes(out)).toEqual(["upgrade:->gold:active", "expiry:gold>-:none", "upgrade:->silver:active"]);
    expect(out).toMatchObject({ level: "silver", levelSince: at("2026-02-10T00:00:00Z") });
  });
});

describe("rule 3: retention", () => {
  const retained = (over: Json = {}) =>
    program(
      { window: { kind: "rolling", days: 25 }, retention: { extendDays: 60 }, ...over },
      { retainAmount: "300.00", renewal: [[orderCount(100)]] },
    );
  it.each([
    ["spend after levelSince reaches retainAmount: extended by extendDays", "300.00", "gold", at("2026-01-31T00:00:00Z"), at("2026-04-01T00:00:00Z")],
    ["one cent short: not retained", "299.99", "silver", at("2026-01-31T00:00:00Z"), at("2026-03-02T00:00:00Z")],
  ])("%s", (_name, amount, level, since, expires) => {
    const events = [paid("2026-01-01T00:00:00Z", { amount: "500.00" }), paid("2026-01-10T00:00:00Z", { amount })];
    const out = evaluate(retained(), events, "2026-02-01T00:00:00Z");
    expect(out).toMatchObject({ level, levelSince: since, levelExpiresAt: expires });
  });

  it("counts only orders strictly after levelSince (the upgrading order is not counted again)", () => {
    const out = evaluate(retained(), [paid("2026-01-01T00:00:00Z", { amount: "900.00" })], "2026-02-01T00:00:00Z");
    expect(out.levelChanges.at(-1)).toMatchObject({ cause: "expiry", from: "gold", to: null });
  });

  it("needs fresh spend in each retention period", () => {
    const events = [paid("2026-01-01T00:00:00Z", { amount: "500.00" }), paid("2026-01-10T00:00:00Z", { amount: "300.00" })];
    const out = evaluate(retained(), events, "2026-05-01T00:00:00Z");
    expect(causes(out)).toEqual(["upgrade:->gold:active", "retention:gold>gold:active", "expiry:gold>-:none"]);
    expect(out.levelChanges[1].reason).toEqual({ kind: "retained", actual: 30000, required: 30000, extendDays: 60 });
  });
});

describe("rule 3: grace period", () => {
  const graced = (over: Json = {}) => program({ graceDays: 10, ...over });

  it("starts grace at expiry: level kept with status grace until graceEndsAt", () => {
    const out = evaluate(graced(), [paid("2026-01-01T00:00:00Z", { amount: "500.00" })], "2026-02-05T00:00:00Z");
    expect(out).toMatchObject({
      level: "gold",
      status: "grace",
      levelExpiresAt: at("2026-01-31T00:00:00Z"),
      graceEndsAt: at("2026-02-10T00:00:00Z"),
    });
  });

  it("a paid order during grace that makes the renewal conditions hold renews from that order's instant", () => {
    const events = [paid("2026-01-01T00:00:00Z", { amount: "500.00" }), paid("2026-02-05T00:00:00Z", { amount: "500.00" })];
    const out = evaluate(graced(), events, "2026-02-20T00:00:00Z");
    expect(out).toMatchObject({
      level: "gold",
      status: "active",
      levelSince: at("2026-02-05T00:00:00Z"),
      levelExpiresAt: at("2026-03-07T00:00:00Z"),
      graceEndsAt: null,
    });
    expect(causes(out)).toEqual(["upgrade:->gold:active", "expiry:gold>gold:grace", "renewal:gold>gold:active"]);
  });

  it("an order during grace that does not renew leaves grace running", () => {
    const events = [paid("2026-01-01T00:00:00Z", { amount: "500.00" }), paid("2026-02-05T00:00:00Z", { amount: "100.00" })];
    const out = evaluate(graced(), events, "2026-02-06T00:00:00Z");
    expect(out).toMatchObject({ level: "gold", status: "grace" });
  });

  it("an order at the grace end instant is seen by the grace-end evaluation", () => {
    const events = [paid("2026-01-01T00:00:00Z", { amount: "500.00" }), paid("2026-02-10T00:00:00Z", { amount: "500.00" })];
    expect(evaluate(graced(), events, "2026-02-11T00:00:00Z")).toMatchObject({
      level: "gold",
      status: "active",
      levelSince: at("2026-02-10T00:00:00Z"),
    });
  });

  it("grace ending unrenewed re-evaluates at that instant", () => {
    const events = [paid("2026-01-01T00:00:00Z", { amount: "500.00" }), paid("2026-02-05T00:00:00Z", { amount: "100.00" })];
    const out = evaluate(graced(), events, "2026-03-01T00:00:00Z");
    expect(out).toMatchObject({
      level: "silver",
      status: "active",
      levelSince: at("2026-02-10T00:00:00Z"),
      levelExpiresAt: at("2026-03-12T00:00:00Z"),
    });
    expect(causes(out).at(-1)).toBe("grace:gold>silver:active");
  });

  it("a refund during grace re-evaluates like any refund", () => {
    const events = [
      paid("2026-01-20T00:00:00Z", { id: "a", amount: "100.00" }),
      paid("2026-01-25T00:00:00Z", { id: "b", amount: "450.00" }),
      refund("2026-02-25T00:00:00Z", "b", { amount: "450.00" }),
    ];
    const out = evaluate(graced(), events, "2026-02-26T00:00:00Z");
    expect(out.level).toBe("silver");
  });
});

describe("rule 3: freeze", () => {
  it("keeps the level with status frozen, and time no longer moves the member", () => {
    const out = evaluate(program({ onExpiry: "freeze" }), [paid("2026-01-01T00:00:00Z", { amount: "500.00" })], "2027-06-01T00:00:00Z");
    expect(out).toMatchObject({ level: "gold", status: "frozen", levelExpiresAt: at("2026-01-31T00:00:00Z") });
    expect(causes(out)).toEqual(["upgrade:->gold:active", "freeze:gold>gold:frozen"]);
  });

  it("freezes after the grace period when there is one", () => {
    const out = evaluate(program({ onExpiry: "freeze", graceDays: 5 }), [paid("2026-01-01T00:00:00Z", { amount: "500.00" })], "2026-03-01T00:00:00Z");
    expect(causes(out)).toEqual(["upgrade:->gold:active", "expiry:gold>gold:grace", "freeze:gold>gold:frozen"]);
    expect(out.levelChanges.at(-1)!.at).toBe(at("2026-02-05T00:00:00Z"));
  });

  it("a frozen member whose renewal conditions hold again is active again", () => {
    const events = [paid("2026-01-01T00:00:00Z", { amount: "500.00" }), paid("2026-06-01T00:00:00Z", { amount: "500.00" })];
    expect(evaluate(program({ onExpiry: "freeze" }), events, "2026-06-02T00:00:00Z")).toMatchObject({
      level: "gold",
      status: "active",
      levelSince: at("2026-06-01T00:00:00Z"),
    });
  });
});
