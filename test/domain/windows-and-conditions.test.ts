import { describe, expect, it } from "vitest";
import {
  buildLevel,
  buildProgramJson,
  cancel,
  evaluate,
  itemCount,
  line,
  orderCount,
  paid,
  pointsCond,
  refund,
  singleOrder,
  spend,
} from "../../tools/sample-data/program-builders";

type Json = Record<string, unknown>;
const one = (cond: Json, over: Json = {}) => buildProgramJson({ levels: [buildLevel({ id: "x", rank: 1, upgrade: [[cond]] })], ...over });

describe("condition kinds", () => {
  it.each<[string, Json, ReturnType<typeof paid>[], string | null]>([
    ["singleOrder: one order reaching the amount", singleOrder("100.00"), [paid("2026-01-01T00:00:00Z", { amount: "100.00" })], "x"],
    [
      "singleOrder: two smaller orders do not add up",
      singleOrder("100.00"),
      [paid("2026-01-01T00:00:00Z", { amount: "60.00" }), paid("2026-01-02T00:00:00Z", { amount: "60.00" })],
      null,
    ],
    ["orderCount", orderCount(2), [paid("2026-01-01T00:00:00Z"), paid("2026-01-02T00:00:00Z")], "x"],
    ["itemCount counts units", itemCount(5), [paid("2026-01-01T00:00:00Z", { lines: [line("l1", "1.00", 3), line("l2", "1.00", 2)] })], "x"],
    [
      "itemCount: gift cards are not items",
      itemCount(5),
      [paid("2026-01-01T00:00:00Z", { lines: [line("l1", "1.00", 3), line("l2", "1.00", 2, { giftCard: true })] })],
      null,
    ],
  ])("%s", (_name, cond, events, level) => {
    expect(evaluate(one(cond), events, "2026-02-01T00:00:00Z").level).toBe(level);
  });

  it("a cancelled order no longer counts as an order", () => {
    const events = [paid("2026-01-01T00:00:00Z", { id: "a" }), paid("2026-01-02T00:00:00Z", { id: "b" }), cancel("2026-01-03T00:00:00Z", "b")];
    const p = buildProgramJson({
      levels: [buildLevel({ id: "x", rank: 1, upgrade: [[orderCount(1)]] }), buildLevel({ id: "y", rank: 2, upgrade: [[orderCount(2)]] })],
    });
    expect(evaluate(p, events, "2026-02-01T00:00:00Z").level).toBe("x");
  });

  it("a fully refunded order no longer counts as an order; a partly refunded one does", () => {
    const p = one(orderCount(2));
    const base = [paid("2026-01-01T00:00:00Z", { id: "a", amount: "10.00" }), paid("2026-01-02T00:00:00Z", { id: "b", amount: "10.00" })];
    expect(
      evaluate(p, [...base.slice(0, 1), refund("2026-01-01T12:00:00Z", "a", { amount: "10.00" }), base[1]], "2026-02-01T00:00:00Z").level,
    ).toBeNull();
    expect(evaluate(p, [...base.slice(0, 1), refund("2026-01-01T12:00:00Z", "a", { amount: "5.00" }), base[1]], "2026-02-01T00:00:00Z").level).toBe(
      "x",
    );
  });

  it("a singleOrder refunded below the amount no longer holds", () => {
    const p = buildProgramJson({
      levels: [buildLevel({ id: "x", rank: 1, upgrade: [[orderCount(1)]] }), buildLevel({ id: "y", rank: 2, upgrade: [[singleOrder("100.00")]] })],
    });
    const events = [paid("2026-01-01T00:00:00Z", { id: "a", amount: "120.00" }), refund("2026-01-02T00:00:00Z", "a", { amount: "30.00" })];
    expect(evaluate(p, events, "2026-02-01T00:00:00Z").level).toBe("x");
  });

  it("points (basis points): points earned inside the window, not the balance", () => {
    const p = one(pointsCond(100), { basis: "points", points: { earn: [{ per: "amount", every: "1.00", points: 1 }], expiryDays: 1 } });
    const out = evaluate(
      p,
      [paid("2026-01-01T00:00:00Z", { amount: "60.00" }), paid("2026-01-10T00:00:00Z", { amount: "40.00" })],
      "2026-02-01T00:00:00Z",
    );
    expect(out).toMatchObject({ level: "x", points: 0, pointsEarned: 100 });
  });

  it("points: reversals reduce points earned", () => {
    const p = buildProgramJson({
      basis: "points",
      points: { earn: [{ per: "amount", every: "1.00", points: 1 }] },
      levels: [buildLevel({ id: "x", rank: 1, upgrade: [[pointsCond(50)]] }), buildLevel({ id: "y", rank: 2, upgrade: [[pointsCond(100)]] })],
    });
    const out = evaluate(
      p,
      [paid("2026-01-01T00:00:00Z", { id: "a", amount: "120.00" }), refund("2026-01-02T00:00:00Z", "a", { amount: "40.00" })],
      "2026-02-01T00:00:00Z",
    );
    expect(out).toMatchObject({ level: "x", pointsEarned: 80 });
  });
});

describe("windows", () => {
  it("per-condition windowDays overrides the program window with a rolling one", () => {
    const p = one(spend("100.00", { windowDays: 7 }));
    expect(
      evaluate(p, [paid("2026-01-01T00:00:00Z", { amount: "50.00" }), paid("2026-01-09T00:00:00Z", { amount: "50.00" })], "2026-02-01T00:00:00Z")
        .level,
    ).toBeNull();
    expect(
      evaluate(p, [paid("2026-01-03T00:00:00Z", { amount: "50.00" }), paid("2026-01-09T00:00:00Z", { amount: "50.00" })], "2026-02-01T00:00:00Z")
        .level,
    ).toBe("x");
  });

  it("conditions in one group may use different windows", () => {
    const p = buildProgramJson({
      window: "lifetime",
      levels: [buildLevel({ id: "x", rank: 1, upgrade: [[spend("100.00"), orderCount(2, { windowDays: 30 })]] })],
    });
    const events = [
      paid("2025-01-01T00:00:00Z", { amount: "90.00" }),
      paid("2026-01-01T00:00:00Z", { amount: "5.00" }),
      paid("2026-01-02T00:00:00Z", { amount: "5.00" }),
    ];
    expect(evaluate(p, events, "2026-02-01T00:00:00Z").level).toBe("x");
  });

  it("the output spend is the spend in the current program window", () => {
    const p = one(spend("1000.00"), { window: { kind: "rolling", days: 30 } });
    const out = evaluate(
      p,
      [paid("2026-01-01T00:00:00Z", { amount: "50.00" }), paid("2026-01-20T00:00:00Z", { amount: "70.00" })],
      "2026-02-05T00:00:00Z",
    );
    expect(out.spend).toBe(7000);
  });

  it("channels: orders from non-participating channels never count", () => {
    const p = one(spend("100.00"), { channels: ["online"] });
    expect(evaluate(p, [paid("2026-01-01T00:00:00Z", { amount: "100.00", channel: "pos" })], "2026-02-01T00:00:00Z").level).toBeNull();
    expect(evaluate(p, [paid("2026-01-01T00:00:00Z", { amount: "100.00", channel: "online" })], "2026-02-01T00:00:00Z").level).toBe("x");
  });
});
