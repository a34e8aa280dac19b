import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "~/db/client.server";
import type { FullRecalculationPayload } from "~/jobs/full-recalculation.server";
import { partJobType, RECALCULATE_JOB, RECALCULATION_PART_JOBS } from "~/queue/job-kinds";
import { JOB_HANDLERS } from "~/jobs/handlers.server";
import { drainJobs, type WorkerHooks } from "~/jobs/worker.server";
import { customerRanges, nextCustomers, type BatchTimings } from "~/services/full-recalculation.server";
import { recalculateMember } from "~/services/member-recalculation.server";
import { loadShopContext } from "~/services/shop-context.server";
import { generateSyntheticShop, republish, syntheticCustomer } from "../../bench/support/synthetic-shop";
import { createDb } from "~/db/client.server";
import { createTestDb, testPostgresUrl, type TestDb } from "../support/db";

/**
 * The full recalculation (keyset batches, batched writes, checkpoints, parts) must leave exactly the rows the
 * one-member-at-a-time recomputation leaves, however it is cut up and wherever it is interrupted.
 */

const SHOP = "full.myshopify.com";
const NOW = new Date("2027-01-01T00:00:00Z");
const MEMBERS = 120;
const ORDERS = 900;
const RECALC_TYPES = [RECALCULATE_JOB, ...RECALCULATION_PART_JOBS];

/** Every row a recomputation writes, without generated ids and write times, keyed by customer. */
async function snapshot(db: Db) {
  const members = await db.member.findMany({ where: { shop: SHOP }, orderBy: { customerGid: "asc" } });
  const gidOf = new Map(members.map((m) => [m.id, m.customerGid]));
  const entries = await db.pointsEntry.findMany({ where: { shop: SHOP } });
  const changes = await db.levelChange.findMany({ where: { shop: SHOP } });
  const states = await db.syncState.findMany({ where: { shop: SHOP }, orderBy: { subject: "asc" } });
  const byKey = <T>(rows: T[], key: (r: T) => string) => rows.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  return {
    members: members.map(({ id: _id, createdAt: _c, updatedAt: _u, ...m }) => m),
    entries: byKey(
      entries.map(({ id: _id, createdAt: _c, memberId, idempotencyKey: _k, ...e }) => ({ customer: gidOf.get(memberId), ...e })),
      (e) => `${e.customer}|${e.key}`,
    ),
    changes: byKey(
      changes.map(({ id: _id, createdAt: _c, memberId, ...c }) => ({ customer: gidOf.get(memberId), ...c })),
      (c) => `${c.customer}|${c.at.toISOString()}|${c.toLevelId}`,
    ),
    syncStates: states.map(({ id: _id, updatedAt: _u, ...s }) => s),
  };
}

async function queueFullRecalculation(db: Db, payload: FullRecalculationPayload): Promise<string> {
  const job = await db.job.create({ data: { type: "recalculate", shop: SHOP, runAt: NOW, payload: JSON.stringify(payload) } });
  return job.id;
}

const run = (db: Db, opts: { workerId?: string; types?: string[]; hooks?: WorkerHooks } = {}) =>
  drainJobs(db, { now: () => NOW, workerId: opts.workerId ?? "w1", types: opts.types ?? RECALC_TYPES, hooks: opts.hooks }, JOB_HANDLERS);

/** The reference: every customer recomputed alone, one transaction each. */
async function perMember(db: Db) {
  const ctx = await loadShopContext(db, SHOP);
  for (let i = 0; i < MEMBERS; i++) await recalculateMember(db, ctx, syntheticCustomer(i), { now: NOW });
}

describe("full recalculation", () => {
  let a: TestDb;
  let b: TestDb;
  beforeEach(async () => {
    a = await createTestDb();
    b = await createTestDb();
    for (const t of [a, b]) await generateSyntheticShop(t.db, { shop: SHOP, members: MEMBERS, orders: ORDERS, chunk: 300 });
  });
  afterEach(async () => {
    await Promise.all([a.cleanup(), b.cleanup()]);
  });

  it("pages every customer once, in key order, and cuts them into ranges that cover them exactly", async () => {
    const seen: string[] = [];
    for (let after: string | null = null; ;) {
      const page = await nextCustomers(a.db, SHOP, after, null, 7);
      if (page.length === 0) break;
      seen.push(...page);
      after = page[page.length - 1];
    }
    expect(seen).toEqual(Array.from({ length: MEMBERS }, (_, i) => syntheticCustomer(i)));

    const { ranges, total } = await customerRanges(a.db, SHOP, 3);
    expect(total).toBe(MEMBERS);
    const sizes = await Promise.all(ranges.map(async (r) => (await nextCustomers(a.db, SHOP, r.after, r.upTo, 1000)).length));
    expect(sizes).toEqual([40, 40, 40]);
    expect(ranges[0].after).toBeNull();
    expect(ranges[2].upTo).toBeNull();
  });

  it.each([
    { name: "first computation (every member new)", republishFirst: false },
    { name: "re-tier after a rule change (updates, corrections, retractions)", republishFirst: true },
  ])("batched writes leave the same rows as one member per transaction: $name", async ({ republishFirst }) => {
    if (republishFirst) {
      await perMember(a.db);
      await perMember(b.db);
      for (const t of [a, b]) await republish(t.db, SHOP, "900.00", new Date("2026-06-01T00:00:00Z"));
      await b.db.job.deleteMany({ where: { type: "sync-members" } });
    }
    await perMember(a.db);
    await queueFullRecalculation(b.db, { batchSize: 25 });
    const timings: BatchTimings[] = [];
    expect(await run(b.db, { hooks: { recalculationBatch: (t) => void timings.push(t) } })).toEqual([expect.objectContaining({ status: "done" })]);

    const [expected, actual] = await Promise.all([snapshot(a.db), snapshot(b.db)]);
    expect(actual.members).toHaveLength(MEMBERS);
    expect(actual.entries.length).toBeGreaterThan(ORDERS);
    if (republishFirst) {
      expect(actual.changes.some((c) => c.toLevelId === "gold")).toBe(true);
      // The re-tier exercised every kind of batched write, not only inserts.
      expect(actual.changes.some((c) => c.retractedAt !== null)).toBe(true);
      expect(actual.entries.some((e) => e.kind === "correction")).toBe(true);
      expect(actual.members.some((m) => m.version > 1)).toBe(true);
    }
    expect(actual).toEqual(expected);
    // Where the time went is told to an observer (the bench's): the fold, the mapping around it, reads and writes, per
    // committed batch. The job's checkpoint keeps progress only.
    const { checkpoint } = JSON.parse((await b.db.job.findFirstOrThrow({ where: { type: "recalculate" } })).payload).run;
    expect(Object.keys(checkpoint).sort()).toEqual(["after", "batches", "done", "syncOwed", "written"]);
    expect(timings.reduce((sum, t) => sum + t.members, 0)).toBe(MEMBERS);
    for (const part of ["engineMs", "mappingMs", "readMs", "writeMs"] as const)
      expect(timings.reduce((sum, t) => sum + t[part], 0)).toBeGreaterThan(0);
    const job = await b.db.job.findFirstOrThrow({ where: { type: "recalculate" } });
    expect({ progress: job.progress, total: job.total }).toEqual({ progress: MEMBERS, total: MEMBERS });
    // One bulk-sized sync for the whole run, not one per member.
    expect(await b.db.job.findMany({ where: { type: "sync-members" }, select: { payload: true } })).toEqual([
      { payload: JSON.stringify({ batch: 25_000 }) },
    ]);
  });

  it("a run that dies after a committed batch resumes from its checkpoint and ends with the same rows", async () => {
    await queueFullRecalculation(a.db, { batchSize: 25 });
    await run(a.db);

    await queueFullRecalculation(b.db, { batchSize: 25 });
    const crash: WorkerHooks = {
      afterMember: ({ index }) => {
        if (index === 60) throw new Error("worker killed");
      },
    };
    const [crashed] = await run(b.db, { hooks: crash });
    expect(crashed).toMatchObject({ status: "queued", error: expect.stringContaining("worker killed") });
    const job = await b.db.job.findFirstOrThrow({ where: { type: "recalculate" } });
    // Batches 0–2 (75 customers) committed with their checkpoint; the rest was never written.
    expect(JSON.parse(job.payload).run.checkpoint).toMatchObject({ after: syntheticCustomer(74), done: 75, batches: 3 });
    expect(await b.db.member.count()).toBe(75);

    await b.db.job.update({ where: { id: job.id }, data: { runAt: NOW } }); // the backoff has passed
    const resumed: number[] = [];
    await run(b.db, { hooks: { afterMember: ({ index }) => void resumed.push(index) } });
    expect(resumed[0]).toBe(75);
    expect(resumed).toHaveLength(MEMBERS - 75);
    expect(await snapshot(b.db)).toEqual(await snapshot(a.db));
  });

  it.each([
    { name: "a second worker runs the part", secondWorker: true },
    { name: "a lone worker runs the part itself after its own range", secondWorker: false },
  ])("a run cut into two parts ends as a run in one piece: $name", async ({ secondWorker }) => {
    await queueFullRecalculation(a.db, { batchSize: 25 });
    await run(a.db);

    const coordinator = await queueFullRecalculation(b.db, { batchSize: 25, parts: 2 });
    if (secondWorker) {
      // The coordinator cuts the run and queues the part; its own range stops at the first batch (lease "lost").
      const stop: WorkerHooks = {
        afterMember: ({ job }) => {
          if (job.type === "recalculate") throw new Error("stop after one batch");
        },
      };
      await run(b.db, { types: ["recalculate"], hooks: stop });
      const part = await b.db.job.findFirstOrThrow({ where: { type: partJobType(1) } });
      expect(JSON.parse(part.payload)).toMatchObject({ coordinatorId: coordinator, range: { after: syntheticCustomer(59), upTo: null } });
      expect(await run(b.db, { workerId: "w2", types: [partJobType(1)] })).toEqual([expect.objectContaining({ status: "done" })]);
      await b.db.job.update({ where: { id: coordinator }, data: { runAt: NOW } });
    }
    const results = await run(b.db);
    expect(results.map((r) => (r.ran ? `${r.job.type}:${r.status}` : ""))).toEqual(["recalculate:done"]);
    expect(
      await b.db.job.findMany({
        where: { type: { startsWith: "recalculate" } },
        select: { type: true, status: true, progress: true },
        orderBy: { type: "asc" },
      }),
    ).toEqual([
      { type: "recalculate", status: "done", progress: MEMBERS },
      { type: partJobType(1), status: "done", progress: 60 },
    ]);
    expect(await snapshot(b.db)).toEqual(await snapshot(a.db));
  });

  // Two processes' worth of clients writing at once: PostgreSQL only (one SQLite file takes one writer at a time, and
  // better-sqlite3 waits for its lock synchronously, so two clients in one process would block each other).
  it.runIf(testPostgresUrl)("two workers running their ranges at the same time end as a run in one piece", async () => {
    await queueFullRecalculation(a.db, { batchSize: 25 });
    await run(a.db);

    await queueFullRecalculation(b.db, { batchSize: 10, parts: 2 });
    const second = createDb(b.url);
    try {
      const seen = new Set<string>();
      const hooks: WorkerHooks = { afterMember: ({ job }) => void seen.add(job.type) };
      await Promise.all([run(b.db, { hooks }), run(second, { workerId: "w2", types: [partJobType(1)], hooks })]);
      expect(seen).toEqual(new Set(["recalculate", partJobType(1)]));
    } finally {
      await second.$disconnect();
    }
    expect(await snapshot(b.db)).toEqual(await snapshot(a.db));
  });
});
