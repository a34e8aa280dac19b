// Welcome rewards: which a member write makes due. Pure: the level changes, the levels and the merchant's welcome
// benefits come in, the rewards to record come out. No clock: every instant is an argument.

import type { Instant } from "./time";

/** Why a member's state was written (RecalculationOrigin in app/services/member-events.server.ts). */
export type RewardOrigin = "live" | "review" | "admin" | "replay";

/** A level change as the audit trail stores it (enough of it to decide rewards). */
export interface RewardLevelChange {
  at: Instant;
  fromLevelId: string | null;
  /** "" or null: the member left every level. */
  toLevelId: string | null;
  /** The engine's LevelChangeCause. */
  cause: string;
}

/** A level of the programme in force, as much as rewards need. */
export interface RewardLevel {
  id: string;
  rank: number;
  enabled: boolean;
  internalOnly: boolean;
}

/** The welcome benefit a merchant saved for a level: a discount code, valid for `validDays` from issue. */
export interface WelcomeBenefit {
  type: "percentage" | "fixed";
  /** "10" (percent) or "5.00" (money in the shop's currency). */
  value: string;
  validDays: number;
  /** Also given to members who pass this level on the way to a higher one in one step (none → Gold over Silver). */
  whenSkipped: boolean;
}

export interface DueWelcomeReward {
  /** `welcome:<customerGid>:<levelId>`: unique per shop, so a level's welcome reward is given once per member, ever. */
  key: string;
  levelId: string;
  /** When the member reached the level (the upgrade's instant). */
  at: Instant;
  /** Given for a level the member skipped past, not the one they landed on. */
  skipped: boolean;
  benefit: WelcomeBenefit;
}

export interface WelcomeRewardsInput {
  customerGid: string;
  origin: RewardOrigin;
  /** Shop.rewardsFrom (the install): history before it never rewards. null: no such limit recorded. */
  rewardsFrom: Instant | null;
  /** The level changes this write inserted into the audit trail, oldest first. */
  changes: readonly RewardLevelChange[];
  levels: readonly RewardLevel[];
  /** The welcome benefit saved per level id (levels without one are absent). */
  welcome: ReadonlyMap<string, WelcomeBenefit>;
}

export const welcomeRewardKey = (customerGid: string, levelId: string) => `welcome:${customerGid}:${levelId}`;

/** Origins that may reward: the member's own orders (live) and time passing over them (review). */
const REWARDING_ORIGINS: ReadonlySet<RewardOrigin> = new Set(["live", "review"]);

/**
 * The upgrades among `changes` that can earn welcome rewards: the member reached a higher level through their own
 * orders (cause "upgrade"), at or after the install, in a write that folded live facts or a review. Manual levels,
 * publishes, disabled levels and every replay (publish, backfill, re-sync) never reward. Cheap, so a caller can skip
 * loading benefits when there are none.
 */
export function rewardingUpgrades(input: Pick<WelcomeRewardsInput, "origin" | "rewardsFrom" | "changes" | "levels">): RewardLevelChange[] {
  if (!REWARDING_ORIGINS.has(input.origin)) return [];
  const rank = new Map(input.levels.map((l) => [l.id, l.rank]));
  return input.changes.filter((c) => {
    if (c.cause !== "upgrade" || !c.toLevelId) return false;
    if (input.rewardsFrom !== null && c.at < input.rewardsFrom) return false;
    const to = rank.get(c.toLevelId);
    if (to === undefined) return false;
    const from = c.fromLevelId ? rank.get(c.fromLevelId) : undefined;
    return from === undefined || to > from;
  });
}

/**
 * The welcome rewards `changes` make due: the level reached, when it has a welcome benefit, and each level passed on
 * the way (ranks strictly between where the member was and where they landed) whose welcome benefit says
 * `whenSkipped`. Disabled and internal-only levels are never passed through. Each level once (the first upgrade that
 * reaches or passes it); that it was never given before is the key's job (unique per shop).
 */
export function dueWelcomeRewards(input: WelcomeRewardsInput): DueWelcomeReward[] {
  const ordered = [...input.levels].sort((a, b) => a.rank - b.rank);
  const byId = new Map(ordered.map((l) => [l.id, l]));
  const out = new Map<string, DueWelcomeReward>();
  const add = (level: RewardLevel, at: Instant, skipped: boolean) => {
    const benefit = input.welcome.get(level.id);
    if (!benefit || out.has(level.id)) return;
    if (skipped && !benefit.whenSkipped) return;
    out.set(level.id, { key: welcomeRewardKey(input.customerGid, level.id), levelId: level.id, at, skipped, benefit });
  };
  for (const c of rewardingUpgrades(input)) {
    const to = byId.get(c.toLevelId!)!;
    const fromRank = c.fromLevelId ? (byId.get(c.fromLevelId)?.rank ?? -Infinity) : -Infinity;
    for (const l of ordered) {
      if (l.rank <= fromRank || l.rank >= to.rank || !l.enabled || l.internalOnly) continue;
      add(l, c.at, true);
    }
    add(to, c.at, false);
  }
  return [...out.values()];
}

/** When a discount code given at `issuedAt` stops working: `validDays` whole days later. */
export function rewardEndsAt(issuedAt: Instant, validDays: number): Instant {
  return issuedAt + validDays * 86_400_000;
}
