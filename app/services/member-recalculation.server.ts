import type { LevelChange as LevelChangeRow, Member, MemberAdjustment, OrderFact, PointsEntry as PointsEntryRow, RefundFact, SyncState } from "@prisma/client";
import { DAY_MS, evaluateMember, type LevelChange, type MemberEvent, type MemberOutcome, type OrderLine, type PointsEntry, type Program } from "~/domain";
import { lockNames, type Db, type Tx } from "~/db/client.server";
import { SYNC_MEMBERS_JOB, syncMembersKey } from "~/queue/job-kinds";
import { enqueueJob } from "~/queue/queue.server";
import { memberShopperView, nextRequirementsJson, shopperViewHash } from "./member-sync-records.server";
import type { MemberProfile } from "./privacy.server";
import { currentProgram, type ShopContext } from "./shop-context.server";
import { profilesFromInbox } from "./webhook-apply.server";

/**
 * Recomputes one member from all of their stored facts (orders, refunds, cancellations, the merchant's manual
 * changes, every publication of the program) and persists the result in one transaction: the member's state, the
 * ledger entries that are new, the audit trail's new level changes, and the sync Shopify is owed. Facts are the
 * only input, so the same facts give the same member whatever order they arrived in and however often.
 */

export interface RecalculateOptions {
  now: Date;
  /** Personal data seen in the deliveries that touched the member (kept only for members). */
  profile?: Partial<MemberProfile> | null;
}

export type RecalculateOutcome = "no-program" | "not-a-member" | "unchanged" | "written";

export interface RecalculateResult {
  customerGid: string;
  outcome: RecalculateOutcome;
  memberId: string | null;
  levelId: string | null;
  newLedgerEntries: number;
  newLevelChanges: number;
  syncOwed: boolean;
}

/** An order as the engine reads it: the stored row, or the columns a bulk reader took with the lines already parsed. */
export type OrderForEngine = Pick<OrderFact, "orderGid" | "customerGid" | "paidAt" | "cancelledAt" | "total" | "subtotal" | "shipping" | "tax" | "hasDiscountCode" | "channel"> &
  ({ linesJson: string } | { lines: OrderLine[] });
export type RefundLine = { lineId: string; quantity: number };
/** A refund as the engine reads it (the same two shapes). */
export type RefundForEngine = Pick<RefundFact, "refundGid" | "orderGid" | "createdAt" | "amount"> & ({ linesJson: string } | { lines: RefundLine[] });

export interface MemberFacts {
  orders: OrderForEngine[];
  refunds: RefundForEngine[];
  adjustments: MemberAdjustment[];
}

export async function loadMemberFacts(db: Db | Tx, shop: string, customerGid: string): Promise<MemberFacts> {
  return (await loadFactsOfMany(db, shop, [customerGid])).get(customerGid)!;
}

const EVENT_ORDER: Record<MemberEvent["type"], number> = { orderPaid: 0, refund: 1, orderCancelled: 2, manualAssign: 3, pointsAdjust: 4, publishProgram: 5 };

/** The engine's events for a member, in one canonical order (ties broken by kind and id, never by arrival). */
export function memberEvents(facts: MemberFacts, versions: ShopContext["versions"]): MemberEvent[] {
  const events: { e: MemberEvent; id: string }[] = [];
  for (const o of facts.orders) {
    const lines = "lines" in o ? o.lines : (JSON.parse(o.linesJson) as OrderLine[]);
    const order = { id: o.orderGid, total: o.total, subtotal: o.subtotal, shipping: o.shipping, tax: o.tax, lines, hasDiscountCode: o.hasDiscountCode, ...(o.channel ? { channel: o.channel } : {}) };
    events.push({ e: { type: "orderPaid", at: o.paidAt!.getTime(), order }, id: o.orderGid });
    if (o.cancelledAt) events.push({ e: { type: "orderCancelled", at: o.cancelledAt.getTime(), orderId: o.orderGid }, id: o.orderGid });
  }
  for (const r of facts.refunds) {
    const lines = "lines" in r ? r.lines : (JSON.parse(r.linesJson) as RefundLine[]);
    events.push({ e: { type: "refund", at: r.createdAt.getTime(), orderId: r.orderGid, refund: { id: r.refundGid, amount: r.amount, lines } }, id: r.refundGid });
  }
  for (const a of facts.adjustments) {
    if (a.kind === "assignLevel") events.push({ e: { type: "manualAssign", at: a.at.getTime(), level: a.levelId, lock: a.lock, ...(a.actor === "import" ? { rewards: false } : {}) }, id: a.key });
    else if (a.kind === "points" && a.points !== null) events.push({ e: { type: "pointsAdjust", at: a.at.getTime(), points: a.points, note: a.note ?? "", key: a.key }, id: a.key });
  }
  for (const v of versions.slice(1)) events.push({ e: { type: "publishProgram", at: v.publishedAt, program: v.program }, id: v.versionId });
  events.sort((a, b) => a.e.at - b.e.at || EVENT_ORDER[a.e.type] - EVENT_ORDER[b.e.type] || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return events.map((x) => x.e);
}

/**
 * Whether these facts make a customer a member: a paid, uncancelled order that the program counts (paid at or after
 * activeFrom, in a participating channel), or a manual change. Guests never reach here (no customer).
 */
export function qualifiesAsMember(facts: MemberFacts, program: Program): boolean {
  if (facts.adjustments.length > 0) return true;
  return facts.orders.some(
    (o) =>
      o.cancelledAt === null &&
      (program.activeFrom === null || o.paidAt!.getTime() >= program.activeFrom) &&
      (program.channels === null || o.channel === null || program.channels.includes(o.channel)),
  );
}

/** The ledger to persist: the engine's, minus one-time rewards for levels reached before rewards began. */
export function ledgerToPersist(ledger: PointsEntry[], rewardsFrom: number | null): PointsEntry[] {
  if (rewardsFrom === null) return ledger;
  const withheld = new Set(ledger.filter((e) => e.kind === "upgrade" && e.at < rewardsFrom).map((e) => e.key));
  if (withheld.size === 0) return ledger;
  return ledger.filter((e) => !withheld.has(e.key) && !(e.kind === "expire" && e.reverses !== undefined && withheld.has(e.reverses)));
}

const round4 = (n: number) => Math.round(n * 10_000) / 10_000 + 0;

type StoredEntry = Pick<PointsEntryRow, "key" | "kind" | "points" | "reversesKey">;
export type NewEntry = { key: string; kind: string; points: number; reversesKey: string | null; orderGid: string | null; note: string | null; at: Date };

/**
 * Entries to append so the stored ledger sums, key by key, to the engine's. A key never seen is inserted as is; a
 * key whose stored total differs (an order's totals changed, a reward withheld) gets a correcting entry pointing at
 * it. Nothing stored is ever edited.
 */
export function ledgerWrites(stored: StoredEntry[], target: PointsEntry[], now: Date): NewEntry[] {
  const byKey = new Map<string, { sum: number; corrections: number }>();
  for (const s of stored) {
    const base = s.kind === "correction" ? s.reversesKey! : s.key;
    const acc = byKey.get(base) ?? { sum: 0, corrections: 0 };
    acc.sum = round4(acc.sum + s.points);
    if (s.kind === "correction") acc.corrections++;
    byKey.set(base, acc);
  }
  const out: NewEntry[] = [];
  const correction = (key: string, points: number, n: number): NewEntry => ({
    key: `correct:${key}#${n}`,
    kind: "correction",
    points,
    reversesKey: key,
    orderGid: null,
    note: null,
    at: now,
  });
  const seen = new Set<string>();
  for (const t of target) {
    seen.add(t.key);
    const acc = byKey.get(t.key);
    if (!acc) {
      out.push({ key: t.key, kind: t.kind, points: t.points, reversesKey: t.reverses ?? null, orderGid: t.orderId ?? null, note: t.note ?? null, at: new Date(t.at) });
    } else if (acc.sum !== round4(t.points)) {
      out.push(correction(t.key, round4(t.points - acc.sum), acc.corrections + 1));
    }
  }
  for (const [key, acc] of byKey) if (!seen.has(key) && acc.sum !== 0) out.push(correction(key, round4(-acc.sum), acc.corrections + 1));
  return out;
}

export type LevelChangeData = Pick<LevelChangeRow, "at" | "fromLevelId" | "toLevelId" | "cause" | "status" | "levelExpiresAt" | "reasonJson">;
const changeKey = (at: Date, to: string) => `${at.getTime()}|${to}`;

export function levelChangeRows(changes: LevelChange[]): LevelChangeData[] {
  // The audit row is unique per instant and target level: when one instant holds several steps to the same level
  // (expiry and renewal at once), the last one — the state the member was left in — is the one kept.
  const byKey = new Map<string, LevelChangeData>();
  for (const c of changes) {
    const row: LevelChangeData = {
      at: new Date(c.at),
      fromLevelId: c.from,
      toLevelId: c.to ?? "",
      cause: c.cause,
      status: c.status,
      levelExpiresAt: c.levelExpiresAt === null ? null : new Date(c.levelExpiresAt),
      reasonJson: JSON.stringify(c.reason),
    };
    byKey.set(changeKey(row.at, row.toLevelId), row);
  }
  return [...byKey.values()];
}

/** When the member next changes without a new fact: expiry, the end of grace, or a lot of points expiring. */
export function nextReviewAt(outcome: MemberOutcome, ledger: PointsEntry[], program: Program, now: number): Date | null {
  const candidates: number[] = [];
  if (outcome.levelExpiresAt !== null && outcome.levelExpiresAt > now) candidates.push(outcome.levelExpiresAt);
  if (outcome.graceEndsAt !== null && outcome.graceEndsAt > now) candidates.push(outcome.graceEndsAt);
  const expiryDays = program.points.expiryDays;
  if (expiryDays !== null) {
    const expired = new Set(ledger.filter((e) => e.kind === "expire" && e.reverses).map((e) => e.reverses));
    for (const e of ledger) {
      if (e.points > 0 && e.kind !== "expire" && !expired.has(e.key)) {
        const t = e.at + expiryDays * DAY_MS;
        if (t > now) candidates.push(t);
      }
    }
  }
  return candidates.length ? new Date(Math.min(...candidates)) : null;
}

const date = (t: number | null) => (t === null ? null : new Date(t));

function memberData(outcome: MemberOutcome, ledger: PointsEntry[], facts: MemberFacts, program: Program, now: Date) {
  return {
    levelId: outcome.level,
    status: outcome.status,
    levelSince: date(outcome.levelSince),
    levelExpiresAt: date(outcome.levelExpiresAt),
    graceEndsAt: date(outcome.graceEndsAt),
    locked: outcome.locked,
    points: round4(ledger.reduce((sum, e) => sum + e.points, 0)),
    pointsEarned: outcome.pointsEarned,
    spend: outcome.spend,
    nextLevelId: outcome.next?.level ?? null,
    remainingSpend: outcome.next?.remaining.spend ?? null,
    remainingPoints: outcome.next?.remaining.points ?? null,
    nextRequirementsJson: nextRequirementsJson(outcome.next),
    orderCount: facts.orders.filter((o) => o.cancelledAt === null).length,
    reviewAt: nextReviewAt(outcome, ledger, program, now.getTime()),
  };
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Date || b instanceof Date) return (a as Date | null)?.getTime() === (b as Date | null)?.getTime();
  return a === b;
}

function changedFields(member: Member, data: Record<string, unknown>): boolean {
  return Object.entries(data).some(([k, v]) => !sameValue((member as unknown as Record<string, unknown>)[k], v));
}

function profileUpdate(member: Member | null, profile: Partial<MemberProfile> | null | undefined): Partial<MemberProfile> {
  if (!profile || member?.deletedAt || member?.redactedAt) return {};
  const out: Partial<MemberProfile> = {};
  for (const k of ["email", "firstName", "lastName", "phone"] as const) {
    const v = profile[k];
    if (typeof v === "string" && v !== "" && (!member || member[k] !== v)) out[k] = v;
  }
  return out;
}

/** What the engine says a member is, from their facts alone (no database): the input of persistPlan. */
export interface MemberPlan {
  customerGid: string;
  qualifies: boolean;
  data: ReturnType<typeof memberData>;
  ledger: PointsEntry[];
  changes: LevelChangeData[];
  profile: Partial<MemberProfile> | null;
}

export function planMember(ctx: ShopContext, customerGid: string, facts: MemberFacts, opts: RecalculateOptions): MemberPlan | null {
  if (!currentProgram(ctx)) return null;
  return planFromOutcome(ctx, customerGid, facts, foldMember(ctx, memberEvents(facts, ctx.versions), opts.now), opts);
}

/** The engine's fold alone (every published version replayed from the first): what a bench times as engine time. */
export function foldMember(ctx: ShopContext, events: MemberEvent[], now: Date): MemberOutcome {
  return evaluateMember(ctx.versions[0].program, events, now.getTime(), { grantRewards: true });
}

/** planMember after the fold: the outcome mapped to the rows to persist. The shop must have a program. */
export function planFromOutcome(ctx: ShopContext, customerGid: string, facts: MemberFacts, outcome: MemberOutcome, opts: RecalculateOptions): MemberPlan {
  const program = currentProgram(ctx)!;
  const ledger = ledgerToPersist(outcome.ledger, ctx.rewardsFrom);
  return {
    customerGid,
    qualifies: qualifiesAsMember(facts, program),
    data: memberData(outcome, ledger, facts, program, opts.now),
    ledger,
    changes: levelChangeRows(outcome.levelChanges),
    profile: opts.profile ?? null,
  };
}

/** What is stored for a member: the state persistPlan compares the plan with. Read inside the writing transaction. */
export interface StoredMember {
  member: Member | null;
  /** With `at`: the member's points history in Shopify is part of what the sync hash covers. */
  entries: (StoredEntry & Pick<PointsEntryRow, "at">)[];
  changes: Pick<LevelChangeRow, "id" | "at" | "toLevelId" | "retractedAt" | "fromLevelId" | "cause" | "status" | "levelExpiresAt" | "reasonJson">[];
  syncState: SyncState | null;
}

export async function loadStoredMembers(tx: Tx, shop: string, customerGids: string[]): Promise<Map<string, StoredMember>> {
  const members = await tx.member.findMany({ where: { shop, customerGid: { in: customerGids } } });
  const ids = members.map((m) => m.id);
  const [entries, changes, states] = await Promise.all([
    ids.length ? tx.pointsEntry.findMany({ where: { shop, memberId: { in: ids } }, select: { memberId: true, key: true, kind: true, points: true, reversesKey: true, at: true } }) : [],
    ids.length ? tx.levelChange.findMany({ where: { shop, memberId: { in: ids } }, select: { memberId: true, id: true, at: true, toLevelId: true, retractedAt: true, fromLevelId: true, cause: true, status: true, levelExpiresAt: true, reasonJson: true } }) : [],
    tx.syncState.findMany({ where: { shop, subject: { in: customerGids } } }),
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
    });
  }
  return out;
}

/** The member row's fields a recomputation sets (the plan's state, the profile's new values, when it was evaluated). */
export type MemberRowData = MemberPlan["data"] & Partial<MemberProfile> & { evaluatedAt: Date };

/**
 * What a plan does to the member row: create it, update it (something differs), or leave it ("none"). Null when the
 * customer is not a member and the plan does not make them one.
 */
export function memberRowWrite(plan: MemberPlan, stored: StoredMember, now: Date): { kind: "create" | "update" | "none"; data: MemberRowData } | null {
  const member = stored.member;
  if (!member && !plan.qualifies) return null;
  const profile = profileUpdate(member, plan.profile);
  const data = { ...profile, ...plan.data, evaluatedAt: now };
  if (!member) return { kind: "create", data };
  return { kind: changedFields(member, plan.data) || Object.keys(profile).length > 0 ? "update" : "none", data };
}

/**
 * The member row as the write leaves it, without a round trip: what create/update return, except the columns the
 * database or Prisma stamp (createdAt, updatedAt), which nothing downstream reads.
 */
export function memberAfterWrite(shop: string, plan: MemberPlan, stored: StoredMember, write: { kind: "create" | "update" | "none"; data: MemberRowData }, id: string, now: Date): Member {
  if (stored.member && write.kind === "none") return stored.member;
  if (stored.member) return { ...stored.member, ...write.data, version: stored.member.version + 1 };
  const blank = { email: null, firstName: null, lastName: null, phone: null, deletedAt: null, redactedAt: null, createdAt: now, updatedAt: now };
  return { ...blank, id, shop, customerGid: plan.customerGid, ...write.data, version: 1 };
}

/** Everything but the member row that a plan writes, decided against what is stored (no database). */
export interface MemberFactWrites {
  /** New ledger entries (never an edit of a stored one). */
  entries: NewEntry[];
  /** New audit rows. */
  changes: LevelChangeData[];
  /** Stored audit rows the replay no longer makes (retracted), or makes again (restored). */
  retract: string[];
  restore: string[];
  /** Stored audit rows brought up to date (same instant and level, other origin). */
  rewrite: { id: string; data: Pick<LevelChangeData, "fromLevelId" | "cause" | "status" | "levelExpiresAt" | "reasonJson"> }[];
  /** The sync state to create or to point at a new view; null when it already holds this view (or the member is deleted). */
  syncState: { kind: "create"; pendingHash: string } | { kind: "update"; id: string; pendingHash: string } | null;
  syncOwed: boolean;
}

export function memberFactWrites(ctx: ShopContext, plan: MemberPlan, stored: StoredMember, member: Member, now: Date): MemberFactWrites {
  const { changes } = plan;
  const entries = ledgerWrites(stored.entries, plan.ledger, now);
  const storedByKey = new Map(stored.changes.map((c) => [changeKey(c.at, c.toLevelId), c]));
  const targetKeys = new Set(changes.map((c) => changeKey(c.at, c.toLevelId)));
  const out: MemberFactWrites = {
    entries,
    changes: changes.filter((c) => !storedByKey.has(changeKey(c.at, c.toLevelId))),
    // A late fact can rewrite the past: changes the replay no longer makes are marked retracted, never deleted.
    retract: stored.changes.filter((c) => c.retractedAt === null && !targetKeys.has(changeKey(c.at, c.toLevelId))).map((c) => c.id),
    restore: stored.changes.filter((c) => c.retractedAt !== null && targetKeys.has(changeKey(c.at, c.toLevelId))).map((c) => c.id),
    rewrite: [],
    syncState: null,
    syncOwed: false,
  };
  // A late fact can also change how a standing change came about (an earlier order arrived: silver→gold, not -→gold).
  // The row is unique per instant and level, so it is brought up to date; it was never what the member saw.
  for (const c of changes) {
    const s = storedByKey.get(changeKey(c.at, c.toLevelId));
    if (!s || (s.fromLevelId === c.fromLevelId && s.cause === c.cause && s.status === c.status && sameValue(s.levelExpiresAt, c.levelExpiresAt) && s.reasonJson === c.reasonJson)) continue;
    out.rewrite.push({ id: s.id, data: { fromLevelId: c.fromLevelId, cause: c.cause, status: c.status, levelExpiresAt: c.levelExpiresAt, reasonJson: c.reasonJson } });
  }
  if (!member.deletedAt) {
    const hash = shopperViewHash(memberShopperView({ ...member, customerGid: plan.customerGid }, ctx, [...stored.entries, ...entries]));
    const state = stored.syncState;
    if (!state) out.syncState = { kind: "create", pendingHash: hash };
    // A new view deserves fresh attempts, even after a member's earlier views kept failing.
    else if (state.pendingHash !== hash) out.syncState = { kind: "update", id: state.id, pendingHash: hash };
    out.syncOwed = (state?.syncedHash ?? null) !== hash;
  }
  return out;
}

/** The result a plan's writes add up to. */
export function recalculateResult(plan: MemberPlan, member: Member, row: { kind: "create" | "update" | "none" }, w: MemberFactWrites): RecalculateResult {
  const written = row.kind !== "none" || w.entries.length > 0 || w.changes.length > 0 || w.retract.length > 0 || w.restore.length > 0 || w.rewrite.length > 0;
  return {
    customerGid: plan.customerGid,
    outcome: written ? "written" : "unchanged",
    memberId: member.id,
    levelId: member.levelId,
    newLedgerEntries: w.entries.length,
    newLevelChanges: w.changes.length,
    syncOwed: w.syncOwed,
  };
}

/** Writes what differs between the plan and what is stored; nothing when they agree. */
export async function persistPlan(tx: Tx, ctx: ShopContext, plan: MemberPlan, stored: StoredMember, now: Date): Promise<RecalculateResult> {
  const { customerGid } = plan;
  const row = memberRowWrite(plan, stored, now);
  if (!row) return { customerGid, outcome: "not-a-member", memberId: null, levelId: null, newLedgerEntries: 0, newLevelChanges: 0, syncOwed: false };
  let member = stored.member!;
  if (row.kind === "create") member = await tx.member.create({ data: { shop: ctx.shop, customerGid, ...row.data, version: 1 } });
  else if (row.kind === "update") member = await tx.member.update({ where: { id: member.id }, data: { ...row.data, version: { increment: 1 } } });
  const memberId = member.id;

  const w = memberFactWrites(ctx, plan, stored, member, now);
  if (w.entries.length) await tx.pointsEntry.createMany({ data: w.entries.map((e) => ({ ...e, shop: ctx.shop, memberId, idempotencyKey: `${memberId}:${e.key}` })) });
  if (w.changes.length) await tx.levelChange.createMany({ data: w.changes.map((c) => ({ ...c, shop: ctx.shop, memberId })) });
  if (w.retract.length) await tx.levelChange.updateMany({ where: { id: { in: w.retract } }, data: { retractedAt: now } });
  if (w.restore.length) await tx.levelChange.updateMany({ where: { id: { in: w.restore } }, data: { retractedAt: null } });
  for (const r of w.rewrite) await tx.levelChange.update({ where: { id: r.id }, data: r.data });
  if (w.syncState?.kind === "create") await tx.syncState.create({ data: { shop: ctx.shop, subject: customerGid, pendingHash: w.syncState.pendingHash } });
  else if (w.syncState?.kind === "update") await tx.syncState.update({ where: { id: w.syncState.id }, data: { pendingHash: w.syncState.pendingHash, failures: 0, lastError: null } });
  if (w.syncOwed) await enqueueJob(tx, { type: SYNC_MEMBERS_JOB, shop: ctx.shop, key: syncMembersKey(ctx.shop) }, now);
  return recalculateResult(plan, member, row, w);
}

/**
 * Serialises folds of the same members across workers (PostgreSQL; on SQLite one writer holds the database anyway).
 * Taken first in the writing transaction, before the facts are read, so the fold that waits reads every fact the one
 * before it saw: the last to commit folds the most facts, whatever order the workers ran in. Released at commit.
 */
export async function lockMembers(tx: Tx, shop: string, customerGids: string[]): Promise<void> {
  await lockNames(tx, customerGids.map((gid) => `${shop} ${gid}`));
}

/** One member, in one transaction: the webhook drainer's unit of work. */
export async function recalculateMember(db: Db, ctx: ShopContext, customerGid: string, opts: RecalculateOptions): Promise<RecalculateResult> {
  if (!currentProgram(ctx)) return { customerGid, outcome: "no-program", memberId: null, levelId: null, newLedgerEntries: 0, newLevelChanges: 0, syncOwed: false };
  return db.$transaction(async (tx) => {
    await lockMembers(tx, ctx.shop, [customerGid]);
    const plan = planMember(ctx, customerGid, await loadMemberFacts(tx, ctx.shop, customerGid), opts)!;
    return persistPlan(tx, ctx, plan, (await loadStoredMembers(tx, ctx.shop, [customerGid])).get(customerGid)!, opts.now);
  }, { timeout: 60_000 }); // It may wait for another worker's fold of a chunk holding this member.
}

/**
 * Facts of many customers in three queries. Refunds are found by order, not by customer: a refund that arrived
 * before its order has no customer on its row.
 */
export async function loadFactsOfMany(db: Db | Tx, shop: string, customerGids: string[]): Promise<Map<string, MemberFacts>> {
  const [orders, adjustments] = await Promise.all([
    db.orderFact.findMany({ where: { shop, customerGid: { in: customerGids }, paidAt: { not: null }, test: false }, orderBy: [{ paidAt: "asc" }, { orderGid: "asc" }] }),
    db.memberAdjustment.findMany({ where: { shop, customerGid: { in: customerGids } }, orderBy: [{ at: "asc" }, { key: "asc" }] }),
  ]);
  const refunds = orders.length
    ? await db.refundFact.findMany({ where: { shop, orderGid: { in: orders.map((o) => o.orderGid) } }, orderBy: [{ createdAt: "asc" }, { refundGid: "asc" }] })
    : [];
  const out = new Map<string, MemberFacts>(customerGids.map((gid) => [gid, { orders: [], refunds: [], adjustments: [] }]));
  const customerOf = new Map<string, string>();
  for (const o of orders) {
    out.get(o.customerGid!)!.orders.push(o);
    customerOf.set(o.orderGid, o.customerGid!);
  }
  for (const r of refunds) out.get(customerOf.get(r.orderGid)!)?.refunds.push(r);
  for (const a of adjustments) out.get(a.customerGid)?.adjustments.push(a);
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
export async function recalculateMembers(db: Db, ctx: ShopContext, customerGids: string[], opts: RecalculateManyOptions): Promise<RecalculateResult[]> {
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
        const plans = chunk.map((gid) => planMember(ctx, gid, facts.get(gid)!, { now: opts.now, profile: profiles.get(gid) ?? null })!);
        const stored = await loadStoredMembers(tx, ctx.shop, chunk);
        const out: RecalculateResult[] = [];
        for (const plan of plans) out.push(await persistPlan(tx, ctx, plan, stored.get(plan.customerGid)!, opts.now));
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
