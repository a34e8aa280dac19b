import {
  BIRTHDAY_METAFIELDS_JOB,
  BIRTHDAY_REWARDS_JOB,
  DISCOUNT_SYNC_JOB,
  FLOW_EVENTS_JOB,
  POINTS_EXPIRING_JOB,
  ISSUE_REWARDS_JOB,
  PLAN_REFRESH_JOB,
  PROGRAM_METAFIELD_JOB,
  REDEMPTION_CREDIT_JOB,
  BACKFILL_JOB,
  PROCESS_WEBHOOKS_JOB,
  RECALCULATE_JOB,
  RECALCULATION_PART_JOBS,
  RESOLVE_ORDER_SCOPES_JOB,
  REVIEW_MEMBERS_JOB,
  SCHEDULED_PUBLISH_JOB,
  SYNC_MEMBERS_JOB,
} from "~/queue/job-kinds";
import { syncTierDiscount } from "~/services/admin/benefits.server";
import { runScheduledPublish } from "~/services/admin/publish.server";
import { refreshShopPlan } from "~/services/billing/plan-sync.server";
import { resolveOrderScopes } from "~/services/order-scopes.server";
import { sendPendingFlowEvents } from "~/services/flow/flow-sender.server";
import { asCaller } from "~/shopify/admin-graphql.server";
import { recordExpiringPoints } from "~/services/flow/points-expiring.server";
import { syncProgramMetafield } from "~/services/program-metafield.server";
import { finishPendingRedemptions } from "~/services/rewards/redemption.server";
import { issueBirthdayRewards } from "~/services/rewards/birthdays.server";
import { syncBirthdayMetafields } from "~/services/rewards/birthdays-capture.server";
import { issuePendingRewards } from "~/services/rewards/issue-rewards.server";
import { backfillJob } from "./backfill.server";
import { recalculatePartJob } from "./full-recalculation.server";
import { processWebhooksJob } from "./process-webhooks.server";
import { recalculateJob } from "./recalculate.server";
import { syncMembersJob } from "./sync-members.server";
import type { JobHandler } from "./worker.server";

/**
 * Every job type Tierline queues (app/queue/job-kinds.ts) and its handler: the one table the worker (scripts/worker.ts),
 * the demo, the benches and the tests run. A handler must be idempotent: a job whose worker died runs again.
 */
export const JOB_HANDLERS: Record<string, JobHandler> = {
  [PROCESS_WEBHOOKS_JOB]: processWebhooksJob,
  [SYNC_MEMBERS_JOB]: syncMembersJob,
  [RECALCULATE_JOB]: recalculateJob,
  [REVIEW_MEMBERS_JOB]: recalculateJob,
  ...Object.fromEntries(RECALCULATION_PART_JOBS.map((type) => [type, recalculatePartJob])),
  [BACKFILL_JOB]: backfillJob,
  /** Rewrites the tier discount's configuration metafield from the published program and the saved benefits. */
  [DISCOUNT_SYNC_JOB]: async (ctx) => {
    const shop = ctx.job.shop;
    if (!shop) throw new Error(`${DISCOUNT_SYNC_JOB} needs a shop`);
    if (!ctx.deps.adminFor) throw new Error(`${DISCOUNT_SYNC_JOB} needs WorkerDeps.adminFor to reach the Admin API`);
    await syncTierDiscount(ctx.db, await ctx.deps.adminFor(shop), shop);
  },
  /** Rewrites the shop's `program` metafield from the published program (nothing when it is unchanged). */
  [PROGRAM_METAFIELD_JOB]: async (ctx) => {
    const shop = ctx.job.shop;
    if (!shop) throw new Error(`${PROGRAM_METAFIELD_JOB} needs a shop`);
    if (!ctx.deps.adminFor) throw new Error(`${PROGRAM_METAFIELD_JOB} needs WorkerDeps.adminFor to reach the Admin API`);
    await syncProgramMetafield(ctx.db, await ctx.deps.adminFor(shop), shop);
  },
  /** Reads the shop's plan from its active app subscription (app_subscriptions/update) and stores it. */
  [PLAN_REFRESH_JOB]: async (ctx) => {
    const shop = ctx.job.shop;
    if (!shop) throw new Error(`${PLAN_REFRESH_JOB} needs a shop`);
    if (!ctx.deps.adminFor) throw new Error(`${PLAN_REFRESH_JOB} needs WorkerDeps.adminFor to reach the Admin API`);
    await refreshShopPlan(ctx.db, await ctx.deps.adminFor(shop), shop);
  },
  /** Sends the shop's pending Shopify Flow events (flowTriggerReceive), after the transactions that recorded them. */
  [FLOW_EVENTS_JOB]: async (ctx) => {
    const shop = ctx.job.shop;
    if (!shop) throw new Error(`${FLOW_EVENTS_JOB} needs a shop`);
    if (!ctx.deps.adminFor) throw new Error(`${FLOW_EVENTS_JOB} needs WorkerDeps.adminFor to reach the Admin API`);
    // Under the worker's call policy (its clock and sleep for the cost budget), as the members' sync.
    await sendPendingFlowEvents(ctx.db, asCaller(await ctx.deps.adminFor(shop), ctx.deps.syncOptions), shop, ctx.now());
  },
  /** Records Flow events for members' points that expire within the merchant's notice (sent by the flow-events job). */
  [POINTS_EXPIRING_JOB]: async (ctx) => {
    if (!ctx.job.shop) throw new Error(`${POINTS_EXPIRING_JOB} needs a shop`);
    await recordExpiringPoints(ctx.db, ctx.job.shop, ctx.now());
  },
  /** Writes live orders' product collections and tags into their lines; recomputes the members who waited for them. */
  [RESOLVE_ORDER_SCOPES_JOB]: async (ctx) => {
    const shop = ctx.job.shop;
    if (!shop) throw new Error(`${RESOLVE_ORDER_SCOPES_JOB} needs a shop`);
    if (!ctx.deps.adminFor) throw new Error(`${RESOLVE_ORDER_SCOPES_JOB} needs WorkerDeps.adminFor to reach the Admin API`);
    const result = await resolveOrderScopes(ctx.db, await ctx.deps.adminFor(shop), shop, {
      now: ctx.now,
      policy: ctx.deps.syncOptions,
      afterBatch: ctx.heartbeat,
    });
    if (result.resolved > 0) ctx.advanced();
    if (result.error !== null) throw result.error; // retried with backoff; the orders' scopeAttempts counted it
  },
  /** Records the shop's birthday rewards due today (once a year per member, whoever runs it and however often). */
  [BIRTHDAY_REWARDS_JOB]: async (ctx) => {
    if (!ctx.job.shop) throw new Error(`${BIRTHDAY_REWARDS_JOB} needs a shop`);
    await issueBirthdayRewards(ctx.db, ctx.job.shop, ctx.now());
  },
  /** Finishes points redemptions pending for over a minute: the code or store credit given (looked up first) or the points given back. */
  [REDEMPTION_CREDIT_JOB]: async (ctx) => {
    const shop = ctx.job.shop;
    if (!shop) throw new Error(`${REDEMPTION_CREDIT_JOB} needs a shop`);
    const adminFor = ctx.deps.adminFor;
    if (!adminFor) throw new Error(`${REDEMPTION_CREDIT_JOB} needs WorkerDeps.adminFor to reach the Admin API`);
    await finishPendingRedemptions(ctx.db, { admin: adminFor, now: ctx.now }, shop);
  },
  /** Creates the discount codes of the shop's pending rewards (welcome, birthday) in Shopify; failures retry with backoff. */
  [ISSUE_REWARDS_JOB]: async (ctx) => {
    const shop = ctx.job.shop;
    if (!shop) throw new Error(`${ISSUE_REWARDS_JOB} needs a shop`);
    if (!ctx.deps.adminFor) throw new Error(`${ISSUE_REWARDS_JOB} needs WorkerDeps.adminFor to reach the Admin API`);
    await issuePendingRewards(ctx.db, await ctx.deps.adminFor(shop), shop, ctx.now(), { onEach: ctx.heartbeat });
  },
  /** Writes members' stored birthdays to their metafield (the app's copy is the truth; a shopper's later write is undone). */
  [BIRTHDAY_METAFIELDS_JOB]: async (ctx) => {
    const shop = ctx.job.shop;
    if (!shop) throw new Error(`${BIRTHDAY_METAFIELDS_JOB} needs a shop`);
    if (!ctx.deps.adminFor) throw new Error(`${BIRTHDAY_METAFIELDS_JOB} needs WorkerDeps.adminFor to reach the Admin API`);
    await syncBirthdayMetafields(ctx.db, await ctx.deps.adminFor(shop), shop, ctx.payload<{ customerGids: string[] }>().customerGids ?? []);
  },
  /** Publishes a scheduled program version at its time (nothing when it was cancelled meanwhile). */
  [SCHEDULED_PUBLISH_JOB]: async (ctx) => {
    await runScheduledPublish(ctx.db, ctx.payload<{ versionId: string }>(), ctx.now().getTime(), ctx.job.shop);
  },
};
