import { scopedNet, type CompiledProgram, type OrderMeasure } from "./compiled-program";
import type { PointsEntry, PointsEntryKind } from "./member-outcome";
import type { Rounding } from "./program";
import { addDays, type Instant } from "./time";

/** Points are whole numbers except with rounding "none", where they keep up to 4 decimals. */
export function roundPoints(x: number, mode: Rounding): number {
  // Snap float noise (e.g. 119.99999999999999) before rounding so exact results round as exact values.
  const nearestInt = Math.round(x);
  const v = Math.abs(x - nearestInt) < 1e-9 ? nearestInt : x;
  switch (mode) {
    case "down":
      return Math.floor(v);
    case "up":
      return Math.ceil(v);
    case "nearest":
      return Math.floor(v + 0.5);
    case "none":
      return fixPoints(v);
  }
}

/** Removes float noise from sums of 4-decimal point values. */
export function fixPoints(x: number): number {
  return Math.round(x * 10_000) / 10_000 + 0;
}

/**
 * Points one paid order earns under the program's earn rules, for a member whose level just before the order
 * was `levelBefore`. Rounding applies once to the order's total.
 *  - per amount, prorate:     base / every × points          (e.g. $12.50 at 1 point per $1.00 → 12.5 → rounded)
 *  - per amount, not prorate: floor(base / every) × points   (only whole steps earn)
 *  - per item: the same with units instead of money.
 * base = the order's counted spend (or the rule's scoped line subtotal / units).
 */
export function orderPoints(cp: CompiledProgram, m: OrderMeasure, levelBefore: string | null): number {
  const p = cp.program;
  if (!m.participates || !p.enabled) return 0;
  let raw = 0;
  const rules = p.points.earn;
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i];
    if (rule.levels !== null && (levelBefore === null || !rule.levels.includes(levelBefore))) continue;
    if (rule.excludeDiscountCodes && m.order.hasDiscountCode) continue;
    let base: number;
    const scope = cp.earnScopes[i];
    if (scope >= 0) {
      const [spend, qty] = scopedNet(cp.scopes[scope], m.order, null);
      base = rule.per === "amount" ? spend : qty;
    } else {
      base = rule.per === "amount" ? m.counted : m.items;
    }
    raw += rule.prorate ? (base * rule.points) / rule.every : Math.floor(base / rule.every) * rule.points;
  }
  return raw === 0 ? 0 : roundPoints(raw, p.points.rounding);
}

/**
 * A PointsBook as plain data: entries as [key, at, kind, points, reverses, orderId, note] (null when absent, see
 * entryState), lots as
 * [index of the entry that created it, expiresAt | null, remaining, expired], orders as [id, earned, lot index | -1, reversed, taken].
 */
export interface PointsBookState {
  entries: [string | null, number, PointsEntryKind, number, string | 0 | null, string | null, string | null][];
  reached: string[];
  lots: [number, number | null, number, number][];
  head: number;
  orders: [string, number, number, number, number][];
  debt: number;
  sum: number;
}

type EntryState = PointsBookState["entries"][number];

/** An entry as an array; a key or a reversed key that follows from the order (earn:o1, cancel:o1, expire:earn:o1) is left out. */
function entryState(e: PointsEntry): EntryState {
  const derivedKey = e.orderId !== undefined && e.key === `${e.kind}:${e.orderId}`;
  const expireKey = e.kind === "expire" && e.reverses !== undefined && e.key === `expire:${e.reverses}`;
  const reversesEarn = e.orderId !== undefined && e.reverses === `earn:${e.orderId}`;
  return [derivedKey || expireKey ? null : e.key, e.at, e.kind, e.points, reversesEarn ? 0 : (e.reverses ?? null), e.orderId ?? null, e.note ?? null];
}

/** entryState's inverse, with the fields in the order the engine writes them (PointsBook.push callers): the same JSON. */
function entryFromState([key, at, kind, points, reverses, orderId, note]: EntryState): PointsEntry {
  const rev = reverses === 0 ? `earn:${orderId}` : reverses;
  const e: PointsEntry = { key: key ?? (kind === "expire" ? `expire:${rev}` : `${kind}:${orderId}`), at, kind, points };
  if (rev !== null) e.reverses = rev;
  if (orderId !== null) e.orderId = orderId;
  if (note !== null) e.note = note;
  return e;
}

interface Lot {
  key: string;
  expiresAt: number;
  remaining: number;
  expired: number;
}

interface OrderPoints {
  earned: number;
  earnKey: string;
  lot: Lot | null;
  /** Cumulative reversal owed by refunds/cancellation (pro rata, rounded): lowers points *earned*. */
  reversed: number;
  /** What the ledger actually took back (never points that had already expired). */
  taken: number;
}

/**
 * The points ledger of one member: append-only entries, balance derived by folding them.
 * Positive entries form lots that expire `expiryDays` after they were written; negative entries consume lots
 * (a reversal its own order's lot first, adjustments the soonest-expiring lots first).
 */
export class PointsBook {
  readonly entries: PointsEntry[] = [];
  /** Levels whose one-time reward was granted or forfeited (reached by a recalculation). */
  readonly reached = new Set<string>();
  private readonly lots: Lot[] = [];
  private head = 0;
  private readonly orders = new Map<string, OrderPoints>();
  private debt = 0;
  private sum = 0;

  /**
   * Everything the book holds, as plain data (a member checkpoint: app/domain/checkpoint.ts): entries as arrays in their
   * fields' order, lots by the index of the entry that created them, Infinity as null.
   */
  toState(): PointsBookState {
    const entryIndex = new Map(this.entries.map((e, i) => [e.key, i]));
    const lotIndex = new Map(this.lots.map((l, i) => [l, i]));
    return {
      entries: this.entries.map(entryState),
      reached: [...this.reached],
      lots: this.lots.map((l) => [entryIndex.get(l.key)!, l.expiresAt === Infinity ? null : l.expiresAt, l.remaining, l.expired]),
      head: this.head,
      orders: [...this.orders].map(([id, o]) => [id, o.earned, o.lot ? lotIndex.get(o.lot)! : -1, o.reversed, o.taken]),
      debt: this.debt,
      sum: this.sum,
    };
  }

  static fromState(state: PointsBookState): PointsBook {
    const book = new PointsBook();
    for (const state_ of state.entries) book.entries.push(entryFromState(state_));
    for (const id of state.reached) book.reached.add(id);
    for (const [entry, expiresAt, remaining, expired] of state.lots)
      book.lots.push({ key: book.entries[entry].key, expiresAt: expiresAt ?? Infinity, remaining, expired });
    book.head = state.head;
    for (const [id, earned, lot, reversed, taken] of state.orders)
      book.orders.set(id, { earned, earnKey: `earn:${id}`, lot: lot < 0 ? null : book.lots[lot], reversed, taken });
    book.debt = state.debt;
    book.sum = state.sum;
    return book;
  }

  get balance(): number {
    return fixPoints(this.sum);
  }

  /** Net points earned by an order (earned minus reversals), for level conditions on points. */
  netEarned(orderId: string): number {
    const op = this.orders.get(orderId);
    return op ? fixPoints(op.earned - op.reversed) : 0;
  }

  /** Points an order earned (before reversals). */
  earnedBy(orderId: string): number {
    return this.orders.get(orderId)?.earned ?? 0;
  }

  earn(orderId: string, at: Instant, points: number, expiryDays: number | null): void {
    const key = `earn:${orderId}`;
    const op: OrderPoints = { earned: points, earnKey: key, lot: null, reversed: 0, taken: 0 };
    this.orders.set(orderId, op);
    if (points === 0) return;
    this.push({ key, at, kind: "earn", points, orderId });
    op.lot = this.addLot(key, at, points, expiryDays);
  }

  /**
   * Reverses an order's points up to a cumulative target (pro rata for refunds, everything for a cancellation).
   * Returns the reversal owed (which lowers points earned). The ledger never takes back points that already
   * expired, so a late refund cannot push the balance below what the refunded order left in it.
   */
  reverse(orderId: string, key: string, kind: "refund" | "cancel", at: Instant, target: number): number {
    const op = this.orders.get(orderId);
    if (!op || op.earned === 0) return 0;
    const owed = fixPoints(Math.min(op.earned, target) - op.reversed);
    if (owed <= 0) return 0;
    op.reversed = fixPoints(op.reversed + owed);
    const collectible = fixPoints(op.earned - (op.lot ? op.lot.expired : 0) - op.taken);
    const take = Math.max(0, Math.min(owed, collectible));
    op.taken = fixPoints(op.taken + take);
    let left = take;
    if (op.lot) {
      const fromOwn = Math.min(left, op.lot.remaining);
      op.lot.remaining = fixPoints(op.lot.remaining - fromOwn);
      left = fixPoints(left - fromOwn);
    }
    this.consume(left);
    const expired = fixPoints(owed - take);
    this.push({
      key,
      at,
      kind,
      points: take === 0 ? 0 : -take,
      reverses: op.earnKey,
      orderId,
      ...(expired > 0 ? { note: `${expired} of the reversed points had already expired` } : {}),
    });
    return owed;
  }

  /** One-time reward for reaching a level. */
  grant(levelId: string, at: Instant, points: number, expiryDays: number | null): void {
    this.reached.add(levelId);
    if (points <= 0) return;
    const key = `upgrade:${levelId}`;
    this.push({ key, at, kind: "upgrade", points, note: `reached ${levelId}` });
    this.addLot(key, at, points, expiryDays);
  }

  adjust(key: string, at: Instant, points: number, note: string, expiryDays: number | null): void {
    const entryKey = `adjust:${key}`;
    if (this.entries.some((e) => e.key === entryKey)) return;
    this.push({ key: entryKey, at, kind: "adjust", points, ...(note ? { note } : {}) });
    if (points > 0) this.addLot(entryKey, at, points, expiryDays);
    else this.consume(-points);
  }

  nextExpiry(): number {
    const lots = this.lots;
    while (this.head < lots.length && lots[this.head].remaining <= 0) this.head++;
    return this.head < lots.length ? lots[this.head].expiresAt : Infinity;
  }

  /** Writes the expiry entry of the soonest-expiring lot that still holds points. */
  expireNext(): void {
    if (this.nextExpiry() === Infinity) return;
    const lot = this.lots[this.head];
    const points = lot.remaining;
    lot.expired = fixPoints(lot.expired + points);
    lot.remaining = 0;
    this.push({ key: `expire:${lot.key}`, at: lot.expiresAt, kind: "expire", points: -points, reverses: lot.key });
  }

  private push(e: PointsEntry & { kind: PointsEntryKind }): void {
    this.entries.push(e);
    this.sum += e.points;
  }

  private addLot(key: string, at: Instant, points: number, expiryDays: number | null): Lot {
    const pay = Math.min(this.debt, points);
    this.debt = fixPoints(this.debt - pay);
    const lot: Lot = { key, expiresAt: expiryDays === null ? Infinity : addDays(at, expiryDays), remaining: fixPoints(points - pay), expired: 0 };
    const lots = this.lots;
    let i = lots.length;
    while (i > 0 && lots[i - 1].expiresAt > lot.expiresAt) i--;
    lots.splice(i, 0, lot);
    if (i < this.head) this.head = i;
    return lot;
  }

  /** Takes points from the soonest-expiring lots; what no lot covers becomes a debt paid by later points. */
  private consume(points: number): void {
    let left = points;
    for (let i = this.head; i < this.lots.length && left > 0; i++) {
      const lot = this.lots[i];
      const take = Math.min(left, lot.remaining);
      lot.remaining = fixPoints(lot.remaining - take);
      left = fixPoints(left - take);
    }
    if (left > 0) this.debt = fixPoints(this.debt + left);
  }
}
