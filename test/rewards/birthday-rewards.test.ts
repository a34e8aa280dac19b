import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "~/db/client.server";
import { SCHEDULES } from "~/jobs/schedules.server";
import { BIRTHDAY_REWARDS_JOB, ISSUE_REWARDS_JOB } from "~/queue/job-kinds";
import { claimNextJob } from "~/queue/queue.server";
import { JOB_HANDLERS } from "~/jobs/handlers.server";
import { drainJobs } from "~/jobs/worker.server";
import { recomputeMemberNow } from "~/services/admin/member-recompute.server";
import { issueBirthdayRewards } from "~/services/rewards/birthdays.server";
import { createTestDb, runJobs, seedShop, type TestDb } from "../support/db";
import { seedPublished } from "../support/admin-builders";
import { standInAdminClient, startStandIn, type StandIn } from "../../tools/shopify-stand-in/index";

// Birthday rewards from the scheduled worker: the schedule queues the shop's job, the real handler records the
// rewards; once a year per member whatever runs it, on SQLite and (TIERLINE_TEST_DATABASE_URL) PostgreSQL.

const SHOP = "birthdays.myshopify.com";
const C = (n: number) => `gid://shopify/Customer/${n}`;
const at = (iso: string) => new Date(iso);

let t: TestDb;
let db: Db;
let standIn: StandIn;
const TOKEN = "shpat_birthdays";

beforeAll(async () => {
  standIn = await startStandIn({
    shops: [{ domain: SHOP, accessToken: TOKEN, customers: Array.from({ length: 20 }, (_, i) => ({ id: C(i + 1), firstName: `Ada${i + 1}` })) }],
  });
});
afterAll(async () => standIn.close());

const PROGRAM = {
  enabled: true,
  currency: "USD",
  levels: [
    { id: "bronze", name: "Bronze", rank: 1, upgrade: [[{ kind: "accumulatedSpend", amount: "50.00" }]] },
    { id: "silver", name: "Silver", rank: 2, upgrade: [[{ kind: "accumulatedSpend", amount: "100.00" }]] },
    { id: "gold", name: "Gold", rank: 3, upgrade: [[{ kind: "accumulatedSpend", amount: "500.00" }]] },
  ],
};

beforeEach(async () => {
  t = await createTestDb();
  db = t.db;
  await seedShop(db, SHOP);
  await seedPublished(db, SHOP, PROGRAM);
  // Gold: 50 points on the birthday. Silver: 15 % off from the 1st of the birthday month. Bronze: no birthday benefit.
  await db.benefit.createMany({
    data: [
      { shop: SHOP, levelId: "gold", kind: "birthday", configJson: JSON.stringify({ kind: "points", points: 50, when: "day" }) },
      {
        shop: SHOP,
        levelId: "silver",
        kind: "birthday",
        configJson: JSON.stringify({ kind: "discount", type: "percentage", value: "15", when: "month" }),
      },
    ],
  });
});
afterEach(async () => t.cleanup());

/** A member on `levelId` since `since` (a manual assignment, as the admin makes it), with a birthday. */
async function member(n: number, levelId: string | null, birthday: string | null, since = "2026-03-01T00:00:00Z") {
  await db.memberAdjustment.create({
    data: { shop: SHOP, customerGid: C(n), kind: "assignLevel", at: at(since), levelId, lock: true, key: `test:assign:${n}:${since}` },
  });
  await recomputeMemberNow(db, SHOP, C(n), at(since).getTime());
  await db.member.update({
    where: { shop_customerGid: { shop: SHOP, customerGid: C(n) } },
    data: { firstName: "Ada", birthday, birthdaySource: birthday ? "admin" : null },
  });
}

/** What the worker does at `now`: the schedule queues, the birthday job runs (other job kinds are other tests'). */
async function scheduledRun(now: Date): Promise<void> {
  await SCHEDULES.find((s) => s.name === "birthday-rewards")!.run(db, now);
  await runJobs(db, now, [BIRTHDAY_REWARDS_JOB]);
}

const rewards = () => db.reward.findMany({ where: { shop: SHOP, kind: "birthday" }, orderBy: { key: "asc" } });
const pointsOf = async (n: number) => (await db.member.findUniqueOrThrow({ where: { shop_customerGid: { shop: SHOP, customerGid: C(n) } } })).points;
const flowEvents = () => db.flowEvent.findMany({ where: { shop: SHOP, trigger: "tierline-birthday-reward" }, orderBy: { key: "asc" } });

describe("birthday rewards: who gets one, and when", () => {
  it("points (day mode): on the birthday, once, in the ledger, with a Flow event", async () => {
    await member(1, "gold", "12-07");
    await scheduledRun(at("2026-12-06T23:30:00Z"));
    expect(await rewards()).toHaveLength(0);

    await scheduledRun(at("2026-12-07T00:10:00Z"));
    const [reward] = await rewards();
    expect(reward).toMatchObject({ key: `birthday:${C(1)}:2026`, form: "points", points: 50, status: "issued", levelId: "gold" });
    expect(reward.at.toISOString()).toBe("2026-12-07T00:00:00.000Z");
    expect(await pointsOf(1)).toBe(50);
    const ledger = await db.pointsEntry.findMany({ where: { shop: SHOP, key: `adjust:birthday:${C(1)}:2026` } });
    expect(ledger.map((e) => ({ points: e.points, note: e.note }))).toEqual([{ points: 50, note: "Birthday reward" }]);
    const [event] = await flowEvents();
    expect(event.key).toBe(`reward:birthday:${C(1)}:2026`);
    expect(JSON.parse(event.payloadJson)).toMatchObject({ "Reward value": "50 points", Points: 50, "Message subject": "Happy birthday, Ada!" });

    // The rest of the day, the next days, the worker restarted: nothing more.
    for (const iso of ["2026-12-07T13:00:00Z", "2026-12-08T00:10:00Z", "2026-12-12T00:10:00Z"]) await scheduledRun(at(iso));
    expect(await rewards()).toHaveLength(1);
    expect(await pointsOf(1)).toBe(50);
    expect(await flowEvents()).toHaveLength(1);

    // Next year, again once.
    await scheduledRun(at("2027-12-07T02:00:00Z"));
    expect((await rewards()).map((r) => r.key)).toEqual([`birthday:${C(1)}:2026`, `birthday:${C(1)}:2027`]);
    expect(await pointsOf(1)).toBe(100);
  });

  it("discount code (month mode): on the 1st of the birthday month, pending for the issue job, valid 30 days", async () => {
    await member(2, "silver", "12-25");
    await scheduledRun(at("2026-11-30T12:00:00Z"));
    expect(await rewards()).toHaveLength(0);
    await scheduledRun(at("2026-12-01T00:05:00Z"));
    const [reward] = await rewards();
    expect(reward).toMatchObject({
      key: `birthday:${C(2)}:2026`,
      form: "discountCode",
      valueType: "percentage",
      value: "15",
      currency: "USD",
      status: "pending",
    });
    expect(reward.endsAt?.toISOString()).toBe("2026-12-31T00:05:00.000Z");
    expect(await db.job.count({ where: { type: ISSUE_REWARDS_JOB, shop: SHOP, status: "queued" } })).toBe(1);
    expect(await flowEvents()).toHaveLength(0);
    // The issue job makes the code in Shopify (the stand-in) and records the Flow event with it.
    const adminFor = async () => standInAdminClient({ url: standIn.url, shop: SHOP, accessToken: TOKEN });
    await drainJobs(db, { now: () => at("2026-12-01T00:06:00Z"), adminFor, types: [ISSUE_REWARDS_JOB] }, JOB_HANDLERS);
    const [issued] = await rewards();
    expect(issued).toMatchObject({ status: "issued", code: expect.stringMatching(/^BDAY-/) });
    expect(await flowEvents()).toHaveLength(1);
    // On the birthday itself (month mode): nothing more.
    await scheduledRun(at("2026-12-25T08:00:00Z"));
    expect(await rewards()).toHaveLength(1);
  });

  it.each([
    ["no level", null, "12-07"],
    ["a level without a birthday benefit", "bronze", "12-07"],
    ["no birthday on file", "gold", null],
    ["a birthday on another day", "gold", "12-08"],
  ])("none for a member with %s", async (_label, level, birthday) => {
    await member(3, level, birthday);
    await scheduledRun(at("2026-12-07T00:10:00Z"));
    expect(await rewards()).toHaveLength(0);
  });

  it("none for deleted or redacted members, or while the level is frozen", async () => {
    await member(4, "gold", "12-07");
    await member(5, "gold", "12-07");
    await member(6, "gold", "12-07");
    await db.member.update({ where: { shop_customerGid: { shop: SHOP, customerGid: C(4) } }, data: { deletedAt: at("2026-11-01T00:00:00Z") } });
    await db.member.update({ where: { shop_customerGid: { shop: SHOP, customerGid: C(5) } }, data: { redactedAt: at("2026-11-01T00:00:00Z") } });
    await db.member.update({ where: { shop_customerGid: { shop: SHOP, customerGid: C(6) } }, data: { status: "frozen" } });
    await scheduledRun(at("2026-12-07T00:10:00Z"));
    expect(await rewards()).toHaveLength(0);
  });

  it("29 February is celebrated on 28 February in other years, and on the 29th in leap years", async () => {
    await member(7, "gold", "02-29");
    await scheduledRun(at("2027-02-28T01:00:00Z"));
    await scheduledRun(at("2028-02-28T01:00:00Z"));
    expect((await rewards()).map((r) => r.key)).toEqual([`birthday:${C(7)}:2027`]);
    await scheduledRun(at("2028-02-29T01:00:00Z"));
    expect((await rewards()).map((r) => r.key)).toEqual([`birthday:${C(7)}:2027`, `birthday:${C(7)}:2028`]);
  });

  it("a run that missed the day catches up within a week; a member who reached the level after the day waits a year", async () => {
    await member(8, "gold", "12-05", "2026-03-01T00:00:00Z");
    await member(9, "gold", "12-05", "2026-12-06T09:00:00Z");
    await scheduledRun(at("2026-12-07T00:10:00Z"));
    expect((await rewards()).map((r) => r.key)).toEqual([`birthday:${C(8)}:2026`]);
    await scheduledRun(at("2027-12-05T00:10:00Z"));
    expect((await rewards()).map((r) => r.key)).toEqual([`birthday:${C(8)}:2026`, `birthday:${C(8)}:2027`, `birthday:${C(9)}:2027`]);
  });

  it("nothing while the programme is off", async () => {
    await member(10, "gold", "12-07");
    await seedPublished(db, SHOP, { ...PROGRAM, enabled: false }, at("2026-06-01T00:00:00Z"));
    await db.programVersion.updateMany({ where: { shop: SHOP, publishedAt: at("2026-01-01T00:00:00Z") }, data: { status: "superseded" } });
    await scheduledRun(at("2026-12-07T00:10:00Z"));
    expect(await rewards()).toHaveLength(0);
  });
});

describe("birthday rewards: exactly once", () => {
  it("two workers at once record one reward and add the points once", async () => {
    await member(11, "gold", "12-07");
    const now = at("2026-12-07T00:10:00Z");
    await Promise.all([issueBirthdayRewards(db, SHOP, now), issueBirthdayRewards(db, SHOP, now), issueBirthdayRewards(db, SHOP, now)]);
    expect(await rewards()).toHaveLength(1);
    expect(await db.memberAdjustment.count({ where: { shop: SHOP, key: `birthday:${C(11)}:2026` } })).toBe(1);
    expect(await pointsOf(11)).toBe(50);
    expect(await flowEvents()).toHaveLength(1);
  });

  it("the schedule run by several workers queues one job per shop", async () => {
    await member(12, "gold", "12-07");
    const now = at("2026-12-07T00:10:00Z");
    const run = SCHEDULES.find((s) => s.name === "birthday-rewards")!.run;
    await Promise.all([run(db, now), run(db, now), run(db, now)]);
    expect(await db.job.count({ where: { type: BIRTHDAY_REWARDS_JOB, shop: SHOP } })).toBe(1);
  });

  it("a worker that died after doing the work: the job runs again on another worker and changes nothing", async () => {
    await member(13, "gold", "12-07");
    const now = at("2026-12-07T00:10:00Z");
    await SCHEDULES.find((s) => s.name === "birthday-rewards")!.run(db, now);
    const claimed = await claimNextJob(db, { workerId: "worker-a", now, leaseMs: 60_000, types: [BIRTHDAY_REWARDS_JOB] });
    expect(claimed?.type).toBe(BIRTHDAY_REWARDS_JOB);
    await issueBirthdayRewards(db, SHOP, now); // worker A's work, then it dies before completing the job
    await runJobs(db, at("2026-12-07T00:12:00Z"), [BIRTHDAY_REWARDS_JOB]); // the lease ran out: worker B runs it
    expect(await db.job.findUniqueOrThrow({ where: { id: claimed!.id } })).toMatchObject({ status: "done", lockedBy: expect.any(String) });
    expect(await rewards()).toHaveLength(1);
    expect(await pointsOf(13)).toBe(50);
  });

  it("a crash between the commit and the member's recomputation: the next run brings the ledger up to date, once", async () => {
    await member(14, "gold", "12-07");
    const m = await db.member.findUniqueOrThrow({ where: { shop_customerGid: { shop: SHOP, customerGid: C(14) } } });
    const key = `birthday:${C(14)}:2026`;
    // What the transaction wrote before the process died.
    await db.reward.create({
      data: {
        shop: SHOP,
        memberId: m.id,
        customerGid: C(14),
        kind: "birthday",
        key,
        levelId: "gold",
        form: "points",
        points: 50,
        status: "issued",
        at: at("2026-12-07T00:00:00Z"),
      },
    });
    await db.memberAdjustment.create({
      data: { shop: SHOP, customerGid: C(14), kind: "points", at: at("2026-12-07T00:10:00Z"), points: 50, note: "Birthday reward", key },
    });
    expect(await pointsOf(14)).toBe(0);
    await scheduledRun(at("2026-12-07T01:10:00Z"));
    await scheduledRun(at("2026-12-07T02:10:00Z"));
    expect(await pointsOf(14)).toBe(50);
    expect(await db.pointsEntry.count({ where: { shop: SHOP, key: `adjust:${key}` } })).toBe(1);
    expect(await rewards()).toHaveLength(1);
  });
});
