import {
  DiscountClass,
  OrderDiscountSelectionStrategy,
  ProductDiscountSelectionStrategy,
  type CartLinesDiscountsGenerateRunInput,
  type CartLinesDiscountsGenerateRunResult,
  type ProductDiscountCandidate,
  type ProductDiscountCandidateTarget,
} from "../generated/api";
import { buyerBenefitsOf, inScope, type CompiledDiscount } from "./buyer-benefits";
import { cartAmountToCents, formatCents, formatPercent, FULL_PERCENT, percentOf, type BasisPoints, type Cents } from "./money";
import { candidateBytes, fixedValueBytes, OUTPUT_BUDGET_BYTES, percentageValueBytes, targetBytes } from "./output-size";

/**
 * cart.lines.discounts.generate.run: the buyer's level discount on the cart lines.
 *
 * Which class carries it follows the discount's `discountClasses`: PRODUCT candidates on the lines (they can price each
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
  quantity: number;
  subtotal: Cents;
  /** The level's discount on this line, in cents, before any fixed amount is shared out. */
  discount: Cents;
  /** The percentage behind `discount` (percentage type: level + sale extra; fixed type: the sale extra only). */
  bp: BasisPoints;
  /** Priced on the compare-at price, so Shopify's own percentage (which uses the price) cannot express it. */
  retailBase: boolean;
}

/** `budget`: the output bytes the candidates may take (tests pass Infinity to see every line priced on its own). */
export function planLineDiscounts(
  input: CartLinesDiscountsGenerateRunInput,
  budget: number = OUTPUT_BUDGET_BYTES,
): CartLinesDiscountsGenerateRunResult {
  const classes = input.discount.discountClasses;
  const productClass = classes.includes(DiscountClass.Product);
  const orderClass = classes.includes(DiscountClass.Order);
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
    const merchandise = line.merchandise;
    // A CustomProduct line matches no fragment of the query: it has no product.
    const product = "product" in merchandise ? merchandise.product : null;
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
    priced.push({ id: line.id, quantity: line.quantity, subtotal, discount: Math.min(subtotal, percentOf(base, bp)), bp, retailBase });
    eligibleSubtotal += subtotal;
  }

  if (priced.length === 0 || eligibleSubtotal === 0) return { operations: [] };
  if (d.minimum !== null && eligibleSubtotal < d.minimum) return { operations: [] };

  const messages = new Messages(benefits.levelName, d, currency);
  const useOrder = !productClass || (orderClass && d.type === "fixed");
  if (useOrder) return orderDiscount(d, priced, excludedLineIds, eligibleSubtotal, messages);
  return d.type === "percentage" ? productPercentage(d, priced, messages, budget) : productFixed(d, priced, eligibleSubtotal, messages, budget);
}

function productPercentage(d: CompiledDiscount, priced: PricedLine[], messages: Messages, budget: number): CartLinesDiscountsGenerateRunResult {
  // At most two percentages priced on the line price: the level's, and the level's plus the sale extra.
  const plain: ProductDiscountCandidateTarget[] = [];
  const sale: ProductDiscountCandidateTarget[] = [];
  let plainBytes = 0;
  let saleBytes = 0;
  const saleBp = Math.min(FULL_PERCENT, d.percent + d.saleExtra);
  const retail = new LineAmounts();
  for (let i = 0; i < priced.length; i++) {
    const line = priced[i];
    if (line.retailBase) {
      if (line.discount > 0) retail.add(line, line.discount, messages.retail(line.bp));
    } else if (line.bp === d.percent) {
      plain.push({ cartLine: { id: line.id } });
      plainBytes += targetBytes(line.id);
    } else {
      sale.push({ cartLine: { id: line.id } });
      saleBytes += targetBytes(line.id);
    }
  }
  const candidates: ProductDiscountCandidate[] = [];
  let used = 0;
  if (plain.length > 0) {
    const message = messages.percent(d.percent);
    const value = formatPercent(d.percent);
    candidates.push({ message, targets: plain, value: { percentage: { value } } });
    used += candidateBytes(message, percentageValueBytes(value)) + plainBytes;
  }
  if (sale.length > 0) {
    const message = messages.saleItems(saleBp);
    const value = formatPercent(saleBp);
    candidates.push({ message, targets: sale, value: { percentage: { value } } });
    used += candidateBytes(message, percentageValueBytes(value)) + saleBytes;
  }
  retail.appendTo(candidates, budget - used);
  return productOperation(candidates);
}

function productFixed(
  d: CompiledDiscount,
  priced: PricedLine[],
  eligibleSubtotal: Cents,
  messages: Messages,
  budget: number,
): CartLinesDiscountsGenerateRunResult {
  const amount = Math.min(d.amount, eligibleSubtotal);
  let anyExtra = false;
  for (let i = 0; i < priced.length && !anyExtra; i++) anyExtra = priced[i].discount > 0;
  if (!anyExtra) {
    // One amount across the eligible lines; Shopify spreads it over them.
    const targets: ProductDiscountCandidateTarget[] = priced.map((line) => ({ cartLine: { id: line.id } }));
    return productOperation([
      { message: messages.fixed(), targets, value: { fixedAmount: { amount: formatCents(amount), appliesToEachItem: false } } },
    ]);
  }
  // Sale items also get their extra percentage. Candidates on one line must not overlap, so the fixed amount is shared
  // out here, in proportion to each line's subtotal, and every line's whole discount (share + extra) is priced here.
  const perLine = new LineAmounts();
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
    if (total > 0) perLine.add(line, total, line.discount > 0 ? messages.fixedWithSaleExtra() : messages.fixed());
  }
  const candidates: ProductDiscountCandidate[] = [];
  perLine.appendTo(candidates, budget);
  return productOperation(candidates);
}

/**
 * Discounts priced line by line (retail base, fixed shares with sale extras), shaped to keep the output small.
 *
 * Exact: lines whose discount is the same amount per item share one candidate (`appliesToEachItem: true`, so a line of
 * 3 gets 3 × the amount); a line whose discount does not divide by its quantity keeps a candidate of its own. Every
 * line then gets exactly the cents computed for it.
 *
 * When that would not fit the output budget (Shopify drops the whole output over 20 kB, so the shopper would get no
 * discount at all), the lines sharing a message share one candidate holding the sum of their discounts, which Shopify
 * spreads across them. The total off the cart is still exactly the sum of the per-line amounts.
 */
class LineAmounts {
  private readonly exact = new Map<string, { message: string; amount: Cents; each: boolean; targets: ProductDiscountCandidateTarget[] }>();
  private readonly summed = new Map<string, { total: Cents; targets: ProductDiscountCandidateTarget[] }>();
  private exactBytes = 0;
  private summedBytes = 0;

  add(line: PricedLine, amount: Cents, message: string): void {
    const target = { cartLine: { id: line.id } };
    const bytes = targetBytes(line.id);
    const each = line.quantity > 0 && amount % line.quantity === 0;
    const unit = each ? amount / line.quantity : amount;
    const key = each ? `${message}\u0000${unit}` : `${message}\u0000line\u0000${line.id}`;
    let group = this.exact.get(key);
    if (!group) {
      group = { message, amount: unit, each, targets: [] };
      this.exact.set(key, group);
      this.exactBytes += candidateBytes(message, fixedValueBytes(formatCents(unit)));
    }
    group.targets.push(target);
    this.exactBytes += bytes;
    let sum = this.summed.get(message);
    if (!sum) {
      sum = { total: 0, targets: [] };
      this.summed.set(message, sum);
      // The sum's digits are not known yet: count the longest amount a cart can carry.
      this.summedBytes += candidateBytes(message, fixedValueBytes("9999999999.99"));
    }
    sum.total += amount;
    sum.targets.push(target);
    this.summedBytes += bytes;
  }

  appendTo(candidates: ProductDiscountCandidate[], budget: number): void {
    if (this.exactBytes <= budget || this.summedBytes >= this.exactBytes) {
      for (const g of this.exact.values()) {
        candidates.push({
          message: g.message,
          targets: g.targets,
          value: { fixedAmount: { amount: formatCents(g.amount), appliesToEachItem: g.each } },
        });
      }
      return;
    }
    for (const [message, s] of this.summed) {
      candidates.push({ message, targets: s.targets, value: { fixedAmount: { amount: formatCents(s.total), appliesToEachItem: false } } });
    }
  }
}

function orderDiscount(
  d: CompiledDiscount,
  priced: PricedLine[],
  excludedLineIds: string[],
  eligibleSubtotal: Cents,
  messages: Messages,
): CartLinesDiscountsGenerateRunResult {
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
  const value = uniform
    ? { percentage: { value: formatPercent(d.percent) } }
    : { fixedAmount: { amount: formatCents(Math.min(total, eligibleSubtotal)) } };
  if (!uniform && total === 0) return { operations: [] };
  return {
    operations: [
      { orderDiscountsAdd: { selectionStrategy: OrderDiscountSelectionStrategy.First, candidates: [{ message: messages.order(), targets, value }] } },
    ],
  };
}

function productOperation(candidates: ProductDiscountCandidate[]): CartLinesDiscountsGenerateRunResult {
  if (candidates.length === 0) return { operations: [] };
  // Candidates never share a line, so ALL applies each one to its own lines.
  return { operations: [{ productDiscountsAdd: { selectionStrategy: ProductDiscountSelectionStrategy.All, candidates } }] };
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
