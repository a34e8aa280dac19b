import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import type BetterSqlite3 from "better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { Prisma, PrismaClient } from "@prisma/client";
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { withMoneyAsNumbers } from "./bigint-numbers.server";
import { isPostgresClient, postgresClientClass, withSharedSql } from "./postgres-client.server";
import { releasingBrokenConnections } from "./postgres-pool-fix.server";
import { checkpointInBackground } from "./sqlite-checkpoints.server";
import { openSpool } from "./sqlite-spool.server";
import { beginImmediateWithoutBlocking, offerConnection, withDirectWrites, type SqliteConnectionSlot } from "./sqlite-direct-writes.server";

/**
 * The Prisma client, on a driver adapter chosen by DATABASE_URL: `file:` → better-sqlite3 (the embedded default),
 * `postgres://` / `postgresql://` → pg. Prisma's binary engines are never needed.
 *
 * A client is generated per provider: `@prisma/client` from prisma/schema.prisma (SQLite) and
 * `.prisma/client-postgresql` from prisma/postgresql/schema.prisma (the same models; `npm run postinstall` generates
 * both). Callers see one type, `Db`: the models are identical, and the PostgreSQL client is loaded only when used.
 *
 * The rest of this folder is what each database needs beyond stock Prisma, one file per reason, each removable alone
 * (its header says what removing it costs): sqlite-direct-writes (the inbox's prepared statements beside Prisma),
 * sqlite-checkpoints (WAL checkpoints off the event loop), postgres-client (the second Prisma runtime's SQL),
 * postgres-pool-fix (dead connections back to the pool), bigint-numbers (BIGINT money as numbers).
 */

export type Db = PrismaClient;
/** The client a transaction callback receives. */
export type Tx = Prisma.TransactionClient;
/** For reads and writes that work the same inside a transaction or outside one. */
export type DbOrTx = Db | Tx;

export type DbProvider = "sqlite" | "postgresql";

export const DEFAULT_DATABASE_URL = "file:./prisma/dev.sqlite";

/** How long a writer waits for another process's lock (the worker and the web app share one SQLite file). */
const SQLITE_BUSY_TIMEOUT_MS = 5_000;

export interface DbOptions {
  /**
   * SQLite: WAL checkpoints run on a thread of their own instead of inside whichever commit crosses the threshold
   * (app/db/sqlite-checkpoints.server.ts). For the long-running processes: the app, whose event loop answers
   * webhooks, and the worker, whose drain otherwise paid a checkpoint inside its commits (bench:webhooks, 20 s at
   * 500/s: the drain's COMMITs took 2.8 s, 5.3 ms each, against 1.0 s, 1.75 ms each, with the thread).
   */
  backgroundCheckpoints?: boolean;
  /**
   * SQLite: open the spool, a second file beside the database (`<file>-spool`), whose writes never wait for the main
   * file's writer (app/db/sqlite-spool.server.ts). The webhook inbox stores deliveries there and the worker moves them
   * in (app/services/webhook-inbox-store.server.ts). For the app's web process and the worker; ignored on PostgreSQL
   * and for `:memory:`.
   */
  spool?: boolean;
  /**
   * SQLite: this client never checkpoints, neither inline nor on a thread (wal_autocheckpoint off on its connection
   * and its spool's): another process's client does, the worker's (`backgroundCheckpoints`). For the web process
   * under server.js, which writes only deliveries into the spool: the copying back then runs in the worker, below the
   * web in the CPU's queue (WORKER_NICE), not beside the answers (bench:webhooks, 60 s at 500/s: 0.62–0.66 ms of web
   * CPU per delivery against 0.71–0.81 with the web's own threads). Without a worker running, the WALs grow.
   */
  checkpointsElsewhere?: boolean;
}

export function createDb(url: string = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL, opts: DbOptions = {}): Db {
  if (isPostgresUrl(url)) return withSharedSql(withMoneyAsNumbers(new (postgresClientClass())({ adapter: adapterFor(url) })));
  if (!url.startsWith("file:")) return new PrismaClient({ adapter: adapterFor(url) });
  const slot: SqliteConnectionSlot = {};
  return withDirectWrites(new PrismaClient({ adapter: sqliteAdapter(url, slot, opts) }), slot);
}

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//.test(url);
}

/** Which database a client (or a transaction's client) talks to: for the few statements that differ. */
export function dbProvider(db: DbOrTx): DbProvider {
  return isPostgresClient(db) ? "postgresql" : "sqlite";
}

/**
 * Transaction-scoped locks on names: on PostgreSQL advisory locks held until the transaction ends, so read-modify-write
 * transactions on the same names take turns (READ COMMITTED alone lets two of them read the same state and both
 * write). On SQLite a write transaction already holds the whole database. Sorted, so two transactions wanting
 * overlapping names take them in the same order and cannot deadlock.
 */
export async function lockNames(tx: Tx, names: string[]): Promise<void> {
  if (dbProvider(tx) !== "postgresql" || names.length === 0) return;
  const sorted = [...new Set(names)].sort();
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) FROM (SELECT unnest(${sorted}::text[]) AS k ORDER BY 1) AS sorted`;
}

/**
 * A `contains` filter that ignores case on both databases: SQLite's LIKE already ignores (ASCII) case, PostgreSQL's
 * is exact unless asked. Searches and redaction must find "Augusta" in "augusta@…" on either.
 */
export function containsText(db: DbOrTx, text: string): Prisma.StringFilter {
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
 * With a `slot`, the connection is also offered to `writeSqliteDirectly` (sqlite-direct-writes.server.ts), and the
 * client's own transactions take the slot's lock for their whole length.
 */
function sqliteAdapter(url: string, slot?: SqliteConnectionSlot, opts: DbOptions = {}): SqlMigrationAwareDriverAdapterFactory {
  const base = new PrismaBetterSQLite3({ url, timeout: SQLITE_BUSY_TIMEOUT_MS });
  const configure = async (adapter: SqlDriverAdapter) => {
    await adapter.executeScript(
      `PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS};`,
    );
    takeWriteLockAtBegin(adapter);
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
      if (opts.checkpointsElsewhere) await adapter.executeScript("PRAGMA wal_autocheckpoint = 0;");
      if (slot && opts.spool && file !== ":memory:") {
        const checkpoints = opts.checkpointsElsewhere ? "elsewhere" : opts.backgroundCheckpoints ? "thread" : "inline";
        await openSpool(adapter, slot, file, { busyTimeoutMs: SQLITE_BUSY_TIMEOUT_MS, checkpoints });
      }
      return adapter;
    },
    connectToShadowDb: async () => configure(await base.connectToShadowDb()),
  };
}

/**
 * Prisma's transactions on SQLite begin IMMEDIATE (the adapter says BEGIN, which is DEFERRED). A deferred transaction
 * reads from a snapshot and asks for the write lock at its first write; in WAL mode, if another connection committed
 * meanwhile (the web process storing a webhook, every few milliseconds in a burst), that write fails at once with
 * SQLITE_BUSY_SNAPSHOT, which no busy timeout waits out: the worker's read-then-write transactions (a drain group, a
 * chunk of members) would fail and retry for as long as the burst lasts. IMMEDIATE takes the write lock at BEGIN,
 * waiting (up to the busy timeout, trying every millisecond) for a writer in another process, so a transaction that
 * starts always commits. Readers are never blocked.
 *
 * Taking turns: a connection that just ended a transaction waits WRITER_TURN_MS before it begins the next one, so a
 * writer in another process that is waiting for the lock (the web process's webhook inserts retry every millisecond:
 * writeSqliteDirectly) gets it between two of the worker's transactions instead of behind all of them.
 */
export const WRITER_TURN_MS = 2;

function takeWriteLockAtBegin(adapter: SqlDriverAdapter): void {
  const database = (adapter as unknown as { client?: BetterSqlite3.Database }).client;
  if (!database || typeof database.prepare !== "function") return; // not better-sqlite3: nothing to change
  const prepare = database.prepare.bind(database);
  // The lock is taken before the adapter's BEGIN (beginImmediateWithoutBlocking: without blocking the event loop,
  // trying every millisecond, so every process's writers take turns fairly); the adapter's BEGIN is then a no-op.
  let begun = false;
  const begunAlready = { run: () => ({ changes: 0, lastInsertRowid: 0 }) } as unknown as BetterSqlite3.Statement;
  database.prepare = ((sql: string) =>
    sql === "BEGIN" ? (begun ? begunAlready : prepare("BEGIN IMMEDIATE")) : prepare(sql)) as typeof database.prepare;
  let endedAt = 0;
  const start = adapter.startTransaction.bind(adapter);
  adapter.startTransaction = async (isolationLevel) => {
    const wait = endedAt + WRITER_TURN_MS - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    await beginImmediateWithoutBlocking(database);
    begun = true;
    let tx: Awaited<ReturnType<typeof start>>;
    try {
      tx = await start(isolationLevel);
    } catch (error) {
      if (database.inTransaction) database.prepare("ROLLBACK").run();
      throw error;
    } finally {
      begun = false;
    }
    const commit = tx.commit.bind(tx);
    const rollback = tx.rollback.bind(tx);
    tx.commit = () => commit().finally(() => (endedAt = performance.now()));
    tx.rollback = () => rollback().finally(() => (endedAt = performance.now()));
    return tx;
  };
}

declare global {
  var __tierlineDb: Db | undefined;
}

/**
 * The app's web process writes webhook deliveries into the spool when TIERLINE_SPOOL is "on": server.js (`npm start`,
 * production) turns it on, and the worker (scripts/worker.ts) always opens the spool to move them in and checkpoints
 * both files (the web then leaves checkpoints to it: `checkpointsElsewhere`). Off in `shopify app dev` and where tests
 * call the routes in-process, whose deliveries go straight to the inbox.
 */
export const SPOOL_ENV = "TIERLINE_SPOOL";

function sharedDb(): Db {
  // One client per process; in development Vite reloads modules, and a client per reload would leak connections.
  globalThis.__tierlineDb ??= createDb(
    undefined,
    process.env[SPOOL_ENV] === "on" ? { spool: true, checkpointsElsewhere: true } : { backgroundCheckpoints: true },
  );
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
