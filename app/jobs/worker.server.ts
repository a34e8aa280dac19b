import { hostname } from "node:os";
import type { Job } from "@prisma/client";
import type { Db } from "~/db/client.server";
import type { AdminGraphqlClient } from "~/shopify/admin-graphql.server";
import type { BatchTimings } from "~/services/full-recalculation.server";
import type { SyncMembersOptions } from "~/shopify/member-sync.server";
import { moveSpooledDeliveries } from "~/services/webhook-inbox-store.server";
import { claimNextJob, completeJob, extendLease, failJob, reportProgress } from "~/queue/queue.server";

/**
 * The worker: claims one job at a time, runs its handler, and records the outcome. Handlers receive a context
 * with the clock, the Admin API client factory and a heartbeat; they must be idempotent, because a job whose worker
 * died is run again from the start once its lease runs out.
 */

/** Points where tests stop a job half-way, as if its process had died there, and where benches watch. */
export interface WorkerHooks {
  /** After each inbox row's facts are committed. */
  afterInboxRow?: (info: { shop: string; rowId: string; index: number; job: Job }) => void | Promise<void>;
  /** After each member's recomputation is committed. */
  afterMember?: (info: { shop: string; customerGid: string; index: number; job: Job }) => void | Promise<void>;
  /** After each committed batch of a full recalculation, where its time went (bench/recalc.ts; never stored). */
  recalculationBatch?: (info: BatchTimings & { job: Job }) => void;
}

export interface WorkerDeps {
  now?: () => Date;
  workerId?: string;
  leaseMs?: number;
  random?: () => number;
  /** The Admin API for a shop (production: `offlineAdmin(shop)`, which refreshes expiring offline tokens). */
  adminFor?: (shop: string) => Promise<AdminGraphqlClient>;
  /** Passed to sync's syncMembers (sleep, clock, retries). */
  syncOptions?: SyncMembersOptions;
  handlers?: Partial<Record<string, JobHandler>>;
  hooks?: WorkerHooks;
  types?: string[];
  log?: (entry: Record<string, unknown>) => void;
  /** How long the drainer drains before it hands over (default DRAIN_RUN_MS; tests set 0 to see the hand-over). */
  drainRunMs?: number;
}

export interface JobContext {
  db: Db;
  job: Job;
  now: () => Date;
  deps: WorkerDeps;
  /** Extends the lease; throws LeaseLostError when another worker has taken the job over. */
  heartbeat(): Promise<void>;
  progress(done: number, total: number | null): Promise<void>;
  /**
   * This attempt moved the job forward durably (e.g. the drainer applied or set aside a delivery). A failure after
   * it starts a fresh count of attempts: a long-lived job that keeps making progress is never dead-lettered for
   * failures that each had their own cause.
   */
  advanced(): void;
  payload<T = Record<string, unknown>>(): T;
}

export type JobHandler = (ctx: JobContext) => Promise<void>;

export class LeaseLostError extends Error {
  constructor(jobId: string) {
    super(`lost the lease on job ${jobId}`);
    this.name = "LeaseLostError";
  }
}

export class UnknownJobTypeError extends Error {
  constructor(type: string) {
    super(`no handler for job type "${type}"`);
    this.name = "UnknownJobTypeError";
  }
}

export const DEFAULT_LEASE_MS = 5 * 60_000;

export type RunOnceResult = { ran: false } | { ran: true; job: Job; status: "done" | "queued" | "dead"; error?: string };

/** Claims and runs one due job. */
export async function runWorkerOnce(db: Db, deps: WorkerDeps, handlers: Record<string, JobHandler>): Promise<RunOnceResult> {
  const now = deps.now ?? (() => new Date());
  const workerId = deps.workerId ?? `${hostname()}:${process.pid}`;
  const leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
  // Deliveries the web process spooled (webhook-inbox-store.server.ts) join the inbox, their drainers queued, before
  // a job is claimed; only a worker that drains moves them (the Shopify lane's client has no spool).
  await moveSpooledDeliveries(db);
  const job = await claimNextJob(db, { workerId, now: now(), leaseMs, types: deps.types });
  if (!job) return { ran: false };
  const handler = deps.handlers?.[job.type] ?? handlers[job.type];
  let advanced = false;
  const ctx: JobContext = {
    db,
    job,
    now,
    deps,
    async heartbeat() {
      if (!(await extendLease(db, job, new Date(now().getTime() + leaseMs)))) throw new LeaseLostError(job.id);
    },
    progress: (done, total) => reportProgress(db, job, done, total),
    advanced() {
      advanced = true;
    },
    payload: <T>() => JSON.parse(job.payload || "{}") as T,
  };
  const started = Date.now();
  try {
    if (!handler) throw new UnknownJobTypeError(job.type);
    await handler(ctx);
    await completeJob(db, job, now());
    deps.log?.({ event: "job.done", id: job.id, type: job.type, shop: job.shop, attempt: job.attempts, ms: Date.now() - started });
    return { ran: true, job, status: "done" };
  } catch (error) {
    const status = (await failJob(db, job, error, now(), deps.random, { advanced })) as "queued" | "dead";
    deps.log?.({ event: "job.failed", id: job.id, type: job.type, shop: job.shop, attempt: job.attempts, status, error: String(error) });
    return { ran: true, job, status, error: String(error) };
  }
}

/** Runs due jobs until none is left (jobs that enqueue follow-ups, e.g. a sync after a drain, run too). */
export async function drainJobs(
  db: Db,
  deps: WorkerDeps,
  handlers: Record<string, JobHandler>,
  opts: { maxJobs?: number } = {},
): Promise<RunOnceResult[]> {
  const results: RunOnceResult[] = [];
  const max = opts.maxJobs ?? 10_000;
  while (results.length < max) {
    const result = await runWorkerOnce(db, deps, handlers);
    if (!result.ran) break;
    results.push(result);
  }
  return results;
}

/** The long-running loop: polls while idle, stops when the signal aborts (after the job in hand finishes). */
export async function workerLoop(
  db: Db,
  deps: WorkerDeps,
  handlers: Record<string, JobHandler>,
  opts: { signal: AbortSignal; idleMs?: number; onIdle?: () => Promise<void> },
): Promise<void> {
  const idleMs = opts.idleMs ?? 1000;
  while (!opts.signal.aborted) {
    let result: RunOnceResult;
    try {
      result = await runWorkerOnce(db, deps, handlers);
    } catch (error) {
      // The queue itself could not be read or written (a database gone for a moment, a lock not had in time): the
      // job in hand, if any, is released by its lease; try again after the idle pause instead of ending the worker.
      deps.log?.({ event: "worker.queue-error", error: String(error) });
      result = { ran: false };
    }
    if (result.ran) continue;
    await opts.onIdle?.().catch((error: unknown) => deps.log?.({ event: "worker.idle-error", error: String(error) }));
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, idleMs);
      opts.signal.addEventListener(
        "abort",
        () => {
          clearTimeout(timer);
          resolve();
        },
        { once: true },
      );
    });
  }
}
