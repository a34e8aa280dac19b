import { Prisma, type MemberAdjustment, type RefundFact } from "@prisma/client";
import { dbProvider, type DbOrTx } from "~/db/client.server";
import type { PreviewMember, Program } from "~/domain/index";
import { linesFromMeasures, programsReadLines, type LineMeasures } from "~/services/recalculation/batch-reads.server";
import { memberEvents, type MemberFacts, type OrderForEngine } from "~/services/recalculation/member-facts";
import type { PublishedProgram } from "~/services/shop-context.server";

// Every member's history for the whole-shop paths (the what-if preview and its drill-down), built with the worker's
// own fact → event mapping so the preview's "now" is exactly the state the worker computes.

const BATCH = 5_000;

/**
 * Reads one table's rows of a shop in `(customerGid, id)` order, a batch at a time (keyset pagination). Raw SQL on
 * purpose: this is the whole-shop path, and the ORM's per-row cost is several times the driver's here.
 */
async function* byCustomer<T extends { id: string; customerGid: string | null }>(
  read: (after: { gid: string; id: string } | null) => Promise<T[]>,
): AsyncGenerator<T> {
  let after: { gid: string; id: string } | null = null;
  while (true) {
    const rows = await read(after);
    for (const r of rows) yield r;
    if (rows.length < BATCH) return;
    const last = rows[rows.length - 1];
    after = { gid: last.customerGid!, id: last.id };
  }
}

// Raw rows come back with the driver's types (SQLite: integers for booleans, maybe strings for dates).
const asDate = (v: unknown): Date | null =>
  v === null || v === undefined
    ? null
    : v instanceof Date
      ? v
      : new Date(typeof v === "string" && /^\d+$/.test(v) ? Number(v) : (v as string | number));
const asBool = (v: unknown) => v === true || v === 1 || v === "1" || v === "true";
const asInt = (v: unknown) => (v === null || v === undefined ? null : Number(v));

function orderRow(r: Record<string, unknown>): OrderForEngine {
  const orderGid = r.orderGid as string;
  return {
    orderGid,
    customerGid: r.customerGid as string,
    channel: (r.channel as string | null) ?? null,
    paidAt: asDate(r.paidAt),
    cancelledAt: asDate(r.cancelledAt),
    total: asInt(r.total)!,
    subtotal: asInt(r.subtotal)!,
    shipping: asInt(r.shipping)!,
    tax: asInt(r.tax)!,
    hasDiscountCode: asBool(r.hasDiscountCode),
    // PostgreSQL without lines: the order's line measures stand for them (batch-reads.server.ts, docs/fact-layout.md).
    ...(r.linesJson === null
      ? { lines: linesFromMeasures(orderGid, JSON.parse(r.measures as string) as LineMeasures) }
      : { linesJson: r.linesJson as string }),
  };
}
function refundRow(r: Record<string, unknown>): RefundFact {
  return { ...(r as unknown as RefundFact), createdAt: asDate(r.createdAt)!, amount: asInt(r.amount)! };
}
function adjustmentRow(r: Record<string, unknown>): MemberAdjustment {
  return { ...(r as unknown as MemberAdjustment), at: asDate(r.at)!, lock: asBool(r.lock), points: asInt(r.points) };
}

/** Pulls, from a stream sorted by customer, every row of one customer. */
class Grouped<T extends { customerGid: string | null }> {
  private head: IteratorResult<T> | null = null;
  constructor(private readonly it: AsyncIterator<T>) {}
  async peek(): Promise<string | null> {
    this.head ??= await this.it.next();
    return this.head.done ? null : this.head.value.customerGid;
  }
  async take(gid: string): Promise<T[]> {
    const out: T[] = [];
    while ((await this.peek()) === gid) {
      out.push((this.head as IteratorYieldResult<T>).value);
      this.head = null;
    }
    return out;
  }
}

/**
 * Every paid order of the shop in the order of the covering index the re-tier reads by (customer, paid instant, order;
 * docs/fact-layout.md), a batch at a time (keyset on those three): SQLite reads that index alone. PostgreSQL reads it
 * index-only with each order's line measures, and the lines only for orders a refund names lines of, orders without
 * measures, or every order when one of `programs` reads lines.
 */
async function* paidOrders(db: DbOrTx, shop: string, programs: { program: Program }[]): AsyncGenerator<OrderForEngine> {
  const measures = dbProvider(db) === "postgresql" && !programsReadLines(programs);
  const lines = measures
    ? Prisma.sql`array_to_json(o."lineMeasures")::text AS measures,
        CASE WHEN o."lineMeasures" IS NULL
                  OR EXISTS (SELECT 1 FROM "RefundFact" r WHERE r.shop = o.shop AND r."orderGid" = o."orderGid" AND r."linesJson" <> '[]')
             THEN (SELECT x."linesJson" FROM "OrderFact" x WHERE x.shop = o.shop AND x."orderGid" = o."orderGid") END AS "linesJson"`
    : Prisma.sql`o."linesJson"`;
  let after: { gid: unknown; paidAt: unknown; orderGid: unknown } | null = null;
  for (;;) {
    const keyset: Prisma.Sql = after
      ? Prisma.sql`AND (o."customerGid", o."paidAt", o."orderGid") > (${after.gid}, ${after.paidAt}, ${after.orderGid})`
      : Prisma.empty;
    const rows = await db.$queryRaw<Record<string, unknown>[]>`
      SELECT o."customerGid", o."paidAt", o."orderGid", o."cancelledAt", o."channel", o."total", o."subtotal", o."shipping", o."tax", o."hasDiscountCode", ${lines}
        FROM "OrderFact" o
       WHERE o."shop" = ${shop} AND o."customerGid" IS NOT NULL AND o."paidAt" IS NOT NULL AND o."test" = ${false} ${keyset}
       ORDER BY o."customerGid", o."paidAt", o."orderGid" LIMIT ${BATCH}`;
    for (const r of rows) yield orderRow(r);
    if (rows.length < BATCH) return;
    const last = rows[rows.length - 1];
    after = { gid: last.customerGid, paidAt: last.paidAt, orderGid: last.orderGid };
  }
}

/**
 * Every customer with stored facts, with their events, in customer order. Orders, refunds and adjustments are read as
 * three streams sorted by customer and merged, so memory holds one member's history (and one batch) at a time.
 */
export async function* shopHistories(
  db: DbOrTx,
  shop: string,
  versions: PublishedProgram[],
  alsoReplayed: Program[] = [],
): AsyncGenerator<PreviewMember> {
  const after = (a: { gid: string; id: string } | null) =>
    a ? Prisma.sql`AND ("customerGid" > ${a.gid} OR ("customerGid" = ${a.gid} AND "id" > ${a.id}))` : Prisma.empty;
  const orders = new Grouped<OrderForEngine>(
    paidOrders(db, shop, [...versions, ...alsoReplayed.map((program) => ({ program }))])[Symbol.asyncIterator](),
  );
  const refunds = new Grouped<RefundFact>(
    byCustomer(async (a) =>
      (
        await db.$queryRaw<Record<string, unknown>[]>`
          SELECT "id", "refundGid", "orderGid", "customerGid", "createdAt", "amount", "linesJson"
            FROM "RefundFact" WHERE "shop" = ${shop} AND "customerGid" IS NOT NULL ${after(a)}
           ORDER BY "customerGid", "id" LIMIT ${BATCH}`
      ).map(refundRow),
    )[Symbol.asyncIterator](),
  );
  const adjustments = new Grouped<MemberAdjustment>(
    byCustomer(async (a) =>
      (
        await db.$queryRaw<Record<string, unknown>[]>`
          SELECT "id", "customerGid", "kind", "at", "levelId", "lock", "points", "note", "key"
            FROM "MemberAdjustment" WHERE "shop" = ${shop} ${after(a)}
           ORDER BY "customerGid", "id" LIMIT ${BATCH}`
      ).map(adjustmentRow),
    )[Symbol.asyncIterator](),
  );
  // A refund that arrived before its order has no customer yet; it belongs to whoever its order belongs to.
  const orphans = new Map<string, RefundFact[]>();
  for (const r of await db.refundFact.findMany({ where: { shop, customerGid: null } })) {
    (orphans.get(r.orderGid) ?? orphans.set(r.orderGid, []).get(r.orderGid)!).push(r);
  }
  while (true) {
    const heads = (await Promise.all([orders.peek(), refunds.peek(), adjustments.peek()])).filter((g): g is string => g !== null);
    if (heads.length === 0) return;
    const gid = heads.reduce((a, b) => (b < a ? b : a));
    const [o, r, a] = await Promise.all([orders.take(gid), refunds.take(gid), adjustments.take(gid)]);
    // As the worker does: a member's refunds are those of their orders.
    const own = new Set(o.map((x) => x.orderGid));
    const facts: MemberFacts = {
      orders: o,
      refunds: [...r.filter((x) => own.has(x.orderGid)), ...o.flatMap((x) => orphans.get(x.orderGid) ?? [])],
      adjustments: a,
    };
    yield { id: gid, events: memberEvents(facts, versions) };
  }
}
