/**
 * Which earned points of a member are still there and expire in a given span, from the stored ledger (PointsEntry
 * rows) and the programme's expiryDays. The ledger's own rules (docs/programme-rules.md, Points; app/domain/points-ledger.ts):
 * every positive entry is a lot that expires expiryDays after it was written; a reversal takes from its own lot first,
 * an expiry empties its lot, other deductions take from the lots that expire soonest; what no lot covers is a debt
 * the next points pay first. Pure.
 */

const DAY_MS = 86_400_000;

export interface LedgerRow {
  key: string;
  kind: string;
  points: number;
  at: Date;
  reversesKey: string | null;
}

export interface ExpiringLot {
  /** The earning entry's key ("earn:<order>", "upgrade:gold", "adjust:<key>"). */
  key: string;
  /** Points of the lot still unspent. */
  points: number;
  expiresAt: Date;
}

const EPSILON = 1e-9;
const fix = (x: number) => Math.round(x * 10_000) / 10_000;

export function expiringLots(entries: LedgerRow[], expiryDays: number, from: Date, until: Date): ExpiringLot[] {
  const sorted = [...entries].sort((a, b) => a.at.getTime() - b.at.getTime() || a.key.localeCompare(b.key));
  const lots: { key: string; expiresAt: number; remaining: number }[] = [];
  const byKey = new Map<string, (typeof lots)[number]>();
  let debt = 0;
  for (const e of sorted) {
    if (e.points > 0 && e.kind !== "expire") {
      const pay = Math.min(debt, e.points);
      debt = fix(debt - pay);
      const lot = { key: e.key, expiresAt: e.at.getTime() + expiryDays * DAY_MS, remaining: fix(e.points - pay) };
      lots.push(lot);
      byKey.set(e.key, lot);
      continue;
    }
    if (e.points >= 0) continue;
    let left = -e.points;
    const own = e.reversesKey ? byKey.get(e.reversesKey) : undefined;
    if (own) {
      const take = Math.min(left, own.remaining);
      own.remaining = fix(own.remaining - take);
      left = fix(left - take);
    }
    if (e.kind === "expire") continue;
    const at = e.at.getTime();
    for (const lot of [...lots].filter((l) => l.expiresAt > at && l.remaining > EPSILON).sort((a, b) => a.expiresAt - b.expiresAt)) {
      if (left <= EPSILON) break;
      const take = Math.min(left, lot.remaining);
      lot.remaining = fix(lot.remaining - take);
      left = fix(left - take);
    }
    debt = fix(debt + Math.max(0, left));
  }
  return lots
    .filter((l) => l.remaining > EPSILON && l.expiresAt > from.getTime() && l.expiresAt <= until.getTime())
    .map((l) => ({ key: l.key, points: l.remaining, expiresAt: new Date(l.expiresAt) }));
}
