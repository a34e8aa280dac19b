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
 * docs/fact-layout.md), a batch at a time (keyset on those three), the next batch read while this one is folded:
 * SQLite reads that index alone. PostgreSQL reads it index-only with each order's line measures, and the lines only
 * for orders a refund names lines of, orders without measures, or every order when one of `programs` reads lines.
 */
async function* paidOrders(db: DbOrTx, shop: string, programs: { program: Program }[]): AsyncGenerator<OrderForEngine> {
  if (dbProvider(db) === "postgresql" && !programsReadLines(programs)) {
    yield* paidOrdersWithMeasures(db, shop);
    return;
  }
  const read = (after: { gid: unknown; paidAt: unknown; orderGid: unknown } | null) => {
    const keyset: Prisma.Sql = after
      ? Prisma.sql`AND ("customerGid", "paidAt", "orderGid") > (${after.gid}, ${after.paidAt}, ${after.orderGid})`
      : Prisma.empty;
    return db.$queryRaw<Record<string, unknown>[]>`
      SELECT "customerGid", "paidAt", "orderGid", "cancelledAt", "channel", "total", "subtotal", "shipping", "tax", "hasDiscountCode", "linesJson"
        FROM "OrderFact"
       WHERE "shop" = ${shop} AND "customerGid" IS NOT NULL AND "paidAt" IS NOT NULL AND "test" = ${false} ${keyset}
       ORDER BY "customerGid", "paidAt", "orderGid" LIMIT ${BATCH}`;
  };
  for (let page: Promise<Record<string, unknown>[]> | null = read(null); page;) {
    const rows: Record<string, unknown>[] = await page;
    const last = rows[rows.length - 1];
    page = rows.length < BATCH ? null : read({ gid: last.customerGid, paidAt: last.paidAt, orderGid: last.orderGid });
    page?.catch(() => undefined); // awaited on the next turn; a consumer that stops early leaves it unread
    for (const r of rows) yield orderRow(r);
  }
}

type MeasuredOrder = [string, string, number, number | null, number, number, number, number, boolean, string | null, LineMeasures | null];

/**
 * PostgreSQL when no program reads lines: each batch of orders as one JSON document the database assembles from the
 * covering index alone (an index-only scan, each order with its line measures), as the re-tier reads them
 * (loadFactsOfBatchPostgres). The lines themselves are read, by order, only for the orders that need them: those
 * without measures and those a refund names lines of (found once, in one pass over the shop's refunds).
 */
async function* paidOrdersWithMeasures(db: DbOrTx, shop: string): AsyncGenerator<OrderForEngine> {
  const [{ refunded }] = await db.$queryRaw<{ refunded: string }[]>`
    SELECT coalesce(json_agg(DISTINCT "orderGid"), '[]')::text AS refunded FROM "RefundFact" WHERE "shop" = ${shop} AND "linesJson" <> '[]'`;
  const refundedByLine = new Set(JSON.parse(refunded) as string[]);
  const read = async (after: MeasuredOrder | null) => {
    const keyset: Prisma.Sql = after
      ? Prisma.sql`AND (o."customerGid", o."paidAt", o."orderGid") > (${after[0]}, ${new Date(after[2])}, ${after[1]})`
      : Prisma.empty;
    const [{ doc }] = await db.$queryRaw<{ doc: string }[]>`
      SELECT coalesce(json_agg(json_build_array(o."customerGid", o."orderGid", ${epochMs('o."paidAt"')}, ${epochMs('o."cancelledAt"')}, o.total, o.subtotal,
                                                o.shipping, o.tax, o."hasDiscountCode", o.channel, o."lineMeasures") ORDER BY o."customerGid", o."paidAt", o."orderGid"), '[]')::text AS doc
        FROM (SELECT * FROM "OrderFact" o
               WHERE o."shop" = ${shop} AND o."customerGid" IS NOT NULL AND o."paidAt" IS NOT NULL AND o."test" = ${false} ${keyset}
               ORDER BY o."customerGid", o."paidAt", o."orderGid" LIMIT ${BATCH}) AS o`;
    return JSON.parse(doc) as MeasuredOrder[];
  };
  for (let page: Promise<MeasuredOrder[]> | null = read(null); page;) {
    const rows: MeasuredOrder[] = await page;
    page = rows.length < BATCH ? null : read(rows[rows.length - 1]);
    page?.catch(() => undefined); // awaited on the next turn; a consumer that stops early leaves it unread
    const wanted = rows.filter((o) => o[10] === null || refundedByLine.has(o[1])).map((o) => o[1]);
    const ownLines = new Map<string, string>();
    if (wanted.length > 0) {
      const lines = await db.$queryRaw<{ orderGid: string; linesJson: string }[]>`
        SELECT "orderGid", "linesJson" FROM "OrderFact" WHERE "shop" = ${shop} AND "orderGid" IN (SELECT json_array_elements_text(${JSON.stringify(wanted)}::json))`;
      for (const l of lines) ownLines.set(l.orderGid, l.linesJson);
    }
    for (const [customerGid, orderGid, paidAt, cancelledAt, total, subtotal, shipping, tax, hasDiscountCode, channel, measures] of rows) {
      const linesJson = ownLines.get(orderGid);
      yield {
        orderGid,
        customerGid,
        channel,
        paidAt: new Date(paidAt),
        cancelledAt: cancelledAt === null ? null : new Date(cancelledAt),
        total,
        subtotal,
        shipping,
        tax,
        hasDiscountCode,
        ...(linesJson === undefined ? { lines: linesFromMeasures(orderGid, measures!) } : { linesJson }),
      };
    }
  }
}

const epochMs = (column: string) => Prisma.raw(`(extract(epoch from ${column}) * 1000)::bigint`);

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
