import { buyerBenefitsOf, inScope, type CompiledDiscount } from "./buyer-benefits";
import type { CartLinesDiscountsGenerateRunInput } from "./input-types";
import { cartAmountToCents, formatCents, formatPercent, FULL_PERCENT, percentOf, type BasisPoints, type Cents } from "./money";
import type { CartLinesDiscountsGenerateRunResult, CartLineTarget, ProductDiscountCandidate } from "./output-types";

/**
 * cart.lines.discounts.generate.run: the buyer's level discount on the cart lines.
 *
 * Which class carries it follows the discount's `discountClasses`: PRODUCT candidates per line (they can price each
 * line on its own base, so retail pricing and the sale-item extra are exact per line), or one ORDER candidate on the
 * subtotal of the eligible lines. When the discount has both classes, a percentage goes on the lines and a fixed
 * amount on the order, which is how merchants describe them ("10% off items", "5.00 off your order").
 */
export function cartLinesDiscountsGenerateRun(input: CartLinesDiscountsGenerateRunInput): CartLinesDiscountsGenerateRunResult {
  try {
    return planLineDiscounts(input);
  } catch {
    // Last line of defence: a Function error would surface at checkout; no discount is the safe answer.
    return { operations: [] };
  }
}

/** One eligible line, priced once. */
interface PricedLine {
  id: string;
  subtotal: Cents;
  /** The level's discount on this line, in cents, before any fixed amount is shared out. */
  discount: Cents;
  /** The percentage behind `discount` (percentage type: level + sale extra; fixed type: the sale extra only). */
  bp: BasisPoints;
  /** Priced on the compare-at price, so Shopify's own percentage (which uses the price) cannot express it. */
  retailBase: boolean;
}

export function planLineDiscounts(input: CartLinesDiscountsGenerateRunInput): CartLinesDiscountsGenerateRunResult {
  const classes = input.discount.discountClasses;
  const productClass = classes.includes("PRODUCT");
  const orderClass = classes.includes("ORDER");
  if (!productClass && !orderClass) return { operations: [] };
  const benefits = buyerBenefitsOf(input.cart.buyerIdentity, input.discount, input.presentmentCurrencyRate);
  const d = benefits?.discount;
  if (!benefits || !d) return { operations: [] };

  // The one pass over the cart: eligibility, pricing and the eligible subtotal.
  const lines = input.cart.lines;
  const priced: PricedLine[] = [];
  const excludedLineIds: string[] = [];
  let eligibleSubtotal: Cents = 0;
  let currency = "";
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const product = line.merchandise.product;
    const price = cartAmountToCents(line.cost.amountPerQuantity.amount);
    const subtotal = cartAmountToCents(line.cost.subtotalAmount.amount);
    // Gift cards are money, not merchandise: never discounted, never counted towards the minimum.
    if (!product || product.isGiftCard || price === null || subtotal === null || (d.scope !== null && !inScope(d.scope, product))) {
      excludedLineIds.push(line.id);
      continue;
    }
    if (currency === "") currency = line.cost.amountPerQuantity.currencyCode;
    const compareAt = line.cost.compareAtAmountPerQuantity ? cartAmountToCents(line.cost.compareAtAmountPerQuantity.amount) : null;
    const onSale = compareAt !== null && compareAt > price;
    const retailBase = d.retail && onSale;
    const extra = onSale ? d.saleExtra : 0;
    const bp = d.type === "percentage" ? Math.min(FULL_PERCENT, d.percent + extra) : extra;
    const base = retailBase ? compareAt! * line.quantity : subtotal;
    priced.push({ id: line.id, subtotal, discount: Math.min(subtotal, percentOf(base, bp)), bp, retailBase });
    eligibleSubtotal += subtotal;
  }

  if (priced.length === 0 || eligibleSubtotal === 0) return { operations: [] };
  if (d.minimum !== null && eligibleSubtotal < d.minimum) return { operations: [] };

  const messages = new Messages(benefits.levelName, d, currency);
  const useOrder = !productClass || (orderClass && d.type === "fixed");
  if (useOrder) return orderDiscount(d, priced, excludedLineIds, eligibleSubtotal, messages);
  return d.type === "percentage" ? productPercentage(d, priced, messages) : productFixed(d, priced, eligibleSubtotal, messages);
}

function productPercentage(d: CompiledDiscount, priced: PricedLine[], messages: Messages): CartLinesDiscountsGenerateRunResult {
  // At most two percentages priced on the line price: the level's, and the level's plus the sale extra.
  const plain: CartLineTarget[] = [];
  const sale: CartLineTarget[] = [];
  const saleBp = Math.min(FULL_PERCENT, d.percent + d.saleExtra);
  const retail: ProductDiscountCandidate[] = [];
  for (let i = 0; i < priced.length; i++) {
    const line = priced[i];
    if (line.retailBase) {
      if (line.discount > 0) retail.push(fixedCandidate(line.id, line.discount, messages.retail(line.bp)));
    } else {
      (line.bp === d.percent ? plain : sale).push({ cartLine: { id: line.id } });
    }
  }
  const candidates: ProductDiscountCandidate[] = [];
  if (plain.length > 0) candidates.push({ message: messages.percent(d.percent), targets: plain, value: { percentage: { value: formatPercent(d.percent) } } });
  if (sale.length > 0) candidates.push({ message: messages.saleItems(saleBp), targets: sale, value: { percentage: { value: formatPercent(saleBp) } } });
  for (let i = 0; i < retail.length; i++) candidates.push(retail[i]);
  return productOperation(candidates);
}

function productFixed(d: CompiledDiscount, priced: PricedLine[], eligibleSubtotal: Cents, messages: Messages): CartLinesDiscountsGenerateRunResult {
  const amount = Math.min(d.amount, eligibleSubtotal);
  let anyExtra = false;
  for (let i = 0; i < priced.length && !anyExtra; i++) anyExtra = priced[i].discount > 0;
  if (!anyExtra) {
    // One amount across the eligible lines; Shopify spreads it over them.
    const targets: CartLineTarget[] = priced.map((line) => ({ cartLine: { id: line.id } }));
    return productOperation([{ message: messages.fixed(), targets, value: { fixedAmount: { amount: formatCents(amount), appliesToEachItem: false } } }]);
  }
  // Sale items also get their extra percentage. Candidates on one line must not overlap, so the fixed amount is shared
  // out here, in proportion to each line's subtotal, and every line gets one candidate with its whole discount.
  const candidates: ProductDiscountCandidate[] = [];
  const perCent = amount / eligibleSubtotal;
  let running = 0;
  let allocated = 0;
  for (let i = 0; i < priced.length; i++) {
    const line = priced[i];
    running += line.subtotal;
    // Rounding the running total (not each share) makes the shares add up to the amount exactly.
    const upTo = Math.round(perCent * running);
    const share = upTo - allocated;
    allocated = upTo;
    const total = Math.min(line.subtotal, share + line.discount);
    if (total > 0) candidates.push(fixedCandidate(line.id, total, line.discount > 0 ? messages.fixedWithSaleExtra() : messages.fixed()));
  }
  return productOperation(candidates);
}

function orderDiscount(d: CompiledDiscount, priced: PricedLine[], excludedLineIds: string[], eligibleSubtotal: Cents, messages: Messages): CartLinesDiscountsGenerateRunResult {
  const targets = [{ orderSubtotal: { excludedCartLineIds: excludedLineIds } }];
  let uniform = d.type === "percentage";
  let total: Cents = d.type === "fixed" ? d.amount : 0;
  for (let i = 0; i < priced.length; i++) {
    const line = priced[i];
    if (line.retailBase || (d.type === "percentage" && line.bp !== d.percent)) uniform = false;
    total += line.discount;
  }
  // A plain percentage stays a percentage so Shopify rounds it the way it rounds its own discounts; anything priced
  // per line (retail base, sale extra) becomes the exact amount computed here.
  const value = uniform ? { percentage: { value: formatPercent(d.percent) } } : { fixedAmount: { amount: formatCents(Math.min(total, eligibleSubtotal)) } };
  if (!uniform && total === 0) return { operations: [] };
  return { operations: [{ orderDiscountsAdd: { selectionStrategy: "FIRST", candidates: [{ message: messages.order(), targets, value }] } }] };
}

function productOperation(candidates: ProductDiscountCandidate[]): CartLinesDiscountsGenerateRunResult {
  if (candidates.length === 0) return { operations: [] };
  // Candidates never share a line, so ALL applies each one to its own lines.
  return { operations: [{ productDiscountsAdd: { selectionStrategy: "ALL", candidates } }] };
}

function fixedCandidate(id: string, amount: Cents, message: string): ProductDiscountCandidate {
  return { message, targets: [{ cartLine: { id } }], value: { fixedAmount: { amount: formatCents(amount), appliesToEachItem: false } } };
}

/** Every message the run can show, each built once rather than per line. */
class Messages {
  private readonly prefix: string;
  private readonly extraText: string;
  private cachedFixed: string | null = null;
  private cachedFixedWithExtra: string | null = null;
  private cachedRetail: { bp: BasisPoints; text: string } | null = null;

  constructor(
    levelName: string,
    private readonly d: CompiledDiscount,
    private readonly currency: string,
  ) {
    this.prefix = `${levelName} member: `;
    this.extraText = d.saleExtra > 0 ? ` (+${formatPercent(d.saleExtra)}% on sale items)` : "";
  }

  percent(bp: BasisPoints): string {
    return `${this.prefix}${formatPercent(bp)}% off`;
  }

  saleItems(bp: BasisPoints): string {
    return `${this.prefix}${formatPercent(bp)}% off sale items`;
  }

  /** Every retail-priced line is on sale, so they share one percentage and one message. */
  retail(bp: BasisPoints): string {
    if (this.cachedRetail?.bp !== bp) this.cachedRetail = { bp, text: `${this.prefix}${formatPercent(bp)}% off the original price` };
    return this.cachedRetail.text;
  }

  fixed(): string {
    this.cachedFixed ??= `${this.prefix}${formatCents(this.d.amount)}${this.currency ? ` ${this.currency}` : ""} off`;
    return this.cachedFixed;
  }

  fixedWithSaleExtra(): string {
    this.cachedFixedWithExtra ??= `${this.fixed()}${this.extraText}`;
    return this.cachedFixedWithExtra;
  }

  order(): string {
    return this.d.type === "fixed" ? this.fixedWithSaleExtra() : `${this.percent(this.d.percent)}${this.extraText}`;
  }
}
