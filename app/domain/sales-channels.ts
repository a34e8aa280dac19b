/**
 * The sales channels a program can count orders from: the one list of channel ids shared by the program's
 * `channels`, the order facts (webhooks and backfill alike) and the admin's settings form.
 */

export const SALES_CHANNELS = [
  { id: "online_store", label: "Online store" },
  { id: "pos", label: "Point of sale" },
  { id: "customer_accounts", label: "Customer accounts" },
  { id: "draft_orders", label: "Draft orders" },
] as const;

export type SalesChannelId = (typeof SALES_CHANNELS)[number]["id"];

/** Shopify's order `source_name` (webhooks) / `sourceName` (Admin GraphQL) → a channel id. */
const SOURCE_NAMES: Record<string, SalesChannelId> = {
  web: "online_store",
  pos: "pos",
  shopify_draft_order: "draft_orders",
  draft_order: "draft_orders",
  customer_account: "customer_accounts",
  customer_accounts: "customer_accounts",
};

/**
 * The channel id of an order's source. Other sources (apps, marketplaces) keep their own name and count only when
 * the program lists them or lists none. Channel ids map to themselves, so mapping twice changes nothing.
 */
export function salesChannelOf(sourceName: string | null | undefined): string | null {
  if (typeof sourceName !== "string" || sourceName === "") return null;
  return Object.hasOwn(SOURCE_NAMES, sourceName) ? SOURCE_NAMES[sourceName] : sourceName;
}
