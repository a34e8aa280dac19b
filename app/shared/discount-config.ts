/**
 * DiscountConfigV1: the tier discount Function's configuration (docs/contracts.md), stored as the `json` metafield
 * `$app:tierline.discount-config` on the shop's automatic app discount.
 *
 * Pure and dependency-free on purpose: the Function bundles this file, and it runs inside Javy's QuickJS under an
 * instruction budget, so the validator is hand-written (no zod, no regex) and walks the document once.
 * The app validates with the same function before it writes, so the Function never sees a shape the app would not.
 */

import type { Scope } from "../domain/program";

export const DISCOUNT_CONFIG_KEY = "discount-config";
/** The discount metafield whose JSON becomes the Function's input-query variables (`[extensions.input.variables]`). */
export const DISCOUNT_VARIABLES_KEY = "discount-variables";

export type DiscountType = "percentage" | "fixed";
export type DiscountBase = "retail" | "discounted";

/** The products a discount applies to: the engine's own `Scope` (one home, app/domain/program.ts); type-only, so the Function bundles nothing more. */
export type DiscountScopeV1 = Scope;

export interface LevelDiscountV1 {
  type: DiscountType;
  /** Percentage ("10", "12.5"; above 0, at most 100) or a fixed amount in the shop's currency ("5.00"; above 0). */
  value: string;
  /** In the shop's currency, compared with the subtotal of the lines the discount applies to. */
  minimumOrder: string | null;
  /** "retail": the compare-at price when the item is on sale, else its price. "discounted": the price paid today. */
  appliesTo: DiscountBase;
  scope: DiscountScopeV1 | null;
  /** Extra percentage points off items on sale (compare-at price above the price). */
  saleItemExtra: string | null;
}

export interface LevelFreeShippingV1 {
  /** ISO 3166-1 alpha-2 codes; null means every destination. */
  countries: string[] | null;
  minimumOrder: string | null;
}

export interface LevelBenefitsV1 {
  discount: LevelDiscountV1 | null;
  freeShipping: LevelFreeShippingV1 | null;
}

export interface DiscountConfigV1 {
  v: 1;
  enabled: boolean;
  levels: Record<string, LevelBenefitsV1>;
}

/**
 * The input query asks each cart line's product a fixed number of yes/no questions, one per slot:
 * `cN: inAnyCollection(ids: $cN)` and `tN: hasAnyTag(tags: $tN)`. Every distinct collection list and tag list that a
 * level's discount scope names (included or excluded) gets a slot of its own, so levels with different scopes share
 * one static query and the Function reads "in Gold's excluded collections?" as one boolean. Each slot costs
 * `,"c0":false` (11 bytes) per line whatever its list holds, and a list may hold up to 100 entries (Shopify's limit
 * for a list variable), so a 200-line cart's input stays within 128 kB at any configuration the admin accepts.
 */
export const COLLECTION_SLOTS = ["c0", "c1", "c2", "c3", "c4", "c5"] as const;
export const TAG_SLOTS = ["t0", "t1", "t2", "t3", "t4", "t5"] as const;
export type CollectionSlot = (typeof COLLECTION_SLOTS)[number];
export type TagSlot = (typeof TAG_SLOTS)[number];
export type DiscountSlot = CollectionSlot | TagSlot;

/**
 * The JSON of the `discount-variables` metafield. Shopify passes it as the input query's variables: each slot's list
 * of collection ids or tags. Every slot is always written, an unused one as `[]` (it answers `false` and asks nothing),
 * so no variable is ever null.
 */
export type DiscountVariablesV1 = Record<DiscountSlot, string[]>;

/** Which slot answers each of a scope's four lists; null when the list is empty (nothing to ask). */
export interface ScopeSlots {
  collections: SlotRef;
  excludeCollections: SlotRef;
  tags: SlotRef;
  excludeTags: SlotRef;
}
/** A slot name, `null` for an empty list, or `"none"` for a list that got no slot (more lists than slots). */
export type SlotRef = DiscountSlot | null | "none";

/**
 * The slot assignment of a configuration: the distinct collection lists and tag lists its scopes name, each list
 * with its entries deduplicated and sorted, the lists sorted, the first `COLLECTION_SLOTS.length` (or
 * `TAG_SLOTS.length`) getting a slot in that order. The app builds the variables with it and the Function reads the
 * answers with it; both run this same code on the same configuration, which the app writes in the same
 * `metafieldsSet` as the variables, so slot N always means the same list on both sides.
 */
export interface DiscountSlotPlan {
  /** Distinct lists, sorted; `collectionLists[i]` is asked in `COLLECTION_SLOTS[i]` when i is below the slot count. */
  collectionLists: string[][];
  tagLists: string[][];
  /** Per level id (own properties only), the slots of its discount scope. */
  scopes: Record<string, ScopeSlots>;
}

export function discountSlotPlan(config: DiscountConfigV1): DiscountSlotPlan {
  const collections = new Map<string, string[]>();
  const tags = new Map<string, string[]>();
  const keyed: { id: string; keys: [string | null, string | null, string | null, string | null] }[] = [];
  const add = (lists: Map<string, string[]>, list: string[]): string | null => {
    if (list.length === 0) return null;
    const entries = [...new Set(list)].sort();
    const key = JSON.stringify(entries);
    if (!lists.has(key)) lists.set(key, entries);
    return key;
  };
  for (const id of Object.keys(config.levels)) {
    const scope = config.levels[id].discount?.scope;
    if (!scope) continue;
    keyed.push({
      id,
      keys: [
        add(collections, scope.collectionIds),
        add(collections, scope.excludeCollectionIds),
        add(tags, scope.tags),
        add(tags, scope.excludeTags),
      ],
    });
  }
  const collectionKeys = [...collections.keys()].sort();
  const tagKeys = [...tags.keys()].sort();
  const refOf = (key: string | null, keys: string[], slots: readonly DiscountSlot[]): SlotRef => {
    if (key === null) return null;
    const i = keys.indexOf(key);
    return i < slots.length ? slots[i] : "none";
  };
  const scopes: Record<string, ScopeSlots> = Object.create(null);
  for (const { id, keys } of keyed) {
    scopes[id] = {
      collections: refOf(keys[0], collectionKeys, COLLECTION_SLOTS),
      excludeCollections: refOf(keys[1], collectionKeys, COLLECTION_SLOTS),
      tags: refOf(keys[2], tagKeys, TAG_SLOTS),
      excludeTags: refOf(keys[3], tagKeys, TAG_SLOTS),
    };
  }
  return {
    collectionLists: collectionKeys.map((k) => collections.get(k)!),
    tagLists: tagKeys.map((k) => tags.get(k)!),
    scopes,
  };
}

export type DiscountConfigResult = { ok: true; config: DiscountConfigV1 } | { ok: false; errors: string[] };

const SCOPE_LISTS = ["productIds", "collectionIds", "tags", "excludeProductIds", "excludeCollectionIds", "excludeTags"] as const;
const MAX_LEVEL_ID = 64;
const MAX_DECIMAL_LENGTH = 16;

/**
 * A non-negative decimal string with at most 2 decimals ("10", "12.5", "1200.00") in hundredths, exactly.
 * Returns null for anything else: numbers, signs, exponents, grouping, empty parts ("1.", ".5").
 */
export function decimalToHundredths(s: unknown): number | null {
  if (typeof s !== "string" || s.length === 0 || s.length > MAX_DECIMAL_LENGTH) return null;
  let whole = 0;
  let frac = 0;
  let fracDigits = 0;
  let seenPoint = false;
  let wholeDigits = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 46 /* . */) {
      if (seenPoint || wholeDigits === 0) return null;
      seenPoint = true;
      continue;
    }
    if (c < 48 || c > 57) return null;
    const d = c - 48;
    if (seenPoint) {
      if (++fracDigits > 2) return null;
      frac = frac * 10 + d;
    } else {
      whole = whole * 10 + d;
      wholeDigits++;
    }
  }
  if (seenPoint && fracDigits === 0) return null;
  if (fracDigits === 1) frac *= 10;
  return whole * 100 + frac;
}

/** Validates a `discount-config` metafield value; every problem is reported with its path. */
export function parseDiscountConfig(json: unknown): DiscountConfigResult {
  const errors: string[] = [];
  if (!isPlainObject(json)) return { ok: false, errors: ["config: must be an object"] };
  if (json.v !== 1) errors.push(`v: must be 1 (this reader knows version 1 only)`);
  if (typeof json.enabled !== "boolean") errors.push("enabled: must be true or false");
  // No prototype: a level id such as "__proto__" or "constructor" is data here, never an inherited property.
  const levels: Record<string, LevelBenefitsV1> = Object.create(null);
  if (!isPlainObject(json.levels)) {
    errors.push("levels: must be an object keyed by level id");
  } else {
    for (const id of Object.keys(json.levels)) {
      const path = `levels.${id}`;
      if (!isLevelId(id)) errors.push(`${path}: level ids are 1–${MAX_LEVEL_ID} letters, digits, '-' or '_'`);
      const level = readLevel(json.levels[id], path, errors);
      if (level) levels[id] = level;
    }
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, config: { v: 1, enabled: json.enabled as boolean, levels } };
}

/** The `discount-variables` JSON for a configuration: each slot's list, `[]` for an unused slot. */
export function discountVariablesOf(config: DiscountConfigV1, plan: DiscountSlotPlan = discountSlotPlan(config)): DiscountVariablesV1 {
  const variables = {} as DiscountVariablesV1;
  COLLECTION_SLOTS.forEach((slot, i) => (variables[slot] = plan.collectionLists[i] ?? []));
  TAG_SLOTS.forEach((slot, i) => (variables[slot] = plan.tagLists[i] ?? []));
  return variables;
}

/**
 * Shopify Functions limits that a configuration can break when it is written (checked again by the Function's tests):
 * - a metafield read by the input query is passed only up to 10,000 bytes; a larger one arrives as null, and every
 *   member silently loses the discount (https://shopify.dev/changelog/shopify-functions-input-limit-updates);
 * - a list input variable holds at most 100 entries
 *   (https://shopify.dev/docs/apps/build/functions/input-queries/use-variables-input-queries#limitations);
 * - the whole input is at most 128 kB, the output at most 20 kB, for carts of up to 200 lines
 *   (https://shopify.dev/docs/apps/build/functions#limitations). kB is read as 1,000 bytes, the stricter reading.
 */
export const FUNCTION_LIMITS = {
  metafieldBytes: 10_000,
  listVariableEntries: 100,
  inputBytes: 128_000,
  outputBytes: 20_000,
  cartLines: 200,
} as const;

/**
 * The input query's bytes for one cart line besides its slot answers, at the longest ids (64-character line ids),
 * amounts and currency a line carries; and for everything outside the lines (the buyer's level metafield, the rate,
 * the envelope). The discount metafield is counted on its own. extensions/tier-discount/tests/limits.test.ts builds
 * the real input at these sizes and holds both numbers to it.
 */
export const INPUT_LINE_BYTES = 400;
export const INPUT_OTHER_BYTES = 2_500;
/** One slot's answer on a line: `,"c0":false`. */
export const SLOT_ANSWER_BYTES = 11;

export interface DiscountLimitIssue {
  /**
   * What breaks: the configuration's size, a list over 100 entries, more distinct collection or tag lists than the
   * query has slots, or the input of a full cart.
   */
  kind: "configBytes" | "collections" | "tags" | "collectionLists" | "tagLists" | "inputBytes";
  /** What a merchant reads: the limit, how far over it is, and what to trim. */
  message: string;
}

type ScopeListKey = "collectionIds" | "excludeCollectionIds" | "tags" | "excludeTags";

/**
 * Every Function limit the configuration would break, worded for the benefits form. Empty when the Function gets the
 * whole configuration, every scope list fits a list variable and has a slot, and a 200-line cart's input stays within
 * Shopify's limit. `nameOf` turns a level id into the name the merchant knows.
 */
export function discountLimitIssues(config: DiscountConfigV1, nameOf: (levelId: string) => string = (id) => id): DiscountLimitIssue[] {
  const issues: DiscountLimitIssue[] = [];
  const configBytes = utf8Bytes(JSON.stringify(config));
  if (configBytes > FUNCTION_LIMITS.metafieldBytes) {
    const largest = Object.keys(config.levels)
      .map((id) => ({ id, bytes: utf8Bytes(JSON.stringify(config.levels[id])) }))
      .sort((a, b) => b.bytes - a.bytes)
      .slice(0, 3)
      .map((l) => `${nameOf(l.id)} (${l.bytes.toLocaleString("en-US")} bytes)`);
    issues.push({
      kind: "configBytes",
      message:
        `The level discounts' settings take ${configBytes.toLocaleString("en-US")} bytes, and Shopify passes at most ` +
        `${FUNCTION_LIMITS.metafieldBytes.toLocaleString("en-US")} bytes to the discount (over that, no member gets a discount). ` +
        `Trim ${(configBytes - FUNCTION_LIMITS.metafieldBytes).toLocaleString("en-US")} bytes: remove products, collections or tags from the scopes of the largest levels: ${largest.join(", ")}.`,
    });
  }
  const max = FUNCTION_LIMITS.listVariableEntries;
  for (const [kind, keys, noun] of [
    ["collections", ["collectionIds", "excludeCollectionIds"], "collections"],
    ["tags", ["tags", "excludeTags"], "tags"],
  ] as const) {
    const over: string[] = [];
    let most = 0;
    for (const id of Object.keys(config.levels)) {
      const scope = config.levels[id].discount?.scope;
      if (!scope) continue;
      for (const key of keys) {
        const n = new Set(scope[key]).size;
        if (n <= max) continue;
        most = Math.max(most, n);
        over.push(`${nameOf(id)} (${n} ${key.startsWith("exclude") ? "excluded" : "included"})`);
      }
    }
    if (over.length > 0) {
      issues.push({
        kind,
        message:
          `A level discount's scope can name at most ${max} ${noun} to include and ${max} to exclude (Shopify's limit for one list). ` +
          `Over it: ${over.join(", ")}. Remove ${countOf(most - max, noun)} or more from each.`,
      });
    }
  }
  const plan = discountSlotPlan(config);
  for (const [kind, lists, slots, noun, keys] of [
    ["collectionLists", plan.collectionLists, COLLECTION_SLOTS.length, "collection", ["collectionIds", "excludeCollectionIds"]],
    ["tagLists", plan.tagLists, TAG_SLOTS.length, "tag", ["tags", "excludeTags"]],
  ] as const) {
    if (lists.length <= slots) continue;
    issues.push({
      kind,
      message:
        `The level discounts' scopes use ${lists.length} different ${noun} lists (included or excluded), and the discount can check at most ${slots} at checkout. ` +
        `Levels that include or exclude exactly the same ${noun}s share one list. Remove ${countOf(lists.length - slots, `${noun} lists`)} ` +
        `(or make ${lists.length - slots === 1 ? "it" : "them"} the same as another level's) in the scopes of ${levelsNaming(config, keys, nameOf)}.`,
    });
  }
  const inputBytes = discountInputBytes(config, configBytes);
  if (inputBytes > FUNCTION_LIMITS.inputBytes) {
    issues.push({
      kind: "inputBytes",
      message:
        `A ${FUNCTION_LIMITS.cartLines}-line cart would pass ${Math.ceil(inputBytes / 1000)} kB to the discount, over Shopify's ${FUNCTION_LIMITS.inputBytes / 1000} kB. ` +
        `Trim the levels' discount settings (remove products, collections or tags from their scopes).`,
    });
  }
  return issues;
}

/**
 * The input's bytes for a full cart under this configuration (an upper bound): every line answers every slot, used
 * or not, so only the configuration's own size varies.
 */
export function discountInputBytes(config: DiscountConfigV1, configBytes = utf8Bytes(JSON.stringify(config))): number {
  const perLine = INPUT_LINE_BYTES + (COLLECTION_SLOTS.length + TAG_SLOTS.length) * SLOT_ANSWER_BYTES;
  return INPUT_OTHER_BYTES + configBytes + FUNCTION_LIMITS.cartLines * perLine;
}

/** The levels whose scopes name any of these lists, by name. */
function levelsNaming(config: DiscountConfigV1, keys: readonly ScopeListKey[], nameOf: (id: string) => string): string {
  const names: string[] = [];
  for (const id of Object.keys(config.levels)) {
    const s = config.levels[id].discount?.scope;
    if (s && keys.some((k) => s[k].length > 0)) names.push(nameOf(id));
  }
  return names.length > 0 ? names.join(", ") : "the levels";
}

/** (1, "collections or tags") → "1 collection or tag"; (3, "tags") → "3 tags". */
function countOf(n: number, plural: string): string {
  return `${n} ${n === 1 ? plural.replace(/s\b/g, "") : plural}`;
}

function utf8Bytes(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    n += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
  }
  return n;
}

/** The level's benefits, or null when the configuration has none for it (never an inherited Object property). */
export function levelBenefitsOf(config: DiscountConfigV1, levelId: string): LevelBenefitsV1 | null {
  return Object.prototype.hasOwnProperty.call(config.levels, levelId) ? config.levels[levelId] : null;
}

function readLevel(raw: unknown, path: string, errors: string[]): LevelBenefitsV1 | null {
  if (!isPlainObject(raw)) {
    errors.push(`${path}: must be an object with discount and freeShipping`);
    return null;
  }
  return {
    discount: raw.discount == null ? null : readDiscount(raw.discount, `${path}.discount`, errors),
    freeShipping: raw.freeShipping == null ? null : readFreeShipping(raw.freeShipping, `${path}.freeShipping`, errors),
  };
}

function readDiscount(raw: unknown, path: string, errors: string[]): LevelDiscountV1 | null {
  if (!isPlainObject(raw)) {
    errors.push(`${path}: must be an object or null`);
    return null;
  }
  const before = errors.length;
  const type = raw.type;
  if (type !== "percentage" && type !== "fixed") errors.push(`${path}.type: must be "percentage" or "fixed"`);
  const value = decimalToHundredths(raw.value);
  if (value === null || value === 0) {
    errors.push(`${path}.value: must be a decimal string above 0 with at most 2 decimals, like "10" or "5.00"`);
  } else if (type === "percentage" && value > 10_000) {
    errors.push(`${path}.value: a percentage cannot exceed 100`);
  }
  const minimumOrder = readOptionalMoney(raw.minimumOrder, `${path}.minimumOrder`, errors);
  const appliesTo = raw.appliesTo;
  if (appliesTo !== "retail" && appliesTo !== "discounted") errors.push(`${path}.appliesTo: must be "retail" or "discounted"`);
  const scope = raw.scope == null ? null : readScope(raw.scope, `${path}.scope`, errors);
  let saleItemExtra: string | null = null;
  if (raw.saleItemExtra != null) {
    const extra = decimalToHundredths(raw.saleItemExtra);
    if (extra === null || extra > 10_000) errors.push(`${path}.saleItemExtra: must be a percentage from 0 to 100, like "5", or null`);
    else saleItemExtra = raw.saleItemExtra as string;
  }
  if (errors.length > before) return null;
  return { type: type as DiscountType, value: raw.value as string, minimumOrder, appliesTo: appliesTo as DiscountBase, scope, saleItemExtra };
}

function readFreeShipping(raw: unknown, path: string, errors: string[]): LevelFreeShippingV1 | null {
  if (!isPlainObject(raw)) {
    errors.push(`${path}: must be an object or null`);
    return null;
  }
  const before = errors.length;
  let countries: string[] | null = null;
  if (raw.countries != null) {
    if (!Array.isArray(raw.countries)) {
      errors.push(`${path}.countries: must be a list of two-letter country codes, or null for everywhere`);
    } else {
      countries = [];
      for (let i = 0; i < raw.countries.length; i++) {
        const c = raw.countries[i];
        if (!isCountryCode(c)) errors.push(`${path}.countries[${i}]: must be a two-letter country code like "US"`);
        else countries.push(c);
      }
    }
  }
  const minimumOrder = readOptionalMoney(raw.minimumOrder, `${path}.minimumOrder`, errors);
  if (errors.length > before) return null;
  return { countries, minimumOrder };
}

function readScope(raw: unknown, path: string, errors: string[]): DiscountScopeV1 | null {
  if (!isPlainObject(raw)) {
    errors.push(`${path}: must be an object or null`);
    return null;
  }
  const scope: Partial<DiscountScopeV1> = {};
  for (const key of SCOPE_LISTS) {
    const list = raw[key];
    if (list == null) {
      scope[key] = [];
      continue;
    }
    if (!Array.isArray(list) || !list.every((x) => typeof x === "string" && x.length > 0)) {
      errors.push(`${path}.${key}: must be a list of non-empty strings`);
      continue;
    }
    scope[key] = list as string[];
  }
  return scope as DiscountScopeV1;
}

function readOptionalMoney(raw: unknown, path: string, errors: string[]): string | null {
  if (raw == null) return null;
  if (decimalToHundredths(raw) === null) {
    errors.push(`${path}: must be an amount like "50.00" (at most 2 decimals), or null`);
    return null;
  }
  return raw as string;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isLevelId(id: string): boolean {
  if (id.length === 0 || id.length > MAX_LEVEL_ID) return false;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    const ok = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45 || c === 95;
    if (!ok) return false;
  }
  return true;
}

function isCountryCode(c: unknown): c is string {
  if (typeof c !== "string" || c.length !== 2) return false;
  const a = c.charCodeAt(0);
  const b = c.charCodeAt(1);
  return a >= 65 && a <= 90 && b >= 65 && b <= 90;
}
