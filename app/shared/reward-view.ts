/**
 * The shopper-facing view-model of a member's rewards (the `rewards` metafield): one row per issued reward with its
 * title, value, code and last day, for the account page and the admin's member page. Pure: the document (raw or
 * parsed), a locale and the instant to judge expiry by in, plain data out. A document that does not parse shows no
 * rewards.
 */

import { formatDecimalAmount, formatNumber, formatPercent } from "./money-format";
import { formatDate, type ViewContext } from "./member-view";
import { parseTierRewards, type TierRewardV1 } from "./tier-metafield";

export interface RewardRow {
  key: string;
  /** "Welcome reward · Gold", "Birthday reward". */
  title: string;
  /** "15% off", "$5.00 off", "500 points"; null when it cannot be said truthfully. */
  value: string | null;
  code: string | null;
  /** "Use by January 6, 2027" or "Expired on …"; null without an end. */
  validity: string | null;
  expired: boolean;
}

/** What a reward is worth, as shoppers see it. */
export function rewardValueText(
  r: Pick<TierRewardV1, "form" | "valueType" | "value" | "currency" | "points">,
  ctx: Pick<ViewContext, "t" | "locale">,
): string | null {
  if (r.form === "points")
    return r.points === null ? null : ctx.t("reward.points", { count: r.points, formatted: formatNumber(r.points, ctx.locale) });
  if (r.value === null) return null;
  const amount =
    r.valueType === "percentage" ? formatPercent(r.value, ctx.locale) : r.currency ? formatDecimalAmount(r.value, r.currency, ctx.locale) : null;
  if (amount === null) return null;
  return ctx.t(r.form === "storeCredit" ? "reward.storeCredit" : "reward.off", { value: amount });
}

/**
 * Rows for the rewards document, newest first as stored. `levelNames` names the level a reward was given for (the
 * programme's names; the id when unknown). `now` (epoch ms) decides which codes have expired.
 */
export function rewardRows(doc: unknown, ctx: ViewContext, now: number, levelNames: ReadonlyMap<string, string> = new Map()): RewardRow[] {
  const rewards = parseTierRewards(doc);
  if (!rewards) return [];
  return rewards.items.map((r, i) => {
    const kind = ctx.t(`reward.kind.${r.kind}`);
    const level = r.levelId ? (levelNames.get(r.levelId) ?? r.levelId) : null;
    const expired = r.endsAt !== null && Date.parse(r.endsAt) <= now;
    return {
      key: `${r.issuedAt}#${r.kind}#${r.levelId ?? ""}#${i}`,
      title: level ? ctx.t("reward.titleWithLevel", { kind, level }) : kind,
      value: rewardValueText(r, ctx),
      code: r.code,
      validity: r.endsAt === null ? null : ctx.t(expired ? "reward.expired" : "reward.until", { date: formatDate(r.endsAt, ctx) }),
      expired,
    };
  });
}

/** A row of the admin member page's Rewards card (app/services/rewards/member-rewards.server.ts builds them). */
export interface MemberRewardRow {
  id: string;
  /** "Welcome", "Birthday", "Points redeemed". */
  kind: string;
  level: string | null;
  /** "15% off", "$5.00 off", "200 points". */
  value: string | null;
  code: string | null;
  /** ISO instant the code stops working. */
  validUntil: string | null;
  status: "pending" | "issued" | "failed";
  /** Shopify's reason, for a failed reward (and the last one for a reward still being retried). */
  error: string | null;
  attempts: number;
  at: string;
}
