// Test factories with overridable defaults: programs and levels in the scenario (JSON) shape, events parsed.
import {
  evaluateMember,
  parseInstant,
  parseMoney,
  parseProgram,
  type MemberEvent,
  type MemberOutcome,
  type OrderFact,
  type Program,
} from "~/domain/index";
import { parseOrder } from "~/domain/scenario";

type Json = Record<string, unknown>;

export interface LevelJson extends Json {
  id: string;
  name?: string;
  rank: number;
  enabled?: boolean;
  internalOnly?: boolean;
  upgrade?: unknown[][];
  renewal?: unknown[][] | null;
  retainAmount?: string | null;
  upgradePoints?: number;
}

let levelSeq = 0;

/** A level reached by accumulated spend of 100 × rank (e.g. rank 2 → "200.00"). */
export function buildLevel(over: Partial<LevelJson> = {}): LevelJson {
  const rank = over.rank ?? ++levelSeq;
  const id = over.id ?? `level${rank}`;
  return {
    id,
    name: id[0].toUpperCase() + id.slice(1),
    rank,
    upgrade: [[spend(`${rank * 100}.00`)]],
    ...over,
  };
}

export const spend = (amount: string, extra: Json = {}) => ({ kind: "accumulatedSpend", amount, ...extra });
export const singleOrder = (amount: string, extra: Json = {}) => ({ kind: "singleOrder", amount, ...extra });
export const orderCount = (count: number, extra: Json = {}) => ({ kind: "orderCount", count, ...extra });
export const itemCount = (count: number, extra: Json = {}) => ({ kind: "itemCount", count, ...extra });
export const productPurchase = (quantity: number, scope: Json, extra: Json = {}) => ({ kind: "productPurchase", quantity, scope, ...extra });
export const pointsCond = (amount: number, extra: Json = {}) => ({ kind: "points", amount, ...extra });

/** Silver at 100.00 and Gold at 500.00 accumulated spend, lifetime, permanent; no points. */
export function buildProgramJson(over: Json = {}): Json {
  return {
    levels: [
      buildLevel({ id: "silver", name: "Silver", rank: 1, upgrade: [[spend("100.00")]] }),
      buildLevel({ id: "gold", name: "Gold", rank: 2, upgrade: [[spend("500.00")]] }),
    ],
    ...over,
  };
}

export function buildProgram(over: Json = {}): Program {
  return parseProgram(buildProgramJson(over));
}

/** 1 point per 1.00, prorated, rounding down, no expiry. */
export const onePointPerDollar = { earn: [{ per: "amount", every: "1.00", points: 1, prorate: true }], rounding: "down" };

export const at = (iso: string): number => parseInstant(iso, "test");
export const money = (s: string): number => parseMoney(s, "test");

let orderSeq = 0;

export interface OrderJson extends Json {
  id?: string;
  total?: string;
  subtotal?: string;
  shipping?: string;
  tax?: string;
  lines?: Json[];
}

/** An order of one line (1 × `amount` of product p1) unless lines are given. */
export function buildOrder(over: OrderJson & { amount?: string } = {}): OrderFact {
  const { amount = "100.00", ...rest } = over;
  const id = rest.id ?? `o${++orderSeq}`;
  const lines = rest.lines ?? [{ id: `${id}-l1`, productId: "p1", quantity: 1, price: amount }];
  return parseOrder({ id, ...rest, lines }, "order");
}

export const line = (id: string, price: string, quantity = 1, extra: Json = {}) => ({ id, productId: "p1", price, quantity, ...extra });

export function paid(when: string, order: OrderFact | (OrderJson & { amount?: string }) = {}): MemberEvent {
  const o = typeof order.total === "number" ? (order as OrderFact) : buildOrder(order as OrderJson);
  return { type: "orderPaid", at: at(when), order: o };
}

export function refund(
  when: string,
  orderId: string,
  r: { id?: string; amount?: string; lines?: { lineId: string; quantity: number }[] } = {},
): MemberEvent {
  return {
    type: "refund",
    at: at(when),
    orderId,
    refund: { id: r.id ?? `r-${orderId}-${when}`, amount: money(r.amount ?? "0.00"), lines: r.lines ?? [] },
  };
}

export const cancel = (when: string, orderId: string): MemberEvent => ({ type: "orderCancelled", at: at(when), orderId });
export const assign = (when: string, level: string | null, lock = false): MemberEvent => ({ type: "manualAssign", at: at(when), level, lock });
export const adjust = (when: string, points: number, key = when, note = ""): MemberEvent => ({
  type: "pointsAdjust",
  at: at(when),
  points,
  note,
  key,
});
export const publish = (when: string, program: Json): MemberEvent => ({ type: "publishProgram", at: at(when), program: parseProgram(program) });

/** evaluateMember with JSON program and ISO asOf. */
export function evaluate(program: Json | Program, events: MemberEvent[], asOf: string, grantRewards = true): MemberOutcome {
  const p = isParsed(program) ? (program as Program) : parseProgram(program);
  return evaluateMember(p, events, at(asOf), { grantRewards });
}

function isParsed(p: Json | Program): boolean {
  return (
    typeof (p as Program).spend === "object" &&
    typeof (p as Program).points === "object" &&
    Array.isArray((p as Program).points.earn) &&
    typeof (p as Program).currency === "string"
  );
}
