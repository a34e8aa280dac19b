import type { Program, Scope } from "./program";

/**
 * Whether a program reads the collections or tags of the products an order's lines bought: a condition or an earn
 * rule scoped by collection or tag (to include or to exclude). Product ids alone do not count: every order carries
 * them. Orders whose lines' collections and tags are not known yet must not be counted under such a program
 * (app/services/order-scopes.server.ts).
 */
export function programUsesScopes(program: Program): boolean {
  const levels = program.levels.some((l) => [...l.upgrade, ...(l.renewal ?? [])].some((group) => group.some((c) => readsCatalog(c.scope))));
  return levels || program.points.earn.some((rule) => readsCatalog(rule.scope));
}

/** Whether a scope selects lines by collection or tag (to include or to exclude). */
export function readsCatalog(scope: Scope | null): boolean {
  return scope !== null && scope.collectionIds.length + scope.tags.length + scope.excludeCollectionIds.length + scope.excludeTags.length > 0;
}

/**
 * Orders paid before this instant are measured by a program that reads collections or tags: every order paid while
 * such a version was in force, or before it (a publication replays the orders in its window). Infinity when the
 * version in force reads them; null when no version ever did. `versions` oldest first, as published.
 */
export function scopesMatterBefore(versions: { publishedAt: number; program: Program }[]): number | null {
  for (let i = versions.length - 1; i >= 0; i--) {
    if (programUsesScopes(versions[i].program)) return i === versions.length - 1 ? Number.POSITIVE_INFINITY : versions[i + 1].publishedAt;
  }
  return null;
}
