import { z } from "zod";
import type { Db, DbOrTx } from "~/db/client.server";
import { FormValidationError, FORM_ERROR, formObject, parseForm, readJsonPayload } from "~/forms/form-errors";
import { bool } from "~/forms/form-fields";
import { parseProgram } from "~/domain/index";
import { applyLevelForm, DEFAULT_CARD, levelFormValues, parseLevelForm, type LevelJson, type ProgramJson } from "~/forms/level-form";
import { summariseConditions } from "./level-summary";
import { planPageUrl } from "../billing/subscription-plan";
import { levelCap, levelCapMessage } from "./plan-limits";
import { draftPending, editableProgram, editDraft, notFound, programOf } from "./program-drafts.server";
import type { LevelEditView, LevelRow, LevelsView } from "~/forms/view-models";

/** Members per level id ("" for members without a level). Deleted (redacted/removed) customers are not members. */
export async function memberCountsByLevel(db: DbOrTx, shop: string): Promise<Map<string, number>> {
  const rows = await db.member.groupBy({ by: ["levelId"], where: { shop, deletedAt: null }, _count: { _all: true } });
  return new Map(rows.map((r) => [r.levelId ?? "", r._count._all]));
}

async function capFor(db: DbOrTx, shop: string) {
  const row = await db.shop.findUnique({ where: { domain: shop }, select: { plan: true, levelCap: true } });
  return { plan: row?.plan ?? "basic", override: row?.levelCap ?? null };
}

const sortedLevels = (p: ProgramJson) => [...(p.levels ?? [])].sort((a, b) => a.rank - b.rank);

/** Each level as a comparable string: the engine's reading of its rules, plus its card. */
function comparableLevels(program: ProgramJson | null): Map<string, string> {
  const out = new Map<string, string>();
  if (!program) return out;
  let parsed: ReturnType<typeof parseProgram> | null = null;
  try {
    parsed = parseProgram(program);
  } catch {
    // An invalid program (a draft saved before a rule changed) is compared as written.
  }
  for (const l of program.levels ?? []) {
    const rules = parsed?.levels.find((x) => x.id === l.id) ?? l;
    out.set(l.id, JSON.stringify([rules, { ...DEFAULT_CARD, ...(l.card ?? {}) }, l.pointsRules ?? null]));
  }
  return out;
}

export async function levelsView(db: Db, shop: string): Promise<LevelsView> {
  const [{ program, versions, currency }, counts, cap] = await Promise.all([
    editableProgram(db, shop),
    memberCountsByLevel(db, shop),
    capFor(db, shop),
  ]);
  const publishedJson = programOf(versions.published);
  const published = new Map((publishedJson?.levels ?? []).map((l) => [l.id, l]));
  // Compared as the engine reads them (defaults filled in), so re-saving a level unchanged does not flag it.
  const liveShape = comparableLevels(publishedJson);
  const draftShape = comparableLevels(program);
  const levels: LevelRow[] = sortedLevels(program).map((l) => {
    const live = published.get(l.id);
    return {
      id: l.id,
      name: l.name,
      rank: l.rank,
      enabled: l.enabled ?? true,
      internalOnly: l.internalOnly ?? false,
      badge: l.card?.badge ?? "star",
      memberCount: counts.get(l.id) ?? 0,
      state: !live ? "draft" : liveShape.get(l.id) === draftShape.get(l.id) ? "published" : "changed",
      conditionSummary: summariseConditions(l, currency),
    };
  });
  const ids = new Set(levels.map((l) => l.id));
  return {
    currency,
    levels,
    cap: levelCap(cap.plan, cap.override),
    capMessage: levelCapMessage(cap.plan, levels.length, cap.override),
    planUrl: planPageUrl(shop),
    draftPending: draftPending(versions),
    removed: [...published.values()].filter((l) => !ids.has(l.id)).map((l) => ({ id: l.id, name: l.name })),
  };
}

const listIntent = z.discriminatedUnion(
  "intent",
  [
    z.object({ intent: z.literal("setEnabled"), levelId: z.string().min(1), enabled: bool }),
    z.object({ intent: z.literal("move"), levelId: z.string().min(1), direction: z.enum(["up", "down"], { error: "Move up or down" }) }),
  ],
  { error: "Unknown action" },
);

/** Enable/disable a level or move it one rank up or down, on the draft. */
export async function levelsListAction(db: Db, shop: string, form: FormData): Promise<{ levelId: string }> {
  const input = parseForm(listIntent, formObject(form));
  return editDraft(db, shop, ({ program }) => {
    const levels = sortedLevels(program);
    const i = levels.findIndex((l) => l.id === input.levelId);
    if (i < 0) throw notFound(`There is no level "${input.levelId}" in the draft.`);
    let next: LevelJson[];
    if (input.intent === "setEnabled") {
      next = levels.map((l) => (l.id === input.levelId ? { ...l, enabled: input.enabled } : l));
    } else {
      const j = input.direction === "up" ? i - 1 : i + 1;
      if (j < 0 || j >= levels.length)
        throw new FormValidationError(
          { [FORM_ERROR]: `${levels[i].name} is already the ${input.direction === "up" ? "lowest" : "highest"} level.` },
          422,
        );
      // Swap ranks, not positions: ranks are what the engine and the other parts of the app read.
      next = levels.map((l, k) => (k === i ? { ...l, rank: levels[j].rank } : k === j ? { ...l, rank: levels[i].rank } : l));
    }
    return { program: { ...program, levels: next }, prefix: "", result: { levelId: input.levelId } };
  });
}

export async function levelEditView(db: Db, shop: string, levelId: string | null): Promise<LevelEditView> {
  const [{ program, versions, currency, formKey }, counts] = await Promise.all([editableProgram(db, shop), memberCountsByLevel(db, shop)]);
  const level = levelId === null ? null : (program.levels ?? []).find((l) => l.id === levelId);
  if (level === undefined) throw notFound(`There is no level "${levelId}".`);
  const cap = await capFor(db, shop);
  return {
    capMessage: levelId === null ? levelCapMessage(cap.plan, program.levels?.length ?? 0, cap.override) : null,
    planUrl: planPageUrl(shop),
    levelId,
    formKey,
    form: levelFormValues(level),
    currency,
    retentionOn: !!program.retention,
    memberCount: levelId ? (counts.get(levelId) ?? 0) : 0,
    rank: level?.rank ?? null,
    published: !!levelId && !!programOf(versions.published)?.levels?.some((l) => l.id === levelId),
  };
}

const editIntent = z.object({ intent: z.enum(["save", "delete"], { error: "Unknown action" }) });

/** Saves the level editor (create when `levelId` is null) or deletes the level, on the draft. */
export async function levelEditAction(db: Db, shop: string, levelId: string | null, form: FormData): Promise<{ levelId: string; deleted: boolean }> {
  const { intent } = parseForm(editIntent, formObject(form));
  if (intent === "delete") {
    if (levelId === null) throw notFound("Only a saved level can be deleted.");
    return deleteLevel(db, shop, levelId);
  }
  const input = parseLevelForm(readJsonPayload(form));
  return editDraft(db, shop, async ({ program }, tx) => {
    if (levelId === null) {
      const cap = await capFor(tx, shop);
      const message = levelCapMessage(cap.plan, program.levels?.length ?? 0, cap.override);
      if (message) throw new FormValidationError({ [FORM_ERROR]: message }, 409);
    }
    const applied = applyLevelForm(program, levelId, input);
    return { program: applied.program, prefix: `program.levels[${applied.index}]`, result: { levelId: applied.levelId, deleted: false } };
  });
}

/**
 * A level can go only when nobody holds it: members would otherwise be left with a level the program no longer has.
 * Earn rules that named only this level go with it; rules shared with other levels just stop naming it.
 */
export async function deleteLevel(db: Db, shop: string, levelId: string): Promise<{ levelId: string; deleted: boolean }> {
  return editDraft(db, shop, async ({ program }, tx) => {
    const level = (program.levels ?? []).find((l) => l.id === levelId);
    if (!level) throw notFound(`There is no level "${levelId}" in the draft.`);
    const holders = await tx.member.count({ where: { shop, levelId, deletedAt: null } });
    if (holders > 0) {
      throw new FormValidationError(
        {
          [FORM_ERROR]: `${level.name} cannot be deleted: ${holders} ${holders === 1 ? "member holds" : "members hold"} it. Assign them another level, or disable ${level.name} and publish so they fall to the next level, then delete it.`,
        },
        409,
      );
    }
    const points = (program.points ?? {}) as { earn?: { levels?: string[] | null }[] };
    const earn = (points.earn ?? [])
      .map((r) => (Array.isArray(r.levels) && r.levels.includes(levelId) ? { ...r, levels: r.levels.filter((x) => x !== levelId) } : r))
      .filter((r) => !(Array.isArray(r.levels) && r.levels.length === 0));
    return {
      program: { ...program, levels: (program.levels ?? []).filter((l) => l.id !== levelId), points: { ...points, earn } },
      result: { levelId, deleted: true },
    };
  });
}
