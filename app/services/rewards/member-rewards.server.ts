import type { DbOrTx } from "~/db/client.server";
import { createTranslator, REWARD_MESSAGES_EN } from "~/shared/member-messages";
import { rewardValueText, type MemberRewardRow } from "~/shared/reward-view";
import { buildRewards } from "~/shared/tier-metafield-builder";
import { loadShopContext } from "../shop-context.server";

/**
 * The member page's rewards (admin): every reward row of the member, whatever its status, so the merchant sees what
 * is waiting and why one failed, and the welcome points of each level reached (the ledger's `upgrade:<level>` entries,
 * the welcome reward's points part). Newest first.
 */

export type { MemberRewardRow };

const KIND: Record<string, string> = { welcome: "Welcome", birthday: "Birthday", redemption: "Points redeemed" };
const EN = { locale: "en", t: createTranslator(REWARD_MESSAGES_EN, "en") };

export async function memberRewardsView(db: DbOrTx, shop: string, memberId: string): Promise<MemberRewardRow[]> {
  const [rows, upgrades, ctx] = await Promise.all([
    db.reward.findMany({ where: { shop, memberId }, orderBy: [{ at: "desc" }, { key: "asc" }] }),
    db.pointsEntry.findMany({ where: { shop, memberId, kind: "upgrade" }, select: { key: true, kind: true, points: true, at: true } }),
    loadShopContext(db, shop),
  ]);
  const levelName = (id: string | null) => (id ? (ctx.levels.get(id)?.name ?? id) : null);
  const out: MemberRewardRow[] = rows.map((r) => ({
    id: r.id,
    kind: KIND[r.kind] ?? r.kind,
    level: levelName(r.levelId),
    value: rewardValueText(
      {
        form: r.form === "points" || r.form === "storeCredit" ? r.form : "discountCode",
        valueType: r.valueType === "fixed" || r.valueType === "percentage" ? r.valueType : null,
        value: r.value,
        currency: r.currency,
        points: r.points,
      },
      EN,
    ),
    code: r.code,
    validUntil: r.endsAt?.toISOString() ?? null,
    status: r.status === "issued" || r.status === "failed" ? r.status : "pending",
    error: r.error,
    attempts: r.attempts,
    at: (r.issuedAt ?? r.at).toISOString(),
  }));
  // The welcome points, read as the shopper's `rewards` metafield reads them (one rule for both).
  const points = buildRewards(
    [],
    upgrades.map((e) => ({ ...e, at: e.at.getTime() })),
    Number.MAX_SAFE_INTEGER,
  ).items;
  for (const p of points)
    out.push({
      id: `upgrade:${p.levelId}`,
      kind: KIND.welcome,
      level: levelName(p.levelId),
      value: rewardValueText(p, EN),
      code: null,
      validUntil: null,
      status: "issued",
      error: null,
      attempts: 0,
      at: new Date(p.issuedAt).toISOString(),
    });
  return out.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
}
