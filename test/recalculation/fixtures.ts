import type { MemberPlan } from "~/services/recalculation/member-plan";
import type { ShopContext } from "~/services/shop-context.server";

/** Shared by the recalculation's pure tests: a shop with no levels to show, a member's state. */

export const NOW = new Date("2026-06-01T00:00:00Z");

export const bareShop: ShopContext = {
  shop: "s",
  currency: "USD",
  rewardsFrom: null,
  uninstalled: false,
  versions: [],
  levels: new Map(),
  benefits: new Map(),
};

/** A member's state columns: `levelId` at 10 points, 10.00 spent, one order, nothing ahead. */
export const memberStateAt = (levelId: string, levelSince: Date): MemberPlan["data"] => ({
  levelId,
  status: "active",
  levelSince,
  levelExpiresAt: null,
  graceEndsAt: null,
  locked: false,
  points: 10,
  pointsEarned: 10,
  spend: 1000,
  nextLevelId: null,
  remainingSpend: null,
  remainingPoints: null,
  nextRequirementsJson: null,
  orderCount: 1,
  reviewAt: null,
});
