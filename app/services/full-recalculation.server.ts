import { Prisma } from "@prisma/client";
import type { FoldResult } from "~/domain/checkpoint";
import { dbProvider, type Db, type Tx } from "~/db/client.server";
import { profilesForNewMembers, loadStoredMembers } from "./member-recalculation.server";
import type { MemberProfile } from "./privacy.server";
import { loadFactsOfBatch, loadFactsOfBatchPostgres, loadStoredMembersPostgres } from "./recalculation/batch-reads.server";
import { applyBatchWrites } from "./recalculation/batch-sql.server";
import { foldWithCheckpoints, keepAfterMoreThanOnePublication, keepsCheckpoints, retierResumes } from "./recalculation/checkpoints";
import { checkpointList, loadCheckpointsOfRange, saveCheckpointsMany } from "./recalculation/checkpoints.server";
import { batchWrites } from "./recalculation/batch-writes";
import { memberEvents, type MemberFacts } from "./recalculation/member-facts";
import { foldMember, planFromOutcome, type MemberPlan } from "./recalculation/member-plan";
import type { RecalculateResult } from "./recalculation/member-writes";
import { newRowId } from "./recalculation/row-id.server";
import { customersWaitingForProductData } from "./product-data-wait.server";
import { currentProgram, type ShopContext } from "./shop-context.server";
import { profilesFromInbox } from "./webhook-apply.server";

/**
 * Full recalculation at scale: every customer of a shop (members and buyers), paged by keyset on the customer GID,
 * a batch at a time. A batch costs a handful of reads, each by key range over an index (facts, stored state), and one
 * transaction whose writes are batched: the decisions the one-member writer makes (recalculation/member-writes.ts)
 * are gathered per table (recalculation/batch-writes.ts), and only what differs is written, one statement per table
 * and kind of write for the whole batch (recalculation/batch-sql.server.ts). Members whose rows already agree cost no
 * write at all. The same transaction records the checkpoint (the last customer done), so a run that dies resumes
 * after the last batch it committed, and re-running a batch writes nothing new (ledger and audit rows are keyed).
 *
 * This module pages and orchestrates: the batch's reads are in recalculation/batch-reads.server.ts.
 * A shop's customers can be cut into key ranges (`customerRanges`) that separate workers recompute side by side.
 */

/** Customers strictly after `after` and up to `upTo` (inclusive); null bounds are open. */
export interface CustomerRange {
  after: string | null;
  upTo: string | null;
}

export interface FullRecalculationCheckpoint {
  /** The last customer GID whose batch is committed; null before the first batch. */
  after: string | null;
  done: number;
  written: number;
  syncOwed: number;
  batches: number;
}

/** Where one committed batch's time went (for benches: FullRecalculationOptions.observeBatch). Milliseconds. */
export interface BatchTimings {
  /** Customers in the batch. */
  members: number;
  /** The engine's fold alone (app/domain's evaluateMember), wall clock. */
  engineMs: number;
  /**
   * The same fold in CPU milliseconds of the worker's main thread (process.threadCpuUsage): unlike the wall clock it
   * leaves out the time the process was descheduled, which counts when workers and database share few cores.
   */
  engineCpuMs: number;
  /** Rows to engine events and back: facts → events, outcome → row data, the diff against what is stored, sync hashes. */
  mappingMs: number;
  /** Reads: paging the customers, their facts and profiles, their stored state. */
  readMs: number;
  /** Of readMs: the facts (orders, refunds, adjustments) and profiles, read outside the transaction. */
  readFactsMs: number;
  /** Of readMs: the stored state (member rows, ledgers, audit trails, sync states), read inside the transaction. */
  readStoredMs: number;
  /** The batch's write statements (the commit and the checkpoint row not included). */
  writeMs: number;
}

export const emptyCheckpoint = (after: string | null = null): FullRecalculationCheckpoint => ({
  after,
  done: 0,
  written: 0,
  syncOwed: 0,
  batches: 0,
});

export interface FullRecalculationOptions {
  now: Date;
  batchSize?: number;
  /**
   * Runs inside each batch's transaction after its writes, with the checkpoint the batch reaches: the caller stores
   * it there (a job row), so the work and the checkpoint commit together. Throwing rolls the batch back.
   */
  saveCheckpoint?: (tx: Tx, checkpoint: FullRecalculationCheckpoint) => Promise<void>;
  /** After each batch is committed (progress, heartbeats, tests). */
  afterBatch?: (checkpoint: FullRecalculationCheckpoint, results: RecalculateResult[]) => Promise<void> | void;
  /** After each batch is committed, where its time went: for benches (bench/recalc.ts), never stored. */
  observeBatch?: (timings: BatchTimings) => void;
  /**
   * false: fold every member from their first fact, reading and writing no checkpoint (bench/checkpoints.ts compares
   * the two). Default: the shop's members keep checkpoints when it has been republished often enough (keepsCheckpoints),
   * and a member is resumed from theirs when their history is long enough for it to pay (retierResumes). "always":
   * every member of such a shop is resumed (tests of the checkpointed path, bench:checkpoints).
   */
  checkpoints?: boolean | "always";
}

export const MAX_FULL_BATCH = 900;
/** Customers per batch: the stored-state reads list the batch's GIDs, and SQLite binds at most 999 parameters. */
export const DEFAULT_FULL_BATCH = 500;

const upToClause = (column: Prisma.Sql, upTo: string | null) => (upTo === null ? Prisma.empty : Prisma.sql`AND ${column} <= ${upTo}`);

/**
 * The next `size` customers of the range after `after`, in key order: members and customers with a paid order.
 * Each side is limited before the union so both databases walk their (shop, customerGid…) index and stop early.
 */
export async function nextCustomers(db: Db | Tx, shop: string, after: string | null, upTo: string | null, size: number): Promise<string[]> {
  const from = after ?? "";
  const rows = await db.$queryRaw<{ gid: string }[]>`
    SELECT gid FROM (
      SELECT m."customerGid" AS gid FROM "Member" m
       WHERE m."shop" = ${shop} AND m."customerGid" > ${from} ${upToClause(Prisma.sql`m."customerGid"`, upTo)}
       ORDER BY m."customerGid" LIMIT ${size}) AS members
    UNION
    SELECT gid FROM (
      SELECT DISTINCT o."customerGid" AS gid FROM "OrderFact" o
       WHERE o."shop" = ${shop} AND o."customerGid" > ${from} AND o."paidAt" IS NOT NULL ${upToClause(Prisma.sql`o."customerGid"`, upTo)}
       ORDER BY o."customerGid" LIMIT ${size}) AS buyers
    ORDER BY gid
    LIMIT ${size}`;
  return rows.map((r) => r.gid);
}

const allCustomers = (shop: string) => Prisma.sql`
  SELECT m."customerGid" AS gid FROM "Member" m WHERE m."shop" = ${shop}
  UNION
  SELECT o."customerGid" AS gid FROM "OrderFact" o WHERE o."shop" = ${shop} AND o."customerGid" IS NOT NULL AND o."paidAt" IS NOT NULL`;

/** Cuts the shop's customers into `parts` contiguous key ranges of about the same size (fewer when there are few). */
export async function customerRanges(db: Db, shop: string, parts: number): Promise<{ ranges: CustomerRange[]; total: number }> {
  const [{ n }] = await db.$queryRaw<{ n: bigint | number }[]>`SELECT COUNT(*) AS n FROM (${allCustomers(shop)}) AS c`;
  const total = Number(n);
  const count = Math.max(1, Math.min(parts, total));
  const bounds: (string | null)[] = [null];
  for (let i = 1; i < count; i++) {
    const offset = Math.floor((total * i) / count) - 1;
    const [row] = await db.$queryRaw<{ gid: string }[]>`SELECT gid FROM (${allCustomers(shop)}) AS c ORDER BY gid LIMIT 1 OFFSET ${offset}`;
    bounds.push(row.gid);
  }
  bounds.push(null);
  return { ranges: bounds.slice(0, -1).map((after, i) => ({ after, upTo: bounds[i + 1] })), total };
}

/** Recomputes one batch of customers: facts read outside the transaction; stored state, writes and the checkpoint inside it. */
async function recalculateBatch(
  db: Db,
  ctx: ShopContext,
  customers: string[],
  checkpoint: FullRecalculationCheckpoint,
  opts: FullRecalculationOptions,
  pagingMs: number,
): Promise<{ checkpoint: FullRecalculationCheckpoint; results: RecalculateResult[]; timings: BatchTimings }> {
  const provider = dbProvider(db);
  const postgres = provider === "postgresql";
  const t0 = performance.now();
  let facts: Map<string, MemberFacts>;
  let profiles: Map<string, Partial<MemberProfile>>;
  if (postgres) {
    const read = await loadFactsOfBatchPostgres(db, ctx.shop, checkpoint.after, customers, ctx.versions);
    facts = read.facts;
    profiles = await profilesFromInbox(
      db,
      ctx.shop,
      customers.filter((gid) => !read.members.has(gid)),
    );
  } else {
    facts = await loadFactsOfBatch(db, ctx.shop, checkpoint.after, customers);
    profiles = await profilesForNewMembers(db, ctx.shop, customers, undefined);
  }
  // Member checkpoints (docs/checkpoints.md): after a publication each member resumes from the checkpoint kept before
  // it and is replayed once, under the new version only. Read with the facts (a checkpoint that no longer fits them is
  // simply not used); written in the batch's transaction, one statement for the batch.
  const checkpointed = opts.checkpoints !== false && keepsCheckpoints(ctx);
  const events = customers.map((gid) => memberEvents(facts.get(gid)!, ctx.versions));
  // Who resumes from a checkpoint; the others fold from the first fact and keep theirs as they are (retierResumes).
  const resumes = events.map((e) => checkpointed && (opts.checkpoints === "always" || retierResumes(ctx, e)));
  const kept = resumes.includes(true) ? await loadCheckpointsOfRange(db, ctx, checkpoint.after, customers[customers.length - 1]) : new Map();
  const t1 = performance.now();
  // planMember in three passes, so the fold runs as one stretch that two clock readings time (a thread CPU reading
  // costs microseconds and only advances on the scheduler's tick: per member it would cost more than it tells).
  const folds: (FoldResult | null)[] = [];
  const foldStart = performance.now();
  const cpuStart = process.threadCpuUsage();
  const outcomes = events.map((e, i) => {
    if (!resumes[i]) {
      const outcome = foldMember(ctx, e, opts.now);
      folds.push(checkpointed ? { outcome, latest: null, stable: null, resumedAt: 0 } : null); // latest null: keep the stored ones
      return outcome;
    }
    const fold = foldWithCheckpoints(ctx, opts.now, checkpointList(kept.get(customers[i])), e, keepAfterMoreThanOnePublication);
    folds.push(fold);
    return fold.outcome;
  });
  const cpu = process.threadCpuUsage(cpuStart);
  const foldEnd = performance.now();
  const waiting = await customersWaitingForProductData(db, ctx, customers, opts.now); // left to the resolver (order-scopes.server.ts)
  const plans: MemberPlan[] = customers
    .map((gid, i) => planFromOutcome(ctx, gid, facts.get(gid)!, outcomes[i], { now: opts.now, profile: profiles.get(gid) ?? null }))
    .filter((plan) => !waiting.has(plan.customerGid));
  const t2 = performance.now();
  const engineMs = foldEnd - foldStart;
  return db.$transaction(
    async (tx) => {
      const t3 = performance.now();
      const stored = postgres
        ? await loadStoredMembersPostgres(tx, ctx.shop, checkpoint.after, customers)
        : await loadStoredMembers(tx, ctx.shop, customers);
      const t4 = performance.now();
      const writes = batchWrites(ctx, plans, stored, opts.now, newRowId);
      const t5 = performance.now();
      await applyBatchWrites(tx, provider, ctx.shop, writes, opts.now);
      const { results } = writes;
      if (checkpointed) {
        const members = new Set(results.filter((r) => r.memberId !== null).map((r) => r.customerGid));
        const items = customers.flatMap((gid, i) => (members.has(gid) ? [{ customerGid: gid, fold: folds[i], stored: kept.get(gid) }] : []));
        await saveCheckpointsMany(tx, ctx.shop, items, opts.now);
      }
      const t6 = performance.now();
      const next: FullRecalculationCheckpoint = {
        after: customers[customers.length - 1],
        done: checkpoint.done + customers.length,
        written: checkpoint.written + results.filter((r) => r.outcome === "written").length,
        syncOwed: checkpoint.syncOwed + results.filter((r) => r.syncOwed).length,
        batches: checkpoint.batches + 1,
      };
      const timings: BatchTimings = {
        members: customers.length,
        engineMs,
        engineCpuMs: (cpu.user + cpu.system) / 1000,
        mappingMs: t2 - t1 - engineMs + (t5 - t4),
        readMs: pagingMs + (t1 - t0) + (t4 - t3),
        readFactsMs: t1 - t0,
        readStoredMs: t4 - t3,
        writeMs: t6 - t5,
      };
      await opts.saveCheckpoint?.(tx, next);
      return { checkpoint: next, results, timings };
    },
    { timeout: 300_000, maxWait: 60_000 },
  );
}

/**
 * Recomputes every customer of `range` after the checkpoint, batch by batch, and returns the final checkpoint.
 * Idempotent: run again from any checkpoint (or from the start) it converges on the same rows.
 */
export async function recalculateRange(
  db: Db,
  ctx: ShopContext,
  range: CustomerRange,
  from: FullRecalculationCheckpoint,
  opts: FullRecalculationOptions,
): Promise<FullRecalculationCheckpoint> {
  let checkpoint = { ...from, after: from.after ?? range.after };
  if (!currentProgram(ctx)) return checkpoint;
  const size = Math.max(1, Math.min(MAX_FULL_BATCH, opts.batchSize ?? DEFAULT_FULL_BATCH));
  for (;;) {
    const paging = performance.now();
    const customers = await nextCustomers(db, ctx.shop, checkpoint.after, range.upTo, size);
    if (customers.length === 0) return checkpoint;
    const batch = await recalculateBatch(db, ctx, customers, checkpoint, opts, performance.now() - paging);
    checkpoint = batch.checkpoint;
    opts.observeBatch?.(batch.timings);
    await opts.afterBatch?.(checkpoint, batch.results);
    if (customers.length < size) return checkpoint;
  }
}
