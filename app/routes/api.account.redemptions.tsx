import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import db from "~/db/client.server";
import { redeemPoints, RedemptionRefusedError, type RedemptionResult } from "~/services/rewards/redemption.server";
import { authenticate, offlineAdmin } from "~/shopify.server";

/**
 * POST /api/account/redemptions — the account page's "redeem points" (extensions/account-member-page, RedeemPoints).
 * Called cross-origin from the customer account extension with Shopify's session token (`shopify.sessionToken.get()`),
 * verified by the library's `authenticate.public.customerAccount` (signature, expiry), which also answers the CORS
 * preflight. The shop is the token's `dest`, the customer its `sub`: never a field of the body.
 *
 * Body: `{ "points": 500, "form": "discountCode" | "storeCredit", "idempotencyKey": "<one per click>" }`.
 * 200 `{ redemption }` issued (with `code` or `creditGid`); 202 `{ redemption }` pending (Shopify's answer was lost;
 * finished within minutes, the points reserved); 502 `{ error, redemption }` Shopify refused and the points were given
 * back (retry with a new key); 4xx `{ error: { code, message, fields? } }` nothing written.
 */

const bodySchema = z.object({
  points: z.number({ error: "points must be a whole number" }).int("points must be a whole number").min(1, "points must be at least 1"),
  form: z.enum(["discountCode", "storeCredit"], { error: 'form must be "discountCode" or "storeCredit"' }),
  idempotencyKey: z
    .string({ error: "idempotencyKey is required" })
    .regex(/^[A-Za-z0-9_-]{8,100}$/, "idempotencyKey must be 8 to 100 letters, digits, - or _"),
});

const CUSTOMER_GID = /^gid:\/\/shopify\/Customer\/\d+$/;

type Cors = (response: Response) => Response;

function answer(cors: Cors, body: unknown, status: number): Response {
  return cors(new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json; charset=utf-8" } }));
}

const problem = (cors: Cors, status: number, code: string, message: string, extra: Record<string, unknown> = {}) =>
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
function shopOf(dest: unknown): string | null {
  if (typeof dest !== "string") return null;
  const host = dest.replace(/^https:\/\//, "").replace(/\/.*$/, "");
  return /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/.test(host) ? host : null;
}

async function handle(request: Request): Promise<Response> {
  let auth;
  try {
    auth = await authenticate.public.customerAccount(request);
  } catch (thrown) {
    throw withCorsHeaders(request, thrown);
  }
  const { sessionToken, cors } = auth;
  if (request.method !== "POST") return problem(cors, 405, "method-not-allowed", "Use POST.");
  const shop = shopOf(sessionToken.dest);
  if (!shop) return problem(cors, 401, "invalid-token", "The session token names no shop.");
  if (typeof sessionToken.sub !== "string" || !CUSTOMER_GID.test(sessionToken.sub))
    return problem(cors, 401, "not-logged-in", "Sign in to your account to redeem points.");

  let raw: unknown;
  try {
    raw = await request.json();
  } catch {
    return problem(cors, 400, "invalid-request", "The body must be JSON: { points, form, idempotencyKey }.");
  }
  const parsed = bodySchema.safeParse(raw);
  if (!parsed.success) {
    const fields = Object.fromEntries(parsed.error.issues.map((i) => [i.path.join(".") || "_body", i.message]));
    return problem(cors, 400, "invalid-request", Object.values(fields).join("; "), { fields });
  }

  let result: RedemptionResult;
  try {
    result = await redeemPoints(db, { admin: offlineAdmin, now: () => new Date() }, { shop, customerGid: sessionToken.sub, ...parsed.data });
  } catch (error) {
    if (error instanceof RedemptionRefusedError) return problem(cors, error.status, error.code, error.message);
    throw error;
  }
  if (result.status === "failed")
    return answer(cors, { error: { code: "shopify-failed", message: result.message, retryable: true }, redemption: result }, 502);
  return answer(cors, { redemption: result }, result.status === "issued" ? 200 : 202);
}

export const action = ({ request }: ActionFunctionArgs) => handle(request);
/** GET answers 405 (with CORS headers); Remix sends OPTIONS here too, which the library answers with 204. */
export const loader = ({ request }: LoaderFunctionArgs) => handle(request);
