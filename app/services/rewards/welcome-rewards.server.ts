import { randomUUID } from "node:crypto";
import { loadBenefitConfigs } from "./benefit-configs.server";
import { z } from "zod";
import { dueWelcomeRewards, rewardEndsAt, rewardingUpgrades, type DueWelcomeReward, type WelcomeBenefit } from "~/domain/rewards";
import type { DbOrTx, Tx } from "~/db/client.server";
import { ISSUE_REWARDS_JOB, issueRewardsKey } from "~/queue/job-kinds";
import { enqueueJob } from "~/queue/queue.server";
import type { MemberWrite } from "../member-events.server";
import { currentProgram } from "../shop-context.server";

/**
 * The member-write listener for welcome rewards (registered in MEMBER_WRITE_LISTENERS): in the transaction that
 * writes a member's recomputed state, records a pending Reward row for each welcome reward the write made due
 * (app/domain/rewards.ts decides which) and queues the shop's `issue-rewards` job, which creates the codes in Shopify
 * after commit. The row's key (`welcome:<customer>:<level>`) is unique per shop, so a duplicate delivery, a retry or
 * a second worker folding the same facts inserts nothing: a level's welcome reward is given once per member, ever.
 */

const welcomeConfig = z.object({
  type: z.enum(["percentage", "fixed"]),
  value: z.union([z.string(), z.number()]).transform(String),
  validDays: z.number().int().min(1).max(90),
  whenSkipped: z.boolean().optional().default(false),
});

/** The welcome benefit saved per level (Benefit rows of kind "welcome"); unreadable rows are left out. */
export async function loadWelcomeBenefits(db: DbOrTx, shop: string): Promise<Map<string, WelcomeBenefit>> {
  return loadBenefitConfigs(db, shop, "welcome", welcomeConfig);
}

export async function recordWelcomeRewards(tx: Tx, writes: MemberWrite[]): Promise<void> {
  const candidates = writes.flatMap((write) => {
    const program = currentProgram(write.ctx);
    if (!program || write.newChanges.length === 0) return [];
    const input = {
      customerGid: write.member.customerGid,
      origin: write.origin,
      rewardsFrom: write.ctx.rewardsFrom,
      changes: write.newChanges.map((c) => ({ at: c.at.getTime(), fromLevelId: c.fromLevelId, toLevelId: c.toLevelId, cause: c.cause })),
      levels: program.levels.map((l) => ({ id: l.id, rank: l.rank, enabled: l.enabled, internalOnly: l.internalOnly })),
    };
    return rewardingUpgrades(input).length ? [{ write, input }] : [];
  });
  // Most writes reach no level: no read at all then, and one read for all the others.
  if (candidates.length === 0) return;
  const welcome = await loadWelcomeBenefits(tx, candidates[0].write.ctx.shop);
  let inserted = 0;
  for (const { write, input } of candidates)
    for (const r of dueWelcomeRewards({ ...input, welcome })) inserted += await insertWelcomeReward(tx, write, r);
  const { ctx, now } = candidates[0].write;
  if (inserted > 0) await enqueueJob(tx, { type: ISSUE_REWARDS_JOB, shop: ctx.shop, key: issueRewardsKey(ctx.shop) }, now);
}

/**
 * One pending reward unless its key is taken. Valid from now for the level's `validDays` (the issue job creates the code
 * at once, so the shopper gets the days the merchant set). ON CONFLICT DO NOTHING: a failed statement would abort a PostgreSQL transaction.
 */
function insertWelcomeReward(tx: Tx, write: MemberWrite, r: DueWelcomeReward): Promise<number> {
  const { ctx, member, now } = write;
  return tx.$executeRaw`
    INSERT INTO "Reward" ("id", "shop", "memberId", "customerGid", "kind", "key", "levelId", "form", "valueType", "value", "currency",
                          "status", "attempts", "at", "startsAt", "endsAt", "createdAt", "updatedAt")
    VALUES (${randomUUID()}, ${ctx.shop}, ${member.id}, ${member.customerGid}, 'welcome', ${r.key}, ${r.levelId}, 'discountCode',
            ${r.benefit.type}, ${r.benefit.value}, ${ctx.currency}, 'pending', 0, ${new Date(r.at)}, ${now},
            ${new Date(rewardEndsAt(now.getTime(), r.benefit.validDays))}, ${now}, ${now})
    ON CONFLICT ("shop", "key") DO NOTHING`;
}
