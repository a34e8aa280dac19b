import type { Member } from "@prisma/client";
import type { ShopContext } from "../shop-context.server";
import type { LevelChangeData } from "./level-changes";
import type { MemberPlan } from "./member-plan";
import {
  memberAfterWrite,
  memberFactWrites,
  memberRowWrite,
  nothingWritten,
  recalculateResult,
  type MemberFactWrites,
  type MemberRowData,
  type RecalculateResult,
  type StoredMember,
} from "./member-writes";
import type { NewEntry } from "./points-entries";

/**
 * The writes of a whole batch of members, gathered per table: the same decisions the one-member writer makes
 * (memberRowWrite, memberFactWrites), so a batch can be written with one statement per table and kind of write.
 * Pure: new rows' ids come from `newId` (row-id.server.ts in production), time from `now`.
 */

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
  /** Per plan, in order: the member as written and its new level changes (what the member-write listeners see); null when not a member. */
  written: ({ member: Member; changes: (LevelChangeData & { id: string; memberId: string })[] } | null)[];
}

export function batchWrites(ctx: ShopContext, plans: MemberPlan[], stored: Map<string, StoredMember>, now: Date, newId: () => string): BatchWrites {
  const out: BatchWrites = {
    createMembers: [],
    updateMembers: [],
    entries: [],
    changes: [],
    retract: [],
    restore: [],
    rewrite: [],
    createSyncStates: [],
    updateSyncStates: [],
    results: [],
    written: [],
  };
  for (const plan of plans) {
    const was = stored.get(plan.customerGid)!;
    const row = memberRowWrite(plan, was, now);
    if (!row) {
      out.results.push(nothingWritten(plan.customerGid, "not-a-member"));
      out.written.push(null);
      continue;
    }
    const member = memberAfterWrite(ctx.shop, plan, was, row, was.member?.id ?? newId(), now);
    if (row.kind === "create") out.createMembers.push({ ...row.data, id: member.id, customerGid: plan.customerGid });
    else if (row.kind === "update") out.updateMembers.push({ ...row.data, id: member.id });
    const w = memberFactWrites(ctx, plan, was, member, now);
    for (const e of w.entries) out.entries.push({ ...e, id: newId(), memberId: member.id, idempotencyKey: `${member.id}:${e.key}` });
    const changes = w.changes.map((c) => ({ ...c, id: newId(), memberId: member.id }));
    out.changes.push(...changes);
    out.retract.push(...w.retract);
    out.restore.push(...w.restore);
    out.rewrite.push(...w.rewrite);
    if (w.syncState?.kind === "create") out.createSyncStates.push({ id: newId(), subject: plan.customerGid, pendingHash: w.syncState.pendingHash });
    else if (w.syncState?.kind === "update") out.updateSyncStates.push({ id: w.syncState.id, pendingHash: w.syncState.pendingHash });
    out.results.push(recalculateResult(plan, member, row, w));
    out.written.push({ member, changes });
  }
  return out;
}
