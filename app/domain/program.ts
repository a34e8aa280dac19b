import { Reader, type Obj } from "./json-reader";
import { describeValue, parseMoney, type Money } from "./money";
import { programError, type ErrorFactory } from "./program.errors";
import { parseInstant, type Instant } from "./time";

/** The loyalty program (one per shop), parsed and validated. Money in minor units, times in epoch ms. */
export interface Program {
  enabled: boolean;
  /** Orders paid before it never count (inclusive bound). */
  activeFrom: Instant | null;
  basis: "spend" | "points";
  spend: SpendDefinition;
  window: WindowSpec;
  validity: Validity;
  graceDays: number;
  onExpiry: "reevaluate" | "freeze";
  retention: { extendDays: number } | null;
  downgradeOnRefund: boolean;
  /** Participating sales channels; null = all. Orders without a channel always participate. */
  channels: string[] | null;
  /** ISO currency code used only for display texts. */
  currency: string;
  points: PointsSettings;
  /** Sorted by rank, lowest first. */
  levels: Level[];
}

export interface SpendDefinition {
  base: "total" | "subtotal";
  excludeShipping: boolean;
  excludeTaxes: boolean;
}

export type WindowSpec =
  | { kind: "lifetime" }
  | { kind: "sinceLastUpgrade" }
  | { kind: "calendarYear" }
  | { kind: "rolling"; days: number }
  | { kind: "fixed"; from: Instant; to: Instant };

export type Validity = { kind: "permanent" } | { kind: "oneYear" } | { kind: "days"; days: number };

export type Rounding = "none" | "up" | "down" | "nearest";

export interface PointsSettings {
  earn: EarnRule[];
  rounding: Rounding;
  expiryDays: number | null;
}

export interface EarnRule {
  per: "amount" | "item";
  /** Minor units for `per: "amount"`, a unit count for `per: "item"`. */
  every: number;
  points: number;
  prorate: boolean;
  /** null = every member; otherwise the member's level just before the order must be listed. */
  levels: string[] | null;
  /** Only the scoped line subtotal / units earn (null = the order's counted spend / all units). */
  scope: Scope | null;
  /** Orders with a discount code earn nothing under this rule. */
  excludeDiscountCodes: boolean;
}

export interface Level {
  id: string;
  name: string;
  rank: number;
  enabled: boolean;
  internalOnly: boolean;
  /** OR of groups, AND inside a group; [] = never reached automatically. */
  upgrade: Condition[][];
  /** null = use `upgrade` when renewing. */
  renewal: Condition[][] | null;
  retainAmount: Money | null;
  upgradePoints: number;
}

export const CONDITION_KINDS = ["accumulatedSpend", "singleOrder", "orderCount", "itemCount", "productPurchase", "points"] as const;
export type ConditionKind = (typeof CONDITION_KINDS)[number];

export interface Condition {
  kind: ConditionKind;
  /** Minor units for accumulatedSpend/singleOrder, points for points, a count otherwise. */
  threshold: number;
  scope: Scope | null;
  /** Rolling window of this many days instead of the program window. */
  windowDays: number | null;
  role: "upgrade" | "renewal" | "both";
  showProgress: boolean;
}

export interface Scope {
  productIds: string[];
  collectionIds: string[];
  tags: string[];
  excludeProductIds: string[];
  excludeCollectionIds: string[];
  excludeTags: string[];
}

const SPEND_KINDS: ReadonlySet<ConditionKind> = new Set(["accumulatedSpend", "singleOrder"]);

// ---------------------------------------------------------------------------------------------
// Parsing. Every error names the field (`program.levels[1].upgrade[0][0].amount`) and has a code.

/**
 * Validates a program in the scenario/JSON shape and returns the parsed model (levels sorted by rank).
 * Throws ProgramError (`code`, `path`, `message`) on the first problem found.
 */
export function parseProgram(json: unknown, path = "program", fail: ErrorFactory = programError): Program {
  const r = new Reader(fail);
  const o = r.obj(json, path);
  const levelsRaw = o.levels === undefined ? [] : r.arr(o.levels, `${path}.levels`);

  const spendRaw = o.spend === undefined ? {} : r.obj(o.spend, `${path}.spend`);
  const spend: SpendDefinition = {
    base: r.oneOf(spendRaw.base, `${path}.spend.base`, ["total", "subtotal"] as const, "total"),
    excludeShipping: r.bool(spendRaw.excludeShipping, `${path}.spend.excludeShipping`, true),
    excludeTaxes: r.bool(spendRaw.excludeTaxes, `${path}.spend.excludeTaxes`, true),
  };

  const retention =
    o.retention === undefined || o.retention === null
      ? null
      : { extendDays: r.int(r.obj(o.retention, `${path}.retention`).extendDays, `${path}.retention.extendDays`, 1) };

  const levels = levelsRaw.map((l, i) => parseLevel(r, l, `${path}.levels[${i}]`));
  checkLevelSet(r, levels, path);
  const levelIds = new Set(levels.map((l) => l.level.id));

  const pointsRaw = o.points === undefined || o.points === null ? {} : r.obj(o.points, `${path}.points`);
  const earnRaw = pointsRaw.earn === undefined || pointsRaw.earn === null ? [] : r.arr(pointsRaw.earn, `${path}.points.earn`);
  const points: PointsSettings = {
    earn: earnRaw.map((e, i) => parseEarnRule(r, e, `${path}.points.earn[${i}]`, levelIds)),
    rounding: r.oneOf(pointsRaw.rounding, `${path}.points.rounding`, ["none", "up", "down", "nearest"] as const, "down"),
    expiryDays:
      pointsRaw.expiryDays === undefined || pointsRaw.expiryDays === null ? null : r.int(pointsRaw.expiryDays, `${path}.points.expiryDays`, 1),
  };

  const program: Program = {
    enabled: r.bool(o.enabled, `${path}.enabled`, true),
    activeFrom: o.activeFrom === undefined || o.activeFrom === null ? null : parseInstant(o.activeFrom, `${path}.activeFrom`, fail),
    basis: r.oneOf(o.basis, `${path}.basis`, ["spend", "points"] as const, "spend"),
    spend,
    window: parseWindow(r, o.window, `${path}.window`),
    validity: parseValidity(r, o.validity, `${path}.validity`),
    graceDays: o.graceDays === undefined || o.graceDays === null ? 0 : r.int(o.graceDays, `${path}.graceDays`),
    onExpiry: r.oneOf(o.onExpiry, `${path}.onExpiry`, ["reevaluate", "freeze"] as const, "reevaluate"),
    retention,
    downgradeOnRefund: r.bool(o.downgradeOnRefund, `${path}.downgradeOnRefund`, true),
    channels: o.channels === undefined || o.channels === null ? null : r.strList(o.channels, `${path}.channels`),
    currency: o.currency === undefined ? "USD" : r.str(o.currency, `${path}.currency`),
    points,
    levels: levels.map((l) => l.level).sort((a, b) => a.rank - b.rank),
  };
  return program;
}

interface ParsedLevel {
  level: Level;
  path: string;
}

function parseLevel(r: Reader, v: unknown, path: string): ParsedLevel {
  const o = r.obj(v, path);
  const id = r.str(o.id, `${path}.id`);
  const rank = typeof o.rank === "number" && Number.isFinite(o.rank) ? o.rank : NaN;
  if (Number.isNaN(rank)) throw r.fail("INVALID_NUMBER", `${path}.rank`, `must be a number, got ${describeValue(o.rank)}`);
  const level: Level = {
    id,
    name: o.name === undefined ? id : r.str(o.name, `${path}.name`),
    rank,
    enabled: r.bool(o.enabled, `${path}.enabled`, true),
    internalOnly: r.bool(o.internalOnly, `${path}.internalOnly`, false),
    upgrade: o.upgrade === undefined || o.upgrade === null ? [] : parseGroups(r, o.upgrade, `${path}.upgrade`),
    renewal: o.renewal === undefined || o.renewal === null ? null : parseGroups(r, o.renewal, `${path}.renewal`),
    retainAmount: o.retainAmount === undefined || o.retainAmount === null ? null : parseMoney(o.retainAmount, `${path}.retainAmount`, r.fail),
    upgradePoints: o.upgradePoints === undefined || o.upgradePoints === null ? 0 : r.num(o.upgradePoints, `${path}.upgradePoints`),
  };
  return { level, path };
}

function parseGroups(r: Reader, v: unknown, path: string): Condition[][] {
  return r.arr(v, path).map((g, gi) => {
    const group = r.arr(g, `${path}[${gi}]`);
    if (group.length === 0)
      throw r.fail("EMPTY_GROUP", `${path}[${gi}]`, "a condition group needs at least one condition (an empty group would always hold)");
    return group.map((c, ci) => parseCondition(r, c, `${path}[${gi}][${ci}]`));
  });
}

const CONDITION_FIELDS = ["kind", "amount", "count", "quantity", "scope", "windowDays", "role", "showProgress"];

function parseCondition(r: Reader, v: unknown, path: string): Condition {
  const o = r.obj(v, path);
  const kind = o.kind;
  if (typeof kind !== "string" || !(CONDITION_KINDS as readonly string[]).includes(kind)) {
    throw r.fail("UNKNOWN_CONDITION", `${path}.kind`, `must be one of ${CONDITION_KINDS.join(", ")}, got ${describeValue(kind)}`);
  }
  r.known(o, path, CONDITION_FIELDS);
  const k = kind as ConditionKind;
  let threshold: number;
  if (SPEND_KINDS.has(k)) threshold = parseMoney(o.amount, `${path}.amount`, r.fail);
  else if (k === "points") threshold = r.num(o.amount, `${path}.amount`);
  else if (k === "productPurchase") threshold = r.int(o.quantity ?? 1, `${path}.quantity`, 1);
  else threshold = r.int(o.count, `${path}.count`);
  const scope = o.scope === undefined || o.scope === null ? null : parseScope(r, o.scope, `${path}.scope`);
  if (k === "productPurchase" && (!scope || scope.productIds.length + scope.collectionIds.length + scope.tags.length === 0)) {
    throw r.fail("MISSING_SCOPE", `${path}.scope`, "productPurchase needs a scope with productIds, collectionIds or tags");
  }
  if (scope && k === "points") throw r.fail("INVALID_SCOPE", `${path}.scope`, "a points condition cannot be scoped");
  return {
    kind: k,
    threshold,
    scope,
    windowDays: o.windowDays === undefined || o.windowDays === null ? null : r.int(o.windowDays, `${path}.windowDays`, 1),
    role: r.oneOf(o.role, `${path}.role`, ["upgrade", "renewal", "both"] as const, "both"),
    showProgress: r.bool(o.showProgress, `${path}.showProgress`, true),
  };
}

const SCOPE_FIELDS = ["productIds", "collectionIds", "tags", "excludeProductIds", "excludeCollectionIds", "excludeTags"] as const;

function parseScope(r: Reader, v: unknown, path: string): Scope {
  const o = r.obj(v, path);
  r.known(o, path, SCOPE_FIELDS);
  const list = (k: (typeof SCOPE_FIELDS)[number]) => (o[k] === undefined || o[k] === null ? [] : r.strList(o[k], `${path}.${k}`));
  return {
    productIds: list("productIds"),
    collectionIds: list("collectionIds"),
    tags: list("tags"),
    excludeProductIds: list("excludeProductIds"),
    excludeCollectionIds: list("excludeCollectionIds"),
    excludeTags: list("excludeTags"),
  };
}

function parseWindow(r: Reader, v: unknown, path: string): WindowSpec {
  if (v === undefined || v === null) return { kind: "lifetime" };
  const o: Obj = typeof v === "string" ? { kind: v } : r.obj(v, path);
  const kindPath = typeof v === "string" ? path : `${path}.kind`;
  switch (o.kind) {
    case "lifetime":
    case "sinceLastUpgrade":
    case "calendarYear":
      return { kind: o.kind };
    case "rolling":
      return { kind: "rolling", days: windowInt(r, o.days, `${path}.days`) };
    case "fixed": {
      const from = parseInstant(o.from, `${path}.from`, r.fail);
      const to = parseInstant(o.to, `${path}.to`, r.fail);
      if (to <= from) throw r.fail("INVALID_WINDOW", `${path}.to`, "must be after window.from (the window is [from, to))");
      return { kind: "fixed", from, to };
    }
    default:
      throw r.fail("INVALID_WINDOW", kindPath, `must be lifetime, sinceLastUpgrade, calendarYear, rolling or fixed, got ${describeValue(o.kind)}`);
  }
}

function windowInt(r: Reader, v: unknown, path: string): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1)
    throw r.fail("INVALID_WINDOW", path, `must be a whole number of days ≥ 1, got ${describeValue(v)}`);
  return v;
}

function parseValidity(r: Reader, v: unknown, path: string): Validity {
  if (v === undefined || v === null) return { kind: "permanent" };
  const o: Obj = typeof v === "string" ? { kind: v } : r.obj(v, path);
  switch (o.kind) {
    case "permanent":
    case "oneYear":
      return { kind: o.kind };
    case "days":
      return { kind: "days", days: r.int(o.days, `${path}.days`, 1) };
    default:
      throw r.fail(
        "INVALID_VALIDITY",
        typeof v === "string" ? path : `${path}.kind`,
        `must be permanent, oneYear or days, got ${describeValue(o.kind)}`,
      );
  }
}

function parseEarnRule(r: Reader, v: unknown, path: string, levelIds: Set<string>): EarnRule {
  const o = r.obj(v, path);
  r.known(o, path, ["per", "every", "points", "prorate", "levels", "scope", "excludeDiscountCodes"]);
  const per = r.oneOf(o.per, `${path}.per`, ["amount", "item"] as const, "amount");
  let every: number;
  if (per === "amount") {
    every = parseMoney(o.every ?? "1.00", `${path}.every`, r.fail);
    if (every <= 0) throw r.fail("INVALID_AMOUNT", `${path}.every`, "must be more than 0");
  } else {
    every = r.int(o.every ?? 1, `${path}.every`, 1);
  }
  let levels: string[] | null = null;
  if (o.levels !== undefined && o.levels !== null) {
    levels = r.strList(o.levels, `${path}.levels`);
    levels.forEach((id, i) => {
      if (!levelIds.has(id)) throw r.fail("UNKNOWN_LEVEL", `${path}.levels[${i}]`, `names no level of this program: "${id}"`);
    });
  }
  return {
    per,
    every,
    points: r.num(o.points, `${path}.points`),
    prorate: r.bool(o.prorate, `${path}.prorate`, true),
    levels,
    scope: o.scope === undefined || o.scope === null ? null : parseScope(r, o.scope, `${path}.scope`),
    excludeDiscountCodes: r.bool(o.excludeDiscountCodes, `${path}.excludeDiscountCodes`, false),
  };
}

/**
 * Ids and ranks unique, then the threshold rule (docs/programme-rules.md, "Thresholds and rank"):
 * - thresholds of the same kind, scope and window never fall with rank (`THRESHOLDS_NOT_RISING`);
 * - no upgrade group of a level is implied by an upgrade group of a lower level, so a higher level is never
 *   reached by what reaches only a lower one (`LEVEL_NOT_HARDER`).
 * Internal-only levels are assigned by hand and take no part; disabled levels do (they can be switched back on).
 * Only conditions that apply to upgrades count (`role: "renewal"` ones are left out, as the engine does).
 */
function checkLevelSet(r: Reader, levels: ParsedLevel[], path: string): void {
  const ids = new Map<string, number>();
  const ranks = new Map<number, number>();
  levels.forEach(({ level }, i) => {
    if (ids.has(level.id))
      throw r.fail("DUPLICATE_LEVEL_ID", `${path}.levels[${i}].id`, `"${level.id}" is already used by levels[${ids.get(level.id)}]`);
    ids.set(level.id, i);
    if (ranks.has(level.rank))
      throw r.fail("DUPLICATE_RANK", `${path}.levels[${i}].rank`, `rank ${level.rank} is already used by levels[${ranks.get(level.rank)}]`);
    ranks.set(level.rank, i);
  });

  const byRank = levels
    .filter((l) => !l.level.internalOnly)
    .sort((a, b) => a.level.rank - b.level.rank)
    .map((l) => ({ ...l, groups: upgradeGroups(l) }));
  // Per comparable threshold (kind, scope, window): the highest "lowest requirement" of the levels seen so far.
  const highestBelow = new Map<string, { value: number; id: string }>();
  byRank.forEach((higher, hi) => {
    const mins = new Map<string, { value: number; at: string }>();
    for (const group of higher.groups)
      for (const { c, at } of group.conditions) {
        const key = thresholdKey(c);
        const prev = mins.get(key);
        if (!prev || c.threshold < prev.value) mins.set(key, { value: c.threshold, at });
      }
    for (const [key, min] of mins) {
      const below = highestBelow.get(key);
      if (below && min.value < below.value) {
        const kind = key.split("/")[0] as ConditionKind;
        throw r.fail(
          "THRESHOLDS_NOT_RISING",
          min.at,
          `${kind} thresholds must rise with rank (or stay equal): "${higher.level.id}" needs ${showThreshold(kind, min.value)}, less than lower level "${below.id}" (${showThreshold(kind, below.value)})`,
        );
      }
    }
    for (const [key, min] of mins) {
      const below = highestBelow.get(key);
      if (!below || min.value > below.value) highestBelow.set(key, { value: min.value, id: higher.level.id });
    }
    // The nearest lower level first, so the message names the level a merchant compares with.
    for (let li = hi - 1; li >= 0; li--) {
      const lower = byRank[li];
      for (const hg of higher.groups)
        for (const lg of lower.groups) {
          if (!groupImplies(lg, hg)) continue;
          throw r.fail(
            "LEVEL_NOT_HARDER",
            hg.conditions[0].at,
            `"${higher.level.name}" is no harder to reach than lower level "${lower.level.name}": whoever meets "${lower.level.name}" group ${lg.index + 1} (${describeGroup(lg)}) also meets "${higher.level.name}" group ${hg.index + 1} (${describeGroup(hg)}). Raise a threshold or add a condition to "${higher.level.name}".`,
          );
        }
    }
  });
}

interface UpgradeGroup {
  /** Index in `level.upgrade`. */
  index: number;
  conditions: { c: Condition; at: string }[];
}

/** The groups the engine checks for upgrades: renewal-only conditions left out, groups left empty dropped. */
function upgradeGroups({ level, path }: ParsedLevel): UpgradeGroup[] {
  return level.upgrade
    .map((group, gi) => ({
      index: gi,
      conditions: group.flatMap((c, ci) => (c.role === "renewal" ? [] : [{ c, at: `${path}.upgrade[${gi}][${ci}].${fieldOf(c.kind)}` }])),
    }))
    .filter((g) => g.conditions.length > 0);
}

/** Thresholds are compared only with the same kind, the same scope (or none) and the same window. */
function thresholdKey(c: Condition): string {
  return `${c.kind}/${c.scope ? scopeKey(c.scope) : ""}/${c.windowDays ?? ""}`;
}

/** Canonical text of a scope: two scopes with the same key match the same lines. */
export function scopeKey(s: Scope): string {
  const part = (xs: string[]) => [...xs].sort().join(",");
  return [s.productIds, s.collectionIds, s.tags, s.excludeProductIds, s.excludeCollectionIds, s.excludeTags].map(part).join("|");
}

/** Whoever meets group `lower` meets group `higher`: each of `higher`'s conditions follows from one of `lower`'s. */
function groupImplies(lower: UpgradeGroup, higher: UpgradeGroup): boolean {
  return higher.conditions.every(({ c: h }) => lower.conditions.some(({ c: l }) => conditionImplies(l, h)));
}

/**
 * Sound, not complete: true only when a member meeting `l` meets `h` at the same instant, whatever their orders.
 * - The same measure: the same kind, or productPurchase and itemCount (both count the scope's units).
 * - `l`'s window lies inside `h`'s: the same window, or rolling windowDays no longer than `h`'s (every measure only
 *   grows with the window). The programme window and a condition's own window are never compared.
 * - The same scope, or `h` unscoped while `l` counts scoped units or orders (a scoped count never exceeds the
 *   unscoped one). Scoped spend is line value before discounts, so it may exceed counted spend: never compared.
 * - `l`'s threshold is at least `h`'s.
 */
function conditionImplies(l: Condition, h: Condition): boolean {
  const measure = (k: ConditionKind) => (k === "productPurchase" ? "itemCount" : k);
  if (measure(l.kind) !== measure(h.kind) || l.threshold < h.threshold) return false;
  const windowInside = l.windowDays === h.windowDays || (l.windowDays !== null && h.windowDays !== null && l.windowDays <= h.windowDays);
  if (!windowInside) return false;
  if (h.scope === null) return l.scope === null || measure(l.kind) === "itemCount" || l.kind === "orderCount";
  return l.scope !== null && scopeKey(l.scope) === scopeKey(h.scope);
}

function describeGroup(g: UpgradeGroup): string {
  return g.conditions
    .map(
      ({ c }) =>
        `${c.scope ? "scoped " : ""}${c.kind} ≥ ${showThreshold(c.kind, c.threshold)}${c.windowDays === null ? "" : ` in ${c.windowDays} days`}`,
    )
    .join(" and ");
}

function fieldOf(kind: ConditionKind): string {
  if (SPEND_KINDS.has(kind) || kind === "points") return "amount";
  return kind === "productPurchase" ? "quantity" : "count";
}

function showThreshold(kind: ConditionKind, v: number): string {
  if (SPEND_KINDS.has(kind)) return `${Math.floor(v / 100)}.${String(v % 100).padStart(2, "0")}`;
  return String(v);
}

export function findLevel(program: Program, id: string | null): Level | null {
  if (id === null) return null;
  for (const l of program.levels) if (l.id === id) return l;
  return null;
}
