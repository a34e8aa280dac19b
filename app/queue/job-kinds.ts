/**
 * Every kind of job Tierline queues, and the dedupe key each is queued under: the one list the enqueuers, the
 * handler table (app/jobs/handlers.server.ts), the admin's progress views and the tests share. A key dedupes pending
 * work: while a job with the key is queued, enqueueing it again does nothing (app/queue/queue.server.ts).
 */

/** The shop's inbox drainer: applies received webhook deliveries, recomputes the members they touched. One queued per shop. */
export const PROCESS_WEBHOOKS_JOB = "process-webhooks";
export const processWebhooksKey = (shop: string) => `${PROCESS_WEBHOOKS_JOB}:${shop}`;

/** Writes what Shopify is owed (member metafields and tags). One queued per shop. */
export const SYNC_MEMBERS_JOB = "sync-members";
export const syncMembersKey = (shop: string) => `${SYNC_MEMBERS_JOB}:${shop}`;

/** The install's history import. One per shop until it has run. */
export const BACKFILL_JOB = "backfill";
export const backfillKey = (shop: string) => `${BACKFILL_JOB}:${shop}`;

/** Recomputes members after a publish (the admin follows its progress and locks editing meanwhile). One per published version. */
export const RECALCULATE_JOB = "recalculate";
export const recalculateKey = (versionId: string) => `${RECALCULATE_JOB}:${versionId}`;

/**
 * Time-driven reviews (expiry, end of grace, points expiry) and level re-syncs: the same handler as `recalculate`,
 * under a type of its own because a routine expiry check must not show "recalculation in progress" nor lock editing.
 */
export const REVIEW_MEMBERS_JOB = "review-members";
export const dueReviewsKey = (shop: string) => `${REVIEW_MEMBERS_JOB}:${shop}`;
export const levelResyncKey = (shop: string, levelId: string) => `${REVIEW_MEMBERS_JOB}:${shop}:level:${levelId}`;

/**
 * The ranges of a full recalculation after the first, one job each. The queue runs one job per (type, shop) at a
 * time, so each part has a type of its own: `recalculate-part-1` … `recalculate-part-7`.
 */
export const MAX_RECALCULATION_PARTS = 8;
export const partJobType = (index: number) => `${RECALCULATE_JOB}-part-${index}`;
export const RECALCULATION_PART_JOBS: readonly string[] = Array.from({ length: MAX_RECALCULATION_PARTS - 1 }, (_, i) => partJobType(i + 1));

/** Rewrites the tier discount's configuration from the published program and the saved benefits. One queued per shop. */
export const DISCOUNT_SYNC_JOB = "discount-config";
export const discountSyncKey = (shop: string) => `${DISCOUNT_SYNC_JOB}:${shop}`;

/** Rewrites the shop's `program` metafield (the programme shoppers see) from the published program. One queued per shop. */
export const PROGRAM_METAFIELD_JOB = "program-metafield";
export const programMetafieldKey = (shop: string) => `${PROGRAM_METAFIELD_JOB}:${shop}`;

/** Reads the shop's plan (its active app subscription) from Shopify and stores it. One queued per shop. */
export const PLAN_REFRESH_JOB = "plan-refresh";
export const planRefreshKey = (shop: string) => `${PLAN_REFRESH_JOB}:${shop}`;

/** Publishes a scheduled program version at its time. One per scheduled version. */
export const SCHEDULED_PUBLISH_JOB = "publish-program";
export const scheduledPublishKey = (versionId: string) => `${SCHEDULED_PUBLISH_JOB}:${versionId}`;

/**
 * Sends the shop's pending Shopify Flow events (app/services/flow/). One queued per shop when an event is recorded;
 * a retry after a failed send is queued under its own key, so a new event never waits behind a retry's backoff.
 */
export const FLOW_EVENTS_JOB = "flow-events";
export const flowEventsKey = (shop: string) => `${FLOW_EVENTS_JOB}:${shop}`;
export const flowEventsRetryKey = (shop: string) => `${FLOW_EVENTS_JOB}:${shop}:retry`;

/** Records Flow events for members' points that expire soon (app/services/flow/points-expiring.server.ts). Queued by the schedule, one per shop. */
export const POINTS_EXPIRING_JOB = "points-expiring";
export const pointsExpiringKey = (shop: string) => `${POINTS_EXPIRING_JOB}:${shop}`;

/**
 * Issues the shop's pending rewards in Shopify (discount codes; app/services/rewards/issue-rewards.server.ts). One
 * queued per shop when a reward is recorded; a retry after a failed issue is queued under its own key, so a new
 * reward never waits behind a retry's backoff.
 */
export const ISSUE_REWARDS_JOB = "issue-rewards";
export const issueRewardsKey = (shop: string) => `${ISSUE_REWARDS_JOB}:${shop}`;
export const issueRewardsRetryKey = (shop: string) => `${ISSUE_REWARDS_JOB}:${shop}:retry`;

/** Reads the collections and tags of live orders' products (webhooks carry neither) and writes them into the lines. One queued per shop. */
export const RESOLVE_ORDER_SCOPES_JOB = "resolve-order-scopes";
export const resolveOrderScopesKey = (shop: string) => `${RESOLVE_ORDER_SCOPES_JOB}:${shop}`;

/** Records the shop's birthday rewards due today (app/services/rewards/birthdays.server.ts). Queued by the schedule, one per shop. */
export const BIRTHDAY_REWARDS_JOB = "birthday-rewards";
export const birthdayRewardsKey = (shop: string) => `${BIRTHDAY_REWARDS_JOB}:${shop}`;

/** Writes members' stored birthdays to their `$app:tierline.birthday` metafield. One per customer (or per imported file). */
export const BIRTHDAY_METAFIELDS_JOB = "birthday-metafields";
export const birthdayMetafieldsKey = (shop: string, tag: string) => `${BIRTHDAY_METAFIELDS_JOB}:${shop}:${tag}`;

/**
 * Finishes points redemptions still pending a minute after the debit (app/services/rewards/redemption.server.ts): the
 * store credit or code given (looked up first, never twice) or the points given back. One queued per shop.
 */
export const REDEMPTION_CREDIT_JOB = "redemption-credit";
export const redemptionCreditKey = (shop: string) => `${REDEMPTION_CREDIT_JOB}:${shop}`;
