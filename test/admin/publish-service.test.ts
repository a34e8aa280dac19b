import { beforeEach, describe, expect, it } from "vitest";
import type { Db } from "~/db/client.server";
import { JOB_HANDLERS } from "~/jobs/handlers.server";
import { drainJobs } from "~/jobs/worker.server";
import { levelEditAction } from "~/services/admin/levels.server";
import { recomputeMemberNow } from "~/services/admin/member-recompute.server";
import { memberDetailView, membersView, parseMembersFilter } from "~/services/admin/members.server";
import { loadVersions, programOf } from "~/services/admin/program-drafts.server";
import { previewMoves, publishAction, publishView, recalculationProgress } from "~/services/admin/publish.server";
import { RECALCULATE_JOB, SCHEDULED_PUBLISH_JOB } from "~/queue/job-kinds";
import { adminTestDb, rejected } from "../support/admin-test-db";
import { formData, levelInput, programJson, seedOrder, seedPublished, spendInput } from "../support/admin-builders";

const SHOP = "publish.myshopify.com";
const NOW = Date.parse("2026-03-01T12:00:00Z");
const C = (n: number) => `gid://shopify/Customer/${n}`;
const shopDb = adminTestDb(SHOP);
let db: Db;

beforeEach(async () => {
  db = shopDb.db;
  await seedPublished(db, SHOP);
  // Silver from 100.00, Gold from 500.00.
  await seedOrder(db, SHOP, C(1), { total: "150.00" });
  await seedOrder(db, SHOP, C(2), { total: "350.00" });
  await seedOrder(db, SHOP, C(3), { total: "600.00" });
  await seedOrder(db, SHOP, C(4), { total: "50.00" });
  for (const n of [1, 2, 3, 4]) await recomputeMemberNow(db, SHOP, C(n), NOW);
});

const lowerGold = () =>
  levelEditAction(db, SHOP, "gold", formData({ intent: "save", payload: levelInput({ name: "Gold", upgrade: [[spendInput("300")]] }) }));
const act = (fields: Record<string, unknown>, now = NOW) => publishAction(db, SHOP, formData(fields), now);
const worker = (now = NOW) =>
  drainJobs(db, { now: () => new Date(now), adminFor: async () => ({ graphql: async () => new Response("{}") }) }, JOB_HANDLERS, { maxJobs: 20 });
const levelOf = async (n: number) => (await db.member.findUniqueOrThrow({ where: { shop_customerGid: { shop: SHOP, customerGid: C(n) } } })).levelId;

describe("what-if preview", () => {
  it("counts per current level who moves up, down or stays, from the stored history", async () => {
    await lowerGold();
    const view = await publishView(db, SHOP, { preview: true, now: NOW });
    expect(view.preview!.rows).toEqual([
      { levelId: "none", levelName: "No level", up: 0, down: 0, stay: 1 },
      { levelId: "silver", levelName: "Silver", up: 1, down: 0, stay: 1 },
      { levelId: "gold", levelName: "Gold", up: 0, down: 0, stay: 1 },
    ]);
    expect(view.preview!.counts).toEqual([
      { levelId: "none", levelName: "No level", before: 1, after: 1 },
      { levelId: "silver", levelName: "Silver", before: 2, after: 1 },
      { levelId: "gold", levelName: "Gold", before: 1, after: 2 },
    ]);
    expect(view.preview!.members).toBe(4);
  });

  it("drills into exactly the members of a cell", async () => {
    await levelEditAction(db, SHOP, "silver", formData({ intent: "save", payload: levelInput({ name: "Silver", upgrade: [[spendInput("200")]] }) }));
    await lowerGold();
    expect(await previewMoves(db, SHOP, "silver", "up", NOW)).toEqual([C(2)]);
    expect(await previewMoves(db, SHOP, "silver", "down", NOW)).toEqual([C(1)]);
    expect(await previewMoves(db, SHOP, "gold", "stay", NOW)).toEqual([C(3)]);
    const list = await membersView(db, SHOP, parseMembersFilter(new URLSearchParams("moveFrom=silver&move=down")), NOW);
    expect(list.members.map((m) => m.customerGid)).toEqual([C(1)]);
    expect(list.filter.move).toEqual({ from: "silver", kind: "down" });
  });

  it("adds up across the chunks a large shop is read in", async () => {
    const orders = Array.from({ length: 2_100 }, (_, i) => ({
      shop: SHOP,
      orderGid: `gid://shopify/Order/bulk-${i}`,
      customerGid: C(1000 + i),
      paidAt: new Date("2026-02-01T00:00:00Z"),
      currency: "USD",
      // Alternately 350.00 (Silver now, Gold under the draft) and 120.00 (Silver either way).
      total: i % 2 ? 12_000 : 35_000,
      subtotal: i % 2 ? 12_000 : 35_000,
      shipping: 0,
      tax: 0,
      linesJson: "[]",
      sourceUpdatedAt: new Date("2026-02-01T00:00:00Z"),
    }));
    await db.orderFact.createMany({ data: orders });
    await lowerGold();
    const view = await publishView(db, SHOP, { preview: true, now: NOW });
    expect(view.preview!.rows.find((r) => r.levelId === "silver")).toEqual({
      levelId: "silver",
      levelName: "Silver",
      up: 1 + 1_050,
      down: 0,
      stay: 1 + 1_050,
    });
    expect(view.preview!.members).toBe(4 + 2_100);
  });

  it("shows no preview without unpublished changes", async () => {
    const view = await publishView(db, SHOP, { preview: true, now: NOW });
    expect(view.draft).toBeNull();
    expect(view.preview).toBeNull();
    expect((await rejected(() => act({ intent: "publish" }))).status).toBe(409);
  });
});

describe("publish now", () => {
  it("publishes the draft, projects the levels and recalculates everyone with progress", async () => {
    await lowerGold();
    const { versionId, jobId } = await act({ intent: "publish" });
    const versions = await db.programVersion.findMany({ orderBy: { createdAt: "asc" } });
    expect(versions.map((v) => v.status)).toEqual(["superseded", "published"]);
    expect(versions[1].id).toBe(versionId);
    expect(
      (await db.level.findMany({ where: { shop: SHOP }, orderBy: { rank: "asc" } })).map((l) => [l.levelId, l.name, l.programVersionId]),
    ).toEqual([
      ["silver", "Silver", versionId],
      ["gold", "Gold", versionId],
    ]);
    expect(await recalculationProgress(db, SHOP, jobId)).toMatchObject({ status: "queued", done: 0, total: 4, versionId });
    expect(await levelOf(2)).toBe("silver"); // not yet: the job does it

    await worker(NOW + 1000);
    expect(await levelOf(2)).toBe("gold");
    expect(await recalculationProgress(db, SHOP, jobId)).toMatchObject({ status: "done", done: 4, total: 4 });
    const member = await db.member.findUniqueOrThrow({ where: { shop_customerGid: { shop: SHOP, customerGid: C(2) } } });
    const detail = await memberDetailView(db, SHOP, member.id, NOW);
    expect(detail.audit[0].text).toMatch(/^new program rules: moved from Silver to Gold/);
  });

  it("a draft the engine rejects cannot be published, and nothing changes", async () => {
    await db.programVersion.create({
      data: {
        shop: SHOP,
        status: "draft",
        programJson: JSON.stringify(
          programJson({ levels: [{ id: "a", name: "A", rank: 1, upgrade: [[{ kind: "accumulatedSpend", amount: "oops" }]] }] }),
        ),
      },
    });
    const view = await publishView(db, SHOP, { preview: true, now: NOW });
    expect(view.draft!.error).toMatch(/A, upgrade group 1, condition 1: must be a decimal string/);
    expect(view.preview).toBeNull();
    const e = await rejected(() => act({ intent: "publish" }));
    expect(e.status).toBe(422);
    expect((await db.programVersion.findMany()).map((v) => v.status).sort()).toEqual(["draft", "published"]);
    expect(await db.job.count({ where: { type: RECALCULATE_JOB } })).toBe(0);
  });

  it("editing goes on during a recalculation: the next publish queues its own run", async () => {
    await lowerGold();
    const first = await act({ intent: "publish" });
    await levelEditAction(db, SHOP, "silver", formData({ intent: "save", payload: levelInput({ name: "Silver", upgrade: [[spendInput("120")]] }) }));
    const second = await act({ intent: "publish" }, NOW + 1);
    expect(second.jobId).not.toBe(first.jobId);
    expect(await db.job.count({ where: { type: RECALCULATE_JOB, status: "queued" } })).toBe(2);
    await worker(NOW + 1000);
    expect(await db.job.count({ where: { type: RECALCULATE_JOB, status: "done" } })).toBe(2);
  });
});

describe("scheduled publish", () => {
  it.each([
    ["in the past", "2026-02-01T00:00:00Z"],
    ["in 10 seconds", new Date(NOW + 10_000).toISOString()],
    ["not a date", "soon"],
  ])("refuses a time %s", async (_n, publishAt) => {
    await lowerGold();
    const e = await rejected(() => act({ intent: "schedule", publishAt }));
    expect(Object.keys(e.errors)).toEqual(["publishAt"]);
    expect((await loadVersions(db, SHOP)).scheduled).toEqual([]);
  });

  it("publishes at the chosen time via a job, and new edits queue behind it", async () => {
    await lowerGold();
    const at = "2026-03-10T09:00:00Z";
    const { versionId } = await act({ intent: "schedule", publishAt: at });
    const job = await db.job.findFirstOrThrow({ where: { type: SCHEDULED_PUBLISH_JOB } });
    expect(job.runAt.toISOString()).toBe("2026-03-10T09:00:00.000Z");
    // A new edit starts from the scheduled version, not from what is live.
    await levelEditAction(db, SHOP, "silver", formData({ intent: "save", payload: levelInput({ name: "Silver", upgrade: [[spendInput("120")]] }) }));
    const draft = programOf((await loadVersions(db, SHOP)).draft)!;
    expect(draft.levels!.find((l) => l.id === "gold")!.upgrade).toEqual([[{ kind: "accumulatedSpend", amount: "300.00" }]]);
    // Scheduling that draft before the existing one would be undone by it.
    expect((await rejected(() => act({ intent: "schedule", publishAt: "2026-03-05T09:00:00Z" }))).errors.publishAt).toMatch(
      /after the change already scheduled/,
    );

    await worker(Date.parse("2026-03-09T00:00:00Z"));
    expect((await db.programVersion.findUniqueOrThrow({ where: { id: versionId } })).status).toBe("scheduled");
    await worker(Date.parse(at) + 1000);
    expect((await db.programVersion.findUniqueOrThrow({ where: { id: versionId } })).status).toBe("published");
    expect(await levelOf(2)).toBe("gold");
  });

  it("can be cancelled; the job then does nothing", async () => {
    await lowerGold();
    const { versionId } = await act({ intent: "schedule", publishAt: "2026-03-10T09:00:00Z" });
    await act({ intent: "cancelSchedule", versionId });
    expect((await db.programVersion.findUniqueOrThrow({ where: { id: versionId } })).status).toBe("cancelled");
    expect(await db.job.count({ where: { type: SCHEDULED_PUBLISH_JOB, status: "queued" } })).toBe(0);
    expect((await rejected(() => act({ intent: "cancelSchedule", versionId }))).status).toBe(409);
    expect((await rejected(() => act({ intent: "cancelSchedule", versionId: "nope" }))).status).toBe(404);
    await worker(Date.parse("2026-03-11T00:00:00Z"));
    expect(await levelOf(2)).toBe("silver");
  });

  it("publishing now replaces pending scheduled changes", async () => {
    await lowerGold();
    const scheduled = await act({ intent: "schedule", publishAt: "2026-03-10T09:00:00Z" });
    await levelEditAction(db, SHOP, "silver", formData({ intent: "save", payload: levelInput({ name: "Silver", upgrade: [[spendInput("120")]] }) }));
    await act({ intent: "publish" });
    expect((await db.programVersion.findUniqueOrThrow({ where: { id: scheduled.versionId } })).status).toBe("cancelled");
    expect(await db.job.count({ where: { type: SCHEDULED_PUBLISH_JOB } })).toBe(0);
  });
});
