import { z } from "zod";

/**
 * The customer metafield shapes of docs/contracts.md, with zod validators for the sync boundary. They live here until
 * the shared contract module (app/shared/tier-metafield.ts) exists; then these become re-exports of it.
 */

export const TIERLINE_NAMESPACE = "$app:tierline";
export const MEMBER_METAFIELD_KEYS = ["level", "progress", "benefits"] as const;
export type MemberMetafieldKey = (typeof MEMBER_METAFIELD_KEYS)[number];
export const TIER_TAG_PREFIX = "tier:";

const isoInstant = z.iso.datetime({ offset: true });
const decimal = z.string().regex(/^-?\d+(\.\d+)?$/, "must be a decimal string like \"120.50\"");
const levelId = z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/, "level ids are letters, digits, '-' and '_'");
const color = z.string().max(32);

export const TierCardSchema = z.object({
  badge: z.string().max(64),
  background: color,
  text: color,
  levelColor: color,
  hideDates: z.boolean(),
});

export const TierLevelSchema = z.object({
  v: z.literal(1),
  id: levelId,
  name: z.string().min(1).max(255),
  rank: z.number().int(),
  status: z.enum(["active", "grace", "frozen"]),
  since: isoInstant,
  expiresAt: isoInstant.nullable(),
  card: TierCardSchema,
});
export type TierLevelV1 = z.infer<typeof TierLevelSchema>;
/** What the level metafield holds for a customer without a level. */
export type NoTierLevelV1 = { v: 1; id: null };

export const TierProgressSchema = z.object({
  v: z.literal(1),
  currency: z.string().regex(/^[A-Z]{3}$/),
  spend: decimal,
  points: z.number().int(),
  next: z.object({ id: levelId, name: z.string(), remainingSpend: decimal.nullable() }).nullable(),
});
export type TierProgressV1 = z.infer<typeof TierProgressSchema>;

const BenefitItemSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("discount"), type: z.enum(["percentage", "fixed"]), value: decimal, minimumOrder: decimal.nullable() }),
  z.object({ kind: z.literal("freeShipping"), countries: z.array(z.string().regex(/^[A-Z]{2}$/)).nullable(), minimumOrder: decimal.nullable() }),
  z.object({ kind: z.literal("points"), multiplier: z.number().positive() }),
  z.object({ kind: z.literal("custom"), title: z.string().max(255), icon: z.string().max(64) }),
]);
export const TierBenefitsSchema = z.object({ v: z.literal(1), items: z.array(BenefitItemSchema) });
export type TierBenefitsV1 = z.infer<typeof TierBenefitsSchema>;

export const CUSTOMER_GID = /^gid:\/\/shopify\/Customer\/\d+$/;

export const MemberSyncRecordSchema = z.object({
  customerGid: z.string().regex(CUSTOMER_GID, "must be a Customer GID like gid://shopify/Customer/123"),
  /** The level the customer had at the last successful sync; its tier tag is removed when it differs. */
  previousLevelId: levelId.nullable(),
  level: TierLevelSchema.nullable(),
  progress: TierProgressSchema,
  benefits: TierBenefitsSchema,
});
export type MemberSyncRecord = z.infer<typeof MemberSyncRecordSchema>;

/** The discount Function's configuration lives in the shared contract module, with the validator the Function runs. */
export type { DiscountConfigV1 } from "~/shared/discount-config";

export function tierTag(levelIdValue: string): string {
  return `${TIER_TAG_PREFIX}${levelIdValue}`;
}

export function isTierTag(tag: string): boolean {
  return tag.toLowerCase().startsWith(TIER_TAG_PREFIX);
}
