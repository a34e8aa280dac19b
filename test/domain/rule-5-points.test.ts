import { describe, expect, it } from "vitest";
import {
  adjust,
  assign,
  at,
  buildLevel,
  buildProgramJson,
  cancel,
  evaluate,
  line,
  onePointPerDollar,
  paid,
  publish,
  refund,
  spend,
} from "../../tools/sample-data/program-builders";

type Json = Record<string, unknown>;
const program = (points: Json = onePointPerDollar, over: Json = {}) =>
  buildProgramJson({
    points,
    levels: [
      buildLevel({ id: "silver", rank: 1, upgrade: [[spend("100.00")]], upgradePoints: 10 }),
      buildLevel({ id: "gold", rank: 2, upgrade: [[spend("500.00")]], upgradePoints: 50 }),
      buildLevel({ id: "platinum", rank: 3, upgrade: [[spend("2000.00")]], upgradePoints: 200 }),
    ],
    ...over,
  });

const ledger = (out: ReturnType<typeof evaluate>) => out.ledger.map((e) => `${e.key}=${e.points}`);

describe("rule 5: earning", () => {
  it("earns on each paid order, with an idempotency key per order", () => {
    const out = evaluate(
      program(),
      [paid("2026-01-01T00:00:00Z", { id: "o1", amount: "40.50" }), paid("2026-01-02T00:00:00Z", { id: "o2", amount: "30.00" })],
      "2026-02-01T00:00:00Z",
    );
    expect(ledger(out)).toEqual(["earn:o1=40", "earn:o2=30"]);
    expect(out.points).toBe(70);
  });

  it.each<[string, Json, string, number]>([
    ["prorate: 12.50 at 1 point per 1.00 → 12.5 → down 12", { per: "amount", every: "1.00", points: 1, prorate: true }, "12.50", 12],
    ["prorate: 25.00 at 3 points per 10.00 → 7.5 → down 7", { per: "amount", every: "10.00", points: 3, prorate: true }, "25.00", 7],
    ["no prorate: 25.00 at 3 points per 10.00 → 2 whole steps → 6", { per: "amount", every: "10.00", points: 3, prorate: false }, "25.00", 6],
    ["no prorate: 9.99 at 1 point per 10.00 → 0", { per: "amount", every: "10.00", points: 1, prorate: false }, "9.99", 0],
  ])("%s", (_name, rule, amount, pts) => {
    const out = evaluate(
      program({ earn: [rule], rounding: "down" }, { levels: [] }),
      [paid("2026-01-01T00:00:00Z", { amount })],
      "2026-02-01T00:00:00Z",
    );
    expect(out.points).toBe(pts);
  });

  it("earns per item: 5 points per unit, gift cards excluded", () => {
    const order = { lines: [line("l1", "10.00", 3), line("l2", "50.00", 2, { giftCard: true })] };
    const out = evaluate(
      program({ earn: [{ per: "item", every: 1, points: 5 }] }, { levels: [] }),
      [paid("2026-01-01T00:00:00Z", order)],
      "2026-02-01T00:00:00Z",
    );
    expect(out.points).toBe(15);
  });

  it("tier-specific rules use the member's level just before the order", () => {
    const points = {
      earn: [
        { per: "amount", every: "1.00", points: 1 },
        { per: "amount", every: "1.00", points: 1, levels: ["gold"] },
      ],
    };
    const events = [paid("2026-01-01T00:00:00Z", { id: "o1", amount: "600.00" }), paid("2026-01-02T00:00:00Z", { id: "o2", amount: "100.00" })];
    const out = evaluate(program(points), events, "2026-02-01T00:00:00Z", false);
    // o1 made the member Gold, but they were not Gold before it: single points. o2: double.
    expect(ledger(out)).toEqual(["earn:o1=600", "earn:o2=200"]);
  });

  it("earns nothing on orders before activeFrom", () => {
    const out = evaluate(
      program(onePointPerDollar, { activeFrom: "2026-01-01T00:00:00Z", levels: [] }),
      [paid("2025-12-31T00:00:00Z", { amount: "50.00" })],
      "2026-02-01T00:00:00Z",
    );
    expect(out.points).toBe(0);
  });
});

describe("rule 5: reversals", () => {
  const o1 = { id: "o1", lines: [line("l1", "100.00", 6)] };

  it("a refund reverses pro rata to the refunded share of counted spend, pointing at the original entry", () => {
    const out = evaluate(
      program(),
      [
        paid("2026-03-01T00:00:00Z", o1),
        refund("2026-03-05T00:00:00Z", "o1", { id: "r1", amount: "200.00", lines: [{ lineId: "l1", quantity: 2 }] }),
      ],
      "2026-04-01T00:00:00Z",
      false,
    );
    expect(out.ledger.at(-1)).toMatchObject({ key: "reverse:r1", kind: "refund", points: -200, reverses: "earn:o1", orderId: "o1" });
    expect(out.points).toBe(400);
  });

  it.each<[string, string, number]>([
    ["down", "down", -33],
    ["up", "up", -34],
    ["nearest", "nearest", -33],
  ])("reversals are rounded the same way (%s)", (_name, rounding, reversed) => {
    const events = [
      paid("2026-01-01T00:00:00Z", { id: "o1", amount: "100.00" }),
      refund("2026-01-02T00:00:00Z", "o1", { id: "r1", amount: "33.33" }),
    ];
    const out = evaluate(program({ ...onePointPerDollar, rounding }, { levels: [] }), events, "2026-02-01T00:00:00Z");
    expect(out.ledger.at(-1)!.points).toBe(reversed);
  });

  it("several partial refunds adding up to the whole order reverse exactly everything", () => {
    const events = [
      paid("2026-01-01T00:00:00Z", { id: "o1", amount: "100.00" }),
      ...[1, 2, 3].map((i) => refund(`2026-01-0${i + 1}T00:00:00Z`, "o1", { id: `r${i}`, amount: i === 3 ? "33.34" : "33.33" })),
    ];
    const out = evaluate(program(onePointPerDollar, { levels: [] }), events, "2026-02-01T00:00:00Z");
    expect(ledger(out)).toEqual(["earn:o1=100", "reverse:r1=-33", "reverse:r2=-33", "reverse:r3=-34"]);
    expect(out.points).toBe(0);
  });

  it("a cancellation reverses all of the order's points (what a partial refund left)", () => {
    const events = [
      paid("2026-01-01T00:00:00Z", { id: "o1", amount: "100.00" }),
      refund("2026-01-02T00:00:00Z", "o1", { id: "r1", amount: "40.00" }),
      cancel("2026-01-03T00:00:00Z", "o1"),
    ];
    const out = evaluate(program(onePointPerDollar, { levels: [] }), events, "2026-02-01T00:00:00Z");
    expect(ledger(out)).toEqual(["earn:o1=100", "reverse:r1=-40", "cancel:o1=-60"]);
  });
});

describe("rule 5: upgrade points", () => {
  it("are granted once per level, including levels skipped in one jump", () => {
    const out = evaluate(program({ earn: [] }), [paid("2026-01-01T00:00:00Z", { amount: "600.00" })], "2026-02-01T00:00:00Z");
    expect(ledger(out)).toEqual(["upgrade:silver=10", "upgrade:gold=50"]);
    expect(out.points).toBe(60);
  });

  it("are not taken back on a downgrade, and not granted again on reaching the level again", () => {
    const events = [
      paid("2026-01-01T00:00:00Z", { id: "o1", amount: "600.00" }),
      refund("2026-01-02T00:00:00Z", "o1", { amount: "600.00" }),
      paid("2026-01-03T00:00:00Z", { id: "o2", amount: "600.00" }),
    ];
    const out = evaluate(program({ earn: [] }), events, "2026-02-01T00:00:00Z");
    expect(out.level).toBe("gold");
    expect(ledger(out)).toEqual(["upgrade:silver=10", "upgrade:gold=50"]);
  });

  it("are granted when a level is assigned by hand", () => {
    const out = evaluate(program({ earn: [] }), [assign("2026-01-01T00:00:00Z", "gold")], "2026-02-01T00:00:00Z");
    expect(ledger(out)).toEqual(["upgrade:silver=10", "upgrade:gold=50"]);
  });

  it("are not granted for backfills and imports (grantRewards: false)", () => {
    const out = evaluate(program(), [paid("2026-01-01T00:00:00Z", { amount: "600.00" })], "2026-02-01T00:00:00Z", false);
    expect(out.ledger.map((e) => `${e.kind}=${e.points}`)).toEqual(["earn=600"]);
  });

  it("points already earned stay when new rules are published", () => {
    const events = [
      paid("2026-01-01T00:00:00Z", { id: "o1", amount: "100.00" }),
      publish("2026-01-05T00:00:00Z", program({ earn: [{ per: "amount", every: "1.00", points: 10 }] })),
      paid("2026-01-06T00:00:00Z", { id: "o2", amount: "1.00" }),
    ];
    const out = evaluate(program(), events, "2026-02-01T00:00:00Z", false);
    expect(ledger(out)).toEqual(["earn:o1=100", "earn:o2=10"]);
  });
});

describe("points ledger: adjustments and expiry", () => {
  const expiring = program({ ...onePointPerDollar, expiryDays: 30 }, { levels: [] });

  it("expires earned points expiryDays later; the balance excludes them", () => {
    const events = [paid("2026-01-01T00:00:00Z", { id: "o1", amount: "100.00" }), paid("2026-01-20T00:00:00Z", { id: "o2", amount: "50.00" })];
    const out = evaluate(expiring, events, "2026-02-05T00:00:00Z");
    expect(out.ledger.at(-1)).toMatchObject({
      key: "expire:earn:o1",
      kind: "expire",
      points: -100,
      at: at("2026-01-31T00:00:00Z"),
      reverses: "earn:o1",
    });
    expect(out.points).toBe(50);
    expect(evaluate(expiring, events, "2026-01-30T23:59:59Z").points).toBe(150);
  });

  it("a refund of already-expired points takes nothing back: the balance never goes negative", () => {
    const events = [
      paid("2026-01-01T00:00:00Z", { id: "o1", amount: "100.00" }),
      refund("2026-02-10T00:00:00Z", "o1", { id: "r1", amount: "100.00" }),
    ];
    const out = evaluate(expiring, events, "2026-03-01T00:00:00Z");
    expect(out.ledger.at(-1)).toMatchObject({ key: "reverse:r1", points: 0, note: "100 of the reversed points had already expired" });
    expect(out.points).toBe(0);
  });

  it("adjustments add or deduct; deductions use the soonest-expiring points first", () => {
    const events = [
      paid("2026-01-01T00:00:00Z", { id: "o1", amount: "100.00" }),
      paid("2026-01-20T00:00:00Z", { id: "o2", amount: "100.00" }),
      adjust("2026-01-21T00:00:00Z", -80, "k1", "redeemed"),
      adjust("2026-01-22T00:00:00Z", 5, "k2", "goodwill"),
    ];
    const out = evaluate(expiring, events, "2026-02-01T00:00:00Z");
    // o1's lot had 20 left when it expired on 01-31.
    expect(ledger(out)).toEqual(["earn:o1=100", "earn:o2=100", "adjust:k1=-80", "adjust:k2=5", "expire:earn:o1=-20"]);
    expect(out.points).toBe(105);
  });

  it("the same adjustment key is applied once", () => {
    const out = evaluate(expiring, [adjust("2026-01-01T00:00:00Z", 10, "k"), adjust("2026-01-02T00:00:00Z", 10, "k")], "2026-01-03T00:00:00Z");
    expect(out.points).toBe(10);
  });
});
