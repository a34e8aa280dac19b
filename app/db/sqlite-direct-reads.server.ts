import { Prisma } from "@prisma/client";
import type BetterSqlite3 from "better-sqlite3";
import { preparedStatement } from "./sqlite-direct-writes.server";

/**
 * SQLite: reading rows on the connection under a Prisma transaction (sqliteConnectionOf), each value as Prisma's own
 * findMany returns it, for the drain's hot reads.
 *
 * Why it exists: through Prisma a read costs its query compiler (an `in` list of a few hundred ids is compiled every
 * time) and a mapping per row and field; in the webhook drain these reads ran inside transactions that hold SQLite's
 * single write lock, which the web process's webhook inserts wait for (bench:drain, bench:webhooks). A statement here
 * is prepared once per connection and SQL text (preparedStatement), and its rows come back as Prisma's would: DateTime fields as Dates
 * (Prisma's ISO text, SQLite's CURRENT_TIMESTAMP text read as UTC, or epoch milliseconds), Boolean fields as booleans,
 * Int and Float fields as numbers (the connection hands integers back as BigInts: the adapter turns on safe integers),
 * an Int truncated as the adapter truncates it; every other value as SQLite holds it (text, null).
 * The field types come from Prisma's own schema (Prisma.dmmf), so a column added to the schema is converted too.
 * test/backbone/sqlite-direct-reads.test.ts compares these rows with Prisma's, field by field, for every read.
 *
 * Removing it: delete this file and the `sqliteConnectionOf` branches of its callers (correct, only slower).
 */

interface Conversions {
  dates: string[];
  booleans: string[];
  ints: string[];
  floats: string[];
}

interface ModelColumns extends Conversions {
  /** Every scalar field, in the model's order. */
  all: string[];
}

const columnsByModel = new Map<string, ModelColumns>();

/** `model`'s scalar fields from Prisma's own schema (Prisma.dmmf), read once per model. */
function columnsOf(model: Prisma.ModelName): ModelColumns {
  let c = columnsByModel.get(model);
  if (!c) {
    const fields = Prisma.dmmf.datamodel.models.find((m) => m.name === model)?.fields.filter((f) => f.kind === "scalar");
    if (!fields) throw new Error(`sqlite-direct-reads: no model ${model}`);
    const named = (type: string) => fields.filter((f) => f.type === type).map((f) => f.name);
    c = { all: fields.map((f) => f.name), dates: named("DateTime"), booleans: named("Boolean"), ints: named("Int"), floats: named("Float") };
    columnsByModel.set(model, c);
  }
  return c;
}

/** A DateTime value as Prisma reads it from SQLite. */
function dateOf(value: unknown): unknown {
  if (typeof value === "number" || typeof value === "bigint") return new Date(Number(value));
  if (typeof value !== "string") return value;
  // CURRENT_TIMESTAMP's "YYYY-MM-DD HH:MM:SS" has no zone: UTC, as Prisma reads it (Date would take it as local time).
  return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value.replace(" ", "T")}Z`);
}

/**
 * The rows `sql` (with `args`) selects from `model`'s table on `database`, its values as Prisma returns them. Columns
 * are named as the model's fields (select them by name, or `*`).
 */
export function readRowsLikePrisma<T>(database: BetterSqlite3.Database, model: Prisma.ModelName, sql: string, args: unknown[]): T[] {
  const rows = preparedStatement(database, sql).all(...args) as Record<string, unknown>[];
  if (rows.length === 0) return [];
  const present = (names: string[]) => names.filter((n) => n in rows[0]);
  const c = columnsOf(model);
  const dates = present(c.dates);
  const booleans = present(c.booleans);
  const ints = present(c.ints);
  const floats = present(c.floats);
  for (const row of rows) {
    for (const n of dates) if (row[n] !== null) row[n] = dateOf(row[n]);
    for (const n of booleans) if (row[n] !== null) row[n] = Number(row[n]) === 1;
    for (const n of ints) {
      const v = row[n];
      if (typeof v === "bigint") row[n] = Number(v);
      else if (typeof v === "number" && !Number.isInteger(v)) row[n] = Math.trunc(v);
    }
    for (const n of floats) if (typeof row[n] === "bigint") row[n] = Number(row[n]);
  }
  return rows as T[];
}

/**
 * A quoted column list for `model`: `fields` in their order (a Prisma `select`'s keys: its rows' key order), or every
 * scalar field of the model in the model's order (findMany without a select).
 */
export function columnList(model: Prisma.ModelName, fields?: readonly string[]): string {
  const { all } = columnsOf(model);
  const unknown = fields?.filter((n) => !all.includes(n)) ?? [];
  if (unknown.length) throw new Error(`columnList: ${model} has no field ${unknown.join(", ")}`);
  return (fields ?? all).map((n) => `"${n}"`).join(", ");
}

/** `"column" IN (…)` for a list given as one JSON parameter (no bound-parameter limit, one prepared statement for any length). */
export const inJsonList = (column: string) => `"${column}" IN (SELECT value FROM json_each(?))`;

/**
 * findMany on SQLite's connection: `select` (a Prisma select object, or every field), `where` and `orderBy` as SQL
 * over the model's columns, `args` bound in order (a list as JSON.stringify's text for inJsonList).
 */
export function selectLikePrisma<T>(
  database: BetterSqlite3.Database,
  model: Prisma.ModelName,
  q: { select?: Record<string, true>; where: string; args: unknown[]; orderBy?: string },
): T[] {
  const sql = `SELECT ${columnList(model, q.select && Object.keys(q.select))} FROM "${model}" WHERE ${q.where}${q.orderBy ? ` ORDER BY ${q.orderBy}` : ""}`;
  return readRowsLikePrisma<T>(database, model, sql, q.args);
}
