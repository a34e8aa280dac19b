import type { PointsEntry as PointsEntryRow } from "@prisma/client";
import type { PointsEntry } from "~/domain";

/**
 * The member's points entries (the ledger): which of the engine's entries are kept, and which rows to append so the
 * stored ledger sums to them. Append-only: nothing stored is ever edited. Pure: time is passed in.
 */

/** Points kept to four decimals (rounding "none"), with -0 read as 0. */
export const round4 = (n: number) => Math.round(n * 10_000) / 10_000 + 0;

/** The ledger to persist: the engine's, minus one-time rewards for levels reached before rewards began. */
export function ledgerToPersist(ledger: PointsEntry[], rewardsFrom: number | null): PointsEntry[] {
  if (rewardsFrom === null) return ledger;
  const withheld = new Set(ledger.filter((e) => e.kind === "upgrade" && e.at < rewardsFrom).map((e) => e.key));
  if (withheld.size === 0) return ledger;
  return ledger.filter((e) => !withheld.has(e.key) && !(e.kind === "expire" && e.reverses !== undefined && withheld.has(e.reverses)));
}

/** A stored points entry, as much of it as the comparison needs. */
export type StoredEntry = Pick<PointsEntryRow, "key" | "kind" | "points" | "reversesKey">;
/** A points entry to append (the member, shop and ids are added by the writer). */
export type NewEntry = {
  key: string;
  kind: string;
  points: number;
  reversesKey: string | null;
  orderGid: string | null;
  note: string | null;
  at: Date;
};

/**
 * Entries to append so the stored ledger sums, key by key, to the engine's. A key never seen is inserted as is; a
 * key whose stored total differs (an order's totals changed, a reward withheld) gets a correcting entry pointing at
 * it. Nothing stored is ever edited.
 */
export function ledgerWrites(stored: StoredEntry[], target: PointsEntry[], now: Date): NewEntry[] {
  const byKey = new Map<string, { sum: number; corrections: number }>();
  for (const s of stored) {
    const base = s.kind === "correction" ? s.reversesKey! : s.key;
    const acc = byKey.get(base) ?? { sum: 0, corrections: 0 };
    acc.sum = round4(acc.sum + s.points);
    if (s.kind === "correction") acc.corrections++;
    byKey.set(base, acc);
  }
  const out: NewEntry[] = [];
  const correction = (key: string, points: number, n: number): NewEntry => ({
    key: `correct:${key}#${n}`,
    kind: "correction",
    points,
    reversesKey: key,
    orderGid: null,
    note: null,
    at: now,
  });
  const seen = new Set<string>();
  for (const t of target) {
    seen.add(t.key);
    const acc = byKey.get(t.key);
    if (!acc) {
      out.push({
        key: t.key,
        kind: t.kind,
        points: t.points,
        reversesKey: t.reverses ?? null,
        orderGid: t.orderId ?? null,
        note: t.note ?? null,
        at: new Date(t.at),
      });
    } else if (acc.sum !== round4(t.points)) {
      out.push(correction(t.key, round4(t.points - acc.sum), acc.corrections + 1));
    }
  }
  for (const [key, acc] of byKey) if (!seen.has(key) && acc.sum !== 0) out.push(correction(key, round4(-acc.sum), acc.corrections + 1));
  return out;
}
