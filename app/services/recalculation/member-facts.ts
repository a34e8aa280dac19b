import type { MemberAdjustment, OrderFact, RefundFact } from "@prisma/client";
import type { MemberEvent, OrderLine, Program } from "~/domain";
import type { ShopContext } from "../shop-context.server";

/**
 * A member's stored facts (orders, refunds, the merchant's manual changes) as the engine reads them: the events of
 * one replay, in one canonical order, and whether they make the customer a member at all. Pure: no database, no clock.
 */

/** An order as the engine reads it: the stored row, or the columns a bulk reader took with the lines already parsed. */
export type OrderForEngine = Pick<
  OrderFact,
  "orderGid" | "customerGid" | "paidAt" | "cancelledAt" | "total" | "subtotal" | "shipping" | "tax" | "hasDiscountCode" | "channel"
> &
  ({ linesJson: string } | { lines: OrderLine[] });
/** The columns of OrderForEngine, RefundForEngine as a Prisma `select` (for orders, the covering index's: docs/fact-layout.md). */
export const ENGINE_ORDER_COLUMNS = {
  customerGid: true,
  orderGid: true,
  paidAt: true,
  cancelledAt: true,
  total: true,
  subtotal: true,
  shipping: true,
  tax: true,
  hasDiscountCode: true,
  channel: true,
  linesJson: true,
} as const;
export const ENGINE_REFUND_COLUMNS = { refundGid: true, orderGid: true, createdAt: true, amount: true, linesJson: true } as const;
export type RefundLine = { lineId: string; quantity: number };
/** A refund as the engine reads it (the same two shapes). */
export type RefundForEngine = Pick<RefundFact, "refundGid" | "orderGid" | "createdAt" | "amount"> & ({ linesJson: string } | { lines: RefundLine[] });

export interface MemberFacts {
  orders: OrderForEngine[];
  refunds: RefundForEngine[];
  adjustments: MemberAdjustment[];
}

/** Facts to fill, one empty set per customer (the loaders' starting point). */
export const noFacts = (customerGids: string[]) =>
  new Map<string, MemberFacts>(customerGids.map((gid) => [gid, { orders: [], refunds: [], adjustments: [] }]));

const EVENT_ORDER: Record<MemberEvent["type"], number> = {
  orderPaid: 0,
  refund: 1,
  orderCancelled: 2,
  manualAssign: 3,
  pointsAdjust: 4,
  publishProgram: 5,
};

/** The engine's events for a member, in one canonical order (ties broken by kind and id, never by arrival). */
export function memberEvents(facts: MemberFacts, versions: ShopContext["versions"]): MemberEvent[] {
  const events: { e: MemberEvent; id: string }[] = [];
  for (const o of facts.orders) {
    const lines = "lines" in o ? o.lines : (JSON.parse(o.linesJson) as OrderLine[]);
    const order = {
      id: o.orderGid,
      total: o.total,
      subtotal: o.subtotal,
      shipping: o.shipping,
      tax: o.tax,
      lines,
      hasDiscountCode: o.hasDiscountCode,
      ...(o.channel ? { channel: o.channel } : {}),
    };
    events.push({ e: { type: "orderPaid", at: o.paidAt!.getTime(), order }, id: o.orderGid });
    if (o.cancelledAt) events.push({ e: { type: "orderCancelled", at: o.cancelledAt.getTime(), orderId: o.orderGid }, id: o.orderGid });
  }
  for (const r of facts.refunds) {
    const lines = "lines" in r ? r.lines : (JSON.parse(r.linesJson) as RefundLine[]);
    events.push({
      e: { type: "refund", at: r.createdAt.getTime(), orderId: r.orderGid, refund: { id: r.refundGid, amount: r.amount, lines } },
      id: r.refundGid,
    });
  }
  for (const a of facts.adjustments) {
    if (a.kind === "assignLevel")
      events.push({
        e: { type: "manualAssign", at: a.at.getTime(), level: a.levelId, lock: a.lock, ...(a.actor === "import" ? { rewards: false } : {}) },
        id: a.key,
      });
    else if (a.kind === "points" && a.points !== null)
      events.push({ e: { type: "pointsAdjust", at: a.at.getTime(), points: a.points, note: a.note ?? "", key: a.key }, id: a.key });
  }
  for (const v of versions.slice(1)) events.push({ e: { type: "publishProgram", at: v.publishedAt, program: v.program }, id: v.versionId });
  events.sort((a, b) => a.e.at - b.e.at || EVENT_ORDER[a.e.type] - EVENT_ORDER[b.e.type] || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return events.map((x) => x.e);
}

/**
 * Whether these facts make a customer a member: a paid, uncancelled order that the program counts (paid at or after
 * activeFrom, in a participating channel), or a manual change. Guests never reach here (no customer).
 */
export function qualifiesAsMember(facts: MemberFacts, program: Program): boolean {
  if (facts.adjustments.length > 0) return true;
  return facts.orders.some(
    (o) =>
      o.cancelledAt === null &&
      (program.activeFrom === null || o.paidAt!.getTime() >= program.activeFrom) &&
      (program.channels === null || o.channel === null || program.channels.includes(o.channel)),
  );
}

/**
 * Whether the rules engine reads more of an order's lines than their measures under any of these program versions:
 * a scoped condition or a scoped earn rule matches lines by product, collection or tag. (A refund given by lines is
 * the other case, decided per order.)
 */
export function programsReadLines(versions: { program: Program }[]): boolean {
  return versions.some(
    ({ program }) =>
      program.points.earn.some((rule) => rule.scope !== null) ||
      program.levels.some((level) => [...level.upgrade, ...(level.renewal ?? [])].some((group) => group.some((c) => c.scope !== null))),
  );
}
