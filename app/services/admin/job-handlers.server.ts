import type { JobHandler } from "~/jobs/worker.server";
import { DISCOUNT_SYNC_JOB, syncTierDiscount } from "./benefits.server";
import { runScheduledPublish, SCHEDULED_PUBLISH_JOB } from "./publish.server";

/**
 * The admin's job types, for the worker's handler table (`{ ...JOB_HANDLERS, ...ADMIN_JOB_HANDLERS }`).
 * Both handlers read the state when they run, so a retried or repeated job reaches the same result.
 */
export const ADMIN_JOB_HANDLERS: Record<string, JobHandler> = {
  /** Rewrites the tier discount's configuration metafield from the published program and the saved benefits. */
  [DISCOUNT_SYNC_JOB]: async (ctx) => {
    const shop = ctx.job.shop;
    if (!shop) throw new Error(`${DISCOUNT_SYNC_JOB} needs a shop`);
    if (!ctx.deps.adminFor) throw new Error(`${DISCOUNT_SYNC_JOB} needs WorkerDeps.adminFor to reach the Admin API`);
    await syncTierDiscount(ctx.db, await ctx.deps.adminFor(shop), shop);
  },
  /** Publishes a scheduled program version at its time (nothing when it was cancelled meanwhile). */
  [SCHEDULED_PUBLISH_JOB]: async (ctx) => {
    await runScheduledPublish(ctx.db, ctx.payload<{ versionId: string }>(), ctx.now().getTime(), ctx.job.shop);
  },
};
