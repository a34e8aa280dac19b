import type { HeadersFunction, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, Outlet, useLoaderData, useRouteError } from "@remix-run/react";
import { boundary } from "@shopify/shopify-app-remix/server";
import { AppProvider } from "@shopify/shopify-app-remix/react";
import { NavMenu } from "@shopify/app-bridge-react";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import db from "~/db/client.server";
import { refreshShopPlanIfStale } from "~/services/billing/plan-sync.server";
import { authenticate } from "../shopify.server";

export const links = () => [{ rel: "stylesheet", href: polarisStyles }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { admin, session } = await authenticate.admin(request);
  // The plan (and the level cap) follows the shop's app subscription: read again at most every few minutes, without
  // holding up the page (a slow Shopify must not slow the admin; the stored plan stands until the answer is stored).
  void refreshShopPlanIfStale(db, admin, session.shop);
  // SHOPIFY_APP_BRIDGE_URL lets a machine with no route to Shopify's CDN load a local App Bridge.
  return json({ apiKey: process.env.SHOPIFY_API_KEY || "", appBridgeUrl: process.env.SHOPIFY_APP_BRIDGE_URL || undefined });
};

export default function App() {
  const { apiKey, appBridgeUrl } = useLoaderData<typeof loader>();
  return (
    <AppProvider isEmbeddedApp apiKey={apiKey} __APP_BRIDGE_URL={appBridgeUrl}>
      <NavMenu>
        <Link to="/app" rel="home">
          Member centre
        </Link>
        <Link to="/app/levels">Levels</Link>
        <Link to="/app/members">Members</Link>
        <Link to="/app/publish">Preview and publish</Link>
        <Link to="/app/settings">Program settings</Link>
      </NavMenu>
      <Outlet />
    </AppProvider>
  );
}

// Shopify needs Remix to catch some thrown responses so that their headers are included in the response.
export function ErrorBoundary() {
  return boundary.error(useRouteError());
}

export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);
