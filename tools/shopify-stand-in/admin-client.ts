import { SHOPIFY_API_VERSION } from "./schemas";

/**
 * A minimal `admin` for code that takes an AdminGraphqlClient: POSTs to the stand-in (or any Admin API origin) and
 * returns the raw Response, errors included, like a fetch-based client would. The Remix `admin` context instead
 * throws on errors; app/shopify handles both.
 */
export function standInAdminClient(opts: { url: string; shop: string; accessToken: string; apiVersion?: string; fetch?: typeof fetch }) {
  const endpoint = `${opts.url.replace(/\/$/, "")}/admin/api/${opts.apiVersion ?? SHOPIFY_API_VERSION}/graphql.json`;
  const doFetch = opts.fetch ?? fetch;
  return {
    graphql(query: string, options?: { variables?: Record<string, unknown> }): Promise<Response> {
      return doFetch(endpoint, {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          "X-Shopify-Access-Token": opts.accessToken,
          "X-Shopify-Shop-Domain": opts.shop,
        },
        body: JSON.stringify({ query, variables: options?.variables ?? {} }),
      });
    },
  };
}
