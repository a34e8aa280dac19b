/**
 * The shapes the two input queries return, written by hand from `src/*.graphql` (no Shopify CLI typegen here).
 * tests/input-queries.test.ts checks every fixture against the queries and the real 2026-10 schema, so a query
 * change that these types miss shows up as a failing fixture.
 */

/** Shopify serialises `Decimal` as a string ("29.99"). */
export type Decimal = string;
export type DiscountClass = "PRODUCT" | "ORDER" | "SHIPPING";

/** `jsonValue` is already parsed JSON: whatever a merchant, another app or an old app version left there. */
export interface JsonMetafield {
  jsonValue: unknown;
}

export interface BuyerIdentityInput {
  customer: { id: string; metafield: JsonMetafield | null } | null;
}

export interface DiscountInput {
  discountClasses: DiscountClass[];
  metafield: JsonMetafield | null;
}

export interface CollectionMembershipInput {
  collectionId: string;
  isMember: boolean;
}

export interface HasTagInput {
  tag: string;
  hasTag: boolean;
}

export interface ProductInput {
  id: string;
  isGiftCard: boolean;
  inCollections: CollectionMembershipInput[];
  hasTags: HasTagInput[];
}

/** A `ProductVariant`; a `CustomProduct` matches no fragment and arrives as `{}`. */
export interface MerchandiseInput {
  id?: string;
  product?: ProductInput;
}

export interface CartLineInput {
  id: string;
  quantity: number;
  cost: {
    amountPerQuantity: { amount: Decimal; currencyCode: string };
    subtotalAmount: { amount: Decimal };
    compareAtAmountPerQuantity: { amount: Decimal } | null;
  };
  merchandise: MerchandiseInput;
}

export interface CartLinesDiscountsGenerateRunInput {
  presentmentCurrencyRate: Decimal;
  cart: {
    buyerIdentity: BuyerIdentityInput | null;
    lines: CartLineInput[];
  };
  discount: DiscountInput;
}

export interface DeliveryGroupInput {
  id: string;
  deliveryAddress: { countryCode: string | null } | null;
}

export interface CartDeliveryOptionsDiscountsGenerateRunInput {
  presentmentCurrencyRate: Decimal;
  cart: {
    buyerIdentity: BuyerIdentityInput | null;
    cost: { subtotalAmount: { amount: Decimal; currencyCode: string } };
    deliveryGroups: DeliveryGroupInput[];
  };
  discount: DiscountInput;
}
