import type { DiscountConfigV1, DiscountScopeV1 } from "~/shared/discount-config";
import type { ShopperBenefits } from "~/forms/benefits-form";
import type { ProgramJson, ScopeJson } from "~/forms/level-form";

/** DiscountConfigV1 of docs/contracts.md, as the discount Function reads it. */
export type DiscountConfig = DiscountConfigV1;

/** How the tier discount combines with other discounts (set on the discount itself, not in its configuration). */
export interface DiscountCombinesWith {
  productDiscounts: boolean;
  orderDiscounts: boolean;
  shippingDiscounts: boolean;
}

const fullScope = (s: ScopeJson | null): DiscountScopeV1 | null =>
  s ? { productIds: [], collectionIds: [], tags: [], excludeProductIds: [], excludeCollectionIds: [], excludeTags: [], ...s } : null;

/**
 * The Function's configuration from the published program (which levels exist and are enabled, whether the program
 * is on) and each level's shopper benefits. Levels that are disabled or not yet published get no entry, so a buyer
 * whose metafield still names them gets no discount rather than a stale one.
 */
export function buildDiscountConfig(published: ProgramJson | null, benefits: Record<string, ShopperBenefits>): DiscountConfig {
  const levels: DiscountConfigV1["levels"] = {};
  for (const level of published?.levels ?? []) {
    if (level.enabled === false) continue;
    const b = benefits[level.id];
    if (!b || (!b.discount && !b.freeShipping)) continue;
    levels[level.id] = {
      discount: b.discount && {
        type: b.discount.type,
        value: b.discount.value,
        minimumOrder: b.discount.minimumOrder,
        appliesTo: b.discount.appliesTo,
        scope: fullScope(b.discount.scope),
        saleItemExtra: b.discount.saleItemExtra,
      },
      freeShipping: b.freeShipping && { countries: b.freeShipping.countries, minimumOrder: b.freeShipping.minimumOrder },
    };
  }
  return { v: 1, enabled: !!published && published.enabled !== false, levels };
}

/**
 * One discount carries every level, so it combines the way all levels agree: a class is combinable only when every
 * level with a discount allows it (the stricter choice never stacks a discount a merchant said must not stack).
 */
export function combinedStacking(benefits: Record<string, ShopperBenefits>, levelIds: string[]): DiscountCombinesWith {
  const out: DiscountCombinesWith = { productDiscounts: true, orderDiscounts: true, shippingDiscounts: true };
  let any = false;
  for (const id of levelIds) {
    const c = benefits[id]?.discount?.combinesWith;
    if (!c) continue;
    any = true;
    out.productDiscounts &&= c.productDiscounts;
    out.orderDiscounts &&= c.orderDiscounts;
    out.shippingDiscounts &&= c.shippingDiscounts;
  }
  return any ? out : { productDiscounts: false, orderDiscounts: false, shippingDiscounts: true };
}
