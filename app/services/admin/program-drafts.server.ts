import type { ProgramVersion } from "@prisma/client";
import { parseProgram, ProgramError, type Program } from "~/domain/index";
import { lockNames, type Db, type DbOrTx, type Tx } from "~/db/client.server";
import { domainFieldErrors, FormValidationError, FORM_ERROR, type FieldErrors } from "~/forms/form-errors";
import type { ProgramJson } from "~/forms/level-form";

// The program the merchant edits. Edits go to the shop's one draft ProgramVersion; a new draft starts from the latest
// scheduled version (so edits queue behind a scheduled change) or else the published one. Published versions are never
// edited. Every save re-reads the draft inside its transaction and applies only its own change, so two tabs saving
// different parts do not overwrite each other.

export const EMPTY_PROGRAM: ProgramJson = { enabled: true, levels: [] };

export interface Versions {
  published: ProgramVersion | null;
  draft: ProgramVersion | null;
  scheduled: ProgramVersion[];
}

export async function loadVersions(db: DbOrTx, shop: string): Promise<Versions> {
  const rows = await db.programVersion.findMany({
    where: { shop, status: { in: ["draft", "published", "scheduled"] } },
    orderBy: [{ publishedAt: "desc" }, { publishAt: "asc" }, { updatedAt: "desc" }],
  });
  return {
    published: rows.find((r) => r.status === "published") ?? null,
    draft: rows.find((r) => r.status === "draft") ?? null,
    scheduled: rows.filter((r) => r.status === "scheduled").sort((a, b) => (a.publishAt?.getTime() ?? 0) - (b.publishAt?.getTime() ?? 0)),
  };
}

export function programOf(row: Pick<ProgramVersion, "programJson"> | null): ProgramJson | null {
  if (!row) return null;
  return JSON.parse(row.programJson) as ProgramJson;
}

/** What a new draft starts from: the last scheduled version, else the published one, else an empty program. */
export function baseProgram(v: Versions, currency: string): ProgramJson {
  const last = v.scheduled[v.scheduled.length - 1] ?? v.published;
  return programOf(last) ?? { ...EMPTY_PROGRAM, currency };
}

export interface Editable {
  program: ProgramJson;
  versions: Versions;
  currency: string;
  /** Changes whenever the stored draft does: the editors remount with stored values after a save. */
  formKey: string;
}

export async function editableProgram(db: DbOrTx, shop: string): Promise<Editable> {
  const [versions, shopRow] = await Promise.all([loadVersions(db, shop), db.shop.findUnique({ where: { domain: shop } })]);
  const currency = shopRow?.currency ?? "USD";
  const program = programOf(versions.draft) ?? baseProgram(versions, currency);
  const formKey = versions.draft ? `${versions.draft.id}@${versions.draft.updatedAt.getTime()}` : `base@${versions.published?.id ?? "none"}`;
  return { program, versions, currency: (program.currency as string | undefined) ?? currency, formKey };
}

/**
 * Validates a whole program with the engine and maps a rule it breaks onto the form: errors under `prefix`
 * (`program.levels[2]` for the level editor) land on that field, others on the form banner, named by level.
 */
export function validateProgram(program: ProgramJson, prefix = "program"): Program {
  try {
    return parseProgram(program);
  } catch (e) {
    if (!(e instanceof ProgramError)) throw e;
    throw new FormValidationError(programErrors(e, program, prefix), 422);
  }
}

export function programErrors(e: ProgramError, program: ProgramJson, prefix: string): FieldErrors {
  return domainFieldErrors(e, prefix, (path) => {
    const m = /^program\.levels\[(\d+)\]/.exec(path);
    const level = m ? program.levels?.[Number(m[1])] : undefined;
    return level ? [level.name, describeField(path.slice(m![0].length).replace(/^\./, ""))].filter(Boolean).join(", ") : null;
  });
}

/** "upgrade[0][1].amount" → "upgrade group 1, condition 2" (what the merchant sees in the editor). */
export function describeField(path: string): string {
  const m = /^(upgrade|renewal)\[(\d+)\](?:\[(\d+)\])?/.exec(path);
  if (m) return `${m[1]} group ${Number(m[2]) + 1}${m[3] !== undefined ? `, condition ${Number(m[3]) + 1}` : ""}`;
  return path;
}

/** Writes the draft (creating it from the base when there is none). Call inside the transaction that read it. */
export async function writeDraft(tx: DbOrTx, shop: string, draft: ProgramVersion | null, program: ProgramJson): Promise<ProgramVersion> {
  if (draft && draft.shop !== shop) throw new Error(`the draft ${draft.id} belongs to another shop`);
  const programJson = JSON.stringify(program);
  if (draft) return tx.programVersion.update({ where: { id: draft.id }, data: { programJson, error: null } });
  return tx.programVersion.create({ data: { shop, status: "draft", programJson } });
}

/**
 * The read-modify-write every draft edit is: read the editable program inside a transaction, let `change` return the
 * new program (throwing FormValidationError to reject), validate it with the engine, write it. Nothing is written
 * when anything throws.
 */
export async function editDraft<T>(
  db: Db,
  shop: string,
  change: (
    current: Editable,
    tx: Tx,
  ) => Promise<{ program: ProgramJson; prefix?: string; result: T }> | { program: ProgramJson; prefix?: string; result: T },
): Promise<T> {
  return db.$transaction(async (tx) => {
    await lockNames(tx, [`program-draft ${shop}`]); // PostgreSQL: two saves must not both read the same draft
    const current = await editableProgram(tx, shop);
    const { program, prefix, result } = await change(current, tx);
    validateProgram(program, prefix);
    await writeDraft(tx, shop, current.versions.draft, program);
    return result;
  });
}

export function notFound(message: string): FormValidationError {
  return new FormValidationError({ [FORM_ERROR]: message }, 404);
}

/** Whether the draft differs from what it was based on (an untouched draft is not worth publishing). */
export function draftPending(v: Versions): boolean {
  if (!v.draft) return false;
  const base = v.scheduled[v.scheduled.length - 1] ?? v.published;
  return !base || base.programJson !== v.draft.programJson;
}
