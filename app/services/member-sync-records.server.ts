import { createHash } from "node:crypto";
import { formatMoney } from "~/domain";
import { DEFAULT_CARD } from "~/services/admin/level-form";
import type { MemberSyncRecord, TierLevelV1 } from "~/shopify/types";
import type { ShopContext } from "./shop-context.server";

/**
 * What Shopify should show for a member (docs/contracts.md: the `level`, `progress` and `benefits` metafields and
 * the tier tag), built from the member's stored state. Its hash is what SyncState compares: a member is owed a sync
 * exactly when the hash of what Shopify should show differs from the hash last written.
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

export type MemberShopperView = Omit<MemberSyncRecord, "previousLevelId">;

const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, "Z");

export function memberShopperView(member: MemberStateForSync, ctx: ShopContext): MemberShopperView {
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
      since: iso(member.levelSince ?? new Date(0)),
      expiresAt: member.levelExpiresAt ? iso(member.levelExpiresAt) : null,
      card: display?.card ?? DEFAULT_CARD,
    };
  }
  const next = member.nextLevelId ? ctx.levels.get(member.nextLevelId) : undefined;
  return {
    customerGid: member.customerGid,
    level,
    progress: {
      v: 1,
      currency: ctx.currency,
      spend: formatMoney(member.spend),
      points: Math.floor(member.points),
      next: member.nextLevelId
        ? { id: member.nextLevelId, name: next?.name ?? member.nextLevelId, remainingSpend: member.remainingSpend === null ? null : formatMoney(member.remainingSpend) }
        : null,
    },
    benefits: { v: 1, items: member.levelId ? (ctx.benefits.get(member.levelId) ?? []) : [] },
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
