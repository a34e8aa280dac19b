import { afterEach, describe, expect, it } from "vitest";
import { SCHEDULES } from "~/jobs/schedules.server";
import { expiringLots } from "~/services/flow/expiring-lots";
import { buildProgramJson, onePointPerDollar } from "../../tools/sample-data/program-builders";
import { customer, flowShop, SHOP, type FlowShop } from "./flow-harness";

/**
 * Points expiring soon: one Flow event per member and batch of earned points that still holds points and expires
 * within the merchant's notice (14 days unless changed), recorded by the scheduled job, sent after commit.
 */

const DAY = 86_400_000;
const T0 = new Date("2026-03-01T10:00:00Z");
const day = (n: number) => new Date(T0.getTime() + n * DAY);
const PROGRAM = buildProgramJson({ points: { ...onePointPerDollar, expiryDays: 60 } });

let shop: FlowShop;
afterEach(async () => shop?.close());

/** The worker's idle loop at `now`: the points-expiring schedule queues, the jobs run. */
async function tick(s: FlowShop, now: Date) {
  await SCHEDULES.find((x) => x.name === "points-expiring")!.run(s.db, now);
  await s.work(now);
}

const expiring = (s: FlowShop) => s.received().filter((r) => r.handle === "tierline-points-expiring");
const received = (s: FlowShop) => expiring(s).map((r) => [r.payload.customer_id, r.payload.Points, String(r.payload["Expires at"]).slice(0, 10)]);

describe("points expiring soon", () => {
  it("one event per lot that expires within 14 days, once, with what is left of it after a refund", async () => {
    shop = await flowShop(PROGRAM);
    await shop.order(
      {
        id: 3001,
        customer: customer(701),
        lines: [
          { id: 31, price: "100.00" },
          { id: 32, price: "50.00" },
        ],
        processedAt: T0.toISOString(),
      },
      T0,
    );
    await shop.order({ id: 3003, customer: customer(702, "Grace"), lines: [{ price: "30.00" }], processedAt: day(1).toISOString() }, day(1));
    await shop.refund({ id: 93, orderId: 3001, lines: [{ lineId: 32, quantity: 1, price: "50.00" }], createdAt: day(2).toISOString() }, day(2));
    await shop.work(day(2));
    await shop.order({ id: 3002, customer: customer(701), lines: [{ price: "40.00" }], processedAt: day(10).toISOString() }, day(10));
    await shop.work(day(10));

    await tick(shop, day(40)); // nothing expires before day 54
    expect(received(shop)).toEqual([]);

    await tick(shop, day(50)); // the first order's lot (100 left of 150) and Grace's 30 expire by day 64
    await tick(shop, day(50));
    await Promise.all([tick(shop, day(51)), tick(shop, day(51))]);
    expect(received(shop)).toEqual([
      [701, 100, "2026-04-30"],
      [702, 30, "2026-05-01"],
    ]);
    expect(expiring(shop)[0].payload).toMatchObject({
      "Points balance": 140,
      "Message subject": "Your points expire on 2026-04-30",
      "Message body": "Hi Ada, 100 of your points expire on 2026-04-30. Spend them before then.",
    });

    await tick(shop, day(57)); // the second order's 40 expire on day 70
    expect(received(shop).slice(2)).toEqual([[701, 40, "2026-05-10"]]);
    expect(await shop.db.flowEvent.count({ where: { shop: SHOP, trigger: "tierline-points-expiring" } })).toBe(3);
  });

  it("follows the merchant's notice: 5 days before expiry", async () => {
    shop = await flowShop(PROGRAM);
    const notifications = { pointsExpiring: { subject: "{points} points", body: "by {date}", daysBefore: 5 } };
    await shop.db.shop.update({ where: { domain: SHOP }, data: { settingsJson: JSON.stringify({ notifications }) } });
    await shop.order({ id: 3004, customer: customer(703), lines: [{ price: "20.00" }], processedAt: T0.toISOString() }, T0);
    await shop.work(T0);
    await tick(shop, day(50));
    expect(received(shop)).toEqual([]);
    await tick(shop, day(56));
    expect(expiring(shop).map((r) => [r.payload["Message subject"], r.payload["Message body"]])).toEqual([["20 points", "by 2026-04-30"]]);
  });

  it("queues nothing for a shop whose points never expire", async () => {
    shop = await flowShop(buildProgramJson({ points: onePointPerDollar }));
    await shop.order({ id: 3005, customer: customer(704), lines: [{ price: "20.00" }], processedAt: T0.toISOString() }, T0);
    await shop.work(T0);
    expect(await SCHEDULES.find((x) => x.name === "points-expiring")!.run(shop.db, day(50))).toBe(0);
  });
});

describe("expiringLots (the ledger's rules)", () => {
  const row = (key: string, kind: string, points: number, d: number, reversesKey: string | null = null) => ({
    key,
    kind,
    points,
    at: day(d),
    reversesKey,
  });
  it.each([
    { name: "a lot within the span", rows: [row("earn:a", "earn", 10, 0)], expect: [["earn:a", 10]] },
    { name: "an expired lot is gone", rows: [row("earn:a", "earn", 10, 0), row("expire:earn:a", "expire", -10, 30, "earn:a")], expect: [] },
    {
      name: "a deduction takes the soonest-expiring lot first",
      rows: [row("earn:a", "earn", 10, 0), row("earn:b", "earn", 10, 1), row("adjust:x", "adjust", -12, 2)],
      expect: [["earn:b", 8]],
    },
    {
      name: "a reversal takes its own lot first",
      rows: [row("earn:a", "earn", 10, 0), row("earn:b", "earn", 10, 1), row("reverse:r", "refund", -4, 2, "earn:b")],
      expect: [
        ["earn:a", 10],
        ["earn:b", 6],
      ],
    },
    {
      name: "a debt is paid by the next points",
      rows: [row("adjust:x", "adjust", -5, 0), row("earn:a", "earn", 10, 1)],
      expect: [["earn:a", 5]],
    },
  ])("$name", ({ rows, expect: want }) => {
    expect(expiringLots(rows, 30, day(5), day(40)).map((l) => [l.key, l.points])).toEqual(want);
  });
});
