import type { OrderLine } from "~/domain";

/**
 * The collections and tags on an order's lines, pure (no database): how the worker's answer is written into the lines
 * (order-scopes.server.ts), and what a later delivery of the same order keeps of it (order-facts.server.ts).
 */

export type ScopeState = "resolved" | "unresolved";

/** A product's collections and tags as Tierline stores them: collections sorted (as the backfill stores them), tags as Shopify lists them. */
export interface ProductScopeValue {
  collectionIds: string[];
  tags: string[];
}

/** The lines with each product's collections and tags; lines without a product (custom items) get none. */
export function linesWithScopes(lines: OrderLine[], scopes: Map<string, ProductScopeValue>): OrderLine[] {
  return lines.map((line) => {
    const scope = line.productId ? scopes.get(line.productId) : undefined;
    return { ...line, collectionIds: scope ? [...scope.collectionIds] : [], tags: scope ? [...scope.tags] : [] };
  });
}

/** The product GIDs whose collections and tags the lines need. */
export function productsOfLines(lines: OrderLine[]): string[] {
  return [...new Set(lines.map((l) => l.productId).filter((id) => id !== ""))];
}

/**
 * A new description of an order (a later webhook, which carries neither collections nor tags) merged over a stored
 * one: lines already resolved keep what was resolved for them (same line, same product), so an orders/updated after
 * the worker's answer or after the backfill changes nothing; a line that is new, or bought another product, makes the
 * order unresolved again and the worker reads it. A backfill's lines come resolved.
 */
export function scopesAfterMerge(
  stored: { linesJson: string; scopeState: string },
  merged: { linesJson: string; source: string },
): { linesJson: string; scopeState: ScopeState } {
  if (merged.linesJson === stored.linesJson) return { linesJson: stored.linesJson, scopeState: stored.scopeState as ScopeState };
  if (merged.source === "backfill") return { linesJson: merged.linesJson, scopeState: "resolved" };
  if (stored.scopeState !== "resolved") return { linesJson: merged.linesJson, scopeState: "unresolved" };
  const before = new Map((JSON.parse(stored.linesJson) as OrderLine[]).map((l) => [l.id, l]));
  let complete = true;
  const lines = (JSON.parse(merged.linesJson) as OrderLine[]).map((line) => {
    const was = before.get(line.id);
    if (!was || was.productId !== line.productId) {
      complete = complete && line.productId === "";
      return line;
    }
    return { ...line, collectionIds: was.collectionIds, tags: was.tags };
  });
  return { linesJson: JSON.stringify(lines), scopeState: complete ? "resolved" : "unresolved" };
}
