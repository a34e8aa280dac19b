import type { Db } from "~/db/client.server";
import { dueReviewsKey, REVIEW_MEMBERS_JOB } from "~/queue/job-kinds";
import { enqueueJob } from "~/queue/queue.server";
import { recalculateMembers } from "~/services/member-recalculation.server";
import type { RecalculationOrigin } from "~/services/member-events.server";
import type { MemberProfile } from "~/services/privacy.server";
import { currentProgram, loadShopContext } from "~/services/shop-context.server";
import { fullRecalculationJob, type FullRecalculationPayload } from "./full-recalculation.server";
import type { JobContext } from "./worker.server";

/**
 * Job `recalculate`: recomputes members of a shop from their facts (after a publish, a backfill, or time passing
 * for members whose level expires). With `customerGids` only those, with `levelId` that level's members; otherwise
 * every member and every customer with a paid order, as a full recalculation. Progress is reported on the job row so
 * the admin can show it.
 */

export interface RecalculatePayload extends FullRecalculationPayload {
  customerGids?: string[];
  /** The members at this level when the job runs (their shopper view changed: benefits, card, name). */
  levelId?: string;
  /** The program version whose publication asked for this run (shown by the admin). */
  versionId?: string;
}

/** Members per transaction, and how often progress is reported. */
const CHUNK = 100;

export async function recalculateJob(ctx: JobContext): Promise<void> {
  const shop = ctx.job.shop;
  if (!shop) throw new Error("recalculate needs a shop");
  const payload = ctx.payload<RecalculatePayload>();
  // The whole shop: keyset batches with checkpoints, shared by parts (app/jobs/full-recalculation.server.ts).
  if (payload.customerGids === undefined && payload.levelId === undefined) return fullRecalculationJob(ctx);
  const customers =
    payload.customerGids ??
    (
      await ctx.db.member.findMany({
        where: { shop, levelId: payload.levelId, deletedAt: null },
        select: { customerGid: true },
        orderBy: { customerGid: "asc" },
      })
    ).map((m) => m.customerGid);
  // Time passing (a due review) is a real event for a member; a publish, a backfill or a level re-sync is a replay.
  const origin = ctx.job.type === REVIEW_MEMBERS_JOB && payload.levelId === undefined ? "review" : "replay";
  await recalculateCustomers(ctx, shop, customers, new Map(), origin);
}

export async function recalculateCustomers(
  ctx: JobContext,
  shop: string,
  customers: string[],
  profiles: Map<string, Partial<MemberProfile>>,
  origin: RecalculationOrigin = "replay",
): Promise<void> {
  const shopCtx = await loadShopContext(ctx.db, shop);
  if (!currentProgram(shopCtx)) return;
  await ctx.progress(0, customers.length);
  await recalculateMembers(ctx.db, shopCtx, customers, {
    now: ctx.now(),
    profiles,
    origin,
    chunkSize: CHUNK,
    afterMember: async (result, index) => {
      await ctx.deps.hooks?.afterMember?.({ shop, customerGid: result.customerGid, index, job: ctx.job });
      if ((index + 1) % CHUNK === 0) {
        await ctx.progress(index + 1, customers.length);
        await ctx.heartbeat();
      }
    },
  });
  await ctx.progress(customers.length, customers.length);
}

/**
 * Queues a recalculation for members whose state changes with time alone (expiry, end of grace, points expiry):
 * one job per shop, deduped, so calling this every idle tick costs one indexed query.
 */
export async function enqueueDueReviews(db: Db, now: Date): Promise<number> {
  const shops = await db.shop.findMany({ where: { uninstalledAt: null }, select: { domain: true } });
  let queued = 0;
  for (const { domain: shop } of shops) {
    // Per shop, so the (shop, reviewAt) index answers it.
    const due = await db.member.findMany({ where: { shop, reviewAt: { lte: now }, deletedAt: null }, select: { customerGid: true }, take: 10_000 });
    if (due.length === 0) continue;
    const payload: RecalculatePayload = { customerGids: due.map((m) => m.customerGid) };
    if (await enqueueJob(db, { type: REVIEW_MEMBERS_JOB, shop, key: dueReviewsKey(shop), payload }, now)) queued++;
  }
  return queued;
}
