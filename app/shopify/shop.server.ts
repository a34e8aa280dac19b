import { asCaller, ShopifyAdminError, type AdminCaller, type AdminGraphqlClient, type CallPolicy } from "./admin-graphql.server";
import { SHOP_CURRENCY } from "./documents";

/** The shop's currency: progress amounts are shown in it and money facts are counted in it. */
export async function fetchShopCurrency(admin: AdminGraphqlClient | AdminCaller, policy?: CallPolicy): Promise<string> {
  const data = await asCaller(admin, policy).request(SHOP_CURRENCY);
  const code = data?.shop?.currencyCode;
  if (typeof code !== "string") throw new ShopifyAdminError("GRAPHQL_ERRORS", "shop.currencyCode missing from the response");
  return code;
}
