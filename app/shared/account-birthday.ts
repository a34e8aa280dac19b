/**
 * The account page's birthday: the Customer Account API documents it sends and the client that runs them, then tells
 * the app. Pure: the fetch, the session token and the backend URL are passed in (the extension sandbox's; stand-ins
 * in tests). Documents are validated against Shopify's real 2026-10 customer schema in
 * test/extensions/graphql-documents.test.ts.
 *
 * Saving is two steps: (1) `metafieldsSet` writes `$app:tierline.birthday` (its definition grants the Customer
 * Account API READ_WRITE), (2) POST /api/account/birthday with the session token records it in the app, which keeps
 * the truth: set once, a later different value is refused (409) and the stored one is written back.
 */

import { parseBirthday } from "../domain/birthday";
import { CUSTOMER_ACCOUNT_API_URL, type FetchLike } from "./member-query";

/** The customer's id and birthday metafield. */
export const TIERLINE_BIRTHDAY = `#graphql
query TierlineBirthday {
  customer {
    id
    birthday: metafield(namespace: "$app:tierline", key: "birthday") {
      value
    }
  }
}
`;

/** Writes the customer's birthday metafield ("MM-DD"). */
export const TIERLINE_BIRTHDAY_SET = `#graphql
mutation TierlineBirthdaySet($customerId: ID!, $birthday: String!) {
  metafieldsSet(metafields: [{ ownerId: $customerId, namespace: "$app:tierline", key: "birthday", type: "single_line_text_field", value: $birthday }]) {
    metafields {
      key
      value
    }
    userErrors {
      field
      message
      code
    }
  }
}
`;

/** Where the account page tells the app (appended to the app's URL). */
export const BIRTHDAY_BACKEND_PATH = "/api/account/birthday";

export type BirthdayState =
  | { status: "loading" }
  | { status: "error"; message: string }
  /** No birthday yet: the form is shown. */
  | { status: "empty"; customerId: string }
  /** Set: shown read-only. */
  | { status: "set"; customerId: string; birthday: string };

async function customerAccount(fetchFn: FetchLike, query: string, variables?: Record<string, unknown>): Promise<Record<string, unknown>> {
  const response = await fetchFn(CUSTOMER_ACCOUNT_API_URL, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(variables ? { query, variables } : { query }),
  });
  if (!response.ok) throw new Error(`Customer Account API answered HTTP ${response.status}`);
  const body = (await response.json().catch(() => null)) as { data?: Record<string, unknown>; errors?: { message?: string }[] } | null;
  if (!body?.data || (Array.isArray(body.errors) && body.errors.length > 0))
    throw new Error(`Customer Account API errors: ${(body?.errors ?? []).map((e) => e?.message ?? "?").join("; ")}`);
  return body.data;
}

/** The customer's birthday as the metafield holds it. Never throws. */
export async function loadBirthday(fetchFn: FetchLike): Promise<BirthdayState> {
  try {
    const data = await customerAccount(fetchFn, TIERLINE_BIRTHDAY);
    const customer = data.customer as { id?: unknown; birthday?: { value?: unknown } | null } | null;
    if (!customer || typeof customer.id !== "string") return { status: "error", message: "not logged in" };
    const parsed = parseBirthday(customer.birthday?.value);
    return parsed.ok ? { status: "set", customerId: customer.id, birthday: parsed.birthday } : { status: "empty", customerId: customer.id };
  } catch (error) {
    return { status: "error", message: error instanceof Error ? error.message : String(error) };
  }
}

export type SaveOutcome =
  /** Recorded (or already the same): show it read-only. */
  | { status: "saved"; birthday: string }
  /** Another birthday was on file; the app kept it. */
  | { status: "kept"; birthday: string; message: string }
  /** Nothing saved: the input (a message for the field) or a failure (try again). */
  | { status: "invalid"; message: string }
  | { status: "failed"; message: string };

export interface SaveDeps {
  fetch: FetchLike;
  /** `shopify.sessionToken.get` */
  sessionToken: () => Promise<string>;
  /** The app's URL (no trailing slash). */
  appUrl: string;
}

/** Saves a birthday typed by the shopper: metafield first, then the app. */
export async function saveBirthday(deps: SaveDeps, customerId: string, input: string): Promise<SaveOutcome> {
  const parsed = parseBirthday(input);
  if (!parsed.ok) return { status: "invalid", message: parsed.message };
  try {
    const data = await customerAccount(deps.fetch, TIERLINE_BIRTHDAY_SET, { customerId, birthday: parsed.birthday });
    const errors = ((data.metafieldsSet as { userErrors?: { message: string }[] } | null)?.userErrors ?? []).map((e) => e.message);
    if (errors.length > 0) return { status: "failed", message: errors.join("; ") };
    const token = await deps.sessionToken();
    const response = await deps.fetch(`${deps.appUrl}${BIRTHDAY_BACKEND_PATH}`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
      body: JSON.stringify({ birthday: parsed.birthday }),
    });
    const body = (await response.json().catch(() => null)) as { birthday?: string; error?: { message?: string; birthday?: string } } | null;
    if (response.status === 200 || response.status === 201) return { status: "saved", birthday: body?.birthday ?? parsed.birthday };
    if (response.status === 409 && body?.error?.birthday) return { status: "kept", birthday: body.error.birthday, message: body.error.message ?? "" };
    if (response.status === 422) return { status: "invalid", message: body?.error?.message ?? parsed.birthday };
    return { status: "failed", message: body?.error?.message ?? `HTTP ${response.status}` };
  } catch (error) {
    return { status: "failed", message: error instanceof Error ? error.message : String(error) };
  }
}
