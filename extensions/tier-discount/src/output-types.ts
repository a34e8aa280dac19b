/**
 * The subset of the 2026-10 Discount Function result types this Function emits (schema.graphql:
 * CartLinesDiscountsGenerateRunResult, CartDeliveryOptionsDiscountsGenerateRunResult). Decimals are emitted as
 * strings, which is how the schema serialises them, so amounts stay exact.
 */

export type DecimalString = string;

export interface CartLineTarget {
  cartLine: { id: string };
}

export type DiscountValue = { percentage: { value: DecimalString } } | { fixedAmount: { amount: DecimalString } };
export type ProductDiscountValue =
  | { percentage: { value: DecimalString } }
  | { fixedAmount: { amount: DecimalString; appliesToEachItem: boolean } };

export interface ProductDiscountCandidate {
  message: string;
  targets: CartLineTarget[];
  value: ProductDiscountValue;
}

export interface OrderDiscountCandidate {
  message: string;
  targets: { orderSubtotal: { excludedCartLineIds: string[] } }[];
  value: DiscountValue;
}

export type CartOperation =
  | { productDiscountsAdd: { selectionStrategy: "ALL"; candidates: ProductDiscountCandidate[] } }
  | { orderDiscountsAdd: { selectionStrategy: "FIRST"; candidates: OrderDiscountCandidate[] } };

export interface CartLinesDiscountsGenerateRunResult {
  operations: CartOperation[];
}

export interface DeliveryDiscountCandidate {
  message: string;
  targets: { deliveryGroup: { id: string } }[];
  value: DiscountValue;
}

export interface DeliveryOperation {
  deliveryDiscountsAdd: { selectionStrategy: "ALL"; candidates: DeliveryDiscountCandidate[] };
}

export interface CartDeliveryOptionsDiscountsGenerateRunResult {
  operations: DeliveryOperation[];
}
