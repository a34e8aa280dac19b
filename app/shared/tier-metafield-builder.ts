/**
 * The one builder of the `$app:tierline` documents the app writes (docs/contracts.md): a member's `level`,
 * `progress`, `benefits` and `history` from their stored state and points ledger, and the shop's `program` from the
 * published programme. The production sync (app/services/member-sync-records.server.ts), the contract tests and the
 * extensions' test fixtures all build through here, so what the tests read is what shoppers receive.
 *
 * Pure: plain data in (instants as epoch ms, money in the engine's hundredths), documents out. Every document is
 * made so that its reader in ./tier-metafield.ts gives it back unchanged.
 */

import type { Program, RequirementProgress } from "../domain";
import {
  DEFAULT_TIER_CARD,
  parseTierBenefits,
  parseTierCard,
  parseTierRewards,
  POINTS_HISTORY_LIMIT,
  REWARDS_LIMIT,
  type TierBenefitItemV1,
  type TierBenefitsV1,
  type TierCardV1,
  type TierLevelV1,
  type TierPointsEntryV1,
  type TierPointsHistoryV1,
  type TierPointsKindV1,
  type TierProgramLevelV1,
  type TierProgramV1,
  type TierProgressV1,
  type TierRequirementProgressV1,
  type TierRequirementV1,
  type TierRewardsV1,
  type TierRewardV1,
} from "./tier-metafield";

/** A member as stored (the Member row's columns, instants as epoch ms). */
export interface MemberStateInput {
  levelId: string | null;
  /** "active" | "grace" | "frozen" | "none" (anything else reads as active). */
  status: string;
  levelSince: number | null;
  levelExpiresAt: number | null;
  /** Spendable balance, exact as the engine keeps it. */
  points: number;
  /** Spend in the programme window, in hundredths. */
  spend: number;
  nextLevelId: string | null;
  /** Hundredths; null when the next level is not reached by unscoped spend. */
  remainingSpend: number | null;
  /** The engine's NextLevel.requirements; null or absent for members stored before they were kept. */
  nextRequirements?: readonly RequirementProgress[] | null;
}

/** A stored points entry, as much of it as the shopper's history needs. */
export interface PointsEntryInput {
  key: string;
  kind: string;
  points: number;
  /** Epoch ms. */
  at: number;
}

/** An issued reward row (app/services/rewards/), instants as epoch ms. Pending and failed rewards are not passed. */
export interface RewardInput {
  kind: string;
  levelId: string | null;
  form: string;
  code: string | null;
  valueType: string | null;
  value: string | null;
  currency: string | null;
  points: number | null;
  /** Epoch ms. */
  issuedAt: number;
  endsAt: number | null;
}

/** How the shop's levels look to shoppers (ShopContext fits): names, ranks, cards and benefit items per level id. */
export interface ShopDisplayInput {
  currency: string;
  levels: ReadonlyMap<string, { name: string; rank: number; card?: Partial<TierCardV1> | null }>;
  benefits: ReadonlyMap<string, readonly TierBenefitItemV1[]>;
}

/** What the sync writes for one member: one metafield per key. */
export interface TierMemberMetafields {
  /** null: the customer has no level (the sync deletes the metafield and the tier tag). */
  level: TierLevelV1 | null;
  progress: TierProgressV1;
  benefits: TierBenefitsV1;
  history: TierPointsHistoryV1;
  rewards: TierRewardsV1;
}

export function buildMemberMetafields(
  member: MemberStateInput,
  shop: ShopDisplayInput,
  ledger: readonly PointsEntryInput[],
  rewards: readonly RewardInput[] = [],
): TierMemberMetafields {
  const display = member.levelId ? shop.levels.get(member.levelId) : undefined;
  let level: TierLevelV1 | null = null;
  if (member.levelId) {
    level = {
      v: 1,
      id: member.levelId,
      name: display?.name ?? member.levelId,
      rank: display?.rank ?? 0,
      status: member.status === "grace" || member.status === "frozen" ? member.status : "active",
      // A level always has a start; the epoch only guards against a row written by hand without one.
      since: isoInstant(member.levelSince ?? 0),
      expiresAt: member.levelExpiresAt === null ? null : isoInstant(member.levelExpiresAt),
      card: cardOf(display?.card),
    };
  }
  const next = member.nextLevelId ? shop.levels.get(member.nextLevelId) : undefined;
  const progress: TierProgressV1 = {
    v: 1,
    currency: shop.currency.toUpperCase(),
    spend: hundredthsToDecimal(member.spend),
    // Exact, as the engine keeps it (whole unless the program rounds "none"); surfaces round for display.
    points: member.points,
    next: null,
  };
  if (member.nextLevelId) {
    progress.next = {
      id: member.nextLevelId,
      name: next?.name ?? member.nextLevelId,
      remainingSpend: member.remainingSpend === null ? null : hundredthsToDecimal(Math.max(0, member.remainingSpend)),
    };
    if (member.nextRequirements) progress.next.requirements = member.nextRequirements.map(requirementProgressOf);
  }
  return {
    level,
    progress,
    benefits: benefitsOf(member.levelId ? shop.benefits.get(member.levelId) : undefined),
    history: buildPointsHistory(ledger),
    rewards: buildRewards(rewards, ledger),
  };
}

/**
 * The member's issued rewards, newest first: the reward rows, and the welcome points of each level reached (the
 * ledger's one-time `upgrade:<level>` entries, the welcome reward's points part). Through the reader, so a row it
 * would drop is left out instead of making the member unsyncable. Ties broken by kind, level and code, so the same
 * rows give the same document (and sync hash) in any order.
 */
export function buildRewards(rewards: readonly RewardInput[], ledger: readonly PointsEntryInput[] = [], limit = REWARDS_LIMIT): TierRewardsV1 {
  const items: (TierRewardV1 & { ms: number })[] = [];
  for (const r of rewards) {
    if (!Number.isFinite(r.issuedAt)) continue;
    items.push({
      ms: r.issuedAt,
      kind: r.kind as TierRewardV1["kind"],
      levelId: r.levelId,
      form: r.form as TierRewardV1["form"],
      code: r.code,
      valueType: r.valueType as TierRewardV1["valueType"],
      value: r.value,
      currency: r.currency,
      points: r.points,
      issuedAt: isoInstant(r.issuedAt),
      endsAt: r.endsAt === null ? null : isoInstant(r.endsAt),
    });
  }
  for (const e of ledger) {
    if (e.kind !== "upgrade" || !(e.points > 0) || !Number.isFinite(e.at) || !e.key.startsWith("upgrade:")) continue;
    const levelId = e.key.slice("upgrade:".length);
    items.push({
      ms: e.at,
      kind: "welcome",
      levelId,
      form: "points",
      code: null,
      valueType: null,
      value: null,
      currency: null,
      points: e.points,
      issuedAt: isoInstant(e.at),
      endsAt: null,
    });
  }
  const tie = (r: TierRewardV1) => `${r.kind}|${r.levelId ?? ""}|${r.form}|${r.code ?? ""}`;
  items.sort((a, b) => b.ms - a.ms || (tie(a) < tie(b) ? -1 : tie(a) > tie(b) ? 1 : 0));
  const doc = { v: 1, items: items.slice(0, Math.max(0, limit)).map(({ ms: _ms, ...item }) => item) };
  return parseTierRewards(doc) ?? { v: 1, items: [] };
}

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
 * The member's latest points entries, newest first; entries that move no points, or of a kind shoppers are not
 * shown, are left out. Ties on the instant are broken by key (later key first), so the same ledger gives the same
 * document (and sync hash) whichever order the rows were read in.
 */
export function buildPointsHistory(entries: readonly PointsEntryInput[], limit = POINTS_HISTORY_LIMIT): TierPointsHistoryV1 {
  const shown: (PointsEntryInput & { shopperKind: TierPointsKindV1 })[] = [];
  for (const e of entries) {
    const shopperKind = SHOPPER_POINTS_KIND[e.kind];
    if (shopperKind && e.points !== 0 && Number.isFinite(e.points) && Number.isFinite(e.at)) shown.push({ ...e, shopperKind });
  }
  shown.sort((a, b) => b.at - a.at || (a.key < b.key ? 1 : a.key > b.key ? -1 : 0));
  const out: TierPointsEntryV1[] = shown.slice(0, Math.max(0, limit)).map((e) => ({ at: isoInstant(e.at), kind: e.shopperKind, points: e.points }));
  return { v: 1, entries: out };
}

const BENEFIT_ORDER: Record<TierBenefitItemV1["kind"], number> = { discount: 0, freeShipping: 1, points: 2, custom: 3 };

/**
 * A level's benefit items in the contract's order (discount, free shipping, points, custom), through the reader: a
 * stored benefit it would drop (free shipping to `countries: []`, which the Function applies nowhere) is left out
 * instead of making the whole member unsyncable.
 */
export function benefitsOf(items: readonly TierBenefitItemV1[] | undefined): TierBenefitsV1 {
  const sorted = [...(items ?? [])].sort((a, b) => BENEFIT_ORDER[a.kind] - BENEFIT_ORDER[b.kind]);
  return parseTierBenefits({ v: 1, items: sorted }) ?? { v: 1, items: [] };
}

/** The merchant's card over the defaults, repaired as the reader repairs it, so what is written reads back as is. */
function cardOf(card: Partial<TierCardV1> | null | undefined): TierCardV1 {
  return parseTierCard({ ...DEFAULT_TIER_CARD, ...(card ?? {}) });
}

// ---------------------------------------------------------------------------------------------
// Conditions

export function requirementOf(c: Pick<RequirementProgress, "kind" | "threshold" | "windowDays" | "scoped">): TierRequirementV1 {
  return { kind: c.kind, threshold: amountText(c.kind, c.threshold), windowDays: c.windowDays, scoped: c.scoped };
}

export function requirementProgressOf(c: RequirementProgress): TierRequirementProgressV1 {
  return { ...requirementOf(c), current: amountText(c.kind, c.current) };
}

/** Hundredths → "1000.00" for the spend kinds; up to 4 decimals for points; a whole count otherwise. Never negative. */
function amountText(kind: RequirementProgress["kind"], n: number): string {
  const v = Number.isFinite(n) ? Math.max(0, n) : 0;
  if (kind === "accumulatedSpend" || kind === "singleOrder") return hundredthsToDecimal(v);
  if (kind === "points") return String(Math.round(v * 10_000) / 10_000);
  return String(Math.round(v));
}

// ---------------------------------------------------------------------------------------------
// The programme

/**
 * The shop's `program` document: the enabled, non-internal levels of the published programme, rank ascending, each
 * with its upgrade groups (conditions that only renew a level are left out: shoppers reach a level by upgrading),
 * its benefit items and how long it lasts. Deterministic: the same programme and looks give the same bytes.
 */
export function buildTierProgram(program: Program, shop: ShopDisplayInput): TierProgramV1 {
  const w = program.window;
  const validityDays = program.validity.kind === "permanent" ? null : program.validity.kind === "oneYear" ? 365 : program.validity.days;
  const levels: TierProgramLevelV1[] = [];
  for (const l of program.levels) {
    if (!l.enabled || l.internalOnly) continue;
    const display = shop.levels.get(l.id);
    const requirements = l.upgrade
      .map((g) => g.filter((c) => c.role !== "renewal").map((c) => requirementOf({ ...c, scoped: c.scope !== null })))
      .filter((g) => g.length > 0);
    levels.push({
      id: l.id,
      name: l.name,
      rank: l.rank,
      card: cardOf(display?.card),
      requirements,
      benefits: benefitsOf(shop.benefits.get(l.id)).items,
      validityDays,
    });
  }
  return {
    v: 1,
    currency: shop.currency.toUpperCase(),
    window: { kind: w.kind, days: w.kind === "rolling" ? w.days : null },
    levels,
  };
}

// ---------------------------------------------------------------------------------------------
// Spellings

/** The engine's Money (hundredths) → "1200.00". */
export function hundredthsToDecimal(m: number): string {
  const neg = m < 0;
  const abs = Math.round(Math.abs(m));
  const cents = abs % 100;
  return `${neg && abs > 0 ? "-" : ""}${Math.floor(abs / 100)}.${cents < 10 ? "0" : ""}${cents}`;
}

/** "2026-03-02T10:00:00Z" (milliseconds only when non-zero), the contract's spelling. */
export function isoInstant(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith(".000Z") ? `${iso.slice(0, -5)}Z` : iso;
}
