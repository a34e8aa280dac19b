import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { INBOX_BATCH } from "~/jobs/process-webhooks.server";
import { enqueueDueReviews } from "~/jobs/recalculate.server";
import { runWorkerOnce } from "../../scripts/worker";
import { levelResyncKey, REVIEW_MEMBERS_JOB } from "~/queue/job-kinds";
import { enqueueJob } from "~/queue/queue.server";
import { recordWebhook } from "~/services/webhook-inbox.server";
import { createTestDb, publishProgram, runJobs, seedShop, type TestDb } from "../support/db";
import { buildProgramJson, onePointPerDollar } from "../../tools/sample-data/program-builders";
import { delivery, gid, orderPayload } from "../../tools/sample-data/webhook-payloads";

/** How a recomputed member is persisted: bulk runs, level resyncs, time (the pure ledger rules: test/recalculation/points-entries.test.ts). */

const NOW = new Date("2026-06-01T00:00:00Z");

describe("recomputing from stored facts", () => {
  const SHOP = "recalc.myshopify.com";
  let t: TestDb;
  beforeEach(async () => {
    t = await createTestDb();
    await seedShop(t.db, SHOP);
  });
  afterEach(async () => {
    await t.cleanup();
  });

  const drain = (now: Date) => runJobs(t.db, now);

  it("a full recalculation after the drain writes nothing (same facts, same rows)", async () => {
    await publishProgram(t.db, SHOP, buildProgramJson({ points: onePointPerDollar }));
    for (let c = 1; c <= 30; c++) {
      const payload = orderPayload({ id: 100 + c, customer: { id: c }, lines: [{ price: `${c * 20}.00` }] });
      await recordWebhook(t.db, delivery("orders/paid", SHOP, payload), "orders/paid", NOW);
    }
    await drain(NOW);
    const snapshot = async () => ({
      members: await t.db.member.findMany({ orderBy: { customerGid: "asc" } }),
      entries: await t.db.pointsEntry.count(),
      changes: await t.db.levelChange.count(),
    });
    const before = await snapshot();
    expect(before.members).toHaveLength(30);
    await t.db.job.create({ data: { type: "recalculate", shop: SHOP, runAt: NOW } });
    expect(await drain(new Date(NOW.getTime() + 1000))).toEqual(["recalculate"]);
    expect(await snapshot()).toEqual(before);
    expect(await t.db.job.findFirstOrThrow({ where: { type: "recalculate" } })).toMatchObject({ progress: 30, total: 30 });
  });

  // A drain pass that touches more than one statement may bind (SQLite: 999): its applied rows, and a chunk of members
  // whose orders together outnumber that (their refunds are read by order).
  it("a drain pass of 1,200 orders from 200 customers with 6 orders each: every order counted, every row processed", async () => {
    await publishProgram(t.db, SHOP, buildProgramJson({ points: onePointPerDollar }));
    for (let c = 1; c <= 200; c++)
      for (let o = 0; o < 6; o++) {
        const payload = orderPayload({ id: 10_000 + c * 10 + o, customer: { id: c }, lines: [{ price: "10.00" }] });
        await recordWebhook(t.db, delivery("orders/paid", SHOP, payload), "orders/paid", NOW);
      }
    await drain(NOW);
    const members = await t.db.member.findMany({ where: { shop: SHOP } });
    expect(members).toHaveLength(200);
    expect(members.every((m) => m.orderCount === 6 && m.points === 60)).toBe(true);
    expect(await t.db.webhookInbox.count({ where: { shop: SHOP, status: { not: "processed" } } })).toBe(0);
  }, 60_000);

  it("under a burst the drainer hands over after its run time: the rest of the inbox is queued behind the jobs it queued", async () => {
    await publishProgram(t.db, SHOP, buildProgramJson({ points: onePointPerDollar }));
    for (let c = 1; c <= 1500; c++) {
      const payload = orderPayload({ id: 20_000 + c, customer: { id: c }, lines: [{ price: "10.00" }] });
      await recordWebhook(t.db, delivery("orders/paid", SHOP, payload), "orders/paid", NOW);
    }
    // A run time of 0: one pass of INBOX_BATCH deliveries, then the hand-over.
    const first = await runWorkerOnce(t.db, { now: () => NOW, types: ["process-webhooks"], drainRunMs: 0 });
    expect(first).toMatchObject({ ran: true, status: "done" });
    expect(await t.db.webhookInbox.count({ where: { shop: SHOP, status: "processed" } })).toBe(INBOX_BATCH);
    const queued = await t.db.job.findMany({ where: { shop: SHOP, status: "queued" }, orderBy: [{ runAt: "asc" }, { createdAt: "asc" }] });
    // What its pass queued (the lines' collections and tags, the members' sync) is due first, the drainer after it.
    expect(queued.map((j) => j.type)).toEqual(["resolve-order-scopes", "sync-members", "process-webhooks"]);
    await drain(new Date(NOW.getTime() + 1000));
    expect(await t.db.webhookInbox.count({ where: { shop: SHOP, status: { not: "processed" } } })).toBe(0);
    expect(await t.db.member.count({ where: { shop: SHOP, orderCount: 1 } })).toBe(1500);
  }, 60_000);

  it("saving a level's benefits re-syncs exactly that level's members", async () => {
    await publishProgram(t.db, SHOP, buildProgramJson());
    for (const [c, price] of [
      [1, "600.00"],
      [2, "700.00"],
      [3, "150.00"],
    ] as const) {
      await recordWebhook(
        t.db,
        delivery("orders/paid", SHOP, orderPayload({ id: 100 + c, customer: { id: c }, lines: [{ price }] })),
        "orders/paid",
        NOW,
      );
    }
    await drain(NOW);
    // As if every view had been synced.
    for (const s of await t.db.syncState.findMany()) await t.db.syncState.update({ where: { id: s.id }, data: { syncedHash: s.pendingHash } });
    await t.db.job.deleteMany({ where: { type: "sync-members" } });

    await t.db.benefit.create({
      data: {
        shop: SHOP,
        levelId: "gold",
        kind: "discount",
        configJson: JSON.stringify({ type: "percentage", value: "10", minimumOrder: null, appliesTo: "retail" }),
      },
    });
    expect(
      await enqueueJob(t.db, { type: REVIEW_MEMBERS_JOB, shop: SHOP, key: levelResyncKey(SHOP, "gold"), payload: { levelId: "gold" } }, NOW),
    ).toBe(true);
    expect(
      await enqueueJob(t.db, { type: REVIEW_MEMBERS_JOB, shop: SHOP, key: levelResyncKey(SHOP, "gold"), payload: { levelId: "gold" } }, NOW),
    ).toBe(false);
    expect(await drain(NOW)).toEqual(["review-members"]);

    const owed = (await t.db.syncState.findMany())
      .filter((s) => s.pendingHash !== s.syncedHash)
      .map((s) => s.subject)
      .sort();
    expect(owed).toEqual([gid("Customer", 1), gid("Customer", 2)]);
    expect(await t.db.job.count({ where: { type: "sync-members", status: "queued" } })).toBe(1);
  });

  it("a level that expires with time alone is reviewed when its time comes", async () => {
    // Gold lasts 30 days; at expiry the member is re-evaluated by the upgrade conditions (spend in the last 30 days).
    await publishProgram(t.db, SHOP, buildProgramJson({ validity: { kind: "days", days: 30 }, window: { kind: "rolling", days: 30 } }));
    const paid = orderPayload({ id: 1, customer: { id: 5 }, processedAt: "2026-05-20T00:00:00Z", lines: [{ price: "600.00" }] });
    await recordWebhook(t.db, delivery("orders/paid", SHOP, paid), "orders/paid", NOW);
    await drain(NOW);
    const member = () => t.db.member.findUniqueOrThrow({ where: { shop_customerGid: { shop: SHOP, customerGid: gid("Customer", 5) } } });
    expect(await member()).toMatchObject({
      levelId: "gold",
      levelExpiresAt: new Date("2026-06-19T00:00:00Z"),
      reviewAt: new Date("2026-06-19T00:00:00Z"),
    });

    expect(await enqueueDueReviews(t.db, new Date("2026-06-18T00:00:00Z"))).toBe(0);
    const later = new Date("2026-06-19T00:00:01Z");
    expect(await enqueueDueReviews(t.db, later)).toBe(1);
    expect(await drain(later)).toEqual(["review-members"]);
    expect(await member()).toMatchObject({ levelId: null, reviewAt: null });
    expect(
      await t.db.levelChange.findMany({ where: { retractedAt: null }, orderBy: { at: "asc" }, select: { toLevelId: true, cause: true } }),
    ).toEqual([
      { toLevelId: "gold", cause: "upgrade" },
      { toLevelId: "", cause: "expiry" },
    ]);
  });
});
