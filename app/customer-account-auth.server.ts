import { authenticate } from "./shopify.server";

/**
 * The door of every shopper → app backend call from a customer account extension (POST /api/account/…): Shopify's
 * session token (`shopify.sessionToken.get()`, sent as a bearer token) verified by the library's
 * `authenticate.public.customerAccount` (signature, expiry; it also answers the CORS preflight). The shop is the
 * token's `dest`, the customer its `sub`: never a field of the body. Answers carry CORS headers, so the extension
 * (another origin) can read even a refusal.
 */

export type Cors = (response: Response) => Response;

export interface ShopperCall {
  shop: string;
  customerGid: string;
  cors: Cors;
}

const CUSTOMER_GID = /^gid:\/\/shopify\/Customer\/\d+$/;

/** A JSON answer with CORS headers. */
export function answer(cors: Cors, body: unknown, status: number): Response {
  return cors(new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json; charset=utf-8" } }));
}

/** A refusal: `{ error: { code, message, …extra } }`. */
export const problem = (cors: Cors, status: number, code: string, message: string, extra: Record<string, unknown> = {}) =>
  answer(cors, { error: { code, message, ...extra } }, status);

/** The library throws its 401 without CORS headers; the extension (another origin) could not even read the status. */
function withCorsHeaders(request: Request, thrown: unknown): unknown {
  if (!(thrown instanceof Response) || !request.headers.get("Origin") || thrown.headers.has("Access-Control-Allow-Origin")) return thrown;
  const headers = new Headers(thrown.headers);
  headers.set("Access-Control-Allow-Origin", "*");
  headers.set("Access-Control-Allow-Headers", "Authorization, Content-Type");
  return new Response(thrown.body, { status: thrown.status, statusText: thrown.statusText, headers });
}

/** "shop.myshopify.com" from the token's `dest` (Shopify sends the bare domain; an https:// URL is read the same). */
export function shopOfDest(dest: unknown): string | null {
  if (typeof dest !== "string") return null;
  const host = dest.replace(/^https:\/\//, "").replace(/\/.*$/, "");
  return /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/.test(host) ? host : null;
}

/**
 * Authenticates a shopper's POST: the call's shop and customer, or the Response to send (405 for another method,
 * 401 without a shop or a logged-in customer). Throws the library's own answers (401, the 204 preflight) with CORS.
 */
export async function authenticateShopperCall(request: Request, notLoggedIn: string): Promise<ShopperCall | Response> {
  let auth;
  try {
    auth = await authenticate.public.customerAccount(request);
  } catch (thrown) {
    throw withCorsHeaders(request, thrown);
  }
  const { sessionToken, cors } = auth;
  if (request.method !== "POST") return problem(cors, 405, "method-not-allowed", "Use POST.");
  const shop = shopOfDest(sessionToken.dest);
  if (!shop) return problem(cors, 401, "invalid-token", "The session token names no shop.");
  if (typeof sessionToken.sub !== "string" || !CUSTOMER_GID.test(sessionToken.sub)) return problem(cors, 401, "not-logged-in", notLoggedIn);
  return { shop, customerGid: sessionToken.sub, cors };
}
