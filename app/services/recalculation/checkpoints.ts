import { defaultEventKey, foldFrom, type EventKey, type FoldOptions, type FoldResult, type MemberCheckpoint } from "~/domain/checkpoint";
import type { MemberEvent, OrderFact } from "~/domain";
import type { ShopContext } from "../shop-context.server";
import { memberEvents, programsReadLines, type MemberFacts } from "./member-facts";
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

const readsLinesOf = new WeakMap<ShopContext["versions"], boolean>();

/** programsReadLines for a shop's versions, computed once per loaded context. */
function shopReadsLines(versions: ShopContext["versions"]): boolean {
  let reads = readsLinesOf.get(versions);
  if (reads === undefined) readsLinesOf.set(versions, (reads = programsReadLines(versions)));
  return reads;
}

/**
 * A key per event that changes whenever the engine would read the fact differently, computed from the events alone
 * (no JSON of the lines, so it costs a few arithmetic operations per line and is the same whichever reader built the
 * events: the one-member reader's stored lines, the SQLite batch's, or the PostgreSQL batch's lines rebuilt from their
 * measures, docs/fact-layout.md):
 *  - the engine's default key (times, ids, amounts, the number of lines) and a publication by its version id;
 *  - an order's line measures, as the engine sums them (non-gift lines, their value and units, the gift-card value):
 *    all it reads of an unscoped order's lines;
 *  - every line's id, product, price, quantity, gift-card flag, collections and tags when any version of the shop's
 *    programme is scoped (the order's collections and tags are resolved after it arrives);
 *  - a refund's lines with the price, quantity and gift-card flag of the order lines they name (what a refund by line
 *    takes back), so an order edited under a refund changes the refund's key.
 */
export function factEventKey(ctx: ShopContext, events: readonly MemberEvent[]): EventKey {
  const versionOf = new Map(ctx.versions.map((v) => [v.program, v.versionId]));
  const everyLine = shopReadsLines(ctx.versions);
  let orders: Map<string, OrderFact> | null = null;
  const orderOf = (id: string) => {
    if (orders === null) {
      orders = new Map();
      for (const e of events) if (e.type === "orderPaid" && !orders.has(e.order.id)) orders.set(e.order.id, e.order);
    }
    return orders.get(id);
  };
  return (f, e) => {
    if (e.type === "publishProgram") {
      const id = versionOf.get(e.program);
      if (id !== undefined) {
        f.num(e.at).str("v").str(id);
        return;
      }
    }
    defaultEventKey(f, e);
    if (e.type === "orderPaid") {
      const lines = e.order.lines;
      let nonGift = 0;
      let value = 0;
      let units = 0;
      let gift = 0;
      for (const l of lines) {
        if (l.giftCard) gift += l.price * l.quantity;
        else {
          nonGift++;
          value += l.price * l.quantity;
          units += l.quantity;
        }
      }
      f.num(nonGift).num(value).num(units).num(gift);
      if (everyLine)
        for (const l of lines) {
          f.str(l.id)
            .str(l.productId)
            .num(l.price)
            .num(l.quantity)
            .num(l.giftCard ? 1 : 0)
            .num(l.collectionIds.length)
            .num(l.tags.length);
          for (const c of l.collectionIds) f.str(c);
          for (const t of l.tags) f.str(t);
        }
    } else if (e.type === "refund" && e.refund.lines.length > 0) {
      const order = orderOf(e.orderId);
      for (const rl of e.refund.lines) {
        f.str(rl.lineId).num(rl.quantity);
        if (order)
          for (const l of order.lines)
            if (l.id === rl.lineId)
              f.num(l.price)
                .num(l.quantity)
                .num(l.giftCard ? 1 : 0);
        f.str("");
      }
    }
  };
}

/**
 * The member's fold (foldMember's outcome, to the last bit) from the newest checkpoint that still fits their events
 * (memberEvents of their facts), with the checkpoints to keep. A publication after the checkpoint replays the member
 * once, under the new version. Used per member by recalculateMember(s) (planWithCheckpoints) and by the full
 * recalculation's batches (full-recalculation.server.ts: loadCheckpointsOfRange, then saveCheckpointsMany).
 */
export function foldWithCheckpoints(
  ctx: ShopContext,
  now: Date,
  kept: readonly MemberCheckpoint[],
  events: MemberEvent[],
  keep?: FoldOptions["keep"],
): FoldResult {
  const opts = { grantRewards: true, stableAt: now.getTime() - LATE_FACT_WINDOW_MS, eventKey: factEventKey(ctx, events), keep };
  try {
    return foldFrom(ctx.versions[0].program, events, now.getTime(), { ...opts, from: kept });
  } catch (error) {
    // A stored checkpoint that cannot be read (checkpoints.server.ts parses them lazily) is no checkpoint.
    if (kept.length === 0) throw error;
    return foldFrom(ctx.versions[0].program, events, now.getTime(), opts);
  }
}

/**
 * FoldOptions.keep for the full recalculation: a member whose fold resumed from a checkpoint and then folded only the
 * publication that triggered the run keeps the checkpoints they have (writing a new one per member would cost the
 * run more than it saves: the next fold replays that one version again). After two publications, or any other fact,
 * the new checkpoints are written. So a re-tier replays each member under at most two versions.
 */
export const keepAfterMoreThanOnePublication: NonNullable<FoldOptions["keep"]> = (resumedAt, events) => {
  if (resumedAt === 0) return true;
  let publications = 0;
  for (let i = resumedAt; i < events.length; i++) {
    if (events[i].type !== "publishProgram" || ++publications > 1) return true;
  }
  return false;
};

/**
 * Publications from which checkpoints pay off. Measured by bench/checkpoints.ts: resuming (reading the checkpoint's
 * JSON and fingerprinting the facts) costs about as much as folding a member's history 5 to 6 times, and a full
 * replay folds it once per published version; below this the shop's members are folded from their first fact and no
 * checkpoint is read or written (docs/checkpoints.md).
 */
export const CHECKPOINTS_FROM_PUBLICATIONS = 5;

/**
 * A re-tier after a publication (the full recalculation) replays every member under the new version, with or without
 * a checkpoint: the checkpoint saves the replays under the versions before it, and costs its JSON and fingerprinting
 * the member's facts. Measured by bench:checkpoints (SQLite, 12 versions, the re-tier's CPU a member, three runs): 12
 * orders (about 24 events with the publications and refunds), resuming 642–681 µs against 551–614 for the full replay
 * (5–24% dearer); 48 orders (about 60 events), 1,833 against 1,851 (even). So a batch resumes a member only when their
 * replay work, events × publications, reaches this; below it they are folded from the first fact and their stored
 * checkpoints kept as they are (a cache: the drain's next fold of that member still resumes from them).
 */
export const RETIER_RESUMES_FROM_WORK = 600;

/** Whether a re-tier resumes this member (their events, memberEvents) from a checkpoint: RETIER_RESUMES_FROM_WORK. */
export const retierResumes = (ctx: ShopContext, events: readonly MemberEvent[]) =>
  events.length * (ctx.versions.length - 1) >= RETIER_RESUMES_FROM_WORK;

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
  const fold = foldWithCheckpoints(ctx, opts.now, kept, memberEvents(facts, ctx.versions));
  return { plan: planFromOutcome(ctx, customerGid, facts, fold.outcome, opts), checkpoints: fold };
}
