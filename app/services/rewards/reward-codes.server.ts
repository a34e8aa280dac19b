import { createHash } from "node:crypto";
import { asCaller, ShopifyAdminError, type AdminCaller, type AdminGraphqlClient } from "~/shopify/admin-graphql.server";
import { REWARD_CODE_CREATE, REWARD_CODE_LOOKUP } from "~/shopify/documents";

/**
 * The one place Tierline creates discount codes for rewards (welcome, birthday, points redeemed): an "amount off"
 * code discount through `discountCodeBasicCreate`, limited to the one customer and to one use. The code is derived
 * from the reward's id, so a retry after a crash (the code created, the reward row not yet marked) looks the code up
 * and returns the one it made instead of making a second.
 */

export interface RewardCodeInput {
  rewardId: string;
  customerGid: string;
  /** What the merchant sees in Shopify's discounts list (and the shopper at checkout). */
  title: string;
  valueType: "percentage" | "fixed";
  /** "10" (percent) or "5.00" (money in `currency`, the shop's currency). */
  value: string;
  currency: string;
  startsAt: Date;
  endsAt: Date | null;
  /** The code's first part, e.g. "GOLD" (letters and digits; "TIER" when absent). */
  prefix?: string;
}

// No 0/O or 1/I/L: a shopper types the code.
const ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/** The code for a reward: `<PREFIX>-` and 10 characters from a hash of the reward id (stable across retries). */
export function rewardCodeFor(rewardId: string, prefix = "TIER"): string {
  const digest = createHash("sha256").update(`tierline-reward:${rewardId}`).digest();
  let suffix = "";
  for (let i = 0; i < 10; i++) suffix += ALPHABET[digest[i] % ALPHABET.length];
  const head =
    prefix
      .toUpperCase()
      .replace(/[^A-Z0-9]/g, "")
      .slice(0, 12) || "TIER";
  return `${head}-${suffix}`;
}

export async function createRewardCode(
  admin: AdminGraphqlClient | AdminCaller,
  input: RewardCodeInput,
): Promise<{ code: string; discountGid: string }> {
  const caller = asCaller(admin);
  const code = rewardCodeFor(input.rewardId, input.prefix);
  const existing = await findRewardCode(caller, code, input.customerGid);
  if (existing) return { code, discountGid: existing };

  const data = await caller.request(REWARD_CODE_CREATE, {
    discount: {
      title: input.title,
      code,
      startsAt: input.startsAt.toISOString(),
      endsAt: input.endsAt?.toISOString() ?? null,
      context: { customers: { add: [input.customerGid] } },
      customerGets: {
        items: { all: true },
        value:
          input.valueType === "percentage"
            ? { percentage: Number(input.value) / 100 }
            : { discountAmount: { amount: input.value, appliesOnEachItem: false } },
      },
      usageLimit: 1,
      appliesOncePerCustomer: true,
      // A reward is an order discount on top of what the member already gets: the level's own discount (a product
      // discount) and free shipping still apply; another order-wide code does not.
      combinesWith: { productDiscounts: true, shippingDiscounts: true, orderDiscounts: false },
    },
  });
  const result = data?.discountCodeBasicCreate;
  const errors = (result?.userErrors ?? []) as { field?: string[] | null; message: string; code?: string | null }[];
  if (errors.length > 0) {
    // Another attempt made it between our lookup and our create (two workers, a lease that ran out): it is ours.
    if (errors.some((e) => e.code === "TAKEN")) {
      const found = await findRewardCode(caller, code, input.customerGid);
      if (found) return { code, discountGid: found };
    }
    throw new ShopifyAdminError(
      "GRAPHQL_ERRORS",
      `discountCodeBasicCreate: ${errors.map((e) => (e.code ? `${e.code}: ${e.message}` : e.message)).join("; ")}`,
      { errors },
    );
  }
  const discountGid = result?.codeDiscountNode?.id;
  if (typeof discountGid !== "string") throw new ShopifyAdminError("GRAPHQL_ERRORS", "discountCodeBasicCreate returned no discount");
  return { code, discountGid };
}

/**
 * The code discount already made for this reward: the code exists and is limited to this customer. A code taken by
 * something else (a merchant's own code that happens to match) is not ours and throws rather than being handed out.
 */
async function findRewardCode(caller: AdminCaller, code: string, customerGid: string): Promise<string | null> {
  const data = await caller.request(REWARD_CODE_LOOKUP, { code });
  const node = data?.codeDiscountNodeByCode;
  if (!node) return null;
  const customers = (node.codeDiscount?.context?.customers ?? []) as { id: string }[];
  if (customers.length === 1 && customers[0].id === customerGid) return node.id as string;
  throw new ShopifyAdminError("GRAPHQL_ERRORS", `the discount code ${code} already exists in the shop and is not this reward's`);
}
