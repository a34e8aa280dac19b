import {
  addRefund,
  compileProgram,
  fillMetrics,
  measureOrder,
  zeros,
  M_POINTS,
  M_SPEND,
  newRefundState,
  refundedCounted,
  refundedItems,
  scopedNet,
  type CompiledCondition,
  type CompiledGroup,
  type CompiledLevel,
  type CompiledProgram,
  type OrderMeasure,
  type RefundState,
} from "./compiled-program";
import type { MemberEvent, OrderFact } from "./member-events";
import type { GroupMet, LevelChange, LevelChangeCause, LevelChangeReason, MeasuredCondition, MemberOutcome, MemberStatus } from "./member-outcome";
import { fixPoints, orderPoints, PointsBook, roundPoints } from "./points-ledger";
import type { Program } from "./program";
import { nextLevelOf } from "./progress";
import { addDays, addOneYear, DAY_MS, startOfUtcYear, type Instant } from "./time";

export interface EvaluateOptions {
  /** false for backfill/import: no one-time rewards (upgrade points). Default true. */
  grantRewards?: boolean;
}

/**
 * Folds one member's facts into their level, points and audit trail at `asOf` (scenario-format.md rules 0–8).
 * Events may come in any order: they are sorted stably by `at`; events after `asOf` are ignored.
 */
export function evaluateMember(program: Program, events: MemberEvent[], asOf: Instant, options: EvaluateOptions = {}): MemberOutcome {
  const run = simulate(program, events, asOf, { ledger: true, grantRewards: options.grantRewards ?? true });
  return run.outcome(asOf);
}

interface SimulateOptions {
  /** Keep the points ledger and audit trail; without it points earned count as 0 (fine when no condition uses points). */
  ledger: boolean;
  grantRewards: boolean;
}

/** Runs a member's history up to and including `asOf`. Used by evaluateMember and previewDiff. */
export function simulate(program: Program, events: MemberEvent[], asOf: Instant, opts: SimulateOptions): MemberRun {
  const ctx = newContext(sortEvents(events, asOf), opts.grantRewards);
  let run = new MemberRun(compileProgram(program), ctx, {
    book: opts.ledger ? new PointsBook() : null,
    pointsOf: opts.ledger ? null : new Map(),
    pre: null,
    honorPublishes: true,
  });
  const evs = ctx.events;
  for (let i = 0; i < evs.length; i++) {
    run.advance(evs[i].at, false);
    run = run.apply(i);
  }
  run.advance(asOf, true);
  return run;
}

/** Stable sort by `at` (ties keep their order), dropping events after `asOf`. Returns the input when it needs neither. */
export function sortEvents(events: MemberEvent[], asOf: Instant): MemberEvent[] {
  let sorted = true;
  let late = false;
  for (let i = 0; i < events.length; i++) {
    if (i > 0 && events[i].at < events[i - 1].at) sorted = false;
    if (events[i].at > asOf) late = true;
  }
  let out = sorted ? events : events.slice().sort((a, b) => a.at - b.at);
  if (late) out = out.filter((e) => e.at <= asOf);
  return out;
}

interface Context {
  events: MemberEvent[];
  grantRewards: boolean;
  /** Number of orderPaid events: the most orders a run can hold. */
  cap: number;
  /** Order id → index of its (first) orderPaid event; built on the first refund replay. */
  orderAt: Map<string, number> | null;
  /** Order id → its slot (0, 1, … in order of first payment): runs keep per-order state in arrays indexed by slot. */
  slots: Map<string, number>;
  /** Per CompiledProgram.measureKey: each orderPaid event's measure (by event index), computed on first use. */
  measures: Map<string, (OrderMeasure | undefined)[]>;
}

function newContext(events: MemberEvent[], grantRewards: boolean): Context {
  let cap = 0;
  const slots = new Map<string, number>();
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    if (e.type !== "orderPaid") continue;
    cap++;
    if (!slots.has(e.order.id)) slots.set(e.order.id, slots.size);
  }
  return { events, grantRewards, cap, orderAt: null, slots, measures: new Map() };
}

function orderIndex(ctx: Context): Map<string, number> {
  if (ctx.orderAt) return ctx.orderAt;
  const orderAt = new Map<string, number>();
  ctx.events.forEach((e, i) => {
    if (e.type === "orderPaid" && !orderAt.has(e.order.id)) orderAt.set(e.order.id, i);
  });
  return (ctx.orderAt = orderAt);
}

interface LevelState {
  level: CompiledLevel | null;
  status: MemberStatus;
  /** When the current level (or, with no level, the loss of the last one) began; windows "since last upgrade" start here. */
  since: Instant | null;
  expiresAt: Instant | null;
  graceEndsAt: Instant | null;
  locked: boolean;
}

const NO_LEVEL: LevelState = { level: null, status: "none", since: null, expiresAt: null, graceEndsAt: null, locked: false };

interface RunMode {
  /** Live run: writes the ledger and the audit trail. null in replays. */
  book: PointsBook | null;
  /** Replays: each order's net points earned, taken from the live ledger (points are facts, never re-earned). */
  pointsOf: Map<string, number> | null;
  /** Refund replays: refunds/cancellations applied to their orders from the start ("never bought"). */
  pre: Map<string, RefundState> | null;
  /** Only the live run switches programs at publishProgram; replays run one program from the start. */
  honorPublishes: boolean;
}

/**
 * One pass over a member's history under one compiled program. Keeps, per processed order, a row of metric
 * values (counted spend, units, orders, points, scoped values…) and prefix sums of them, so any window's
 * total is two lookups after a binary search on the paid-at column.
 */
export class MemberRun {
  st: LevelState = { ...NO_LEVEL };
  changes: LevelChange[] = [];
  book: PointsBook | null;
  private pointsOf: Map<string, number> | null;
  private readonly pre: Map<string, RefundState> | null;
  private honorPublishes: boolean;

  private n = 0;
  private readonly nm: number;
  /**
   * One allocation per run (a plain array: typed arrays cost far more to allocate, and a member has a run per published
   * version and per refund replay): [paid-at of each order | metric values, one row of nm per order | prefix sums, one row
   * per order + 1]. Offsets: paid-at 0, values `vo`, sums `so`.
   */
  private readonly buf: number[];
  private readonly vo: number;
  private readonly so: number;
  private readonly ids: string[] = [];
  private readonly ms: OrderMeasure[] = [];
  private readonly rs: (RefundState | null)[] = [];
  /** Per order slot (Context.slots): the order's row k, or -1 before it is paid (an array: cheaper than a Map per run). */
  private readonly pos: number[];
  private pending: Map<string, number[]> | null = null;
  /** Index of the event being applied (a deferred refund is processed while its order's event is applied). */
  private cursor = -1;

  // Window index ranges, cached per (time, levelSince, orders seen).
  private readonly lo: number[];
  private readonly hi: number[];
  private rT = NaN;
  private rSince: number | null = NaN;
  private rN = -1;

  constructor(
    readonly cp: CompiledProgram,
    private readonly ctx: Context,
    mode: RunMode,
  ) {
    this.book = mode.book;
    this.pointsOf = mode.pointsOf;
    this.pre = mode.pre;
    this.honorPublishes = mode.honorPublishes;
    const nm = (this.nm = cp.metrics.length);
    this.vo = ctx.cap;
    this.so = ctx.cap + ctx.cap * nm;
    this.buf = zeros(this.so + (ctx.cap + 1) * nm);
    this.lo = new Array<number>(cp.windows.length).fill(0);
    this.hi = new Array<number>(cp.windows.length).fill(0);
    this.pos = [];
    for (let i = 0; i < ctx.slots.size; i++) this.pos.push(-1);
  }

  private get program(): Program {
    return this.cp.program;
  }

  // -------------------------------------------------------------------------------------------
  // Events

  /** Applies event `i`; returns the run to continue with (a publish switches to a new one). */
  apply(i: number): MemberRun {
    this.cursor = i;
    const e = this.ctx.events[i];
    switch (e.type) {
      case "orderPaid":
        this.onOrder(i, e.order, e.at);
        return this;
      case "refund":
      case "orderCancelled":
        if (this.pre === null) this.onRefund(i, e.at);
        return this;
      case "manualAssign":
        this.onManual(e.at, e.level, e.lock, e.rewards ?? true);
        return this;
      case "pointsAdjust":
        this.book?.adjust(e.key, e.at, e.points, e.note, this.program.points.expiryDays);
        return this;
      case "publishProgram":
        return this.honorPublishes ? this.switchProgram(e.program, e.at, i) : this;
    }
  }

  private measure(i: number, order: OrderFact, at: Instant): OrderMeasure {
    let list = this.ctx.measures.get(this.cp.measureKey);
    if (!list) {
      list = new Array(this.ctx.events.length);
      this.ctx.measures.set(this.cp.measureKey, list);
    }
    return (list[i] ??= measureOrder(this.cp, order, at));
  }

  private onOrder(i: number, order: OrderFact, at: Instant): void {
    const slot = this.ctx.slots.get(order.id)!;
    if (this.pos[slot] >= 0) return; // the same order paid twice: idempotent
    const k = this.n++;
    const nm = this.nm;
    const m = this.measure(i, order, at);
    const buf = this.buf;
    buf[k] = at;
    this.ids.push(order.id);
    this.ms.push(m);
    this.pos[slot] = k;
    const rs = this.pre?.get(order.id) ?? null;
    this.rs.push(rs);
    const off = this.vo + k * nm;
    if (rs !== null && this.program.downgradeOnRefund) fillMetrics(this.cp, m, rs, buf, off);
    else for (let j = 0; j < nm; j++) buf[off + j] = m.base[j];
    if (this.book) {
      const pts = orderPoints(this.cp, m, this.st.level?.id ?? null);
      this.book.earn(order.id, at, pts, this.program.points.expiryDays);
      buf[off + M_POINTS] = pts;
    } else if (this.pointsOf) {
      buf[off + M_POINTS] = this.pointsOf.get(order.id) ?? 0;
    }
    const s0 = this.so + k * nm;
    for (let j = 0; j < nm; j++) buf[s0 + nm + j] = buf[s0 + j] + buf[off + j];

    this.evaluateAfterOrder(at);

    const waiting = this.pending?.get(order.id);
    if (waiting) {
      this.pending!.delete(order.id);
      for (const idx of waiting) this.onRefund(idx, at);
    }
  }

  /** A refund or cancellation (event `i`), processed at `at` (later than the event when its order came after it). */
  private onRefund(i: number, at: Instant): void {
    const e = this.ctx.events[i];
    if (e.type !== "refund" && e.type !== "orderCancelled") return;
    const slot = this.ctx.slots.get(e.orderId);
    const k = slot === undefined ? -1 : this.pos[slot];
    if (k < 0) {
      // The order is not known yet (facts may arrive out of order): apply when it is paid, or never.
      this.pending ??= new Map();
      const list = this.pending.get(e.orderId);
      if (list) list.push(i);
      else this.pending.set(e.orderId, [i]);
      return;
    }
    const m = this.ms[k];
    const rs = (this.rs[k] ??= newRefundState());
    if (e.type === "refund") {
      if (!addRefund(rs, m.order, e.refund)) return;
    } else {
      if (rs.cancelled) return;
      rs.cancelled = true;
    }

    const row = this.buf.slice(this.vo + k * this.nm, this.vo + (k + 1) * this.nm);
    if (this.book) {
      const earned = this.book.earnedBy(e.orderId);
      let owed: number;
      if (e.type === "orderCancelled") {
        owed = this.book.reverse(e.orderId, `cancel:${e.orderId}`, "cancel", at, earned);
      } else {
        const share = m.counted > 0 ? refundedCounted(m, rs) / m.counted : m.items > 0 ? refundedItems(m, rs) / m.items : 0;
        const target = roundPoints(earned * share, this.program.points.rounding);
        owed = this.book.reverse(e.orderId, `reverse:${e.refund.id}`, "refund", at, target);
      }
      row[M_POINTS] = fixPoints(row[M_POINTS] - owed);
    }
    if (this.program.downgradeOnRefund) fillMetrics(this.cp, m, rs, row);
    this.setRow(k, row);

    if (!this.program.downgradeOnRefund || !this.program.enabled) return;
    const st = this.st;
    if (st.locked || st.level === null || st.level.level.internalOnly) return;
    // Rule 2: replay history as if the refunded part had never been bought; take that level if it is lower.
    const replay = this.replayUpTo(Math.max(i, this.cursor), at);
    const target = replay.st;
    if ((target.level?.idx ?? -1) >= st.level.idx) return;
    const from = st.level;
    this.st = { ...target };
    const cause: LevelChangeCause = e.type === "refund" ? "refund" : "cancel";
    this.record(at, cause, from, () => {
      const met = this.st.level ? this.metFor(this.st.level.upgradeGroups, at) : null;
      return e.type === "refund"
        ? { kind: "refund", orderId: e.orderId, refundId: e.refund.id, met }
        : { kind: "cancellation", orderId: e.orderId, met };
    });
  }

  private setRow(k: number, row: number[]): void {
    const nm = this.nm;
    const buf = this.buf;
    const off = this.vo + k * nm;
    for (let j = 0; j < nm; j++) {
      const delta = row[j] - buf[off + j];
      if (delta === 0) continue;
      buf[off + j] = row[j];
      for (let r = k + 1; r <= this.n; r++) buf[this.so + r * nm + j] += delta;
    }
  }

  /** The same program replayed over events[0..i] with every refund/cancellation among them applied from the start. */
  private replayUpTo(i: number, at: Instant): MemberRun {
    const evs = this.ctx.events;
    const orderAt = orderIndex(this.ctx);
    const pre = new Map<string, RefundState>();
    for (let j = 0; j <= i; j++) {
      const e = evs[j];
      if (e.type !== "refund" && e.type !== "orderCancelled") continue;
      const oi = orderAt.get(e.orderId);
      if (oi === undefined || oi > i) continue;
      let rs = pre.get(e.orderId);
      if (!rs) pre.set(e.orderId, (rs = newRefundState()));
      if (e.type === "refund") addRefund(rs, (evs[oi] as { order: OrderFact }).order, e.refund);
      else rs.cancelled = true;
    }
    const r = new MemberRun(this.cp, this.ctx, { book: null, pointsOf: this.pointsSnapshot(this.cp), pre, honorPublishes: false });
    for (let j = 0; j <= i; j++) {
      r.advance(evs[j].at, false);
      r.apply(j);
    }
    r.advance(at, false);
    return r;
  }

  /** Each order's net points earned so far, for a replay under `cp` (empty when no condition of `cp` measures points). */
  private pointsSnapshot(cp: CompiledProgram): Map<string, number> {
    const snap = new Map<string, number>();
    if (!cp.usesPoints) return snap;
    for (let k = 0; k < this.n; k++) snap.set(this.ids[k], this.buf[this.vo + k * this.nm + M_POINTS]);
    return snap;
  }

  private onManual(at: Instant, levelId: string | null, lock: boolean, rewards: boolean): void {
    if (!this.program.enabled) return;
    const from = this.st.level;
    if (levelId === null) {
      this.st = { ...NO_LEVEL, since: at, locked: lock };
      this.record(at, "manual", from, () => ({ kind: "manual", lock }));
      return;
    }
    const target = this.cp.byId.get(levelId);
    if (!target) return; // not a level of this program (e.g. removed by a later publish)
    if (!target.level.enabled) {
      // Rule 6: a disabled level is never held; fall to the next enabled level that qualifies.
      const q = this.highestQualifying(at, target.idx - 1);
      this.st = q ? this.fresh(q.level, at, lock) : { ...NO_LEVEL, since: at, locked: lock };
      this.record(at, "disabled", from, () => ({ kind: "levelDisabled", level: levelId, met: q ? this.groupMet(q.group, at) : null }));
      return;
    }
    this.st = this.fresh(target, at, lock);
    this.reward(from?.idx ?? -1, target, at, rewards);
    this.record(at, "manual", from, () => ({ kind: "manual", lock }));
  }

  /** The run as if `program` were published at `at`, after every event (previewDiff's "what if"). */
  publishReplay(program: Program, at: Instant): MemberRun {
    const r = this.switchProgram(program, at, this.ctx.events.length);
    r.advance(at, true);
    return r;
  }

  /**
   * Rule 7: replays events[0..i) under the new rules from the start and continues with that state from `at`
   * (ledger, rewards and audit trail carried over: points already earned stay, no rewards for the recalculation).
   */
  private switchProgram(program: Program, at: Instant, i: number): MemberRun {
    const cp = compileProgram(program);
    const r = new MemberRun(cp, this.ctx, { book: null, pointsOf: this.pointsSnapshot(cp), pre: null, honorPublishes: false });
    const evs = this.ctx.events;
    for (let j = 0; j < i; j++) {
      r.advance(evs[j].at, false);
      r.apply(j);
    }
    r.advance(at, false);
    r.book = this.book;
    r.pointsOf = null;
    r.honorPublishes = true;
    r.changes = this.changes;
    const before = this.st;
    const after = r.st;
    const beforeId = before.level?.id ?? null;
    if (beforeId !== (after.level?.id ?? null) || before.status !== after.status) {
      const disabled = beforeId !== null && cp.byId.get(beforeId)?.level.enabled !== true;
      r.record(at, disabled ? "disabled" : "publish", before.level, () => {
        const met = after.level ? r.metFor(after.level.upgradeGroups, at) : null;
        return disabled ? { kind: "levelDisabled", level: beforeId!, met } : { kind: "published", met };
      });
    }
    // No one-time rewards for levels reached only because of the recalculation.
    if (r.book && after.level) for (let idx = 0; idx <= after.level.idx; idx++) r.book.reached.add(cp.levels[idx].id);
    return r;
  }

  // -------------------------------------------------------------------------------------------
  // Level rules

  private evaluateAfterOrder(at: Instant): void {
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

  private highestQualifying(at: Instant, maxIdx: number, aboveIdx = -1): { level: CompiledLevel; group: CompiledGroup } | null {
    const levels = this.cp.levels;
    for (let idx = maxIdx; idx > aboveIdx; idx--) {
      const l = levels[idx];
      if (!l.automatic) continue;
      const g = this.firstHolding(l.upgradeGroups, at);
      if (g) return { level: l, group: g };
    }
    return null;
  }

  private fresh(level: CompiledLevel, at: Instant, lock: boolean): LevelState {
    const fixed = lock || level.level.internalOnly;
    return { level, status: "active", since: at, expiresAt: fixed ? null : this.validityEnd(at), graceEndsAt: null, locked: lock };
  }

  private validityEnd(at: Instant): Instant | null {
    const v = this.program.validity;
    return v.kind === "permanent" ? null : v.kind === "oneYear" ? addOneYear(at) : addDays(at, v.days);
  }

  private renew(at: Instant, cause: LevelChangeCause, reason: () => LevelChangeReason, expiresAt = this.validityEnd(at)): void {
    const level = this.st.level;
    this.st = { level, status: "active", since: at, expiresAt, graceEndsAt: null, locked: this.st.locked };
    this.record(at, cause, level, reason);
  }

  /** One-time rewards for every level passed on the way up to `to` (each once per member). */
  private reward(fromIdx: number, to: CompiledLevel, at: Instant, grant = true): void {
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
  private levelTimer(): number {
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

  /** Rule 3: at levelExpiresAt, renew, retain, start grace, or lapse. */
  private onExpiry(at: Instant): void {
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
        this.renew(at, "retention", () => ({ kind: "retained", actual, required: retain, extendDays: retention.extendDays }), addDays(at, retention.extendDays));
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
  private lapse(at: Instant, cause: "expiry" | "grace"): void {
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

  private record(at: Instant, cause: LevelChangeCause, from: CompiledLevel | null, reason: () => LevelChangeReason): void {
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

  private prepare(at: Instant): void {
    const since = this.st.since;
    if (at === this.rT && since === this.rSince && this.n === this.rN) return;
    this.rT = at;
    this.rSince = since;
    this.rN = this.n;
    const ws = this.cp.windows;
    for (let w = 0; w < ws.length; w++) {
      const spec = ws[w].spec;
      let a = 0;
      let b = this.n;
      switch (spec.kind) {
        case "lifetime":
          break;
        case "sinceLastUpgrade":
          if (since !== null) a = this.firstAfter(since);
          break;
        case "calendarYear":
          a = this.firstAtOrAfter(startOfUtcYear(at));
          break;
        case "rolling":
          a = this.firstAfter(at - spec.days * DAY_MS);
          break;
        case "fixed":
          a = this.firstAtOrAfter(spec.from);
          b = Math.max(a, this.firstAtOrAfter(spec.to));
          break;
      }
      this.lo[w] = a;
      this.hi[w] = b;
    }
  }

  private firstAtOrAfter(t: number): number {
    let a = 0;
    let b = this.n;
    const p = this.buf;
    while (a < b) {
      const mid = (a + b) >>> 1;
      if (p[mid] < t) a = mid + 1;
      else b = mid;
    }
    return a;
  }

  private firstAfter(t: number): number {
    let a = 0;
    let b = this.n;
    const p = this.buf;
    while (a < b) {
      const mid = (a + b) >>> 1;
      if (p[mid] <= t) a = mid + 1;
      else b = mid;
    }
    return a;
  }

  private sum(metric: number, lo: number, hi: number): number {
    const nm = this.nm;
    return this.buf[this.so + hi * nm + metric] - this.buf[this.so + lo * nm + metric];
  }

  /** A condition's measured value at the prepared instant. */
  private value(c: CompiledCondition): number {
    return this.sum(c.metric, this.lo[c.window], this.hi[c.window]);
  }

  private firstHolding(groups: CompiledGroup[], at: Instant): CompiledGroup | null {
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

  private metFor(groups: CompiledGroup[], at: Instant): GroupMet | null {
    const g = this.firstHolding(groups, at);
    return g ? this.groupMet(g, at) : null;
  }

  private groupMet(g: CompiledGroup, at: Instant): GroupMet {
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

  /** The largest counted (or scoped) spend of one order inside the condition's window, net of refunds. */
  private largestOrder(c: CompiledCondition): number {
    let best = 0;
    const def = this.cp.metrics[c.metric];
    for (let k = this.lo[c.window]; k < this.hi[c.window]; k++) {
      const row = this.vo + k * this.nm;
      if (this.buf[row + c.metric] === 0) continue;
      const v = def.scope < 0 ? this.buf[row + M_SPEND] : scopedNet(this.cp.scopes[def.scope], this.ms[k].order, this.rs[k])[0];
      if (v > best) best = v;
    }
    return best;
  }

  /** Counted spend of orders paid strictly after `since` (retention). */
  private spendAfter(since: Instant | null, at: Instant): number {
    this.prepare(at);
    const lo = since === null ? 0 : this.firstAfter(since);
    return this.sum(M_SPEND, lo, this.n);
  }

  /** The member's state at `asOf` (after advance(asOf, true)). */
  outcome(asOf: Instant): MemberOutcome {
    const st = this.st;
    const enabled = this.program.enabled;
    this.prepare(asOf);
    const spend = this.sum(M_SPEND, this.lo[0], this.hi[0]);
    const pointsEarned = fixPoints(this.sum(M_POINTS, this.lo[0], this.hi[0]));
    const level = enabled ? st.level : null;
    return {
      level: level?.id ?? null,
      status: level ? st.status : "none",
      levelSince: level ? st.since : null,
      levelExpiresAt: level ? st.expiresAt : null,
      graceEndsAt: level && st.status === "grace" ? st.graceEndsAt : null,
      locked: st.locked,
      points: this.book ? this.book.balance : 0,
      pointsEarned,
      spend,
      next: enabled ? nextLevelOf(this.cp, level, (c) => this.value(c)) : null,
      ledger: this.book ? this.book.entries : [],
      levelChanges: this.changes,
    };
  }
}
