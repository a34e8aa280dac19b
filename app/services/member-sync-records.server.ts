import { createHash } from "node:crypto";
import type { NextLevel, RequirementProgress } from "~/domain";
import { canonicalJson } from "~/shared/json-checks";
import { MEMBER_METAFIELD_KEYS, type MemberMetafieldKey } from "~/shared/metafield-keys";
import { buildMemberMetafields, type TierMemberMetafields } from "~/shared/tier-metafield-builder";
import type { ShopContext } from "./shop-context.server";

/**
 * What Shopify should show for a member (docs/contracts.md: the `level`, `progress`, `benefits`, `history` and `rewards`
 * metafields and the tier tag), built from the member's stored row and points ledger by the one shared builder
 * (app/shared/tier-metafield-builder.ts). Its hash is what SyncState compares: a member is owed a sync exactly when
 * the hash of what Shopify should show differs from the hash last written, so a new points entry alone (which
 * changes `history`) is enough to owe one.
 */

/** The Member row's columns the shopper's view reads. */
export interface MemberStateForSync {
  customerGid: string;
  levelId: string | null;
  status: string;
  levelSince: Date | null;
  levelExpiresAt: Date | null;
  points: number;
  spend: number;
  nextLevelId: string | null;
  remainingSpend: number | null;
  /** NextLevel.requirements as JSON (nextRequirementsJson below); absent or null on rows stored before it was kept. */
  nextRequirementsJson?: string | null;
}

/** A stored PointsEntry row, as much of it as the shopper's history needs. */
export interface PointsEntryForSync {
  key: string;
  kind: string;
  points: number;
  at: Date;
}

/** An issued Reward row, as much of it as the shopper's `rewards` metafield shows (app/services/rewards/). */
export interface RewardForSync {
  kind: string;
  levelId: string | null;
  form: string;
  code: string | null;
  valueType: string | null;
  value: string | null;
  currency: string | null;
  points: number | null;
  issuedAt: Date | null;
  endsAt: Date | null;
}

export type MemberShopperView = TierMemberMetafields & { customerGid: string };

/**
 * `rewards`: the member's issued rewards (rewards/reward-records.server.ts). Every production caller passes them, so
 * the hash the recalculation stores and the one the sync writes agree; a caller that left them out would owe the
 * member a sync forever.
 */
export function memberShopperView(
  member: MemberStateForSync,
  ctx: ShopContext,
  ledger: readonly PointsEntryForSync[],
  rewards: readonly RewardForSync[] = [],
): MemberShopperView {
  const docs = buildMemberMetafields(
    {
      levelId: member.levelId,
      status: member.status,
      levelSince: member.levelSince?.getTime() ?? null,
      levelExpiresAt: member.levelExpiresAt?.getTime() ?? null,
      points: member.points,
      spend: member.spend,
      nextLevelId: member.nextLevelId,
      remainingSpend: member.remainingSpend,
      nextRequirements: member.nextLevelId ? readRequirements(member.nextRequirementsJson) : null,
    },
    ctx,
    ledger.map((e) => ({ key: e.key, kind: e.kind, points: e.points, at: e.at.getTime() })),
    rewards.filter((r) => r.issuedAt !== null).map((r) => ({ ...r, issuedAt: r.issuedAt!.getTime(), endsAt: r.endsAt?.getTime() ?? null })),
  );
  return { customerGid: member.customerGid, ...docs };
}

/**
 * The Member column `nextRequirementsJson`: the engine's requirements toward the next level, compact
 * (`[[kind, threshold, current, windowDays, scoped], …]`), or null without a next level or requirements.
 */
export function nextRequirementsJson(next: NextLevel | null): string | null {
  if (!next?.requirements) return null;
  return JSON.stringify(next.requirements.map((r) => [r.kind, r.threshold, r.current, r.windowDays, r.scoped ? 1 : 0]));
}

/** The column read back; anything unreadable (a row written by hand, a future shape) as no requirements. */
function readRequirements(json: string | null | undefined): RequirementProgress[] | null {
  if (!json) return null;
  try {
    const rows = JSON.parse(json) as unknown;
    if (!Array.isArray(rows)) return null;
    const out: RequirementProgress[] = [];
    for (const r of rows) {
      if (!Array.isArray(r) || typeof r[0] !== "string" || typeof r[1] !== "number" || typeof r[2] !== "number") return null;
      out.push({
        kind: r[0] as RequirementProgress["kind"],
        threshold: r[1],
        current: r[2],
        windowDays: typeof r[3] === "number" ? r[3] : null,
        scoped: r[4] === 1,
      });
    }
    return out;
  } catch {
    return null;
  }
}

/**
 * Stable hash of what Shopify should show, one part per metafield in MEMBER_METAFIELD_KEYS' order (each part 11
 * characters of the SHA-256 of its canonical JSON, so equal views hash equally), joined by dots. Comparing the parts
 * of the hash last synced with the new one tells which metafields changed (changedMetafieldKeys): a new order changes
 * `progress` and `history`, and only those are sent.
 */
export function shopperViewHash(view: MemberShopperView): string {
  return MEMBER_METAFIELD_KEYS.map((key) => createHash("sha256").update(canonicalJson(view[key])).digest("base64url").slice(0, 11)).join(".");
}

/**
 * A member's synced hash when Shopify has their metafields as `hash` but their tier tag is still owed (the live sync
 * reconciles a bounded number of tags a run, app/jobs/sync-members.server.ts): it differs from the pending hash, so
 * the member stays owed a sync, while changedMetafieldKeys reads it as `hash`, so the next run sends only the tag.
 */
export const withTagOwed = (hash: string): string => `${hash}${TAG_OWED}`;
export const TAG_OWED = ".tag-owed";

/** The metafields whose part of the hash differs; all of them when nothing was synced yet or a hash is of another form. */
export function changedMetafieldKeys(syncedHash: string | null, pendingHash: string): MemberMetafieldKey[] {
  const before = (syncedHash?.endsWith(TAG_OWED) ? syncedHash.slice(0, -TAG_OWED.length) : syncedHash)?.split(".") ?? [];
  const after = pendingHash.split(".");
  if (before.length !== MEMBER_METAFIELD_KEYS.length || after.length !== MEMBER_METAFIELD_KEYS.length) return [...MEMBER_METAFIELD_KEYS];
  return MEMBER_METAFIELD_KEYS.filter((_, i) => before[i] !== after[i]);
}
