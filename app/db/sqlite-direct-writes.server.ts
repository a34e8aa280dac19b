import type BetterSqlite3 from "better-sqlite3";
import type { SqlDriverAdapter, Transaction } from "@prisma/driver-adapter-utils";
import type { Db } from "./client.server";

/**
 * SQLite: writing beside Prisma, on Prisma's own better-sqlite3 connection.
 *
 * Why it exists: Prisma's query compiler costs far more than the statement for a row with a large text value (each
 * webhook body passes through it as JSON), so the webhook inbox stores its rows with prepared statements instead
 * (app/services/webhook-inbox-store.server.ts). To share the connection safely, every Prisma transaction on it takes
 * a promise-chain lock from BEGIN to COMMIT/ROLLBACK (patched into the adapter's startTransaction), and a direct write
 * takes the same lock, so neither ever lands inside the other.
 *
 * Removing it: delete this file and the `offerConnection`/`withDirectWrites` lines in client.server.ts;
 * `writeSqliteDirectly` callers then always get null and write through Prisma (correct, but the inbox's SQLite path
 * gets several times slower per delivery under load: bench:webhooks). The lock also goes, so nothing else changes.
 * Written for @prisma/adapter-better-sqlite3 6.19 (reads its `client` field); on another adapter it switches itself off.
 */

const SQLITE_CONNECTION = Symbol("tierline.sqliteConnection");

/** The connection a client's adapter offered, and the lock its transactions take. */
export interface SqliteConnectionSlot {
  database?: BetterSqlite3.Database;
  lock?: Lock;
  /** The spool file's connection, when the client asked for one (sqlite-spool.server.ts). */
  spool?: BetterSqlite3.Database;
}

/** A promise-chain mutex: `acquire` resolves with the function that releases it, in arrival order. */
class Lock {
  #tail: Promise<void> = Promise.resolve();

  acquire(): Promise<() => void> {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const acquired = this.#tail.then(() => release);
    this.#tail = this.#tail.then(() => released);
    return acquired;
  }
}

/** Marks `client` as the owner of `slot`, so writeSqliteDirectly can find the connection its adapter offers. */
export function withDirectWrites<T extends object>(client: T, slot: SqliteConnectionSlot): T {
  Object.defineProperty(client, SQLITE_CONNECTION, { value: slot });
  return client;
}

/**
 * Makes the adapter's better-sqlite3 connection available to `writeSqliteDirectly`. A Prisma transaction on it
 * (BEGIN … awaits … COMMIT) holds the slot's lock from start to commit or rollback, so a direct write never lands
 * inside one of Prisma's transactions, and vice versa.
 */
export function offerConnection(adapter: SqlDriverAdapter, slot: SqliteConnectionSlot): void {
  const database = (adapter as unknown as { client?: BetterSqlite3.Database }).client;
  if (!database || typeof database.prepare !== "function") return; // not the adapter this was written for: Prisma only
  const lock = new Lock();
  const start = adapter.startTransaction.bind(adapter);
  adapter.startTransaction = async (isolationLevel) => {
    const release = await lock.acquire();
    let tx: Transaction;
    try {
      tx = await start(isolationLevel);
    } catch (error) {
      release();
      throw error;
    }
    const commit = tx.commit.bind(tx);
    const rollback = tx.rollback.bind(tx);
    tx.commit = () => commit().finally(release);
    tx.rollback = () => rollback().finally(release);
    return tx;
  };
  slot.database = database;
  slot.lock = lock;
}

/**
 * Runs `write` in one IMMEDIATE transaction directly on a SQLite client's better-sqlite3 connection, beside Prisma,
 * and returns its result; null when `db` is not a SQLite client made by createDb (PostgreSQL, a test's wrapped
 * adapter): the caller then writes through Prisma. For hot paths only. `write` is synchronous, so nothing else in
 * this process runs between its BEGIN and COMMIT; it waits only for a Prisma transaction already open on the
 * connection. Dates must be bound as Prisma stores them: `sqliteDate`.
 */
export async function writeSqliteDirectly<T>(db: Db, write: (database: BetterSqlite3.Database) => T): Promise<T | null> {
  return onConnection(db, (database) => immediateWithoutBlocking(database, write));
}

/**
 * Runs `read` (synchronous statements that write nothing) directly on a SQLite client's connection, outside any of
 * Prisma's transactions on it, and returns its result; null when `db` offers no connection (as writeSqliteDirectly).
 * In WAL mode a read takes no lock: it never waits for a writer in another process.
 */
export function readSqliteDirectly<T>(db: Db, read: (database: BetterSqlite3.Database) => T): Promise<T | null> {
  return onConnection(db, async (database) => read(database));
}

/** The client's spool connection (sqlite-spool.server.ts), or null when it has none: PostgreSQL, or not asked for. */
export async function spoolOf(db: Db): Promise<BetterSqlite3.Database | null> {
  const slot = slotOf(db);
  if (!slot) return null;
  if (!slot.database?.open) await db.$connect();
  return slot.spool?.open ? slot.spool : null;
}

const slotOf = (db: Db) => (db as unknown as { [SQLITE_CONNECTION]?: SqliteConnectionSlot })[SQLITE_CONNECTION];

/** `use` on the client's connection, holding the slot's lock (no Prisma transaction open meanwhile); null without one. */
async function onConnection<T>(db: Db, use: (database: BetterSqlite3.Database) => Promise<T>): Promise<T | null> {
  const slot = slotOf(db);
  if (!slot) return null;
  if (!slot.database?.open) await db.$connect(); // not connected yet, or disconnected since
  if (!slot.database?.open || !slot.lock) return null;
  const release = await slot.lock.acquire();
  try {
    // Every Prisma transaction holds the lock; should one ever be open without it, wait for it rather than fail.
    while (slot.database.inTransaction) await new Promise((resolve) => setImmediate(resolve));
    return await use(slot.database);
  } finally {
    release();
  }
}

/**
 * `write` in an IMMEDIATE transaction, waiting for another process's writer (the worker) without blocking this one
 * (beginImmediateWithoutBlocking). On a connection no Prisma transaction uses (writeSqliteDirectly's, under its lock,
 * or a spool's).
 */
export async function immediateWithoutBlocking<T>(database: BetterSqlite3.Database, write: (database: BetterSqlite3.Database) => T): Promise<T> {
  await beginImmediateWithoutBlocking(database);
  let result: T;
  try {
    result = write(database);
  } catch (error) {
    preparedStatement(database, "ROLLBACK").run();
    throw error;
  }
  preparedStatement(database, "COMMIT").run();
  return result;
}

/**
 * BEGIN IMMEDIATE on `database`, waiting for another process's writer without blocking this one: SQLite's own busy
 * wait sleeps inside the call, so every request of the process (every other webhook's answer) would stall behind
 * it, and it sleeps longer the longer it waits (up to 100 ms between tries), so a process that writes now and then
 * would lose the lock for seconds to two that write all the time (the web process's inbox and the drain). Here BEGIN
 * fails at once while the lock is taken and is tried again every millisecond, the event loop free meanwhile, up to
 * the connection's busy timeout. Every writer of Tierline's takes the lock this way, so they take turns fairly.
 */
export async function beginImmediateWithoutBlocking(database: BetterSqlite3.Database): Promise<void> {
  const timeoutMs = busyTimeoutOf(database);
  const deadline = performance.now() + timeoutMs;
  while (true) {
    // Prepared once per connection (preparedStatement): every write of the process begins here, and preparing four
    // statements per transaction cost as much as a webhook's insert.
    preparedStatement(database, "PRAGMA busy_timeout = 0").get();
    try {
      preparedStatement(database, "BEGIN IMMEDIATE").run();
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== "SQLITE_BUSY" || performance.now() >= deadline) throw error;
    } finally {
      preparedStatement(database, `PRAGMA busy_timeout = ${timeoutMs}`).get();
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/** The connection's busy timeout as createDb set it, read once per connection. */
function busyTimeoutOf(database: BetterSqlite3.Database): number {
  let timeoutMs = busyTimeouts.get(database);
  if (timeoutMs === undefined) busyTimeouts.set(database, (timeoutMs = Number(database.pragma("busy_timeout", { simple: true }))));
  return timeoutMs;
}
const busyTimeouts = new WeakMap<BetterSqlite3.Database, number>();

/**
 * The better-sqlite3 connection under `tx`, an open transaction of a SQLite client made by createDb, for statements
 * that belong to that transaction (the full recalculation's batch writes): run synchronously between the transaction's
 * own awaits, they land in it and commit or roll back with it, since the adapter runs all of the client's statements
 * on this one connection. Null when there is none (PostgreSQL, a client without the slot): write through Prisma.
 */
export function sqliteConnectionOf(tx: object): BetterSqlite3.Database | null {
  const database = (tx as { [SQLITE_CONNECTION]?: SqliteConnectionSlot })[SQLITE_CONNECTION]?.database;
  return database?.open && database.inTransaction ? database : null;
}

/** Statements prepared on each connection, by SQL text (each caller's texts are a fixed handful). */
const preparedByConnection = new WeakMap<BetterSqlite3.Database, Map<string, BetterSqlite3.Statement>>();

/** `sql` prepared on `database` once, then the same statement each time (for statements run on the connection itself). */
export function preparedStatement(database: BetterSqlite3.Database, sql: string): BetterSqlite3.Statement {
  let cache = preparedByConnection.get(database);
  if (!cache) preparedByConnection.set(database, (cache = new Map()));
  let statement = cache.get(sql);
  if (!statement) cache.set(sql, (statement = database.prepare(sql)));
  return statement;
}

/** A date as the better-sqlite3 adapter stores DateTime values (ISO 8601 with an explicit +00:00). */
export const sqliteDate = (date: Date): string => date.toISOString().replace("Z", "+00:00");
