// The threshold rule (docs/programme-rules.md, "Thresholds and rank"): thresholds never fall with rank, and a higher
// level is never reached by what reaches only a lower one.
import { describe, expect, it } from "vitest";
import { evaluateMember, parseInstant, parseProgram, ProgramError, type MemberEvent } from "~/domain/index";
import { parseOrder } from "~/domain/scenario";

type Json = Record<string, unknown>;

const spend = (amount: string, extra: Json = {}) => ({ kind: "accumulatedSpend", amount, ...extra });
const single = (amount: string, extra: Json = {}) => ({ kind: "singleOrder", amount, ...extra });
const orders = (count: number, extra: Json = {}) => ({ kind: "orderCount", count, ...extra });
const items = (count: number, extra: Json = {}) => ({ kind: "itemCount", count, ...extra });
const product = (quantity: number, extra: Json = {}) => ({ kind: "productPurchase", quantity, scope: { productIds: ["p1"] }, ...extra });
const points = (amount: number, extra: Json = {}) => ({ kind: "points", amount, ...extra });
const premium = { scope: { collectionIds: ["premium"] } };
const sale = { scope: { collectionIds: ["sale"] } };

/** Levels named after their id, ranked in the order given (1, 2, 3…). */
function program(...levels: [name: string, upgrade: Json[][], extra?: Json][]): Json {
  return { levels: levels.map(([name, upgrade, extra], i) => ({ id: name.toLowerCase(), name, rank: i + 1, upgrade, ...extra })) };
}

function outcome(json: Json): { accepted: true } | { code: string; path: string; detail: string } {
  try {
    parseProgram(json);
    return { accepted: true };
  } catch (e) {
    if (e instanceof ProgramError) return { code: e.code, path: e.path, detail: e.detail };
    throw e;
  }
}

describe("accepted: a higher level that is harder to reach", () => {
  it.each<[string, Json]>([
    ["the issue's example: Silver 5 items; Gold 5 items and 3 orders", program(["Silver", [[items(5)]]], ["Gold", [[items(5), orders(3)]]])],
    [
      "equal spend plus an extra condition of another kind",
      program(["Silver", [[spend("500.00")]]], ["Gold", [[spend("500.00"), single("200.00")]]]),
    ],
    ["rising thresholds", program(["Silver", [[spend("100.00")]]], ["Gold", [[spend("500.00")]]])],
    ["OR groups that all rise", program(["Silver", [[spend("500.00")], [orders(5)]]], ["Gold", [[spend("1000.00")], [orders(10)]]])],
    [
      "OR groups: a second way in with equal spend and more orders",
      program(["Silver", [[spend("500.00")]]], ["Gold", [[spend("1000.00")], [spend("500.00"), orders(5)]]]),
    ],
    ["a higher level with no groups (reached by hand only)", program(["Silver", [[spend("500.00")]]], ["Gold", []])],
    [
      "scoped spend vs unscoped spend: line value before discounts may exceed counted spend, so neither implies the other",
      program(["Silver", [[spend("500.00", premium)]]], ["Gold", [[spend("500.00")]]]),
    ],
    [
      "unscoped items below scoped items: any 5 items do not make 5 Premium items",
      program(["Silver", [[items(5)]]], ["Gold", [[items(5, premium)]]]),
    ],
    ["different scopes are not compared", program(["Silver", [[items(3, premium)]]], ["Gold", [[items(2, sale)]]])],
    [
      "a shorter window on the higher level is harder",
      program(["Silver", [[spend("500.00", { windowDays: 365 })]]], ["Gold", [[spend("500.00", { windowDays: 30 })]]]),
    ],
    [
      "the programme window and a condition's own window are not compared",
      program(["Silver", [[spend("500.00")]]], ["Gold", [[spend("500.00", { windowDays: 30 })]]]),
    ],
    [
      "a lower threshold in a condition's own window is not compared with the programme window's",
      program(["Silver", [[spend("1000.00")]]], ["Gold", [[spend("300.00", { windowDays: 30 })]]]),
    ],
    [
      "internal-only levels take no part",
      program(["Silver", [[spend("500.00")]]], ["Staff", [[spend("1.00")]], { internalOnly: true }], ["Gold", [[spend("1000.00")]]]),
    ],
    [
      "an internal-only level may equal the level below",
      program(["Silver", [[spend("500.00")]]], ["Staff", [[spend("500.00")]], { internalOnly: true }]),
    ],
  ])("%s", (_name, json) => {
    expect(outcome(json)).toEqual({ accepted: true });
  });
});

describe("refused: a higher level no harder than a lower one (PROGRAM.LEVEL_NOT_HARDER, naming both levels)", () => {
  const at = (level: number, group: number, cond: number, field: string) => `program.levels[${level}].upgrade[${group}][${cond}].${field}`;
  it.each<[string, Json, string, string]>([
    [
      "equal thresholds without an extra condition",
      program(["Silver", [[items(5)]]], ["Gold", [[items(5)]]]),
      at(1, 0, 0, "count"),
      `"Gold" is no harder to reach than lower level "Silver": whoever meets "Silver" group 1 (itemCount ≥ 5) also meets "Gold" group 1 (itemCount ≥ 5). Raise a threshold or add a condition to "Gold".`,
    ],
    [
      "strictly easier: the lower level asks for more",
      program(["Silver", [[spend("500.00"), orders(3)]]], ["Gold", [[spend("500.00")]]]),
      at(1, 0, 0, "amount"),
      `"Gold" is no harder to reach than lower level "Silver": whoever meets "Silver" group 1 (accumulatedSpend ≥ 500.00 and orderCount ≥ 3) also meets "Gold" group 1 (accumulatedSpend ≥ 500.00). Raise a threshold or add a condition to "Gold".`,
    ],
    [
      "strictly easier in every condition it has",
      program(["Silver", [[items(6), orders(3), spend("100.00")]]], ["Gold", [[orders(3), items(6)]]]),
      at(1, 0, 0, "count"),
      `"Silver" group 1`,
    ],
    [
      "OR groups: one of the higher level's groups is as easy as a lower group",
      program(["Silver", [[spend("500.00")], [orders(5)]]], ["Gold", [[spend("1000.00")], [orders(5)]]]),
      at(1, 1, 0, "count"),
      `whoever meets "Silver" group 2 (orderCount ≥ 5) also meets "Gold" group 2 (orderCount ≥ 5)`,
    ],
    [
      "OR groups: a lower group that always gives the higher level",
      program(["Silver", [[spend("100.00")], [spend("900.00"), orders(1)]]], ["Gold", [[spend("200.00")]]]),
      at(1, 0, 0, "amount"),
      `whoever meets "Silver" group 2 (accumulatedSpend ≥ 900.00 and orderCount ≥ 1) also meets "Gold" group 1`,
    ],
    [
      "scoped items imply unscoped items",
      program(["Silver", [[items(5, premium)]]], ["Gold", [[items(5)]]]),
      at(1, 0, 0, "count"),
      `"Silver" group 1 (scoped itemCount ≥ 5)`,
    ],
    [
      "scoped orders imply unscoped orders",
      program(["Silver", [[orders(3, premium)]]], ["Gold", [[orders(2)]]]),
      at(1, 0, 0, "count"),
      `"Gold" is no harder to reach than lower level "Silver"`,
    ],
    [
      "a product purchase implies as many items",
      program(["Silver", [[product(2)]]], ["Gold", [[items(2)]]]),
      at(1, 0, 0, "count"),
      `"Silver" group 1 (scoped productPurchase ≥ 2)`,
    ],
    [
      "the same scope and the same spend",
      program(["Silver", [[spend("500.00", premium)]]], ["Gold", [[spend("500.00", { scope: { collectionIds: ["premium"], tags: [] } })]]]),
      at(1, 0, 0, "amount"),
      `"Gold" is no harder to reach than lower level "Silver"`,
    ],
    [
      "a longer window on the higher level is easier (a 30-day total never exceeds the 365-day one)",
      program(["Silver", [[spend("500.00", { windowDays: 30 })]]], ["Gold", [[spend("500.00", { windowDays: 365 })]]]),
      at(1, 0, 0, "amount"),
      `(accumulatedSpend ≥ 500.00 in 30 days) also meets "Gold" group 1 (accumulatedSpend ≥ 500.00 in 365 days)`,
    ],
    [
      "a single order",
      program(["Silver", [[single("200.00"), spend("500.00")]]], ["Gold", [[single("200.00")]]]),
      at(1, 0, 0, "amount"),
      `"Gold" group 1 (singleOrder ≥ 200.00)`,
    ],
    ["points", program(["Silver", [[points(500), orders(2)]]], ["Gold", [[points(500)]]]), at(1, 0, 0, "amount"), `"Gold" group 1 (points ≥ 500)`],
    [
      "a renewal-only condition is not the extra condition (it never applies to upgrades)",
      program(["Silver", [[items(5)]]], ["Gold", [[items(5), orders(3, { role: "renewal" })]]]),
      at(1, 0, 0, "count"),
      `"Gold" group 1 (itemCount ≥ 5)`,
    ],
    [
      "a disabled lower level takes part (it can be switched back on)",
      program(["Silver", [[spend("500.00")]], { enabled: false }], ["Gold", [[spend("500.00")]]]),
      at(1, 0, 0, "amount"),
      `"Gold" is no harder to reach than lower level "Silver"`,
    ],
    [
      "a disabled higher level takes part",
      program(["Silver", [[spend("500.00")]]], ["Gold", [[spend("500.00")]], { enabled: false }]),
      at(1, 0, 0, "amount"),
      `"Gold" is no harder to reach than lower level "Silver"`,
    ],
    [
      "a level further down",
      program(["Bronze", [[items(5), orders(3)]]], ["Silver", [[spend("100.00")]]], ["Gold", [[items(5)]]]),
      at(2, 0, 0, "count"),
      `"Gold" is no harder to reach than lower level "Bronze"`,
    ],
  ])("%s", (_name, json, path, message) => {
    const got = outcome(json);
    expect(got).toMatchObject({ code: "PROGRAM.LEVEL_NOT_HARDER", path });
    expect((got as { detail: string }).detail).toContain(message);
  });
});

describe("refused: thresholds that fall with rank (PROGRAM.THRESHOLDS_NOT_RISING, as before)", () => {
  it.each<[string, Json, string, string]>([
    [
      "spend falls, whatever else the level asks",
      program(["Silver", [[spend("500.00")]]], ["Gold", [[spend("400.00"), orders(10)]]]),
      "program.levels[1].upgrade[0][0].amount",
      `accumulatedSpend thresholds must rise with rank (or stay equal): "gold" needs 400.00, less than lower level "silver" (500.00)`,
    ],
    [
      "a level's lowest threshold across its groups counts",
      program(["Silver", [[orders(5)]]], ["Gold", [[spend("1000.00"), orders(3)], [orders(10)]]]),
      "program.levels[1].upgrade[0][1].count",
      `"gold" needs 3, less than lower level "silver" (5)`,
    ],
    [
      "scoped thresholds fall within the same scope",
      program(["Silver", [[items(3, premium)]]], ["Gold", [[items(2, premium), spend("1000.00")]]]),
      "program.levels[1].upgrade[0][0].count",
      `itemCount thresholds must rise with rank (or stay equal)`,
    ],
    [
      "a disabled lower level counts",
      program(["Silver", [[spend("500.00")]], { enabled: false }], ["Gold", [[spend("400.00"), orders(10)]]]),
      "program.levels[1].upgrade[0][0].amount",
      `less than lower level "silver" (500.00)`,
    ],
    [
      "renewal-only conditions are left out",
      program(["Silver", [[spend("500.00")]]], ["Gold", [[spend("100.00", { role: "renewal" }), spend("400.00"), orders(10)]]]),
      "program.levels[1].upgrade[0][1].amount",
      `"gold" needs 400.00`,
    ],
  ])("%s", (_name, json, path, message) => {
    const got = outcome(json);
    expect(got).toMatchObject({ code: "PROGRAM.THRESHOLDS_NOT_RISING", path });
    expect((got as { detail: string }).detail).toContain(message);
  });
});

describe("the issue's programme behaves as a merchant expects", () => {
  const json = program(["Silver", [[items(5)]]], ["Gold", [[items(5), orders(3)]]]);
  const order = (id: string, quantity: number, at: string): MemberEvent => ({
    type: "orderPaid",
    at: parseInstant(at, "at"),
    order: parseOrder({ id, lines: [{ id: `${id}-1`, price: "10.00", quantity }] }, "order"),
  });
  it.each<[string, number[], string | null]>([
    ["4 items in 2 orders: no level", [2, 2], null],
    ["5 items in 1 order: Silver", [5], "silver"],
    ["5 items in 3 orders: Gold", [1, 1, 3], "gold"],
  ])("%s", (_name, quantities, level) => {
    const events = quantities.map((q, i) => order(`o${i}`, q, `2026-03-0${i + 1}T10:00:00Z`));
    expect(evaluateMember(parseProgram(json), events, parseInstant("2026-04-01T00:00:00Z", "asOf")).level).toBe(level);
  });
});
