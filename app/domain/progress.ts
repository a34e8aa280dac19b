import { compileProgram, type CompiledCondition, type CompiledLevel, type CompiledProgram } from "./compiled-program";
import type { MemberOutcome, NextLevel, RequirementProgress } from "./member-outcome";
import type { Program } from "./program";

/**
 * Rule 8 (docs/programme-rules.md, "Progress" and "The rules the engine follows"): the next enabled, non-internal level above `current` (the lowest such level for a member without one),
 * with the smallest spend still missing among its unscoped accumulatedSpend conditions (and likewise points for
 * points conditions). `measure` gives a condition's value in its own window (the program window unless the
 * condition has `windowDays`). Conditions with `showProgress: false` are left out.
 *
 * `requirements`: the conditions of the next level's group closest to being met (see closestGroup), each with
 * what the member has now. `largestOrder` gives a singleOrder condition's largest counted order in its window;
 * without it, an order that reaches the amount counts as the amount and none as 0.
 */
export function nextLevelOf(
  cp: CompiledProgram,
  current: CompiledLevel | null,
  measure: (c: CompiledCondition) => number,
  largestOrder?: (c: CompiledCondition) => number,
): NextLevel | null {
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
  const requirements = closestGroup(next, (c) => currentOf(c, measure, largestOrder));
  return requirements === null ? { level: next.id, remaining } : { level: next.id, remaining, requirements };
}

/** What the member has toward a condition, in the condition's own units (minor units for the spend kinds). */
function currentOf(c: CompiledCondition, measure: (c: CompiledCondition) => number, largestOrder?: (c: CompiledCondition) => number): number {
  if (c.kind !== "singleOrder") return c.kind === "points" ? Math.round(measure(c) * 10_000) / 10_000 : measure(c);
  if (largestOrder) return largestOrder(c);
  return measure(c) >= 1 ? c.source.threshold : 0;
}

/**
 * The upgrade group closest to being met: the highest mean of min(1, current / threshold) over all its conditions
 * (hidden ones too: they still decide whether the group holds); the first such group on a tie. Its visible
 * conditions, in the merchant's order; null when the level has no upgrade group.
 */
export function closestGroup(level: CompiledLevel, currentOf: (c: CompiledCondition) => number): RequirementProgress[] | null {
  let best: RequirementProgress[] | null = null;
  let bestScore = -1;
  for (const g of level.upgradeGroups) {
    let sum = 0;
    const measured: RequirementProgress[] = [];
    for (const c of g.conditions) {
      const threshold = c.source.threshold;
      const now = currentOf(c);
      sum += threshold > 0 ? Math.min(1, Math.max(0, now) / threshold) : 1;
      if (c.source.showProgress) measured.push({ kind: c.kind, threshold, current: now, windowDays: c.source.windowDays, scoped: c.scoped });
    }
    const score = g.conditions.length ? sum / g.conditions.length : 0;
    if (score > bestScore + 1e-12) {
      bestScore = score;
      best = measured;
    }
  }
  return best;
}

/**
 * Rule 8 (docs/programme-rules.md) from a stored outcome: every condition is measured with the outcome's window totals
 * (`spend`, `pointsEarned`), which is exact unless a condition has its own `windowDays`. Without `requirements`:
 * counts and single orders are not in the totals.
 */
export function progressToNext(
  program: Program,
  outcome: Pick<MemberOutcome, "level" | "spend"> & Partial<Pick<MemberOutcome, "pointsEarned">>,
): NextLevel | null {
  const cp = compileProgram(program);
  if (!program.enabled) return null;
  const current = outcome.level === null ? null : (cp.byId.get(outcome.level) ?? null);
  const next = nextLevelOf(cp, current, (c) => (c.kind === "points" ? (outcome.pointsEarned ?? 0) : outcome.spend));
  // Only spend and points are known from window totals: no per-condition requirements.
  return next && { level: next.level, remaining: next.remaining };
}
