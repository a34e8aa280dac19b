import { afterAll, beforeAll, expect, it } from "vitest";
import { JOB_HANDLERS } from "~/jobs/handlers.server";
import { drainJobs } from "~/jobs/worker.server";
import { BIRTHDAY_REWARDS_JOB, ISSUE_REWARDS_JOB } from "~/queue/job-kinds";
import { recomputeMemberNow } from "~/services/admin/member-recompute.server";
import { createTestDb, seedShop, type TestDb } from "../support/db";
import { seedPublished } from "../support/admin-builders";
import { runBirthdayDemo } from "../../tools/local-stack/birthday-demo";
import { standInAdminClient, startStandIn, type StandIn } from "../../tools/shopify-stand-in/index";

// The demo's birthday line (tools/local-stack/birthday-demo.ts): a member's birthday set to today, the schedule run,
// the worker drained: one code made in the stand-in, and the line the summary prints.

const SHOP = "birthday-demo.myshopify.com";
const TOKEN = "shpat_demo";
const GID = "gid://shopify/Customer/1001";
let t: TestDb;
let standIn: StandIn;

beforeAll(async () => {
  t = await createTestDb();
  standIn = await startStandIn({ shops: [{ domain: SHOP, accessToken: TOKEN, customers: [{ id: GID, firstName: "Dana" }] }] });
});
afterAll(async () => {
  await standIn.close();
  await t.cleanup();
});

it("sets a member's birthday to today, runs the schedule and reports the reward the worker issued", async () => {
  const { db } = t;
  const now = new Date("2026-12-07T09:00:00Z");
  await seedShop(db, SHOP);
  await seedPublished(db, SHOP, {
    enabled: true,
    currency: "USD",
    levels: [{ id: "gold", name: "Gold", rank: 1, upgrade: [[{ kind: "accumulatedSpend", amount: "500.00" }]] }],
  });
  await db.memberAdjustment.create({
    data: {
      shop: SHOP,
      customerGid: GID,
      kind: "assignLevel",
      at: new Date("2026-06-01T00:00:00Z"),
      levelId: "gold",
      lock: true,
      key: "demo:assign",
    },
  });
  await recomputeMemberNow(db, SHOP, GID, Date.parse("2026-06-01T00:00:00Z"));
  const adminFor = async () => standInAdminClient({ url: standIn.url, shop: SHOP, accessToken: TOKEN });
  const drain = () => drainJobs(db, { now: () => now, adminFor, types: [BIRTHDAY_REWARDS_JOB, ISSUE_REWARDS_JOB] }, JOB_HANDLERS);

  const result = await runBirthdayDemo({ db, shop: SHOP, drain }, { now });
  expect(result.line).toMatch(
    /^Birthday reward: gid:\/\/shopify\/Customer\/1001 \(gold, birthday 12-07\) got code BDAY-[A-Z0-9]{10} \(20% off, valid until 2027-01-06\) from the scheduled birthday-rewards job\.$/,
  );
  // Run again (the demo reopened): the same reward, not a second one.
  expect((await runBirthdayDemo({ db, shop: SHOP, drain }, { now })).line).toBe(result.line);
  expect(await db.reward.count({ where: { shop: SHOP, kind: "birthday" } })).toBe(1);
});
