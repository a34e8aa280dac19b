import { createHash } from "node:crypto";
import { discountLimitIssues, parseDiscountConfig, type DiscountLimitIssue } from "~/shared/discount-config";
import type { AdminGraphqlClient, CallPolicy } from "~/shopify/admin-graphql.server";
import { removeTierDiscount, upsertTierDiscount } from "~/shopify/tier-discount.server";
import type { Db, DbOrTx } from "~/db/client.server";
import { DISCOUNT_SYNC_JOB, discountSyncKey, levelResyncKey, REVIEW_MEMBERS_JOB } from "~/queue/job-kinds";
import { enqueueJob } from "~/queue/queue.server";
import { requestProgramMetafieldSync } from "~/services/program-metafield.server";
import {
  applyPointsRules,
  benefitsFormValues,
  NO_SHOPPER_BENEFITS,
  parseBenefitsForm,
  shopperBenefitsOf,
  type ShopperBenefits,
} from "~/forms/benefits-form";
import { buildDiscountConfig, combinedStacking, type DiscountConfig } from "./discount-config";
import { FORM_ERROR, FormValidationError, formObject, parseForm, readJsonPayload, type FieldErrors } from "~/forms/form-errors";
import { editableProgram, editDraft, loadVersions, notFound, programOf } from "./program-drafts.server";
import type { ProgramJson } from "~/forms/level-form";
import type { BenefitsEditView } from "~/forms/view-models";
import { z } from "zod";

export const DISCOUNT_SYNC_SUBJECT = "discount-config";

const SHOPPER_KINDS = ["discount", "freeShipping", "welcome", "birthday", "custom"] as const;

/** Shopper benefits per level id, from the Benefit rows (effective on save). */
export async function loadShopperBenefits(db: DbOrTx, shop: string, levelId?: string): Promise<Record<string, ShopperBenefits>> {
  const rows = await db.benefit.findMany({
    where: { shop, ...(levelId ? { levelId } : {}), kind: { in: [...SHOPPER_KINDS] } },
    orderBy: [{ levelId: "asc" }, { kind: "asc" }, { position: "asc" }],
  });
  const out: Record<string, ShopperBenefits> = {};
  for (const r of rows) {
    const b = (out[r.levelId] ??= { ...NO_SHOPPER_BENEFITS, custom: [] });
    const config = JSON.parse(r.configJson);
    if (r.kind === "custom") b.custom.push(config);
    else (b as unknown as Record<string, unknown>)[r.kind] = config;
  }
  return out;
}

export async function benefitsEditView(db: Db, shop: string, levelId: string): Promise<BenefitsEditView> {
  const [{ program, currency, formKey }, benefits, sync] = await Promise.all([
    editableProgram(db, shop),
    loadShopperBenefits(db, shop, levelId),
    db.syncState.findUnique({ where: { shop_subject: { shop, subject: DISCOUNT_SYNC_SUBJECT } } }),
  ]);
  const level = (program.levels ?? []).find((l) => l.id === levelId);
  if (!level) throw notFound(`There is no level "${levelId}".`);
  const shopper = benefits[levelId] ?? NO_SHOPPER_BENEFITS;
  const benefitsKey = await db.benefit.aggregate({ where: { shop, levelId }, _max: { updatedAt: true } });
  return {
    levelId,
    levelName: level.name,
    formKey: `${formKey}/${benefitsKey._max.updatedAt?.getTime() ?? 0}`,
    form: benefitsFormValues(program, levelId, shopper),
    currency,
    discountSync: !sync
      ? { state: "never", message: null }
      : sync.lastError && sync.pendingHash !== sync.syncedHash
        ? { state: "failed", message: sync.lastError }
        : sync.pendingHash && sync.pendingHash !== sync.syncedHash
          ? { state: "pending", message: null }
          : { state: "synced", message: null },
  };
}

const intentSchema = z.object({ intent: z.literal("save", { error: "Unknown action" }) });

/**
 * Saves a level's benefits in one transaction: the shopper benefits (live at once) and the points rules (on the
 * draft). Then the discount Function's configuration is rebuilt by a queued job, so a slow or failing Admin API never
 * loses the save and retries on its own, and the level's members are queued for a metafield re-sync.
 */
export async function saveBenefitsAction(
  db: Db,
  shop: string,
  levelId: string,
  form: FormData,
  now: number,
): Promise<{ levelId: string; configHash: string }> {
  parseForm(intentSchema, formObject(form));
  const input = parseBenefitsForm(readJsonPayload(form));
  const shopper = shopperBenefitsOf(input);
  return editDraft(db, shop, async ({ program }, tx) => {
    if (!(program.levels ?? []).some((l) => l.id === levelId)) throw notFound(`There is no level "${levelId}".`);
    await tx.benefit.deleteMany({ where: { shop, levelId, kind: { in: [...SHOPPER_KINDS] } } });
    const rows = [
      ...(["discount", "freeShipping", "welcome", "birthday"] as const)
        .filter((k) => shopper[k] !== null)
        .map((kind) => ({ shop, levelId, kind, position: 0, configJson: JSON.stringify(shopper[kind]) })),
      ...shopper.custom.map((c, position) => ({ shop, levelId, kind: "custom", position, configJson: JSON.stringify(c) })),
    ];
    if (rows.length) await tx.benefit.createMany({ data: rows });
    await refuseOverFunctionLimits(tx, shop, program, shopper);
    const configHash = await requestDiscountSync(tx, shop, now);
    // The level's members show its benefits in their account and at checkout: re-sync their metafields.
    await enqueueJob(tx, { type: REVIEW_MEMBERS_JOB, shop, key: levelResyncKey(shop, levelId), payload: { levelId } }, new Date(now));
    // The storefront's programme lists each level's benefits too.
    await requestProgramMetafieldSync(tx, shop, now);
    return { program: applyPointsRules(program, levelId, input), result: { levelId, configHash } };
  });
}

/**
 * Refuses a save after which the discount's configuration would break one of Shopify's Function limits (a metafield
 * over 10,000 bytes reaches the Function as null, a scope list over 100 entries fails the Function, and more distinct
 * collection or tag lists than the input query has slots cannot all be checked): every member would silently lose
 * the discount. The configuration checked is the one the
 * levels will have once this draft is published, with the program on, so a later publish cannot break it either.
 * Throwing rolls the transaction back, so nothing of the save is written.
 */
async function refuseOverFunctionLimits(tx: DbOrTx, shop: string, program: ProgramJson, shopper: ShopperBenefits): Promise<void> {
  const config = buildDiscountConfig({ ...program, enabled: true }, await loadShopperBenefits(tx, shop));
  const names = new Map((program.levels ?? []).map((l) => [l.id, l.name]));
  const issues = discountLimitIssues(config, (id) => names.get(id) ?? id);
  if (issues.length > 0) throw new FormValidationError(limitFieldErrors(issues, shopper), 422);
}

/** Scope problems go under this level's scope when it names collections or tags; everything else above the form. */
function limitFieldErrors(issues: DiscountLimitIssue[], shopper: ShopperBenefits): FieldErrors {
  const scope = shopper.discount?.scope;
  const scoped = !!scope && [scope.collectionIds, scope.excludeCollectionIds, scope.tags, scope.excludeTags].some((l) => (l?.length ?? 0) > 0);
  const errors: FieldErrors = {};
  for (const issue of issues) {
    const key = issue.kind !== "configBytes" && scoped ? "discount.scope" : FORM_ERROR;
    errors[key] = errors[key] ? `${errors[key]} ${issue.message}` : issue.message;
  }
  return errors;
}

/** The configuration the Function should have now: the published program's levels with their saved benefits. */
export async function currentDiscountConfig(
  db: DbOrTx,
  shop: string,
): Promise<{ config: DiscountConfig; combinesWith: ReturnType<typeof combinedStacking> }> {
  const [versions, benefits] = await Promise.all([loadVersions(db, shop), loadShopperBenefits(db, shop)]);
  const published = programOf(versions.published);
  const config = buildDiscountConfig(published, benefits);
  return { config, combinesWith: combinedStacking(benefits, Object.keys(config.levels)) };
}

/** Level id → the published level's name, for messages a merchant reads. */
async function levelNamer(db: DbOrTx, shop: string): Promise<(id: string) => string> {
  const names = new Map((programOf((await loadVersions(db, shop)).published)?.levels ?? []).map((l) => [l.id, l.name]));
  return (id) => names.get(id) ?? id;
}

const hashOf = (v: unknown) => createHash("sha256").update(JSON.stringify(v)).digest("hex").slice(0, 32);

/** Marks the discount as owing a sync and queues the job that does it (one queued job per shop). */
export async function requestDiscountSync(tx: DbOrTx, shop: string, now: number): Promise<string> {
  const hash = hashOf(await currentDiscountConfig(tx, shop));
  await tx.syncState.upsert({
    where: { shop_subject: { shop, subject: DISCOUNT_SYNC_SUBJECT } },
    create: { shop, subject: DISCOUNT_SYNC_SUBJECT, pendingHash: hash },
    update: { pendingHash: hash },
  });
  await enqueueJob(tx, { type: DISCOUNT_SYNC_JOB, shop, key: discountSyncKey(shop), runAt: new Date(now) }, new Date(now));
  return hash;
}

/**
 * Job handler: writes the current configuration to the shop's tier discount (creating it the first time), or removes
 * the discount while the program is disabled (or not yet published), so checkout runs no Function for it. It reads
 * the state when it runs, so however many saves queued it, the discount ends up with the latest.
 */
export async function syncTierDiscount(
  db: Db,
  admin: AdminGraphqlClient,
  shop: string,
  policy: CallPolicy = {},
): Promise<{ discountId: string | null; hash: string }> {
  const current = await currentDiscountConfig(db, shop);
  const hash = hashOf(current);
  try {
    const parsed = parseDiscountConfig(current.config);
    if (!parsed.ok) throw new Error(`discount configuration is invalid: ${parsed.errors.join("; ")}`);
    // Saves refuse these; a publish (levels turned on, renamed or added) can still get here. Not written, and shown as
    // the sync's error on the benefits page, rather than a configuration the Function would silently not read.
    if (current.config.enabled && discountLimitIssues(current.config).length > 0) {
      const issues = discountLimitIssues(current.config, await levelNamer(db, shop));
      throw new Error(`The discount was not updated: ${issues.map((i) => i.message).join(" ")}`);
    }
    const discountId = current.config.enabled
      ? (await upsertTierDiscount(admin, current.config, { ...policy, combinesWith: current.combinesWith })).discountId
      : (await removeTierDiscount(admin, policy), null);
    await db.syncState.upsert({
      where: { shop_subject: { shop, subject: DISCOUNT_SYNC_SUBJECT } },
      create: { shop, subject: DISCOUNT_SYNC_SUBJECT, pendingHash: hash, syncedHash: hash, lastSyncedAt: new Date(), lastError: null, failures: 0 },
      update: { syncedHash: hash, lastSyncedAt: new Date(), lastError: null, failures: 0 },
    });
    return { discountId, hash };
  } catch (e) {
    await db.syncState.upsert({
      where: { shop_subject: { shop, subject: DISCOUNT_SYNC_SUBJECT } },
      create: { shop, subject: DISCOUNT_SYNC_SUBJECT, pendingHash: hash, lastError: (e as Error).message, failures: 1 },
      update: { lastError: (e as Error).message, failures: { increment: 1 } },
    });
    throw e;
  }
}
