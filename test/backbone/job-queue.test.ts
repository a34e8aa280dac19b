import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { backoffDelay, claimNextJob, completeJob, enqueueJob, failJob, jobByKey } from "~/queue/queue.server";
import { drainJobs, runWorkerOnce, type JobHandler } from "~/jobs/worker.server";
import { createTestDb, type TestDb } from "../support/db";

/** The durable queue: leases, retries with backoff, dead letters, dedupe keys and one job per shop and type at a time. */

const T0 = new Date("2026-06-01T00:00:00Z");
const at = (ms: number) => new Date(T0.getTime() + ms);
const LEASE = 60_000;

let t: TestDb;
beforeEach(async () => {
  t = await createTestDb();
});
afterEach(async () => {
  await t.cleanup();
});

const claim = (workerId: string, now: Date, types?: string[]) => claimNextJob(t.db, { workerId, now, leaseMs: LEASE, types });

describe("claiming", () => {
  it("leases a due job to one worker; a second worker gets nothing until the lease runs out", async () => {
    await enqueueJob(t.db, { type: "work", shop: "a.myshopify.com" }, T0);
    const first = await claim("w1", T0);
    expect(first).toMatchObject({ type: "work", status: "running", lockedBy: "w1", attempts: 1, leaseUntil: at(LEASE) });
    expect(await claim("w2", at(LEASE - 1))).toBeNull();

    // w1 died: after the lease the job is claimed again, as a new attempt.
    const again = await claim("w2", at(LEASE + 1));
    expect(again).toMatchObject({ id: first!.id, lockedBy: "w2", attempts: 2 });
    // The dead worker's late completion does not count: the job is no longer its own.
    expect(await completeJob(t.db, first!, at(LEASE + 2))).toBe(false);
    expect(await completeJob(t.db, again!, at(LEASE + 2))).toBe(true);
    expect(await t.db.job.findUniqueOrThrow({ where: { id: first!.id } })).toMatchObject({ status: "done", finishedAt: at(LEASE + 2) });
  });

  it("does not run a job before its runAt, and takes due jobs oldest first", async () => {
    await enqueueJob(t.db, { type: "later", runAt: at(5000) }, T0);
    await enqueueJob(t.db, { type: "first", runAt: at(-2000) }, T0);
    await enqueueJob(t.db, { type: "second", runAt: at(-1000) }, T0);
    expect((await claim("w", T0))?.type).toBe("first");
    expect((await claim("w", T0))?.type).toBe("second");
    expect(await claim("w", T0)).toBeNull();
    expect((await claim("w", at(5000)))?.type).toBe("later");
  });

  it("runs one job per shop and type at a time, other shops and types in parallel", async () => {
    for (const [type, shop] of [
      ["drain", "a"],
      ["drain", "a"],
      ["drain", "b"],
      ["sync", "a"],
    ])
      await enqueueJob(t.db, { type, shop: `${shop}.myshopify.com` }, T0);
    const claimed = [];
    for (let i = 0; i < 4; i++) claimed.push(await claim(`w${i}`, T0));
    expect(claimed.map((j) => (j ? `${j.type}@${j.shop}` : null))).toEqual([
      "drain@a.myshopify.com",
      "drain@b.myshopify.com",
      "sync@a.myshopify.com",
      null,
    ]);
    await completeJob(t.db, claimed[0]!, T0);
    expect(await claim("w9", T0)).toMatchObject({ type: "drain", shop: "a.myshopify.com" });
  });

  it("claims only the types a worker asks for", async () => {
    await enqueueJob(t.db, { type: "sync" }, T0);
    await enqueueJob(t.db, { type: "drain" }, T0);
    expect((await claim("w", T0, ["drain"]))?.type).toBe("drain");
    expect(await claim("w", T0, ["drain"])).toBeNull();
  });
});

describe("dedupe keys", () => {
  it("holds a key while the job is queued and releases it when the job is claimed", async () => {
    const key = "sync-members:a.myshopify.com";
    expect(await enqueueJob(t.db, { type: "sync", key }, T0)).toBe(true);
    expect(await enqueueJob(t.db, { type: "sync", key }, T0)).toBe(false);
    expect(await t.db.job.count()).toBe(1);
    await claim("w", T0);
    // Work arriving while the job runs is queued again rather than lost.
    expect(await enqueueJob(t.db, { type: "sync", key }, T0)).toBe(true);
    expect(await t.db.job.count({ where: { status: "queued", key } })).toBe(1);
  });

  it("finds the job queued under a key for its own shop only (keys are global, a shop never sees another's job)", async () => {
    const key = "recalculate:version-b";
    await enqueueJob(t.db, { type: "recalculate", shop: "b.myshopify.com", key }, T0);
    // Shop A asking under B's key queues nothing (the key is taken) and is shown nothing of B.
    expect(await enqueueJob(t.db, { type: "recalculate", shop: "a.myshopify.com", key }, T0)).toBe(false);
    await expect(jobByKey(t.db, "a.myshopify.com", key)).rejects.toThrow();
    expect(await jobByKey(t.db, "b.myshopify.com", key)).toMatchObject({ shop: "b.myshopify.com", key, status: "queued" });
  });
});

describe("failures", () => {
  it("backs off exponentially (with bounded jitter) and dead-letters after maxAttempts", async () => {
    const boom: JobHandler = async () => {
      throw new Error("Shopify said no");
    };
    await enqueueJob(t.db, { type: "boom", maxAttempts: 4, backoffMs: 1000 }, T0);
    let now = T0;
    const seen: { status: string; runAfterMs: number | null }[] = [];
    for (let i = 0; i < 4; i++) {
      const result = await runWorkerOnce(t.db, { now: () => now, random: () => 0, leaseMs: LEASE }, { boom });
      expect(result.ran).toBe(true);
      const job = await t.db.job.findFirstOrThrow();
      seen.push({ status: job.status, runAfterMs: job.status === "queued" ? job.runAt.getTime() - now.getTime() : null });
      now = job.runAt;
    }
    expect(seen).toEqual([
      { status: "queued", runAfterMs: 1000 },
      { status: "queued", runAfterMs: 2000 },
      { status: "queued", runAfterMs: 4000 },
      { status: "dead", runAfterMs: null },
    ]);
    expect(await t.db.job.findFirstOrThrow()).toMatchObject({ attempts: 4, lastError: "Error: Shopify said no", lockedBy: null });
    expect((await runWorkerOnce(t.db, { now: () => at(10 * 3600_000) }, { boom })).ran).toBe(false);
  });

  it.each([
    { attempts: 1, random: 0, expected: 2000 },
    { attempts: 3, random: 0, expected: 8000 },
    { attempts: 3, random: 1, expected: 9600 },
    { attempts: 30, random: 0, expected: 3600_000 },
  ])("backoff after attempt $attempts (jitter $random) is $expected ms", ({ attempts, random, expected }) => {
    expect(backoffDelay(attempts, 2000, () => random)).toBe(expected);
  });

  it("dead-letters a job whose worker died on its last attempt instead of running it again", async () => {
    await enqueueJob(t.db, { type: "crashy", maxAttempts: 2 }, T0);
    await claim("w1", T0);
    await claim("w2", at(LEASE + 1));
    expect(await claim("w3", at(3 * LEASE))).toBeNull();
    expect(await t.db.job.findFirstOrThrow()).toMatchObject({ status: "dead", attempts: 2, lastError: expect.stringContaining("lease expired") });
  });

  it("records a job type nobody handles as a failure, not a crash of the worker", async () => {
    await enqueueJob(t.db, { type: "mystery", maxAttempts: 1 }, T0);
    const result = await runWorkerOnce(t.db, { now: () => T0 }, {});
    expect(result).toMatchObject({ ran: true, status: "dead", error: expect.stringContaining('no handler for job type "mystery"') });
  });

  it("failJob after the lease was taken over leaves the new owner's job alone", async () => {
    await enqueueJob(t.db, { type: "x" }, T0);
    const stale = (await claim("w1", T0))!;
    const fresh = (await claim("w2", at(LEASE + 1)))!;
    await failJob(t.db, stale, new Error("late"), at(LEASE + 2));
    expect(await t.db.job.findUniqueOrThrow({ where: { id: fresh.id } })).toMatchObject({ status: "running", lockedBy: "w2", lastError: null });
  });
});

describe("attempts of a job that makes progress", () => {
  it.each([
    ["fails without progress", false, "dead", 8],
    ["fails after advancing each time", true, "queued", 20],
  ])("a job that %s: after its runs it is %s", async (_case, advancing, finalStatus, runs) => {
    await enqueueJob(t.db, { type: "drain", shop: "a.myshopify.com", maxAttempts: 8, backoffMs: 1 }, T0);
    const handlers: Record<string, JobHandler> = {
      drain: async (ctx) => {
        if (advancing) ctx.advanced();
        throw new Error("one bad delivery");
      },
    };
    let clock = T0.getTime();
    for (let run = 0; run < runs; run++) {
      clock += 3_600_000; // past any backoff
      const result = await runWorkerOnce(t.db, { now: () => new Date(clock) }, handlers);
      expect(result.ran, `run ${run + 1}`).toBe(true);
    }
    const job = await t.db.job.findFirstOrThrow({ where: { type: "drain" } });
    expect(job.status).toBe(finalStatus);
    expect(job.attempts).toBe(advancing ? 1 : 8);
  });
});

describe("drainJobs", () => {
  it("runs follow-up jobs a handler enqueues, and reports progress", async () => {
    const order: string[] = [];
    const handlers: Record<string, JobHandler> = {
      parent: async (ctx) => {
        order.push("parent");
        await ctx.progress(1, 2);
        await enqueueJob(ctx.db, { type: "child", key: "child" }, ctx.now());
        await ctx.progress(2, 2);
      },
      child: async () => {
        order.push("child");
      },
    };
    await enqueueJob(t.db, { type: "parent" }, T0);
    const results = await drainJobs(t.db, { now: () => T0 }, handlers);
    expect(order).toEqual(["parent", "child"]);
    expect(results.map((r) => r.ran && r.status)).toEqual(["done", "done"]);
    expect(await t.db.job.findFirstOrThrow({ where: { type: "parent" } })).toMatchObject({ progress: 2, total: 2 });
  });
});
