import type { LevelChange, Member, MemberAdjustment, OrderFact, PointsEntry, RefundFact, SyncState } from "@prisma/client";
import type BetterSqlite3 from "better-sqlite3";
import { dbProvider, lockNames, type Db, type Tx } from "~/db/client.server";
import { inJsonList, selectLikePrisma } from "~/db/sqlite-direct-reads.server";
import { sqliteConnectionOf } from "~/db/sqlite-direct-writes.server";
import { readInSlices } from "~/db/in-slices.server";
import { rowsForTime } from "~/db/transaction-size.server";
import { SYNC_MEMBERS_JOB, syncMembersKey } from "~/queue/job-kinds";
import { enqueueJob } from "~/queue/queue.server";
import { afterMemberWrites, type RecalculationOrigin } from "./member-events.server";
import type { MemberProfile } from "./privacy.server";
import { ENGINE_ORDER_COLUMNS, ENGINE_REFUND_COLUMNS, noFacts, type MemberFacts } from "./recalculation/member-facts";
import { checkpointList, loadCheckpoints, saveCheckpoints } from "./recalculation/checkpoints.server";
import { planWithCheckpoints } from "./recalculation/checkpoints";
import { type MemberPlan, type RecalculateOptions } from "./recalculation/member-plan";
import { applyBatchWrites } from "./recalculation/batch-sql.server";
import { batchWrites } from "./recalculation/batch-writes";
import { nothingWritten, type RecalculateResult, type StoredMember } from "./recalculation/member-writes";
import { newRowId } from "./recalculation/row-id.server";
import { currentProgram, type ShopContext } from "./shop-context.server";
import { customersWaitingForProductData } from "./product-data-wait.server";
import { issuedRewardsByMember } from "./rewards/reward-records.server";
import { profilesFromInbox } from "./webhook-apply.server";

/**
 * Recomputes one member from all of their stored facts (orders, refunds, cancellations, the merchant's manual
 * changes, every publication of the program) and persists the result in one transaction: the member's state, the
 * ledger entries that are new, the audit trail's new level changes, and the sync Shopify is owed. Facts are the
 * only input, so the same facts give the same member whatever order they arrived in and however often.
 *
 * This module reads and writes; what to write is decided by the pure modules in ./recalculation/: member-facts
 * (facts → the engine's events), member-plan (the engine's outcome → rows), member-writes (rows against what is
 * stored), with points-entries and level-changes for the ledger and the audit trail.
 */

export async function loadMemberFacts(db: Db | Tx, shop: string, customerGid: string): Promise<MemberFacts> {
  return (await loadFactsOfMany(db, shop, [customerGid])).get(customerGid)!;
}

/**
 * Facts of many customers in three queries. Refunds are found by order, not by customer: a refund that arrived
 * before its order has no customer on its row.
 */
export async function loadFactsOfMany(db: Db | Tx, shop: string, customerGids: string[]): Promise<Map<string, MemberFacts>> {
  const database = sqliteConnectionOf(db);
  if (database) return factsFrom(customerGids, ...factsOnSqlite(database, shop, customerGids));
  const [orders, adjustments] = await Promise.all([
    db.orderFact.findMany({
      select: ENGINE_ORDER_COLUMNS,
      where: { shop, customerGid: { in: customerGids }, paidAt: { not: null }, test: false },
      orderBy: [{ paidAt: "asc" }, { orderGid: "asc" }],
    }),
    db.memberAdjustment.findMany({ where: { shop, customerGid: { in: customerGids } }, orderBy: [{ at: "asc" }, { key: "asc" }] }),
  ]);
  // Read in slices (a chunk of members can have more orders than one statement may bind), then put in order.
  const refunds = (
    await readInSlices(
      orders.map((o) => o.orderGid),
      (orderGids) =>
        db.refundFact.findMany({
          select: ENGINE_REFUND_COLUMNS,
          where: { shop, orderGid: { in: orderGids } },
          orderBy: [{ createdAt: "asc" }, { refundGid: "asc" }],
        }),
    )
  ).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime()); // stable: one slice keeps the database's order
  return factsFrom(customerGids, orders, refunds, adjustments);
}

type EngineOrder = Pick<OrderFact, keyof typeof ENGINE_ORDER_COLUMNS>;
type EngineRefund = Pick<RefundFact, keyof typeof ENGINE_REFUND_COLUMNS>;

/** loadFactsOfMany's three reads on SQLite's connection under a transaction (sqlite-direct-reads), refunds in one statement. */
function factsOnSqlite(database: BetterSqlite3.Database, shop: string, customerGids: string[]): [EngineOrder[], EngineRefund[], MemberAdjustment[]] {
  const orders = selectLikePrisma<EngineOrder>(database, "OrderFact", {
    select: ENGINE_ORDER_COLUMNS,
    where: `"shop" = ? AND ${inJsonList("customerGid")} AND "paidAt" IS NOT NULL AND "test" = 0`,
    args: [shop, JSON.stringify(customerGids)],
    orderBy: `"paidAt" ASC, "orderGid" ASC`,
  });
  const refunds = selectLikePrisma<EngineRefund>(database, "RefundFact", {
    select: ENGINE_REFUND_COLUMNS,
    where: `"shop" = ? AND ${inJsonList("orderGid")}`,
    args: [shop, JSON.stringify(orders.map((o) => o.orderGid))],
    orderBy: `"createdAt" ASC, "refundGid" ASC`,
  });
  const adjustments = selectLikePrisma<MemberAdjustment>(database, "MemberAdjustment", {
    where: `"shop" = ? AND ${inJsonList("customerGid")}`,
    args: [shop, JSON.stringify(customerGids)],
    orderBy: `"at" ASC, "key" ASC`,
  });
  return [orders, refunds, adjustments];
}

function factsFrom(
  customerGids: string[],
  orders: EngineOrder[],
  refunds: EngineRefund[],
  adjustments: MemberAdjustment[],
): Map<string, MemberFacts> {
  const out = noFacts(customerGids);
  const customerOf = new Map<string, string>();
  for (const o of orders) {
    out.get(o.customerGid!)!.orders.push(o);
    customerOf.set(o.orderGid, o.customerGid!);
  }
  for (const r of refunds) out.get(customerOf.get(r.orderGid)!)?.refunds.push(r);
  for (const a of adjustments) out.get(a.customerGid)?.adjustments.push(a);
  return out;
}

const STORED_ENTRY_FIELDS = { memberId: true, key: true, kind: true, points: true, reversesKey: true, at: true } as const;
const STORED_CHANGE_FIELDS = {
  memberId: true,
  id: true,
  at: true,
  toLevelId: true,
  retractedAt: true,
  fromLevelId: true,
  cause: true,
  status: true,
  levelExpiresAt: true,
  reasonJson: true,
} as const;

/** What is stored for these customers (member row, ledger, audit trail, sync state). Read inside the writing transaction. */
export async function loadStoredMembers(tx: Tx, shop: string, customerGids: string[]): Promise<Map<string, StoredMember>> {
  // On SQLite's connection under the transaction, the same rows without Prisma's per-query cost (sqlite-direct-reads).
  const database = sqliteConnectionOf(tx);
  const where = (column: string) => `"shop" = ? AND ${inJsonList(column)}`;
  const members = database
    ? selectLikePrisma<Member>(database, "Member", { where: where("customerGid"), args: [shop, JSON.stringify(customerGids)] })
    : await tx.member.findMany({ where: { shop, customerGid: { in: customerGids } } });
  const ids = members.map((m) => m.id);
  /** `select` of `model`'s rows of these members: none without members, on the connection, or through Prisma. */
  const ofMembers = <T>(model: "PointsEntry" | "LevelChange", select: Record<string, true>, throughPrisma: () => Promise<T[]>): T[] | Promise<T[]> =>
    ids.length === 0
      ? []
      : database
        ? selectLikePrisma<T>(database, model, { select, where: where("memberId"), args: [shop, JSON.stringify(ids)] })
        : throughPrisma();
  const [entries, changes, states, rewards] = await Promise.all([
    ofMembers<Pick<PointsEntry, keyof typeof STORED_ENTRY_FIELDS>>("PointsEntry", STORED_ENTRY_FIELDS, () =>
      tx.pointsEntry.findMany({ where: { shop, memberId: { in: ids } }, select: STORED_ENTRY_FIELDS }),
    ),
    ofMembers<Pick<LevelChange, keyof typeof STORED_CHANGE_FIELDS>>("LevelChange", STORED_CHANGE_FIELDS, () =>
      tx.levelChange.findMany({ where: { shop, memberId: { in: ids } }, select: STORED_CHANGE_FIELDS }),
    ),
    database
      ? selectLikePrisma<SyncState>(database, "SyncState", { where: where("subject"), args: [shop, JSON.stringify(customerGids)] })
      : tx.syncState.findMany({ where: { shop, subject: { in: customerGids } } }),
    issuedRewardsByMember(tx, shop, ids),
  ]);
  const byMember = <T extends { memberId: string }>(rows: T[]) => {
    const map = new Map<string, T[]>();
    for (const r of rows) {
      const list = map.get(r.memberId);
      if (list) list.push(r);
      else map.set(r.memberId, [r]);
    }
    return map;
  };
  const entriesBy = byMember(entries);
  const changesBy = byMember(changes);
  const memberBy = new Map(members.map((m) => [m.customerGid, m]));
  const stateBy = new Map(states.map((s) => [s.subject, s]));
  const out = new Map<string, StoredMember>();
  for (const gid of customerGids) {
    const member = memberBy.get(gid) ?? null;
    out.set(gid, {
      member,
      entries: member ? (entriesBy.get(member.id) ?? []) : [],
      changes: member ? (changesBy.get(member.id) ?? []) : [],
      syncState: stateBy.get(gid) ?? null,
      rewards: member ? (rewards.get(member.id) ?? []) : [],
    });
  }
  return out;
}

/** Profiles given by the caller, and for customers not yet members, what their deliveries said about them. */
export async function profilesForNewMembers(db: Db, shop: string, chunk: string[], given: Map<string, Partial<MemberProfile>> | undefined) {
  const profiles = new Map(given ?? []);
  const members = await db.member.findMany({ where: { shop, customerGid: { in: chunk } }, select: { customerGid: true } });
  const known = new Set(members.map((m) => m.customerGid));
  const missing = chunk.filter((gid) => !known.has(gid) && !profiles.has(gid));
  for (const [gid, profile] of await profilesFromInbox(db, shop, missing)) profiles.set(gid, profile);
  return profiles;
}

/**
 * Writes what differs between each plan and what is stored (nothing when they agree), for all of them at once: one
 * statement per table and kind of write (batchWrites decides, applyBatchWrites writes, the same as a full
 * recalculation's batch), then the sync Shopify is owed, then the member-write listeners, once for all of them.
 */
export async function persistPlans(
  tx: Tx,
  ctx: ShopContext,
  plans: MemberPlan[],
  stored: Map<string, StoredMember>,
  now: Date,
  origin: RecalculationOrigin = "replay",
): Promise<RecalculateResult[]> {
  const w = batchWrites(ctx, plans, stored, now, newRowId);
  await applyBatchWrites(tx, dbProvider(tx), ctx.shop, w, now);
  if (w.results.some((r) => r.syncOwed)) await enqueueJob(tx, { type: SYNC_MEMBERS_JOB, shop: ctx.shop, key: syncMembersKey(ctx.shop) }, now);
  const writes = plans.flatMap((plan, i) => {
    const written = w.written[i];
    return written ? [{ ctx, member: written.member, plan, newChanges: written.changes, origin, now }] : [];
  });
  await afterMemberWrites(tx, writes);
  return w.results;
}

/** One member's plan written (persistPlans). */
export async function persistPlan(
  tx: Tx,
  ctx: ShopContext,
  plan: MemberPlan,
  stored: StoredMember,
  now: Date,
  origin: RecalculationOrigin = "replay",
): Promise<RecalculateResult> {
  return (await persistPlans(tx, ctx, [plan], new Map([[plan.customerGid, stored]]), now, origin))[0];
}

/**
 * Serialises folds of the same members across workers (PostgreSQL; on SQLite one writer holds the database anyway).
 * Taken first in the writing transaction, before the facts are read, so the fold that waits reads every fact the one
 * before it saw: the last to commit folds the most facts, whatever order the workers ran in. Released at commit.
 */
export async function lockMembers(tx: Tx, shop: string, customerGids: string[]): Promise<void> {
  await lockNames(
    tx,
    customerGids.map((gid) => `${shop} ${gid}`),
  );
}

/** One member, in one transaction: the webhook drainer's unit of work. */
export async function recalculateMember(db: Db, ctx: ShopContext, customerGid: string, opts: RecalculateOptions): Promise<RecalculateResult> {
  if (!currentProgram(ctx)) return nothingWritten(customerGid, "no-program");
  return db.$transaction(
    async (tx) => {
      await lockMembers(tx, ctx.shop, [customerGid]);
      if ((await customersWaitingForProductData(tx, ctx, [customerGid], opts.now)).size)
        return nothingWritten(customerGid, "waiting-for-product-data");
      const facts = await loadMemberFacts(tx, ctx.shop, customerGid);
      const kept = (await loadCheckpoints(tx, ctx, [customerGid])).get(customerGid);
      const { plan, checkpoints } = planWithCheckpoints(ctx, customerGid, facts, opts, checkpointList(kept));
      const result = await persistPlan(
        tx,
        ctx,
        plan,
        (await loadStoredMembers(tx, ctx.shop, [customerGid])).get(customerGid)!,
        opts.now,
        opts.origin,
      );
      if (result.memberId !== null) await saveCheckpoints(tx, ctx.shop, customerGid, checkpoints, kept, opts.now);
      return result;
    },
    { timeout: 60_000 },
  ); // It may wait for another worker's fold of a chunk holding this member.
}

/** The smallest chunk a timed recalculation (chunkMs) makes: below it, a transaction's fixed cost dominates. */
const MIN_TIMED_CHUNK = 5;

export interface RecalculateManyOptions extends Omit<RecalculateOptions, "profile"> {
  profiles?: Map<string, Partial<MemberProfile>>;
  /** Members per transaction (at most, with `chunkMs`). */
  chunkSize?: number;
  /**
   * Keeps each transaction near this long (ms): the next chunk is sized from the last one's time per member. On
   * SQLite a transaction holds the only write lock, which the web process's webhook inserts wait for.
   */
  chunkMs?: number;
  /** After each chunk is committed, per member (progress, heartbeats, tests). */
  afterMember?: (result: RecalculateResult, index: number) => Promise<void> | void;
}

/**
 * Many members, a chunk per transaction: facts and stored state are read for the whole chunk at once and only what
 * differs is written, so recomputing members whose facts did not change costs reads alone.
 */
export async function recalculateMembers(
  db: Db,
  ctx: ShopContext,
  customerGids: string[],
  opts: RecalculateManyOptions,
): Promise<RecalculateResult[]> {
  const results: RecalculateResult[] = [];
  if (!currentProgram(ctx)) return results;
  const maxSize = Math.max(1, opts.chunkSize ?? 100);
  let size = opts.chunkMs ? Math.min(maxSize, MIN_TIMED_CHUNK) : maxSize;
  for (let i = 0; i < customerGids.length;) {
    const chunk = customerGids.slice(i, i + size);
    i += chunk.length;
    const profiles = await profilesForNewMembers(db, ctx.shop, chunk, opts.profiles);
    let started = 0;
    const written = await db.$transaction(
      async (tx) => {
        started = performance.now();
        await lockMembers(tx, ctx.shop, chunk);
        const facts = await loadFactsOfMany(tx, ctx.shop, chunk);
        const waiting = await customersWaitingForProductData(tx, ctx, chunk, opts.now); // left to the resolver (order-scopes.server.ts)
        const kept = await loadCheckpoints(tx, ctx, chunk);
        const plans = chunk
          .filter((gid) => !waiting.has(gid))
          .map((gid) =>
            planWithCheckpoints(
              ctx,
              gid,
              facts.get(gid)!,
              { now: opts.now, profile: profiles.get(gid) ?? null, origin: opts.origin },
              checkpointList(kept.get(gid)),
            ),
          );
        const stored = await loadStoredMembers(tx, ctx.shop, chunk);
        const out = await persistPlans(
          tx,
          ctx,
          plans.map((p) => p.plan),
          stored,
          opts.now,
          opts.origin,
        );
        for (const [i, { plan, checkpoints }] of plans.entries())
          if (out[i].memberId !== null) await saveCheckpoints(tx, ctx.shop, plan.customerGid, checkpoints, kept.get(plan.customerGid), opts.now);
        return out;
      },
      { timeout: 120_000, maxWait: 30_000 },
    );
    if (opts.chunkMs)
      size = rowsForTime({ ms: performance.now() - started, rows: chunk.length }, opts.chunkMs, { min: MIN_TIMED_CHUNK, max: maxSize });
    for (const r of written) {
      results.push(r);
      await opts.afterMember?.(r, results.length - 1);
    }
  }
  return results;
}
