import { z } from "zod";
import {
  parseTierBenefits,
  parseTierLevel,
  parseTierPointsHistory,
  parseTierRewards,
  parseTierProgress,
  type TierBenefitsV1,
  type TierLevelV1,
  type TierPointsHistoryV1,
  type TierRewardsV1,
  type TierProgressV1,
} from "../shared/tier-metafield";
import { sameJson } from "../shared/json-checks";

/**
 * The sync boundary's view of the member metafields. The shapes and their readers live in one place,
 * app/shared/tier-metafield.ts (what every extension reads with); here they are only re-exported, and the sync's
 * validator is those same readers: a document is accepted only when it reads back exactly as written, so the sync
 * never writes something a surface would silently drop or repair.
 */

export type { NoTierLevelV1, TierBenefitsV1, TierLevelV1, TierPointsEntryV1, TierPointsHistoryV1, TierProgressV1 } from "../shared/tier-metafield";

export const TIER_TAG_PREFIX = "tier:";

const LEVEL_ID = /^[A-Za-z0-9_-]+$/;
const LEVEL_ID_MESSAGE = "level ids are letters, digits, '-' and '_'";
const levelId = z.string().min(1).max(64).regex(LEVEL_ID, LEVEL_ID_MESSAGE);

/** A contract document, valid when the shared reader gives back exactly what was sent (after a JSON round trip). */
function contractDocument<T>(name: string, read: (json: unknown) => T | null) {
  return z.unknown().transform((value, ctx): T => {
    const back = read(JSON.parse(JSON.stringify(value ?? null)));
    if (back === null || !sameJson(back, value)) {
      ctx.addIssue({
        code: "custom",
        message: `is not a ${name} that reads back unchanged (${back === null ? "the reader refuses it" : "the reader would drop or repair part of it"})`,
      });
      return z.NEVER;
    }
    return back;
  });
}

export const TierLevelSchema = contractDocument<TierLevelV1>("TierLevelV1", parseTierLevel);
export const TierProgressSchema = contractDocument<TierProgressV1>("TierProgressV1", parseTierProgress);
export const TierBenefitsSchema = contractDocument<TierBenefitsV1>("TierBenefitsV1", parseTierBenefits);
export const TierPointsHistorySchema = contractDocument<TierPointsHistoryV1>("TierPointsHistoryV1", parseTierPointsHistory);
export const TierRewardsSchema = contractDocument<TierRewardsV1>("TierRewardsV1", parseTierRewards);

export const CUSTOMER_GID = /^gid:\/\/shopify\/Customer\/\d+$/;

export const MemberSyncRecordSchema = z.object({
  customerGid: z.string().regex(CUSTOMER_GID, "must be a Customer GID like gid://shopify/Customer/123"),
  /** The level the customer had at the last successful sync; its tier tag is removed when it differs. */
  previousLevelId: levelId.nullable(),
  // The id also names the tier tag, so it keeps to tag-safe characters.
  level: TierLevelSchema.refine((l) => LEVEL_ID.test(l.id), { message: LEVEL_ID_MESSAGE, path: ["id"] }).nullable(),
  progress: TierProgressSchema,
  benefits: TierBenefitsSchema,
  history: TierPointsHistorySchema,
  rewards: TierRewardsSchema,
});
export type MemberSyncRecord = z.output<typeof MemberSyncRecordSchema>;

/** The discount Function's configuration lives in the shared contract module, with the validator the Function runs. */
export type { DiscountConfigV1 } from "~/shared/discount-config";

export function tierTag(levelIdValue: string): string {
  return `${TIER_TAG_PREFIX}${levelIdValue}`;
}

export function isTierTag(tag: string): boolean {
  return tag.toLowerCase().startsWith(TIER_TAG_PREFIX);
}
