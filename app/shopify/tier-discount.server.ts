import {
  DISCOUNT_CONFIG_KEY,
  DISCOUNT_VARIABLES_KEY,
  discountVariablesOf,
  parseDiscountConfig,
  type DiscountConfigV1,
} from "~/shared/discount-config";
import { TIERLINE_NAMESPACE } from "~/shared/metafield-keys";
import { asCaller, ShopifyAdminError, type AdminCaller, type AdminGraphqlClient, type CallPolicy } from "./admin-graphql.server";
import { TIER_DISCOUNT_CREATE, TIER_DISCOUNT_DELETE, TIER_DISCOUNT_LOOKUP, TIER_DISCOUNT_UPDATE } from "./documents";

/**
 * The shop's one automatic app discount backed by the tier-discount Function. Two `$app:tierline` metafields on it
 * feed the Function: `discount-config` (its configuration, validated with the same reader the Function uses) and
 * `discount-variables` (the collections and tags its input query must ask about). The configuration metafield is
 * also how we recognise our discount among the shop's others.
 */

export type DiscountClassName = "PRODUCT" | "ORDER" | "SHIPPING";

export interface TierDiscountOptions extends CallPolicy {
  /** The discount's id when the caller stored it; otherwise the shop's discounts are searched. */
  discountId?: string | null;
  title?: string;
  functionHandle?: string;
  discountClasses?: DiscountClassName[];
  combinesWith?: { productDiscounts?: boolean; orderDiscounts?: boolean; shippingDiscounts?: boolean };
  /** ISO instant; defaults to now. Only used when the discount is created. */
  startsAt?: string;
}

export const TIER_DISCOUNT_FUNCTION_HANDLE = "tier-discount";
const DEFAULT_TITLE = "Member level discount";
// Level discounts apply to lines; free shipping to delivery options.
const DEFAULT_CLASSES: DiscountClassName[] = ["PRODUCT", "SHIPPING"];

export class DiscountConfigError extends Error {
  readonly code = "DISCOUNT_CONFIG.INVALID";
  constructor(readonly issues: string[]) {
    super(`Invalid discount configuration: ${issues.join("; ")}`);
    this.name = "DiscountConfigError";
  }
}

/** Both Function metafields; written together so the input query's variables always match the configuration. */
export function discountMetafields(config: DiscountConfigV1): { namespace: string; key: string; type: "json"; value: string }[] {
  return [
    { namespace: TIERLINE_NAMESPACE, key: DISCOUNT_CONFIG_KEY, type: "json", value: JSON.stringify(config) },
    { namespace: TIERLINE_NAMESPACE, key: DISCOUNT_VARIABLES_KEY, type: "json", value: JSON.stringify(discountVariablesOf(config)) },
  ];
}

export async function upsertTierDiscount(
  admin: AdminGraphqlClient | AdminCaller,
  config: DiscountConfigV1,
  opts: TierDiscountOptions = {},
): Promise<{ discountId: string; created: boolean }> {
  const parsed = parseDiscountConfig(config);
  if (!parsed.ok) throw new DiscountConfigError(parsed.errors);
  const caller = asCaller(admin, opts);
  const metafields = discountMetafields(parsed.config);
  const settings = {
    title: opts.title ?? DEFAULT_TITLE,
    discountClasses: opts.discountClasses ?? DEFAULT_CLASSES,
    combinesWith: {
      productDiscounts: opts.combinesWith?.productDiscounts ?? false,
      orderDiscounts: opts.combinesWith?.orderDiscounts ?? false,
      shippingDiscounts: opts.combinesWith?.shippingDiscounts ?? false,
    },
  };
  const existing = opts.discountId ?? (await findTierDiscount(caller));
  if (existing) {
    const data = await caller.request(TIER_DISCOUNT_UPDATE, {
      id: existing,
      discount: settings,
      configuration: metafields.map((m) => ({ ownerId: existing, ...m })),
    });
    throwOnUserErrors("discountAutomaticAppUpdate", data?.discountAutomaticAppUpdate?.userErrors);
    throwOnUserErrors("metafieldsSet", data?.metafieldsSet?.userErrors);
    return { discountId: data.discountAutomaticAppUpdate.automaticAppDiscount?.discountId ?? existing, created: false };
  }
  const data = await caller.request(TIER_DISCOUNT_CREATE, {
    discount: {
      ...settings,
      functionHandle: opts.functionHandle ?? TIER_DISCOUNT_FUNCTION_HANDLE,
      startsAt: opts.startsAt ?? new Date(caller.now()).toISOString(),
      metafields,
    },
  });
  throwOnUserErrors("discountAutomaticAppCreate", data?.discountAutomaticAppCreate?.userErrors);
  const discountId = data?.discountAutomaticAppCreate?.automaticAppDiscount?.discountId;
  if (typeof discountId !== "string") throw new ShopifyAdminError("GRAPHQL_ERRORS", "discountAutomaticAppCreate returned no discount");
  return { discountId, created: true };
}

export async function removeTierDiscount(
  admin: AdminGraphqlClient | AdminCaller,
  opts: TierDiscountOptions = {},
): Promise<{ deletedDiscountId: string | null }> {
  const caller = asCaller(admin, opts);
  const id = opts.discountId ?? (await findTierDiscount(caller));
  if (!id) return { deletedDiscountId: null };
  const data = await caller.request(TIER_DISCOUNT_DELETE, { id });
  const errors = (data?.discountAutomaticDelete?.userErrors ?? []) as { message: string; code?: string | null }[];
  // Already gone (deleted by the merchant in the admin): the outcome we wanted.
  if (errors.length > 0 && !errors.every((e) => /not found|does not exist/i.test(e.message))) throwOnUserErrors("discountAutomaticDelete", errors);
  return { deletedDiscountId: data?.discountAutomaticDelete?.deletedAutomaticDiscountId ?? null };
}

/** Our discount is the automatic app discount carrying our configuration metafield (only our app can write `$app`). */
export async function findTierDiscount(caller: AdminCaller): Promise<string | null> {
  let after: string | null = null;
  for (let page = 0; page < 20; page++) {
    const data: any = await caller.request(TIER_DISCOUNT_LOOKUP, { after });
    for (const node of data?.discountNodes?.nodes ?? []) {
      if (node?.discount?.__typename === "DiscountAutomaticApp" && node.configuration) return node.discount.discountId as string;
    }
    if (!data?.discountNodes?.pageInfo?.hasNextPage) return null;
    after = data.discountNodes.pageInfo.endCursor;
  }
  return null;
}

function throwOnUserErrors(operation: string, errors: { message: string; code?: string | null; field?: string[] | null }[] | undefined): void {
  if (!errors || errors.length === 0) return;
  throw new ShopifyAdminError("GRAPHQL_ERRORS", `${operation}: ${errors.map((e) => (e.code ? `${e.code}: ${e.message}` : e.message)).join("; ")}`, {
    errors,
  });
}
