import { Prisma } from "@prisma/client";
import type BetterSqlite3 from "better-sqlite3";
import { dbProvider, type DbProvider, type Tx } from "~/db/client.server";
import { sqlInstant } from "~/db/raw-values.server";
import { preparedStatement, sqliteConnectionOf, sqliteDate } from "~/db/sqlite-direct-writes.server";
import type { BatchWrites } from "./batch-writes";

/**
 * A batch's writes, one statement per table and kind of write for the whole batch, on both databases: the rows
 * travel as one JSON parameter that the statement turns back into columns (PostgreSQL: json_to_recordset, instants
 * as ISO strings read as UTC like Prisma's own; SQLite: json_each, values as Prisma stores them). The column lists
 * below are the one copy of the schema these statements carry; test/recalculation/batch-sql-columns.test.ts fails
 * when they and prisma/postgresql/schema.prisma drift (a column added, renamed or retyped must be written here or
 * named as left to its default).
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
  OrderFact: {
    fromRows: [
      ["id", "text"],
      ["orderGid", "text"],
      ["customerGid", "text"],
      ["name", "text"],
      ["paidAt", "timestamp(3)"],
      ["cancelledAt", "timestamp(3)"],
      ["financialStatus", "text"],
      ["test", "boolean"],
      ["channel", "text"],
      ["currency", "text"],
      ["total", "bigint"],
      ["subtotal", "bigint"],
      ["shipping", "bigint"],
      ["tax", "bigint"],
      ["hasDiscountCode", "boolean"],
      ["linesJson", "text"],
      ["sourceUpdatedAt", "timestamp(3)"],
      ["source", "text"],
      ["scopeState", "text"],
    ] as Column[],
    filled: ["shop", "createdAt", "updatedAt"],
    leftToDefault: ["scopeAttempts"],
    updated: [] as Column[],
  },
} as const;

const quote = (name: string) => `"${name}"`;
const names = (columns: Column[], prefix = "") => Prisma.raw(columns.map(([n]) => prefix + quote(n)).join(", "));

/**
 * One statement of a batch: `rows` (their `columns`) as a relation `v` that `statement` reads. Every statement names
 * the relation after all of its own parameters, so a prepared one takes its own values first, then a row's.
 */
interface Statement {
  rows: Record<string, unknown>[];
  columns: Column[];
  statement: (v: Prisma.Sql) => Prisma.Sql;
}

const PROFILE_NAMES = new Set(PROFILE.map(([n]) => n));
const ID: Column = ["id", "text"];

/** Rows appended to `table`: its columns from the rows, its `filled` columns (BATCH_SQL_COLUMNS) from `filled`'s values. */
function insertStatement(table: keyof typeof BATCH_SQL_COLUMNS, rows: Record<string, unknown>[], filled: Prisma.Sql[]): Statement {
  const { fromRows, filled: filledNames } = BATCH_SQL_COLUMNS[table];
  return {
    rows,
    columns: fromRows,
    statement: (v) => Prisma.sql`
      INSERT INTO ${Prisma.raw(quote(table))} (${Prisma.raw(filledNames.map(quote).join(", "))}, ${names(fromRows)})
      SELECT ${Prisma.join(filled)}, ${names(fromRows, "v.")} FROM ${v}`,
  };
}

/**
 * A batch's statements, in the order they run, the same on both databases but for how an instant is written: rows
 * appended (members, ledger, audit, sync states), then rows brought up to date. `stamp` is createdAt/updatedAt: the
 * wall clock, as Prisma stamps them.
 */
function batchStatements(shop: string, w: BatchWrites, now: Date, instant: (date: Date) => Prisma.Sql): Statement[] {
  const stamp = instant(new Date());
  // A profile value only ever fills or replaces one (null in a row: keep the stored value); the state is set whole.
  const memberSet = [...PROFILE, ...MEMBER_STATE].map(([n]) =>
    PROFILE_NAMES.has(n) ? `${quote(n)} = COALESCE(v.${quote(n)}, m.${quote(n)})` : `${quote(n)} = v.${quote(n)}`,
  );
  const retractedAt =
    (value: Prisma.Sql): Statement["statement"] =>
    (v) =>
      Prisma.sql`UPDATE "LevelChange" SET "retractedAt" = ${value} WHERE "id" IN (SELECT v."id" FROM ${v})`;
  const all: Statement[] = [
    insertStatement("Member", w.createMembers, [Prisma.sql`${shop}`, Prisma.sql`1`, stamp, stamp]),
    insertStatement("PointsEntry", w.entries, [Prisma.sql`${shop}`, stamp]),
    insertStatement("LevelChange", w.changes, [Prisma.sql`${shop}`, stamp]),
    { rows: w.retract.map((id) => ({ id })), columns: [ID], statement: retractedAt(instant(now)) },
    { rows: w.restore.map((id) => ({ id })), columns: [ID], statement: retractedAt(Prisma.sql`NULL`) },
    insertStatement("SyncState", w.createSyncStates, [Prisma.sql`${shop}`, stamp]),
    {
      rows: w.updateMembers,
      columns: [ID, ...PROFILE, ...MEMBER_STATE],
      statement: (v) => Prisma.sql`
        UPDATE "Member" AS m SET ${Prisma.raw(memberSet.join(", "))}, "version" = m."version" + 1, "updatedAt" = ${stamp}
          FROM ${v} WHERE m."id" = v."id"`,
    },
    {
      rows: w.rewrite.map((r) => ({ id: r.id, ...r.data })),
      columns: [ID, ...LEVEL_CHANGE_ORIGIN],
      statement: (v) => Prisma.sql`
        UPDATE "LevelChange" AS c SET ${Prisma.raw(LEVEL_CHANGE_ORIGIN.map(([n]) => `${quote(n)} = v.${quote(n)}`).join(", "))}
          FROM ${v} WHERE c."id" = v."id"`,
    },
    {
      rows: w.updateSyncStates,
      columns: [ID, ["pendingHash", "text"]],
      statement: (v) => Prisma.sql`
        UPDATE "SyncState" AS s SET "pendingHash" = v."pendingHash", "failures" = 0, "lastError" = NULL, "updatedAt" = ${stamp}
          FROM ${v} WHERE s."id" = v."id"`,
    },
  ];
  return all.filter((s) => s.rows.length > 0);
}

const view = new DataView(new ArrayBuffer(8));

/** Whether the double `x` (≥ 0) is exactly the decimal `d` ("d.ddde±x"): x as m·2^e against digits·10^f, in BigInt. */
function isExactly(x: number, d: string): boolean {
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const biased = (hi >>> 20) & 0x7ff;
  const m = (BigInt(hi & 0xfffff) << 32n) | BigInt(view.getUint32(4)) | (biased ? 1n << 52n : 0n);
  const e = (biased || 1) - 1075;
  const [mantissa, exponent] = d.split("e");
  const f = Number(exponent) - (mantissa.length - 2);
  const digits = BigInt(mantissa.replace(".", ""));
  const pow = (base: bigint, n: number) => base ** BigInt(Math.max(n, 0));
  return m * pow(2n, e) * pow(10n, -f) === digits * pow(10n, f) * pow(2n, -e);
}

/**
 * A Float as Prisma stores it: its query engine carries a non-integer Float as a decimal of 16 significant digits
 * (rounded half to even), so 0.1 + 0.2 is stored as 0.3, on both databases. Points kept to four decimals pass
 * unchanged (the fast path); test/recalculation/batch-sql-storage.test.ts holds the rule to Prisma's own writes.
 */
export function prismaFloat(x: number): number {
  if (Number.isInteger(x) || !Number.isFinite(x) || (Math.abs(x) < 1e11 && Math.round(x * 10_000) / 10_000 === x)) return x;
  const a = Math.abs(x);
  const d17 = a.toExponential(16); // "d.dddddddddddddddde±x": the 17th digit is d17[17]
  const halfUp = Number(a.toExponential(15));
  // A tie (the 17th digit a 5 that ends the exact value) goes to the even 16th digit; otherwise half up is right.
  const r = d17[17] === "5" && Number(d17[16]) % 2 === 0 && isExactly(a, d17) ? Number(d17.slice(0, 17) + d17.slice(18)) : halfUp;
  return x < 0 ? -r : r;
}

/** A value as SQLite stores it through Prisma: instants as `sqliteDate` text, booleans as 0/1, Floats as prismaFloat, absent as NULL. */
function sqliteValue(v: unknown, type: string): unknown {
  if (v instanceof Date) return sqliteDate(v);
  if (type === "boolean" && typeof v === "boolean") return v ? 1 : 0;
  if (type === "float8" && typeof v === "number") return prismaFloat(v);
  return v ?? null;
}

/** PostgreSQL: the rows as one JSON parameter, `v(name type, …)` typed by json_to_recordset; instants as ISO strings read as UTC like Prisma's. */
async function writeWithJsonRows(tx: Tx, statements: Statement[]): Promise<void> {
  for (const { rows, columns, statement } of statements) {
    const floats = columns.filter(([, t]) => t === "float8").map(([n]) => n);
    const values = floats.length
      ? rows.map((r) => {
          const out = { ...r };
          for (const n of floats) if (typeof out[n] === "number") out[n] = prismaFloat(out[n]);
          return out;
        })
      : rows;
    await tx.$executeRaw(
      statement(
        Prisma.sql`json_to_recordset(${JSON.stringify(values)}::json) AS v(${Prisma.raw(columns.map(([n, t]) => `${quote(n)} ${t}`).join(", "))})`,
      ),
    );
  }
}

/**
 * SQLite through Prisma (a client whose connection is not offered): the rows as one JSON parameter that json_each
 * turns into `v`, each value as Prisma stores it. JSON numbers come back as the same doubles (shortest round-trip
 * text both ways) and take the column's affinity as a bound value would.
 */
async function writeWithSqliteJsonRows(tx: Tx, statements: Statement[]): Promise<void> {
  for (const { rows, columns, statement } of statements) {
    const json = JSON.stringify(rows.map((r) => Object.fromEntries(columns.map(([n, t]) => [n, sqliteValue(r[n], t)]))));
    await tx.$executeRaw(
      statement(
        Prisma.sql`(SELECT ${Prisma.raw(columns.map(([n]) => `json_extract(j.value, '$.${n}') AS ${quote(n)}`).join(", "))} FROM json_each(${json}) AS j) AS v`,
      ),
    );
  }
}

/**
 * SQLite on the connection under the transaction: each statement prepared once per connection with `v` as one row of
 * parameters, then run row by row. The same statements, without Prisma's query engine in between (through it, a
 * parameter of a batch's JSON rows costs more than SQLite's work on them) and without JSON.
 */
function writeOnConnection(database: BetterSqlite3.Database, statements: Statement[]): void {
  for (const { rows, columns, statement } of statements) {
    const sql = statement(Prisma.raw(`(SELECT ${columns.map(([n]) => `? AS ${quote(n)}`).join(", ")}) AS v`));
    const run = preparedStatement(database, sql.sql);
    const own = sql.values;
    const args = new Array<unknown>(own.length + columns.length);
    for (let i = 0; i < own.length; i++) args[i] = own[i];
    for (const row of rows) {
      for (let i = 0; i < columns.length; i++) args[own.length + i] = sqliteValue(row[columns[i][0]], columns[i][1]);
      run.run(args);
    }
  }
}

/**
 * Writes a batch's decisions inside the batch's transaction `tx`: one statement per table and kind of write, its rows
 * as one JSON parameter (PostgreSQL, or SQLite through Prisma), or, on SQLite's own connection under the transaction,
 * the same statement prepared once and run per row. Row by row through Prisma (createMany included) they cost most of
 * a re-tier's time on SQLite. Values are stored exactly as Prisma stores them: test/recalculation/
 * batch-sql-storage.test.ts compares the rows column by column with Prisma's own writes, on both databases.
 */
export async function applyBatchWrites(tx: Tx, provider: DbProvider, shop: string, w: BatchWrites, now: Date): Promise<void> {
  await writeStatements(
    tx,
    provider,
    batchStatements(shop, w, now, (d) => sqlInstant(provider, d)),
  );
}

/**
 * New OrderFact rows (writeFacts, order-facts.server.ts: a drainer's group of deliveries, a backfill's chunk) in one
 * statement, stored as Prisma's createMany stores them (ids newRowId's, stamps the wall clock). Through createMany a
 * group's orders cost about a fifth of the drain's time (bench:drain: 1.3 s of 5.5 s for 5,000 orders), inside the
 * transaction that holds SQLite's write lock.
 */
export async function insertOrderFacts(tx: Tx, shop: string, rows: Record<string, unknown>[]): Promise<void> {
  if (rows.length === 0) return;
  const provider = dbProvider(tx);
  const stamp = sqlInstant(provider, new Date());
  await writeStatements(tx, provider, [insertStatement("OrderFact", rows, [Prisma.sql`${shop}`, stamp, stamp])]);
}

async function writeStatements(tx: Tx, provider: DbProvider, statements: Statement[]): Promise<void> {
  if (provider === "postgresql") return writeWithJsonRows(tx, statements);
  const database = sqliteConnectionOf(tx);
  if (database) writeOnConnection(database, statements);
  else await writeWithSqliteJsonRows(tx, statements);
}
