import { Prisma } from "@prisma/client";
import type { Db } from "~/db.server";
import {
  loadStoredMembers,
  persistPlan,
  planMember,
  profilesForNewMembers,
  type MemberFacts,
  type MemberPlan,
  type RecalculateResult,
} from "./member-recalculation.server";
import { currentProgram, type ShopContext } from "./shop-context.server";

/**
 * Full recalculation at scale: every customer of a shop (members and buyers), paged by keyset on the customer GID,
 * a batch at a time. A batch costs a handful of reads (facts, stored state) and one transaction whose writes are
 * batched: one insert per table for the ledger entries, audit rows and sync states of the whole batch. The same
 * transaction records the checkpoint (the last customer done), so a run that dies resumes after the last batch it
 * committed, and re-running a batch writes nothing new (ledger and audit rows are keyed).
 *
 * A shop's customers can be cut into key ranges (`customerRanges`) that separate workers recompute side by side.
 */

type Tx = Prisma.TransactionClient;

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
  /** Milliseconds spent in the engine (planning), summed over batches. */
  engineMs: number;
}

export const emptyCheckpoint = (after: string | null = null): FullRecalculationCheckpoint => ({ after, done: 0, written: 0, syncOwed: 0, batches: 0, engineMs: 0 });

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

/**
 * A transaction client whose inserts of ledger entries, audit rows and sync states are held back and written as one
 * `createMany` per table at the end of the batch. Its sync-job enqueues are dropped: the sync each member is owed is
 * on its SyncState row, and a full run queues one bulk sync when it ends. persistPlan stays the one definition of
 * what a member's recomputation writes; only the round trips change.
 */
function batchingClient(tx: Tx): { client: Tx; flush: () => Promise<void> } {
  const held: Record<"pointsEntry" | "levelChange" | "syncState", object[]> = { pointsEntry: [], levelChange: [], syncState: [] };
  const holding = (model: keyof typeof held, delegate: object) =>
    new Proxy(delegate, {
      get(target, prop, receiver) {
        if (prop === "createMany") {
          return async (args: { data: object | object[] }) => {
            const rows = Array.isArray(args.data) ? args.data : [args.data];
            held[model].push(...rows);
            return { count: rows.length };
          };
        }
        if (prop === "create" && model === "syncState") {
          return async (args: { data: object }) => {
            held[model].push(args.data);
            return args.data;
          };
        }
        return Reflect.get(target, prop, receiver);
      },
    });
  const client = new Proxy(tx, {
    get(target, prop, receiver) {
      if (prop === "pointsEntry" || prop === "levelChange" || prop === "syncState") return holding(prop, Reflect.get(target, prop, receiver) as object);
      if (prop === "$executeRaw") {
        return async (strings: TemplateStringsArray, ...values: unknown[]) => {
          if (strings.join("").includes('INSERT INTO "Job"')) return 1;
          return tx.$executeRaw(strings, ...values);
        };
      }
      return Reflect.get(target, prop, receiver);
    },
  });
  return {
    client,
    async flush() {
      if (held.pointsEntry.length) await tx.pointsEntry.createMany({ data: held.pointsEntry as Prisma.PointsEntryCreateManyInput[] });
      if (held.levelChange.length) await tx.levelChange.createMany({ data: held.levelChange as Prisma.LevelChangeCreateManyInput[] });
      if (held.syncState.length) await tx.syncState.createMany({ data: held.syncState as Prisma.SyncStateCreateManyInput[] });
    },
  };
}

/**
 * The facts of a batch, read by key range (`after` < customer ≤ last of the batch) rather than by a list of GIDs or
 * order GIDs: a batch of orders would pass the databases' bound-parameter limits, a range is two parameters.
 * Same content and order as loadFactsOfMany. Refunds still waiting for their order (no customer yet) are found by
 * order GID, as there.
 */
export async function loadFactsOfBatch(db: Db, shop: string, after: string | null, customers: string[]): Promise<Map<string, MemberFacts>> {
  const range = { gt: after ?? "", lte: customers[customers.length - 1] };
  const [orders, adjustments, refunds] = await Promise.all([
    db.orderFact.findMany({ where: { shop, customerGid: range, paidAt: { not: null }, test: false }, orderBy: [{ paidAt: "asc" }, { orderGid: "asc" }] }),
    db.memberAdjustment.findMany({ where: { shop, customerGid: range }, orderBy: [{ at: "asc" }, { key: "asc" }] }),
    db.refundFact.findMany({ where: { shop, OR: [{ customerGid: range }, { customerGid: null }] }, orderBy: [{ createdAt: "asc" }, { refundGid: "asc" }] }),
  ]);
  const out = new Map<string, MemberFacts>(customers.map((gid) => [gid, { orders: [], refunds: [], adjustments: [] }]));
  const customerOf = new Map<string, string>();
  for (const o of orders) {
    const facts = out.get(o.customerGid!);
    if (!facts) continue;
    facts.orders.push(o);
    customerOf.set(o.orderGid, o.customerGid!);
  }
  for (const r of refunds) {
    const gid = customerOf.get(r.orderGid);
    if (gid) out.get(gid)!.refunds.push(r);
  }
  for (const a of adjustments) out.get(a.customerGid)?.adjustments.push(a);
  return out;
}

/** Recomputes one batch of customers: reads outside the transaction, writes and the checkpoint inside it. */
async function recalculateBatch(
  db: Db,
  ctx: ShopContext,
  customers: string[],
  checkpoint: FullRecalculationCheckpoint,
  opts: FullRecalculationOptions,
): Promise<{ checkpoint: FullRecalculationCheckpoint; results: RecalculateResult[] }> {
  const facts = await loadFactsOfBatch(db, ctx.shop, checkpoint.after, customers);
  const profiles = await profilesForNewMembers(db, ctx.shop, customers, undefined);
  const t0 = performance.now();
  const plans: MemberPlan[] = customers.map((gid) => planMember(ctx, gid, facts.get(gid)!, { now: opts.now, profile: profiles.get(gid) ?? null })!);
  const engineMs = performance.now() - t0;
  return db.$transaction(
    async (tx) => {
      const stored = await loadStoredMembers(tx, ctx.shop, customers);
      const { client, flush } = batchingClient(tx);
      const results: RecalculateResult[] = [];
      for (const plan of plans) results.push(await persistPlan(client, ctx, plan, stored.get(plan.customerGid)!, opts.now));
      await flush();
      const next: FullRecalculationCheckpoint = {
        after: customers[customers.length - 1],
        done: checkpoint.done + customers.length,
        written: checkpoint.written + results.filter((r) => r.outcome === "written").length,
        syncOwed: checkpoint.syncOwed + results.filter((r) => r.syncOwed).length,
        batches: checkpoint.batches + 1,
        engineMs: checkpoint.engineMs + engineMs,
      };
      await opts.saveCheckpoint?.(tx, next);
      return { checkpoint: next, results };
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
    const customers = await nextCustomers(db, ctx.shop, checkpoint.after, range.upTo, size);
    if (customers.length === 0) return checkpoint;
    const batch = await recalculateBatch(db, ctx, customers, checkpoint, opts);
    checkpoint = batch.checkpoint;
    await opts.afterBatch?.(checkpoint, batch.results);
    if (customers.length < size) return checkpoint;
  }
}
