import {
  addRefund,
  compileProgram,
  fillMetrics,
  M_POINTS,
  M_SPEND,
  newRefundState,
  refundedCounted,
  refundedItems,
  type CompiledProgram,
  type RefundState,
} from "./compiled-program";
import { LevelRules, NO_LEVEL, type LevelState } from "./level-rules";
import type { MemberEvent, OrderFact } from "./member-events";
import { memberHistory, orderIndex, sortEvents, type MemberHistory } from "./member-history";
import type { LevelChange, LevelChangeCause, MemberOutcome } from "./member-outcome";
import type { MetricTableState } from "./metric-table";
import { fixPoints, orderPoints, PointsBook, roundPoints, type PointsBookState } from "./points-ledger";
import type { Program } from "./program";
import { nextLevelOf } from "./progress";
import type { Instant } from "./time";

export interface EvaluateOptions {
  /** false for backfill/import: no one-time rewards (upgrade points). Default true. */
  grantRewards?: boolean;
}

/**
 * Folds one member's facts into their level, points and audit trail at `asOf` (docs/programme-rules.md, rules 0–8).
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
  const ctx = memberHistory(sortEvents(events, asOf), opts.grantRewards);
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

/** A live MemberRun between two events as plain JSON-safe data (times in epoch ms; see app/domain/checkpoint.ts). */
export interface MemberRunState {
  st: {
    level: string | null;
    status: LevelState["status"];
    since: Instant | null;
    expiresAt: Instant | null;
    graceEndsAt: Instant | null;
    locked: boolean;
  };
  changes: LevelChange[];
  table: MetricTableState;
  /** Per table row: the index of its orderPaid event in the member's sorted history (which names the order). */
  rowEvents: number[];
  /** The rows with refunds applied: [row, refund state]. */
  refunds: [number, { ids: string[]; qty: [string, number][]; amountOnly: number; lineAmount: number; cancelled: boolean }][];
  /** Refunds waiting for their order: order id → event indices. */
  pending: [string, number[]][];
  book: PointsBookState;
}

function refundStates(refunds: (RefundState | null)[]): MemberRunState["refunds"] {
  const out: MemberRunState["refunds"] = [];
  refunds.forEach((rs, k) => {
    if (rs) out.push([k, { ids: [...rs.ids], qty: [...rs.qty], amountOnly: rs.amountOnly, lineAmount: rs.lineAmount, cancelled: rs.cancelled }]);
  });
  return out;
}

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
 * One pass over a member's history under one compiled program. Each paid order becomes a row of the run's
 * MetricTable (counted spend, units, orders, points, scoped values…), which gives any window's totals.
 */
export class MemberRun extends LevelRules {
  private pointsOf: Map<string, number> | null;
  private readonly pre: Map<string, RefundState> | null;
  private honorPublishes: boolean;

  /** Per order slot (Context.slots): the order's table row, or -1 before it is paid (an array: cheaper than a Map per run). */
  private readonly pos: number[];
  private pending: Map<string, number[]> | null = null;
  /** Index of the event being applied (a deferred refund is processed while its order's event is applied). */
  private cursor = -1;

  constructor(cp: CompiledProgram, ctx: MemberHistory, mode: RunMode) {
    super(cp, ctx, mode.book);
    this.pointsOf = mode.pointsOf;
    this.pre = mode.pre;
    this.honorPublishes = mode.honorPublishes;
    this.pos = [];
    for (let i = 0; i < ctx.slots.size; i++) this.pos.push(-1);
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

  private onOrder(i: number, order: OrderFact, at: Instant): void {
    const slot = this.ctx.slots.get(order.id)!;
    if (this.pos[slot] >= 0) return; // the same order paid twice: idempotent
    const m = this.measure(i);
    const table = this.table;
    const row = table.appendRow(at);
    this.orderIds.push(order.id);
    this.rowEvents.push(i);
    this.measures.push(m);
    this.pos[slot] = row;
    const rs = this.pre?.get(order.id) ?? null;
    this.refunds.push(rs);
    if (rs !== null && this.program.downgradeOnRefund) {
      const values = new Array<number>(table.metricCount).fill(0);
      fillMetrics(this.cp, m, rs, values);
      table.setValues(row, values);
    } else table.setValues(row, m.base);
    if (this.book) {
      const pts = orderPoints(this.cp, m, this.st.level?.id ?? null);
      this.book.earn(order.id, at, pts, this.program.points.expiryDays);
      table.setValue(row, M_POINTS, pts);
    } else if (this.pointsOf) {
      table.setValue(row, M_POINTS, this.pointsOf.get(order.id) ?? 0);
    }
    table.closeRow(row);

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
    const m = this.measureOf(k);
    const rs = (this.refunds[k] ??= newRefundState());
    if (e.type === "refund") {
      if (!addRefund(rs, m.order, e.refund)) return;
    } else {
      if (rs.cancelled) return;
      rs.cancelled = true;
    }

    const row = this.table.rowValues(k);
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
    this.table.replaceRow(k, row);

    if (!this.program.downgradeOnRefund || !this.program.enabled) return;
    const st = this.st;
    if (st.locked || st.level === null || st.level.level.internalOnly) return;
    // Rule 2 (docs/programme-rules.md): replay history as if the refunded part had never been bought; take that level if it is lower.
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
    for (let k = 0; k < this.table.rowCount; k++) snap.set(this.orderIds[k], this.table.value(k, M_POINTS));
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
      // Rule 6 (docs/programme-rules.md): a disabled level is never held; fall to the next enabled level that qualifies.
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
   * Rule 7 (docs/programme-rules.md): replays events[0..i) under the new rules from the start and continues with that state from `at`
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
  // Checkpoints (app/domain/checkpoint.ts)

  /** A new live run (ledger and audit trail kept, publishes honoured): the run evaluateMember folds. */
  static live(cp: CompiledProgram, ctx: MemberHistory): MemberRun {
    return new MemberRun(cp, ctx, { book: new PointsBook(), pointsOf: null, pre: null, honorPublishes: true });
  }

  /** This live run's state between two events, as plain data that shares nothing mutable with the run. */
  state(): MemberRunState {
    if (!this.book || !this.honorPublishes || this.pre !== null) throw new Error("MemberRun.state: only a live run has a checkpoint");
    const st = this.st;
    return {
      st: {
        level: st.level?.id ?? null,
        status: st.status,
        since: st.since,
        expiresAt: st.expiresAt,
        graceEndsAt: st.graceEndsAt,
        locked: st.locked,
      },
      changes: this.changes.slice(),
      table: this.table.toState(),
      rowEvents: this.rowEvents.slice(),
      refunds: refundStates(this.refunds),
      pending: this.pending ? [...this.pending].map(([id, list]) => [id, list.slice()]) : [],
      book: this.book.toState(),
    };
  }

  /** The live run `state()` described, under `cp` (the program in force after the same events) over the same history. */
  static resume(cp: CompiledProgram, ctx: MemberHistory, state: MemberRunState): MemberRun {
    const run = new MemberRun(cp, ctx, { book: PointsBook.fromState(state.book), pointsOf: null, pre: null, honorPublishes: true });
    const s = state.st;
    const level = s.level === null ? null : cp.byId.get(s.level);
    if (level === undefined) throw new Error(`MemberRun.resume: level ${s.level} is not in the program`);
    run.st = { level, status: s.status, since: s.since, expiresAt: s.expiresAt, graceEndsAt: s.graceEndsAt, locked: s.locked };
    run.changes = state.changes.slice();
    run.table.restore(state.table);
    for (let k = 0; k < state.rowEvents.length; k++) {
      const e = ctx.events[state.rowEvents[k]];
      if (e?.type !== "orderPaid") throw new Error(`MemberRun.resume: event ${state.rowEvents[k]} is not an order`);
      run.orderIds.push(e.order.id);
      run.rowEvents.push(state.rowEvents[k]);
      run.measures.push(undefined);
      run.refunds.push(null);
      run.pos[ctx.slots.get(e.order.id)!] = k;
    }
    for (const [k, rs] of state.refunds)
      run.refunds[k] = { ids: new Set(rs.ids), qty: new Map(rs.qty), amountOnly: rs.amountOnly, lineAmount: rs.lineAmount, cancelled: rs.cancelled };
    if (state.pending.length) run.pending = new Map(state.pending.map(([id, list]) => [id, list.slice()]));
    return run;
  }

  /** The member's state at `asOf` (after advance(asOf, true)). */
  outcome(asOf: Instant): MemberOutcome {
    const st = this.st;
    const enabled = this.program.enabled;
    this.prepare(asOf);
    // Window 0 is the programme window.
    const spend = this.table.windowTotal(M_SPEND, 0);
    const pointsEarned = fixPoints(this.table.windowTotal(M_POINTS, 0));
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
      next: enabled
        ? nextLevelOf(
            this.cp,
            level,
            (c) => this.value(c),
            (c) => this.largestOrder(c, true),
          )
        : null,
      ledger: this.book ? this.book.entries : [],
      levelChanges: this.changes,
    };
  }
}
