import type { Reward } from "@prisma/client";
import type { Tx } from "~/db/client.server";
import { renderMessage, withDefaultTemplates } from "~/forms/notification-templates";
import { formatDecimalAmount, formatNumber, formatPercent } from "~/shared/money-format";
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

/** What the reward is worth, as a shopper reads it: "15% off", "$5.00 off", "500 points", "$5.00 store credit". */
export function rewardValueText(r: Pick<Reward, "form" | "valueType" | "value" | "currency" | "points">): string {
  const money = (v: string | null) => (v !== null && r.currency ? formatDecimalAmount(v, r.currency, "en", { trimWhole: false }) : null);
  if (r.form === "discountCode" && r.value !== null) {
    const amount = r.valueType === "percentage" ? formatPercent(r.value, "en") : money(r.value);
    return amount ? `${amount} off` : "";
  }
  if (r.form === "storeCredit") {
    const amount = money(r.value);
    return amount ? `${amount} store credit` : "";
  }
  if (r.form === "points" && r.points !== null) return `${formatNumber(r.points, "en")} points`;
  return "";
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
