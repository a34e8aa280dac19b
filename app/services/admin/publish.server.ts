import type { Job, ProgramVersion } from "@prisma/client";
import { z } from "zod";
import { parseProgram, previewDiff, ProgramError, type PreviewDiff, type PreviewMember } from "~/domain/index";
import type { Db, DbOrTx, Tx } from "~/db/client.server";
import { RECALCULATE_JOB, recalculateKey, SCHEDULED_PUBLISH_JOB, scheduledPublishKey } from "~/queue/job-kinds";
import { cancelQueuedJobs, enqueueJob, jobByKey } from "~/queue/queue.server";
import { draftProgramMetafield, programMetafieldSizeIssue, requestProgramMetafieldSync } from "~/services/program-metafield.server";
import { loadShopContext } from "~/services/shop-context.server";
import { requestDiscountSync } from "./benefits.server";
import { FormValidationError, FORM_ERROR, formObject, parseForm } from "~/forms/form-errors";
import { instant } from "~/forms/form-fields";
import { DEFAULT_CARD, type ProgramJson } from "~/forms/level-form";
import { shopHistories } from "./member-history.server";
import { draftPending, EMPTY_PROGRAM, loadVersions, programErrors, programOf } from "./program-drafts.server";
import type { PreviewView, PublishView, RecalculationView } from "~/forms/view-models";

/** A schedule must leave the worker time to pick it up; anything sooner is "publish now". */
const MIN_SCHEDULE_LEAD_MS = 60_000;

// ---------------------------------------------------------------------------------------------------------------
// Preview

/**
 * What publishing the draft would do to every member, from their stored facts (rule 7 of the scenario format):
 * per current level, how many move up, down or stay. Returns null when there is no draft.
 */
export async function previewDraft(
  db: DbOrTx,
  shop: string,
  asOf: number,
): Promise<{ diff: PreviewDiff; draft: ProgramJson; current: ProgramJson } | null> {
  const [versions, ctx] = await Promise.all([loadVersions(db, shop), loadShopContext(db, shop)]);
  if (!versions.draft) return null;
  const draftJson = programOf(versions.draft)!;
  const draft = parseProgram(draftJson);
  // The publication history replays as the worker replays it: the first version, then each later one at its instant.
  const base = ctx.versions[0]?.program ?? parseProgram(EMPTY_PROGRAM);
  // In chunks, so memory holds a chunk of histories rather than the shop's; the per-member results just add up.
  const diff: PreviewDiff = { perLevel: {}, moves: [], counts: { before: {}, after: {} } };
  let chunk: PreviewMember[] = [];
  const flush = () => {
    addDiff(diff, previewDiff(base, draft, chunk, asOf));
    chunk = [];
  };
  for await (const m of shopHistories(db, shop, ctx.versions, [draft])) {
    chunk.push(m);
    if (chunk.length === PREVIEW_CHUNK) flush();
  }
  flush();
  return { diff, draft: draftJson, current: programOf(versions.published) ?? EMPTY_PROGRAM };
}

const PREVIEW_CHUNK = 1000;

function addDiff(into: PreviewDiff, d: PreviewDiff): void {
  for (const [level, r] of Object.entries(d.perLevel)) {
    const row = (into.perLevel[level] ??= { up: 0, down: 0, stay: 0 });
    row.up += r.up;
    row.down += r.down;
    row.stay += r.stay;
  }
  for (const k of ["before", "after"] as const)
    for (const [level, n] of Object.entries(d.counts[k])) into.counts[k][level] = (into.counts[k][level] ?? 0) + n;
  into.moves.push(...d.moves);
}

function previewView(p: NonNullable<Awaited<ReturnType<typeof previewDraft>>>, asOf: number): PreviewView {
  const names = new Map<string, string>([["none", "No level"]]);
  for (const l of [...(p.current.levels ?? []), ...(p.draft.levels ?? [])]) names.set(l.id, l.name);
  const ranks = new Map<string, number>((p.current.levels ?? []).map((l) => [l.id, l.rank]));
  const order = (id: string) => (id === "none" ? -Infinity : (ranks.get(id) ?? Infinity));
  const rows = Object.entries(p.diff.perLevel)
    .sort(([a], [b]) => order(a) - order(b))
    .map(([levelId, r]) => ({ levelId, levelName: names.get(levelId) ?? levelId, ...r }));
  const ids = new Set([...Object.keys(p.diff.counts.before), ...Object.keys(p.diff.counts.after), ...(p.draft.levels ?? []).map((l) => l.id)]);
  const counts = [...ids]
    .sort((a, b) => order(a) - order(b))
    .map((levelId) => ({
      levelId,
      levelName: names.get(levelId) ?? levelId,
      before: p.diff.counts.before[levelId] ?? 0,
      after: p.diff.counts.after[levelId] ?? 0,
    }));
  return { asOf: new Date(asOf).toISOString(), members: Object.values(p.diff.counts.before).reduce((s, n) => s + n, 0), rows, counts };
}

/** Customer GIDs the draft moves `kind` from level `from` ("none" = no level): the preview's drill-down. */
export async function previewMoves(db: DbOrTx, shop: string, from: string, kind: "up" | "down" | "stay", asOf: number): Promise<string[] | null> {
  const [versions, ctx] = await Promise.all([loadVersions(db, shop), loadShopContext(db, shop)]);
  if (!versions.draft) return null;
  const base = ctx.versions[0]?.program ?? parseProgram(EMPTY_PROGRAM);
  const current = parseProgram(programOf(versions.published) ?? EMPTY_PROGRAM);
  const draft = parseProgram(programOf(versions.draft)!);
  const out: string[] = [];
  const ranks = new Map(draft.levels.map((l) => [l.id, l.rank]));
  const currentRanks = new Map(current.levels.map((l) => [l.id, l.rank]));
  for await (const m of shopHistories(db, shop, ctx.versions, [draft])) {
    // One member at a time keeps memory flat; previewDiff's rule is applied exactly as in the summary.
    const d = previewDiff(base, draft, [m], asOf);
    const key = Object.keys(d.perLevel)[0];
    if (key !== from) continue;
    const move = d.moves[0];
    const k = !move ? "stay" : rankOf(move.to, ranks, currentRanks) > rankOf(move.from, ranks, currentRanks) ? "up" : "down";
    if (k === kind) out.push(m.id);
  }
  return out;
}

const rankOf = (id: string | null, draft: Map<string, number>, current: Map<string, number>) =>
  id === null ? -Infinity : (draft.get(id) ?? current.get(id) ?? -Infinity);

// ---------------------------------------------------------------------------------------------------------------
// Page

export async function publishView(db: Db, shop: string, opts: { preview: boolean; now: number }): Promise<PublishView> {
  const [versions, shopRow, recalculation] = await Promise.all([
    loadVersions(db, shop),
    db.shop.findUnique({ where: { domain: shop } }),
    recalculationProgress(db, shop, null),
  ]);
  const pending = draftPending(versions);
  let draftError: string | null = versions.draft?.error ?? null;
  if (versions.draft && !draftError) {
    try {
      parseProgram(programOf(versions.draft));
    } catch (e) {
      if (!(e instanceof ProgramError)) throw e;
      draftError = Object.values(programErrors(e, programOf(versions.draft)!, ""))[0];
    }
  }
  if (pending && (programOf(versions.draft)?.levels ?? []).length === 0)
    draftError ??= "The draft has no levels. Add at least one level before publishing.";
  const preview = opts.preview && pending && !draftError ? await previewDraft(db, shop, opts.now) : null;
  return {
    currency: shopRow?.currency ?? "USD",
    draft: pending && versions.draft ? { versionId: versions.draft.id, updatedAt: versions.draft.updatedAt.toISOString(), error: draftError } : null,
    published: versions.published ? { versionId: versions.published.id, publishedAt: versions.published.publishedAt!.toISOString() } : null,
    scheduled: versions.scheduled.map((s) => ({ versionId: s.id, publishAt: s.publishAt!.toISOString(), createdAt: s.createdAt.toISOString() })),
    recalculation,
    preview: preview ? previewView(preview, opts.now) : null,
  };
}

const publishIntent = z.discriminatedUnion(
  "intent",
  [
    z.object({ intent: z.literal("publish") }),
    z.object({ intent: z.literal("schedule"), publishAt: instant("Publish at") }),
    z.object({ intent: z.literal("cancelSchedule"), versionId: z.string().min(1, "Choose the scheduled change to cancel") }),
  ],
  { error: "Unknown action" },
);

export async function publishAction(db: Db, shop: string, form: FormData, now: number): Promise<{ versionId: string; jobId: string | null }> {
  const input = parseForm(publishIntent, formObject(form));
  if (input.intent === "publish") return publishNow(db, shop, now);
  if (input.intent === "schedule") return scheduleDraft(db, shop, Date.parse(input.publishAt), now);
  return cancelSchedule(db, shop, input.versionId);
}

// ---------------------------------------------------------------------------------------------------------------
// Publishing

/** The draft, validated for publishing; the reason it cannot be published goes to the form banner. */
async function publishableDraft(tx: DbOrTx, shop: string): Promise<{ draft: ProgramVersion; program: ProgramJson }> {
  const versions = await loadVersions(tx, shop);
  if (!versions.draft || !draftPending(versions)) throw new FormValidationError({ [FORM_ERROR]: "There are no unpublished changes." }, 409);
  const program = programOf(versions.draft)!;
  try {
    parseProgram(program);
  } catch (e) {
    if (!(e instanceof ProgramError)) throw e;
    throw new FormValidationError({ [FORM_ERROR]: Object.values(programErrors(e, program, ""))[0] }, 422);
  }
  if ((program.levels ?? []).length === 0)
    throw new FormValidationError({ [FORM_ERROR]: "The draft has no levels. Add at least one level before publishing." }, 422);
  const shopperProgram = await draftProgramMetafield(tx, shop, program);
  const tooLarge = shopperProgram && programMetafieldSizeIssue(shopperProgram);
  if (tooLarge) throw new FormValidationError({ [FORM_ERROR]: tooLarge }, 422);
  return { draft: versions.draft, program };
}

/**
 * Makes the draft the published program now and queues the recalculation of every member. Scheduled changes are
 * cancelled: the draft was started from the last of them, so it already holds what they would have published.
 * The recalculation is a job; editing goes on meanwhile, and a later publish queues its own run behind this one.
 */
export async function publishNow(db: Db, shop: string, now: number): Promise<{ versionId: string; jobId: string }> {
  return db.$transaction(async (tx) => {
    const { draft, program } = await publishableDraft(tx, shop);
    const scheduled = await tx.programVersion.findMany({ where: { shop, status: "scheduled" }, select: { id: true } });
    if (scheduled.length) {
      await tx.programVersion.updateMany({ where: { id: { in: scheduled.map((s) => s.id) } }, data: { status: "cancelled" } });
      await cancelQueuedJobs(
        tx,
        scheduled.map((s) => scheduledPublishKey(s.id)),
      );
    }
    const job = await publishVersion(tx, shop, draft, program, now);
    return { versionId: draft.id, jobId: job.id };
  });
}

/** Shared by "publish now" and the scheduled publish job. */
async function publishVersion(tx: Tx, shop: string, version: ProgramVersion, program: ProgramJson, now: number): Promise<Job> {
  const at = new Date(now);
  await tx.programVersion.updateMany({ where: { shop, status: "published" }, data: { status: "superseded" } });
  await tx.programVersion.update({
    where: { id: version.id },
    data: { status: "published", publishedAt: at, publishAt: version.publishAt ?? at, error: null },
  });
  await projectLevels(tx, shop, version.id, program);
  await requestDiscountSync(tx, shop, now);
  await requestProgramMetafieldSync(tx, shop, now);
  const total = await tx.member.count({ where: { shop, deletedAt: null } });
  await enqueueJob(tx, { type: RECALCULATE_JOB, shop, key: recalculateKey(version.id), payload: { versionId: version.id }, runAt: at, total }, at);
  return jobByKey(tx, shop, recalculateKey(version.id));
}

/**
 * The Level table (display data for lists, joins and the shopper surfaces) follows the published program: one row
 * per published level, none for levels the program no longer has. (A level's points multiplier stays in the program
 * JSON, where the member sync reads it.)
 */
async function projectLevels(tx: Tx, shop: string, versionId: string, program: ProgramJson): Promise<void> {
  const levels = program.levels ?? [];
  await tx.level.deleteMany({ where: { shop, levelId: { notIn: levels.map((l) => l.id) } } });
  for (const l of levels) {
    const card = { ...DEFAULT_CARD, ...(l.card ?? {}) };
    const data = {
      programVersionId: versionId,
      name: l.name,
      rank: l.rank,
      enabled: l.enabled ?? true,
      internalOnly: l.internalOnly ?? false,
      badge: card.badge,
      background: card.background,
      textColor: card.text,
      levelColor: card.levelColor,
      hideDates: card.hideDates,
    };
    await tx.level.upsert({ where: { shop_levelId: { shop, levelId: l.id } }, create: { shop, levelId: l.id, ...data }, update: data });
  }
}

/** Turns the draft into a scheduled version; a job publishes it at `publishAt`. Later edits start a new draft from it. */
export async function scheduleDraft(db: Db, shop: string, publishAt: number, now: number): Promise<{ versionId: string; jobId: string }> {
  if (publishAt < now + MIN_SCHEDULE_LEAD_MS)
    throw new FormValidationError({ publishAt: "Choose a time at least a minute from now, or publish now." }, 422);
  return db.$transaction(async (tx) => {
    const { draft } = await publishableDraft(tx, shop);
    const later = await tx.programVersion.findFirst({
      where: { shop, status: "scheduled", publishAt: { gte: new Date(publishAt) } },
      orderBy: { publishAt: "asc" },
    });
    if (later) {
      // The draft was started from the last scheduled change; publishing it first would be undone when that one runs.
      throw new FormValidationError(
        {
          publishAt: `Choose a time after the change already scheduled for ${later.publishAt!.toISOString().replace("T", " ").slice(0, 16)} UTC, or cancel that one.`,
        },
        422,
      );
    }
    await tx.programVersion.update({ where: { id: draft.id }, data: { status: "scheduled", publishAt: new Date(publishAt) } });
    await enqueueJob(
      tx,
      { type: SCHEDULED_PUBLISH_JOB, shop, key: scheduledPublishKey(draft.id), payload: { versionId: draft.id }, runAt: new Date(publishAt) },
      new Date(publishAt),
    );
    const job = await jobByKey(tx, shop, scheduledPublishKey(draft.id));
    return { versionId: draft.id, jobId: job.id };
  });
}

export async function cancelSchedule(db: Db, shop: string, versionId: string): Promise<{ versionId: string; jobId: null }> {
  return db.$transaction(async (tx) => {
    const version = await tx.programVersion.findFirst({ where: { id: versionId, shop } });
    if (!version) throw new FormValidationError({ [FORM_ERROR]: "That scheduled change does not exist." }, 404);
    if (version.status !== "scheduled") throw new FormValidationError({ [FORM_ERROR]: `That change is already ${version.status}.` }, 409);
    await tx.programVersion.update({ where: { id: versionId }, data: { status: "cancelled" } });
    await cancelQueuedJobs(tx, [scheduledPublishKey(versionId)]);
    return { versionId, jobId: null };
  });
}

/**
 * Job handler for SCHEDULED_PUBLISH_JOB. Publishing a version that was cancelled (or already published) in the
 * meantime does nothing, so a late or repeated run is harmless.
 */
export async function runScheduledPublish(
  db: Db,
  payload: { versionId: string },
  now: number,
  shop?: string | null,
): Promise<{ published: boolean; jobId: string | null }> {
  return db.$transaction(async (tx) => {
    const version = await tx.programVersion.findUnique({ where: { id: payload.versionId } });
    if (!version || version.status !== "scheduled") return { published: false, jobId: null };
    // A job publishes only its own shop's version, whatever id its payload carries.
    if (shop && version.shop !== shop) return { published: false, jobId: null };
    const job = await publishVersion(tx, version.shop, version, programOf(version)!, now);
    return { published: true, jobId: job.id };
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Recalculation

/** A recalculation's state for the progress bar: the given job, or the shop's latest one still worth showing. */
export async function recalculationProgress(db: DbOrTx, shop: string, jobId: string | null): Promise<RecalculationView | null> {
  const job = jobId
    ? await db.job.findFirst({ where: { id: jobId, shop, type: RECALCULATE_JOB } })
    : ((await db.job.findFirst({ where: { shop, type: RECALCULATE_JOB, status: { in: ["queued", "running"] } }, orderBy: { createdAt: "asc" } })) ??
      (await db.job.findFirst({
        where: { shop, type: RECALCULATE_JOB, finishedAt: { gte: new Date(Date.now() - 10 * 60_000) } },
        orderBy: { createdAt: "desc" },
      })));
  if (!job) return null;
  const payload = JSON.parse(job.payload) as { versionId?: string; total?: number };
  return {
    jobId: job.id,
    versionId: payload.versionId ?? "",
    status: job.status === "dead" ? "failed" : job.status === "done" ? "done" : job.status === "running" ? "running" : "queued",
    done: job.progress,
    total: job.total ?? payload.total ?? 0,
    error: job.lastError,
  };
}
