import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { answer, authenticateShopperCall, problem } from "~/customer-account-auth.server";
import db from "~/db/client.server";
import { FormValidationError } from "~/forms/form-errors";
import { recordShopperBirthday } from "~/services/rewards/birthdays-capture.server";

/**
 * POST /api/account/birthday — the account page's birthday form (extensions/account-member-page, BirthdayForm), after
 * it wrote the `$app:tierline.birthday` metafield through the Customer Account API. Shopify's session token names
 * the shop and the customer (app/customer-account-auth.server.ts).
 *
 * Body: `{ "birthday": "MM-DD" }` (or "YYYY-MM-DD"; the year is dropped).
 * 201 `{ birthday, message }` recorded; 200 the same birthday was already on file; 409 `{ error, birthday }` another
 * birthday is on file and stays (set once: the shop changes it), and the metafield is put back to it;
 * 4xx `{ error: { code, message } }` nothing written.
 */

async function handle(request: Request): Promise<Response> {
  const call = await authenticateShopperCall(request, "Sign in to your account to save your birthday.");
  if (call instanceof Response) return call;
  const { cors, shop, customerGid } = call;
  let body: unknown;
  try {
    body = await request.json();
  } catch {
    return problem(cors, 400, "invalid-request", 'The body must be JSON: { "birthday": "MM-DD" }.');
  }
  const birthday = body !== null && typeof body === "object" ? (body as Record<string, unknown>).birthday : undefined;
  try {
    const result = await recordShopperBirthday(db, { shop, customerGid, birthday }, new Date());
    if (result.status === 409) return problem(cors, 409, "birthday-already-set", result.message, { birthday: result.birthday });
    return answer(cors, { birthday: result.birthday, message: result.message }, result.status);
  } catch (error) {
    if (error instanceof FormValidationError) {
      return problem(cors, error.status, error.status === 404 ? "not-found" : "invalid-birthday", Object.values(error.errors).join(" "));
    }
    throw error;
  }
}

export const action = ({ request }: ActionFunctionArgs) => handle(request);
/** GET answers 405 (with CORS headers); Remix sends OPTIONS here too, which the library answers with 204. */
export const loader = ({ request }: LoaderFunctionArgs) => handle(request);
