import { Prisma } from "@prisma/client";
import type { OrderLine } from "~/domain";
import { dbProvider, type Db, type Tx } from "~/db/client.server";
import {
  foldMember,
  loadStoredMembers,
  memberAfterWrite,
  memberFactWrites,
  memberEvents,
  memberRowWrite,
  planFromOutcome,
  profilesForNewMembers,
  recalculateResult,
  type LevelChangeData,
  type MemberFacts,
  type RefundLine,
  type MemberFactWrites,
  type MemberPlan,
  type MemberRowData,
  type NewEntry,
  type RecalculateResult,
  type StoredMember,
} from "./member-recalculation.server";
import type { MemberProfile } from "./privacy.server";
import { currentProgram, type ShopContext } from "./shop-context.server";
import { profilesFromInbox } from "./webhook-apply.server";

/**
 * Full recalculation at scale: every customer of a shop (members and buyers), paged by keyset on the customer GID,
 * a batch at a time. A batch costs a handful of reads, each by key range over an index (facts, stored state), and one
 * transaction whose writes are batched: the decisions persistPlan makes member by member (memberRowWrite,
 * memberFactWrites) are gathered per table, and only what differs is written, one statement per table and kind of
 * write for the whole batch (PostgreSQL: rows as one JSON parameter; SQLite: createMany, updates row by row in
 * process). Members whose rows already agree cost no write at all. The same
 * transaction records the checkpoint (the last customer done), so a run that dies resumes after the last batch it
 * committed, and re-running a batch writes nothing new (ledger and audit rows are keyed).
 *
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

const epochMs = (column: string) => Prisma.raw(`(extract(epoch from ${column}) * 1000)::bigint`);
const date = (ms: number | null) => (ms === null ? null : new Date(ms));

type OrderTuple = [string, string, number, number | null, number, number, number, number, boolean, string | null, OrderLine[]];
type RefundTuple = [string, string, number, number, RefundLine[]];

/**
 * PostgreSQL: the facts of a batch (same rows and order as loadFactsOfBatch) in one round trip, as one JSON document
 * the database assembles: one JSON.parse instead of a Prisma row object per order and a JSON.parse per order's
 * lines. Also says which customers of the range are already members (their profiles are not looked up).
 */
export async function loadFactsOfBatchPostgres(
  db: Db,
  shop: string,
  after: string | null,
  customers: string[],
): Promise<{ facts: Map<string, MemberFacts>; members: Set<string> }> {
  const gt = after ?? "";
  const lte = customers[customers.length - 1];
  const [[{ doc }], adjustments] = await Promise.all([
    db.$queryRaw<{ doc: string }[]>`
      SELECT json_build_object(
        'members', (SELECT coalesce(json_agg(m."customerGid"), '[]') FROM "Member" m WHERE m.shop = ${shop} AND m."customerGid" > ${gt} AND m."customerGid" <= ${lte}),
        'orders', (SELECT coalesce(json_agg(json_build_array(o."customerGid", o."orderGid", ${epochMs('o."paidAt"')}, ${epochMs('o."cancelledAt"')}, o.total, o.subtotal,
                                                             o.shipping, o.tax, o."hasDiscountCode", o.channel, o."linesJson"::json) ORDER BY o."paidAt", o."orderGid"), '[]')
                     FROM "OrderFact" o
                    WHERE o.shop = ${shop} AND o."customerGid" > ${gt} AND o."customerGid" <= ${lte} AND o."paidAt" IS NOT NULL AND o.test = false),
        'refunds', (SELECT coalesce(json_agg(json_build_array(r."refundGid", r."orderGid", ${epochMs('r."createdAt"')}, r.amount, r."linesJson"::json)
                                             ORDER BY r."createdAt", r."refundGid"), '[]')
                      FROM "RefundFact" r
                     WHERE r.shop = ${shop} AND ((r."customerGid" > ${gt} AND r."customerGid" <= ${lte}) OR r."customerGid" IS NULL))
      )::text AS doc`,
    db.memberAdjustment.findMany({ where: { shop, customerGid: { gt, lte } }, orderBy: [{ at: "asc" }, { key: "asc" }] }),
  ]);
  const parsed = JSON.parse(doc) as { members: string[]; orders: OrderTuple[]; refunds: RefundTuple[] };
  const facts = new Map<string, MemberFacts>(customers.map((gid) => [gid, { orders: [], refunds: [], adjustments: [] }]));
  const customerOf = new Map<string, string>();
  for (const [customerGid, orderGid, paidAt, cancelledAt, total, subtotal, shipping, tax, hasDiscountCode, channel, lines] of parsed.orders) {
    const mine = facts.get(customerGid);
    if (!mine) continue;
    mine.orders.push({ customerGid, orderGid, paidAt: new Date(paidAt), cancelledAt: date(cancelledAt), total, subtotal, shipping, tax, hasDiscountCode, channel, lines });
    customerOf.set(orderGid, customerGid);
  }
  for (const [refundGid, orderGid, createdAt, amount, lines] of parsed.refunds) {
    const gid = customerOf.get(orderGid);
    if (gid) facts.get(gid)!.refunds.push({ refundGid, orderGid, createdAt: new Date(createdAt), amount, lines });
  }
  for (const a of adjustments) facts.get(a.customerGid)?.adjustments.push(a);
  return { facts, members: new Set(parsed.members) };
}

type EntryTuple = [string, string, string, number, string | null, number];
type ChangeTuple = [string, string, number, string, number | null, string | null, string, string, number | null, string];

/**
 * PostgreSQL: what is stored for a batch (same content as loadStoredMembers): member and sync-state rows through
 * Prisma, and their ledgers and audit trails (the bulk: some twenty rows a member) as one JSON document.
 */
export async function loadStoredMembersPostgres(tx: Tx, shop: string, after: string | null, customers: string[]): Promise<Map<string, StoredMember>> {
  const gt = after ?? "";
  const lte = customers[customers.length - 1];
  const [members, states, [{ doc }]] = await Promise.all([
    tx.member.findMany({ where: { shop, customerGid: { gt, lte } } }),
    tx.syncState.findMany({ where: { shop, subject: { in: customers } } }),
    tx.$queryRaw<{ doc: string }[]>`
      WITH ids AS (SELECT m.id FROM "Member" m WHERE m.shop = ${shop} AND m."customerGid" > ${gt} AND m."customerGid" <= ${lte})
      SELECT json_build_object(
        'entries', (SELECT coalesce(json_agg(json_build_array(e."memberId", e.key, e.kind, e.points, e."reversesKey", ${epochMs("e.at")})), '[]')
                      FROM "PointsEntry" e WHERE e.shop = ${shop} AND e."memberId" IN (SELECT id FROM ids)),
        'changes', (SELECT coalesce(json_agg(json_build_array(c."memberId", c.id, ${epochMs("c.at")}, c."toLevelId", ${epochMs('c."retractedAt"')}, c."fromLevelId",
                                                              c.cause, c.status, ${epochMs('c."levelExpiresAt"')}, c."reasonJson")), '[]')
                      FROM "LevelChange" c WHERE c.shop = ${shop} AND c."memberId" IN (SELECT id FROM ids))
      )::text AS doc`,
  ]);
  const parsed = JSON.parse(doc) as { entries: EntryTuple[]; changes: ChangeTuple[] };
  const byMember = new Map<string, StoredMember>();
  const out = new Map<string, StoredMember>();
  const memberBy = new Map(members.map((m) => [m.customerGid, m]));
  const stateBy = new Map(states.map((st) => [st.subject, st]));
  for (const gid of customers) {
    const member = memberBy.get(gid) ?? null;
    const stored: StoredMember = { member, entries: [], changes: [], syncState: stateBy.get(gid) ?? null };
    if (member) byMember.set(member.id, stored);
    out.set(gid, stored);
  }
  for (const [memberId, key, kind, points, reversesKey, at] of parsed.entries) byMember.get(memberId)?.entries.push({ key, kind, points, reversesKey, at: new Date(at) });
  for (const [memberId, id, at, toLevelId, retractedAt, fromLevelId, cause, status, levelExpiresAt, reasonJson] of parsed.changes) {
    byMember.get(memberId)?.changes.push({ id, at: new Date(at), toLevelId, retractedAt: date(retractedAt), fromLevelId, cause, status, levelExpiresAt: date(levelExpiresAt), reasonJson });
  }
  return out;
}

/** A row id for batched inserts, shaped like Prisma's cuid() (c + time + counter + process + random, 25 characters). */
let idCounter = 0;
const idProcess = (process.pid % 1_679_616).toString(36).padStart(4, "0");
export function newRowId(): string {
  idCounter = (idCounter + 1) % 1_679_616;
  const random = Math.floor(Math.random() * 2_821_109_907_456).toString(36).padStart(8, "0");
  return `c${Date.now().toString(36).padStart(8, "0")}${idCounter.toString(36).padStart(4, "0")}${idProcess}${random}`;
}

/** Everything a batch writes, per table, decided without the database from the plans and what is stored. */
export interface BatchWrites {
  createMembers: (MemberRowData & { id: string; customerGid: string })[];
  updateMembers: (MemberRowData & { id: string })[];
  entries: (NewEntry & { id: string; memberId: string; idempotencyKey: string })[];
  changes: (LevelChangeData & { id: string; memberId: string })[];
  retract: string[];
  restore: string[];
  rewrite: MemberFactWrites["rewrite"];
  createSyncStates: { id: string; subject: string; pendingHash: string }[];
  updateSyncStates: { id: string; pendingHash: string }[];
  results: RecalculateResult[];
}

/** The writes of a whole batch: the same decisions persistPlan makes member by member, gathered per table. */
export function batchWrites(ctx: ShopContext, plans: MemberPlan[], stored: Map<string, StoredMember>, now: Date): BatchWrites {
  const out: BatchWrites = { createMembers: [], updateMembers: [], entries: [], changes: [], retract: [], restore: [], rewrite: [], createSyncStates: [], updateSyncStates: [], results: [] };
  for (const plan of plans) {
    const was = stored.get(plan.customerGid)!;
    const row = memberRowWrite(plan, was, now);
    if (!row) {
      out.results.push({ customerGid: plan.customerGid, outcome: "not-a-member", memberId: null, levelId: null, newLedgerEntries: 0, newLevelChanges: 0, syncOwed: false });
      continue;
    }
    const member = memberAfterWrite(ctx.shop, plan, was, row, was.member?.id ?? newRowId(), now);
    if (row.kind === "create") out.createMembers.push({ ...row.data, id: member.id, customerGid: plan.customerGid });
    else if (row.kind === "update") out.updateMembers.push({ ...row.data, id: member.id });
    const w = memberFactWrites(ctx, plan, was, member, now);
    for (const e of w.entries) out.entries.push({ ...e, id: newRowId(), memberId: member.id, idempotencyKey: `${member.id}:${e.key}` });
    for (const c of w.changes) out.changes.push({ ...c, id: newRowId(), memberId: member.id });
    out.retract.push(...w.retract);
    out.restore.push(...w.restore);
    out.rewrite.push(...w.rewrite);
    if (w.syncState?.kind === "create") out.createSyncStates.push({ id: newRowId(), subject: plan.customerGid, pendingHash: w.syncState.pendingHash });
    else if (w.syncState?.kind === "update") out.updateSyncStates.push({ id: w.syncState.id, pendingHash: w.syncState.pendingHash });
    out.results.push(recalculateResult(plan, member, row, w));
  }
  return out;
}

const MEMBER_COLUMNS = `"levelId" text, status text, "levelSince" timestamp(3), "levelExpiresAt" timestamp(3), "graceEndsAt" timestamp(3), locked boolean,
  points float8, "pointsEarned" float8, spend bigint, "nextLevelId" text, "remainingSpend" bigint, "remainingPoints" float8, "nextRequirementsJson" text,
  "orderCount" integer, "reviewAt" timestamp(3), "evaluatedAt" timestamp(3), email text, "firstName" text, "lastName" text, phone text`;

/**
 * PostgreSQL: one statement per table and kind of write for the whole batch. The rows travel as one JSON parameter
 * that json_to_recordset turns back into typed columns (instants as ISO strings, read as UTC like Prisma's own).
 */
async function applyBatchWritesPostgres(tx: Tx, shop: string, w: BatchWrites, now: Date): Promise<void> {
  const stamp = new Date().toISOString(); // createdAt/updatedAt, as Prisma stamps them: the wall clock
  const json = (rows: unknown[]) => JSON.stringify(rows);
  if (w.createMembers.length) {
    await tx.$executeRaw`
      INSERT INTO "Member" (id, shop, "customerGid", email, "firstName", "lastName", phone, "levelId", status, "levelSince", "levelExpiresAt", "graceEndsAt",
                            locked, points, "pointsEarned", spend, "nextLevelId", "remainingSpend", "remainingPoints", "nextRequirementsJson", "orderCount", "reviewAt", "evaluatedAt",
                            version, "createdAt", "updatedAt")
      SELECT v.id, ${shop}, v."customerGid", v.email, v."firstName", v."lastName", v.phone, v."levelId", v.status, v."levelSince", v."levelExpiresAt", v."graceEndsAt",
             v.locked, v.points, v."pointsEarned", v.spend, v."nextLevelId", v."remainingSpend", v."remainingPoints", v."nextRequirementsJson", v."orderCount", v."reviewAt", v."evaluatedAt",
             1, ${stamp}::timestamp(3), ${stamp}::timestamp(3)
        FROM json_to_recordset(${json(w.createMembers)}::json) AS v(id text, "customerGid" text, ${Prisma.raw(MEMBER_COLUMNS)})`;
  }
  if (w.updateMembers.length) {
    await tx.$executeRaw`
      UPDATE "Member" AS m
         SET email = COALESCE(v.email, m.email), "firstName" = COALESCE(v."firstName", m."firstName"), "lastName" = COALESCE(v."lastName", m."lastName"),
             phone = COALESCE(v.phone, m.phone), "levelId" = v."levelId", status = v.status, "levelSince" = v."levelSince", "levelExpiresAt" = v."levelExpiresAt",
             "graceEndsAt" = v."graceEndsAt", locked = v.locked, points = v.points, "pointsEarned" = v."pointsEarned", spend = v.spend,
             "nextLevelId" = v."nextLevelId", "remainingSpend" = v."remainingSpend", "remainingPoints" = v."remainingPoints",
             "nextRequirementsJson" = v."nextRequirementsJson", "orderCount" = v."orderCount",
             "reviewAt" = v."reviewAt", "evaluatedAt" = v."evaluatedAt", version = m.version + 1, "updatedAt" = ${stamp}::timestamp(3)
        FROM json_to_recordset(${json(w.updateMembers)}::json) AS v(id text, ${Prisma.raw(MEMBER_COLUMNS)})
       WHERE m.id = v.id`;
  }
  if (w.entries.length) {
    await tx.$executeRaw`
      INSERT INTO "PointsEntry" (id, shop, "memberId", "idempotencyKey", key, kind, points, "reversesKey", "orderGid", note, at, "createdAt")
      SELECT v.id, ${shop}, v."memberId", v."idempotencyKey", v.key, v.kind, v.points, v."reversesKey", v."orderGid", v.note, v.at, ${stamp}::timestamp(3)
        FROM json_to_recordset(${json(w.entries)}::json)
          AS v(id text, "memberId" text, "idempotencyKey" text, key text, kind text, points float8, "reversesKey" text, "orderGid" text, note text, at timestamp(3))`;
  }
  if (w.changes.length) {
    await tx.$executeRaw`
      INSERT INTO "LevelChange" (id, shop, "memberId", at, "fromLevelId", "toLevelId", cause, status, "levelExpiresAt", "reasonJson", "createdAt")
      SELECT v.id, ${shop}, v."memberId", v.at, v."fromLevelId", v."toLevelId", v.cause, v.status, v."levelExpiresAt", v."reasonJson", ${stamp}::timestamp(3)
        FROM json_to_recordset(${json(w.changes)}::json)
          AS v(id text, "memberId" text, at timestamp(3), "fromLevelId" text, "toLevelId" text, cause text, status text, "levelExpiresAt" timestamp(3), "reasonJson" text)`;
  }
  if (w.retract.length) {
    await tx.$executeRaw`UPDATE "LevelChange" SET "retractedAt" = ${now.toISOString()}::timestamp(3) WHERE id IN (SELECT json_array_elements_text(${json(w.retract)}::json))`;
  }
  if (w.restore.length) {
    await tx.$executeRaw`UPDATE "LevelChange" SET "retractedAt" = NULL WHERE id IN (SELECT json_array_elements_text(${json(w.restore)}::json))`;
  }
  if (w.rewrite.length) {
    await tx.$executeRaw`
      UPDATE "LevelChange" AS c
         SET "fromLevelId" = v."fromLevelId", cause = v.cause, status = v.status, "levelExpiresAt" = v."levelExpiresAt", "reasonJson" = v."reasonJson"
        FROM json_to_recordset(${json(w.rewrite.map((r) => ({ id: r.id, ...r.data })))}::json)
          AS v(id text, "fromLevelId" text, cause text, status text, "levelExpiresAt" timestamp(3), "reasonJson" text)
       WHERE c.id = v.id`;
  }
  if (w.createSyncStates.length) {
    await tx.$executeRaw`
      INSERT INTO "SyncState" (id, shop, subject, "pendingHash", "updatedAt")
      SELECT v.id, ${shop}, v.subject, v."pendingHash", ${stamp}::timestamp(3) FROM json_to_recordset(${json(w.createSyncStates)}::json) AS v(id text, subject text, "pendingHash" text)`;
  }
  if (w.updateSyncStates.length) {
    await tx.$executeRaw`
      UPDATE "SyncState" AS s SET "pendingHash" = v."pendingHash", failures = 0, "lastError" = NULL, "updatedAt" = ${stamp}::timestamp(3)
        FROM json_to_recordset(${json(w.updateSyncStates)}::json) AS v(id text, "pendingHash" text)
       WHERE s.id = v.id`;
  }
}

/**
 * SQLite: inserts as one createMany per table; updates row by row (in-process calls, no round trips, inside the one
 * write transaction SQLite allows anyway).
 */
async function applyBatchWritesSqlite(tx: Tx, shop: string, w: BatchWrites, now: Date): Promise<void> {
  if (w.createMembers.length) await tx.member.createMany({ data: w.createMembers.map((m) => ({ ...m, shop, version: 1 })) });
  for (const { id, ...data } of w.updateMembers) await tx.member.update({ where: { id }, data: { ...data, version: { increment: 1 } } });
  if (w.entries.length) await tx.pointsEntry.createMany({ data: w.entries.map((e) => ({ ...e, shop })) });
  if (w.changes.length) await tx.levelChange.createMany({ data: w.changes.map((c) => ({ ...c, shop })) });
  if (w.retract.length) await tx.levelChange.updateMany({ where: { id: { in: w.retract } }, data: { retractedAt: now } });
  if (w.restore.length) await tx.levelChange.updateMany({ where: { id: { in: w.restore } }, data: { retractedAt: null } });
  for (const r of w.rewrite) await tx.levelChange.update({ where: { id: r.id }, data: r.data });
  if (w.createSyncStates.length) await tx.syncState.createMany({ data: w.createSyncStates.map((s) => ({ ...s, shop })) });
  for (const s of w.updateSyncStates) await tx.syncState.update({ where: { id: s.id }, data: { pendingHash: s.pendingHash, failures: 0, lastError: null } });
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
  const postgres = dbProvider(db) === "postgresql";
  const t0 = performance.now();
  let facts: Map<string, MemberFacts>;
  let profiles: Map<string, Partial<MemberProfile>>;
  if (postgres) {
    const read = await loadFactsOfBatchPostgres(db, ctx.shop, checkpoint.after, customers);
    facts = read.facts;
    profiles = await profilesFromInbox(db, ctx.shop, customers.filter((gid) => !read.members.has(gid)));
  } else {
    facts = await loadFactsOfBatch(db, ctx.shop, checkpoint.after, customers);
    profiles = await profilesForNewMembers(db, ctx.shop, customers, undefined);
  }
  const t1 = performance.now();
  // planMember in three passes, so the fold runs as one stretch that two clock readings time (a thread CPU reading
  // costs microseconds and only advances on the scheduler's tick: per member it would cost more than it tells).
  const events = customers.map((gid) => memberEvents(facts.get(gid)!, ctx.versions));
  const foldStart = performance.now();
  const cpuStart = process.threadCpuUsage();
  const outcomes = events.map((e) => foldMember(ctx, e, opts.now));
  const cpu = process.threadCpuUsage(cpuStart);
  const foldEnd = performance.now();
  const plans: MemberPlan[] = customers.map((gid, i) => planFromOutcome(ctx, gid, facts.get(gid)!, outcomes[i], { now: opts.now, profile: profiles.get(gid) ?? null }));
  const t2 = performance.now();
  const engineMs = foldEnd - foldStart;
  return db.$transaction(
    async (tx) => {
      const t3 = performance.now();
      const stored = postgres ? await loadStoredMembersPostgres(tx, ctx.shop, checkpoint.after, customers) : await loadStoredMembers(tx, ctx.shop, customers);
      const t4 = performance.now();
      const writes = batchWrites(ctx, plans, stored, opts.now);
      const t5 = performance.now();
      await (postgres ? applyBatchWritesPostgres : applyBatchWritesSqlite)(tx, ctx.shop, writes, opts.now);
      const t6 = performance.now();
      const { results } = writes;
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
