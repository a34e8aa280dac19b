import { Prisma } from "@prisma/client";
import type { DbProvider } from "./client.server";
import { sqliteDate } from "./sqlite-direct-writes.server";

/** Values for raw statements, written as Prisma writes them on each database. */

/**
 * Rows of text values as a relation `v` (its columns named `columns`) that one statement reads, sent as a single JSON
 * parameter: UPDATE … FROM it sets each row its own values, however many rows there are, on both databases.
 */
export function jsonTextRows(provider: DbProvider, columns: string[], rows: Record<string, string | null>[]): Prisma.Sql {
  const json = JSON.stringify(rows.map((r) => Object.fromEntries(columns.map((c) => [c, r[c] ?? null]))));
  return provider === "postgresql"
    ? Prisma.sql`json_to_recordset(${json}::json) AS v(${Prisma.raw(columns.map((c) => `"${c}" text`).join(", "))})`
    : Prisma.sql`(SELECT ${Prisma.raw(columns.map((c) => `json_extract(j.value, '$.${c}') AS "${c}"`).join(", "))} FROM json_each(${json}) AS j) AS v`;
}

/** An instant as Prisma stores a DateTime: timestamp(3) on PostgreSQL, ISO 8601 text on SQLite (sqliteDate). */
export const sqlInstant = (provider: DbProvider, at: Date): Prisma.Sql =>
  provider === "postgresql" ? Prisma.sql`${at.toISOString()}::timestamp(3)` : Prisma.sql`${sqliteDate(at)}`;
