import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { answer, authenticateShopperCall, problem } from "~/customer-account-auth.server";
import db from "~/db/client.server";
import { redeemPoints, RedemptionRefusedError, type RedemptionResult } from "~/services/rewards/redemption.server";
import { offlineAdmin } from "~/shopify.server";

/**
 * POST /api/account/redemptions — the account page's "redeem points" (extensions/account-member-page, RedeemPoints).
 * Called cross-origin from the customer account extension with Shopify's session token (`shopify.sessionToken.get()`),
 * verified by the library's `authenticate.public.customerAccount` (app/customer-account-auth.server.ts: signature,
 * expiry, the CORS preflight). The shop is the token's `dest`, the customer its `sub`: never a field of the body.
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

async function handle(request: Request): Promise<Response> {
  const call = await authenticateShopperCall(request, "Sign in to your account to redeem points.");
  if (call instanceof Response) return call;
  const { shop, customerGid, cors } = call;

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
    result = await redeemPoints(db, { admin: offlineAdmin, now: () => new Date() }, { shop, customerGid, ...parsed.data });
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
