import type { Db, DbOrTx } from "~/db/client.server";
import { parseProgram } from "~/domain";
import { PROGRAM_METAFIELD_JOB, programMetafieldKey } from "~/queue/job-kinds";
import { enqueueJob } from "~/queue/queue.server";
import { buildTierProgram, type ShopDisplayInput } from "~/shared/tier-metafield-builder";
import type { TierCardV1, TierProgramV1 } from "~/shared/tier-metafield";
import type { AdminGraphqlClient, CallPolicy } from "~/shopify/admin-graphql.server";
import { JSON_METAFIELD_MAX_BYTES, writeProgramMetafield, type ProgramMetafieldWrite } from "~/shopify/program-metafield.server";
import { publicRedemptionRules, storedRedemptionSettings } from "~/forms/redemption-settings";
import { loadShopSettings } from "./admin/settings.server";
import { currentProgram, loadShopContext } from "./shop-context.server";

/**
 * The shop's `$app:tierline.program` metafield (docs/contracts.md, TierProgramV1): the published programme as
 * shoppers may see it, so the storefront can show logged-out visitors every level and the account page can list
 * them. Queued on every publish (now or scheduled) and on benefit saves; the job writes what is published when it
 * runs, so however many publishes queued it, Shopify ends with the latest.
 */

/** Queues the rewrite of the programme metafield (one pending per shop). */
export async function requestProgramMetafieldSync(tx: DbOrTx, shop: string, now: number): Promise<void> {
  await enqueueJob(tx, { type: PROGRAM_METAFIELD_JOB, shop, key: programMetafieldKey(shop), runAt: new Date(now) }, new Date(now));
}

/**
 * The document for the shop's published programme; null when none is published or it is turned off. Carries the
 * redemption rules while redemption is on (a shop setting, saved apart from the programme: settings.server.ts).
 */
export async function publishedProgramMetafield(db: DbOrTx, shop: string): Promise<TierProgramV1 | null> {
  const [ctx, settings] = await Promise.all([loadShopContext(db, shop), loadShopSettings(db, shop)]);
  const program = currentProgram(ctx);
  if (!program || !program.enabled) return null;
  const redemption = publicRedemptionRules(storedRedemptionSettings(settings.redemption));
  return { ...buildTierProgram(program, ctx), ...(redemption ? { redemption } : {}) };
}

/** Job handler: writes the published programme (or removes it), refusing a document over Shopify's size cap. */
export async function syncProgramMetafield(db: Db, admin: AdminGraphqlClient, shop: string, policy?: CallPolicy): Promise<ProgramMetafieldWrite> {
  const doc = await publishedProgramMetafield(db, shop);
  const issue = doc && programMetafieldSizeIssue(doc);
  if (issue) throw new Error(issue);
  return writeProgramMetafield(admin, doc, policy);
}

/** A readable refusal when the document would exceed Shopify's json metafield cap; null when it fits. */
export function programMetafieldSizeIssue(doc: TierProgramV1): string | null {
  const bytes = Buffer.byteLength(JSON.stringify(doc), "utf8");
  if (bytes <= JSON_METAFIELD_MAX_BYTES) return null;
  const kb = (n: number) => `${Math.ceil(n / 1024)} KB`;
  return `The programme is too large for shoppers' pages (${kb(bytes)}; Shopify stores at most ${kb(JSON_METAFIELD_MAX_BYTES)}). Remove condition groups, conditions or levels, or shorten custom privileges.`;
}

/**
 * The document the draft would publish (its levels and cards, the shop's saved benefits): what publish checks the
 * size of before it goes live. Null for a draft that does not parse (publish refuses it for that already).
 */
export async function draftProgramMetafield(db: DbOrTx, shop: string, programJson: unknown): Promise<TierProgramV1 | null> {
  let program;
  try {
    program = parseProgram(programJson);
  } catch {
    return null;
  }
  const ctx = await loadShopContext(db, shop);
  const cards = new Map(
    ((programJson as { levels?: { id?: unknown; card?: Partial<TierCardV1> | null }[] }).levels ?? []).map((l) => [String(l.id), l.card ?? null]),
  );
  const display: ShopDisplayInput = {
    currency: ctx.currency,
    levels: new Map(program.levels.map((l) => [l.id, { name: l.name, rank: l.rank, card: cards.get(l.id) ?? null }])),
    benefits: ctx.benefits,
  };
  return buildTierProgram({ ...program, enabled: true }, display);
}
