import type { Member, PointsEntry as PointsEntryRow, SyncState } from "@prisma/client";
import { memberShopperView, shopperViewHash, type RewardForSync } from "../member-sync-records.server";
import type { MemberProfile } from "../privacy.server";
import type { ShopContext } from "../shop-context.server";
import { levelChangeWrites, type LevelChangeWrites, type StoredLevelChange } from "./level-changes";
import type { MemberPlan } from "./member-plan";
import { ledgerWrites, type NewEntry, type StoredEntry } from "./points-entries";

/**
 * A plan against what is stored: the member row to create or update, the points entries and level changes to
 * append, retract or bring up to date, the sync state Shopify is owed. Decisions only (no database, time passed in);
 * member-recalculation.server.ts writes them member by member, full-recalculation.server.ts a batch at a time.
 */

/** waiting-for-product-data: left as it is until the member's live orders have their collections and tags (order-scopes.server.ts). */
export type RecalculateOutcome = "no-program" | "not-a-member" | "waiting-for-product-data" | "unchanged" | "written";

export interface RecalculateResult {
  customerGid: string;
  outcome: RecalculateOutcome;
  memberId: string | null;
  levelId: string | null;
  newLedgerEntries: number;
  newLevelChanges: number;
  syncOwed: boolean;
}

/** The result for a customer nothing is written for (no program, or not a member). */
export const nothingWritten = (customerGid: string, outcome: "no-program" | "not-a-member" | "waiting-for-product-data"): RecalculateResult => ({
  customerGid,
  outcome,
  memberId: null,
  levelId: null,
  newLedgerEntries: 0,
  newLevelChanges: 0,
  syncOwed: false,
});

/** What is stored for a member: the state a plan is compared with. Read inside the writing transaction. */
export interface StoredMember {
  member: Member | null;
  /** With `at`: the member's points history in Shopify is part of what the sync hash covers. */
  entries: (StoredEntry & Pick<PointsEntryRow, "at">)[];
  changes: StoredLevelChange[];
  syncState: SyncState | null;
  /** Issued rewards: the `rewards` metafield is part of what the sync hash covers. */
  rewards?: RewardForSync[];
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Date || b instanceof Date) return (a as Date | null)?.getTime() === (b as Date | null)?.getTime();
  return a === b;
}

function changedFields(member: Member, data: Record<string, unknown>): boolean {
  return Object.entries(data).some(([k, v]) => !sameValue((member as unknown as Record<string, unknown>)[k], v));
}

/** The profile fields to store: new, non-empty values, never on a deleted or redacted member. */
export function profileUpdate(member: Member | null, profile: Partial<MemberProfile> | null | undefined): Partial<MemberProfile> {
  if (!profile || member?.deletedAt || member?.redactedAt) return {};
  const out: Partial<MemberProfile> = {};
  for (const k of ["email", "firstName", "lastName", "phone"] as const) {
    const v = profile[k];
    if (typeof v === "string" && v !== "" && (!member || member[k] !== v)) out[k] = v;
  }
  return out;
}

/** The member row's fields a recomputation sets (the plan's state, the profile's new values, when it was evaluated). */
export type MemberRowData = MemberPlan["data"] & Partial<MemberProfile> & { evaluatedAt: Date };
export type MemberRowWrite = { kind: "create" | "update" | "none"; data: MemberRowData };

/**
 * What a plan does to the member row: create it, update it (something differs), or leave it ("none"). Null when the
 * customer is not a member and the plan does not make them one.
 */
export function memberRowWrite(plan: MemberPlan, stored: StoredMember, now: Date): MemberRowWrite | null {
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
export function memberAfterWrite(shop: string, plan: MemberPlan, stored: StoredMember, write: MemberRowWrite, id: string, now: Date): Member {
  if (stored.member && write.kind === "none") return stored.member;
  if (stored.member) return { ...stored.member, ...write.data, version: stored.member.version + 1 };
  const blank = {
    email: null,
    firstName: null,
    lastName: null,
    phone: null,
    birthday: null,
    birthdaySource: null,
    birthdaySetAt: null,
    deletedAt: null,
    redactedAt: null,
    createdAt: now,
    updatedAt: now,
  };
  return { ...blank, id, shop, customerGid: plan.customerGid, ...write.data, version: 1 };
}

/** Everything but the member row that a plan writes, decided against what is stored (no database). */
export interface MemberFactWrites extends LevelChangeWrites {
  /** New ledger entries (never an edit of a stored one). */
  entries: NewEntry[];
  /** The sync state to create or to point at a new view; null when it already holds this view (or the member is deleted). */
  syncState: { kind: "create"; pendingHash: string } | { kind: "update"; id: string; pendingHash: string } | null;
  syncOwed: boolean;
}

export function memberFactWrites(ctx: ShopContext, plan: MemberPlan, stored: StoredMember, member: Member, now: Date): MemberFactWrites {
  const entries = ledgerWrites(stored.entries, plan.ledger, now);
  const out: MemberFactWrites = { entries, ...levelChangeWrites(stored.changes, plan.changes), syncState: null, syncOwed: false };
  if (!member.deletedAt) {
    const hash = shopperViewHash(
      memberShopperView({ ...member, customerGid: plan.customerGid }, ctx, [...stored.entries, ...entries], stored.rewards ?? []),
    );
    const state = stored.syncState;
    if (!state) out.syncState = { kind: "create", pendingHash: hash };
    // A new view deserves fresh attempts, even after a member's earlier views kept failing.
    else if (state.pendingHash !== hash) out.syncState = { kind: "update", id: state.id, pendingHash: hash };
    out.syncOwed = (state?.syncedHash ?? null) !== hash;
  }
  return out;
}

/** The result a plan's writes add up to. */
export function recalculateResult(
  plan: MemberPlan,
  member: Member,
  row: { kind: "create" | "update" | "none" },
  w: MemberFactWrites,
): RecalculateResult {
  const written =
    row.kind !== "none" || w.entries.length > 0 || w.changes.length > 0 || w.retract.length > 0 || w.restore.length > 0 || w.rewrite.length > 0;
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
