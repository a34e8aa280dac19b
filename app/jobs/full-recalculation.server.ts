import { randomUUID } from "node:crypto";
import type { Job } from "@prisma/client";
import type { Db, DbOrTx } from "~/db/client.server";
import {
  customerRanges,
  emptyCheckpoint,
  recalculateRange,
  type CustomerRange,
  type FullRecalculationCheckpoint,
} from "~/services/full-recalculation.server";
import { currentProgram, loadShopContext } from "~/services/shop-context.server";
import { MAX_RECALCULATION_PARTS, partJobType, SYNC_MEMBERS_JOB, syncMembersKey } from "~/queue/job-kinds";
import { claimJob, completeJob, enqueueJob, extendLease, failJob, reportProgress, requeueDeadJobs, saveJobPayload } from "~/queue/queue.server";
import { DEFAULT_LEASE_MS, LeaseLostError, type JobContext, type JobHandler, type WorkerHooks } from "./worker.server";

/**
 * A full recalculation as jobs. The `recalculate` job (the one the admin's progress bar follows) cuts the shop's
 * customers into key ranges, queues one part job per range after the first, recomputes the first range itself and
 * then helps: it runs any part no other worker has claimed yet, and waits for the ones that are running. Progress is
 * the sum over the parts. Every range keeps its checkpoint in its own job row, written in the same transaction as
 * the batch it covers, so a worker that dies costs at most one batch and its job resumes after the last commit.
 *
 * The queue runs one job per (type, shop) at a time, so each part has its own type (`recalculate-part-<n>`,
 * app/queue/job-kinds.ts).
 */

/** Members per bulk operation when the sync a full run owes is sent (about 2 KB of JSONL each: some 50 MB, half of Shopify's 100 MB cap). */
export const FULL_SYNC_BATCH = 25_000;

export interface FullRecalculationPayload {
  /** Worker processes meant to share the run (ranges); default TIERLINE_RECALC_PARTS or 1. */
  parts?: number;
  batchSize?: number;
  /** Set once the run is cut into ranges. */
  run?: {
    range: CustomerRange;
    checkpoint: FullRecalculationCheckpoint;
    partJobIds: string[];
    total: number;
  };
}

export interface RangePayload {
  coordinatorId: string;
  range: CustomerRange;
  checkpoint: FullRecalculationCheckpoint;
  batchSize?: number;
}

/** Writes a job's payload while this worker still holds it: a lost lease rolls the batch back. */
async function savePayload(tx: DbOrTx, job: Pick<Job, "id" | "lockedBy">, payload: unknown, progress: number): Promise<void> {
  if (!(await saveJobPayload(tx, job, payload, progress))) throw new LeaseLostError(job.id);
}

interface RangeRunContext {
  db: Db;
  job: Job;
  now: () => Date;
  heartbeat(): Promise<void>;
  hooks?: WorkerHooks;
  onProgress?: (done: number) => Promise<void>;
}

/** Recomputes a range from the checkpoint in `payload`, checkpointing into `job`'s payload after every batch. */
async function runRange<P extends { checkpoint: FullRecalculationCheckpoint; range: CustomerRange; batchSize?: number }>(
  run: RangeRunContext,
  payload: P,
  write: (checkpoint: FullRecalculationCheckpoint) => unknown,
): Promise<FullRecalculationCheckpoint> {
  const shop = run.job.shop!;
  const shopCtx = await loadShopContext(run.db, shop);
  if (!currentProgram(shopCtx) || shopCtx.uninstalled) return payload.checkpoint;
  return recalculateRange(run.db, shopCtx, payload.range, payload.checkpoint, {
    now: run.now(),
    batchSize: payload.batchSize,
    saveCheckpoint: (tx, checkpoint) => savePayload(tx, run.job, write(checkpoint), checkpoint.done),
    observeBatch: (timings) => run.hooks?.recalculationBatch?.({ ...timings, job: run.job }),
    afterBatch: async (checkpoint, results) => {
      const first = checkpoint.done - results.length;
      for (const [i, result] of results.entries())
        await run.hooks?.afterMember?.({ shop, customerGid: result.customerGid, index: first + i, job: run.job });
      await run.onProgress?.(checkpoint.done);
      await run.heartbeat();
    },
  });
}

/** Job `recalculate-part-<n>`: one range of a full recalculation. */
export const recalculatePartJob: JobHandler = async (ctx) => {
  const payload = ctx.payload<RangePayload>();
  await runRange({ db: ctx.db, job: ctx.job, now: ctx.now, heartbeat: ctx.heartbeat, hooks: ctx.deps.hooks }, payload, (checkpoint) => ({
    ...payload,
    checkpoint,
  }));
};

function partsWanted(payload: FullRecalculationPayload): number {
  const wanted = payload.parts ?? Number(process.env.TIERLINE_RECALC_PARTS ?? 1);
  return Math.max(1, Math.min(MAX_RECALCULATION_PARTS, Number.isFinite(wanted) ? Math.floor(wanted) : 1));
}

/** Cuts the run into ranges and queues the parts, once: the cut is saved with the queued parts in one transaction. */
async function startRun(ctx: JobContext, payload: FullRecalculationPayload): Promise<NonNullable<FullRecalculationPayload["run"]>> {
  const shop = ctx.job.shop!;
  const { ranges, total } = await customerRanges(ctx.db, shop, partsWanted(payload));
  const now = ctx.now();
  const partJobIds = ranges.slice(1).map(() => randomUUID());
  const run = { range: ranges[0], checkpoint: emptyCheckpoint(), partJobIds, total };
  await ctx.db.$transaction(async (tx) => {
    for (const [i, range] of ranges.slice(1).entries()) {
      const part: RangePayload = { coordinatorId: ctx.job.id, range, checkpoint: emptyCheckpoint(), batchSize: payload.batchSize };
      await enqueueJob(tx, { id: partJobIds[i], type: partJobType(i + 1), shop, payload: part, runAt: now }, now);
    }
    await savePayload(tx, ctx.job, { ...payload, run }, 0);
    await reportProgress(tx, ctx.job, 0, total);
  });
  return run;
}

/**
 * Runs a part this worker claims itself (nobody else has), with the same lease rules as the worker: claimed only
 * while queued or abandoned, completed or failed as the worker would.
 */
async function runPartHere(ctx: JobContext, partId: string, onProgress: (done: number) => Promise<void>): Promise<void> {
  const now = ctx.now();
  const leaseMs = ctx.deps.leaseMs ?? DEFAULT_LEASE_MS;
  const lockedBy = ctx.job.lockedBy ?? `coordinator:${ctx.job.id}`;
  const part = await claimJob(ctx.db, partId, { lockedBy, now, leaseMs });
  if (!part) return;
  const payload = JSON.parse(part.payload) as RangePayload;
  const heartbeat = async () => {
    await ctx.heartbeat();
    if (!(await extendLease(ctx.db, { id: partId, lockedBy }, new Date(ctx.now().getTime() + leaseMs)))) throw new LeaseLostError(partId);
  };
  try {
    await runRange({ db: ctx.db, job: part, now: ctx.now, heartbeat, hooks: ctx.deps.hooks, onProgress }, payload, (checkpoint) => ({
      ...payload,
      checkpoint,
    }));
    await completeJob(ctx.db, part, ctx.now());
  } catch (error) {
    await failJob(ctx.db, part, error, ctx.now(), ctx.deps.random);
    throw error;
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Job `recalculate` without a member list: the whole shop. */
export async function fullRecalculationJob(ctx: JobContext): Promise<void> {
  const shop = ctx.job.shop!;
  const shopCtx = await loadShopContext(ctx.db, shop);
  if (!currentProgram(shopCtx)) return;
  let payload = ctx.payload<FullRecalculationPayload>();
  const run = payload.run ?? (await startRun(ctx, payload));
  payload = { ...payload, run };

  const partsDone = async () => {
    if (run.partJobIds.length === 0) return 0;
    const rows = await ctx.db.job.findMany({ where: { id: { in: run.partJobIds } }, select: { progress: true } });
    return rows.reduce((sum, r) => sum + r.progress, 0);
  };
  let own = run.checkpoint.done;
  const report = async () => ctx.progress(own + (await partsDone()), run.total);

  const mine = await runRange(
    {
      db: ctx.db,
      job: ctx.job,
      now: ctx.now,
      heartbeat: ctx.heartbeat,
      hooks: ctx.deps.hooks,
      onProgress: async (done) => {
        own = done;
        await report();
      },
    },
    { ...run, batchSize: payload.batchSize },
    (checkpoint) => ({ ...payload, run: { ...run, checkpoint } }),
  );
  own = mine.done;

  // Help with the parts: run the unclaimed ones here, wait for the ones other workers hold.
  for (;;) {
    const parts = run.partJobIds.length ? await ctx.db.job.findMany({ where: { id: { in: run.partJobIds } } }) : [];
    if (parts.some((p) => p.status === "dead")) {
      // Give the dead part fresh attempts for when this job is retried; fail now so the run is seen as failed.
      await requeueDeadJobs(
        ctx.db,
        parts.filter((p) => p.status === "dead").map((p) => p.id),
        ctx.now(),
      );
      throw new Error(`a part of the full recalculation failed: ${parts.find((p) => p.status === "dead")?.lastError ?? "unknown error"}`);
    }
    const open = parts.filter((p) => p.status !== "done");
    if (open.length === 0) break;
    const now = ctx.now();
    const claimable = open.find(
      (p) => (p.status === "queued" && p.runAt <= now) || (p.status === "running" && p.leaseUntil !== null && p.leaseUntil < now),
    );
    if (claimable) await runPartHere(ctx, claimable.id, report).catch(() => undefined);
    else await sleep(200);
    await report();
    await ctx.heartbeat();
  }

  await ctx.progress(run.total, run.total);
  const owed =
    mine.syncOwed +
    (await ctx.db.job.findMany({ where: { id: { in: run.partJobIds } }, select: { payload: true } }))
      .map((p) => (JSON.parse(p.payload) as RangePayload).checkpoint.syncOwed)
      .reduce((a, b) => a + b, 0);
  if (owed > 0) await enqueueJob(ctx.db, { type: SYNC_MEMBERS_JOB, shop, key: syncMembersKey(shop), payload: { batch: FULL_SYNC_BATCH } }, ctx.now());
}
