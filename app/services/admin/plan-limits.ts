// How many levels a shop may define on its Tierline plan. The cap counts every level, enabled or not,
// because a disabled level still holds members and can be switched back on at any time.

export const PLAN_LEVEL_CAPS: Record<string, { label: string; maxLevels: number }> = {
  basic: { label: "Basic", maxLevels: 3 },
  growth: { label: "Growth", maxLevels: 5 },
  pro: { label: "Pro", maxLevels: 5 },
  plus: { label: "Plus", maxLevels: 10 },
};

/** `override` is the shop's own cap (a support grant), which wins over the plan's. */
export function levelCap(plan: string | null | undefined, override?: number | null): { plan: string; label: string; maxLevels: number } {
  const key = (plan ?? "basic").toLowerCase();
  const found = PLAN_LEVEL_CAPS[key] ?? PLAN_LEVEL_CAPS.basic;
  return { plan: PLAN_LEVEL_CAPS[key] ? key : "basic", label: found.label, maxLevels: override ?? found.maxLevels };
}

/** The smallest plan allowing more than `maxLevels` levels; null when none does. */
export function planAllowingMore(maxLevels: number): { plan: string; label: string; maxLevels: number } | null {
  const bigger = Object.entries(PLAN_LEVEL_CAPS)
    .filter(([, c]) => c.maxLevels > maxLevels)
    .sort(([, a], [, b]) => a.maxLevels - b.maxLevels)[0];
  return bigger ? { plan: bigger[0], ...bigger[1] } : null;
}

/**
 * null when another level fits; otherwise the message the merchant sees, naming the plan that allows more (the admin
 * links to the plan page). Levels over the cap (a plan cancelled or downgraded) keep working; only new ones are refused.
 */
export function levelCapMessage(plan: string | null | undefined, levelCount: number, override?: number | null): string | null {
  const cap = levelCap(plan, override);
  if (levelCount < cap.maxLevels) return null;
  const more = planAllowingMore(cap.maxLevels);
  const already = levelCount > cap.maxLevels ? " Your levels beyond it keep working for members." : "";
  const next = more
    ? ` The ${more.label} plan allows ${more.maxLevels}: change your plan or delete a level to add another.`
    : " Delete a level to add another.";
  return `Your ${cap.label} plan allows ${cap.maxLevels} levels and you have ${levelCount}.${already}${next}`;
}
