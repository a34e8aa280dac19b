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
 * The input query's bytes for one cart line besides its collection and tag answers, at the longest ids, amounts and
 * currency a line carries; and for everything outside the lines (the buyer's level metafield, the rate, the
 * envelope). The discount metafield is counted on its own. extensions/tier-discount/tests/input-size.test.ts builds
 * the real input at these sizes and holds both numbers to it.
 */
export const INPUT_LINE_BYTES = 430;
export const INPUT_OTHER_BYTES = 2_500;
/** `{"collectionId":…,"isMember":false},` without the id; `{"tag":…,"hasTag":false},` without the tag. */
const COLLECTION_ANSWER_BYTES = 35;
const TAG_ANSWER_BYTES = 24;

export interface DiscountLimitIssue {
  /** What breaks: the configuration's size, a variables list, or the input of a full cart. */
  kind: "configBytes" | "collections" | "tags" | "inputBytes";
  /** What a merchant reads: the limit, how far over it is, and what to trim. */
  message: string;
}

/**
 * Every Function limit the configuration would break, worded for the benefits form. Empty when the Function gets the
 * whole configuration and a 200-line cart's input stays within Shopify's limit. `nameOf` turns a level id into the
 * name the merchant knows.
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
  const variables = discountVariablesOf(config);
  for (const [kind, list, noun] of [
    ["collections", variables.collectionIds, "collections"],
    ["tags", variables.tags, "tags"],
  ] as const) {
    if (list.length > FUNCTION_LIMITS.listVariableEntries) {
      issues.push({
        kind,
        message:
          `The level discounts' scopes name ${list.length} different ${noun}, and Shopify allows at most ${FUNCTION_LIMITS.listVariableEntries}. ` +
          `Remove ${countOf(list.length - FUNCTION_LIMITS.listVariableEntries, noun)} from the scopes (included or excluded) of ${levelsNaming(config, kind, nameOf)}.`,
      });
    }
  }
  const inputBytes = discountInputBytes(config, configBytes, variables);
  if (inputBytes > FUNCTION_LIMITS.inputBytes) {
    const perAnswer = FUNCTION_LIMITS.cartLines * (COLLECTION_ANSWER_BYTES + 40);
    const toRemove = Math.ceil((inputBytes - FUNCTION_LIMITS.inputBytes) / perAnswer);
    issues.push({
      kind: "inputBytes",
      message:
        `The level discounts' scopes name ${variables.collectionIds.length} collections and ${variables.tags.length} tags. At checkout Shopify answers ` +
        `each of them for every cart line, so a ${FUNCTION_LIMITS.cartLines}-line cart would pass ${Math.ceil(inputBytes / 1000)} kB to the discount, ` +
        `over Shopify's ${FUNCTION_LIMITS.inputBytes / 1000} kB. Remove about ${countOf(toRemove, "collections or tags")} from the scopes of ${levelsNaming(config, "any", nameOf)} ` +
        `(a product list costs far less: products are matched by id, not asked about per line).`,
    });
  }
  return issues;
}

/** The input's bytes for a full cart under this configuration: every line answers every collection and tag asked. */
export function discountInputBytes(
  config: DiscountConfigV1,
  configBytes = utf8Bytes(JSON.stringify(config)),
  variables = discountVariablesOf(config),
): number {
  let perLine = INPUT_LINE_BYTES;
  for (const c of variables.collectionIds) perLine += COLLECTION_ANSWER_BYTES + utf8Bytes(JSON.stringify(c));
  for (const t of variables.tags) perLine += TAG_ANSWER_BYTES + utf8Bytes(JSON.stringify(t));
  return INPUT_OTHER_BYTES + configBytes + FUNCTION_LIMITS.cartLines * perLine;
}

function levelsNaming(config: DiscountConfigV1, kind: "collections" | "tags" | "any", nameOf: (id: string) => string): string {
  const names: string[] = [];
  for (const id of Object.keys(config.levels)) {
    const s = config.levels[id].discount?.scope;
    if (!s) continue;
    const collections = s.collectionIds.length + s.excludeCollectionIds.length;
    const tags = s.tags.length + s.excludeTags.length;
    if ((kind !== "tags" && collections > 0) || (kind !== "collections" && tags > 0)) names.push(nameOf(id));
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
