import type { DbOrTx } from "~/db/client.server";
import { rewardValueText } from "./issue-rewards.server";

/** What the demo's summary prints about rewards: counts per kind and status, and one issued code as an example. */
export interface RewardsSummary {
  byKind: Record<string, { pending: number; issued: number; failed: number }>;
  /** Rewards issued as a discount code. */
  codesIssued: number;
  /** The most recently issued code, or null when none was issued. */
  example: { customerGid: string; levelId: string | null; code: string; value: string | null; endsAt: string | null } | null;
}

export async function rewardsSummary(db: DbOrTx, shop: string): Promise<RewardsSummary> {
  const [groups, codesIssued, latest] = await Promise.all([
    db.reward.groupBy({ by: ["kind", "status"], where: { shop }, _count: { _all: true }, orderBy: [{ kind: "asc" }, { status: "asc" }] }),
    db.reward.count({ where: { shop, status: "issued", code: { not: null } } }),
    db.reward.findFirst({ where: { shop, status: "issued", code: { not: null } }, orderBy: [{ issuedAt: "desc" }, { id: "asc" }] }),
  ]);
  const byKind: RewardsSummary["byKind"] = {};
  for (const g of groups) {
    const counts = (byKind[g.kind] ??= { pending: 0, issued: 0, failed: 0 });
    if (g.status === "pending" || g.status === "issued" || g.status === "failed") counts[g.status] += g._count._all;
  }
  return {
    byKind,
    codesIssued,
    example: latest && {
      customerGid: latest.customerGid,
      levelId: latest.levelId,
      code: latest.code!,
      value: rewardValueText(latest),
      endsAt: latest.endsAt?.toISOString() ?? null,
    },
  };
}
