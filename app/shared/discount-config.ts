/**
 * DiscountConfigV1: the tier discount Function's configuration (docs/contracts.md), stored as the `json` metafield
 * `$app:tierline.discount-config` on the shop's automatic app discount.
 *
 * Pure and dependency-free on purpose: the Function bundles this file, and it runs inside Javy's QuickJS under an
 * instruction budget, so the validator is hand-written (no zod, no regex) and walks the document once.
 * The app validates with the same function before it writes, so the Function never sees a shape the app would not.
 */

export const DISCOUNT_CONFIG_KEY = "discount-config";
/** The discount metafield whose JSON becomes the Function's input-query variables (`[extensions.input.variables]`). */
export const DISCOUNT_VARIABLES_KEY = "discount-variables";

export type DiscountType = "percentage" | "fixed";
export type DiscountBase = "retail" | "discounted";

export interface DiscountScopeV1 {
  productIds: string[];
  collectionIds: string[];
  tags: string[];
  excludeProductIds: string[];
  excludeCollectionIds: string[];
  excludeTags: string[];
}

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
 * The JSON of the `discount-variables` metafield. Shopify passes it as the input query's variables, so one static
 * query can ask about the collections and tags that any level's scope names. Both lists hold includes and excludes:
 * the query asks per collection and per tag (`inCollections`, `hasTags`), and the Function sorts them per level.
 */
export interface DiscountVariablesV1 {
  collectionIds: string[];
  tags: string[];
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

/** The `discount-variables` JSON for a configuration: every collection and tag some level's discount scope names. */
export function discountVariablesOf(config: DiscountConfigV1): DiscountVariablesV1 {
  const collections = new Set<string>();
  const tags = new Set<string>();
  for (const id of Object.keys(config.levels)) {
    const scope = config.levels[id].discount?.scope;
    if (!scope) continue;
    for (const c of scope.collectionIds) collections.add(c);
    for (const c of scope.excludeCollectionIds) collections.add(c);
    for (const t of scope.tags) tags.add(t);
    for (const t of scope.excludeTags) tags.add(t);
  }
  return { collectionIds: [...collections].sort(), tags: [...tags].sort() };
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
