import { compileProgram, type CompiledCondition, type CompiledLevel, type CompiledProgram } from "./compiled-program";
import type { MemberOutcome, NextLevel } from "./member-outcome";
import type { Program } from "./program";

/**
 * Rule 8: the next enabled, non-internal level above `current` (the lowest such level for a member without one),
 * with the smallest spend still missing among its unscoped accumulatedSpend conditions (and likewise points for
 * points conditions). `measure` gives a condition's value in its own window (the program window unless the
 * condition has `windowDays`). Conditions with `showProgress: false` are left out.
 */
export function nextLevelOf(cp: CompiledProgram, current: CompiledLevel | null, measure: (c: CompiledCondition) => number): NextLevel | null {
  const levels = cp.levels;
  let next: CompiledLevel | null = null;
  for (let idx = current ? current.idx + 1 : 0; idx < levels.length; idx++) {
    const l = levels[idx].level;
    if (l.enabled && !l.internalOnly) {
      next = levels[idx];
      break;
    }
  }
  if (!next) return null;
  let spend: number | undefined;
  let points: number | undefined;
  for (const g of next.upgradeGroups) {
    for (const c of g.conditions) {
      if (c.scoped || !c.source.showProgress) continue;
      if (c.kind === "accumulatedSpend") {
        const missing = Math.max(0, c.threshold - measure(c));
        if (spend === undefined || missing < spend) spend = missing;
      } else if (c.kind === "points") {
        const missing = Math.max(0, Math.round((c.threshold - measure(c)) * 10_000) / 10_000);
        if (points === undefined || missing < points) points = missing;
      }
    }
  }
  const remaining: NextLevel["remaining"] = {};
  if (spend !== undefined) remaining.spend = spend;
  if (points !== undefined) remaining.points = points;
  return { level: next.id, remaining };
}

/**
 * Rule 8 from a stored outcome: every condition is measured with the outcome's window totals
 * (`spend`, `pointsEarned`), which is exact unless a condition has its own `windowDays`.
 */
export function progressToNext(program: Program, outcome: Pick<MemberOutcome, "level" | "spend"> & Partial<Pick<MemberOutcome, "pointsEarned">>): NextLevel | null {
  const cp = compileProgram(program);
  if (!program.enabled) return null;
  const current = outcome.level === null ? null : (cp.byId.get(outcome.level) ?? null);
  return nextLevelOf(cp, current, (c) => (c.kind === "points" ? (outcome.pointsEarned ?? 0) : outcome.spend));
}
