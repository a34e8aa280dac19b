/**
 * Builders for the Function's input, shaped exactly like the input queries' answers (tests/input-queries.test.ts
 * holds every fixture to the real schema). Defaults describe a Gold member with 10% off; override what a case needs.
 */
import {
  COLLECTION_SLOTS,
  discountVariablesOf,
  TAG_SLOTS,
  type DiscountConfigV1,
  type DiscountVariablesV1,
  type LevelBenefitsV1,
} from "../../../../app/shared/discount-config";
import type {
  CartDeliveryOptionsDiscountsGenerateRunInput,
  CartLinesDiscountsGenerateRunInput,
  CountryCode,
  CurrencyCode,
  DiscountClass,
} from "../../generated/api";

export type CartLineInput = CartLinesDiscountsGenerateRunInput["cart"]["lines"][number];
export type DeliveryGroupInput = CartDeliveryOptionsDiscountsGenerateRunInput["cart"]["deliveryGroups"][number];
/** The discount classes as the input JSON spells them ("PRODUCT"); the generated enum has the same values. */
export type DiscountClassName = `${DiscountClass}`;

export const LINES_TARGET = "cart.lines.discounts.generate.run";
export const LINES_EXPORT = "cart-lines-discounts-generate-run";
export const DELIVERY_TARGET = "cart.delivery-options.discounts.generate.run";
export const DELIVERY_EXPORT = "cart-delivery-options-discounts-generate-run";

export const CUSTOMER_ID = "gid://shopify/Customer/1001";

export function goldLevel(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    v: 1,
    id: "gold",
    name: "Gold",
    rank: 2,
    status: "active",
    since: "2026-03-02T10:00:00Z",
    expiresAt: "2027-03-02T10:00:00Z",
    card: { badge: "star", background: "#1f2937", text: "#ffffff", levelColor: "#d4af37", hideDates: false },
    ...overrides,
  };
}

export function goldBenefits(
  overrides: { discount?: Partial<NonNullable<LevelBenefitsV1["discount"]>> | null; freeShipping?: LevelBenefitsV1["freeShipping"] } = {},
): LevelBenefitsV1 {
  const discount =
    overrides.discount === null
      ? null
      : {
          type: "percentage" as const,
          value: "10",
          minimumOrder: null,
          appliesTo: "discounted" as const,
          scope: null,
          saleItemExtra: null,
          ...overrides.discount,
        };
  return { discount, freeShipping: overrides.freeShipping === undefined ? null : overrides.freeShipping };
}

export function config(levels: Record<string, LevelBenefitsV1> = { gold: goldBenefits() }, enabled = true): DiscountConfigV1 {
  return { v: 1, enabled, levels };
}

export interface LineSpec {
  id?: string;
  productId?: string;
  variantId?: string;
  price: string;
  quantity?: number;
  compareAt?: string | null;
  currency?: string;
  /** Collection ids the product belongs to (each slot answers whether the product is in any of its list). */
  collections?: string[];
  tags?: string[];
  giftCard?: boolean;
  /** A CustomProduct line: no fragment matches, so merchandise is `{}`. */
  custom?: boolean;
}

let lineCounter = 0;

/** The variables Shopify would pass for this configuration (every slot empty for none). */
export function variablesOf(cfg: DiscountConfigV1 | null = null): DiscountVariablesV1 {
  return discountVariablesOf(cfg ?? { v: 1, enabled: true, levels: {} });
}

/**
 * The line as the query returns it: each slot answers `inAnyCollection`/`hasAnyTag` for its list in the variables,
 * the way Shopify evaluates `cN: inAnyCollection(ids: $cN)` (false for an empty list).
 */
export function line(spec: LineSpec, variables: DiscountVariablesV1 = variablesOf()): CartLineInput {
  const n = ++lineCounter;
  const quantity = spec.quantity ?? 1;
  const currency = spec.currency ?? "USD";
  const collections = new Set(spec.collections ?? []);
  const tags = new Set(spec.tags ?? []);
  return {
    id: spec.id ?? `gid://shopify/CartLine/${n}`,
    quantity,
    cost: {
      amountPerQuantity: { amount: spec.price, currencyCode: currency as CurrencyCode },
      subtotalAmount: { amount: timesQuantity(spec.price, quantity) },
      compareAtAmountPerQuantity: spec.compareAt ? { amount: spec.compareAt } : null,
    },
    merchandise: spec.custom
      ? {}
      : {
          id: spec.variantId ?? `gid://shopify/ProductVariant/${n}`,
          product: {
            id: spec.productId ?? `gid://shopify/Product/${n}`,
            isGiftCard: spec.giftCard ?? false,
            ...slotAnswers(variables, collections, tags),
          },
        },
  };
}

function slotAnswers(variables: DiscountVariablesV1, collections: Set<string>, tags: Set<string>) {
  const answers = {} as Record<(typeof COLLECTION_SLOTS)[number] | (typeof TAG_SLOTS)[number], boolean>;
  for (const slot of COLLECTION_SLOTS) answers[slot] = variables[slot].some((id) => collections.has(id));
  for (const slot of TAG_SLOTS) answers[slot] = variables[slot].some((t) => tags.has(t));
  return answers;
}

export function resetLineIds(): void {
  lineCounter = 0;
}

export interface LinesInputSpec {
  level?: unknown;
  /** Drop the customer entirely (a guest checkout). */
  guest?: boolean;
  config?: unknown;
  classes?: DiscountClassName[];
  rate?: string;
  lines: CartLineInput[];
}

export function linesInput(spec: LinesInputSpec): CartLinesDiscountsGenerateRunInput {
  return {
    presentmentCurrencyRate: spec.rate ?? "1.0",
    cart: { buyerIdentity: buyer(spec), lines: spec.lines },
    discount: discount(spec),
  };
}

export interface DeliveryInputSpec {
  level?: unknown;
  guest?: boolean;
  config?: unknown;
  classes?: DiscountClassName[];
  rate?: string;
  subtotal: string;
  currency?: string;
  groups: DeliveryGroupInput[];
}

export function deliveryInput(spec: DeliveryInputSpec): CartDeliveryOptionsDiscountsGenerateRunInput {
  return {
    presentmentCurrencyRate: spec.rate ?? "1.0",
    cart: {
      buyerIdentity: buyer(spec),
      cost: { subtotalAmount: { amount: spec.subtotal, currencyCode: (spec.currency ?? "USD") as CurrencyCode } },
      deliveryGroups: spec.groups,
    },
    discount: discount(spec),
  };
}

export function deliveryGroup(id: number, countryCode: string | null): DeliveryGroupInput {
  return { id: `gid://shopify/CartDeliveryGroup/${id}`, deliveryAddress: countryCode === null ? null : { countryCode: countryCode as CountryCode } };
}

function buyer(spec: { level?: unknown; guest?: boolean }) {
  if (spec.guest) return { customer: null };
  const level = spec.level === undefined ? goldLevel() : spec.level;
  return { customer: { id: CUSTOMER_ID, metafield: level === null ? null : { jsonValue: level } } };
}

function discount(spec: { config?: unknown; classes?: DiscountClassName[] }) {
  const cfg = spec.config === undefined ? config() : spec.config;
  return { discountClasses: (spec.classes ?? ["PRODUCT", "SHIPPING"]) as DiscountClass[], metafield: cfg === null ? null : { jsonValue: cfg } };
}

/** "12.50" × 3 → "37.5", the way Shopify prints Decimals (no trailing zeros beyond one decimal). */
function timesQuantity(price: string, quantity: number): string {
  const [whole, frac = ""] = price.split(".");
  const cents = (Number(whole) * 100 + Number((frac + "00").slice(0, 2))) * quantity;
  const c = cents % 100;
  return `${Math.floor(cents / 100)}.${c === 0 ? "0" : c % 10 === 0 ? `${c / 10}` : `${c < 10 ? "0" : ""}${c}`}`;
}
