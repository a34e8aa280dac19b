/**
 * Tierline's access scopes and what it can tell from the ones a shop granted. shopify.app.toml declares the same
 * list (test/shopify/platform-settings.test.ts keeps the two equal).
 */

/** Scopes the app requests; SCOPES in the environment overrides them (the Shopify CLI sets it during `npm run dev`). */
export const SCOPES = [
  "read_customers",
  "write_customers",
  "read_orders",
  // Orders older than 60 days. Shopify grants it only to apps whose request it approved.
  "read_all_orders",
  // The customers/merge webhook.
  "read_customer_merge",
  "write_discounts",
  "read_products",
  // The customer account extensions read the customer's member metafields through the Customer Account API.
  "customer_read_customers",
];

export const ALL_ORDERS_SCOPE = "read_all_orders";

/** Without read_all_orders, the Admin API answers only orders created in the last 60 days. */
export const DEFAULT_ORDER_WINDOW_DAYS = 60;

/** Whether a granted-scope string (the session's `scope`, comma separated) includes read_all_orders. */
export function grantsAllOrders(scope: string | null | undefined): boolean {
  return (scope ?? "").split(",").some((s) => s.trim() === ALL_ORDERS_SCOPE);
}

interface SessionReader {
  session: { findFirst(args: { where: { shop: string; isOnline: boolean }; select: { scope: true } }): Promise<{ scope: string | null } | null> };
}

/**
 * The scopes the shop granted, as its offline session records them: set when the token is issued (install, token
 * exchange, refresh) and updated by the app/scopes_update webhook. Null when the shop has no offline session.
 */
export async function grantedScopes(db: SessionReader, shop: string): Promise<string | null> {
  const row = await db.session.findFirst({ where: { shop, isOnline: false }, select: { scope: true } });
  return row?.scope ?? null;
}
