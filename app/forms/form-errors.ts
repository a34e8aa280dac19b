import { z } from "zod";
import { DomainValidationError } from "~/domain/index";

/**
 * Field errors keyed by the form field's path, written the way the engine writes paths below a level or program:
 * `name`, `upgrade[0][1].amount`, `card.background`. The UI looks errors up by the same key it renders the field with,
 * so a zod issue and an engine ProgramError land on the same control.
 */
export type FieldErrors = Record<string, string>;

/** Key under which an error that belongs to no single field is returned. */
export const FORM_ERROR = "_form";

export class FormValidationError extends Error {
  constructor(
    readonly errors: FieldErrors,
    readonly status: 400 | 404 | 409 | 422 = 422,
  ) {
    super(
      Object.entries(errors)
        .map(([k, v]) => `${k}: ${v}`)
        .join("; "),
    );
    this.name = "FormValidationError";
  }
}

/** ["upgrade", 0, 1, "amount"] → "upgrade[0][1].amount" */
export function pathKey(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) {
    if (typeof p === "number") out += `[${p}]`;
    else out += out === "" ? String(p) : `.${String(p)}`;
  }
  return out || FORM_ERROR;
}

export function zodFieldErrors(error: z.ZodError, prefix: readonly PropertyKey[] = []): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of error.issues) {
    const key = pathKey([...prefix, ...issue.path]);
    // The first problem per field is the useful one; later ones are usually consequences.
    out[key] ??= issue.message;
  }
  return out;
}

/** Parses with zod, throwing a FormValidationError (422) that carries every field's first problem. */
export function parseForm<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new FormValidationError(zodFieldErrors(result.error), 422);
  return result.data;
}

/**
 * Maps an engine path onto the form's own keys. `prefix` is the part of the engine path that the form stands for:
 * `program.levels[2]` for the level editor (so `program.levels[2].upgrade[0][0].amount` → `upgrade[0][0].amount`),
 * `program` for settings. Errors elsewhere (another level broke a rule because of this edit) go to `_form`,
 * prefixed with `otherLabel` so the merchant knows where to look. An empty prefix sends every error to `_form`
 * (forms without fields of their own, such as the levels list's switches).
 */
export function domainFieldErrors(err: DomainValidationError, prefix: string, otherLabel?: (path: string) => string | null): FieldErrors {
  if (prefix && err.path === prefix) return { [FORM_ERROR]: err.detail };
  if (prefix && (err.path.startsWith(`${prefix}.`) || err.path.startsWith(`${prefix}[`))) {
    const rest = err.path.slice(prefix.length).replace(/^\./, "");
    return { [rest]: err.detail };
  }
  const label = otherLabel?.(err.path);
  return { [FORM_ERROR]: label ? `${label}: ${err.detail}` : err.message };
}

/** Reads a Remix form's `payload` field (JSON written by the client editor) or fails with a 400. */
export function readJsonPayload(form: FormData, field = "payload"): unknown {
  const raw = form.get(field);
  if (typeof raw !== "string" || raw.trim() === "") throw new FormValidationError({ [FORM_ERROR]: `The form sent no ${field}.` }, 400);
  try {
    return JSON.parse(raw);
  } catch {
    throw new FormValidationError({ [FORM_ERROR]: `The form's ${field} is not valid JSON.` }, 400);
  }
}

/** FormData → plain object of strings (repeated keys become arrays), for zod schemas of flat forms. */
export function formObject(form: FormData): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of form.entries()) {
    if (typeof v !== "string") continue;
    const prev = out[k];
    if (prev === undefined) out[k] = v;
    else out[k] = Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}
