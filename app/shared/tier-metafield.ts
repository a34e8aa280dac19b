/**
 * The metafields of docs/contracts.md: the member's (`$app:tierline.level`, `.progress`, `.benefits`, `.history`, `.rewards` on the
 * customer) and the programme (`$app:tierline.program` on the shop): their versioned types and the readers every
 * surface uses. The app builds them in ./tier-metafield-builder.ts; names and keys are in ./metafield-keys.ts.
 *
 * Pure and dependency-free on purpose: the discount Function (QuickJS, instruction budget) and three UI extensions
 * bundle this file, so validation is hand-written (no zod, no regex). Readers never throw: anything malformed, or a
 * version they do not know, reads as null, which every surface treats as "no level shown, no discount applied".
 */

import { asDocument, isCountryCode, isCurrencyCode, isDecimal, isId, isInstant, isPlainObject, isText, safeHexColour } from "./json-checks";
import { parseRedemptionRules, type RedemptionRulesV1 } from "./redemption";

export type TierStatusV1 = "active" | "grace" | "frozen";

export interface TierCardV1 {
  badge: string;
  /** "#rgb" or "#rrggbb"; readers replace anything else with the default. */
  background: string;
  text: string;
  levelColor: string;
  hideDates: boolean;
}

export interface TierLevelV1 {
  v: 1;
  id: string;
  name: string;
  rank: number;
  status: TierStatusV1;
  /** ISO-8601 instant ("2026-03-02T10:00:00Z"). */
  since: string;
  /** null when the level never expires. */
  expiresAt: string | null;
  card: TierCardV1;
}

/** What the level metafield may hold for a customer without a level (the sync usually deletes it instead). */
export interface NoTierLevelV1 {
  v: 1;
  id: null;
}

export interface TierNextLevelV1 {
  id: string;
  name: string;
  /** Spend still missing, as a decimal string in `currency`; null when the next level is not reached by spend. */
  remainingSpend: string | null;
  /**
   * The next level's condition group closest to being met, every condition kind, each measured now. Optional: older
   * documents lack it, and readers that predate it ignore it. Conditions the merchant hides from progress are left out.
   */
  requirements?: TierRequirementProgressV1[];
}

/** The engine's condition kinds (app/domain ConditionKind), as the shopper-facing contracts name them. */
export type TierRequirementKindV1 = "accumulatedSpend" | "singleOrder" | "orderCount" | "itemCount" | "productPurchase" | "points";

export const TIER_REQUIREMENT_KINDS: readonly TierRequirementKindV1[] = [
  "accumulatedSpend",
  "singleOrder",
  "orderCount",
  "itemCount",
  "productPurchase",
  "points",
];

/** One condition of a level, as the `program` metafield states it. */
export interface TierRequirementV1 {
  kind: TierRequirementKindV1;
  /**
   * A decimal string in the programme's currency for accumulatedSpend and singleOrder ("1000.00"); a whole number as
   * a string otherwise ("5"), except points, which may carry decimals when the programme does not round them.
   */
  threshold: string;
  /** The condition's own rolling window in days; null = the programme window. */
  windowDays: number | null;
  /** Counts only some products (a collection, tag or product list). */
  scoped: boolean;
}

/** One condition of the next level with the member's measure now (`current` formatted like `threshold`). */
export interface TierRequirementProgressV1 extends TierRequirementV1 {
  /** For singleOrder: the member's largest counted order in the window. */
  current: string;
}

export interface TierProgressV1 {
  v: 1;
  /** ISO 4217 code, upper case. */
  currency: string;
  /** Spend counted in the program's window, as a decimal string ("1200.00"). */
  spend: string;
  /**
   * Spendable points balance, as the engine keeps it: a whole number unless the program rounds points "none", then
   * up to 4 decimals. Surfaces show at most 2 decimals (formatNumber).
   */
  points: number;
  next: TierNextLevelV1 | null;
}

export type TierBenefitItemV1 =
  | { kind: "discount"; type: "percentage" | "fixed"; value: string; minimumOrder: string | null }
  | { kind: "freeShipping"; countries: string[] | null; minimumOrder: string | null }
  | { kind: "points"; multiplier: number }
  | { kind: "custom"; title: string; icon: string };

export interface TierBenefitsV1 {
  v: 1;
  items: TierBenefitItemV1[];
}

export type TierPointsKindV1 = "earn" | "refund" | "cancel" | "upgrade" | "expire" | "adjust";

export interface TierPointsEntryV1 {
  /** ISO-8601 instant. */
  at: string;
  kind: TierPointsKindV1;
  /** Signed: reversals and expiries are negative. Fractional like `TierProgressV1.points`. */
  points: number;
}

/**
 * key `history` — the member's latest points entries, newest first (at most POINTS_HISTORY_LIMIT), so the account
 * page shows history without a network call; a surface without it simply hides the history section.
 */
export interface TierPointsHistoryV1 {
  v: 1;
  entries: TierPointsEntryV1[];
}

export const POINTS_HISTORY_LIMIT = 20;

/** One issued reward as shoppers see it (pending and failed rewards are never shown). */
export interface TierRewardV1 {
  kind: "welcome" | "birthday" | "redemption";
  /** The level it was given for (welcome: the level reached; birthday: the level held then). */
  levelId: string | null;
  form: "discountCode" | "points" | "storeCredit";
  /** The code to type at checkout (form discountCode). */
  code: string | null;
  valueType: "percentage" | "fixed" | null;
  /** "10" (percent) or "5.00" (money in `currency`). */
  value: string | null;
  currency: string | null;
  /** Points given (form points). */
  points: number | null;
  /** ISO-8601 instant. */
  issuedAt: string;
  /** ISO-8601 instant the code stops working; null: no end. */
  endsAt: string | null;
}

/**
 * key `rewards` — the member's issued rewards (welcome codes and points, birthday rewards, points redeemed), newest
 * first, at most REWARDS_LIMIT, so the account page lists them and their codes without a network call.
 */
export interface TierRewardsV1 {
  v: 1;
  items: TierRewardV1[];
}

export const REWARDS_LIMIT = 20;

export type TierProgramWindowKindV1 = "lifetime" | "sinceLastUpgrade" | "calendarYear" | "rolling" | "fixed";

/**
 * key `program` on the shop — the published programme as shoppers may see it (levels, what each takes and gives),
 * written on every publish so logged-out storefront visitors and the account page can show it.
 */
export interface TierProgramV1 {
  v: 1;
  /** ISO 4217, upper case: the currency of every amount below. */
  currency: string;
  /** The programme window that conditions without their own `windowDays` count in; `days` only for "rolling". */
  window: { kind: TierProgramWindowKindV1; days: number | null };
  /** Enabled, non-internal levels, rank ascending. */
  levels: TierProgramLevelV1[];
  /** Points redemption as the merchant set it up (./redemption.ts); absent while redemption is off. */
  redemption?: RedemptionRulesV1;
}

export interface TierProgramLevelV1 {
  id: string;
  name: string;
  rank: number;
  card: TierCardV1;
  /** OR of groups, AND inside a group; [] = not reached by orders (the shop assigns it). */
  requirements: TierRequirementV1[][];
  /** The same items as the customer `benefits` metafield. */
  benefits: TierBenefitItemV1[];
  /** How long the level lasts once reached; null = permanent. */
  validityDays: number | null;
}

export const DEFAULT_TIER_CARD: Readonly<TierCardV1> = Object.freeze({
  badge: "star",
  background: "#1f2937",
  text: "#ffffff",
  levelColor: "#d4af37",
  hideDates: false,
});

const MAX_ITEMS = 50;

// ---------------------------------------------------------------------------------------------
// Readers

/**
 * The `level` metafield, or null for no level (`{"v":1,"id":null}`), an unknown version, or anything malformed.
 * Accepts the metafield's raw string value or already-parsed JSON. Unknown extra fields are ignored (additive
 * changes stay v1); a malformed card is repaired field by field because it only affects looks.
 */
export function parseTierLevel(json: unknown): TierLevelV1 | null {
  const o = asDocument(json);
  if (!o || o.v !== 1) return null;
  if (!isId(o.id)) return null;
  if (!isText(o.name)) return null;
  if (typeof o.rank !== "number" || !Number.isFinite(o.rank)) return null;
  if (o.status !== "active" && o.status !== "grace" && o.status !== "frozen") return null;
  if (!isInstant(o.since)) return null;
  if (o.expiresAt !== null && !isInstant(o.expiresAt)) return null;
  return {
    v: 1,
    id: o.id,
    name: o.name,
    rank: o.rank,
    status: o.status,
    since: o.since,
    expiresAt: o.expiresAt as string | null,
    card: parseTierCard(o.card),
  };
}

/** The `progress` metafield, or null for an unknown version or anything malformed. */
export function parseTierProgress(json: unknown): TierProgressV1 | null {
  const o = asDocument(json);
  if (!o || o.v !== 1) return null;
  if (!isCurrencyCode(o.currency)) return null;
  if (!isDecimal(o.spend, true)) return null;
  if (typeof o.points !== "number" || !Number.isFinite(o.points)) return null;
  let next: TierNextLevelV1 | null = null;
  if (o.next !== null) {
    if (!isPlainObject(o.next)) return null;
    const n = o.next;
    if (!isId(n.id) || !isText(n.name)) return null;
    if (n.remainingSpend !== null && !isDecimal(n.remainingSpend, false)) return null;
    next = { id: n.id, name: n.name, remainingSpend: n.remainingSpend as string | null };
    if (n.requirements !== undefined) {
      const requirements = parseRequirementList(n.requirements, true) as TierRequirementProgressV1[] | null;
      if (requirements === null) return null;
      next.requirements = requirements;
    }
  }
  return { v: 1, currency: o.currency, spend: o.spend, points: o.points, next };
}

/**
 * The `benefits` metafield, or null for an unknown version or a malformed document. A malformed or unknown item is
 * left out rather than failing the whole list: benefits here are display only (the Function applies discounts from
 * its own configuration), so showing fewer is the safe side.
 */
export function parseTierBenefits(json: unknown): TierBenefitsV1 | null {
  const o = asDocument(json);
  if (!o || o.v !== 1 || !Array.isArray(o.items)) return null;
  return { v: 1, items: readItems(o.items, parseBenefitItem) };
}

/** The `history` metafield, or null for an unknown version or a malformed document; malformed entries are left out. */
export function parseTierPointsHistory(json: unknown): TierPointsHistoryV1 | null {
  const o = asDocument(json);
  if (!o || o.v !== 1 || !Array.isArray(o.entries)) return null;
  return { v: 1, entries: readItems(o.entries, parsePointsEntry) };
}

/** The `rewards` metafield, or null for an unknown version or a malformed document; malformed items are left out. */
export function parseTierRewards(json: unknown): TierRewardsV1 | null {
  const o = asDocument(json);
  if (!o || o.v !== 1 || !Array.isArray(o.items)) return null;
  return { v: 1, items: readItems(o.items, parseReward).slice(0, REWARDS_LIMIT) };
}

const REWARD_KINDS: readonly TierRewardV1["kind"][] = ["welcome", "birthday", "redemption"];
const REWARD_FORMS: readonly TierRewardV1["form"][] = ["discountCode", "points", "storeCredit"];
const orNull = <T>(v: unknown, ok: (v: unknown) => v is T): T | null | undefined => (v === null ? null : ok(v) ? v : undefined);
const isValueType = (v: unknown): v is "percentage" | "fixed" => v === "percentage" || v === "fixed";
const isPositiveDecimal = (v: unknown): v is string => isDecimal(v, false);
const isFiniteNumber = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

function parseReward(e: unknown): TierRewardV1 | null {
  if (!isPlainObject(e) || !REWARD_KINDS.includes(e.kind as TierRewardV1["kind"]) || !REWARD_FORMS.includes(e.form as TierRewardV1["form"]))
    return null;
  if (!isInstant(e.issuedAt)) return null;
  const levelId = orNull(e.levelId, isId);
  const code = orNull(e.code, isText);
  const valueType = orNull(e.valueType, isValueType);
  const value = orNull(e.value, isPositiveDecimal);
  const currency = orNull(e.currency, isCurrencyCode);
  const points = orNull(e.points, isFiniteNumber);
  const endsAt = orNull(e.endsAt, isInstant);
  if (levelId === undefined || code === undefined || valueType === undefined || value === undefined) return null;
  if (currency === undefined || points === undefined || endsAt === undefined) return null;
  // A code without its value, or points without a number, cannot be shown truthfully.
  if (e.form === "discountCode" && (code === null || valueType === null || value === null)) return null;
  if (e.form === "points" && points === null) return null;
  return {
    kind: e.kind as TierRewardV1["kind"],
    levelId,
    form: e.form as TierRewardV1["form"],
    code,
    valueType,
    value,
    currency,
    points,
    issuedAt: e.issuedAt,
    endsAt,
  };
}

function parsePointsEntry(e: unknown): TierPointsEntryV1 | null {
  if (!isPlainObject(e) || !isInstant(e.at) || !POINTS_KINDS.includes(e.kind as TierPointsKindV1)) return null;
  if (typeof e.points !== "number" || !Number.isFinite(e.points)) return null;
  return { at: e.at, kind: e.kind as TierPointsKindV1, points: e.points };
}

/** The first MAX_ITEMS entries of a display list that `read` accepts; malformed ones are left out. */
function readItems<T>(list: unknown[], read: (raw: unknown) => T | null): T[] {
  const out: T[] = [];
  for (let i = 0; i < Math.min(list.length, MAX_ITEMS); i++) {
    const item = read(list[i]);
    if (item !== null) out.push(item);
  }
  return out;
}

/**
 * The shop's `program` metafield, or null for an unknown version or a malformed document. A level with a malformed
 * field makes the whole document null (a programme missing a level would mislead); a condition group holding a kind
 * this reader does not know is left out of its level, since a shopper cannot be told how to meet it.
 */
export function parseTierProgram(json: unknown): TierProgramV1 | null {
  const o = asDocument(json);
  if (!o || o.v !== 1 || !isCurrencyCode(o.currency) || !isPlainObject(o.window) || !Array.isArray(o.levels)) return null;
  const w = o.window;
  if (!WINDOW_KINDS.includes(w.kind as TierProgramWindowKindV1)) return null;
  const days = w.kind === "rolling" ? w.days : (w.days ?? null);
  if (days !== null && !isCount(days)) return null;
  if (w.kind === "rolling" && days === null) return null;
  if (o.levels.length > MAX_PROGRAM_LEVELS) return null;
  const levels: TierProgramLevelV1[] = [];
  for (const raw of o.levels) {
    const level = parseProgramLevel(raw);
    if (!level) return null;
    levels.push(level);
  }
  // Optional: a document without it (or with one this reader cannot read) offers no redemption.
  const redemption = o.redemption === undefined ? null : parseRedemptionRules(o.redemption);
  return { v: 1, currency: o.currency, window: { kind: w.kind as TierProgramWindowKindV1, days }, levels, ...(redemption ? { redemption } : {}) };
}

const WINDOW_KINDS: readonly TierProgramWindowKindV1[] = ["lifetime", "sinceLastUpgrade", "calendarYear", "rolling", "fixed"];
const MAX_PROGRAM_LEVELS = 100;
const MAX_GROUPS = 20;

function parseProgramLevel(raw: unknown): TierProgramLevelV1 | null {
  if (!isPlainObject(raw) || !isId(raw.id) || !isText(raw.name)) return null;
  if (typeof raw.rank !== "number" || !Number.isFinite(raw.rank)) return null;
  if (raw.validityDays !== null && !isCount(raw.validityDays)) return null;
  if (!Array.isArray(raw.requirements) || raw.requirements.length > MAX_GROUPS || !Array.isArray(raw.benefits)) return null;
  const requirements: TierRequirementV1[][] = [];
  for (const g of raw.requirements) {
    if (!Array.isArray(g)) return null;
    const group = parseRequirementList(g, false);
    if (group === null) return null;
    // Empty: every condition of the group was of a kind this reader does not know.
    if (group.length > 0 || g.length === 0) requirements.push(group);
  }
  const benefits = readItems(raw.benefits, parseBenefitItem);
  return { id: raw.id, name: raw.name, rank: raw.rank, card: parseTierCard(raw.card), requirements, benefits, validityDays: raw.validityDays };
}

/**
 * Conditions (with `current` when `measured`); null when one is malformed. A condition of an unknown kind makes the
 * whole list empty: an AND group is only meaningful whole.
 */
function parseRequirementList(raw: unknown, measured: boolean): (TierRequirementV1 | TierRequirementProgressV1)[] | null {
  if (!Array.isArray(raw) || raw.length > MAX_ITEMS) return null;
  const out: (TierRequirementV1 | TierRequirementProgressV1)[] = [];
  let unknownKind = false;
  for (const c of raw) {
    if (!isPlainObject(c)) return null;
    if (!TIER_REQUIREMENT_KINDS.includes(c.kind as TierRequirementKindV1)) {
      if (typeof c.kind !== "string") return null;
      unknownKind = true;
      continue;
    }
    const kind = c.kind as TierRequirementKindV1;
    if (!isRequirementAmount(kind, c.threshold)) return null;
    if (c.windowDays !== null && !isCount(c.windowDays)) return null;
    if (typeof c.scoped !== "boolean") return null;
    const base: TierRequirementV1 = { kind, threshold: c.threshold, windowDays: c.windowDays, scoped: c.scoped };
    if (measured) {
      if (!isRequirementAmount(kind, c.current)) return null;
      out.push({ ...base, current: c.current });
    } else out.push(base);
  }
  return unknownKind ? [] : out;
}

/** Decimal for the spend kinds and points, digits only for counts. */
function isRequirementAmount(kind: TierRequirementKindV1, v: unknown): v is string {
  if (!isDecimal(v, false)) return false;
  return kind === "accumulatedSpend" || kind === "singleOrder" || kind === "points" || v.indexOf(".") === -1;
}

function isCount(v: unknown): v is number {
  return typeof v === "number" && Number.isInteger(v) && v >= 1 && v <= 1_000_000;
}

const POINTS_KINDS: readonly TierPointsKindV1[] = ["earn", "refund", "cancel", "upgrade", "expire", "adjust"];

/** A card style with every field valid: bad colours and badges fall back to the default one by one. */
export function parseTierCard(json: unknown): TierCardV1 {
  if (!isPlainObject(json)) return { ...DEFAULT_TIER_CARD };
  return {
    badge: isId(json.badge) ? json.badge : DEFAULT_TIER_CARD.badge,
    background: safeHexColour(json.background, DEFAULT_TIER_CARD.background),
    text: safeHexColour(json.text, DEFAULT_TIER_CARD.text),
    levelColor: safeHexColour(json.levelColor, DEFAULT_TIER_CARD.levelColor),
    hideDates: json.hideDates === true,
  };
}

function parseBenefitItem(raw: unknown): TierBenefitItemV1 | null {
  if (!isPlainObject(raw)) return null;
  switch (raw.kind) {
    case "discount": {
      if (raw.type !== "percentage" && raw.type !== "fixed") return null;
      if (!isDecimal(raw.value, false)) return null;
      if (raw.minimumOrder !== null && raw.minimumOrder !== undefined && !isDecimal(raw.minimumOrder, false)) return null;
      return { kind: "discount", type: raw.type, value: raw.value, minimumOrder: (raw.minimumOrder as string | undefined) ?? null };
    }
    case "freeShipping": {
      let countries: string[] | null = null;
      if (raw.countries !== null && raw.countries !== undefined) {
        if (!Array.isArray(raw.countries) || raw.countries.length === 0) return null;
        countries = [];
        for (const c of raw.countries) {
          if (!isCountryCode(c)) return null;
          countries.push(c);
        }
      }
      if (raw.minimumOrder !== null && raw.minimumOrder !== undefined && !isDecimal(raw.minimumOrder, false)) return null;
      return { kind: "freeShipping", countries, minimumOrder: (raw.minimumOrder as string | undefined) ?? null };
    }
    case "points":
      if (typeof raw.multiplier !== "number" || !Number.isFinite(raw.multiplier) || raw.multiplier <= 0) return null;
      return { kind: "points", multiplier: raw.multiplier };
    case "custom":
      if (!isText(raw.title)) return null;
      return { kind: "custom", title: raw.title, icon: isId(raw.icon) ? raw.icon : "star" };
    default:
      return null;
  }
}
