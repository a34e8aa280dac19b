import { setAbstractFetchFunc } from "@shopify/shopify-api/runtime";

/**
 * Where the Admin API lives. Shopify's libraries build `https://{shop}/admin/api/…` and send it through the fetch
 * they were given at load time; when SHOPIFY_ADMIN_ORIGIN is set (a local store stand-in, a recording proxy) those
 * requests go to that origin instead, with path, method, headers and body untouched and the shop named in
 * X-Shopify-Shop-Domain (the Host header cannot carry it any more). Without the variable nothing changes.
 */

const SHOP_HOST = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/i;

type FetchFn = typeof fetch;

export function parseAdminOrigin(value: string | undefined): URL | null {
  if (!value) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`SHOPIFY_ADMIN_ORIGIN must be an origin like http://127.0.0.1:4455 (got "${value}")`);
  }
  if (url.pathname !== "/" || url.search || url.hash) throw new Error(`SHOPIFY_ADMIN_ORIGIN must be an origin without a path (got "${value}")`);
  return url;
}

/** A fetch that sends requests for `https://<shop>.myshopify.com/...` to `origin`, and everything else unchanged. */
export function adminOriginFetch(origin: URL, base: FetchFn = globalThis.fetch): FetchFn {
  return (async (input: RequestInfo | URL, init?: RequestInit) => {
    const target = new URL(input instanceof Request ? input.url : String(input));
    if (target.protocol !== "https:" || !SHOP_HOST.test(target.hostname)) return base(input, init);
    const rerouted = new URL(`${target.pathname}${target.search}`, origin);
    const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
    if (!headers.has("X-Shopify-Shop-Domain")) headers.set("X-Shopify-Shop-Domain", target.hostname);
    headers.set("X-Forwarded-Host", target.hostname);
    if (input instanceof Request) return base(new Request(rerouted, { ...copyRequest(input), ...init, headers }));
    return base(rerouted, { ...init, headers });
  }) as FetchFn;
}

function copyRequest(request: Request): RequestInit {
  const hasBody = request.method !== "GET" && request.method !== "HEAD";
  return {
    method: request.method,
    body: hasBody ? request.body : undefined,
    redirect: request.redirect,
    signal: request.signal,
    ...(hasBody ? { duplex: "half" } : {}),
  } as RequestInit;
}

let configuredOrigin: string | null = null;

/**
 * Points @shopify/shopify-api's fetch at SHOPIFY_ADMIN_ORIGIN. Called once by app/shopify.server.ts after the
 * library's adapter has installed its own fetch (the adapter captures `fetch` at import, so wrapping
 * `globalThis.fetch` later would not reach it).
 */
export function configureAdminTransport(originValue: string | undefined, base: FetchFn = globalThis.fetch): URL | null {
  const origin = parseAdminOrigin(originValue);
  if (!origin) return null;
  if (configuredOrigin === origin.origin) return origin;
  setAbstractFetchFunc(adminOriginFetch(origin, base));
  configuredOrigin = origin.origin;
  return origin;
}
