import { describe, expect, it } from "vitest";
import { parseProgram, previewDiff } from "~/domain/index";
import { adjust, at, buildLevel, buildProgramJson, evaluate, orderCount, paid, pointsCond, spend } from "../../tools/sample-data/program-builders";

describe("condition roles", () => {
  // Gold: upgrade needs 500; a renewal-only condition (orders ≥ 2) applies at expiry, not for the upgrade.
  const program = buildProgramJson({
    validity: { kind: "days", days: 30 },
    window: { kind: "rolling", days: 30 },
    levels: [buildLevel({ id: "gold", rank: 1, upgrade: [[spend("500.00", { role: "upgrade" }), orderCount(2, { role: "renewal" })]] })],
  });

  it("a renewal-only condition does not block the upgrade", () => {
    expect(evaluate(program, [paid("2026-01-01T00:00:00Z", { amount: "500.00" })], "2026-01-02T00:00:00Z").level).toBe("gold");
  });

  it.each([
    ["two orders in the window renew", ["2026-01-20T00:00:00Z", "2026-01-25T00:00:00Z"], "gold"],
    ["one order does not", ["2026-01-20T00:00:00Z"], null],
  ])("an upgrade-only condition is skipped at renewal: %s", (_name, times, level) => {
    const events = [paid("2026-01-01T00:00:00Z", { amount: "500.00" }), ...times.map((t) => paid(t, { amount: "1.00" }))];
    expect(evaluate(program, events, "2026-02-05T00:00:00Z").level).toBe(level);
  });
});

describe("earn rule options", () => {
  it("excludeDiscountCodes: orders with a discount code earn nothing under that rule", () => {
    const p = buildProgramJson({
      points: {
        earn: [
          { per: "amount", every: "1.00", points: 1, excludeDiscountCodes: true },
          { per: "item", every: 1, points: 5 },
        ],
      },
      levels: [],
    });
    const out = evaluate(
      p,
      [paid("2026-01-01T00:00:00Z", { amount: "40.00", hasDiscountCode: true }), paid("2026-01-02T00:00:00Z", { amount: "10.00" })],
      "2026-02-01T00:00:00Z",
    );
    expect(out.ledger.map((e) => e.points)).toEqual([5, 15]);
  });

  it("scoped earn rule: only the scoped subtotal earns", () => {
    const p = buildProgramJson({ points: { earn: [{ per: "amount", every: "1.00", points: 2, scope: { tags: ["bonus"] } }] }, levels: [] });
    const lines = [
      { id: "a", productId: "p", price: "10.00", tags: ["bonus"] },
      { id: "b", productId: "q", price: "90.00" },
    ];
    expect(evaluate(p, [paid("2026-01-01T00:00:00Z", { lines })], "2026-02-01T00:00:00Z").points).toBe(20);
  });

  it("a deduction larger than the balance leaves a debt that later points pay first", () => {
    const p = buildProgramJson({ points: { earn: [{ per: "amount", every: "1.00", points: 1 }], expiryDays: 10 }, levels: [] });
    const events = [
      paid("2026-01-01T00:00:00Z", { amount: "10.00" }),
      adjust("2026-01-02T00:00:00Z", -30, "k"),
      paid("2026-01-03T00:00:00Z", { amount: "50.00" }),
    ];
    expect(evaluate(p, events, "2026-01-04T00:00:00Z").points).toBe(30);
    // The 50-point lot only held 30 after paying the debt: its expiry removes 30, not 50.
    expect(evaluate(p, events, "2026-02-01T00:00:00Z").points).toBe(0);
  });
});

describe("previewDiff with points conditions", () => {
  it("uses the points actually earned", () => {
    const json = (amount: number) =>
      buildProgramJson({
        basis: "points",
        points: { earn: [{ per: "amount", every: "1.00", points: 1 }] },
        levels: [buildLevel({ id: "silver", rank: 1, upgrade: [[pointsCond(amount)]] })],
      });
    const members = [{ id: "m", events: [paid("2026-01-01T00:00:00Z", { amount: "150.00" })] }];
    const diff = previewDiff(parseProgram(json(200)), parseProgram(json(100)), members, at("2026-02-01T00:00:00Z"));
    expect(diff.moves).toEqual([{ member: "m", from: null, to: "silver" }]);
  });
});
