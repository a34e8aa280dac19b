import { z } from "zod";
import { parseProgram, type Program } from "~/domain";
import { DEFAULT_TIER_CARD } from "~/shared/tier-metafield";
import type { TierBenefitsV1 } from "~/shopify/types";
import type { DbOrTx } from "~/db/client.server";

/**
 * Everything a member's recomputation and sync need about their shop, loaded once per batch: the published program
 * history (rule 7 replays each publication at its instant), the currency, and how levels look to shoppers.
 */

export interface PublishedProgram {
  versionId: string;
  publishedAt: number;
  program: Program;
}

export interface LevelCard {
  badge: string;
  background: string;
  text: string;
  levelColor: string;
  hideDates: boolean;
}

export interface LevelDisplay {
  id: string;
  name: string;
  rank: number;
  card: LevelCard;
}

export interface ShopContext {
  shop: string;
  currency: string;
  /** Upgrade rewards reached before this instant (history imported on install) are never granted. */
  rewardsFrom: number | null;
  uninstalled: boolean;
  /** Published versions, oldest first; the last is in force. Empty until the merchant publishes a program. */
  versions: PublishedProgram[];
  levels: Map<string, LevelDisplay>;
  benefits: Map<string, TierBenefitsV1["items"]>;
}

export class ProgramLoadError extends Error {
  readonly code = "PROGRAM.STORED_INVALID";
  constructor(versionId: string, cause: unknown) {
    super(`published program version ${versionId} no longer parses: ${(cause as Error).message ?? String(cause)}`);
    this.name = "ProgramLoadError";
  }
}

const cardSchema = z
  .object({ badge: z.string(), background: z.string(), text: z.string(), levelColor: z.string(), hideDates: z.boolean() })
  .partial();

export function currentProgram(ctx: ShopContext): Program | null {
  return ctx.versions.length ? ctx.versions[ctx.versions.length - 1].program : null;
}

export async function loadShopContext(db: DbOrTx, shop: string): Promise<ShopContext> {
  const [shopRow, versions, levelRows, benefitRows] = await Promise.all([
    db.shop.findUnique({ where: { domain: shop } }),
    db.programVersion.findMany({
      where: { shop, status: { in: ["published", "superseded"] }, publishedAt: { not: null } },
      orderBy: [{ publishedAt: "asc" }, { createdAt: "asc" }],
    }),
    db.level.findMany({ where: { shop } }),
    db.benefit.findMany({ where: { shop }, orderBy: [{ levelId: "asc" }, { kind: "asc" }, { position: "asc" }] }),
  ]);

  const published: PublishedProgram[] = [];
  let currentJson = null as { levels?: unknown[]; currency?: unknown } | null;
  for (const v of versions) {
    let json: unknown;
    let program: Program;
    try {
      json = JSON.parse(v.programJson);
      program = parseProgram(json);
    } catch (error) {
      throw new ProgramLoadError(v.id, error);
    }
    published.push({ versionId: v.id, publishedAt: v.publishedAt!.getTime(), program });
    currentJson = json as typeof currentJson;
  }
  const program = published.length ? published[published.length - 1].program : null;

  // Shopper-facing looks: the Level projection when the admin wrote one, else the card kept in the program JSON.
  const levels = new Map<string, LevelDisplay>();
  const jsonLevels = new Map<string, Record<string, unknown>>();
  for (const l of (currentJson?.levels ?? []) as Record<string, unknown>[]) if (typeof l?.id === "string") jsonLevels.set(l.id, l);
  for (const level of program?.levels ?? []) {
    const row = levelRows.find((r) => r.levelId === level.id);
    const fromJson = cardSchema.safeParse(jsonLevels.get(level.id)?.card ?? {});
    const card: LevelCard = row
      ? { badge: row.badge, background: row.background, text: row.textColor, levelColor: row.levelColor, hideDates: row.hideDates }
      : { ...DEFAULT_TIER_CARD, ...(fromJson.success ? fromJson.data : {}) };
    levels.set(level.id, { id: level.id, name: level.name, rank: level.rank, card });
  }

  const benefits = new Map<string, TierBenefitsV1["items"]>();
  for (const row of benefitRows) {
    const item = benefitItem(row.kind, row.configJson);
    if (!item) continue;
    const list = benefits.get(row.levelId) ?? [];
    list.push(item);
    benefits.set(row.levelId, list);
  }
  // A level's points multiplier lives in the program (the admin compiles it into earn rules).
  for (const [id, l] of jsonLevels) {
    const multiplier = (l.pointsRules as { multiplier?: unknown } | undefined)?.multiplier;
    if (typeof multiplier === "number" && multiplier > 0 && multiplier !== 1) {
      const list = benefits.get(id) ?? [];
      if (!list.some((i) => i.kind === "points")) list.push({ kind: "points", multiplier });
      benefits.set(id, list);
    }
  }

  return {
    shop,
    currency: shopRow?.currency ?? program?.currency ?? "USD",
    rewardsFrom: shopRow?.rewardsFrom?.getTime() ?? null,
    uninstalled: shopRow?.uninstalledAt != null,
    versions: published,
    levels,
    benefits,
  };
}

const decimalText = z.union([z.string(), z.number()]).transform((v) => String(v));
const benefitConfigs = {
  discount: z.object({ type: z.enum(["percentage", "fixed"]), value: decimalText, minimumOrder: decimalText.nullish() }),
  freeShipping: z.object({ countries: z.array(z.string()).nullish(), minimumOrder: decimalText.nullish() }),
  custom: z.object({ title: z.string(), icon: z.string().nullish() }),
  points: z.object({ multiplier: z.number().positive() }),
};

/** A stored benefit → the shopper contract's item; kinds shoppers do not see in the card (welcome, birthday) → null. */
export function benefitItem(kind: string, configJson: string): TierBenefitsV1["items"][number] | null {
  let config: unknown;
  try {
    config = JSON.parse(configJson);
  } catch {
    return null;
  }
  switch (kind) {
    case "discount": {
      const c = benefitConfigs.discount.safeParse(config);
      return c.success ? { kind: "discount", type: c.data.type, value: c.data.value, minimumOrder: c.data.minimumOrder ?? null } : null;
    }
    case "freeShipping": {
      const c = benefitConfigs.freeShipping.safeParse(config);
      return c.success ? { kind: "freeShipping", countries: c.data.countries ?? null, minimumOrder: c.data.minimumOrder ?? null } : null;
    }
    case "custom": {
      const c = benefitConfigs.custom.safeParse(config);
      return c.success ? { kind: "custom", title: c.data.title, icon: c.data.icon ?? "star" } : null;
    }
    case "points": {
      const c = benefitConfigs.points.safeParse(config);
      return c.success ? { kind: "points", multiplier: c.data.multiplier } : null;
    }
    default:
      return null;
  }
}

/**
 * Creates the shop's row on install, or revives it on reinstall. Uninstalling purged the shop's history, so a
 * reinstall starts a new one: rewards count from the new install on.
 */
export async function ensureShop(db: DbOrTx, shop: string, opts: { currency?: string | null; now: Date }): Promise<void> {
  const existing = await db.shop.findUnique({ where: { domain: shop } });
  if (!existing) {
    await db.shop.create({ data: { domain: shop, currency: opts.currency ?? "USD", installedAt: opts.now, rewardsFrom: opts.now } });
  } else if (existing.uninstalledAt) {
    await db.shop.update({
      where: { id: existing.id },
      data: {
        uninstalledAt: null,
        installedAt: opts.now,
        rewardsFrom: opts.now,
        backfilledAt: null,
        ...(opts.currency ? { currency: opts.currency } : {}),
      },
    });
  } else if (opts.currency && opts.currency !== existing.currency) {
    await db.shop.update({ where: { id: existing.id }, data: { currency: opts.currency } });
  }
}
