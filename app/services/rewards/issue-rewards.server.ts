import type { Member, Reward } from "@prisma/client";
import type { Db, Tx } from "~/db/client.server";
import { ISSUE_REWARDS_JOB, issueRewardsRetryKey, SYNC_MEMBERS_JOB, syncMembersKey } from "~/queue/job-kinds";
import { describeError, enqueueJob } from "~/queue/queue.server";
import type { AdminCaller, AdminGraphqlClient } from "~/shopify/admin-graphql.server";
import { recordRewardFlowEvent, rewardValueText } from "../flow/reward-events.server";
import { memberShopperView, shopperViewHash } from "../member-sync-records.server";
import { loadShopContext, type ShopContext } from "../shop-context.server";
import { createRewardCode, type RewardCodeInput } from "./reward-codes.server";
import { issuedRewardsByMember } from "./reward-records.server";

/**
 * The `issue-rewards` job's work: every pending discount-code reward of the shop (welcome, birthday)
 * becomes a code in Shopify, after the transaction that decided it. Each reward is marked issued in a transaction of
 * its own, with its Flow event and the member's sync (the `rewards` metafield shows the code). The code is derived
 * from the reward's id, so a worker that died between creating a code and marking the row finds that code on the
 * retry instead of making a second one. A reward whose code cannot be made is tried again with backoff and, after
 * MAX_REWARD_ATTEMPTS, marked failed with Shopify's reason (shown on the admin's member page).
 *
 * Rewards in points (a birthday's points) are not this job's: their owner records them in the points ledger.
 */

export const MAX_REWARD_ATTEMPTS = 6;
/** First retry a minute after a failure, doubling, at most six hours apart. */
export const REWARD_RETRY_BASE_MS = 60_000;
const REWARD_RETRY_CAP_MS = 6 * 60 * 60_000;

export const rewardRetryDelay = (attempts: number) => Math.min(REWARD_RETRY_CAP_MS, REWARD_RETRY_BASE_MS * 2 ** Math.max(0, attempts - 1));

export interface IssueRewardsSummary {
  issued: number;
  failed: number;
  /** Still pending: failed this time and waiting for their retry. */
  waiting: number;
}

export interface IssueRewardsOptions {
  /** Called between rewards (the job's heartbeat). */
  onEach?: () => Promise<void>;
}

const TITLES: Record<string, string> = { welcome: "welcome reward", birthday: "Birthday reward", redemption: "Points reward" };
const PREFIXES: Record<string, string> = { birthday: "BDAY", redemption: "POINTS" };

/** What the job sends to createRewardCode for a reward (exported so a test can replay a crashed attempt exactly). */
export function rewardCodeInput(reward: Reward, ctx: ShopContext, now: Date): RewardCodeInput {
  const levelName = reward.levelId ? (ctx.levels.get(reward.levelId)?.name ?? reward.levelId) : null;
  const title =
    reward.kind === "welcome"
      ? `${levelName ?? "Level"} ${TITLES.welcome}`
      : `${TITLES[reward.kind] ?? "Reward"}${levelName ? ` (${levelName})` : ""}`;
  return {
    rewardId: reward.id,
    customerGid: reward.customerGid,
    title,
    valueType: reward.valueType === "fixed" ? "fixed" : "percentage",
    value: reward.value ?? "0",
    currency: reward.currency ?? ctx.currency,
    startsAt: reward.startsAt ?? now,
    endsAt: reward.endsAt,
    prefix: PREFIXES[reward.kind] ?? levelName ?? undefined,
  };
}

const isDue = (r: Pick<Reward, "attempts" | "updatedAt">, now: Date) =>
  r.attempts === 0 || r.updatedAt.getTime() + rewardRetryDelay(r.attempts) <= now.getTime();

export async function issuePendingRewards(
  db: Db,
  admin: AdminGraphqlClient | AdminCaller,
  shop: string,
  now: Date,
  opts: IssueRewardsOptions = {},
): Promise<IssueRewardsSummary> {
  const summary: IssueRewardsSummary = { issued: 0, failed: 0, waiting: 0 };
  const pending = await db.reward.findMany({
    // Redemptions are finished by their own job (./redemption.server.ts), which gives the points back on failure.
    where: { shop, status: "pending", form: "discountCode", kind: { in: ["welcome", "birthday"] } },
    orderBy: [{ at: "asc" }, { id: "asc" }],
  });
  if (pending.length === 0) return summary;
  const ctx = await loadShopContext(db, shop);
  if (ctx.uninstalled) return summary;
  let nextRetry: number | null = null;
  for (const reward of pending) {
    await opts.onEach?.();
    if (!isDue(reward, now)) {
      summary.waiting++;
      nextRetry = Math.min(nextRetry ?? Infinity, reward.updatedAt.getTime() + rewardRetryDelay(reward.attempts));
      continue;
    }
    const input = rewardCodeInput(reward, ctx, now);
    let made: { code: string; discountGid: string };
    try {
      made = await createRewardCode(admin, input);
    } catch (error) {
      const attempts = reward.attempts + 1;
      const failed = attempts >= MAX_REWARD_ATTEMPTS;
      // updatedAt set from the job's clock: the retry's due time is measured from it.
      await db.reward.updateMany({
        where: { id: reward.id, status: "pending" },
        data: { attempts, error: describeError(error), status: failed ? "failed" : "pending", updatedAt: now },
      });
      if (failed) summary.failed++;
      else {
        summary.waiting++;
        nextRetry = Math.min(nextRetry ?? Infinity, now.getTime() + rewardRetryDelay(attempts));
      }
      continue;
    }
    await db.$transaction(async (tx) => {
      const { count } = await tx.reward.updateMany({
        where: { id: reward.id, status: "pending" },
        data: {
          status: "issued",
          code: made.code,
          discountGid: made.discountGid,
          issuedAt: now,
          startsAt: input.startsAt,
          error: null,
          updatedAt: now,
        },
      });
      // Another worker marked it first (a lease that ran out mid-run): it sent the event and the sync.
      if (count === 0) return;
      const member = await tx.member.findUnique({ where: { id: reward.memberId } });
      if (!member) return;
      await recordRewardFlowEvent(tx, { ...reward, code: made.code, issuedAt: now });
      await owesMemberSync(tx, ctx, member, now);
    });
    summary.issued++;
  }
  if (nextRetry !== null)
    await enqueueJob(
      db,
      { type: ISSUE_REWARDS_JOB, shop, key: issueRewardsRetryKey(shop), runAt: new Date(Math.max(nextRetry, now.getTime())) },
      now,
    );
  return summary;
}

/** What a reward is worth in Flow messages and the demo ("15% off"): one home, the Flow events' own. */
export { rewardValueText };

/**
 * Points the member's sync state at what Shopify should now show (their `rewards` metafield lists the new code) and
 * queues the shop's sync: the same view and hash the recalculation and the sync job compute.
 */
async function owesMemberSync(tx: Tx, ctx: ShopContext, member: Member, now: Date): Promise<void> {
  if (member.deletedAt) return;
  const memberId = member.id;
  const [ledger, rewards, state] = await Promise.all([
    tx.pointsEntry.findMany({ where: { shop: ctx.shop, memberId }, select: { key: true, kind: true, points: true, at: true } }),
    issuedRewardsByMember(tx, ctx.shop, [memberId]),
    tx.syncState.findUnique({ where: { shop_subject: { shop: ctx.shop, subject: member.customerGid } } }),
  ]);
  const hash = shopperViewHash(memberShopperView(member, ctx, ledger, rewards.get(memberId) ?? []));
  if (!state) await tx.syncState.create({ data: { shop: ctx.shop, subject: member.customerGid, pendingHash: hash } });
  else if (state.pendingHash !== hash)
    await tx.syncState.update({ where: { id: state.id }, data: { pendingHash: hash, failures: 0, lastError: null } });
  if ((state?.syncedHash ?? null) !== hash) await enqueueJob(tx, { type: SYNC_MEMBERS_JOB, shop: ctx.shop, key: syncMembersKey(ctx.shop) }, now);
}
