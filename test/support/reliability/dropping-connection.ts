import { PrismaClient } from "@prisma/client";
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory, Transaction } from "@prisma/driver-adapter-utils";
import { adapterFor, createDb, isPostgresUrl, type Db } from "~/db/client.server";

/**
 * A database connection that drops in the middle of a transaction, at the n-th write to one table.
 *
 * - PostgreSQL: for real. A trigger on the table makes the server terminate the writing backend
 *   (`pg_terminate_backend(pg_backend_pid())`) at the n-th row, so the worker's own connection dies mid-transaction
 *   and the server rolls the transaction back.
 * - SQLite (no connection to cut): the client's driver adapter fails the n-th such statement inside an interactive
 *   transaction as a dead connection fails, below Prisma, so Prisma rolls back and the caller sees the error.
 */
export async function dropConnectionAt(
  url: string,
  table: string,
  atWrite: number,
): Promise<{ db: Db; dropped(): Promise<number>; release(): Promise<void> }> {
  if (!isPostgresUrl(url)) {
    const client = droppingClient(url, {
      atStatement: atWrite,
      when: (sql) => new RegExp(`^\\s*(INSERT INTO|UPDATE) [^ ]*${table}\\b`, "i").test(sql),
    });
    return { db: client.db, dropped: async () => client.drops.length, release: () => client.db.$disconnect() };
  }
  const admin = createDb(url);
  await admin.$executeRawUnsafe(`CREATE SEQUENCE "reliability_drop_seq"`);
  await admin.$executeRawUnsafe(`
    CREATE FUNCTION "reliability_drop"() RETURNS trigger AS $$
    BEGIN
      IF nextval('"reliability_drop_seq"') = ${Number(atWrite)} THEN PERFORM pg_terminate_backend(pg_backend_pid()); END IF;
      RETURN NEW;
    END $$ LANGUAGE plpgsql`);
  await admin.$executeRawUnsafe(
    `CREATE TRIGGER "reliability_drop" BEFORE INSERT OR UPDATE ON "${table}" FOR EACH ROW EXECUTE FUNCTION "reliability_drop"()`,
  );
  const db = createDb(url);
  return {
    db,
    dropped: async () => {
      const [{ n }] = await admin.$queryRawUnsafe<{ n: bigint }[]>(`SELECT last_value AS n FROM "reliability_drop_seq"`);
      return Number(n) >= atWrite ? 1 : 0;
    },
    release: async () => {
      await admin.$executeRawUnsafe(`DROP TRIGGER "reliability_drop" ON "${table}"`);
      await admin.$disconnect();
      // createDb releases a connection that died mid-transaction (app/db/postgres-pool-fix.server.ts, releasingBrokenConnections); the
      // bound only keeps a regression there from hanging the suite.
      await Promise.race([db.$disconnect().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 1000))]);
    },
  };
}

/**
 * A Prisma client whose database connection drops in the middle of a transaction: the chosen statement inside an
 * interactive transaction fails as a dead connection fails (the driver reports the socket gone), so Prisma rolls the
 * transaction back and the caller sees the error. SQLite only: on PostgreSQL use dropConnectionAt.
 */

export interface ConnectionDrop {
  /** Fail the n-th statement (1-based, counted over every transaction's statements) that matches `when`. */
  atStatement: number;
  /** Only statements for which this holds count (default: every statement inside a transaction). */
  when?: (sql: string) => boolean;
}

export interface DroppingClient {
  db: Db;
  /** The statements that were cut off. */
  drops: string[];
  /** Statements run inside transactions so far (matching `when`). */
  counted(): number;
}

export class ConnectionTerminatedError extends Error {
  constructor(sql: string) {
    super(`Connection terminated unexpectedly (while running: ${sql.slice(0, 80)})`);
    this.name = "ConnectionTerminatedError";
  }
}

export function droppingClient(url: string, drop: ConnectionDrop): DroppingClient {
  const base = adapterFor(url);
  const drops: string[] = [];
  let seen = 0;
  const when = drop.when ?? (() => true);
  const guard = (sql: string) => {
    if (!when(sql)) return;
    seen++;
    if (seen === drop.atStatement) {
      drops.push(sql);
      throw new ConnectionTerminatedError(sql);
    }
  };
  const wrapTransaction = (tx: Transaction): Transaction =>
    new Proxy(tx, {
      get(target, property, receiver) {
        if (property === "queryRaw" || property === "executeRaw") {
          return async (query: { sql: string }) => {
            guard(query.sql);
            return (target[property] as (q: unknown) => Promise<unknown>).call(target, query);
          };
        }
        const value = Reflect.get(target, property, receiver);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
  const wrapAdapter = (adapter: SqlDriverAdapter): SqlDriverAdapter =>
    new Proxy(adapter, {
      get(target, property, receiver) {
        if (property === "startTransaction") {
          return async (...args: Parameters<SqlDriverAdapter["startTransaction"]>) => wrapTransaction(await target.startTransaction(...args));
        }
        const value = Reflect.get(target, property, receiver);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
  const factory: SqlMigrationAwareDriverAdapterFactory = {
    provider: base.provider,
    adapterName: base.adapterName,
    connect: async () => wrapAdapter(await base.connect()),
    connectToShadowDb: async () => wrapAdapter(await base.connectToShadowDb()),
  };
  return { db: new PrismaClient({ adapter: factory }), drops, counted: () => seen };
}
