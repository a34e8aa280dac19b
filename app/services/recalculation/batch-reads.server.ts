import { Prisma } from "@prisma/client";
import type { OrderLine, Program } from "~/domain";
import type { Db, Tx } from "~/db/client.server";
import { ENGINE_ORDER_COLUMNS, noFacts, programsReadLines, type MemberFacts, type RefundLine } from "./member-facts";

export { programsReadLines };
import type { StoredMember } from "./member-writes";
import { issuedRewardsOfRange } from "../rewards/reward-records.server";

/**
 * The full recalculation's reads for one batch of customers (`after` < customer ≤ the batch's last), by key range
 * rather than by a list of GIDs or order GIDs: a batch of orders would pass the databases' bound-parameter limits, a
 * range is two parameters. SQLite through Prisma; PostgreSQL as one JSON document the database assembles.
 *
 * Both read a customer's paid orders through the index migration 0006_fact_layout makes covering
 * (OrderFact_facts_by_customer_idx, docs/fact-layout.md), so the batch's orders are one ordered range of one index
 * and the table is not visited order by order: on SQLite the index holds the lines too; on PostgreSQL it holds each
 * order's line measures instead, and only the orders whose lines matter are fetched from the table.
 */

/**
 * The facts of a batch. Same content as loadFactsOfMany (member-recalculation.server.ts); a customer's orders in
 * (paidAt, orderGid) order. Refunds still waiting for their order (no customer yet) are found by order GID, as there.
 */
export async function loadFactsOfBatch(db: Db, shop: string, after: string | null, customers: string[]): Promise<Map<string, MemberFacts>> {
  const range = { gt: after ?? "", lte: customers[customers.length - 1] };
  const [orders, adjustments, refunds] = await Promise.all([
    // Only the covering index's columns, in its order: SQLite reads the index alone.
    db.orderFact.findMany({
      select: ENGINE_ORDER_COLUMNS,
      where: { shop, customerGid: range, paidAt: { not: null }, test: false },
      orderBy: [{ customerGid: "asc" }, { paidAt: "asc" }, { orderGid: "asc" }],
    }),
    db.memberAdjustment.findMany({ where: { shop, customerGid: range }, orderBy: [{ at: "asc" }, { key: "asc" }] }),
    db.refundFact.findMany({
      where: { shop, OR: [{ customerGid: range }, { customerGid: null }] },
      orderBy: [{ createdAt: "asc" }, { refundGid: "asc" }],
    }),
  ]);
  const out = noFacts(customers);
  const customerOf = new Map<string, string>();
  for (const o of orders) {
    const facts = out.get(o.customerGid!);
    if (!facts) continue;
    facts.orders.push(o);
    customerOf.set(o.orderGid, o.customerGid!);
  }
  for (const r of refunds) {
    const gid = customerOf.get(r.orderGid);
    if (gid) out.get(gid)!.refunds.push(r);
  }
  for (const a of adjustments) out.get(a.customerGid)?.adjustments.push(a);
  return out;
}

const epochMs = (column: string) => Prisma.raw(`(extract(epoch from ${column}) * 1000)::bigint`);
const date = (ms: number | null) => (ms === null ? null : new Date(ms));

/**
 * What the PostgreSQL column "lineMeasures" holds (migration 0006_fact_layout computes it from linesJson):
 * [lines, non-gift-card lines, their value (Σ price × quantity), their units, gift-card value]; null when a line is
 * not plain enough to be summed exactly.
 */
export type LineMeasures = [lines: number, nonGiftLines: number, nonGiftValue: number, nonGiftUnits: number, giftValue: number];

/**
 * Lines that measure exactly as the order's own do when no condition is scoped and no refund names a line: as many
 * lines, as many of them gift cards, the same value and units of the other lines, the same gift-card value (the
 * engine's measureOrder and countedSpend read nothing else of an unscoped order's lines). Not the merchant's lines:
 * only ever handed to the engine, never stored or shown.
 */
export function linesFromMeasures(orderGid: string, [lines, nonGift, value, units, giftValue]: LineMeasures): OrderLine[] {
  const line = (i: number, giftCard: boolean, quantity: number, price: number): OrderLine => ({
    id: `${orderGid}#measure-${i}`,
    productId: "",
    quantity,
    price,
    collectionIds: [],
    tags: [],
    giftCard,
  });
  const out: OrderLine[] = [];
  // One non-gift line carries the value: with one line its units at its own (integral) unit price, else one unit at
  // the whole value and the other units at no price. Gift cards: one line at their whole value.
  for (let i = 0; i < nonGift; i++) {
    if (nonGift === 1) out.push(line(i, false, units, units === 0 ? 0 : value / units));
    else if (i === 0) out.push(line(i, false, Math.min(units, 1), units === 0 ? 0 : value));
    else out.push(line(i, false, i === 1 ? Math.max(units - 1, 0) : 0, 0));
  }
  for (let i = nonGift; i < lines; i++) out.push(line(i, true, i === nonGift ? 1 : 0, i === nonGift ? giftValue : 0));
  return out;
}

type OrderTuple = [string, string, number, number | null, number, number, number, number, boolean, string | null, OrderLine[] | LineMeasures | null];
type RefundTuple = [string, string, number, number, RefundLine[]];

/**
 * PostgreSQL: the facts of a batch (same content as loadFactsOfBatch) as one JSON document the database assembles:
 * one JSON.parse instead of a Prisma row object per order and a JSON.parse per order's lines. The orders come from
 * the covering index alone (an index-only scan) with their line measures; the lines themselves are read (by order,
 * through the (shop, orderGid) index) only for orders a refund names lines of, orders whose measures are null, or
 * every order when a program version reads lines (`programsReadLines`). Also says which customers of the range are
 * already members (their profiles are not looked up).
 */
export async function loadFactsOfBatchPostgres(
  db: Db,
  shop: string,
  after: string | null,
  customers: string[],
  versions: { program: Program }[],
): Promise<{ facts: Map<string, MemberFacts>; members: Set<string> }> {
  const gt = after ?? "";
  const lte = customers[customers.length - 1];
  const everyOrdersLines = programsReadLines(versions);
  const lines = everyOrdersLines ? Prisma.sql`o."linesJson"::json` : Prisma.sql`to_json(o."lineMeasures")`;
  const [[{ doc }], adjustments] = await Promise.all([
    db.$queryRaw<{ doc: string }[]>`
      SELECT json_build_object(
        'members', (SELECT coalesce(json_agg(m."customerGid"), '[]') FROM "Member" m WHERE m.shop = ${shop} AND m."customerGid" > ${gt} AND m."customerGid" <= ${lte}),
        'orders', (SELECT coalesce(json_agg(json_build_array(o."customerGid", o."orderGid", ${epochMs('o."paidAt"')}, ${epochMs('o."cancelledAt"')}, o.total, o.subtotal,
                                                             o.shipping, o.tax, o."hasDiscountCode", o.channel, ${lines}) ORDER BY o."customerGid", o."paidAt", o."orderGid"), '[]')
                     FROM "OrderFact" o
                    WHERE o.shop = ${shop} AND o."customerGid" > ${gt} AND o."customerGid" <= ${lte} AND o."paidAt" IS NOT NULL AND o.test = false),
        'refunds', (SELECT coalesce(json_agg(json_build_array(r."refundGid", r."orderGid", ${epochMs('r."createdAt"')}, r.amount, r."linesJson"::json)
                                             ORDER BY r."createdAt", r."refundGid"), '[]')
                      FROM "RefundFact" r
                     WHERE r.shop = ${shop} AND ((r."customerGid" > ${gt} AND r."customerGid" <= ${lte}) OR r."customerGid" IS NULL))
      )::text AS doc`,
    db.memberAdjustment.findMany({ where: { shop, customerGid: { gt, lte } }, orderBy: [{ at: "asc" }, { key: "asc" }] }),
  ]);
  const parsed = JSON.parse(doc) as { members: string[]; orders: OrderTuple[]; refunds: RefundTuple[] };
  const ownLines = new Map<string, OrderLine[]>();
  if (!everyOrdersLines) {
    const refundedByLine = new Set(parsed.refunds.filter((r) => r[4].length > 0).map((r) => r[1]));
    const wanted = parsed.orders.filter((o) => o[10] === null || refundedByLine.has(o[1])).map((o) => o[1]);
    if (wanted.length > 0) {
      const rows = await db.$queryRaw<{ orderGid: string; linesJson: string }[]>`
        SELECT "orderGid", "linesJson" FROM "OrderFact" WHERE shop = ${shop} AND "orderGid" IN (SELECT json_array_elements_text(${JSON.stringify(wanted)}::json))`;
      for (const r of rows) ownLines.set(r.orderGid, JSON.parse(r.linesJson) as OrderLine[]);
    }
  }
  const facts = noFacts(customers);
  const customerOf = new Map<string, string>();
  for (const [customerGid, orderGid, paidAt, cancelledAt, total, subtotal, shipping, tax, hasDiscountCode, channel, read] of parsed.orders) {
    const mine = facts.get(customerGid);
    if (!mine) continue;
    mine.orders.push({
      customerGid,
      orderGid,
      paidAt: new Date(paidAt),
      cancelledAt: date(cancelledAt),
      total,
      subtotal,
      shipping,
      tax,
      hasDiscountCode,
      channel,
      lines: everyOrdersLines ? (read as OrderLine[]) : (ownLines.get(orderGid) ?? linesFromMeasures(orderGid, read as LineMeasures)),
    });
    customerOf.set(orderGid, customerGid);
  }
  for (const [refundGid, orderGid, createdAt, amount, lines] of parsed.refunds) {
    const gid = customerOf.get(orderGid);
    if (gid) facts.get(gid)!.refunds.push({ refundGid, orderGid, createdAt: new Date(createdAt), amount, lines });
  }
  for (const a of adjustments) facts.get(a.customerGid)?.adjustments.push(a);
  return { facts, members: new Set(parsed.members) };
}

type EntryTuple = [string, string, string, number, string | null, number];
type ChangeTuple = [string, string, number, string, number | null, string | null, string, string, number | null, string];

/**
 * PostgreSQL: what is stored for a batch (same content as loadStoredMembers): member and sync-state rows through
 * Prisma, and their ledgers and audit trails (the bulk: some twenty rows a member) as one JSON document.
 */
export async function loadStoredMembersPostgres(tx: Tx, shop: string, after: string | null, customers: string[]): Promise<Map<string, StoredMember>> {
  const gt = after ?? "";
  const lte = customers[customers.length - 1];
  const [members, states, [{ doc }], rewards] = await Promise.all([
    tx.member.findMany({ where: { shop, customerGid: { gt, lte } } }),
    tx.syncState.findMany({ where: { shop, subject: { in: customers } } }),
    tx.$queryRaw<{ doc: string }[]>`
      WITH ids AS (SELECT m.id FROM "Member" m WHERE m.shop = ${shop} AND m."customerGid" > ${gt} AND m."customerGid" <= ${lte})
      SELECT json_build_object(
        'entries', (SELECT coalesce(json_agg(json_build_array(e."memberId", e.key, e.kind, e.points, e."reversesKey", ${epochMs("e.at")})), '[]')
                      FROM "PointsEntry" e WHERE e.shop = ${shop} AND e."memberId" IN (SELECT id FROM ids)),
        'changes', (SELECT coalesce(json_agg(json_build_array(c."memberId", c.id, ${epochMs("c.at")}, c."toLevelId", ${epochMs('c."retractedAt"')}, c."fromLevelId",
                                                              c.cause, c.status, ${epochMs('c."levelExpiresAt"')}, c."reasonJson")), '[]')
                      FROM "LevelChange" c WHERE c.shop = ${shop} AND c."memberId" IN (SELECT id FROM ids))
      )::text AS doc`,
    issuedRewardsOfRange(tx, shop, gt, lte),
  ]);
  const parsed = JSON.parse(doc) as { entries: EntryTuple[]; changes: ChangeTuple[] };
  const byMember = new Map<string, StoredMember>();
  const out = new Map<string, StoredMember>();
  const memberBy = new Map(members.map((m) => [m.customerGid, m]));
  const stateBy = new Map(states.map((st) => [st.subject, st]));
  for (const gid of customers) {
    const member = memberBy.get(gid) ?? null;
    const stored: StoredMember = {
      member,
      entries: [],
      changes: [],
      syncState: stateBy.get(gid) ?? null,
      rewards: (member && rewards.get(member.id)) || [],
    };
    if (member) byMember.set(member.id, stored);
    out.set(gid, stored);
  }
  for (const [memberId, key, kind, points, reversesKey, at] of parsed.entries)
    byMember.get(memberId)?.entries.push({ key, kind, points, reversesKey, at: new Date(at) });
  for (const [memberId, id, at, toLevelId, retractedAt, fromLevelId, cause, status, levelExpiresAt, reasonJson] of parsed.changes) {
    byMember.get(memberId)?.changes.push({
      id,
      at: new Date(at),
      toLevelId,
      retractedAt: date(retractedAt),
      fromLevelId,
      cause,
      status,
      levelExpiresAt: date(levelExpiresAt),
      reasonJson,
    });
  }
  return out;
}
