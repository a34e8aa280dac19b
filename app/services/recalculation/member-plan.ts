import { DAY_MS, evaluateMember, type MemberEvent, type MemberOutcome, type PointsEntry, type Program } from "~/domain";
import { nextRequirementsJson } from "../member-sync-records.server";
import type { RecalculationOrigin } from "../member-events.server";
import type { MemberProfile } from "../privacy.server";
import { currentProgram, type ShopContext } from "../shop-context.server";
import { levelChangeRows, type LevelChangeData } from "./level-changes";
import { memberEvents, qualifiesAsMember, type MemberFacts } from "./member-facts";
import { ledgerToPersist, round4 } from "./points-entries";

/**
 * What the engine says a member is, from their facts alone: the member row's state, the points entries and the level
 * changes to persist. No database; time is passed in (`now`). The writers compare the plan with what is stored
 * (member-writes.ts) and write only the difference.
 */

export interface RecalculateOptions {
  now: Date;
  /** Personal data seen in the deliveries that touched the member (kept only for members). */
  profile?: Partial<MemberProfile> | null;
  /** Why the member is recomputed (app/services/member-events.server.ts); "replay" when not given. */
  origin?: RecalculationOrigin;
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

/** The member row's state columns for an outcome (the profile and evaluatedAt are added by memberRowWrite). */
export function memberState(outcome: MemberOutcome, ledger: PointsEntry[], facts: MemberFacts, program: Program, now: Date) {
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

export type MemberState = ReturnType<typeof memberState>;

/** What the engine says a member is, from their facts alone (no database): the input of the writers. */
export interface MemberPlan {
  customerGid: string;
  qualifies: boolean;
  data: MemberState;
  ledger: PointsEntry[];
  changes: LevelChangeData[];
  profile: Partial<MemberProfile> | null;
}

/** The plan for one member; null when the shop has no program. */
export function planMember(ctx: ShopContext, customerGid: string, facts: MemberFacts, opts: RecalculateOptions): MemberPlan | null {
  if (!currentProgram(ctx)) return null;
  return planFromOutcome(ctx, customerGid, facts, foldMember(ctx, memberEvents(facts, ctx.versions), opts.now), opts);
}

/** The engine's fold alone (every published version replayed from the first): what a bench times as engine time. */
export function foldMember(ctx: ShopContext, events: MemberEvent[], now: Date): MemberOutcome {
  return evaluateMember(ctx.versions[0].program, events, now.getTime(), { grantRewards: true });
}

/** planMember after the fold: the outcome mapped to the rows to persist. The shop must have a program. */
export function planFromOutcome(
  ctx: ShopContext,
  customerGid: string,
  facts: MemberFacts,
  outcome: MemberOutcome,
  opts: RecalculateOptions,
): MemberPlan {
  const program = currentProgram(ctx)!;
  const ledger = ledgerToPersist(outcome.ledger, ctx.rewardsFrom);
  return {
    customerGid,
    qualifies: qualifiesAsMember(facts, program),
    data: memberState(outcome, ledger, facts, program, opts.now),
    ledger,
    changes: levelChangeRows(outcome.levelChanges),
    profile: opts.profile ?? null,
  };
}
