import { afterEach, describe, expect, it } from "vitest";
import { JOB_HANDLERS } from "~/jobs/handlers.server";
import { runWorkerOnce } from "~/jobs/worker.server";
import { BACKFILL_JOB, backfillKey, ISSUE_REWARDS_JOB, RECALCULATE_JOB } from "~/queue/job-kinds";
import { enqueueJob } from "~/queue/queue.server";
import { recomputeMemberNow } from "~/services/admin/member-recompute.server";
import { MAX_REWARD_ATTEMPTS, rewardCodeInput } from "~/services/rewards/issue-rewards.server";
import { createRewardCode } from "~/services/rewards/reward-codes.server";
import { rewardsSummary } from "~/services/rewards/rewards-summary.server";
import { loadShopContext } from "~/services/shop-context.server";
import { publishProgram } from "../support/db";
import { buildProgramJson, onePointPerDollar } from "../../tools/sample-data/program-builders";
import { orderPayload } from "../../tools/sample-data/webhook-payloads";
import { discountCodesOf } from "../../tools/shopify-stand-in/discount-codes";
import { standInAdminClient } from "../../tools/shopify-stand-in/index";
import { customer, customerGid, flowShop, SHOP, TOKEN, type FlowShop } from "../flow/flow-harness";

/**
 * Welcome rewards end to end, through the real worker handlers and the Shopify stand-in: a member who reaches a level
 * through their own orders gets one discount code, unique to them, limited to them and to one use; whatever replays,
 * repeats or races happen, never a second one; never for history before the install, a publish or a manual level.
 */

const DAY = 86_400_000;
const T0 = new Date("2026-03-01T10:00:00Z");
const later = (ms: number, from = T0) => new Date(from.getTime() + ms);
/** Instants as the metafields write them (whole seconds, no fraction). */
const iso = (d: Date) => d.toISOString().replace(".000Z", "Z");

/** Silver at 100.00, Gold at 500.00; Gold gives 200 upgrade points (the welcome reward's points part). */
const PROGRAM = buildProgramJson({
  points: onePointPerDollar,
  downgradeOnRefund: true,
  levels: [
    { id: "silver", name: "Silver", rank: 1, upgrade: [[{ kind: "accumulatedSpend", amount: "100.00" }]] },
    { id: "gold", name: "Gold", rank: 2, upgrade: [[{ kind: "accumulatedSpend", amount: "500.00" }]], upgradePoints: 200 },
  ],
});

let shop: FlowShop;
afterEach(async () => shop?.close());

async function rewardsShop(opts: { silverWhenSkipped?: boolean; rewardsFrom?: Date | null } = {}): Promise<FlowShop> {
  const s = await flowShop(PROGRAM, { rewardsFrom: opts.rewardsFrom === undefined ? new Date("2026-01-01T00:00:00Z") : opts.rewardsFrom });
  await s.db.benefit.createMany({
    data: [
      { shop: SHOP, levelId: "gold", kind: "welcome", position: 0, configJson: JSON.stringify({ type: "percentage", value: "15", validDays: 30 }) },
      {
        shop: SHOP,
        levelId: "silver",
        kind: "welcome",
        position: 0,
        configJson: JSON.stringify({ type: "fixed", value: "5.00", validDays: 14, whenSkipped: opts.silverWhenSkipped ?? false }),
      },
    ],
  });
  return s;
}

/** The customer exists in the (stand-in) shop, as it does in Shopify when its order arrives. */
function knownCustomer(s: FlowShop, id: number): void {
  s.standIn.seed({ customers: [{ id: customerGid(id), firstName: "Ada", lastName: "Lovelace", email: `member.${id}@example.com` }] }, SHOP);
}

const rewards = (s: FlowShop) => s.db.reward.findMany({ where: { shop: SHOP }, orderBy: [{ customerGid: "asc" }, { key: "asc" }] });
const codes = (s: FlowShop) => discountCodesOf(s.standIn.shop(SHOP));

describe("a member who reaches Gold through a live order", () => {
  it("gets exactly one code, unique to them, limited to them and to one use, valid for the level's 30 days, shown everywhere", async () => {
    shop = await rewardsShop();
    knownCustomer(shop, 601);
    await shop.order({ id: 6001, customer: customer(601), lines: [{ price: "600.00" }], processedAt: T0.toISOString() }, T0);
    await shop.work(later(60_000));

    const [reward] = await rewards(shop);
    expect(await rewards(shop)).toHaveLength(1);
    expect(reward).toMatchObject({
      kind: "welcome",
      key: `welcome:${customerGid(601)}:gold`,
      levelId: "gold",
      form: "discountCode",
      valueType: "percentage",
      value: "15",
      status: "issued",
      attempts: 0,
      error: null,
      issuedAt: later(60_000),
      endsAt: later(30 * DAY + 60_000),
    });
    expect(reward.code).toMatch(/^GOLD-[A-Z2-9]{10}$/);

    // In Shopify: one code discount, for this customer only, one use.
    expect(codes(shop)).toEqual([
      expect.objectContaining({
        id: reward.discountGid,
        code: reward.code,
        title: "Gold welcome reward",
        value: { percentage: 0.15 },
        customerIds: [customerGid(601)],
        usageLimit: 1,
        appliesOncePerCustomer: true,
        endsAt: later(30 * DAY + 60_000).toISOString(),
      }),
    ]);

    // The shopper's `rewards` metafield lists the code and the Gold welcome points.
    expect(shop.standIn.metafieldJson(customerGid(601), "rewards", undefined, SHOP)).toEqual({
      v: 1,
      items: [
        {
          kind: "welcome",
          levelId: "gold",
          form: "discountCode",
          code: reward.code,
          valueType: "percentage",
          value: "15",
          currency: "USD",
          points: null,
          issuedAt: iso(later(60_000)),
          endsAt: iso(later(30 * DAY + 60_000)),
        },
        {
          kind: "welcome",
          levelId: "gold",
          form: "points",
          code: null,
          valueType: null,
          value: null,
          currency: null,
          points: 200,
          issuedAt: iso(T0),
          endsAt: null,
        },
      ],
    });

    // Flow heard about it once, with the code and the merchant's text.
    const flow = shop.received().filter((r) => r.handle === "tierline-reward-issued");
    expect(flow).toHaveLength(1);
    expect(flow[0].payload).toMatchObject({
      customer_id: 601,
      "Reward kind": "welcome",
      "Level name": "Gold",
      "Reward code": reward.code,
      "Reward value": "15% off",
      "Ends at": later(30 * DAY + 60_000).toISOString(),
      "Message subject": "A reward for you, Ada",
    });

    expect(await rewardsSummary(shop.db, SHOP)).toEqual({
      byKind: { welcome: { pending: 0, issued: 1, failed: 0 } },
      codesIssued: 1,
      example: {
        customerGid: customerGid(601),
        levelId: "gold",
        code: reward.code,
        value: "15% off",
        endsAt: later(30 * DAY + 60_000).toISOString(),
      },
    });
  });

  it("skipped levels give their welcome reward only where the merchant chose it", async () => {
    shop = await rewardsShop({ silverWhenSkipped: true });
    knownCustomer(shop, 602);
    await shop.order({ id: 6002, customer: customer(602), lines: [{ price: "600.00" }], processedAt: T0.toISOString() }, T0);
    await shop.work(later(1000));
    expect((await rewards(shop)).map((r) => [r.levelId, r.status, r.valueType, r.value])).toEqual([
      ["gold", "issued", "percentage", "15"],
      ["silver", "issued", "fixed", "5.00"],
    ]);
    expect(codes(shop).map((c) => [c.title, c.value])).toEqual(
      expect.arrayContaining([
        ["Gold welcome reward", { percentage: 0.15 }],
        ["Silver welcome reward", { amount: "5.00", appliesOnEachItem: false }],
      ]),
    );
  });

  it("a refund that takes the level away and a later re-upgrade give no second reward", async () => {
    shop = await rewardsShop();
    knownCustomer(shop, 603);
    await shop.order({ id: 6003, customer: customer(603), lines: [{ id: 1, price: "600.00" }], processedAt: T0.toISOString() }, T0);
    await shop.work(later(1000));
    await shop.refund(
      { id: 93, orderId: 6003, lines: [{ lineId: 1, quantity: 1, price: "600.00" }], createdAt: later(DAY).toISOString() },
      later(DAY),
    );
    await shop.work(later(DAY + 1000));
    expect((await shop.db.member.findFirstOrThrow({ where: { customerGid: customerGid(603) } })).levelId).toBe(null);
    await shop.order({ id: 6004, customer: customer(603), lines: [{ price: "700.00" }], processedAt: later(2 * DAY).toISOString() }, later(2 * DAY));
    await shop.work(later(2 * DAY + 1000));
    expect((await shop.db.member.findFirstOrThrow({ where: { customerGid: customerGid(603) } })).levelId).toBe("gold");
    expect((await rewards(shop)).map((r) => r.key)).toEqual([`welcome:${customerGid(603)}:gold`]);
    expect(codes(shop)).toHaveLength(1);
  });
});

describe("exactly once", () => {
  it("the same order delivered 5 times, and the drain run twice, give one reward and one code", async () => {
    shop = await rewardsShop();
    knownCustomer(shop, 611);
    const order = { id: 6011, customer: customer(611), lines: [{ price: "600.00" }], processedAt: T0.toISOString() };
    for (let i = 0; i < 5; i++) await shop.order(order, later(i * 1000), `wh-storm-${i}`);
    await shop.deliver("orders/updated", orderPayload(order), later(6000), "wh-storm-upd");
    await shop.work(later(10_000));
    await shop.work(later(20_000));
    await enqueueJob(shop.db, { type: ISSUE_REWARDS_JOB, shop: SHOP, key: "issue-rewards:again" }, later(30_000));
    await shop.work(later(30_000));
    expect(await rewards(shop)).toHaveLength(1);
    expect(codes(shop)).toHaveLength(1);
    expect(shop.received().filter((r) => r.handle === "tierline-reward-issued")).toHaveLength(1);
  });

  it("two workers draining at once give each member one reward and one code", async () => {
    shop = await rewardsShop();
    const ids = [621, 622, 623, 624];
    for (const id of ids) {
      knownCustomer(shop, id);
      await shop.order({ id: id * 10, customer: customer(id), lines: [{ price: "600.00" }], processedAt: T0.toISOString() }, T0);
      await shop.order({ id: id * 10, customer: customer(id), lines: [{ price: "600.00" }], processedAt: T0.toISOString() }, T0, `dup-${id}`);
    }
    await Promise.all([shop.work(later(1000)), shop.work(later(1000))]);
    await Promise.all([shop.work(later(2000)), shop.work(later(2000))]);
    expect((await rewards(shop)).map((r) => [r.customerGid, r.status])).toEqual(ids.map((id) => [customerGid(id), "issued"]));
    expect(
      codes(shop)
        .map((c) => c.customerIds?.[0])
        .sort(),
    ).toEqual(ids.map(customerGid));
  });

  it("a publish recalculation that moves members up gives no reward, and leaves the one already given alone", async () => {
    shop = await rewardsShop();
    knownCustomer(shop, 631);
    knownCustomer(shop, 632);
    await shop.order({ id: 6031, customer: customer(631), lines: [{ price: "600.00" }], processedAt: T0.toISOString() }, T0);
    await shop.order({ id: 6032, customer: customer(632), lines: [{ price: "200.00" }], processedAt: T0.toISOString() }, T0);
    await shop.work(later(1000));
    // 631 reached Gold, 632 Silver, through their orders: one welcome reward each.
    expect((await rewards(shop)).map((r) => r.key)).toEqual([`welcome:${customerGid(631)}:gold`, `welcome:${customerGid(632)}:silver`]);

    const easierGold = buildProgramJson({
      points: onePointPerDollar,
      downgradeOnRefund: true,
      levels: [
        { id: "silver", name: "Silver", rank: 1, upgrade: [[{ kind: "accumulatedSpend", amount: "100.00" }]] },
        { id: "gold", name: "Gold", rank: 2, upgrade: [[{ kind: "accumulatedSpend", amount: "150.00" }]], upgradePoints: 200 },
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
      { type: RECALCULATE_JOB, shop: SHOP, key: "recalculate:by-member", payload: { customerGids: [customerGid(632)] } },
      later(3000),
    );
    await shop.work(later(3000));
    expect((await shop.db.member.findFirstOrThrow({ where: { customerGid: customerGid(632) } })).levelId).toBe("gold");
    expect((await rewards(shop)).map((r) => r.key)).toEqual([`welcome:${customerGid(631)}:gold`, `welcome:${customerGid(632)}:silver`]);
    expect(codes(shop)).toHaveLength(2);
  });

  it("a job killed after creating the code, before marking the reward, makes no second code when retried", async () => {
    shop = await rewardsShop();
    knownCustomer(shop, 641);
    await shop.order({ id: 6041, customer: customer(641), lines: [{ price: "600.00" }], processedAt: T0.toISOString() }, T0);
    await shop.work(later(1000), { types: ["process-webhooks"] });
    const [pending] = await rewards(shop);
    expect(pending.status).toBe("pending");

    // The doomed worker: its Admin API calls go through, and it dies right after Shopify created the code.
    let died!: () => void;
    const dead = new Promise<void>((resolve) => (died = resolve));
    const admin = standInAdminClient({ url: shop.standIn.url, shop: SHOP, accessToken: TOKEN });
    const dying = {
      async graphql(query: string, options?: { variables?: Record<string, unknown> }) {
        const response = await admin.graphql(query, options);
        if (/mutation RewardCodeCreate/.test(query)) {
          died();
          return new Promise<Response>(() => {});
        }
        return response;
      },
    };
    void runWorkerOnce(shop.db, shop.deps(later(2000), { adminFor: async () => dying, leaseMs: 60_000, types: [ISSUE_REWARDS_JOB] }), JOB_HANDLERS);
    await dead;
    expect(codes(shop)).toHaveLength(1);
    expect((await rewards(shop))[0].status).toBe("pending");

    // Its lease runs out; another worker takes the job over.
    await shop.work(later(2000 + 61_000));
    const [issued] = await rewards(shop);
    expect(issued).toMatchObject({ status: "issued", code: codes(shop)[0].code, discountGid: codes(shop)[0].id });
    expect(codes(shop)).toHaveLength(1);
  });

  it("createRewardCode run twice for the same reward returns the code it made", async () => {
    shop = await rewardsShop();
    knownCustomer(shop, 642);
    await shop.order({ id: 6042, customer: customer(642), lines: [{ price: "600.00" }], processedAt: T0.toISOString() }, T0);
    await shop.work(later(1000), { types: ["process-webhooks"] });
    const [reward] = await rewards(shop);
    const input = rewardCodeInput(reward, await loadShopContext(shop.db, SHOP), later(1000));
    const admin = standInAdminClient({ url: shop.standIn.url, shop: SHOP, accessToken: TOKEN });
    const first = await createRewardCode(admin, input);
    const second = await createRewardCode(admin, input);
    expect(second).toEqual(first);
    expect(codes(shop)).toHaveLength(1);
  });
});

describe("never", () => {
  it("for history before the install: a backfill that gives members their levels issues nothing", async () => {
    const now = new Date();
    shop = await rewardsShop({ rewardsFrom: new Date(now.getTime() - 30 * DAY) });
    const [buyer] = shop.standIn.seed({ customers: [{ firstName: "Ada", email: "ada@example.com" }] }, SHOP).customers;
    shop.standIn.seed(
      {
        orders: [
          { customerId: buyer, processedAt: new Date(now.getTime() - 60 * DAY).toISOString(), lineItems: [{ quantity: 1, unitPrice: "600.00" }] },
          { customerId: buyer, processedAt: new Date(now.getTime() - DAY).toISOString(), lineItems: [{ quantity: 1, unitPrice: "100.00" }] },
        ],
      },
      SHOP,
    );
    await enqueueJob(shop.db, { type: BACKFILL_JOB, shop: SHOP, key: backfillKey(SHOP) }, now);
    await shop.work(now);
    expect((await shop.db.member.findFirstOrThrow({ where: { customerGid: buyer } })).levelId).toBe("gold");
    expect(await rewards(shop)).toEqual([]);
    expect(codes(shop)).toEqual([]);
  });

  it("for a live order whose upgrade lies before the install (a late webhook of old history)", async () => {
    shop = await rewardsShop({ rewardsFrom: T0 });
    knownCustomer(shop, 651);
    await shop.order({ id: 6051, customer: customer(651), lines: [{ price: "600.00" }], processedAt: later(-DAY).toISOString() }, T0);
    await shop.work(later(1000));
    expect((await shop.db.member.findFirstOrThrow({ where: { customerGid: customerGid(651) } })).levelId).toBe("gold");
    expect(await rewards(shop)).toEqual([]);
  });

  it("for a manual level assignment", async () => {
    shop = await rewardsShop();
    knownCustomer(shop, 661);
    await shop.db.memberAdjustment.create({
      data: { shop: SHOP, customerGid: customerGid(661), kind: "assignLevel", at: T0, levelId: "gold", lock: true, key: "test:assign:661" },
    });
    await recomputeMemberNow(shop.db, SHOP, customerGid(661), T0.getTime());
    await shop.work(later(1000));
    expect((await shop.db.member.findFirstOrThrow({ where: { customerGid: customerGid(661) } })).levelId).toBe("gold");
    expect(await rewards(shop)).toEqual([]);
    expect(codes(shop)).toEqual([]);
  });
});

describe("a code Shopify refuses", () => {
  it("is retried with backoff, then marked failed with Shopify's reason", async () => {
    shop = await rewardsShop();
    // The customer is not in the shop (deleted in Shopify meanwhile): Shopify refuses a code limited to them.
    await shop.order({ id: 6071, customer: customer(671), lines: [{ price: "600.00" }], processedAt: T0.toISOString() }, T0);
    await shop.work(later(1000));
    let reward = (await rewards(shop))[0];
    expect(reward).toMatchObject({ status: "pending", attempts: 1 });
    expect(reward.error).toMatch(/Customer does not exist/);
    let at = later(1000);
    for (let i = 1; i < MAX_REWARD_ATTEMPTS; i++) {
      at = later(12 * 60 * 60_000, at);
      await shop.work(at);
    }
    reward = (await rewards(shop))[0];
    expect(reward).toMatchObject({ status: "failed", attempts: MAX_REWARD_ATTEMPTS, code: null });
    expect(codes(shop)).toEqual([]);
    expect(await rewardsSummary(shop.db, SHOP)).toMatchObject({
      byKind: { welcome: { pending: 0, issued: 0, failed: 1 } },
      codesIssued: 0,
      example: null,
    });
  });
});
