import {
  DeliveryDiscountSelectionStrategy,
  DiscountClass,
  type CartDeliveryOptionsDiscountsGenerateRunInput,
  type CartDeliveryOptionsDiscountsGenerateRunResult,
  type DeliveryDiscountCandidateTarget,
} from "../generated/api";
import { buyerBenefitsOf } from "./buyer-benefits";
import { cartAmountToCents } from "./money";

/**
 * cart.delivery-options.discounts.generate.run: the level's free shipping, as 100% off each delivery group shipping
 * to one of the level's countries (any country when the level names none), once the cart subtotal reaches the
 * level's minimum. Targeting the group discounts whichever option the buyer picks there.
 */
export function cartDeliveryOptionsDiscountsGenerateRun(
  input: CartDeliveryOptionsDiscountsGenerateRunInput,
): CartDeliveryOptionsDiscountsGenerateRunResult {
  try {
    return planFreeShipping(input);
  } catch {
    // Last line of defence: a Function error would surface at checkout; no discount is the safe answer.
    return { operations: [] };
  }
}

export function planFreeShipping(input: CartDeliveryOptionsDiscountsGenerateRunInput): CartDeliveryOptionsDiscountsGenerateRunResult {
  if (!input.discount.discountClasses.includes(DiscountClass.Shipping)) return { operations: [] };
  const benefits = buyerBenefitsOf(input.cart.buyerIdentity, input.discount, input.presentmentCurrencyRate);
  const free = benefits?.freeShipping;
  if (!benefits || !free) return { operations: [] };
  if (free.minimum !== null) {
    const subtotal = cartAmountToCents(input.cart.cost.subtotalAmount.amount);
    if (subtotal === null || subtotal < free.minimum) return { operations: [] };
  }
  const targets: DeliveryDiscountCandidateTarget[] = [];
  const groups = input.cart.deliveryGroups;
  for (let i = 0; i < groups.length; i++) {
    const group = groups[i];
    const country = group.deliveryAddress?.countryCode;
    if (free.countries === null || (country != null && free.countries.has(country))) targets.push({ deliveryGroup: { id: group.id } });
  }
  if (targets.length === 0) return { operations: [] };
  return {
    operations: [
      {
        deliveryDiscountsAdd: {
          selectionStrategy: DeliveryDiscountSelectionStrategy.All,
          candidates: [{ message: `${benefits.levelName} member: free shipping`, targets, value: { percentage: { value: "100" } } }],
        },
      },
    ],
  };
}
