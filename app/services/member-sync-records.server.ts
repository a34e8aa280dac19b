import { createHash } from "node:crypto";
import { DEFAULT_CARD } from "~/services/admin/level-form";
import {
  hundredthsToDecimal,
  isoInstant,
  parseTierBenefits,
  parseTierCard,
  POINTS_HISTORY_LIMIT,
  type TierBenefitItemV1,
  type TierPointsEntryV1,
  type TierPointsHistoryV1,
  type TierPointsKindV1,
} from "~/shared/tier-metafield";
import type { MemberSyncRecord, TierLevelV1 } from "~/shopify/types";
import type { ShopContext } from "./shop-context.server";

/**
 * What Shopify should show for a member (docs/contracts.md: the `level`, `progress`, `benefits` and `history`
 * metafields and the tier tag), built from the member's stored state and points ledger. Its hash is what SyncState
 * compares: a member is owed a sync exactly when the hash of what Shopify should show differs from the hash last
 * written, so a new points entry alone (which changes `history`) is enough to owe one.
 */

export interface MemberStateForSync {
  customerGid: string;
  levelId: string | null;
  status: string;
  levelSince: Date | null;
  levelExpiresAt: Date | null;
  points: number;
  spend: number;
  nextLevelId: string | null;
  remainingSpend: number | null;
}

/** A stored PointsEntry row, as much of it as the shopper's history needs. */
export interface PointsEntryForSync {
  key: string;
  kind: string;
  points: number;
  at: Date;
}

export type MemberShopperView = Omit<MemberSyncRecord, "previousLevelId">;

/** The ledger's kinds as shoppers see them: a correction of an earlier entry reads as an adjustment. */
const SHOPPER_POINTS_KIND: Record<string, TierPointsKindV1> = {
  earn: "earn",
  refund: "refund",
  cancel: "cancel",
  upgrade: "upgrade",
  expire: "expire",
  adjust: "adjust",
  correction: "adjust",
};

/**
 * The member's latest points entries, newest first; entries that move no points are left out. Ties on the instant
 * are broken by key, so the same ledger gives the same document (and hash) whichever order the rows were read in.
 */
export function pointsHistoryOf(entries: readonly PointsEntryForSync[], limit = POINTS_HISTORY_LIMIT): TierPointsHistoryV1 {
  const shown: (PointsEntryForSync & { shopperKind: TierPointsKindV1 })[] = [];
  for (const e of entries) {
    const shopperKind = SHOPPER_POINTS_KIND[e.kind];
    if (shopperKind && e.points !== 0 && Number.isFinite(e.points)) shown.push({ ...e, shopperKind });
  }
  shown.sort((a, b) => b.at.getTime() - a.at.getTime() || (a.key < b.key ? 1 : a.key > b.key ? -1 : 0));
  const out: TierPointsEntryV1[] = shown.slice(0, limit).map((e) => ({ at: isoInstant(e.at.getTime()), kind: e.shopperKind, points: e.points }));
  return { v: 1, entries: out };
}

const BENEFIT_ORDER: Record<TierBenefitItemV1["kind"], number> = { discount: 0, freeShipping: 1, points: 2, custom: 3 };

export function memberShopperView(member: MemberStateForSync, ctx: ShopContext, ledger: readonly PointsEntryForSync[]): MemberShopperView {
  const display = member.levelId ? ctx.levels.get(member.levelId) : undefined;
  let level: TierLevelV1 | null = null;
  if (member.levelId) {
    level = {
      v: 1,
      id: member.levelId,
      name: display?.name ?? member.levelId,
      rank: display?.rank ?? 0,
      status: member.status === "grace" || member.status === "frozen" ? member.status : "active",
      // A level always has a start; the epoch only guards against a row written by hand without one.
      since: isoInstant((member.levelSince ?? new Date(0)).getTime()),
      expiresAt: member.levelExpiresAt ? isoInstant(member.levelExpiresAt.getTime()) : null,
      // The reader's own repair (lower-cased colours, defaults for bad ones), so what is written reads back as is.
      card: parseTierCard(display?.card ?? DEFAULT_CARD),
    };
  }
  const next = member.nextLevelId ? ctx.levels.get(member.nextLevelId) : undefined;
  // The contract's order (discount, free shipping, points, custom), so every surface lists them alike.
  const items = [...(member.levelId ? (ctx.benefits.get(member.levelId) ?? []) : [])].sort((a, b) => BENEFIT_ORDER[a.kind] - BENEFIT_ORDER[b.kind]);
  return {
    customerGid: member.customerGid,
    level,
    progress: {
      v: 1,
      currency: ctx.currency.toUpperCase(),
      spend: hundredthsToDecimal(member.spend),
      // Exact, as the engine keeps it (whole unless the program rounds "none"); surfaces round for display.
      points: member.points,
      next: member.nextLevelId
        ? { id: member.nextLevelId, name: next?.name ?? member.nextLevelId, remainingSpend: member.remainingSpend === null ? null : hundredthsToDecimal(Math.max(0, member.remainingSpend)) }
        : null,
    },
    // Through the reader: a stored benefit it would drop (e.g. free shipping to `countries: []`, which the Function
    // applies nowhere) is left out here instead of making the whole member unsyncable.
    benefits: parseTierBenefits({ v: 1, items }) ?? { v: 1, items: [] },
    history: pointsHistoryOf(ledger),
  };
}

/** Stable hash of what Shopify should show (keys in a fixed order, so equal views hash equally). */
export function shopperViewHash(view: MemberShopperView): string {
  return createHash("sha256").update(stableJson(view)).digest("base64url").slice(0, 32);
}

function stableJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : 1));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(",")}}`;
}
