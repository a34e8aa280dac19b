// A deterministic synthetic shop written straight into the database (not through webhooks): customers with paid
// orders (1–3 lines, shipping, tax), refunds and cancellations, and a published program. The same rows on every
// database, made here and bound in bulk: SQLite, prepared multi-row INSERTs in one transaction on the app's
// better-sqlite3 connection; PostgreSQL (generateSyntheticShopInPostgres), each column of 10,000 orders bound as one
// array (`unnest`) over two connections; any other client (a test's wrapped one), createMany. Into a fresh database
// the fact tables' indexes are built once after the load. Shared by bench/recalc.ts (100k to 1M members, 1M to 10M
// orders) and the tests (a few hundred members).
import os from "node:os";
import type { Prisma } from "@prisma/client";
import type BetterSqlite3 from "better-sqlite3";
import type { Db } from "../../app/db/client.server.ts";
import { sqliteDate, writeSqliteDirectly } from "../../app/db/sqlite-direct-writes.server.ts";
import { seededRandom } from "../../tools/sample-data/seeded-random";

export const SYNTHETIC_START = Date.UTC(2025, 0, 1);
export const SYNTHETIC_AS_OF = new Date(Date.UTC(2027, 0, 1));
const DAY = 86_400_000;
const SPAN_DAYS = 730;

/**
 * The text values made from an order's number and its customer's, in one place for every writer: in JavaScript here,
 * and as SQL over the bound number where the database builds them (the prefixes below).
 */
const ORDER_ID = "synthetic-order-";
const REFUND_ID = "synthetic-refund-";
const ORDER_GID = "gid://shopify/Order/";
const REFUND_GID = "gid://shopify/Refund/";
const LINE_GID = "gid://shopify/LineItem/";
const CUSTOMER_GID = "gid://shopify/Customer/";
const CUSTOMER_BASE = 1_000_000_000;
const refundLinesJson = (n: number) => `[{"lineId":"${LINE_GID}${n}0","quantity":1}]`;
/** SQL for the same texts, from the order's number and the customer's index as SQL expressions (integers). */
const sqlTexts = (n: string, customer: string) => ({
  orderId: `'${ORDER_ID}' || ${n}`,
  refundId: `'${REFUND_ID}' || ${n}`,
  orderGid: `'${ORDER_GID}' || ${n}`,
  refundGid: `'${REFUND_GID}' || ${n}`,
  customerGid: `'${CUSTOMER_GID}' || (${CUSTOMER_BASE} + ${customer})`,
  refundLines: `'[{"lineId":"${LINE_GID}' || ${n} || '0","quantity":1}]'`,
});

/** Customer GIDs of the synthetic shop (fixed width, so key order is numeric order too). */
export const syntheticCustomer = (i: number) => `${CUSTOMER_GID}${CUSTOMER_BASE + i}`;

/** The bench's program; `goldAt` moves Gold's spend threshold (a re-tier flips members across it). */
export function syntheticProgramJson(goldAt = "2500.00") {
  return {
    currency: "USD",
    window: { kind: "rolling", days: 365 },
    validity: { kind: "oneYear" },
    graceDays: 30,
    retention: { extendDays: 180 },
    points: { earn: [{ per: "amount", every: "1.00", points: 1, prorate: true }], rounding: "down", expiryDays: 365 },
    levels: [
      {
        id: "bronze",
        name: "Bronze",
        rank: 1,
        upgrade: [[{ kind: "orderCount", count: 2 }], [{ kind: "accumulatedSpend", amount: "100.00" }]],
        upgradePoints: 50,
      },
      {
        id: "silver",
        name: "Silver",
        rank: 2,
        upgrade: [
          [
            { kind: "accumulatedSpend", amount: "800.00" },
            { kind: "orderCount", count: 3 },
          ],
        ],
        retainAmount: "400.00",
        upgradePoints: 100,
      },
      {
        id: "gold",
        name: "Gold",
        rank: 3,
        upgrade: [[{ kind: "accumulatedSpend", amount: goldAt }], [{ kind: "singleOrder", amount: "1500.00" }]],
        retainAmount: "1200.00",
        upgradePoints: 250,
      },
    ],
  };
}

export interface SyntheticShopOptions {
  shop: string;
  members: number;
  orders: number;
  seed?: number;
  /** Rows per INSERT when the rows go through Prisma (PostgreSQL, a test's wrapped client). */
  chunk?: number;
  /** Progress on long generations (a line of text now and then). */
  onProgress?: (message: string) => void;
}

export interface SyntheticShopSummary {
  members: number;
  orders: number;
  refunds: number;
  cancellations: number;
}

/** One order of the synthetic shop, with its refund if it has one (instants in epoch milliseconds). */
interface SyntheticOrder {
  /** The order's number, 1-based in paid-time order: its id, GID and line GIDs are made from it (`orderKeys`). */
  n: number;
  /** The customer's index (`syntheticCustomer`). */
  customer: number;
  paidAt: number;
  cancelledAt: number | null;
  subtotal: number;
  shipping: number;
  tax: number;
  linesJson: string;
  /** A refund of one unit of the first line (`orderKeys` names it and its line). */
  refund: { createdAt: number; amount: number } | null;
}

/**
 * The shop's orders in the order a live shop records them: by the instant they were paid, numbered in that order, so
 * a customer's orders lie spread over the table as they do when webhooks and backfills write them (not side by side,
 * which would flatter any read by customer). Deterministic for a seed.
 */
function* syntheticOrders(opts: SyntheticShopOptions): Generator<SyntheticOrder> {
  const rand = seededRandom(opts.seed ?? 20260301);
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  // Orders per customer: even, with the remainder and a skew spread at random (the total stays exact).
  const per = new Int32Array(opts.members).fill(Math.floor(opts.orders / opts.members));
  for (let left = opts.orders - per.reduce((s, n) => s + n, 0); left > 0; left--) per[int(0, opts.members - 1)]++;
  for (let i = 0; i < opts.members; i++) {
    const a = int(0, opts.members - 1);
    const b = int(0, opts.members - 1);
    const k = Math.min(per[a] - 1, int(0, 8));
    if (k > 0) {
      per[a] -= k;
      per[b] += k;
    }
  }
  const customerOf = new Int32Array(opts.orders);
  const paidOf = new Float64Array(opts.orders);
  for (let m = 0, k = 0; m < opts.members; m++)
    for (let j = 0; j < per[m]; j++, k++) {
      customerOf[k] = m;
      paidOf[k] = SYNTHETIC_START + Math.floor(rand() * SPAN_DAYS * DAY);
    }
  const byTime = paidTimeOrder(paidOf);
  const bought = new Uint8Array(opts.members);
  for (let i = 0; i < byTime.length; i++) {
    const n = i + 1;
    const paid = paidOf[byTime[i]];
    const customer = customerOf[byTime[i]];
    // A customer's first order is never cancelled, so every customer is a member.
    const first = bought[customer] === 0;
    bought[customer] = 1;
    // The lines' JSON as JSON.stringify writes these objects (no collections, no tags, no gift cards).
    const lineCount = int(1, 3);
    let linesJson = "[";
    let subtotal = 0;
    let firstPrice = 0;
    for (let l = 0; l < lineCount; l++) {
      const product = int(0, 498);
      const quantity = int(1, 2);
      const price = int(5, 120) * 100;
      if (l === 0) firstPrice = price;
      subtotal += quantity * price;
      linesJson += `${l ? "," : ""}{"id":"${LINE_GID}${n}${l}","productId":"p${product}","quantity":${quantity},"price":${price},"collectionIds":[],"tags":[],"giftCard":false}`;
    }
    linesJson += "]";
    const shipping = rand() < 0.6 ? 0 : 990;
    const tax = Math.round(subtotal * 0.08);
    const r = rand();
    const cancelled = r >= 0.05 && r < 0.06 && !first;
    yield {
      n,
      customer,
      paidAt: paid,
      cancelledAt: cancelled ? paid + int(0, 3) * DAY : null,
      subtotal,
      shipping,
      tax,
      linesJson,
      refund: r < 0.05 ? { createdAt: paid + int(1, 30) * DAY, amount: firstPrice } : null,
    };
  }
}

/** Indexes of `paidOf` by paid instant, ties by index (a stable sort). */
function paidTimeOrder(paidOf: Float64Array): Uint32Array {
  return new Uint32Array(paidOf.length).map((_, i) => i).sort((a, b) => paidOf[a] - paidOf[b] || a - b);
}

const FACT_TABLES = ["OrderFact", "RefundFact"];
const ORDER_COLUMNS = [
  "id",
  "shop",
  "orderGid",
  "customerGid",
  "paidAt",
  "cancelledAt",
  "financialStatus",
  "channel",
  "currency",
  "total",
  "subtotal",
  "shipping",
  "tax",
  "linesJson",
  "sourceUpdatedAt",
  "source",
  "scopeState",
  "createdAt",
  "updatedAt",
];
const REFUND_COLUMNS = ["id", "shop", "refundGid", "orderGid", "customerGid", "createdAt", "amount", "linesJson", "recordedAt"];
const columnList = (columns: string[]) => columns.map((c) => `"${c}"`).join(", ");
const sqlString = (text: string) => `'${text.replaceAll("'", "''")}'`;

/**
 * What the writers bind per row (the rest is constant or made from these, by `sqlTexts`): an order's number, its
 * customer's index, paid and cancelled instants, subtotal, shipping, tax and lines; a refund's order number, customer,
 * instant, amount and its order's paid instant (the refund's `recordedAt`).
 */
const ORDER_PARAMS = 8;
const REFUND_PARAMS = 5;

/**
 * The SELECT list that turns the bound values (columns c1…c8 / c1…c5 of a row source, instants already as the
 * database's DateTime values) into the fact tables' rows, in ORDER_COLUMNS / REFUND_COLUMNS order.
 */
function orderSelectList(shop: string, c: (i: number) => string): string {
  const t = sqlTexts(c(1), c(2));
  return [t.orderId, sqlString(shop), t.orderGid, t.customerGid, c(3), c(4), "'paid'", "'online_store'", "'USD'", `${c(5)} + ${c(6)} + ${c(7)}`]
    .concat([c(5), c(6), c(7), c(8), c(3), "'backfill'", "'resolved'", c(3), c(3)])
    .join(", ");
}
function refundSelectList(shop: string, c: (i: number) => string): string {
  const t = sqlTexts(c(1), c(2));
  return [t.refundId, sqlString(shop), t.refundGid, t.orderGid, t.customerGid, c(3), c(4), t.refundLines, c(5)].join(", ");
}

/** Rows per prepared INSERT on SQLite (8 parameters a row: 2,000 parameters, under the bundled SQLite's 32,766). */
const SQLITE_ROWS_PER_INSERT = 250;

/**
 * SQLite: one statement per table, `INSERT … SELECT … FROM (VALUES (?, …), …)`, prepared once for a full chunk of rows.
 * better-sqlite3 binds JavaScript numbers as REAL, hence the CASTs where a number becomes text.
 */
function sqliteInsertSql(shop: string, table: "OrderFact" | "RefundFact", rows: number): string {
  const order = table === "OrderFact";
  const params = order ? ORDER_PARAMS : REFUND_PARAMS;
  const c = (i: number) => (i <= 2 ? `CAST(column${i} AS INTEGER)` : `column${i}`);
  const row = `(${Array.from({ length: params }, () => "?").join(", ")})`;
  return `INSERT INTO "${table}" (${columnList(order ? ORDER_COLUMNS : REFUND_COLUMNS)}) SELECT ${order ? orderSelectList(shop, c) : refundSelectList(shop, c)} FROM (VALUES ${Array.from({ length: rows }, () => row).join(", ")})`;
}

/**
 * SQLite bulk-load settings, for the generation and for the floor it is measured against (recalc-floors.ts) alike: a
 * page cache that holds the tables and the indexes being built (512 MB at most), and the sorter's helper threads
 * for CREATE INDEX (the machine's cores). Connection settings only: the database written is the same.
 */
export function sqliteBulkLoadPragmas(database: BetterSqlite3.Database): () => void {
  const before = { cache_size: database.pragma("cache_size", { simple: true }), threads: database.pragma("threads", { simple: true }) };
  database.pragma("cache_size = -524288");
  database.pragma(`threads = ${Math.min(8, Math.max(1, os.availableParallelism()))}`);
  return () => {
    database.pragma(`cache_size = ${before.cache_size}`);
    database.pragma(`threads = ${before.threads}`);
  };
}

/** The schema's own CREATE INDEX statements on the fact tables (SQLite; the primary keys' automatic indexes aside). */
export function sqliteFactIndexes(database: BetterSqlite3.Database, tables = FACT_TABLES): { name: string; sql: string }[] {
  return database
    .prepare(
      `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (${tables.map(() => "?").join(", ")}) ORDER BY name`,
    )
    .all(...tables) as { name: string; sql: string }[];
}

/**
 * SQLite: every fact in one transaction on the better-sqlite3 connection. Into empty tables (a fresh database) the
 * secondary indexes are dropped first and built once after the load, from sorted keys, rather than grown insert by
 * insert at random places: the schema's own CREATE INDEX statements, run again as they are.
 */
function writeOnSqlite(database: BetterSqlite3.Database, opts: SyntheticShopOptions, summary: SyntheticShopSummary): void {
  const log = opts.onProgress ?? (() => undefined);
  const started = performance.now();
  const empty = FACT_TABLES.every((t) => database.prepare(`SELECT 1 FROM "${t}" LIMIT 1`).get() === undefined);
  const indexes = empty ? sqliteFactIndexes(database) : [];
  for (const i of indexes) database.exec(`DROP INDEX "${i.name}"`);
  const fullOrders = database.prepare(sqliteInsertSql(opts.shop, "OrderFact", SQLITE_ROWS_PER_INSERT));
  const fullRefunds = database.prepare(sqliteInsertSql(opts.shop, "RefundFact", SQLITE_ROWS_PER_INSERT));
  const orders: unknown[] = [];
  const refunds: unknown[] = [];
  const date = (ms: number) => sqliteDate(new Date(ms));
  const flush = (table: "OrderFact" | "RefundFact", values: unknown[], full: BetterSqlite3.Statement) => {
    const rows = values.length / (table === "OrderFact" ? ORDER_PARAMS : REFUND_PARAMS);
    (rows === SQLITE_ROWS_PER_INSERT ? full : database.prepare(sqliteInsertSql(opts.shop, table, rows))).run(values);
    values.length = 0;
  };
  for (const o of syntheticOrders(opts)) {
    const paid = date(o.paidAt);
    orders.push(o.n, o.customer, paid, o.cancelledAt === null ? null : date(o.cancelledAt), o.subtotal, o.shipping, o.tax, o.linesJson);
    summary.orders++;
    if (o.cancelledAt !== null) summary.cancellations++;
    if (o.refund) {
      refunds.push(o.n, o.customer, date(o.refund.createdAt), o.refund.amount, paid);
      summary.refunds++;
      if (refunds.length === SQLITE_ROWS_PER_INSERT * REFUND_PARAMS) flush("RefundFact", refunds, fullRefunds);
    }
    if (orders.length === SQLITE_ROWS_PER_INSERT * ORDER_PARAMS) flush("OrderFact", orders, fullOrders);
    if (summary.orders % 1_000_000 === 0) log(`generated ${summary.orders} orders in ${Math.round(performance.now() - started)} ms`);
  }
  if (orders.length) flush("OrderFact", orders, fullOrders);
  if (refunds.length) flush("RefundFact", refunds, fullRefunds);
  log(`loaded ${summary.orders} orders and ${summary.refunds} refunds in ${Math.round(performance.now() - started)} ms`);
  for (const i of indexes) database.exec(i.sql);
  if (indexes.length) log(`indexed in ${Math.round(performance.now() - started)} ms`);
}

/** Any other client (a test's wrapped SQLite client, PostgreSQL through Prisma): createMany in chunks. */
async function writeThroughPrisma(db: Db, opts: SyntheticShopOptions, summary: SyntheticShopSummary): Promise<void> {
  const chunk = opts.chunk ?? 2000;
  let orders: Prisma.OrderFactCreateManyInput[] = [];
  let refunds: Prisma.RefundFactCreateManyInput[] = [];
  const flush = async (force: boolean) => {
    if (orders.length >= chunk || (force && orders.length)) {
      await db.orderFact.createMany({ data: orders });
      orders = [];
    }
    if (refunds.length >= chunk || (force && refunds.length)) {
      await db.refundFact.createMany({ data: refunds });
      refunds = [];
    }
  };
  for (const o of syntheticOrders(opts)) {
    const paid = new Date(o.paidAt);
    const orderGid = `${ORDER_GID}${o.n}`;
    const customerGid = syntheticCustomer(o.customer);
    orders.push({
      id: `${ORDER_ID}${o.n}`,
      shop: opts.shop,
      orderGid,
      customerGid,
      paidAt: paid,
      cancelledAt: o.cancelledAt === null ? null : new Date(o.cancelledAt),
      financialStatus: "paid",
      channel: "online_store",
      currency: "USD",
      total: o.subtotal + o.shipping + o.tax,
      subtotal: o.subtotal,
      shipping: o.shipping,
      tax: o.tax,
      linesJson: o.linesJson,
      sourceUpdatedAt: paid,
      source: "backfill",
      scopeState: "resolved",
      createdAt: paid,
      updatedAt: paid,
    });
    summary.orders++;
    if (o.cancelledAt !== null) summary.cancellations++;
    if (o.refund) {
      refunds.push({
        id: `${REFUND_ID}${o.n}`,
        shop: opts.shop,
        refundGid: `${REFUND_GID}${o.n}`,
        orderGid,
        customerGid,
        createdAt: new Date(o.refund.createdAt),
        amount: o.refund.amount,
        linesJson: refundLinesJson(o.n),
        recordedAt: paid,
      });
      summary.refunds++;
    }
    await flush(false);
  }
  await flush(true);
}

/** Writes the shop row, a published program and the facts. The shop must not exist yet. */
export async function generateSyntheticShop(db: Db, opts: SyntheticShopOptions): Promise<SyntheticShopSummary> {
  const publishedAt = new Date(SYNTHETIC_START - DAY);
  await db.shop.create({ data: { domain: opts.shop, currency: "USD", installedAt: publishedAt, rewardsFrom: null } });
  await db.programVersion.create({
    data: { shop: opts.shop, status: "published", programJson: JSON.stringify(syntheticProgramJson()), publishedAt, createdAt: publishedAt },
  });
  const summary: SyntheticShopSummary = { members: opts.members, orders: 0, refunds: 0, cancellations: 0 };
  const direct = await writeSqliteDirectly(db, (database) => {
    const restore = sqliteBulkLoadPragmas(database);
    try {
      writeOnSqlite(database, opts, summary);
    } finally {
      restore();
    }
    return true;
  });
  if (direct === null) await writeThroughPrisma(db, opts, summary);
  return summary;
}

/** Publishes the program again with Gold's threshold moved: the next full recalculation re-tiers members. */
export async function republish(db: Db, shop: string, goldAt: string, publishedAt: Date): Promise<void> {
  await db.programVersion.updateMany({ where: { shop, status: "published" }, data: { status: "superseded" } });
  await db.programVersion.create({
    data: { shop, status: "published", programJson: JSON.stringify(syntheticProgramJson(goldAt)), publishedAt, createdAt: publishedAt },
  });
}

/** A PostgreSQL connection as the generation and the floors use it (a `pg` Client). */
export interface PgConnection {
  query: (sql: string, values?: unknown[]) => Promise<unknown>;
  end: () => Promise<void>;
}

/** What the PostgreSQL generation needs: connections to open (`parallel` of them load side by side). */
export interface SyntheticShopInPostgresOptions {
  shop: string;
  members: number;
  orders: number;
  connect: () => Promise<PgConnection>;
  parallel?: number;
  seed?: number;
  onProgress?: (message: string) => void;
}

/** Orders per INSERT on PostgreSQL: a few MB of bound arrays per statement. */
const POSTGRES_ORDERS_PER_INSERT = 10_000;

/**
 * PostgreSQL: one statement per table and chunk, `INSERT … SELECT … FROM unnest($1::bigint[], …)`: each column's
 * values of the chunk bound as one array. Instants are bound as ISO texts (`timestamp` ignores their "Z"; the
 * session's time zone does not enter).
 */
function postgresInsertSql(shop: string, table: "OrderFact" | "RefundFact"): string {
  const order = table === "OrderFact";
  const types = order
    ? ["bigint", "bigint", "timestamp", "timestamp", "bigint", "bigint", "bigint", "text"]
    : ["bigint", "bigint", "timestamp", "bigint", "timestamp"];
  const c = (i: number) => `r.c${i}`;
  const names = types.map((_, i) => `c${i + 1}`).join(", ");
  const arrays = types.map((t, i) => `$${i + 1}::${t}[]`).join(", ");
  return `INSERT INTO "${table}" (${columnList(order ? ORDER_COLUMNS : REFUND_COLUMNS)}) SELECT ${order ? orderSelectList(shop, c) : refundSelectList(shop, c)} FROM unnest(${arrays}) AS r(${names})`;
}

/**
 * The fact tables' primary keys and indexes as the schema has them, as statements that drop them and statements that
 * build them again (PostgreSQL). `rename` maps a table name to the table the statements are for (the floor builds
 * the same indexes on its copies).
 */
export async function postgresFactIndexes(
  conn: PgConnection,
  rename: (table: string) => string = (t) => t,
): Promise<{ drop: string[]; build: string[] }> {
  const { rows } = (await conn.query(
    `SELECT i.tablename, i.indexname, i.indexdef, c.conname FROM pg_indexes i
       LEFT JOIN pg_constraint c ON c.conname = i.indexname AND c.contype = 'p'
      WHERE i.schemaname = current_schema() AND i.tablename = ANY($1) ORDER BY i.tablename, i.indexname`,
    [FACT_TABLES],
  )) as { rows: { tablename: string; indexname: string; indexdef: string; conname: string | null }[] };
  const drop: string[] = [];
  const build: string[] = [];
  for (const r of rows) {
    const table = rename(r.tablename);
    const name = table === r.tablename ? r.indexname : `${table}_${r.indexname}`;
    if (r.conname) {
      drop.push(`ALTER TABLE "${r.tablename}" DROP CONSTRAINT "${r.indexname}"`);
      const key = /USING btree \((.*)\)$/.exec(r.indexdef)![1];
      build.push(`ALTER TABLE "${table}" ADD CONSTRAINT "${name}" PRIMARY KEY (${key})`);
    } else {
      drop.push(`DROP INDEX "${r.indexname}"`);
      build.push(r.indexdef.replace(`INDEX "${r.indexname}" ON `, `INDEX "${name}" ON `).replace(/ ON (\w+\.)?"[^"]+" /, ` ON "${table}" `));
    }
  }
  return { drop, build };
}

/**
 * Runs `statements` on `parallel` connections side by side, each taking the next one when it is free; with no
 * parallel maintenance workers, so the work stays in the connections' own processes (the bench reads their CPU time).
 */
export async function runSideBySide(connect: () => Promise<PgConnection>, statements: string[], parallel: number): Promise<void> {
  const queue = [...statements];
  await Promise.all(
    Array.from({ length: Math.min(parallel, queue.length) }, async () => {
      const conn = await connect();
      try {
        await conn.query("SET max_parallel_maintenance_workers = 0");
        for (let sql = queue.shift(); sql; sql = queue.shift()) await conn.query(sql);
      } finally {
        await conn.end();
      }
    }),
  );
}

/**
 * The same shop as on SQLite, row for row, written into a fresh PostgreSQL database: the rows are made here and sent
 * in chunks of 10,000 orders, each column's values as one array (`unnest`), over `parallel` connections so the
 * database inserts one chunk while the next is made. For a fresh database only: the fact tables' keys and indexes
 * are dropped for the load and built again after it (`parallel` side by side), then the tables are vacuumed and
 * ANALYZEd (the bench servers run without autovacuum; the vacuum sets the visibility map the re-tier's index-only
 * scans need).
 */
export async function generateSyntheticShopInPostgres(opts: SyntheticShopInPostgresOptions): Promise<SyntheticShopSummary> {
  const publishedAt = new Date(SYNTHETIC_START - DAY).toISOString();
  const log = opts.onProgress ?? (() => undefined);
  const parallel = Math.max(1, opts.parallel ?? 2);
  const main = await opts.connect();
  try {
    await main.query(
      `INSERT INTO "Shop" (id, domain, currency, "installedAt", "createdAt", "updatedAt") VALUES ('synthetic-shop', $1, 'USD', $2, $2, $2)`,
      [opts.shop, publishedAt],
    );
    await main.query(
      `INSERT INTO "ProgramVersion" (id, shop, status, "programJson", "publishedAt", "createdAt", "updatedAt") VALUES ('synthetic-v1', $1, 'published', $2, $3, $3, $3)`,
      [opts.shop, JSON.stringify(syntheticProgramJson()), publishedAt],
    );
    const indexes = await postgresFactIndexes(main);
    for (const sql of indexes.drop) await main.query(sql);

    const summary: SyntheticShopSummary = { members: opts.members, orders: 0, refunds: 0, cancellations: 0 };
    const ordersSql = postgresInsertSql(opts.shop, "OrderFact");
    const refundsSql = postgresInsertSql(opts.shop, "RefundFact");
    const conns = await Promise.all(Array.from({ length: parallel }, () => opts.connect()));
    const free = [...conns];
    const sending = new Set<Promise<void>>();
    let failure: unknown = null;
    const send = async (orders: unknown[][], refunds: unknown[][]) => {
      while (free.length === 0) await Promise.race(sending);
      if (failure) throw failure;
      const conn = free.pop()!;
      const sent = Promise.resolve().then(async () => {
        try {
          await conn.query(ordersSql, orders);
          if (refunds[0].length) await conn.query(refundsSql, refunds);
        } catch (error) {
          failure ??= error;
        } finally {
          free.push(conn);
          sending.delete(sent);
        }
      });
      sending.add(sent);
    };
    const columns = (n: number) => Array.from({ length: n }, (): unknown[] => []);
    const started = performance.now();
    try {
      let orders = columns(ORDER_PARAMS);
      let refunds = columns(REFUND_PARAMS);
      const iso = (ms: number) => new Date(ms).toISOString();
      for (const o of syntheticOrders(opts)) {
        const paid = iso(o.paidAt);
        const row = [o.n, o.customer, paid, o.cancelledAt === null ? null : iso(o.cancelledAt), o.subtotal, o.shipping, o.tax, o.linesJson];
        for (let i = 0; i < ORDER_PARAMS; i++) orders[i].push(row[i]);
        summary.orders++;
        if (o.cancelledAt !== null) summary.cancellations++;
        if (o.refund) {
          const refund = [o.n, o.customer, iso(o.refund.createdAt), o.refund.amount, paid];
          for (let i = 0; i < REFUND_PARAMS; i++) refunds[i].push(refund[i]);
          summary.refunds++;
        }
        if (orders[0].length === POSTGRES_ORDERS_PER_INSERT) {
          await send(orders, refunds);
          orders = columns(ORDER_PARAMS);
          refunds = columns(REFUND_PARAMS);
          if (summary.orders % 1_000_000 === 0) log(`generated ${summary.orders} orders in ${Math.round(performance.now() - started)} ms`);
        }
      }
      if (orders[0].length) await send(orders, refunds);
      await Promise.all(sending);
      if (failure) throw failure;
    } finally {
      await Promise.all(conns.map((c) => c.end()));
    }
    log(`loaded ${summary.orders} orders and ${summary.refunds} refunds in ${Math.round(performance.now() - started)} ms`);
    await runSideBySide(opts.connect, indexes.build, parallel);
    log(`indexed in ${Math.round(performance.now() - started)} ms`);
    for (const table of [...FACT_TABLES, "Shop", "ProgramVersion"]) await main.query(`VACUUM ANALYZE "${table}"`);
    log(`vacuumed in ${Math.round(performance.now() - started)} ms`);
    return summary;
  } finally {
    await main.end();
  }
}
