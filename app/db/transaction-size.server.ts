/**
 * How many rows the next transaction takes so it lasts about `targetMs`, from the last one (`ms` for `rows` rows),
 * kept within [min, max]. On SQLite a transaction holds the only write lock, which the web process's webhook inserts
 * wait for: the drainer's groups and the recalculation's chunks are sized this way, on a quiet machine or a busy one.
 */
export function rowsForTime(last: { ms: number; rows: number }, targetMs: number, bounds: { min: number; max: number }): number {
  const perRow = Math.max(last.ms / last.rows, 0.01);
  return Math.max(bounds.min, Math.min(bounds.max, Math.floor(targetMs / perRow)));
}
