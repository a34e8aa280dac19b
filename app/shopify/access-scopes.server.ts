import { asCaller, type AdminCaller, type AdminGraphqlClient, type CallPolicy } from "./admin-graphql.server";

/**
 * Tierline's access scopes and what it can tell from the ones a shop granted. shopify.app.toml declares the same
 * lists (test/shopify/platform-settings.test.ts keeps them equal).
 */

/** Scopes every install grants; SCOPES in the environment overrides them (the Shopify CLI sets it during `npm run dev`). */
export const SCOPES = [
  "read_customers",
  "write_customers",
  "read_orders",
  // The customers/merge webhook.
  "read_customer_merge",
  "write_discounts",
  "read_products",
  // The customer account extensions read the customer's member metafields through the Customer Account API.
  "customer_read_customers",
  // The account page writes the shopper's birthday once (metafieldsSet on the customer, as customerUpdate needs).
  "customer_write_customers",
];

export const ALL_ORDERS_SCOPE = "read_all_orders";

/**
 * Scopes the merchant may grant after installing (`optional_scopes`): orders older than 60 days. Optional because
 * Shopify grants read_all_orders only to apps it approved for it, and a required scope that cannot be granted would
 * block the install itself.
 */
export const OPTIONAL_SCOPES = [ALL_ORDERS_SCOPE];

/** Without read_all_orders, the Admin API answers only orders created in the last 60 days. */
export const DEFAULT_ORDER_WINDOW_DAYS = 60;

/** Whether a granted-scope string (the session's `scope`, comma separated) includes read_all_orders. */
export function grantsAllOrders(scope: string | null | undefined): boolean {
  return (scope ?? "").split(",").some((s) => s.trim() === ALL_ORDERS_SCOPE);
}

interface SessionStore {
  session: {
    findFirst(args: { where: { shop: string; isOnline: boolean }; select: { scope: true } }): Promise<{ scope: string | null } | null>;
    updateMany(args: { where: { shop: string }; data: { scope: string } }): Promise<unknown>;
  };
}

/**
 * The scopes the shop granted, as its offline session records them: set when the token is issued (install, token
 * exchange, refresh) and updated by the app/scopes_update webhook (storeGrantedScopes). Null without an offline session.
 */
export async function grantedScopes(db: SessionStore, shop: string): Promise<string | null> {
  const row = await db.session.findFirst({ where: { shop, isOnline: false }, select: { scope: true } });
  return row?.scope ?? null;
}

/** Records the scopes the shop granted now on its stored sessions (app/scopes_update, or Shopify's own list). */
export async function storeGrantedScopes(db: SessionStore, shop: string, scopes: string[]): Promise<void> {
  await db.session.updateMany({ where: { shop }, data: { scope: scopes.join(",") } });
}

export const APP_ACCESS_SCOPES = `#graphql
query AppAccessScopes {
  currentAppInstallation {
    accessScopes {
      handle
    }
  }
}
`;

/** The scopes the shop granted, as Shopify knows them right now (before app/scopes_update has been applied). */
export async function fetchGrantedScopes(admin: AdminGraphqlClient | AdminCaller, policy?: CallPolicy): Promise<string[]> {
  const data = await asCaller(admin, policy).request<{ currentAppInstallation: { accessScopes: { handle: string }[] } }>(APP_ACCESS_SCOPES);
  return data.currentAppInstallation.accessScopes.map((s) => s.handle);
}
