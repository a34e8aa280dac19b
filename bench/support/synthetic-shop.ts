// A deterministic synthetic shop written straight into the database (SQLite: prepared multi-row INSERTs in one
// transaction on the app's better-sqlite3 connection; otherwise createMany; not webhooks): customers with paid orders (1–3 lines, shipping, tax), refunds and cancellations, and a published
// program. Shared by bench/recalc.ts (1M members, 10M orders) and the full-recalculation tests (a few hundred).
import type { Prisma } from "@prisma/client";
import type BetterSqlite3 from "better-sqlite3";
import type { Db } from "../../app/db/client.server.ts";
import { sqliteDate, writeSqliteDirectly } from "../../app/db/sqlite-direct-writes.server.ts";
import { seededRandom } from "../../tools/sample-data/seeded-random";

export const SYNTHETIC_START = Date.UTC(2025, 0, 1);
export const SYNTHETIC_AS_OF = new Date(Date.UTC(2027, 0, 1));
const DAY = 86_400_000;
const SPAN_DAYS = 730;

/** Customer GIDs of the synthetic shop (fixed width, so key order is numeric order too). */
export const syntheticCustomer = (i: number) => `gid://shopify/Customer/${String(1_000_000_000 + i)}`;

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
  /** Called after each chunk of orders (progress on long generations). */
  onProgress?: (ordersWritten: number) => void;
}

export interface SyntheticShopSummary {
  members: number;
  orders: number;
  refunds: number;
  cancellations: number;
}

/** One order of the synthetic shop, with its refund if it has one (instants in epoch milliseconds). */
interface SyntheticOrder {
  n: number;
  orderGid: string;
  customerGid: string;
  paidAt: number;
  cancelledAt: number | null;
  total: number;
  subtotal: number;
  shipping: number;
  tax: number;
  linesJson: string;
  refund: { refundGid: string; createdAt: number; amount: number; linesJson: string } | null;
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
  const byTime = new Uint32Array(opts.orders).map((_, i) => i).sort((a, b) => paidOf[a] - paidOf[b] || a - b);
  const bought = new Uint8Array(opts.members);
  for (let i = 0; i < byTime.length; i++) {
    const n = i + 1;
    const paid = paidOf[byTime[i]];
    const customer = customerOf[byTime[i]];
    // A customer's first order is never cancelled, so every customer is a member.
    const first = bought[customer] === 0;
    bought[customer] = 1;
    const lines = Array.from({ length: int(1, 3) }, (_, l) => ({
      id: `gid://shopify/LineItem/${n}${l}`,
      productId: `p${int(0, 498)}`,
      quantity: int(1, 2),
      price: int(5, 120) * 100,
      collectionIds: [],
      tags: [],
      giftCard: false,
    }));
    const subtotal = lines.reduce((s, l) => s + l.quantity * l.price, 0);
    const shipping = rand() < 0.6 ? 0 : 990;
    const tax = Math.round(subtotal * 0.08);
    const r = rand();
    const cancelled = r >= 0.05 && r < 0.06 && !first;
    yield {
      n,
      orderGid: `gid://shopify/Order/${n}`,
      customerGid: syntheticCustomer(customer),
      paidAt: paid,
      cancelledAt: cancelled ? paid + int(0, 3) * DAY : null,
      total: subtotal + shipping + tax,
      subtotal,
      shipping,
      tax,
      linesJson: JSON.stringify(lines),
      refund:
        r < 0.05
          ? {
              refundGid: `gid://shopify/Refund/${n}`,
              createdAt: paid + int(1, 30) * DAY,
              amount: lines[0].price,
              linesJson: JSON.stringify([{ lineId: lines[0].id, quantity: 1 }]),
            }
          : null,
    };
  }
}

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
const FACT_TABLES = ["OrderFact", "RefundFact"];
const REFUND_COLUMNS = ["id", "shop", "refundGid", "orderGid", "customerGid", "createdAt", "amount", "linesJson", "recordedAt"];
/** Rows per prepared INSERT on SQLite (19 columns: 760 parameters, under SQLite's 999 of old builds too). */
const SQLITE_ROWS_PER_INSERT = 40;

/** Row values in ORDER_COLUMNS / REFUND_COLUMNS order, with instants as `date` makes them. */
function orderValues<D>(shop: string, o: SyntheticOrder, date: (ms: number) => D): unknown[] {
  const paid = date(o.paidAt);
  return [
    `synthetic-order-${o.n}`,
    shop,
    o.orderGid,
    o.customerGid,
    paid,
    o.cancelledAt === null ? null : date(o.cancelledAt),
    "paid",
    "online_store",
    "USD",
    o.total,
    o.subtotal,
    o.shipping,
    o.tax,
    o.linesJson,
    paid,
    "backfill",
    "resolved",
    paid,
    paid,
  ];
}
function refundValues<D>(shop: string, o: SyntheticOrder, date: (ms: number) => D): unknown[] {
  const r = o.refund!;
  return [`synthetic-refund-${o.n}`, shop, r.refundGid, o.orderGid, o.customerGid, date(r.createdAt), r.amount, r.linesJson, date(o.paidAt)];
}

/** A multi-row INSERT of `rows` rows of `columns`, as SQL text with `?` parameters. */
const insertSql = (table: string, columns: string[], rows: number) =>
  `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(", ")}) VALUES ${Array.from({ length: rows }, () => `(${columns.map(() => "?").join(", ")})`).join(", ")}`;

/**
 * SQLite: every fact in one transaction on the better-sqlite3 connection, through prepared multi-row INSERTs (one
 * statement object reused for every full chunk): about the speed of loading the rows raw.
 */
function writeOnSqlite(database: BetterSqlite3.Database, opts: SyntheticShopOptions, summary: SyntheticShopSummary): void {
  // Into empty tables (a fresh database), the indexes are built once after the load, from sorted keys, rather than
  // grown insert by insert at random places: the schema's own CREATE INDEX statements, run again as they are.
  const empty = FACT_TABLES.every((t) => database.prepare(`SELECT 1 FROM "${t}" LIMIT 1`).get() === undefined);
  const indexes = empty
    ? (database
        .prepare(
          `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (${FACT_TABLES.map(() => "?").join(", ")})`,
        )
        .all(...FACT_TABLES) as { name: string; sql: string }[])
    : [];
  for (const i of indexes) database.exec(`DROP INDEX "${i.name}"`);
  insertFacts(database, opts, summary);
  for (const i of indexes) database.exec(i.sql);
}

function insertFacts(database: BetterSqlite3.Database, opts: SyntheticShopOptions, summary: SyntheticShopSummary): void {
  const date = (ms: number) => sqliteDate(new Date(ms));
  const fullOrders = database.prepare(insertSql("OrderFact", ORDER_COLUMNS, SQLITE_ROWS_PER_INSERT));
  const fullRefunds = database.prepare(insertSql("RefundFact", REFUND_COLUMNS, SQLITE_ROWS_PER_INSERT));
  let orders: unknown[] = [];
  let refunds: unknown[] = [];
  const flushOrders = (rows: number) => {
    (rows === SQLITE_ROWS_PER_INSERT ? fullOrders : database.prepare(insertSql("OrderFact", ORDER_COLUMNS, rows))).run(orders);
    orders = [];
  };
  const flushRefunds = (rows: number) => {
    (rows === SQLITE_ROWS_PER_INSERT ? fullRefunds : database.prepare(insertSql("RefundFact", REFUND_COLUMNS, rows))).run(refunds);
    refunds = [];
  };
  for (const o of syntheticOrders(opts)) {
    orders.push(...orderValues(opts.shop, o, date));
    summary.orders++;
    if (o.cancelledAt !== null) summary.cancellations++;
    if (o.refund) {
      refunds.push(...refundValues(opts.shop, o, date));
      summary.refunds++;
      if (refunds.length === SQLITE_ROWS_PER_INSERT * REFUND_COLUMNS.length) flushRefunds(SQLITE_ROWS_PER_INSERT);
    }
    if (orders.length === SQLITE_ROWS_PER_INSERT * ORDER_COLUMNS.length) {
      flushOrders(SQLITE_ROWS_PER_INSERT);
      if (summary.orders % 100_000 === 0) opts.onProgress?.(summary.orders);
    }
  }
  if (orders.length) flushOrders(orders.length / ORDER_COLUMNS.length);
  if (refunds.length) flushRefunds(refunds.length / REFUND_COLUMNS.length);
}

/** Any other client (PostgreSQL, a test's wrapped SQLite client): createMany in chunks. */
async function writeThroughPrisma(db: Db, opts: SyntheticShopOptions, summary: SyntheticShopSummary): Promise<void> {
  const chunk = opts.chunk ?? 2000;
  const row = (columns: string[], values: unknown[]) => Object.fromEntries(columns.map((c, i) => [c, values[i]]));
  const date = (ms: number) => new Date(ms);
  let orders: Prisma.OrderFactCreateManyInput[] = [];
  let refunds: Prisma.RefundFactCreateManyInput[] = [];
  const flush = async (force: boolean) => {
    if (orders.length >= chunk || (force && orders.length)) {
      await db.orderFact.createMany({ data: orders });
      orders = [];
      opts.onProgress?.(summary.orders);
    }
    if (refunds.length >= chunk || (force && refunds.length)) {
      await db.refundFact.createMany({ data: refunds });
      refunds = [];
    }
  };
  for (const o of syntheticOrders(opts)) {
    orders.push(row(ORDER_COLUMNS, orderValues(opts.shop, o, date)) as Prisma.OrderFactCreateManyInput);
    summary.orders++;
    if (o.cancelledAt !== null) summary.cancellations++;
    if (o.refund) {
      refunds.push(row(REFUND_COLUMNS, refundValues(opts.shop, o, date)) as Prisma.RefundFactCreateManyInput);
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
    // A page cache that holds the fact indexes while they grow (each insert lands at a random place in them); the
    // connection's own size is put back after.
    const cacheSize = database.pragma("cache_size", { simple: true }) as number;
    database.pragma("cache_size = -524288");
    try {
      writeOnSqlite(database, opts, summary);
    } finally {
      database.pragma(`cache_size = ${cacheSize}`);
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

/** What a server-side generation needs: a PostgreSQL connection to open (one per parallel slice). */
export interface SyntheticShopInPostgresOptions {
  shop: string;
  members: number;
  orders: number;
  /** Opens a connection; the generation runs `parallel` slices of the orders side by side. */
  connect: () => Promise<{ query: (sql: string, values?: unknown[]) => Promise<unknown>; end: () => Promise<void> }>;
  parallel?: number;
  seed?: number;
  onProgress?: (message: string) => void;
}

/**
 * The same kind of shop, generated by PostgreSQL itself (INSERT … SELECT over generate_series, values derived from
 * hashes of the order number): 10M orders load in minutes, not hours of client round trips. For a fresh database
 * only: the fact tables' indexes are dropped for the load and rebuilt after it, then the tables are vacuumed and
 * ANALYZEd (the bench servers run without autovacuum).
 *
 * Order n (1-based) belongs to customer n − 1 for the first `members` orders (every customer buys at least once),
 * then to a customer picked by hash (about `orders / members` each, Poisson-skewed). 5% of orders get a refund of
 * one unit of their first line, 1% are cancelled within 3 days. Not row-for-row the client generator's shop.
 */
export async function generateSyntheticShopInPostgres(opts: SyntheticShopInPostgresOptions): Promise<SyntheticShopSummary> {
  const seed = opts.seed ?? 20260301;
  const publishedAt = new Date(SYNTHETIC_START - DAY).toISOString();
  const log = opts.onProgress ?? (() => undefined);
  const main = await opts.connect();
  const h = (expr: string, salt: number) => `abs(hashint8extended(${expr}, ${seed + salt}))`;
  try {
    await main.query(
      `INSERT INTO "Shop" (id, domain, currency, "installedAt", "createdAt", "updatedAt") VALUES ('synthetic-shop', $1, 'USD', $2, $2, $2)`,
      [opts.shop, publishedAt],
    );
    await main.query(
      `INSERT INTO "ProgramVersion" (id, shop, status, "programJson", "publishedAt", "createdAt", "updatedAt") VALUES ('synthetic-v1', $1, 'published', $2, $3, $3, $3)`,
      [opts.shop, JSON.stringify(syntheticProgramJson()), publishedAt],
    );
    // The schema's own index definitions, dropped for the load and run again after it (primary keys aside).
    const { rows: indexDefs } = (await main.query(
      `SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('OrderFact', 'RefundFact') AND indexname NOT LIKE '%\\_pkey' ORDER BY indexname`,
    )) as { rows: { indexname: string; indexdef: string }[] };
    await main.query(`ALTER TABLE "OrderFact" DROP CONSTRAINT "OrderFact_pkey"; ALTER TABLE "RefundFact" DROP CONSTRAINT "RefundFact_pkey"`);
    for (const i of indexDefs) await main.query(`DROP INDEX "${i.indexname}"`);

    // Per order n: customer, paid instant, 1–3 lines (product, quantity, unit price), shipping, refund/cancel draw.
    const perOrder = `
      SELECT n,
             CASE WHEN n <= ${opts.members} THEN n - 1 ELSE ${h("n", 1)} % ${opts.members} END AS c,
             timestamp '2025-01-01' + (${h("n", 2)} % ${SPAN_DAYS * DAY}) * interval '1 millisecond' AS paid,
             1 + ${h("n", 3)} % 3 AS line_count,
             CASE WHEN ${h("n", 6)} % 10 < 6 THEN 0 ELSE 990 END AS shipping,
             ${h("n", 5)} % 1000 AS draw
        FROM generate_series($1::bigint, $2::bigint) AS n`;
    const line = (l: string) => `(1 + ${h(`n * 4 + ${l}`, 7)} % 2)`;
    const price = (l: string) => `((5 + ${h(`n * 4 + ${l}`, 8)} % 116) * 100)`;
    const ordersSql = `
      INSERT INTO "OrderFact" (id, shop, "orderGid", "customerGid", "paidAt", "cancelledAt", "financialStatus", channel, currency,
                               total, subtotal, shipping, tax, "linesJson", "sourceUpdatedAt", source, "createdAt", "updatedAt")
      SELECT 'synthetic-order-' || n, $3, 'gid://shopify/Order/' || n, 'gid://shopify/Customer/' || (1000000000 + c), paid,
             CASE WHEN draw >= 50 AND draw < 60 THEN paid + (${h("n", 9)} % 4) * interval '1 day' END,
             'paid', 'online_store', 'USD',
             lines.subtotal + shipping + round(lines.subtotal * 0.08), lines.subtotal, shipping, round(lines.subtotal * 0.08),
             lines.json, paid, 'backfill', paid, paid
        FROM (${perOrder}) AS o
        CROSS JOIN LATERAL (
          SELECT '[' || string_agg(json_build_object('id', 'gid://shopify/LineItem/' || n || l, 'productId', 'p' || ${h("n * 4 + l", 10)} % 499,
                                     'quantity', ${line("l")}, 'price', ${price("l")}, 'collectionIds', json_build_array(), 'tags', json_build_array(),
                                     'giftCard', false)::text, ',' ORDER BY l) || ']' AS json,
                 sum(${line("l")} * ${price("l")}) AS subtotal
            FROM generate_series(0, line_count - 1) AS l) AS lines`;
    const refundsSql = `
      INSERT INTO "RefundFact" (id, shop, "refundGid", "orderGid", "customerGid", "createdAt", amount, "linesJson", "recordedAt")
      SELECT 'synthetic-refund-' || n, $3, 'gid://shopify/Refund/' || n, 'gid://shopify/Order/' || n, 'gid://shopify/Customer/' || (1000000000 + c),
             paid + (1 + ${h("n", 11)} % 30) * interval '1 day', ${price("0")},
             '[{"lineId":"gid://shopify/LineItem/' || n || '0","quantity":1}]', paid
        FROM (${perOrder}) AS o WHERE draw < 50`;

    const parallel = Math.max(1, opts.parallel ?? 2);
    const slice = 500_000;
    let next = 1;
    let loaded = 0;
    const started = performance.now();
    const runSlices = async () => {
      const conn = await opts.connect();
      try {
        for (;;) {
          const lo = next;
          if (lo > opts.orders) return;
          const hi = Math.min(opts.orders, lo + slice - 1);
          next = hi + 1;
          await conn.query(ordersSql, [lo, hi, opts.shop]);
          await conn.query(refundsSql, [lo, hi, opts.shop]);
          loaded += hi - lo + 1;
          log(`generated ${loaded} orders in ${Math.round(performance.now() - started)} ms`);
        }
      } finally {
        await conn.end();
      }
    };
    await Promise.all(Array.from({ length: parallel }, runSlices));

    // Rebuilt side by side, one index per connection.
    const indexes = [
      `ALTER TABLE "OrderFact" ADD CONSTRAINT "OrderFact_pkey" PRIMARY KEY ("id")`,
      `ALTER TABLE "RefundFact" ADD CONSTRAINT "RefundFact_pkey" PRIMARY KEY ("id")`,
      ...indexDefs.map((i) => i.indexdef),
    ];
    const builders = Array.from({ length: parallel }, async () => {
      const conn = await opts.connect();
      try {
        for (let sql = indexes.shift(); sql; sql = indexes.shift()) await conn.query(sql);
      } finally {
        await conn.end();
      }
    });
    await Promise.all(builders);
    log(`indexed in ${Math.round(performance.now() - started)} ms`);
    // VACUUM too: sets the visibility map, so paging customers is an index-only scan (no heap visit per order).
    for (const table of ["OrderFact", "RefundFact", "Shop", "ProgramVersion"]) await main.query(`VACUUM ANALYZE "${table}"`);
    const counts = (await main.query(
      `SELECT (SELECT count(*) FROM "OrderFact" WHERE shop = $1) AS orders, (SELECT count(*) FROM "RefundFact" WHERE shop = $1) AS refunds,
              (SELECT count(*) FROM "OrderFact" WHERE shop = $1 AND "cancelledAt" IS NOT NULL) AS cancellations`,
      [opts.shop],
    )) as { rows: { orders: string; refunds: string; cancellations: string }[] };
    const row = counts.rows[0];
    return { members: opts.members, orders: Number(row.orders), refunds: Number(row.refunds), cancellations: Number(row.cancellations) };
  } finally {
    await main.end();
  }
}
