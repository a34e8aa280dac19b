import { afterEach, describe, expect, it } from "vitest";
import { BACKFILL_JOB, backfillKey, FLOW_EVENTS_JOB, RECALCULATE_JOB } from "~/queue/job-kinds";
import { enqueueJob } from "~/queue/queue.server";
import { enqueueDueReviews } from "~/jobs/recalculate.server";
import { memberAction } from "~/services/admin/members.server";
import { recordFlowEvent } from "~/services/flow/flow-events.server";
import { LEVEL_EVENT_MAX_AGE_DAYS } from "~/services/flow/level-events.server";
import { publishProgram } from "../support/db";
import { buildProgramJson, onePointPerDollar } from "../../tools/sample-data/program-builders";
import { flowTriggerSummaryLines } from "../../tools/shopify-stand-in/flow-triggers";
import { customer, customerGid, flowShop, PROGRAM, SHOP, type FlowShop } from "./flow-harness";

/**
 * Level up / level down reach Shopify Flow once per level move a member makes through their orders, time or the
 * merchant, after the transaction that made it commits; never for a replay (publish, backfill) or old history.
 */

const DAY = 86_400_000;
const T0 = new Date("2026-03-01T10:00:00Z");
const later = (ms: number, from = T0) => new Date(from.getTime() + ms);

let shop: FlowShop;
afterEach(async () => shop?.close());

const events = (s: FlowShop) => s.db.flowEvent.findMany({ where: { shop: SHOP }, orderBy: [{ at: "asc" }, { key: "asc" }] });
const summary = (s: FlowShop) => s.received().map((r) => `${r.handle} ${r.payload["Previous level name"]} → ${r.payload["Level name"]}`);

describe("a live order that moves a member up", () => {
  it("records one level-up, sends it after the order's transaction commits, with the customer, the levels and the merchant's text", async () => {
    shop = await flowShop();
    await shop.order({ id: 1001, customer: customer(501), lines: [{ price: "600.00" }], processedAt: T0.toISOString() }, T0);

    // The drainer's transaction recorded the event and queued the sender; nothing reached Flow yet.
    await shop.work(later(60_000), { types: ["process-webhooks"] });
    expect(shop.received()).toEqual([]);
    const [pending] = await events(shop);
    expect(pending).toMatchObject({ trigger: "tierline-level-up", status: "pending", key: `level:${customerGid(501)}:${T0.getTime()}:gold` });
    expect(await shop.db.job.count({ where: { type: FLOW_EVENTS_JOB, status: "queued" } })).toBe(1);

    await shop.work(later(60_000));
    expect(shop.received()).toEqual([
      {
        handle: "tierline-level-up",
        receivedAt: expect.any(String),
        payload: {
          customer_id: 501,
          "Level name": "Gold",
          "Level ID": "gold",
          "Previous level name": "No level",
          "Previous level ID": "",
          Discount: "",
          "Changed at": T0.toISOString(),
          "Message subject": "Welcome to Gold, Ada!",
          "Message body": "Hi Ada, you have reached Gold. Enjoy  on your next orders.",
        },
      },
    ]);
    expect(await events(shop)).toMatchObject([{ status: "sent", attempts: 1, error: null, sentAt: later(60_000) }]);
  });

  it("uses the merchant's saved template and the level's discount", async () => {
    shop = await flowShop();
    await shop.db.shop.update({
      where: { domain: SHOP },
      data: { settingsJson: JSON.stringify({ notifications: { levelUp: { subject: "{name}, you are {level}", body: "{discount} is yours" } } }) },
    });
    await shop.db.benefit.create({
      data: { shop: SHOP, levelId: "silver", kind: "discount", position: 0, configJson: JSON.stringify({ type: "percentage", value: "10" }) },
    });
    await shop.order({ id: 1002, customer: customer(502, "Grace"), lines: [{ price: "150.00" }], processedAt: T0.toISOString() }, T0);
    await shop.work(later(1000));
    expect(shop.received().map((r) => [r.payload["Message subject"], r.payload["Message body"], r.payload.Discount])).toEqual([
      ["Grace, you are Silver", "10% off every order is yours", "10% off every order"],
    ]);
  });

  it("a rolled-back transaction records and sends nothing", async () => {
    shop = await flowShop();
    await expect(
      shop.db.$transaction(async (tx) => {
        await recordFlowEvent(tx, { shop: SHOP, trigger: "level-up", key: "level:x", customerGid: customerGid(9), at: T0, payload: {} });
        throw new Error("the member write failed");
      }),
    ).rejects.toThrow("the member write failed");
    expect(await events(shop)).toEqual([]);
    expect(await shop.db.job.count({ where: { type: FLOW_EVENTS_JOB } })).toBe(0);
    await shop.work(later(1000));
    expect(shop.received()).toEqual([]);
  });
});

describe("the merchant's own change", () => {
  it("a level assigned in the admin is announced (origin admin), once for a double submit", async () => {
    shop = await flowShop();
    await shop.order({ id: 1013, customer: customer(513), lines: [{ price: "150.00" }], processedAt: T0.toISOString() }, T0);
    await shop.work(later(1000));
    const member = await shop.db.member.findFirstOrThrow({ where: { customerGid: customerGid(513) } });
    const form = () => {
      const f = new FormData();
      for (const [k, v] of Object.entries({ intent: "assign", level: "gold", key: "form-1" })) f.set(k, v);
      return f;
    };
    await memberAction(shop.db, SHOP, member.id, form(), later(DAY).getTime());
    await memberAction(shop.db, SHOP, member.id, form(), later(DAY + 1000).getTime());
    await shop.work(later(DAY + 2000));
    expect(summary(shop)).toEqual(["tierline-level-up No level → Silver", "tierline-level-up Silver → Gold"]);
  });
});

describe("exactly once", () => {
  it("duplicate deliveries, orders/paid and orders/updated of one order, and a drain run twice send one event", async () => {
    shop = await flowShop();
    const order = { id: 1003, customer: customer(503), lines: [{ price: "150.00" }], processedAt: T0.toISOString() };
    await shop.order(order, T0, "wh-a");
    await shop.order(order, later(1000), "wh-a");
    await shop.deliver("orders/updated", (await import("../../tools/sample-data/webhook-payloads")).orderPayload(order), later(2000), "wh-b");
    await shop.work(later(5000));
    await shop.order(order, later(6000), "wh-c");
    await shop.work(later(7000));
    await shop.work(later(8000));
    expect(summary(shop)).toEqual(["tierline-level-up No level → Silver"]);
    expect(await shop.db.flowEvent.count()).toBe(1);
  });

  it("two workers draining at once send one event", async () => {
    shop = await flowShop();
    for (const id of [504, 505, 506])
      await shop.order({ id: id * 10, customer: customer(id), lines: [{ price: "150.00" }], processedAt: T0.toISOString() }, T0);
    await Promise.all([shop.work(later(1000)), shop.work(later(1000))]);
    await shop.work(later(2000));
    expect(
      shop
        .received()
        .map((r) => r.payload.customer_id)
        .sort(),
    ).toEqual([504, 505, 506]);
    expect(await shop.db.flowEvent.findMany({ select: { status: true } })).toEqual([{ status: "sent" }, { status: "sent" }, { status: "sent" }]);
  });
});

describe("never for a replay or old history", () => {
  it("a publish that moves members up (its recalculation, full or by member) announces nothing", async () => {
    shop = await flowShop();
    await shop.order({ id: 1007, customer: customer(507), lines: [{ price: "200.00" }], processedAt: T0.toISOString() }, T0);
    await shop.work(later(1000));
    expect(summary(shop)).toEqual(["tierline-level-up No level → Silver"]);

    const easierGold = buildProgramJson({
      points: onePointPerDollar,
      downgradeOnRefund: true,
      levels: [
        { id: "silver", name: "Silver", rank: 1, upgrade: [[{ kind: "accumulatedSpend", amount: "100.00" }]] },
        { id: "gold", name: "Gold", rank: 2, upgrade: [[{ kind: "accumulatedSpend", amount: "150.00" }]] },
      ],
    });
    const versionId = await publishProgram(shop.db, SHOP, easierGold, later(2000));
    await enqueueJob(
      shop.db,
      { type: RECALCULATE_JOB, shop: SHOP, key: `recalculate:${versionId}`, payload: { versionId }, runAt: later(2000) },
      later(2000),
    );
    await enqueueJob(
      shop.db,
      { type: RECALCULATE_JOB, shop: SHOP, key: "recalculate:by-member", payload: { customerGids: [customerGid(507)] } },
      later(3000),
    );
    await shop.work(later(3000));
    expect((await shop.db.member.findFirstOrThrow({ where: { customerGid: customerGid(507) } })).levelId).toBe("gold");
    expect(summary(shop)).toEqual(["tierline-level-up No level → Silver"]);
  });

  it("a backfill that gives members their levels announces nothing", async () => {
    const now = new Date();
    shop = await flowShop(PROGRAM, { rewardsFrom: new Date(now.getTime() - 30 * DAY) });
    const [buyer] = shop.standIn.seed({ customers: [{ firstName: "Ada", email: "ada@example.com" }] }, SHOP).customers;
    shop.standIn.seed(
      {
        orders: [{ customerId: buyer, processedAt: new Date(now.getTime() - DAY).toISOString(), lineItems: [{ quantity: 1, unitPrice: "600.00" }] }],
      },
      SHOP,
    );
    await enqueueJob(shop.db, { type: BACKFILL_JOB, shop: SHOP, key: backfillKey(SHOP) }, now);
    await shop.work(now);
    expect((await shop.db.member.findFirstOrThrow({ where: { customerGid: buyer } })).levelId).toBe("gold");
    expect(await events(shop)).toEqual([]);
    expect(shop.received()).toEqual([]);
  });

  it(`a change older than ${LEVEL_EVENT_MAX_AGE_DAYS} days when it arrives, or before Shop.rewardsFrom, is not announced`, async () => {
    shop = await flowShop(PROGRAM, { rewardsFrom: T0 });
    // A late webhook: an order of 30 days ago arrives today.
    await shop.order({ id: 1008, customer: customer(508), lines: [{ price: "150.00" }], processedAt: later(-30 * DAY).toISOString() }, T0);
    // History before rewardsFrom, delivered at once.
    await shop.order({ id: 1009, customer: customer(509), lines: [{ price: "150.00" }], processedAt: later(-DAY).toISOString() }, later(-DAY + 1000));
    // Within the limit: announced.
    await shop.order({ id: 1010, customer: customer(510), lines: [{ price: "150.00" }], processedAt: later(DAY).toISOString() }, later(3 * DAY));
    await shop.work(later(3 * DAY));
    expect(await shop.db.member.count({ where: { levelId: "silver" } })).toBe(3);
    expect(shop.received().map((r) => r.payload.customer_id)).toEqual([510]);
  });
});

describe("level down", () => {
  it("a refund that lowers the level records a level-down with the previous level", async () => {
    shop = await flowShop();
    await shop.order(
      {
        id: 1011,
        customer: customer(511),
        lines: [
          { id: 777, price: "500.00" },
          { id: 778, price: "100.00" },
        ],
        processedAt: T0.toISOString(),
      },
      T0,
    );
    await shop.work(later(1000));
    await shop.refund(
      { id: 91, orderId: 1011, lines: [{ lineId: 777, quantity: 1, price: "500.00" }], createdAt: later(DAY).toISOString() },
      later(DAY),
    );
    await shop.work(later(DAY + 1000));
    expect(summary(shop)).toEqual(["tierline-level-up No level → Gold", "tierline-level-down Gold → Silver"]);
    expect(shop.received()[1].payload).toMatchObject({
      "Level ID": "silver",
      "Previous level ID": "gold",
      "Message subject": "Your membership is now Silver",
    });
    // What the demo prints.
    expect(flowTriggerSummaryLines(shop.standIn.shop(SHOP))).toEqual([
      "Shopify Flow received 2 trigger payloads:",
      "  tierline-level-down     1  e.g. customer 511 · Gold → Silver · “Your membership is now Silver”",
      "  tierline-level-up       1  e.g. customer 511 · No level → Gold · “Welcome to Gold, Ada!”",
    ]);
  });

  it("a level that expires (a due review) records a level-down to no level", async () => {
    const expiring = buildProgramJson({ validity: { kind: "days", days: 30 }, window: { kind: "rolling", days: 20 } });
    shop = await flowShop(expiring);
    await shop.order({ id: 1012, customer: customer(512), lines: [{ price: "150.00" }], processedAt: T0.toISOString() }, T0);
    await shop.work(later(1000));
    const review = later(31 * DAY);
    await enqueueDueReviews(shop.db, review);
    await shop.work(review);
    expect(summary(shop)).toEqual(["tierline-level-up No level → Silver", "tierline-level-down Silver → No level"]);
    expect(shop.received()[1].payload).toMatchObject({ "Level ID": "", "Changed at": later(30 * DAY).toISOString() });
  });
});
