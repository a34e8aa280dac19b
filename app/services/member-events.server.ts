import type { Member } from "@prisma/client";
import type { Tx } from "~/db/client.server";
import type { LevelChangeData } from "./recalculation/level-changes";
import type { MemberPlan } from "./recalculation/member-plan";
import type { ShopContext } from "./shop-context.server";
import { recordLevelFlowEvents } from "./flow/level-events.server";
import { recordWelcomeRewards } from "./rewards/welcome-rewards.server";

/**
 * What else happens, in the same transaction, when a member's recomputed state is written: rewards that became due
 * (app/services/rewards/), Flow events to send after commit (app/services/flow/). Each listener writes rows keyed so
 * that a repeat of the same fold (a duplicate delivery, a retry, a second worker) inserts nothing new; the rows are
 * acted on (Shopify called) by jobs after commit, never inside the transaction.
 */

/**
 * Why the member was recomputed:
 * - live: the webhook drainer folded new facts (orders, refunds, cancellations) about the member;
 * - review: time passed (expiry, end of grace, points expiry) with no new fact;
 * - admin: the merchant changed the member (manual level, points adjustment, CSV import) and the page recomputed it;
 * - replay: anything else (a publish, a backfill, a level's members re-synced): never a reason to reward or notify.
 */
export type RecalculationOrigin = "live" | "review" | "admin" | "replay";

export interface MemberWrite {
  ctx: ShopContext;
  /** The member row as written. */
  member: Member;
  plan: MemberPlan;
  /** Level changes inserted by this write (new to the audit trail), oldest first. */
  newChanges: LevelChangeData[];
  origin: RecalculationOrigin;
  now: Date;
}

/** Called once per batch of members written together (what it needs to read, it reads once for all of them). */
export type MemberWriteListener = (tx: Tx, writes: MemberWrite[]) => Promise<void>;

/** Run in order after members' rows are written, inside the writing transaction. */
export const MEMBER_WRITE_LISTENERS: MemberWriteListener[] = [
  recordLevelFlowEvents, // level up / level down for Shopify Flow (app/services/flow/)
  recordWelcomeRewards, // welcome rewards of levels reached through the member's own orders (app/services/rewards/)
];

export async function afterMemberWrites(tx: Tx, writes: MemberWrite[]): Promise<void> {
  if (writes.length === 0) return;
  for (const listener of MEMBER_WRITE_LISTENERS) await listener(tx, writes);
}
