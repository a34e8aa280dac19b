import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@prisma/client";
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";

/**
 * The Prisma client, on a driver adapter chosen by DATABASE_URL: `file:` → better-sqlite3 (the embedded default),
 * `postgres://` / `postgresql://` → pg. Prisma's binary engines are never needed.
 *
 * PostgreSQL needs a client generated from the schema with `provider = "postgresql"`; the adapter choice is here so
 * that switching is configuration plus `prisma generate`, not code.
 */

export type Db = PrismaClient;

export const DEFAULT_DATABASE_URL = "file:./prisma/dev.sqlite";

/** How long a writer waits for another process's lock (the worker and the web app share one SQLite file). */
const SQLITE_BUSY_TIMEOUT_MS = 5_000;

export function createDb(url: string = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL): Db {
  return new PrismaClient({ adapter: adapterFor(url) });
}

export function adapterFor(url: string): SqlMigrationAwareDriverAdapterFactory {
  if (/^postgres(ql)?:\/\//.test(url)) return new PrismaPg({ connectionString: url });
  if (url.startsWith("file:")) return sqliteAdapter(url);
  throw new Error(`DATABASE_URL must start with file:, postgres:// or postgresql:// (got "${url.replace(/\/\/[^@]*@/, "//…@")}")`);
}

/**
 * better-sqlite3 with WAL (readers never block the writer, so webhooks stay fast while the worker writes) and a busy
 * timeout (a second process waits for the lock instead of failing at once). Foreign keys are on so cascades hold.
 */
function sqliteAdapter(url: string): SqlMigrationAwareDriverAdapterFactory {
  const base = new PrismaBetterSQLite3({ url, timeout: SQLITE_BUSY_TIMEOUT_MS });
  const configure = async (adapter: SqlDriverAdapter) => {
    await adapter.executeScript(`PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS};`);
    return adapter;
  };
  return {
    provider: base.provider,
    adapterName: base.adapterName,
    connect: async () => configure(await base.connect()),
    connectToShadowDb: async () => configure(await base.connectToShadowDb()),
  };
}

declare global {
  var __tierlineDb: Db | undefined;
}

function sharedDb(): Db {
  // One client per process; in development Vite reloads modules, and a client per reload would leak connections.
  globalThis.__tierlineDb ??= createDb();
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
