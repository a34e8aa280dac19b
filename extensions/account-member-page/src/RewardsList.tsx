import type { MemberAnswer } from "../../../app/shared/member-query";
import type { ViewContext } from "../../../app/shared/member-view";
import { rewardRows } from "../../../app/shared/reward-view";
import { parseTierProgram } from "../../../app/shared/tier-metafield";

/**
 * "Your rewards" on the member page: each issued reward (welcome codes and points, birthday rewards, points redeemed)
 * from the `rewards` metafield, with its code to copy at checkout and its last day. Nothing is shown until the member
 * has one. `now` (epoch ms) decides which codes have expired.
 */
export function RewardsList({ answer, ctx, now = Date.now() }: { answer: MemberAnswer; ctx: ViewContext; now?: number }) {
  const levelNames = new Map((parseTierProgram(answer.program)?.levels ?? []).map((l) => [l.id, l.name]));
  const rows = rewardRows(answer.docs.rewards, ctx, now, levelNames);
  if (rows.length === 0) return null;
  const { t } = ctx;
  return (
    <s-section heading={t("reward.heading")}>
      <s-stack gap="base">
        {rows.map((row) => (
          <s-stack key={row.key} gap="small-300">
            <s-stack direction="inline" gap="small-200" alignItems="center">
              <s-text type="strong">{row.title}</s-text>
              {row.value ? <s-text>{row.value}</s-text> : null}
            </s-stack>
            {row.code ? (
              <s-stack direction="inline" gap="small-200" alignItems="center">
                <s-text color="subdued">{t("reward.code")}</s-text>
                <s-text type="strong">{row.code}</s-text>
              </s-stack>
            ) : null}
            {row.validity ? (
              <s-text color="subdued" tone={row.expired ? "critical" : undefined}>
                {row.validity}
              </s-text>
            ) : null}
          </s-stack>
        ))}
      </s-stack>
    </s-section>
  );
}
