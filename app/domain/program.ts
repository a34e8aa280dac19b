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
    expiryDays: pointsRaw.expiryDays === undefined || pointsRaw.expiryDays === null ? null : r.int(pointsRaw.expiryDays, `${path}.points.expiryDays`, 1),
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
    if (group.length === 0) throw r.fail("EMPTY_GROUP", `${path}[${gi}]`, "a condition group needs at least one condition (an empty group would always hold)");
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
  if (scope && (k === "points")) throw r.fail("INVALID_SCOPE", `${path}.scope`, "a points condition cannot be scoped");
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
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1) throw r.fail("INVALID_WINDOW", path, `must be a whole number of days ≥ 1, got ${describeValue(v)}`);
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
      throw r.fail("INVALID_VALIDITY", typeof v === "string" ? path : `${path}.kind`, `must be permanent, oneYear or days, got ${describeValue(o.kind)}`);
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

/** Ids and ranks unique; thresholds of the same kind rise with rank. */
function checkLevelSet(r: Reader, levels: ParsedLevel[], path: string): void {
  const ids = new Map<string, number>();
  const ranks = new Map<number, number>();
  levels.forEach(({ level }, i) => {
    if (ids.has(level.id)) throw r.fail("DUPLICATE_LEVEL_ID", `${path}.levels[${i}].id`, `"${level.id}" is already used by levels[${ids.get(level.id)}]`);
    ids.set(level.id, i);
    if (ranks.has(level.rank)) throw r.fail("DUPLICATE_RANK", `${path}.levels[${i}].rank`, `rank ${level.rank} is already used by levels[${ranks.get(level.rank)}]`);
    ranks.set(level.rank, i);
  });

  // For each comparable threshold (same kind, unscoped, same windowDays), a level's lowest requirement
  // must exceed the highest lowest-requirement of every level ranked below it.
  const byRank = levels.map((l, i) => ({ ...l, i })).filter((l) => !l.level.internalOnly).sort((a, b) => a.level.rank - b.level.rank);
  const highestBelow = new Map<string, { value: number; id: string }>();
  for (const { level, path: lpath } of byRank) {
    const mins = new Map<string, { value: number; at: string }>();
    level.upgrade.forEach((group, gi) =>
      group.forEach((c, ci) => {
        if (c.scope || c.role === "renewal") return;
        const key = `${c.kind}/${c.windowDays ?? ""}`;
        const prev = mins.get(key);
        if (!prev || c.threshold < prev.value) mins.set(key, { value: c.threshold, at: `${lpath}.upgrade[${gi}][${ci}].${fieldOf(c.kind)}` });
      }),
    );
    for (const [key, min] of mins) {
      const below = highestBelow.get(key);
      if (below && min.value <= below.value) {
        const kind = key.split("/")[0] as ConditionKind;
        throw r.fail(
          "THRESHOLDS_NOT_RISING",
          min.at,
          `${kind} thresholds must rise with rank: "${level.id}" needs ${showThreshold(kind, min.value)}, not more than lower level "${below.id}" (${showThreshold(kind, below.value)})`,
        );
      }
    }
    for (const [key, min] of mins) {
      const below = highestBelow.get(key);
      if (!below || min.value > below.value) highestBelow.set(key, { value: min.value, id: level.id });
    }
  }
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
