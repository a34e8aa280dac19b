import type { LoaderFunctionArgs } from "@remix-run/node";
import { authenticate } from "../shopify.server";

const SHOPIFY_APP_BRIDGE_CDN = "https://cdn.shopify.com/shopifycloud/app-bridge.js";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  try {
    await authenticate.admin(request);
  } catch (response) {
    throw await withLocalAppBridge(response);
  }
  return null;
};

/**
 * The bounce page (/auth/session-token) is the library's own HTML, which loads App Bridge from Shopify's CDN (and
 * preloads it in a Link header). Where SHOPIFY_APP_BRIDGE_URL names another script — the demo's local stand-in, as
 * app.tsx gives AppProvider — the bounce page loads that one too, so one setting covers every page.
 */
async function withLocalAppBridge(thrown: unknown): Promise<unknown> {
  const local = process.env.SHOPIFY_APP_BRIDGE_URL;
  if (!local || !(thrown instanceof Response) || !thrown.headers.get("content-type")?.startsWith("text/html")) return thrown;
  const headers = new Headers(thrown.headers);
  if (headers.has("Link")) headers.set("Link", `<${local}>; rel="preload"; as="script";`);
  const html = (await thrown.text()).replaceAll(SHOPIFY_APP_BRIDGE_CDN, local);
  return new Response(html, { status: thrown.status, statusText: thrown.statusText, headers });
}
