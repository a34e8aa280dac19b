import {
  M_SPEND,
  measureOrder,
  scopedNet,
  type CompiledCondition,
  type CompiledGroup,
  type CompiledLevel,
  type CompiledProgram,
  type OrderMeasure,
  type RefundState,
} from "./compiled-program";
import type { OrderFact } from "./member-events";
import type { MemberHistory } from "./member-history";
import type { GroupMet, LevelChange, LevelChangeCause, LevelChangeReason, MeasuredCondition, MemberStatus } from "./member-outcome";
import { MetricTable } from "./metric-table";
import { fixPoints, type PointsBook } from "./points-ledger";
import type { Program } from "./program";
import { addDays, addOneYear, type Instant } from "./time";

/** A member's level at one point of a run. */
export interface LevelState {
  level: CompiledLevel | null;
  status: MemberStatus;
  /** When the current level (or, with no level, the loss of the last one) began; windows "since last upgrade" start here. */
  since: Instant | null;
  expiresAt: Instant | null;
  graceEndsAt: Instant | null;
  locked: boolean;
}

export const NO_LEVEL: LevelState = { level: null, status: "none", since: null, expiresAt: null, graceEndsAt: null, locked: false };

/**
 * The level rules of one run over a member's history (docs/programme-rules.md, rules 1–3 and 6): moving up after an order,
 * expiry, renewal, retention, grace, freeze and one-time rewards, all measured on the run's MetricTable. MemberRun
 * (evaluate-member.ts) extends it with the events: orders, refunds, manual changes and publishes.
 */
export abstract class LevelRules {
  st: LevelState = { ...NO_LEVEL };
  changes: LevelChange[] = [];

  /** The run's orders: one row each, in paid-at order, with their metric values and running totals. */
  protected readonly table: MetricTable;
  // Per table row: the order's id, the index of its orderPaid event, its measure (filled on first use) and the refunds applied to it so far.
  protected readonly orderIds: string[] = [];
  protected readonly rowEvents: number[] = [];
  protected readonly measures: (OrderMeasure | undefined)[] = [];
  protected readonly refunds: (RefundState | null)[] = [];

  constructor(
    readonly cp: CompiledProgram,
    protected readonly ctx: MemberHistory,
    /** Live run: the points ledger, also the switch for the audit trail. null in replays. */
    public book: PointsBook | null,
  ) {
    this.table = new MetricTable(ctx.cap, cp.metrics.length, cp.windows.length);
  }

  protected get program(): Program {
    return this.cp.program;
  }

  // -------------------------------------------------------------------------------------------
  // Level rules

  protected evaluateAfterOrder(at: Instant): void {
    const st = this.st;
    if (!this.program.enabled || st.locked || (st.level !== null && st.level.level.internalOnly)) return;
    const q = this.highestQualifying(at, this.cp.levels.length - 1, st.level?.idx ?? -1);
    if (q) {
      const from = st.level;
      this.st = this.fresh(q.level, at, false);
      this.reward(from?.idx ?? -1, q.level, at);
      this.record(at, "upgrade", from, () => ({ kind: "conditionsMet", met: this.groupMet(q.group, at) }));
      return;
    }
    if (st.level !== null && (st.status === "grace" || st.status === "frozen")) {
      const g = this.firstHolding(st.level.renewalGroups, at);
      if (g) this.renew(at, "renewal", () => ({ kind: "conditionsMet", met: this.groupMet(g, at) }));
    }
  }

  protected highestQualifying(at: Instant, maxIdx: number, aboveIdx = -1): { level: CompiledLevel; group: CompiledGroup } | null {
    const levels = this.cp.levels;
    for (let idx = maxIdx; idx > aboveIdx; idx--) {
      const l = levels[idx];
      if (!l.automatic) continue;
      const g = this.firstHolding(l.upgradeGroups, at);
      if (g) return { level: l, group: g };
    }
    return null;
  }

  protected fresh(level: CompiledLevel, at: Instant, lock: boolean): LevelState {
    const fixed = lock || level.level.internalOnly;
    return { level, status: "active", since: at, expiresAt: fixed ? null : this.validityEnd(at), graceEndsAt: null, locked: lock };
  }

  protected validityEnd(at: Instant): Instant | null {
    const v = this.program.validity;
    return v.kind === "permanent" ? null : v.kind === "oneYear" ? addOneYear(at) : addDays(at, v.days);
  }

  protected renew(at: Instant, cause: LevelChangeCause, reason: () => LevelChangeReason, expiresAt = this.validityEnd(at)): void {
    const level = this.st.level;
    this.st = { level, status: "active", since: at, expiresAt, graceEndsAt: null, locked: this.st.locked };
    this.record(at, cause, level, reason);
  }

  /** One-time rewards for every level passed on the way up to `to` (each once per member). */
  protected reward(fromIdx: number, to: CompiledLevel, at: Instant, grant = true): void {
    const book = this.book;
    if (!book) return;
    for (let idx = fromIdx + 1; idx <= to.idx; idx++) {
      const l = this.cp.levels[idx];
      if (l !== to && (!l.level.enabled || l.level.internalOnly)) continue;
      if (book.reached.has(l.id)) continue;
      if (grant && this.ctx.grantRewards) book.grant(l.id, at, l.level.upgradePoints, this.program.points.expiryDays);
      else book.reached.add(l.id);
    }
  }

  /** Next due time-based event: expiry (active) or grace end. Frozen, locked and internal-only members have none. */
  protected levelTimer(): number {
    const st = this.st;
    if (st.level === null || st.locked || st.level.level.internalOnly) return Infinity;
    if (st.status === "active") return st.expiresAt ?? Infinity;
    if (st.status === "grace") return st.graceEndsAt ?? Infinity;
    return Infinity;
  }

  /** Processes time-based events due before `bound` (or at it, when inclusive), in time order. */
  advance(bound: Instant, inclusive: boolean): void {
    for (;;) {
      const lt = this.levelTimer();
      const pt = this.book ? this.book.nextExpiry() : Infinity;
      const t = Math.min(lt, pt);
      if (!(t < bound || (inclusive && t === bound))) return;
      if (pt <= lt) this.book!.expireNext();
      else if (this.st.status === "active") this.onExpiry(lt);
      else this.lapse(lt, "grace");
    }
  }

  /** Rule 3 (docs/programme-rules.md): at levelExpiresAt, renew, retain, start grace, or lapse. */
  protected onExpiry(at: Instant): void {
    const level = this.st.level!;
    const g = this.firstHolding(level.renewalGroups, at);
    if (g) {
      this.renew(at, "renewal", () => ({ kind: "conditionsMet", met: this.groupMet(g, at) }));
      return;
    }
    const retention = this.program.retention;
    const retain = level.level.retainAmount;
    if (retention && retain !== null) {
      const actual = this.spendAfter(this.st.since, at);
      if (actual >= retain) {
        this.renew(
          at,
          "retention",
          () => ({ kind: "retained", actual, required: retain, extendDays: retention.extendDays }),
          addDays(at, retention.extendDays),
        );
        return;
      }
    }
    const graceDays = this.program.graceDays;
    if (graceDays > 0) {
      this.st = { ...this.st, status: "grace", graceEndsAt: addDays(at, graceDays) };
      this.record(at, "expiry", level, () => ({ kind: "expired", expiredAt: at, graceDays, met: null }));
      return;
    }
    this.lapse(at, "expiry");
  }

  /** Expiry without renewal (or grace ended): freeze, or take the level that qualifies now. */
  protected lapse(at: Instant, cause: "expiry" | "grace"): void {
    const from = this.st.level!;
    if (this.program.onExpiry === "freeze") {
      const expiredAt = this.st.expiresAt ?? at;
      this.st = { ...this.st, status: "frozen", graceEndsAt: null };
      this.record(at, "freeze", from, () => ({ kind: "frozen", expiredAt }));
      return;
    }
    const q = this.highestQualifying(at, this.cp.levels.length - 1);
    this.st = q ? this.fresh(q.level, at, false) : { ...NO_LEVEL, since: at };
    if (q) this.reward(from.idx, q.level, at);
    this.record(at, cause, from, () => {
      const met = q ? this.groupMet(q.group, at) : null;
      return cause === "grace" ? { kind: "graceEnded", graceEndsAt: at, met } : { kind: "expired", expiredAt: at, graceDays: 0, met };
    });
  }

  protected record(at: Instant, cause: LevelChangeCause, from: CompiledLevel | null, reason: () => LevelChangeReason): void {
    if (!this.book) return;
    const to = this.st.level;
    this.changes.push({
      at,
      from: from?.id ?? null,
      to: to?.id ?? null,
      fromName: from?.level.name ?? null,
      toName: to?.level.name ?? null,
      cause,
      status: this.st.status,
      levelExpiresAt: this.st.expiresAt,
      reason: reason(),
    });
  }

  // -------------------------------------------------------------------------------------------
  // Measuring

  /** Locates every window's orders at `at` for the member's current level start. */
  protected prepare(at: Instant): void {
    this.table.locateWindows(this.cp.windows, at, this.st.since);
  }

  /** A condition's measured value at the prepared instant. */
  protected value(c: CompiledCondition): number {
    return this.table.windowTotal(c.metric, c.window);
  }

  protected firstHolding(groups: CompiledGroup[], at: Instant): CompiledGroup | null {
    if (groups.length === 0) return null;
    this.prepare(at);
    for (const g of groups) {
      let ok = true;
      for (const c of g.conditions) {
        if (this.value(c) + 1e-9 < c.threshold) {
          ok = false;
          break;
        }
      }
      if (ok) return g;
    }
    return null;
  }

  protected metFor(groups: CompiledGroup[], at: Instant): GroupMet | null {
    const g = this.firstHolding(groups, at);
    return g ? this.groupMet(g, at) : null;
  }

  protected groupMet(g: CompiledGroup, at: Instant): GroupMet {
    this.prepare(at);
    const conditions: MeasuredCondition[] = g.conditions.map((c) => ({
      kind: c.kind,
      actual: c.kind === "singleOrder" ? this.largestOrder(c) : c.kind === "points" ? fixPoints(this.value(c)) : this.value(c),
      required: c.source.threshold,
      scoped: c.scoped,
      window: this.cp.windows[c.window].label,
    }));
    return { group: g.index + 1, groupIndex: g.index, set: g.set, conditions };
  }

  /**
   * The largest counted (or scoped) spend of one order inside the condition's window, net of refunds; among the
   * orders that reach the amount unless `all` (progress toward it).
   */
  protected largestOrder(c: CompiledCondition, all = false): number {
    let best = 0;
    const table = this.table;
    const def = this.cp.metrics[c.metric];
    for (let k = table.windowFirst(c.window); k < table.windowEnd(c.window); k++) {
      if (!all && table.value(k, c.metric) === 0) continue;
      const v = def.scope < 0 ? table.value(k, M_SPEND) : scopedNet(this.cp.scopes[def.scope], this.measureOf(k).order, this.refunds[k])[0];
      if (v > best) best = v;
    }
    return best;
  }

  /** The measure of event `i` (an orderPaid) under the run's program, shared by every run with the same measureKey. */
  protected measure(i: number): OrderMeasure {
    let list = this.ctx.measures.get(this.cp.measureKey);
    if (!list) {
      list = new Array(this.ctx.events.length);
      this.ctx.measures.set(this.cp.measureKey, list);
    }
    const e = this.ctx.events[i] as { at: Instant; order: OrderFact };
    return (list[i] ??= measureOrder(this.cp, e.order, e.at));
  }

  /** Table row `k`'s measure (a run restored from a checkpoint measures its rows only when one is read). */
  protected measureOf(k: number): OrderMeasure {
    return (this.measures[k] ??= this.measure(this.rowEvents[k]));
  }

  /** Counted spend of orders paid strictly after `since` (retention). */
  protected spendAfter(since: Instant | null, at: Instant): number {
    this.prepare(at);
    const table = this.table;
    const first = since === null ? 0 : table.firstRowPaidAfter(since);
    return table.total(M_SPEND, first, table.rowCount);
  }
}
