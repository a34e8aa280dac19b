import type { Prisma } from "@prisma/client";
import type { DbOrTx } from "~/db/client.server";
import { slicesOf } from "~/db/in-slices.server";
import type { RewardForSync } from "../member-sync-records.server";

/**
 * The issued rewards the shopper's `rewards` metafield shows, per member id: read by every writer of a member's sync
 * hash (the recalculation, the sync job, the issue job), so the hash each computes is the same.
 */
export async function issuedRewardsByMember(db: DbOrTx, shop: string, memberIds: string[]): Promise<Map<string, RewardForSync[]>> {
  const out = new Map<string, RewardForSync[]>();
  for (const ids of slicesOf(memberIds))
    for (const [id, rewards] of await issuedRewards(db, { shop, memberId: { in: ids }, status: "issued" })) out.set(id, rewards);
  return out;
}

/** The same for the members whose customer GID is in (after, last]: a full recalculation's batch. */
export async function issuedRewardsOfRange(db: DbOrTx, shop: string, after: string, last: string): Promise<Map<string, RewardForSync[]>> {
  return issuedRewards(db, { shop, customerGid: { gt: after, lte: last }, status: "issued" });
}

async function issuedRewards(db: DbOrTx, where: Prisma.RewardWhereInput): Promise<Map<string, RewardForSync[]>> {
  const out = new Map<string, RewardForSync[]>();
  const rows = await db.reward.findMany({
    where,
    select: {
      memberId: true,
      kind: true,
      levelId: true,
      form: true,
      code: true,
      valueType: true,
      value: true,
      currency: true,
      points: true,
      issuedAt: true,
      endsAt: true,
    },
  });
  for (const { memberId, ...r } of rows) {
    const list = out.get(memberId);
    if (list) list.push(r);
    else out.set(memberId, [r]);
  }
  return out;
}
