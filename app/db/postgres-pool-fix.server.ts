import type { SqlMigrationAwareDriverAdapterFactory, Transaction } from "@prisma/driver-adapter-utils";

/**
 * PostgreSQL: a connection that dies mid-transaction goes back to the pool.
 *
 * Why it exists: @prisma/adapter-pg 6.19 returns a transaction's connection to the pool only in commit() or
 * rollback(), and Prisma calls neither when the connection died mid-transaction (its ROLLBACK fails first). Each such
 * death then keeps one of the pool's 10 slots forever, and after ten the process waits for a connection that never
 * comes. This wrapper notices a dead connection on any statement of a transaction and releases it to the pool as
 * broken (the pool discards it and opens a fresh one); commit and rollback then only detach.
 *
 * Removing it (once the adapter releases dead connections itself; test/reliability's dropping-connection scenarios
 * tell): drop the `releasingBrokenConnections(…)` call in client.server.ts and this file. It reads pg's internals
 * (`_queryable`, `_ending`) and the adapter's (`client`, `cleanup`), so check it on every upgrade of either.
 */
export function releasingBrokenConnections(factory: SqlMigrationAwareDriverAdapterFactory): SqlMigrationAwareDriverAdapterFactory {
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
