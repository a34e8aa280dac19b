// The floors bench/recalc.ts prints its measures against, measured on the same database in the same run (a ratio
// survives a noisy machine; an absolute time does not). Each is given in wall time and in CPU time (this process plus,
// on PostgreSQL, the server processes of the connections it opened):
//   - raw insert: the shop's fact rows copied by the database itself (INSERT … SELECT, nothing crosses a connection)
//     into tables of the same definition: the same columns (on PostgreSQL the generated `lineMeasures` too, computed
//     for each row), the same primary keys and the same indexes, built after the load as the generation builds them,
//     with the same connection settings and, on PostgreSQL, as many connections side by side. What writing these rows
//     as the app's schema has them costs at the least; the generation's target is ≤ 5× it. Also measured, for
//     reference: the bare copy (the same columns only, no key, no index, nothing generated, one transaction);
//   - ordered scan: every paid order of the shop with the columns the re-tier reads, in the order it reads them
//     (shop, customer, paid instant), all fetched into this process: what reading the facts costs at the least. The
//     lines as the re-tier reads them when no condition is scoped: SQLite, linesJson (in the covering index);
//     PostgreSQL, the line measures (in the covering index: an index-only scan), not linesJson (a table visit per
//     order, about five times the scan, which the re-tier does not pay; docs/fact-layout.md).
import { readFileSync } from "node:fs";
import Database from "better-sqlite3";
import pg from "pg";
import { postgresFactIndexes, runSideBySide, sqliteBulkLoadPragmas, sqliteFactIndexes, type PgConnection } from "./synthetic-shop.ts";

export type BenchDatabase = "sqlite" | "postgres";

const FACT_TABLES = ["OrderFact", "RefundFact"];

/** The columns of an order the re-tier's fold needs (member-facts.ts: OrderForEngine), lines or their measures included. */
const scanSql = (shopParam: string, lines: "linesJson" | "lineMeasures") => `
  SELECT "customerGid", "orderGid", "paidAt", "cancelledAt", "total", "subtotal", "shipping", "tax", "hasDiscountCode", "channel", "${lines}" FROM "OrderFact"
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

/** CPU milliseconds a process has used so far (Linux /proc; NaN elsewhere). */
function processCpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10; // utime + stime, in ticks of 1/100 s (USER_HZ)
  } catch {
    return NaN;
  }
}
const ownCpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/**
 * Opens PostgreSQL connections and counts the CPU time of their server processes (read from /proc as each one
 * ends; the server must run on this machine). `cpuMs()`: the CPU time of the connections ended since the meter was
 * made, plus this process's own.
 */
export function postgresMeter(url: string): { connect: () => Promise<PgConnection>; cpuMs: () => number } {
  let serverMs = 0;
  const ownAtStart = ownCpuMs();
  return {
    connect: async () => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const pid = Number((await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0].pid);
      return {
        query: (sql: string, values?: unknown[]) => client.query(sql, values),
        end: async () => {
          serverMs += processCpuMs(pid);
          await client.end();
        },
      };
    },
    cpuMs: () => ownCpuMs() - ownAtStart + serverMs,
  };
}

/** Measures `run` in wall time and in CPU time (`cpuMs`, e.g. a meter's; this process's own by default). */
export async function measured<T>(run: () => Promise<T> | T, cpuMs: () => number = ownCpuMs): Promise<{ result: T; ms: number; cpuMs: number }> {
  const cpuAtStart = cpuMs();
  const started = performance.now();
  const result = await run();
  return { result, ms: Math.round(performance.now() - started), cpuMs: Math.round(cpuMs() - cpuAtStart) };
}

export interface InsertFloor {
  rows: number;
  /** Into tables of the same definition, indexes and keys included: the floor. */
  ms: number;
  cpuMs: number;
  /** The bare copy: the same columns only. */
  bareMs: number;
  bareCpuMs: number;
}

/** The raw insert floors (see the header) of every fact row, orders and refunds. */
export async function rawInsertFloor(database: BenchDatabase, url: string, parallel = 2): Promise<InsertFloor> {
  return database === "sqlite" ? sqliteInsertFloor(url) : postgresInsertFloor(url, parallel);
}

function sqliteInsertFloor(url: string): InsertFloor {
  const sqlite = new Database(sqliteFile(url));
  try {
    sqliteBulkLoadPragmas(sqlite);
    const raw = (t: string) => `Raw${t}`;
    const tableSql = (t: string) => (sqlite.prepare(`SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?`).get(t) as { sql: string }).sql;
    const sameTables = FACT_TABLES.map((t) => tableSql(t).replace(/^CREATE TABLE\s+("?)(\w+)\1/, `CREATE TABLE "${raw(t)}"`));
    const sameIndexes = sqliteFactIndexes(sqlite).map((i) =>
      i.sql.replace(/^(CREATE (?:UNIQUE )?INDEX )"([^"]+)" ON "([^"]+)"/, (_, create, name, table) => `${create}"${raw(name)}" ON "${raw(table)}"`),
    );
    const dropAll = () => {
      for (const t of FACT_TABLES) sqlite.exec(`DROP TABLE IF EXISTS "${raw(t)}"`);
    };
    // The floor: the same tables, keys and indexes; the rows first, the indexes after, one transaction.
    dropAll();
    for (const sql of sameTables) sqlite.exec(sql);
    const cpu = ownCpuMs();
    let started = performance.now();
    const rows = sqlite.transaction(() => {
      const n = FACT_TABLES.reduce((n, t) => n + sqlite.prepare(`INSERT INTO "${raw(t)}" SELECT * FROM "${t}"`).run().changes, 0);
      for (const sql of sameIndexes) sqlite.exec(sql);
      return n;
    })();
    const ms = performance.now() - started;
    const cpuMs = ownCpuMs() - cpu;
    dropAll();
    // The bare copy.
    for (const t of FACT_TABLES) sqlite.exec(`CREATE TABLE "${raw(t)}" AS SELECT * FROM "${t}" LIMIT 0`);
    const bareCpu = ownCpuMs();
    started = performance.now();
    sqlite.transaction(() => {
      for (const t of FACT_TABLES) sqlite.prepare(`INSERT INTO "${raw(t)}" SELECT * FROM "${t}"`).run();
    })();
    const bareMs = performance.now() - started;
    const bareCpuMs = ownCpuMs() - bareCpu;
    dropAll();
    return { rows, ms: Math.round(ms), cpuMs: Math.round(cpuMs), bareMs: Math.round(bareMs), bareCpuMs: Math.round(bareCpuMs) };
  } finally {
    sqlite.close();
  }
}

async function postgresInsertFloor(url: string, parallel: number): Promise<InsertFloor> {
  const raw = (t: string) => `Raw${t}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  const dropAll = () => admin.query(FACT_TABLES.map((t) => `DROP TABLE IF EXISTS "${raw(t)}"`).join("; "));
  try {
    // The floor: the same definitions (columns, defaults, the generated column, NOT NULLs), the rows copied in
    // `parallel` slices of the table side by side (by page range), then the same keys and indexes as the generation
    // builds them.
    await dropAll();
    const slices: string[] = [];
    for (const t of FACT_TABLES) {
      await admin.query(`CREATE TABLE "${raw(t)}" (LIKE "${t}" INCLUDING ALL EXCLUDING INDEXES)`);
      const { rows: cols } = await admin.query<{ name: string }>(
        `SELECT column_name AS name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 AND is_generated = 'NEVER' ORDER BY ordinal_position`,
        [t],
      );
      const list = cols.map((c) => `"${c.name}"`).join(", ");
      const pages = Number(
        (await admin.query<{ n: string }>(`SELECT pg_relation_size($1::regclass) / current_setting('block_size')::int AS n`, [`"${t}"`])).rows[0].n,
      );
      const step = Math.ceil((pages + 1) / parallel);
      for (let p = 0; p < parallel; p++)
        slices.push(
          `INSERT INTO "${raw(t)}" (${list}) SELECT ${list} FROM "${t}" WHERE ctid >= '(${p * step},0)'::tid${p < parallel - 1 ? ` AND ctid < '(${(p + 1) * step},0)'::tid` : ""}`,
        );
    }
    const { build } = await postgresFactIndexes({ query: (sql, values) => admin.query(sql, values), end: async () => undefined }, raw);
    const meter = postgresMeter(url);
    const floor = await measured(async () => {
      await runSideBySide(meter.connect, slices, parallel);
      await runSideBySide(meter.connect, build, parallel);
    }, meter.cpuMs);
    const rows = Number(
      (await admin.query<{ n: string }>(`SELECT ${FACT_TABLES.map((t) => `(SELECT count(*) FROM "${raw(t)}")`).join(" + ")} AS n`)).rows[0].n,
    );
    await dropAll();
    // The bare copy, one transaction.
    for (const t of FACT_TABLES) await admin.query(`CREATE TABLE "${raw(t)}" (LIKE "${t}")`);
    const bareMeter = postgresMeter(url);
    const bare = await measured(async () => {
      const conn = await bareMeter.connect();
      try {
        await conn.query("BEGIN");
        for (const t of FACT_TABLES) await conn.query(`INSERT INTO "${raw(t)}" SELECT * FROM "${t}"`);
        await conn.query("COMMIT");
      } finally {
        await conn.end();
      }
    }, bareMeter.cpuMs);
    await dropAll();
    return { rows, ms: floor.ms, cpuMs: floor.cpuMs, bareMs: bare.ms, bareCpuMs: bare.cpuMs };
  } finally {
    await admin.end();
  }
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
      for (const row of sqlite.prepare(scanSql("?", "linesJson")).raw().iterate(shop)) touch(row as unknown[]);
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
    await client.query({ text: `DECLARE facts NO SCROLL CURSOR FOR ${scanSql("$1", "lineMeasures")}`, values: [shop] });
    for (;;) {
      const page = await client.query({ text: "FETCH 20000 FROM facts", rowMode: "array" });
      for (const row of page.rows) touch(row as unknown[]);
      if (page.rows.length < 20000) break;
    }
    await client.query("COMMIT");
    return { ms: Math.round(performance.now() - started), rows };
  });
}
