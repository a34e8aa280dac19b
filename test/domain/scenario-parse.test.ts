import { describe, expect, it } from "vitest";
import { runScenario, ScenarioError } from "~/domain/index";
import { parseOrder, parseScenario } from "~/domain/scenario";

const level = { id: "silver", name: "Silver", rank: 1, upgrade: [[{ kind: "accumulatedSpend", amount: "100.00" }]] };
const scenario = (events: unknown[], extra: Record<string, unknown> = {}) => ({
  program: { levels: [level] },
  events,
  asOf: "2026-12-31T00:00:00Z",
  ...extra,
});

function scenarioErrorOf(json: unknown): { code: string; path: string } {
  try {
    parseScenario(json);
  } catch (e) {
    if (e instanceof ScenarioError) return { code: e.code, path: e.path };
    throw e;
  }
  throw new Error("expected a ScenarioError");
}

describe("parseOrder: missing money fields are derived", () => {
  it.each<[string, Record<string, unknown>, Record<string, number>]>([
    [
      "subtotal from lines, total = subtotal + shipping + tax",
      { id: "o", shipping: "5.00", tax: "1.00", lines: [{ id: "l", price: "10.00", quantity: 3 }] },
      { subtotal: 3000, total: 3600, shipping: 500, tax: 100 },
    ],
    ["subtotal from total when there are no lines", { id: "o", total: "120.00", shipping: "10.00", tax: "10.00" }, { subtotal: 10000, total: 12000 }],
    ["given fields are kept", { id: "o", total: "1.00", subtotal: "2.00", lines: [{ id: "l", price: "9.00" }] }, { subtotal: 200, total: 100 }],
  ])("%s", (_name, json, expected) => {
    expect(parseOrder(json, "order")).toMatchObject(expected);
  });

  it("line defaults: quantity 1, no collections or tags, not a gift card", () => {
    expect(parseOrder({ id: "o", lines: [{ id: "l", productId: "p", price: "1.00" }] }, "order").lines[0]).toEqual({
      id: "l",
      productId: "p",
      quantity: 1,
      price: 100,
      collectionIds: [],
      tags: [],
      giftCard: false,
      compareAtPrice: null,
    });
  });
});

describe("parseScenario", () => {
  it("groups events per customer in time order, ties in file order, and gives publishProgram to every customer", () => {
    const sc = parseScenario(
      scenario([
        { at: "2026-02-01T00:00:00Z", type: "orderPaid", customer: "b", order: { id: "o2", total: "1.00" } },
        { at: "2026-01-01T00:00:00Z", type: "orderPaid", customer: "a", order: { id: "o1", total: "1.00" } },
        { at: "2026-01-15T00:00:00Z", type: "publishProgram", program: { levels: [] } },
        { at: "2026-01-01T00:00:00Z", type: "pointsAdjust", customer: "a", points: 5 },
      ]),
    );
    expect([...sc.customers.keys()]).toEqual(["b", "a"]);
    expect(sc.customers.get("a")!.map((e) => e.type)).toEqual(["orderPaid", "pointsAdjust", "publishProgram"]);
    expect(sc.customers.get("b")!.map((e) => e.type)).toEqual(["publishProgram", "orderPaid"]);
    expect(sc.finalProgram.levels).toEqual([]);
  });

  it("asOf defaults to the last event's time", () => {
    expect(
      parseScenario({
        program: { levels: [] },
        events: [{ at: "2026-03-01T00:00:00Z", type: "orderPaid", customer: "a", order: { id: "o", total: "1.00" } }],
      }).asOf,
    ).toBe(Date.UTC(2026, 2, 1));
  });

  it.each<[string, unknown, string, string]>([
    ["events not an array", { program: { levels: [] }, events: {}, asOf: "2026-01-01T00:00:00Z" }, "SCENARIO.INVALID_TYPE", "events"],
    ["missing at", scenario([{ type: "orderPaid", customer: "a", order: { id: "o", total: "1.00" } }]), "SCENARIO.MISSING_FIELD", "events[0].at"],
    [
      "missing customer",
      scenario([{ at: "2026-01-01T00:00:00Z", type: "orderPaid", order: { id: "o", total: "1.00" } }]),
      "SCENARIO.MISSING_FIELD",
      "events[0].customer",
    ],
    [
      "order without money",
      scenario([{ at: "2026-01-01T00:00:00Z", type: "orderPaid", customer: "a", order: { id: "o" } }]),
      "SCENARIO.MISSING_FIELD",
      "events[0].order.total",
    ],
    [
      "negative quantity",
      scenario([
        { at: "2026-01-01T00:00:00Z", type: "orderPaid", customer: "a", order: { id: "o", lines: [{ id: "l", price: "1.00", quantity: -1 }] } },
      ]),
      "SCENARIO.INVALID_NUMBER",
      "events[0].order.lines[0].quantity",
    ],
    [
      "refund without amount or lines",
      scenario([{ at: "2026-01-01T00:00:00Z", type: "refund", customer: "a", orderId: "o", refund: { id: "r" } }]),
      "SCENARIO.MISSING_FIELD",
      "events[0].refund.amount",
    ],
    [
      "manual assignment to a disabled level",
      scenario([{ at: "2026-01-01T00:00:00Z", type: "manualAssign", customer: "a", level: "silver" }], {
        program: { levels: [{ ...level, enabled: false }] },
      }),
      "SCENARIO.LEVEL_DISABLED",
      "events[0].level",
    ],
    [
      "manual assignment to a level only a later publish adds",
      scenario([
        { at: "2026-01-01T00:00:00Z", type: "manualAssign", customer: "a", level: "gold" },
        { at: "2026-02-01T00:00:00Z", type: "publishProgram", program: { levels: [level, { id: "gold", rank: 2, upgrade: [] }] } },
      ]),
      "SCENARIO.UNKNOWN_LEVEL",
      "events[0].level",
    ],
    [
      "pointsAdjust without points",
      scenario([{ at: "2026-01-01T00:00:00Z", type: "pointsAdjust", customer: "a" }]),
      "SCENARIO.INVALID_NUMBER",
      "events[0].points",
    ],
  ])("%s", (_name, json, code, path) => {
    expect(scenarioErrorOf(json)).toEqual({ code, path });
  });

  it("program errors inside publishProgram carry the event's path", () => {
    expect(() =>
      parseScenario(
        scenario([
          { at: "2026-01-01T00:00:00Z", type: "publishProgram", program: { levels: [{ id: "x", rank: 1, upgrade: [[{ kind: "nope" }]] }] } },
        ]),
      ),
    ).toThrow(expect.objectContaining({ code: "PROGRAM.UNKNOWN_CONDITION", path: "events[0].program.levels[0].upgrade[0][0].kind" }));
  });
});

describe("runScenario output", () => {
  it("ISO times with Z, decimal-string money, null expiry when permanent, counts for every enabled level", () => {
    const out = runScenario(
      scenario([
        { at: "2026-03-01T10:00:00Z", type: "orderPaid", customer: "c1", order: { id: "o1", total: "120.50" } },
        { at: "2026-03-01T10:00:00Z", type: "orderPaid", customer: "c2", order: { id: "o2", total: "20.00" } },
      ]),
    );
    expect(out.asOf).toBe("2026-12-31T00:00:00Z");
    expect(out.levelCounts).toEqual({ silver: 1 });
    expect(out.members.c1).toMatchObject({
      level: "silver",
      status: "active",
      levelSince: "2026-03-01T10:00:00Z",
      levelExpiresAt: null,
      spend: "120.50",
      points: 0,
      next: null,
    });
    expect(out.members.c1.levelChanges[0]).toMatchObject({
      at: "2026-03-01T10:00:00Z",
      text: "reached Silver: group 1 met, spend $120.50 ≥ $100.00 on 2026-03-01",
    });
    expect(out.members.c2).toMatchObject({
      level: null,
      status: "none",
      levelSince: null,
      spend: "20.00",
      next: { level: "silver", remaining: { spend: "80.00" } },
    });
  });
});
