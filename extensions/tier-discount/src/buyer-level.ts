/**
 * The buyer's level as the Function needs it, read from the customer metafield `$app:tierline.level` (TierLevelV1,
 * docs/contracts.md). It reads only what the discount depends on: `v`, `id`, `status`, and `name` for the message.
 * The full reader (parseTierLevel in app/shared/tier-metafield.ts) is not bundled here: it grew the Function bundle by
 * 16% (11.4 kB → 13.2 kB minified) for date and card checks the discount does not need.
 */

export interface BuyerLevel {
  id: string;
  /** Shown in discount messages ("Gold member: 10% off"); the id when the metafield carries no name. */
  name: string;
}

/** Null for no level, a frozen member, an unknown version or status, or anything malformed. */
export function readBuyerLevel(jsonValue: unknown): BuyerLevel | null {
  if (typeof jsonValue !== "object" || jsonValue === null || Array.isArray(jsonValue)) return null;
  const doc = jsonValue as Record<string, unknown>;
  if (doc.v !== 1) return null;
  const id = doc.id;
  if (typeof id !== "string" || id.length === 0) return null;
  // A frozen member keeps the badge but not the benefits; an unknown status is treated the same way.
  if (doc.status !== "active" && doc.status !== "grace") return null;
  const name = typeof doc.name === "string" && doc.name.length > 0 ? doc.name : id;
  return { id, name };
}
