import type { Reward } from "@prisma/client";
import type { Tx } from "~/db/client.server";
import { renderMessage, withDefaultTemplates } from "~/forms/notification-templates";
import { createTranslator, REWARD_MESSAGES_EN } from "~/shared/member-messages";
import { rewardValueText as sharedRewardValueText } from "~/shared/reward-view";
import type { TierRewardV1 } from "~/shared/tier-metafield";
import { loadShopSettings } from "../admin/settings.server";
import { recordFlowEvent } from "./flow-events.server";
import { levelNamesOf, memberName } from "./level-events.server";
import { loadShopContext } from "../shop-context.server";

/**
 * Reward issued / birthday reward for Shopify Flow: called by the rewards code (app/services/rewards/) in the
 * transaction that marks a reward issued, so the event carries the code Shopify created. One event per reward
 * (key `reward:<reward key>`), sent after commit by the flow-events job.
 */

export type IssuedReward = Pick<
  Reward,
  "shop" | "memberId" | "customerGid" | "kind" | "key" | "levelId" | "form" | "valueType" | "value" | "currency" | "points" | "code" | "endsAt"
> & { issuedAt: Date } & Partial<Reward>;

const EN = { locale: "en", t: createTranslator(REWARD_MESSAGES_EN, "en") };

/** What the reward is worth, as shoppers read it (app/shared/reward-view.ts, in English): "15% off", "$5.00 off", "500 points". */
export function rewardValueText(r: Pick<Reward, "form" | "valueType" | "value" | "currency" | "points">): string {
  return (
    sharedRewardValueText(
      {
        form: r.form as TierRewardV1["form"],
        valueType: r.valueType as TierRewardV1["valueType"],
        value: r.value,
        currency: r.currency,
        points: r.points,
      },
      EN,
    ) ?? ""
  );
}

export async function recordRewardFlowEvent(tx: Tx, reward: IssuedReward): Promise<void> {
  const [member, ctx, settings] = await Promise.all([
    tx.member.findUnique({ where: { id: reward.memberId }, select: { firstName: true, lastName: true } }),
    loadShopContext(tx, reward.shop),
    loadShopSettings(tx, reward.shop),
  ]);
  const birthday = reward.kind === "birthday";
  const levelName = reward.levelId ? (levelNamesOf(ctx).get(reward.levelId) ?? reward.levelId) : "";
  const value = rewardValueText(reward);
  const endsAt = reward.endsAt?.toISOString() ?? "";
  const templates = withDefaultTemplates(settings.notifications);
  const message = renderMessage(birthday ? templates.birthdayReward : templates.rewardIssued, {
    name: memberName(member ?? { firstName: null }),
    level: levelName,
    reward: value,
    code: reward.code ?? "",
    date: endsAt.slice(0, 10),
  });
  const common = {
    "Reward code": reward.code ?? "",
    "Reward value": value,
    Points: reward.form === "points" ? (reward.points ?? 0) : 0,
    "Ends at": endsAt,
    "Issued at": reward.issuedAt.toISOString(),
    "Message subject": message.subject,
    "Message body": message.body,
  };
  await recordFlowEvent(tx, {
    shop: reward.shop,
    trigger: birthday ? "birthday-reward" : "reward-issued",
    key: `reward:${reward.key}`,
    customerGid: reward.customerGid,
    at: reward.issuedAt,
    payload: birthday ? common : { "Reward kind": reward.kind, "Level name": levelName, ...common },
  });
}
