import type { OrderFact, OrderLine } from "./member-events";
import { scopeKey, type Condition, type ConditionKind, type Level, type Program, type Scope, type WindowSpec } from "./program";
import { formatDate, type Instant } from "./time";

/**
 * A program prepared for fast evaluation: every condition points at a per-order metric (a column of numbers
 * that the evaluator keeps prefix sums of) and at a window. Compiled once per Program object.
 */
export interface CompiledProgram {
  program: Program;
  levels: CompiledLevel[];
  byId: Map<string, CompiledLevel>;
  metrics: MetricDef[];
  scopes: ScopeMatcher[];
  windows: CompiledWindow[];
  /** Some condition measures points earned: the evaluator then needs per-order points. */
  usesPoints: boolean;
  /** Per earn rule: index into `scopes`, or -1. */
  earnScopes: number[];
  /**
   * Equal for programs whose per-order measures (measureOrder) are equal: the same metrics, scopes, spend base,
   * start and channels. Thresholds, levels and points rules may differ, so a member's history replayed under each
   * published version measures every order once, not once per version.
   */
  measureKey: string;
}

export interface CompiledLevel {
  level: Level;
  id: string;
  /** Position in `levels` (rank order, 0 = lowest). */
  idx: number;
  /** Enabled, not internal-only and has upgrade groups: can be reached automatically. */
  automatic: boolean;
  upgradeGroups: CompiledGroup[];
  renewalGroups: CompiledGroup[];
}

export interface CompiledGroup {
  /** 0-based index of the group in the level's `upgrade` or `renewal` list. */
  index: number;
  set: "upgrade" | "renewal";
  conditions: CompiledCondition[];
}

export interface CompiledCondition {
  kind: ConditionKind;
  threshold: number;
  metric: number;
  window: number;
  scoped: boolean;
  source: Condition;
}

export type MetricKind = "spend" | "items" | "orders" | "points" | "scopedSpend" | "scopedItems" | "scopedOrders" | "singleOrder";

export interface MetricDef {
  kind: MetricKind;
  /** Index into `scopes`, or -1. */
  scope: number;
  /** singleOrder: the amount one order must reach. */
  amount: number;
}

/** Fixed metric slots present in every compiled program. */
export const M_SPEND = 0;
export const M_ITEMS = 1;
export const M_ORDERS = 2;
export const M_POINTS = 3;

export interface CompiledWindow {
  spec: WindowSpec;
  label: string;
}

export interface ScopeMatcher {
  matches(line: OrderLine): boolean;
}

const cache = new WeakMap<Program, CompiledProgram>();

export function compileProgram(program: Program): CompiledProgram {
  const hit = cache.get(program);
  if (hit) return hit;

  const metrics: MetricDef[] = [
    { kind: "spend", scope: -1, amount: 0 },
    { kind: "items", scope: -1, amount: 0 },
    { kind: "orders", scope: -1, amount: 0 },
    { kind: "points", scope: -1, amount: 0 },
  ];
  const metricKeys = new Map<string, number>();
  const scopes: ScopeMatcher[] = [];
  const scopeKeys = new Map<string, number>();
  const windows: CompiledWindow[] = [{ spec: program.window, label: windowLabel(program.window) }];
  const windowKeys = new Map<number, number>();
  let usesPoints = false;

  const scopeIndex = (s: Scope): number => {
    const key = scopeKey(s);
    let i = scopeKeys.get(key);
    if (i === undefined) {
      i = scopes.length;
      scopes.push(scopeMatcher(s));
      scopeKeys.set(key, i);
    }
    return i;
  };
  const metricIndex = (kind: MetricKind, scope: number, amount: number): number => {
    const key = `${kind}/${scope}/${amount}`;
    let i = metricKeys.get(key);
    if (i === undefined) {
      i = metrics.length;
      metrics.push({ kind, scope, amount });
      metricKeys.set(key, i);
    }
    return i;
  };
  const windowIndex = (days: number | null): number => {
    if (days === null) return 0;
    let i = windowKeys.get(days);
    if (i === undefined) {
      i = windows.length;
      const spec: WindowSpec = { kind: "rolling", days };
      windows.push({ spec, label: windowLabel(spec) });
      windowKeys.set(days, i);
    }
    return i;
  };

  const compileCondition = (c: Condition): CompiledCondition => {
    const s = c.scope ? scopeIndex(c.scope) : -1;
    let metric: number;
    switch (c.kind) {
      case "accumulatedSpend":
        metric = s < 0 ? M_SPEND : metricIndex("scopedSpend", s, 0);
        break;
      case "singleOrder":
        metric = metricIndex("singleOrder", s, c.threshold);
        break;
      case "orderCount":
        metric = s < 0 ? M_ORDERS : metricIndex("scopedOrders", s, 0);
        break;
      case "itemCount":
      case "productPurchase":
        metric = s < 0 ? M_ITEMS : metricIndex("scopedItems", s, 0);
        break;
      case "points":
        metric = M_POINTS;
        usesPoints = true;
        break;
    }
    // singleOrder is measured as "number of orders in the window that reach the amount" ≥ 1.
    const threshold = c.kind === "singleOrder" ? 1 : c.threshold;
    return { kind: c.kind, threshold, metric, window: windowIndex(c.windowDays), scoped: s >= 0, source: c };
  };

  const compileGroups = (groups: Condition[][], set: "upgrade" | "renewal", skipRole: Condition["role"]): CompiledGroup[] =>
    groups
      .map((g, index) => ({ index, set, conditions: g.filter((c) => c.role !== skipRole).map(compileCondition) }))
      .filter((g) => g.conditions.length > 0);

  const levels: CompiledLevel[] = program.levels.map((level, idx) => {
    const upgradeGroups = compileGroups(level.upgrade, "upgrade", "renewal");
    const renewalGroups = level.renewal ? compileGroups(level.renewal, "renewal", "upgrade") : compileGroups(level.upgrade, "upgrade", "upgrade");
    return {
      level,
      id: level.id,
      idx,
      automatic: level.enabled && !level.internalOnly && upgradeGroups.length > 0,
      upgradeGroups,
      renewalGroups,
    };
  });
  const earnScopes = program.points.earn.map((rule) => (rule.scope ? scopeIndex(rule.scope) : -1));
  const measureKey = JSON.stringify([program.activeFrom, program.channels, program.spend, metrics, [...scopeKeys.keys()]]);

  const compiled: CompiledProgram = {
    program,
    levels,
    byId: new Map(levels.map((l) => [l.id, l])),
    metrics,
    scopes,
    windows,
    usesPoints,
    earnScopes,
    measureKey,
  };
  cache.set(program, compiled);
  return compiled;
}

/** Included when no include list is given or any include list matches; then excluded when any exclude list matches. */
function scopeMatcher(s: Scope): ScopeMatcher {
  const pid = new Set(s.productIds);
  const col = new Set(s.collectionIds);
  const tag = new Set(s.tags);
  const xpid = new Set(s.excludeProductIds);
  const xcol = new Set(s.excludeCollectionIds);
  const xtag = new Set(s.excludeTags);
  const hasInclude = pid.size + col.size + tag.size > 0;
  const any = (set: Set<string>, xs: string[]) => {
    if (set.size === 0) return false;
    for (const x of xs) if (set.has(x)) return true;
    return false;
  };
  return {
    matches(line) {
      const included = !hasInclude || pid.has(line.productId) || any(col, line.collectionIds) || any(tag, line.tags);
      if (!included) return false;
      return !(xpid.has(line.productId) || any(xcol, line.collectionIds) || any(xtag, line.tags));
    },
  };
}

export function windowLabel(w: WindowSpec): string {
  switch (w.kind) {
    case "lifetime":
      return "lifetime";
    case "sinceLastUpgrade":
      return "since last upgrade";
    case "calendarYear":
      return "calendar year";
    case "rolling":
      return `rolling ${w.days} days`;
    case "fixed":
      return `${formatDate(w.from)}..${formatDate(w.to)}`;
  }
}

// ---------------------------------------------------------------------------------------------
// Per-order measures

/** What one paid order contributes under a program, before refunds. Computed once per (program, order). */
export interface OrderMeasure {
  order: OrderFact;
  /** Paid at/after activeFrom and in a participating channel. */
  participates: boolean;
  /** Counts toward orderCount: participates and is not gift-cards only. */
  counts: boolean;
  /** Counted spend (see README: base, exclusions, gift cards subtracted). */
  counted: number;
  /** Σ price × quantity of non-gift-card lines. */
  lineValue: number;
  items: number;
  /** Metric values before refunds (points slot left 0). */
  base: number[];
}

export function countedSpend(program: Program, order: OrderFact): number {
  let gift = 0;
  for (const l of order.lines) if (l.giftCard) gift += l.price * l.quantity;
  let base: number;
  if (program.spend.base === "subtotal") base = order.subtotal;
  else base = order.total - (program.spend.excludeShipping ? order.shipping : 0) - (program.spend.excludeTaxes ? order.tax : 0);
  return Math.max(0, base - gift);
}

export function measureOrder(cp: CompiledProgram, order: OrderFact, paidAt: Instant): OrderMeasure {
  const p = cp.program;
  const participates =
    (p.activeFrom === null || paidAt >= p.activeFrom) && (p.channels === null || order.channel === undefined || p.channels.includes(order.channel));
  const base = zeros(cp.metrics.length);
  let lineValue = 0;
  let items = 0;
  let nonGiftLines = 0;
  for (const l of order.lines) {
    if (l.giftCard) continue;
    nonGiftLines++;
    lineValue += l.price * l.quantity;
    items += l.quantity;
  }
  const counted = countedSpend(p, order);
  const m: OrderMeasure = {
    order,
    participates,
    counts: participates && (order.lines.length === 0 || nonGiftLines > 0),
    counted,
    lineValue,
    items,
    base,
  };
  if (participates) fillMetrics(cp, m, null, base);
  return m;
}

/** `n` zeros in a plain array of numbers, allocated once at its size (small typed arrays are costly to allocate). */
export function zeros(n: number): number[] {
  return new Array<number>(n).fill(0);
}

/** Refunds and cancellation applied to one order so far. */
export interface RefundState {
  ids: Set<string>;
  /** Refunded units per line id (clamped to the line's quantity). */
  qty: Map<string, number>;
  /** Σ amounts of refunds given without lines. */
  amountOnly: number;
  /** Σ amounts of refunds given with lines (used only when the order's lines carry no prices). */
  lineAmount: number;
  cancelled: boolean;
}

export function newRefundState(): RefundState {
  return { ids: new Set(), qty: new Map(), amountOnly: 0, lineAmount: 0, cancelled: false };
}

/** Records a refund in `rs`; false when this refund id was already applied (idempotent). */
export function addRefund(
  rs: RefundState,
  order: OrderFact,
  refund: { id: string; amount: number; lines: { lineId: string; quantity: number }[] },
): boolean {
  if (rs.ids.has(refund.id)) return false;
  rs.ids.add(refund.id);
  if (refund.lines.length === 0) {
    rs.amountOnly += refund.amount;
    return true;
  }
  rs.lineAmount += refund.amount;
  for (const rl of refund.lines) {
    const line = order.lines.find((l) => l.id === rl.lineId);
    if (!line) continue;
    const prev = rs.qty.get(line.id) ?? 0;
    rs.qty.set(line.id, Math.min(line.quantity, prev + rl.quantity));
  }
  return true;
}

/** Counted spend taken back by the refunds in `rs` (≤ the order's counted spend). */
export function refundedCounted(m: OrderMeasure, rs: RefundState): number {
  if (rs.cancelled) return m.counted;
  let refundedLineValue = 0;
  for (const l of m.order.lines) {
    if (l.giftCard) continue;
    const q = rs.qty.get(l.id);
    if (q) refundedLineValue += q * l.price;
  }
  const total = m.order.total;
  const amountShare = (amount: number) => (amount === 0 ? 0 : total > 0 ? Math.round((amount * m.counted) / total) : amount);
  // Lines say which goods came back; their share of the counted spend is what is taken back. Orders whose
  // lines carry no prices fall back to the refunded amount's share of the total.
  const lineShare = m.lineValue > 0 ? Math.round((refundedLineValue * m.counted) / m.lineValue) : amountShare(rs.lineAmount);
  return Math.min(m.counted, lineShare + amountShare(rs.amountOnly));
}

/** Units taken back (non-gift-card lines). */
export function refundedItems(m: OrderMeasure, rs: RefundState): number {
  if (rs.cancelled) return m.items;
  let n = 0;
  for (const l of m.order.lines) if (!l.giftCard) n += rs.qty.get(l.id) ?? 0;
  return n;
}

/**
 * Writes the order's metric values (points slot untouched) into `out`, as if the refunded part had never been bought.
 * A cancelled order, or one whose counted spend was refunded in full, contributes nothing at all.
 */
export function fillMetrics(cp: CompiledProgram, m: OrderMeasure, rs: RefundState | null, out: number[], offset = 0): void {
  const metrics = cp.metrics;
  const refunded = rs !== null && (rs.cancelled || rs.ids.size > 0);
  const netSpend = refunded ? m.counted - refundedCounted(m, rs) : m.counted;
  const netItems = refunded ? m.items - refundedItems(m, rs) : m.items;
  const voided = !m.participates || (refunded && (rs.cancelled || (netSpend <= 0 && (m.counted > 0 || netItems <= 0))));
  for (let i = 0; i < metrics.length; i++) {
    if (i === M_POINTS) continue;
    if (voided) {
      out[offset + i] = 0;
      continue;
    }
    const def = metrics[i];
    switch (def.kind) {
      case "spend":
        out[offset + i] = netSpend;
        break;
      case "items":
        out[offset + i] = netItems;
        break;
      case "orders":
        out[offset + i] = m.counts ? 1 : 0;
        break;
      case "scopedSpend":
      case "scopedItems":
      case "scopedOrders": {
        const [spend, qty] = scopedNet(cp.scopes[def.scope], m.order, refunded ? rs : null);
        out[offset + i] = def.kind === "scopedSpend" ? spend : def.kind === "scopedItems" ? qty : qty > 0 ? 1 : 0;
        break;
      }
      case "singleOrder": {
        const spend = def.scope < 0 ? netSpend : scopedNet(cp.scopes[def.scope], m.order, refunded ? rs : null)[0];
        out[offset + i] = spend >= def.amount ? 1 : 0;
        break;
      }
      case "points":
        break;
    }
  }
}

/** [scoped line subtotal, scoped units] of an order's non-gift-card lines, net of refunded units. */
export function scopedNet(scope: ScopeMatcher, order: OrderFact, rs: RefundState | null): [number, number] {
  let spend = 0;
  let qty = 0;
  for (const l of order.lines) {
    if (l.giftCard || !scope.matches(l)) continue;
    const q = l.quantity - (rs ? (rs.qty.get(l.id) ?? 0) : 0);
    spend += q * l.price;
    qty += q;
  }
  return [spend, qty];
}
