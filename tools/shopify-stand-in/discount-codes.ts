import { connection, type ResolverContext } from "./resolvers";
import { newGid, type ShopState } from "./store";

/**
 * Code discounts ("amount off" codes a shopper types at checkout), as Tierline's rewards create them:
 * `discountCodeBasicCreate` and `codeDiscountNodeByCode` against the 2026-10 schema. Arguments are checked as
 * Shopify checks them (a code is unique per shop, case-insensitively; a percentage is 0–1; the end is after the
 * start; the customers exist), with Shopify's DiscountUserError codes. Created codes stay in the shop's state
 * (`discountCodesOf(shop)`), so tests and the demo can read what a shopper would have been given.
 */

export interface CodeDiscountRecord {
  id: string;
  code: string;
  title: string;
  /** "percentage": 0–1 as Shopify takes it; "fixed": a decimal amount in the shop's currency. */
  value: { percentage: number } | { amount: string; appliesOnEachItem: boolean };
  /** Customer GIDs the code is limited to; null: everyone. */
  customerIds: string[] | null;
  usageLimit: number | null;
  appliesOncePerCustomer: boolean;
  combinesWith: { productDiscounts: boolean; orderDiscounts: boolean; shippingDiscounts: boolean };
  startsAt: string;
  endsAt: string | null;
  createdAt: string;
}

type Args = Record<string, any>;
type DiscountUserError = { field: string[]; message: string; code: string; extraInfo: string | null };

/** The shop's code discounts, oldest first. */
export function discountCodesOf(shop: ShopState): CodeDiscountRecord[] {
  return Object.values(shop.codeDiscounts ?? {});
}

const byCode = (shop: ShopState, code: string) => discountCodesOf(shop).find((d) => d.code.toLowerCase() === code.trim().toLowerCase());

export function discountCodeQueries(ctx: ResolverContext): Record<string, (args: Args) => unknown> {
  return {
    codeDiscountNodeByCode: (args) => {
      const d = byCode(ctx.shop, String(args.code ?? ""));
      return d ? codeDiscountNodeView(d, ctx) : null;
    },
  };
}

export function discountCodeMutations(ctx: ResolverContext): Record<string, (args: Args) => unknown> {
  return { discountCodeBasicCreate: (args) => discountCodeBasicCreate(args, ctx) };
}

const error = (field: string[], message: string, code: string): DiscountUserError => ({
  field: ["basicCodeDiscount", ...field],
  message,
  code,
  extraInfo: null,
});

function discountCodeBasicCreate(args: Args, ctx: ResolverContext) {
  const input: Args = args.basicCodeDiscount ?? {};
  const errors: DiscountUserError[] = [];
  const code = typeof input.code === "string" ? input.code.trim() : "";
  if (!code) errors.push(error(["code"], "Code can't be blank", "BLANK"));
  else if (code.length > 255) errors.push(error(["code"], "Code is too long (maximum is 255 characters)", "TOO_LONG"));
  else if (/[\r\n]/.test(code)) errors.push(error(["code"], "Code cannot contain newline characters.", "INVALID"));
  else if (byCode(ctx.shop, code)) errors.push(error(["code"], "Code must be unique. Please try a different code.", "TAKEN"));
  if (typeof input.title !== "string" || !input.title.trim()) errors.push(error(["title"], "Title can't be blank", "BLANK"));
  if (!input.startsAt) errors.push(error(["startsAt"], "Starts at can't be blank", "BLANK"));
  if (input.startsAt && input.endsAt && Date.parse(input.endsAt) <= Date.parse(input.startsAt))
    errors.push(error(["endsAt"], "Ends at needs to be after starts_at", "END_DATE_BEFORE_START_DATE"));
  if (input.usageLimit !== undefined && input.usageLimit !== null && !(Number.isInteger(input.usageLimit) && input.usageLimit >= 1))
    errors.push(error(["usageLimit"], "Usage limit must be greater than 0", "GREATER_THAN"));

  const selection: Args | undefined = input.context ?? input.customerSelection;
  let customerIds: string[] | null = null;
  if (input.context && input.customerSelection)
    errors.push(error(["context"], "Only one of context or customerSelection can be provided.", "TOO_MANY_ARGUMENTS"));
  else if (!selection) errors.push(error(["context"], "Context can't be blank", "BLANK"));
  else if (selection.customers) {
    customerIds = [...new Set<string>(selection.customers.add ?? [])];
    if (customerIds.length === 0) errors.push(error(["context", "customers", "add"], "Customers can't be blank", "BLANK"));
    const unknown = customerIds.filter((id) => !ctx.shop.customers[id]);
    if (unknown.length) errors.push(error(["context", "customers", "add"], `Customer does not exist: ${unknown.join(", ")}`, "INVALID"));
  } else if (!(selection.all === "ALL" || selection.all === true))
    errors.push(error(["context"], "Only all buyers or a list of customers are supported here", "INVALID"));

  const gets: Args | undefined = input.customerGets;
  let value: CodeDiscountRecord["value"] | null = null;
  if (!gets?.value) errors.push(error(["customerGets", "value"], "Value can't be blank", "BLANK"));
  else if (gets.value.percentage !== undefined && gets.value.percentage !== null) {
    const p = Number(gets.value.percentage);
    if (!(p > 0 && p <= 1)) errors.push(error(["customerGets", "value", "percentage"], "Value must be between 0.0 and 1.0", "VALUE_OUTSIDE_RANGE"));
    else value = { percentage: p };
  } else if (gets.value.discountAmount) {
    const amount = Number(gets.value.discountAmount.amount);
    if (!(amount > 0)) errors.push(error(["customerGets", "value", "discountAmount", "amount"], "Value must be greater than 0", "GREATER_THAN"));
    else value = { amount: amount.toFixed(2), appliesOnEachItem: gets.value.discountAmount.appliesOnEachItem === true };
  } else errors.push(error(["customerGets", "value"], "Only a percentage or an amount is supported here", "INVALID"));
  if (!gets?.items) errors.push(error(["customerGets", "items"], "Items can't be blank", "BLANK"));

  if (errors.length > 0 || !value) return { codeDiscountNode: null, userErrors: errors };
  const now = new Date(ctx.runtime.now()).toISOString();
  const record: CodeDiscountRecord = {
    id: newGid(ctx.shop, "DiscountCodeNode"),
    code,
    title: input.title.trim(),
    value,
    customerIds,
    usageLimit: input.usageLimit ?? null,
    appliesOncePerCustomer: input.appliesOncePerCustomer === true,
    combinesWith: {
      productDiscounts: input.combinesWith?.productDiscounts ?? false,
      orderDiscounts: input.combinesWith?.orderDiscounts ?? false,
      shippingDiscounts: input.combinesWith?.shippingDiscounts ?? false,
    },
    startsAt: new Date(input.startsAt).toISOString(),
    endsAt: input.endsAt ? new Date(input.endsAt).toISOString() : null,
    createdAt: now,
  };
  (ctx.shop.codeDiscounts ??= {})[record.id] = record;
  ctx.runtime.changed();
  return { codeDiscountNode: codeDiscountNodeView(record, ctx), userErrors: [] };
}

function codeDiscountNodeView(d: CodeDiscountRecord, ctx: ResolverContext) {
  const now = ctx.runtime.now();
  const status = Date.parse(d.startsAt) > now ? "SCHEDULED" : d.endsAt && Date.parse(d.endsAt) <= now ? "EXPIRED" : "ACTIVE";
  const customers = (d.customerIds ?? []).map((id) => ({ __typename: "Customer", id }));
  const codes = [
    { __typename: "DiscountRedeemCode", id: `gid://shopify/DiscountRedeemCode/${d.id.split("/").pop()}`, code: d.code, asyncUsageCount: 0 },
  ];
  const valueView =
    "percentage" in d.value
      ? { __typename: "DiscountPercentage", percentage: d.value.percentage }
      : {
          __typename: "DiscountAmount",
          amount: { amount: d.value.amount, currencyCode: ctx.shop.currencyCode },
          appliesOnEachItem: d.value.appliesOnEachItem,
        };
  return {
    __typename: "DiscountCodeNode",
    id: d.id,
    codeDiscount: {
      __typename: "DiscountCodeBasic",
      title: d.title,
      status,
      startsAt: d.startsAt,
      endsAt: d.endsAt,
      createdAt: d.createdAt,
      updatedAt: d.createdAt,
      usageLimit: d.usageLimit,
      appliesOncePerCustomer: d.appliesOncePerCustomer,
      asyncUsageCount: 0,
      discountClasses: ["ORDER"],
      combinesWith: { ...d.combinesWith, productDiscountsWithTagsOnSameCartLine: null },
      codes: (args: Args) => connection(codes, args, ctx, (c) => c),
      codesCount: { count: 1, precision: "EXACT" },
      context: d.customerIds ? { __typename: "DiscountCustomers", customers } : { __typename: "DiscountBuyerSelectionAll", all: "ALL" },
      customerGets: {
        appliesOnOneTimePurchase: true,
        appliesOnSubscription: false,
        items: { __typename: "AllDiscountItems", allItems: true },
        value: valueView,
      },
    },
  };
}
