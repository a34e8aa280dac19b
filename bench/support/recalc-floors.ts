// The floors bench/recalc.ts prints its measures against, measured on the same database in the same run (a ratio
// survives a noisy machine; an absolute time does not):
//   - raw insert: the shop's fact rows copied as they are into bare tables of the same columns (no index, no
//     constraint, one transaction, INSERT … SELECT inside the database): what writing these rows costs at the least;
//   - ordered scan: every paid order of the shop with the columns the re-tier reads, in the order it reads them
//     (shop, customer, paid instant), all fetched into this process: what reading the facts costs at the least.
import Database from "better-sqlite3";
import pg from "pg";

export type BenchDatabase = "sqlite" | "postgres";

const FACT_TABLES = ["OrderFact", "RefundFact"];

/** The columns of an order the re-tier's fold needs (member-facts.ts: OrderForEngine), lines included. */
const SCAN_COLUMNS = `"customerGid", "orderGid", "paidAt", "cancelledAt", "total", "subtotal", "shipping", "tax", "hasDiscountCode", "channel", "linesJson"`;
const scanSql = (shopParam: string) => `
  SELECT ${SCAN_COLUMNS} FROM "OrderFact"
   WHERE "shop" = ${shopParam} AND "customerGid" IS NOT NULL AND "paidAt" IS NOT NULL AND "test" = false
   ORDER BY "shop", "customerGid", "paidAt"`;

const sqliteFile = (url: string) => url.slice("file:".length);

async function withPg<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/** Milliseconds to copy every fact row (orders and refunds) into bare tables of the same columns. */
export async function rawInsertMs(database: BenchDatabase, url: string): Promise<{ ms: number; rows: number }> {
  const raw = (t: string) => `"Raw${t}"`;
  if (database === "sqlite") {
    const sqlite = new Database(sqliteFile(url));
    try {
      for (const t of FACT_TABLES) sqlite.exec(`DROP TABLE IF EXISTS ${raw(t)}; CREATE TABLE ${raw(t)} AS SELECT * FROM "${t}" LIMIT 0`);
      const started = performance.now();
      const rows = sqlite.transaction(() =>
        FACT_TABLES.reduce((n, t) => n + sqlite.prepare(`INSERT INTO ${raw(t)} SELECT * FROM "${t}"`).run().changes, 0),
      )();
      const ms = performance.now() - started;
      for (const t of FACT_TABLES) sqlite.exec(`DROP TABLE ${raw(t)}`);
      return { ms: Math.round(ms), rows };
    } finally {
      sqlite.close();
    }
  }
  return withPg(url, async (client) => {
    for (const t of FACT_TABLES) await client.query(`DROP TABLE IF EXISTS ${raw(t)}; CREATE TABLE ${raw(t)} (LIKE "${t}")`);
    const started = performance.now();
    await client.query("BEGIN");
    let rows = 0;
    for (const t of FACT_TABLES) rows += (await client.query(`INSERT INTO ${raw(t)} SELECT * FROM "${t}"`)).rowCount ?? 0;
    await client.query("COMMIT");
    const ms = performance.now() - started;
    for (const t of FACT_TABLES) await client.query(`DROP TABLE ${raw(t)}`);
    return { ms: Math.round(ms), rows };
  });
}

/**
 * Milliseconds to read every paid order of `shop` in the re-tier's order into this process (rows as arrays). SQLite: a read-only connection stepping the statement; PostgreSQL: a cursor fetched in pages.
 */
export async function orderedScanMs(database: BenchDatabase, url: string, shop: string): Promise<{ ms: number; rows: number }> {
  let rows = 0;
  const touch = (row: unknown[]) => {
    if (row.length > 0) rows++;
  };
  if (database === "sqlite") {
    const sqlite = new Database(sqliteFile(url), { readonly: true });
    try {
      const started = performance.now();
      for (const row of sqlite.prepare(scanSql("?")).raw().iterate(shop)) touch(row as unknown[]);
      return { ms: Math.round(performance.now() - started), rows };
    } finally {
      sqlite.close();
    }
  }
  return withPg(url, async (client) => {
    const started = performance.now();
    await client.query("BEGIN READ ONLY");
    // Planned for reading every row (a cursor is otherwise planned for its first rows: an index walk with a table
    // visit per row), so the floor is the cheapest full ordered read the database finds.
    await client.query("SET LOCAL cursor_tuple_fraction = 1.0");
    await client.query({ text: `DECLARE facts NO SCROLL CURSOR FOR ${scanSql("$1")}`, values: [shop] });
    for (;;) {
      const page = await client.query({ text: "FETCH 20000 FROM facts", rowMode: "array" });
      for (const row of page.rows) touch(row as unknown[]);
      if (page.rows.length < 20000) break;
    }
    await client.query("COMMIT");
    return { ms: Math.round(performance.now() - started), rows };
  });
}
