import {
  decimalToHundredths,
  discountSlotPlan,
  levelBenefitsOf,
  parseDiscountConfig,
  type DiscountScopeV1,
  type DiscountSlot,
  type ScopeSlots,
  type SlotRef,
} from "../../../app/shared/discount-config";
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
      scope: d.scope ? compileScope(d.scope, discountSlotPlan(parsed.config).scopes[level.id]) : null,
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
  excludeProductIds: Set<string>;
  /** Slots whose `true` puts a line inside the scope (its included collections and tags). */
  includeSlots: DiscountSlot[];
  /** Slots that must answer `false` for a line to stay inside (its excluded collections and tags). */
  excludeSlots: DiscountSlot[];
  /** An excluded list got no slot (more lists than slots): nothing can be shown to be outside it, so nothing is in scope. */
  excludesUnanswered: boolean;
}

const PRODUCT_GID = "gid://shopify/Product/";

export function compileScope(scope: DiscountScopeV1, slots: ScopeSlots): CompiledScope {
  const includeSlots: DiscountSlot[] = [];
  const excludeSlots: DiscountSlot[] = [];
  let excludesUnanswered = false;
  const use = (ref: SlotRef, into: DiscountSlot[]) => {
    if (ref === "none") return false;
    if (ref !== null) into.push(ref);
    return true;
  };
  use(slots.collections, includeSlots);
  use(slots.tags, includeSlots);
  if (!use(slots.excludeCollections, excludeSlots)) excludesUnanswered = true;
  if (!use(slots.excludeTags, excludeSlots)) excludesUnanswered = true;
  return {
    hasIncludes: scope.productIds.length + scope.collectionIds.length + scope.tags.length > 0,
    productIds: new Set(scope.productIds.map(productGid)),
    excludeProductIds: new Set(scope.excludeProductIds.map(productGid)),
    includeSlots,
    excludeSlots,
    excludesUnanswered,
  };
}

/**
 * Whether a product is inside the scope: included by id, collection or tag (or no includes at all), and excluded by
 * none. An excluded list must answer `false` to keep the line: when its slot is missing from the input (the
 * `discount-variables` metafield is missing) or the list has no slot, the product is left out, because a discount
 * must never reach an item the merchant excluded. An included list counts only on `true`.
 */
export function inScope(scope: CompiledScope, product: ProductInput): boolean {
  if (scope.excludesUnanswered || scope.excludeProductIds.has(product.id)) return false;
  const answers = product as Partial<Record<DiscountSlot, boolean | null>>;
  for (let i = 0; i < scope.excludeSlots.length; i++) if (answers[scope.excludeSlots[i]] !== false) return false;
  if (!scope.hasIncludes || scope.productIds.has(product.id)) return true;
  for (let i = 0; i < scope.includeSlots.length; i++) if (answers[scope.includeSlots[i]] === true) return true;
  return false;
}

/** Merchants may paste a bare product number; the cart always carries the GID. */
function productGid(id: string): string {
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    if (c < 48 || c > 57) return id;
  }
  return PRODUCT_GID + id;
}
