import { json } from "@remix-run/node";
import { FormValidationError, type FieldErrors } from "~/forms/form-errors";

/**
 * Runs an action's one service call and answers with `{ ok: true, ...result }`, or with the field errors and the
 * error's status (400 malformed, 404 unknown, 409 conflict, 422 invalid) when the service rejected the input.
 * Services validate before they write and write in one transaction, so a rejected action has saved nothing.
 */
export async function formAction<T extends object>(run: () => Promise<T>) {
  try {
    const result = await run();
    return json({ ok: true as const, errors: undefined as FieldErrors | undefined, ...result });
  } catch (e) {
    if (e instanceof FormValidationError) return json({ ok: false as const, errors: e.errors as FieldErrors | undefined }, { status: e.status });
    throw e;
  }
}

/** For loaders: an unknown id becomes a 404 page rather than a crash. */
export async function orNotFound<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof FormValidationError && e.status === 404) throw new Response(Object.values(e.errors)[0] ?? "Not found", { status: 404 });
    throw e;
  }
}
