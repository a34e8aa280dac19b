import { Prisma } from "@prisma/client";
import type { DbProvider, Tx } from "~/db/client.server";
import { sqliteDate } from "~/db/sqlite-direct-writes.server";
import type { BatchWrites } from "./batch-writes";

/**
 * A batch's writes, one statement per table and kind of write for the whole batch, for each provider.
 *
 * PostgreSQL: the rows travel as one JSON parameter that json_to_recordset turns back into typed columns (instants as
 * ISO strings, read as UTC like Prisma's own). The column lists below are the one copy of the schema these statements
 * carry; test/recalculation/batch-sql-columns.test.ts fails when they and prisma/postgresql/schema.prisma drift (a
 * column added, renamed or retyped must be written here or named as left to its default).
 */

/** A column a statement writes from the JSON rows: its name and its PostgreSQL type. */
export type Column = readonly [name: string, type: string];

const PROFILE: Column[] = [
  ["email", "text"],
  ["firstName", "text"],
  ["lastName", "text"],
  ["phone", "text"],
];
const MEMBER_STATE: Column[] = [
  ["levelId", "text"],
  ["status", "text"],
  ["levelSince", "timestamp(3)"],
  ["levelExpiresAt", "timestamp(3)"],
  ["graceEndsAt", "timestamp(3)"],
  ["locked", "boolean"],
  ["points", "float8"],
  ["pointsEarned", "float8"],
  ["spend", "bigint"],
  ["nextLevelId", "text"],
  ["remainingSpend", "bigint"],
  ["remainingPoints", "float8"],
  ["nextRequirementsJson", "text"],
  ["orderCount", "integer"],
  ["reviewAt", "timestamp(3)"],
  ["evaluatedAt", "timestamp(3)"],
];
const LEVEL_CHANGE_ORIGIN: Column[] = [
  ["fromLevelId", "text"],
  ["cause", "text"],
  ["status", "text"],
  ["levelExpiresAt", "timestamp(3)"],
  ["reasonJson", "text"],
];

/**
 * Per table: the columns inserted from the rows, the columns the statement fills itself (shop, version, stamps), the
 * columns an insert leaves to their defaults, and the columns the updates set. What the schema test checks.
 */
export const BATCH_SQL_COLUMNS = {
  Member: {
    fromRows: [["id", "text"], ["customerGid", "text"], ...PROFILE, ...MEMBER_STATE] as Column[],
    filled: ["shop", "version", "createdAt", "updatedAt"],
    leftToDefault: ["deletedAt", "redactedAt", "birthday", "birthdaySource", "birthdaySetAt"],
    updated: [...PROFILE, ...MEMBER_STATE, ["version", "integer"], ["updatedAt", "timestamp(3)"]] as Column[],
  },
  PointsEntry: {
    fromRows: [
      ["id", "text"],
      ["memberId", "text"],
      ["idempotencyKey", "text"],
      ["key", "text"],
      ["kind", "text"],
      ["points", "float8"],
      ["reversesKey", "text"],
      ["orderGid", "text"],
      ["note", "text"],
      ["at", "timestamp(3)"],
    ] as Column[],
    filled: ["shop", "createdAt"],
    leftToDefault: [] as string[],
    updated: [] as Column[],
  },
  LevelChange: {
    fromRows: [["id", "text"], ["memberId", "text"], ["at", "timestamp(3)"], ["toLevelId", "text"], ...LEVEL_CHANGE_ORIGIN] as Column[],
    filled: ["shop", "createdAt"],
    leftToDefault: ["retractedAt"],
    updated: [...LEVEL_CHANGE_ORIGIN, ["retractedAt", "timestamp(3)"]] as Column[],
  },
  SyncState: {
    fromRows: [
      ["id", "text"],
      ["subject", "text"],
      ["pendingHash", "text"],
    ] as Column[],
    filled: ["shop", "updatedAt"],
    leftToDefault: ["syncedHash", "syncedLevelId", "lastSyncedAt", "lastError", "failures", "bulkOperationId", "bulkOperationType", "bulkStatus"],
    updated: [
      ["pendingHash", "text"],
      ["failures", "integer"],
      ["lastError", "text"],
      ["updatedAt", "timestamp(3)"],
    ] as Column[],
  },
} as const;

const quote = (name: string) => `"${name}"`;
const names = (columns: Column[], prefix = "") => Prisma.raw(columns.map(([n]) => prefix + quote(n)).join(", "));
/** `v(name type, …)`: the record type json_to_recordset reads the rows as. */
const recordset = (rows: unknown[], columns: Column[]) =>
  Prisma.sql`json_to_recordset(${JSON.stringify(rows)}::json) AS v(${Prisma.raw(columns.map(([n, t]) => `${quote(n)} ${t}`).join(", "))})`;

/** INSERT … SELECT from the JSON rows, with the statement's own values (`filled`, in that order) first. */
function insertRows(table: keyof typeof BATCH_SQL_COLUMNS, rows: unknown[], filled: Prisma.Sql[]): Prisma.Sql {
  const { fromRows, filled: filledNames } = BATCH_SQL_COLUMNS[table];
  return Prisma.sql`
    INSERT INTO ${Prisma.raw(quote(table))} (${Prisma.raw(filledNames.map(quote).join(", "))}, ${names(fromRows)})
    SELECT ${Prisma.join(filled)}, ${names(fromRows, "v.")} FROM ${recordset(rows, fromRows)}`;
}

const PROFILE_NAMES = new Set(PROFILE.map(([n]) => n));

/** The JSON rows as a relation `v` with these columns (PostgreSQL: json_to_recordset; SQLite: json_each). */
type Recordset = (rows: Record<string, unknown>[], columns: Column[]) => Prisma.Sql;

/**
 * A batch's updates, one UPDATE … FROM the JSON rows per table, the same on both databases but for how the rows
 * become a relation and how `stamp` (updatedAt: the wall clock, as Prisma stamps it) is written.
 */
async function applyUpdates(tx: Tx, w: BatchWrites, stamp: Prisma.Sql, rowsOf: Recordset): Promise<void> {
  if (w.updateMembers.length) {
    // A profile value only ever fills or replaces one (null in a row: keep the stored value); the state is set whole.
    const set = [...PROFILE, ...MEMBER_STATE].map(([n]) =>
      PROFILE_NAMES.has(n) ? `${quote(n)} = COALESCE(v.${quote(n)}, m.${quote(n)})` : `${quote(n)} = v.${quote(n)}`,
    );
    await tx.$executeRaw`
      UPDATE "Member" AS m SET ${Prisma.raw(set.join(", "))}, "version" = m."version" + 1, "updatedAt" = ${stamp}
        FROM ${rowsOf(w.updateMembers, [["id", "text"], ...PROFILE, ...MEMBER_STATE])}
       WHERE m."id" = v."id"`;
  }
  if (w.rewrite.length) {
    const set = LEVEL_CHANGE_ORIGIN.map(([n]) => `${quote(n)} = v.${quote(n)}`).join(", ");
    await tx.$executeRaw`
      UPDATE "LevelChange" AS c SET ${Prisma.raw(set)}
        FROM ${rowsOf(
          w.rewrite.map((r) => ({ id: r.id, ...r.data })),
          [["id", "text"], ...LEVEL_CHANGE_ORIGIN],
        )}
       WHERE c."id" = v."id"`;
  }
  if (w.updateSyncStates.length) {
    await tx.$executeRaw`
      UPDATE "SyncState" AS s SET "pendingHash" = v."pendingHash", "failures" = 0, "lastError" = NULL, "updatedAt" = ${stamp}
        FROM ${rowsOf(w.updateSyncStates, [
          ["id", "text"],
          ["pendingHash", "text"],
        ])}
       WHERE s."id" = v."id"`;
  }
}

async function applyBatchWritesPostgres(tx: Tx, shop: string, w: BatchWrites, now: Date): Promise<void> {
  const stamp = Prisma.sql`${new Date().toISOString()}::timestamp(3)`; // createdAt/updatedAt, as Prisma stamps them: the wall clock
  if (w.createMembers.length) await tx.$executeRaw(insertRows("Member", w.createMembers, [Prisma.sql`${shop}`, Prisma.sql`1`, stamp, stamp]));
  if (w.entries.length) await tx.$executeRaw(insertRows("PointsEntry", w.entries, [Prisma.sql`${shop}`, stamp]));
  if (w.changes.length) await tx.$executeRaw(insertRows("LevelChange", w.changes, [Prisma.sql`${shop}`, stamp]));
  if (w.retract.length) {
    await tx.$executeRaw`UPDATE "LevelChange" SET "retractedAt" = ${now.toISOString()}::timestamp(3) WHERE id IN (SELECT json_array_elements_text(${JSON.stringify(w.retract)}::json))`;
  }
  if (w.restore.length) {
    await tx.$executeRaw`UPDATE "LevelChange" SET "retractedAt" = NULL WHERE id IN (SELECT json_array_elements_text(${JSON.stringify(w.restore)}::json))`;
  }
  if (w.createSyncStates.length) await tx.$executeRaw(insertRows("SyncState", w.createSyncStates, [Prisma.sql`${shop}`, stamp]));
  await applyUpdates(tx, w, stamp, recordset);
}

/** A row's values as SQLite stores them through Prisma: instants as `sqliteDate` text, booleans as 0/1. */
function sqliteRow(row: Record<string, unknown>, columns: Column[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, type] of columns) {
    const v = row[name];
    out[name] = v instanceof Date ? sqliteDate(v) : type === "boolean" && typeof v === "boolean" ? (v ? 1 : 0) : v;
  }
  return out;
}

/** `(SELECT json_extract(j.value, '$.name') AS "name", … FROM json_each(rows)) AS v`: SQLite's json_to_recordset. */
const sqliteRecordset = (rows: Record<string, unknown>[], columns: Column[]) =>
  Prisma.sql`(SELECT ${Prisma.raw(columns.map(([n]) => `json_extract(j.value, '$.${n}') AS ${quote(n)}`).join(", "))}
                FROM json_each(${JSON.stringify(rows.map((r) => sqliteRow(r, columns)))}) AS j) AS v`;

/**
 * SQLite: inserts as one createMany per table, updates as one UPDATE … FROM json_each per table and kind (row by row
 * through Prisma they cost a round trip into the query engine each: most of a re-tier's time), inside the one write
 * transaction SQLite allows anyway. Values are stored as Prisma stores them (sqliteRow).
 */
async function applyBatchWritesSqlite(tx: Tx, shop: string, w: BatchWrites, now: Date): Promise<void> {
  const stamp = sqliteDate(new Date()); // updatedAt, as Prisma stamps it: the wall clock
  if (w.createMembers.length) await tx.member.createMany({ data: w.createMembers.map((m) => ({ ...m, shop, version: 1 })) });
  if (w.entries.length) await tx.pointsEntry.createMany({ data: w.entries.map((e) => ({ ...e, shop })) });
  if (w.changes.length) await tx.levelChange.createMany({ data: w.changes.map((c) => ({ ...c, shop })) });
  if (w.retract.length) await tx.levelChange.updateMany({ where: { id: { in: w.retract } }, data: { retractedAt: now } });
  if (w.restore.length) await tx.levelChange.updateMany({ where: { id: { in: w.restore } }, data: { retractedAt: null } });
  if (w.createSyncStates.length) await tx.syncState.createMany({ data: w.createSyncStates.map((s) => ({ ...s, shop })) });
  await applyUpdates(tx, w, Prisma.sql`${stamp}`, sqliteRecordset);
}

/** Writes a batch's decisions inside the batch's transaction, the way the provider does it fastest. */
export function applyBatchWrites(tx: Tx, provider: DbProvider, shop: string, w: BatchWrites, now: Date): Promise<void> {
  return provider === "postgresql" ? applyBatchWritesPostgres(tx, shop, w, now) : applyBatchWritesSqlite(tx, shop, w, now);
}
