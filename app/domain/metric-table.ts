import { zeros, type CompiledWindow } from "./compiled-program";
import { DAY_MS, startOfUtcYear, type Instant } from "./time";

/** A MetricTable's rows: paid-at per row, values row-major, running totals (one more row than values) unless all values are integers. */
export interface MetricTableState {
  paidAt: number[];
  values: number[];
  totals?: number[];
}

/**
 * The orders of one member run as a table: one row per paid order, in the order they were paid; one column per metric
 * of the compiled program (counted spend, units, orders, points earned, scoped values…: `CompiledProgram.metrics`);
 * and the running total of every column. Any window's total of a metric is then two lookups after a binary search on
 * the paid-at column, whatever the window (docs/programme-rules.md, "How the engine evaluates").
 *
 * Rows are appended in paid-at order (events are sorted by time), which is what the binary searches rely on.
 */
export class MetricTable {
  /** Rows filled so far: the orders paid in the run. */
  rowCount = 0;
  /** Columns per row (`CompiledProgram.metrics.length`). */
  readonly metricCount: number;
  /**
   * Everything in one plain array allocated once per run (typed arrays cost far more to allocate, and a member has a
   * run per published version and per refund replay), in three parts:
   * - paid-at: row r's paid-at instant at `r`;
   * - values: row r's metric m at `valuesStart + r × metricCount + m`;
   * - running totals: the sum of rows [0, r) of metric m at `totalsStart + r × metricCount + m` (one more row than values).
   */
  private readonly cells: number[];
  private readonly valuesStart: number;
  private readonly totalsStart: number;

  /** Rows [windowFirstRow[w], windowEndRow[w]) fall inside window w at the instant given to the last `locateWindows`. */
  private readonly windowFirstRow: number[];
  private readonly windowEndRow: number[];
  // What the window rows were located for: they stay valid while instant, level start and row count are unchanged.
  private locatedAt = NaN;
  private locatedLevelSince: Instant | null = NaN;
  private locatedRowCount = -1;

  /** `capacity`: the most orders the run can hold; `windowCount`: `CompiledProgram.windows.length`. */
  constructor(capacity: number, metricCount: number, windowCount: number) {
    this.metricCount = metricCount;
    this.valuesStart = capacity;
    this.totalsStart = capacity + capacity * metricCount;
    this.cells = zeros(this.totalsStart + (capacity + 1) * metricCount);
    this.windowFirstRow = new Array<number>(windowCount).fill(0);
    this.windowEndRow = new Array<number>(windowCount).fill(0);
  }

  // -------------------------------------------------------------------------------------------
  // Writing

  /**
   * Appends a row for an order paid at `paidAt` and returns its index. Write its values with `setValues`/`setValue`,
   * then call `closeRow` once to extend the running totals.
   */
  appendRow(paidAt: Instant): number {
    const row = this.rowCount++;
    this.cells[row] = paidAt;
    return row;
  }

  /** Sets the values of a row that is not closed yet (`values[m]` for metric m). */
  setValues(row: number, values: number[]): void {
    const count = this.metricCount;
    const start = this.valuesStart + row * count;
    for (let m = 0; m < count; m++) this.cells[start + m] = values[m];
  }

  /** Sets one value of a row that is not closed yet. */
  setValue(row: number, metric: number, value: number): void {
    this.cells[this.valuesStart + row * this.metricCount + metric] = value;
  }

  /** Running totals through the last appended row (call once per appended row, after writing its values). */
  closeRow(row: number): void {
    const count = this.metricCount;
    const cells = this.cells;
    const values = this.valuesStart + row * count;
    const totals = this.totalsStart + row * count;
    for (let m = 0; m < count; m++) cells[totals + count + m] = cells[totals + m] + cells[values + m];
  }

  /** Replaces a closed row's values (a refund rewrote the order) and shifts the running totals after it. */
  replaceRow(row: number, values: number[]): void {
    const count = this.metricCount;
    const cells = this.cells;
    const start = this.valuesStart + row * count;
    for (let m = 0; m < count; m++) {
      const delta = values[m] - cells[start + m];
      if (delta === 0) continue;
      cells[start + m] = values[m];
      for (let r = row + 1; r <= this.rowCount; r++) cells[this.totalsStart + r * count + m] += delta;
    }
  }

  /**
   * The rows and running totals as plain numbers (a member checkpoint: app/domain/checkpoint.ts). The totals are left
   * out when every value is an integer: their sums are then exact in any order and `restore` recomputes them.
   */
  toState(): MetricTableState {
    const count = this.metricCount;
    const rows = this.rowCount;
    const values = this.cells.slice(this.valuesStart, this.valuesStart + rows * count);
    const state: MetricTableState = { paidAt: this.cells.slice(0, rows), values };
    if (!values.every(Number.isInteger)) state.totals = this.cells.slice(this.totalsStart, this.totalsStart + (rows + 1) * count);
    return state;
  }

  /** Fills an empty table (with enough capacity) from `toState`: the same cells, so the same sums to the last bit. */
  restore(state: MetricTableState): void {
    const rows = state.paidAt.length;
    if (this.rowCount !== 0 || this.valuesStart < rows) throw new Error("MetricTable.restore: table not empty or too small");
    const cells = this.cells;
    for (let r = 0; r < rows; r++) cells[r] = state.paidAt[r];
    for (let k = 0; k < state.values.length; k++) cells[this.valuesStart + k] = state.values[k];
    this.rowCount = rows;
    if (state.totals) for (let k = 0; k < state.totals.length; k++) cells[this.totalsStart + k] = state.totals[k];
    else for (let r = 0; r < rows; r++) this.closeRow(r);
  }

  // -------------------------------------------------------------------------------------------
  // Reading

  value(row: number, metric: number): number {
    return this.cells[this.valuesStart + row * this.metricCount + metric];
  }

  /** A copy of a row's values. */
  rowValues(row: number): number[] {
    const start = this.valuesStart + row * this.metricCount;
    return this.cells.slice(start, start + this.metricCount);
  }

  /** Sum of one metric over rows [firstRow, endRow). */
  total(metric: number, firstRow: number, endRow: number): number {
    const count = this.metricCount;
    return this.cells[this.totalsStart + endRow * count + metric] - this.cells[this.totalsStart + firstRow * count + metric];
  }

  /** The first row paid at or after `t` (`rowCount` when none). */
  firstRowPaidAtOrAfter(t: Instant): number {
    return this.firstRowPaid(t, false);
  }

  /** The first row paid strictly after `t` (`rowCount` when none). */
  firstRowPaidAfter(t: Instant): number {
    return this.firstRowPaid(t, true);
  }

  /** Binary search over the rows' payment times, which ascend. */
  private firstRowPaid(t: Instant, strictlyAfter: boolean): number {
    let a = 0;
    let b = this.rowCount;
    const paidAt = this.cells;
    while (a < b) {
      const mid = (a + b) >>> 1;
      if (paidAt[mid] < t || (strictlyAfter && paidAt[mid] === t)) a = mid + 1;
      else b = mid;
    }
    return a;
  }

  // -------------------------------------------------------------------------------------------
  // Windows

  /**
   * Finds the rows inside each window at instant `at` for a member whose level began at `levelSince` (rule 0's
   * boundaries: rolling (T − N days, T], fixed [from, to), calendar year from 1 January UTC, since last upgrade
   * strictly after `levelSince`). Cached: a repeat call with the same arguments and no new row does nothing.
   */
  locateWindows(windows: CompiledWindow[], at: Instant, levelSince: Instant | null): void {
    if (at === this.locatedAt && levelSince === this.locatedLevelSince && this.rowCount === this.locatedRowCount) return;
    this.locatedAt = at;
    this.locatedLevelSince = levelSince;
    this.locatedRowCount = this.rowCount;
    for (let w = 0; w < windows.length; w++) {
      const spec = windows[w].spec;
      let first = 0;
      let end = this.rowCount;
      switch (spec.kind) {
        case "lifetime":
          break;
        case "sinceLastUpgrade":
          if (levelSince !== null) first = this.firstRowPaidAfter(levelSince);
          break;
        case "calendarYear":
          first = this.firstRowPaidAtOrAfter(startOfUtcYear(at));
          break;
        case "rolling":
          first = this.firstRowPaidAfter(at - spec.days * DAY_MS);
          break;
        case "fixed":
          first = this.firstRowPaidAtOrAfter(spec.from);
          end = Math.max(first, this.firstRowPaidAtOrAfter(spec.to));
          break;
      }
      this.windowFirstRow[w] = first;
      this.windowEndRow[w] = end;
    }
  }

  /** Sum of one metric over the rows inside window `w` (located by the last `locateWindows`). */
  windowTotal(metric: number, w: number): number {
    return this.total(metric, this.windowFirstRow[w], this.windowEndRow[w]);
  }

  /** First row inside window `w` (located by the last `locateWindows`). */
  windowFirst(w: number): number {
    return this.windowFirstRow[w];
  }

  /** One past the last row inside window `w` (located by the last `locateWindows`). */
  windowEnd(w: number): number {
    return this.windowEndRow[w];
  }
}
