import { decimalToHundredths, levelBenefitsOf, parseDiscountConfig, type DiscountScopeV1 } from "../../../app/shared/discount-config";
import { readBuyerLevel } from "./buyer-level";
import type { CartDeliveryOptionsDiscountsGenerateRunInput, CartLinesDiscountsGenerateRunInput } from "../generated/api";
import { readCurrencyRate, toCartCurrency, type BasisPoints, type Cents } from "./money";

/** The parts of either target's input (generated from the input queries) that both targets read the same way. */
type RunInput = CartLinesDiscountsGenerateRunInput | CartDeliveryOptionsDiscountsGenerateRunInput;
export type BuyerIdentityInput = RunInput["cart"]["buyerIdentity"];
export type DiscountInput = RunInput["discount"];
/** A `ProductVariant` line's product; a `CustomProduct` line matches no fragment and has none. */
export type ProductInput = Extract<CartLinesDiscountsGenerateRunInput["cart"]["lines"][number]["merchandise"], { product: unknown }>["product"];

/**
 * The buyer's level benefits, compiled once per run into what the per-line loop needs: cents in the cart's currency,
 * basis points, and sets for scope look-ups. Both targets start here, so they agree on who gets what.
 */

export interface CompiledDiscount {
  type: "percentage" | "fixed";
  /** Percentage type: the level's percentage. */
  percent: BasisPoints;
  /** Fixed type: the amount off, in the cart's currency. */
  amount: Cents;
  minimum: Cents | null;
  /** Calculate on the compare-at price of items on sale. */
  retail: boolean;
  saleExtra: BasisPoints;
  scope: CompiledScope | null;
  /** The level's value as merchants wrote it, for messages ("10" → "10%"). */
  valueText: string;
}

export interface CompiledFreeShipping {
  countries: Set<string> | null;
  minimum: Cents | null;
}

export interface BuyerBenefits {
  levelName: string;
  discount: CompiledDiscount | null;
  freeShipping: CompiledFreeShipping | null;
}

/**
 * Null whenever the buyer gets nothing: no customer, no level or a frozen one, a missing, malformed or disabled
 * configuration, a level the configuration does not name, or an unusable currency rate.
 */
export function buyerBenefitsOf(buyer: BuyerIdentityInput, discount: DiscountInput, rateText: unknown): BuyerBenefits | null {
  const level = readBuyerLevel(buyer?.customer?.metafield?.jsonValue);
  if (!level) return null;
  const parsed = parseDiscountConfig(discount.metafield?.jsonValue);
  if (!parsed.ok || !parsed.config.enabled) return null;
  const benefits = levelBenefitsOf(parsed.config, level.id);
  if (!benefits) return null;
  const rate = readCurrencyRate(rateText);
  if (rate === null) return null;

  let compiledDiscount: CompiledDiscount | null = null;
  const d = benefits.discount;
  if (d) {
    // parseDiscountConfig has checked every decimal; the fallbacks only satisfy the type checker.
    const value = decimalToHundredths(d.value) ?? 0;
    compiledDiscount = {
      type: d.type,
      percent: d.type === "percentage" ? value : 0,
      amount: d.type === "fixed" ? toCartCurrency(value, rate) : 0,
      minimum: d.minimumOrder === null ? null : toCartCurrency(decimalToHundredths(d.minimumOrder) ?? 0, rate),
      retail: d.appliesTo === "retail",
      saleExtra: d.saleItemExtra === null ? 0 : (decimalToHundredths(d.saleItemExtra) ?? 0),
      scope: d.scope ? compileScope(d.scope) : null,
      valueText: d.value,
    };
  }
  const fs = benefits.freeShipping;
  const freeShipping: CompiledFreeShipping | null = fs && {
    countries: fs.countries ? new Set(fs.countries) : null,
    minimum: fs.minimumOrder === null ? null : toCartCurrency(decimalToHundredths(fs.minimumOrder) ?? 0, rate),
  };
  return { levelName: level.name, discount: compiledDiscount, freeShipping };
}

export interface CompiledScope {
  hasIncludes: boolean;
  productIds: Set<string>;
  collectionIds: Set<string>;
  tags: Set<string>;
  excludeProductIds: Set<string>;
  excludeCollectionIds: Set<string>;
  excludeTags: Set<string>;
  readsCollections: boolean;
  readsTags: boolean;
}

const PRODUCT_GID = "gid://shopify/Product/";
const NONE: never[] = [];

export function compileScope(scope: DiscountScopeV1): CompiledScope {
  return {
    hasIncludes: scope.productIds.length + scope.collectionIds.length + scope.tags.length > 0,
    productIds: new Set(scope.productIds.map(productGid)),
    collectionIds: new Set(scope.collectionIds),
    tags: new Set(scope.tags),
    excludeProductIds: new Set(scope.excludeProductIds.map(productGid)),
    excludeCollectionIds: new Set(scope.excludeCollectionIds),
    excludeTags: new Set(scope.excludeTags),
    readsCollections: scope.collectionIds.length + scope.excludeCollectionIds.length > 0,
    readsTags: scope.tags.length + scope.excludeTags.length > 0,
  };
}

/**
 * Whether a product is inside the scope: included by id, collection or tag (or no includes at all), and excluded by
 * none. When the query did not answer for an excluded collection or tag (the `discount-variables` metafield is
 * missing or stale), the product is left out: a discount must never reach an item the merchant excluded.
 */
export function inScope(scope: CompiledScope, product: ProductInput): boolean {
  if (scope.excludeProductIds.has(product.id)) return false;
  let included = !scope.hasIncludes || scope.productIds.has(product.id);
  if (scope.readsCollections) {
    let answeredExcludes = 0;
    const memberships = product.inCollections ?? NONE;
    for (let i = 0; i < memberships.length; i++) {
      const m = memberships[i];
      if (scope.excludeCollectionIds.has(m.collectionId)) {
        answeredExcludes++;
        if (m.isMember) return false;
      } else if (!included && m.isMember && scope.collectionIds.has(m.collectionId)) {
        included = true;
      }
    }
    if (answeredExcludes < scope.excludeCollectionIds.size) return false;
  }
  if (scope.readsTags) {
    let answeredExcludes = 0;
    const tags = product.hasTags ?? NONE;
    for (let i = 0; i < tags.length; i++) {
      const t = tags[i];
      if (scope.excludeTags.has(t.tag)) {
        answeredExcludes++;
        if (t.hasTag) return false;
      } else if (!included && t.hasTag && scope.tags.has(t.tag)) {
        included = true;
      }
    }
    if (answeredExcludes < scope.excludeTags.size) return false;
  }
  return included;
}

/** Merchants may paste a bare product number; the cart always carries the GID. */
function productGid(id: string): string {
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    if (c < 48 || c > 57) return id;
  }
  return PRODUCT_GID + id;
}
