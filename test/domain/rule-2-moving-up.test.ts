import { describe, expect, it } from "vitest";
import {
  at,
  buildLevel,
  buildProgramJson,
  cancel,
  evaluate,
  line,
  onePointPerDollar,
  paid,
  refund,
  spend,
} from "../../tools/sample-data/program-builders";

const silverGold = (over: Record<string, unknown> = {}) =>
  buildProgramJson({
    levels: [buildLevel({ id: "silver", rank: 1, upgrade: [[spend("100.00")]] }), buildLevel({ id: "gold", rank: 2, upgrade: [[spend("500.00")]] })],
    ...over,
  });

describe("rule 2: reaching a level sets levelSince and validity sets levelExpiresAt", () => {
  it.each([
    [{ kind: "permanent" }, null],
    [{ kind: "oneYear" }, Date.UTC(2027, 2, 1, 10)],
    [{ kind: "days", days: 90 }, Date.UTC(2026, 4, 30, 10)],
  ])("validity %j", (validity, expires) => {
    const out = evaluate(silverGold({ validity }), [paid("2026-03-01T10:00:00Z", { amount: "100.00" })], "2026-03-02T00:00:00Z");
    expect(out).toMatchObject({ level: "silver", status: "active", levelSince: at("2026-03-01T10:00:00Z"), levelExpiresAt: expires });
  });

  it("oneYear from 29 February ends on 28 February", () => {
    const out = evaluate(silverGold({ validity: "oneYear" }), [paid("2028-02-29T12:00:00Z", { amount: "100.00" })], "2028-03-01T00:00:00Z");
    expect(out.levelExpiresAt).toBe(at("2029-02-28T12:00:00Z"));
  });

  it("moving up again restarts levelSince and the validity period", () => {
    const events = [paid("2026-01-01T00:00:00Z", { amount: "100.00" }), paid("2026-02-01T00:00:00Z", { amount: "400.00" })];
    const out = evaluate(silverGold({ validity: { kind: "days", days: 365 } }), events, "2026-03-01T00:00:00Z");
    expect(out).toMatchObject({ level: "gold", levelSince: at("2026-02-01T00:00:00Z"), levelExpiresAt: at("2027-02-01T00:00:00Z") });
  });
});

describe("rule 2: between expiries evaluation only moves up", () => {
  it("a rolling window emptying out does not downgrade before expiry", () => {
    const p = silverGold({ window: { kind: "rolling", days: 30 }, validity: { kind: "days", days: 365 } });
    const out = evaluate(p, [paid("2026-01-01T00:00:00Z", { amount: "600.00" })], "2026-06-01T00:00:00Z");
    expect(out).toMatchObject({ level: "gold", status: "active", spend: 0 });
  });

  it("a smaller later order does not move a member down", () => {
    const events = [paid("2026-01-01T00:00:00Z", { amount: "600.00" }), paid("2026-01-02T00:00:00Z", { amount: "1.00" })];
    expect(evaluate(silverGold(), events, "2026-02-01T00:00:00Z").level).toBe("gold");
  });
});

describe("rule 2: refunds and cancellations re-evaluate at once (downgradeOnRefund on)", () => {
  const o1 = { id: "o1", lines: [line("l1", "100.00", 6)] };
  it.each<[string, ReturnType<typeof refund>, string, number]>([
    [
      "a 200.00 refund of 2 × 100.00 drops 600 → 400: Gold → Silver",
      refund("2026-03-05T00:00:00Z", "o1", { id: "r1", amount: "200.00", lines: [{ lineId: "l1", quantity: 2 }] }),
      "silver",
      40000,
    ],
    ["a 50.00 refund keeps 550: still Gold", refund("2026-03-05T00:00:00Z", "o1", { id: "r1", amount: "50.00" }), "gold", 55000],
    [
      "a full refund: no level",
      refund("2026-03-05T00:00:00Z", "o1", { id: "r1", amount: "600.00", lines: [{ lineId: "l1", quantity: 6 }] }),
      "none",
      0,
    ],
    ["a cancellation: no level", cancel("2026-03-05T00:00:00Z", "o1"), "none", 0],
  ])("%s", (_name, ev, level, spendNow) => {
    const out = evaluate(silverGold(), [paid("2026-03-01T10:00:00Z", o1), ev], "2026-04-01T00:00:00Z");
    expect(out.level ?? "none").toBe(level);
    expect(out.spend).toBe(spendNow);
  });

  it("takes the level the replay gives: levelSince as if the refunded part was never bought", () => {
    const events = [
      paid("2026-03-01T00:00:00Z", { id: "a", amount: "150.00" }),
      paid("2026-03-10T00:00:00Z", { id: "b", amount: "400.00" }),
      refund("2026-03-20T00:00:00Z", "b", { amount: "400.00" }),
    ];
    const out = evaluate(silverGold({ validity: { kind: "days", days: 100 } }), events, "2026-04-01T00:00:00Z");
    expect(out).toMatchObject({ level: "silver", levelSince: at("2026-03-01T00:00:00Z"), levelExpiresAt: at("2026-06-09T00:00:00Z") });
    expect(out.levelChanges.map((c) => [c.cause, c.from, c.to])).toEqual([
      ["upgrade", null, "silver"],
      ["upgrade", "silver", "gold"],
      ["refund", "gold", "silver"],
    ]);
  });

  it("a refund never moves a member up", () => {
    // Manually placed at Silver although history says Gold; a small refund must not lift them to Gold.
    const events = [
      paid("2026-03-01T00:00:00Z", { id: "a", amount: "100.00" }),
      { type: "manualAssign" as const, at: at("2026-03-02T00:00:00Z"), level: "silver", lock: false },
      paid("2026-03-03T00:00:00Z", { id: "b", amount: "50.00" }),
    ];
    const p = silverGold({
      levels: [
        buildLevel({ id: "silver", rank: 1, upgrade: [[spend("100.00")]] }),
        buildLevel({ id: "gold", rank: 2, upgrade: [[spend("500.00")]] }),
      ],
    });
    const withRefund = [
      ...events,
      paid("2026-03-04T00:00:00Z", { id: "c", amount: "400.00" }),
      refund("2026-03-05T00:00:00Z", "b", { amount: "10.00" }),
    ];
    expect(evaluate(p, withRefund, "2026-04-01T00:00:00Z").level).toBe("gold");
    const noUpgradeYet = [...events, refund("2026-03-05T00:00:00Z", "b", { amount: "10.00" })];
    expect(evaluate(p, noUpgradeYet, "2026-04-01T00:00:00Z").level).toBe("silver");
  });

  it("with downgradeOnRefund off, refunds and cancellations neither lower counted spend nor the level", () => {
    const events = [
      paid("2026-03-01T10:00:00Z", o1),
      refund("2026-03-05T00:00:00Z", "o1", { amount: "300.00" }),
      paid("2026-03-06T00:00:00Z", { id: "o2", amount: "10.00" }),
      cancel("2026-03-07T00:00:00Z", "o2"),
    ];
    const out = evaluate(silverGold({ downgradeOnRefund: false, points: onePointPerDollar }), events, "2026-04-01T00:00:00Z");
    expect(out).toMatchObject({ level: "gold", spend: 61000 });
    expect(out.points).toBe(300); // points are still reversed (rule 5)
  });

  it("a refund that arrives before its order is applied when the order is paid", () => {
    const early = [
      refund("2026-03-01T09:00:00Z", "o1", { id: "r1", amount: "200.00", lines: [{ lineId: "l1", quantity: 2 }] }),
      paid("2026-03-01T10:00:00Z", o1),
    ];
    const out = evaluate(silverGold({ points: onePointPerDollar }), early, "2026-04-01T00:00:00Z");
    expect(out).toMatchObject({ level: "silver", spend: 40000, points: 400 });
  });

  it("a refund for an order that never appears is ignored", () => {
    const out = evaluate(
      silverGold(),
      [paid("2026-03-01T10:00:00Z", o1), refund("2026-03-05T00:00:00Z", "nope", { amount: "500.00" })],
      "2026-04-01T00:00:00Z",
    );
    expect(out).toMatchObject({ level: "gold", spend: 60000 });
  });

  it("the same refund delivered twice is applied once", () => {
    const r = refund("2026-03-05T00:00:00Z", "o1", { id: "r1", amount: "50.00" });
    const out = evaluate(silverGold(), [paid("2026-03-01T10:00:00Z", o1), r, r], "2026-04-01T00:00:00Z");
    expect(out.spend).toBe(55000);
  });
});
