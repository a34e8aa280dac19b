import { defaultEventKey, foldFrom, type EventKey, type FoldResult, type MemberCheckpoint } from "~/domain/checkpoint";
import type { MemberEvent } from "~/domain";
import type { ShopContext } from "../shop-context.server";
import { memberEvents, type MemberFacts } from "./member-facts";
import { planFromOutcome, planMember, type MemberPlan, type RecalculateOptions } from "./member-plan";

/**
 * Member state checkpoints between the engine (app/domain/checkpoint.ts) and the database (checkpoints.server.ts):
 * which facts a checkpoint stands for, and the fold that starts from one. Pure: no database, no clock.
 * docs/checkpoints.md explains the design and what it saves.
 */

/** How long after an event a fact dated before it may still arrive: Shopify retries a webhook for 48 hours. */
export const LATE_FACT_WINDOW_MS = 72 * 3_600_000;

/** The checkpoints kept per member: after the last event, and after the last event older than LATE_FACT_WINDOW_MS. */
export type CheckpointSlot = "latest" | "stable";

/**
 * A key per event that changes whenever the engine would read the fact differently: the engine's default key (times,
 * ids, amounts) plus an order's or refund's lines as stored (an order's collections and tags are resolved after it
 * arrives), and a publication by its version id.
 */
export function factEventKey(facts: MemberFacts, ctx: ShopContext): EventKey {
  const orderLines = new Map<string, string>();
  for (const o of facts.orders) orderLines.set(o.orderGid, "linesJson" in o ? o.linesJson : JSON.stringify(o.lines));
  const refundLines = new Map<string, string>();
  for (const r of facts.refunds) refundLines.set(r.refundGid, "linesJson" in r ? r.linesJson : JSON.stringify(r.lines));
  const versionOf = new Map(ctx.versions.map((v) => [v.program, v.versionId]));
  return (f, e) => {
    if (e.type === "publishProgram") {
      const id = versionOf.get(e.program);
      if (id !== undefined) {
        f.num(e.at).str("v").str(id);
        return;
      }
    }
    defaultEventKey(f, e);
    if (e.type === "orderPaid") f.str(orderLines.get(e.order.id) ?? "");
    else if (e.type === "refund") f.str(refundLines.get(e.refund.id) ?? "");
  };
}

/**
 * The member's fold (foldMember's outcome, to the last bit) from the newest checkpoint that still fits their facts,
 * with the checkpoints to keep. A publication after the checkpoint replays the member once, under the new version.
 * A batch that built the events already (memberEvents) passes them. For the full recalculation after a publication:
 * `kept = await loadCheckpoints(db, ctx, customers)`, then per member
 * `keepsCheckpoints(ctx) ? foldWithCheckpoints(ctx, facts, now, checkpointList(kept.get(gid)), events).outcome : foldMember(…)`,
 * and `saveCheckpoints` in the writing transaction.
 */
export function foldWithCheckpoints(
  ctx: ShopContext,
  facts: MemberFacts,
  now: Date,
  kept: readonly MemberCheckpoint[],
  events: MemberEvent[] = memberEvents(facts, ctx.versions),
): FoldResult {
  return foldFrom(ctx.versions[0].program, events, now.getTime(), {
    grantRewards: true,
    from: kept,
    stableAt: now.getTime() - LATE_FACT_WINDOW_MS,
    eventKey: factEventKey(facts, ctx),
  });
}

/**
 * Publications from which checkpoints pay off. Measured by bench/checkpoints.ts: resuming (reading the checkpoint's
 * JSON and fingerprinting the facts) costs about as much as folding a member's history 5 to 6 times, and a full
 * replay folds it once per published version; below this the shop's members are folded from their first fact and no
 * checkpoint is read or written (docs/checkpoints.md).
 */
export const CHECKPOINTS_FROM_PUBLICATIONS = 5;

/** Whether this shop's members keep checkpoints (its programme has been republished often enough). */
export const keepsCheckpoints = (ctx: ShopContext) => ctx.versions.length - 1 >= CHECKPOINTS_FROM_PUBLICATIONS;

/**
 * planMember through the member's checkpoints (when the shop keeps them, keepsCheckpoints): the plan, and the
 * checkpoints to save with the member (null: keep none).
 */
export function planWithCheckpoints(
  ctx: ShopContext,
  customerGid: string,
  facts: MemberFacts,
  opts: RecalculateOptions,
  kept: readonly MemberCheckpoint[],
): { plan: MemberPlan; checkpoints: Pick<FoldResult, "latest" | "stable"> | null } {
  if (!keepsCheckpoints(ctx)) return { plan: planMember(ctx, customerGid, facts, opts)!, checkpoints: null };
  const fold = foldWithCheckpoints(ctx, facts, opts.now, kept);
  return { plan: planFromOutcome(ctx, customerGid, facts, fold.outcome, opts), checkpoints: fold };
}
