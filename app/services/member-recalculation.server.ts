import { lockNames, type Db, type Tx } from "~/db/client.server";
import { SYNC_MEMBERS_JOB, syncMembersKey } from "~/queue/job-kinds";
import { enqueueJob } from "~/queue/queue.server";
import { afterMemberWrite, type RecalculationOrigin } from "./member-events.server";
import type { MemberProfile } from "./privacy.server";
import { noFacts, type MemberFacts } from "./recalculation/member-facts";
import { checkpointList, loadCheckpoints, saveCheckpoints } from "./recalculation/checkpoints.server";
import { planWithCheckpoints } from "./recalculation/checkpoints";
import { type MemberPlan, type RecalculateOptions } from "./recalculation/member-plan";
import {
  memberFactWrites,
  memberRowWrite,
  nothingWritten,
  recalculateResult,
  type RecalculateResult,
  type StoredMember,
} from "./recalculation/member-writes";
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
  const [orders, adjustments] = await Promise.all([
    db.orderFact.findMany({
      where: { shop, customerGid: { in: customerGids }, paidAt: { not: null }, test: false },
      orderBy: [{ paidAt: "asc" }, { orderGid: "asc" }],
    }),
    db.memberAdjustment.findMany({ where: { shop, customerGid: { in: customerGids } }, orderBy: [{ at: "asc" }, { key: "asc" }] }),
  ]);
  const refunds = orders.length
    ? await db.refundFact.findMany({
        where: { shop, orderGid: { in: orders.map((o) => o.orderGid) } },
        orderBy: [{ createdAt: "asc" }, { refundGid: "asc" }],
      })
    : [];
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

/** What is stored for these customers (member row, ledger, audit trail, sync state). Read inside the writing transaction. */
export async function loadStoredMembers(tx: Tx, shop: string, customerGids: string[]): Promise<Map<string, StoredMember>> {
  const members = await tx.member.findMany({ where: { shop, customerGid: { in: customerGids } } });
  const ids = members.map((m) => m.id);
  const [entries, changes, states, rewards] = await Promise.all([
    ids.length
      ? tx.pointsEntry.findMany({
          where: { shop, memberId: { in: ids } },
          select: { memberId: true, key: true, kind: true, points: true, reversesKey: true, at: true },
        })
      : [],
    ids.length
      ? tx.levelChange.findMany({
          where: { shop, memberId: { in: ids } },
          select: {
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
          },
        })
      : [],
    tx.syncState.findMany({ where: { shop, subject: { in: customerGids } } }),
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

/** Writes what differs between the plan and what is stored; nothing when they agree. */
export async function persistPlan(
  tx: Tx,
  ctx: ShopContext,
  plan: MemberPlan,
  stored: StoredMember,
  now: Date,
  origin: RecalculationOrigin = "replay",
): Promise<RecalculateResult> {
  const { customerGid } = plan;
  const row = memberRowWrite(plan, stored, now);
  if (!row) return nothingWritten(customerGid, "not-a-member");
  let member = stored.member!;
  if (row.kind === "create") member = await tx.member.create({ data: { shop: ctx.shop, customerGid, ...row.data, version: 1 } });
  else if (row.kind === "update") member = await tx.member.update({ where: { id: member.id }, data: { ...row.data, version: { increment: 1 } } });
  const memberId = member.id;

  const w = memberFactWrites(ctx, plan, stored, member, now);
  if (w.entries.length)
    await tx.pointsEntry.createMany({ data: w.entries.map((e) => ({ ...e, shop: ctx.shop, memberId, idempotencyKey: `${memberId}:${e.key}` })) });
  if (w.changes.length) await tx.levelChange.createMany({ data: w.changes.map((c) => ({ ...c, shop: ctx.shop, memberId })) });
  if (w.retract.length) await tx.levelChange.updateMany({ where: { id: { in: w.retract } }, data: { retractedAt: now } });
  if (w.restore.length) await tx.levelChange.updateMany({ where: { id: { in: w.restore } }, data: { retractedAt: null } });
  for (const r of w.rewrite) await tx.levelChange.update({ where: { id: r.id }, data: r.data });
  if (w.syncState?.kind === "create")
    await tx.syncState.create({ data: { shop: ctx.shop, subject: customerGid, pendingHash: w.syncState.pendingHash } });
  else if (w.syncState?.kind === "update")
    await tx.syncState.update({ where: { id: w.syncState.id }, data: { pendingHash: w.syncState.pendingHash, failures: 0, lastError: null } });
  if (w.syncOwed) await enqueueJob(tx, { type: SYNC_MEMBERS_JOB, shop: ctx.shop, key: syncMembersKey(ctx.shop) }, now);
  await afterMemberWrite(tx, { ctx, member, plan, newChanges: w.changes, origin, now });
  return recalculateResult(plan, member, row, w);
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

export interface RecalculateManyOptions extends Omit<RecalculateOptions, "profile"> {
  profiles?: Map<string, Partial<MemberProfile>>;
  /** Members per transaction. */
  chunkSize?: number;
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
  const size = Math.max(1, opts.chunkSize ?? 100);
  for (let i = 0; i < customerGids.length; i += size) {
    const chunk = customerGids.slice(i, i + size);
    const profiles = await profilesForNewMembers(db, ctx.shop, chunk, opts.profiles);
    const written = await db.$transaction(
      async (tx) => {
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
        const out: RecalculateResult[] = [];
        for (const { plan, checkpoints } of plans) {
          const result = await persistPlan(tx, ctx, plan, stored.get(plan.customerGid)!, opts.now, opts.origin);
          if (result.memberId !== null) await saveCheckpoints(tx, ctx.shop, plan.customerGid, checkpoints, kept.get(plan.customerGid), opts.now);
          out.push(result);
        }
        return out;
      },
      { timeout: 120_000, maxWait: 30_000 },
    );
    for (const r of written) {
      results.push(r);
      await opts.afterMember?.(r, results.length - 1);
    }
  }
  return results;
}
