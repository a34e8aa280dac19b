import { createRequire } from "node:module";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import type BetterSqlite3 from "better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { Prisma, PrismaClient } from "@prisma/client";
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory, Transaction } from "@prisma/driver-adapter-utils";
import { startCheckpointThread } from "./sqlite-checkpoints.server";

/**
 * The Prisma client, on a driver adapter chosen by DATABASE_URL: `file:` → better-sqlite3 (the embedded default),
 * `postgres://` / `postgresql://` → pg. Prisma's binary engines are never needed.
 *
 * A client is generated per provider: `@prisma/client` from prisma/schema.prisma (SQLite) and
 * `.prisma/client-postgresql` from prisma/postgresql/schema.prisma (the same models; `npm run postinstall` generates
 * both). Callers see one type, `Db`: the models are identical, and the PostgreSQL client is loaded only when used.
 */

export type Db = PrismaClient;

export type DbProvider = "sqlite" | "postgresql";

export const DEFAULT_DATABASE_URL = "file:./prisma/dev.sqlite";

/** How long a writer waits for another process's lock (the worker and the web app share one SQLite file). */
const SQLITE_BUSY_TIMEOUT_MS = 5_000;

export interface DbOptions {
  /**
   * SQLite: WAL checkpoints run on a thread of their own instead of inside whichever commit crosses the threshold
   * (app/sqlite-checkpoints.server.ts). For the long-running app process, whose event loop answers webhooks.
   */
  backgroundCheckpoints?: boolean;
}

export function createDb(url: string = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL, opts: DbOptions = {}): Db {
  if (isPostgresUrl(url)) return withSharedSql(withMoneyAsNumbers(new (postgresClientClass())({ adapter: adapterFor(url) })));
  if (!url.startsWith("file:")) return new PrismaClient({ adapter: adapterFor(url) });
  const connection: SqliteConnectionSlot = {};
  const client = new PrismaClient({ adapter: sqliteAdapter(url, connection, opts) });
  Object.defineProperty(client, SQLITE_CONNECTION, { value: connection });
  return client;
}

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//.test(url);
}

/** Which database a client (or a transaction's client) talks to: for the few statements that differ. */
export function dbProvider(db: Db | Prisma.TransactionClient): DbProvider {
  return (db as unknown as { [POSTGRES]?: true })[POSTGRES] ? "postgresql" : "sqlite";
}

/**
 * Transaction-scoped locks on names: on PostgreSQL advisory locks held until the transaction ends, so read-modify-write
 * transactions on the same names take turns (READ COMMITTED alone lets two of them read the same state and both
 * write). On SQLite a write transaction already holds the whole database. Sorted, so two transactions wanting
 * overlapping names take them in the same order and cannot deadlock.
 */
export async function lockNames(tx: Prisma.TransactionClient, names: string[]): Promise<void> {
  if (dbProvider(tx) !== "postgresql" || names.length === 0) return;
  const sorted = [...new Set(names)].sort();
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) FROM (SELECT unnest(${sorted}::text[]) AS k ORDER BY 1) AS sorted`;
}

/**
 * A `contains` filter that ignores case on both databases: SQLite's LIKE already ignores (ASCII) case, PostgreSQL's
 * is exact unless asked. Searches and redaction must find "Augusta" in "augusta@…" on either.
 */
export function containsText(db: Db | Prisma.TransactionClient, text: string): Prisma.StringFilter {
  return (dbProvider(db) === "postgresql" ? { contains: text, mode: "insensitive" } : { contains: text }) as Prisma.StringFilter;
}

export function adapterFor(url: string): SqlMigrationAwareDriverAdapterFactory {
  if (isPostgresUrl(url)) return releasingBrokenConnections(new PrismaPg({ connectionString: url }));
  if (url.startsWith("file:")) return sqliteAdapter(url);
  throw new Error(`DATABASE_URL must start with file:, postgres:// or postgresql:// (got "${url.replace(/\/\/[^@]*@/, "//…@")}")`);
}

/**
 * better-sqlite3 with WAL (readers never block the writer, so webhooks stay fast while the worker writes) and a busy
 * timeout (a second process waits for the lock instead of failing at once). Foreign keys are on so cascades hold.
 * With a `slot`, the connection is also offered to `writeSqliteDirectly` (see there), and the client's own
 * transactions take the slot's lock for their whole length.
 */
function sqliteAdapter(url: string, slot?: SqliteConnectionSlot, opts: DbOptions = {}): SqlMigrationAwareDriverAdapterFactory {
  const base = new PrismaBetterSQLite3({ url, timeout: SQLITE_BUSY_TIMEOUT_MS });
  const configure = async (adapter: SqlDriverAdapter) => {
    await adapter.executeScript(`PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS};`);
    return adapter;
  };
  return {
    provider: base.provider,
    adapterName: base.adapterName,
    connect: async () => {
      const adapter = await configure(await base.connect());
      if (slot) offerConnection(adapter, slot);
      const file = url.replace(/^file:/, "");
      if (opts.backgroundCheckpoints && file !== ":memory:") await checkpointInBackground(adapter, file);
      return adapter;
    },
    connectToShadowDb: async () => configure(await base.connectToShadowDb()),
  };
}

/** wal_autocheckpoint off on this connection, a checkpoint thread instead; inline checkpoints again if it fails. */
async function checkpointInBackground(adapter: SqlDriverAdapter, file: string): Promise<void> {
  await adapter.executeScript("PRAGMA wal_autocheckpoint = 0;");
  const thread = startCheckpointThread(file, {
    onFailure: (error) => {
      console.warn(`[tierline] SQLite checkpoints back inline (${error instanceof Error ? error.message : String(error)})`);
      void adapter.executeScript("PRAGMA wal_autocheckpoint = 1000;").catch(() => undefined);
    },
  });
  const dispose = adapter.dispose.bind(adapter);
  adapter.dispose = async () => {
    await thread.stop();
    return dispose();
  };
}

// ── SQLite: writing beside Prisma on its own connection ─────────────────────────────────────────────────────────

const SQLITE_CONNECTION = Symbol("tierline.sqliteConnection");

interface SqliteConnectionSlot {
  database?: BetterSqlite3.Database;
  lock?: Lock;
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

/**
 * Makes the adapter's better-sqlite3 connection available to `writeSqliteDirectly`. A Prisma transaction on it
 * (BEGIN … awaits … COMMIT) holds the slot's lock from start to commit or rollback, so a direct write never lands
 * inside one of Prisma's transactions, and vice versa.
 */
function offerConnection(adapter: SqlDriverAdapter, slot: SqliteConnectionSlot): void {
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
 * adapter): the caller then writes through Prisma. For hot paths only: Prisma's query compiler costs far more than
 * the statement for a row with a large text value (each webhook body passes through it as JSON). `write` is
 * synchronous, so nothing else in this process runs between its BEGIN and COMMIT; it waits only for a Prisma
 * transaction already open on the connection. Dates must be bound as Prisma stores them: `sqliteDate`.
 */
export async function writeSqliteDirectly<T>(db: Db, write: (database: BetterSqlite3.Database) => T): Promise<T | null> {
  const slot = (db as unknown as { [SQLITE_CONNECTION]?: SqliteConnectionSlot })[SQLITE_CONNECTION];
  if (!slot) return null;
  if (!slot.database?.open) await db.$connect(); // not connected yet, or disconnected since
  if (!slot.database?.open || !slot.lock) return null;
  const release = await slot.lock.acquire();
  try {
    // Every Prisma transaction holds the lock; should one ever be open without it, wait for it rather than fail.
    while (slot.database.inTransaction) await new Promise((resolve) => setImmediate(resolve));
    return slot.database.transaction(write).immediate(slot.database);
  } finally {
    release();
  }
}

/** A date as the better-sqlite3 adapter stores DateTime values (ISO 8601 with an explicit +00:00). */
export const sqliteDate = (date: Date): string => date.toISOString().replace("Z", "+00:00");

/**
 * @prisma/adapter-pg 6.19 returns a transaction's connection to the pool only in commit() or rollback(), and Prisma
 * calls neither when the connection died mid-transaction (its ROLLBACK fails first). Each such death then keeps one of
 * the pool's 10 slots forever, and after ten the process waits for a connection that never comes. This wrapper notices
 * a dead connection on any statement of a transaction and releases it to the pool as broken (the pool discards it and
 * opens a fresh one); commit and rollback then only detach.
 */
function releasingBrokenConnections(factory: SqlMigrationAwareDriverAdapterFactory): SqlMigrationAwareDriverAdapterFactory {
  type PoolConnection = { _queryable?: boolean; _ending?: boolean; release(error?: Error | boolean): void };
  const guard = (tx: Transaction): Transaction => {
    const connection = (tx as unknown as { client: PoolConnection }).client;
    let released = false;
    const dead = () => connection._queryable === false || connection._ending === true;
    const watch =
      <A extends unknown[], R>(run: (...args: A) => Promise<R>) =>
      async (...args: A): Promise<R> => {
        try {
          return await run(...args);
        } catch (error) {
          if (!released && dead()) {
            released = true;
            connection.release(error instanceof Error ? error : new Error(String(error)));
          }
          throw error;
        }
      };
    const finish = (end: () => Promise<void>) => async () => {
      if (!released) return end();
      (tx as unknown as { cleanup?: () => void }).cleanup?.();
    };
    tx.queryRaw = watch(tx.queryRaw.bind(tx));
    tx.executeRaw = watch(tx.executeRaw.bind(tx));
    tx.commit = finish(tx.commit.bind(tx));
    tx.rollback = finish(tx.rollback.bind(tx));
    return tx;
  };
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => {
      const adapter = await factory.connect();
      const start = adapter.startTransaction.bind(adapter);
      adapter.startTransaction = async (isolationLevel) => guard(await start(isolationLevel));
      return adapter;
    },
    connectToShadowDb: () => factory.connectToShadowDb(),
  };
}

type ClientClass = new (options: { adapter: SqlMigrationAwareDriverAdapterFactory }) => Db;

let postgresClient: ClientClass | null = null;

function postgresClientClass(): ClientClass {
  // Loaded on demand: SQLite deployments never need it, and a bare `import` of a `.prisma/…` path confuses bundlers.
  postgresClient ??= (createRequire(import.meta.url)(".prisma/client-postgresql") as { PrismaClient: ClientClass }).PrismaClient;
  return postgresClient;
}

/**
 * PostgreSQL's INTEGER is 32-bit, so the money columns (minor units) are BIGINT there (prisma/postgresql/schema.prisma)
 * and come back as bigint. Every result hands them back as numbers, the type the
 * SQLite client has, so services do arithmetic on one type (raw queries are converted in withSharedSql). Session.userId (Shopify's session storage) stays bigint.
 * Amounts beyond 2^53 minor units are refused at the webhook boundary; a bigger value here is a bug, not rounding.
 */
function withMoneyAsNumbers(client: Db): Db {
  return client.$extends({
    query: {
      $allModels: {
        async $allOperations({ model, args, query }) {
          const result = await query(args);
          return model === "Session" ? result : numbersFromBigInts(result);
        },
      },
    },
  }) as unknown as Db;
}

export function numbersFromBigInts<T>(value: T): T {
  if (typeof value === "bigint") {
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) throw new RangeError(`database value ${value} exceeds 2^53`);
    return Number(value) as T;
  }
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = numbersFromBigInts(value[i]);
    return value;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value; // Date, Buffer, Decimal: not ours to touch
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) record[key] = numbersFromBigInts(record[key]);
  return value;
}

const POSTGRES = Symbol("tierline.postgres");

/**
 * The generated PostgreSQL client carries its own copy of Prisma's runtime, so `Prisma.sql` fragments made with
 * `@prisma/client` (Prisma.join, Prisma.empty, nested templates) are not its `Sql` class and would be sent as values.
 * Raw queries are therefore assembled with `@prisma/client`'s tag and handed over as one finished statement; the same
 * holds for the client a transaction callback receives.
 */
function withSharedSql<T extends object>(client: T): T {
  const assemble = (query: unknown, values: unknown[]) =>
    Array.isArray(query) && Array.isArray((query as unknown as TemplateStringsArray).raw) ? Prisma.sql(query as unknown as TemplateStringsArray, ...values) : query;
  return new Proxy(client, {
    get(target, property) {
      if (property === POSTGRES) return true;
      const value = Reflect.get(target, property, target);
      if (typeof value !== "function") return value;
      // Raw results skip the model extension above: their bigints (money, COUNT(*)) become numbers here.
      if (property === "$queryRaw") return (query: unknown, ...values: unknown[]) => (value.call(target, assemble(query, values)) as Promise<unknown>).then(numbersFromBigInts);
      if (property === "$executeRaw") return (query: unknown, ...values: unknown[]) => value.call(target, assemble(query, values));
      if (property === "$transaction") {
        return (arg: unknown, options?: unknown) =>
          typeof arg === "function" ? value.call(target, (tx: object) => (arg as (tx: object) => unknown)(withSharedSql(tx)), options) : value.call(target, arg, options);
      }
      return value.bind(target);
    },
  });
}

declare global {
  var __tierlineDb: Db | undefined;
}

function sharedDb(): Db {
  // One client per process; in development Vite reloads modules, and a client per reload would leak connections.
  globalThis.__tierlineDb ??= createDb(undefined, { backgroundCheckpoints: true });
  return globalThis.__tierlineDb;
}

/**
 * The app's client, created on first use rather than at import: importing a module that imports this one (a route,
 * a test) opens no database, and DATABASE_URL is read when the app first queries.
 */
const db: Db = new Proxy({} as Db, {
  get(_target, property) {
    const client = sharedDb();
    const value = Reflect.get(client, property, client);
    return typeof value === "function" ? value.bind(client) : value;
  },
});

export default db;
