import { createRequire } from "node:module";
import { Prisma, type PrismaClient } from "@prisma/client";
import type { SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { numbersFromBigInts } from "./bigint-numbers.server";

/**
 * The PostgreSQL client: the generated `.prisma/client-postgresql` (prisma/postgresql/schema.prisma, the same models
 * as the SQLite schema), loaded only when a PostgreSQL URL is used, and made to accept `@prisma/client`'s SQL.
 *
 * Why the wrapper: the generated client carries its own copy of Prisma's runtime, so `Prisma.sql` fragments made with
 * `@prisma/client` (Prisma.join, Prisma.empty, nested templates) are not its `Sql` class and would be sent as values.
 * Raw queries are therefore assembled with `@prisma/client`'s tag and handed over as one finished statement (the same
 * for the client a transaction callback receives), and raw results get their bigints back as numbers. Removing it
 * means every raw query in the services building its SQL with the PostgreSQL client's own `Prisma` namespace.
 */

type ClientClass = new (options: { adapter: SqlMigrationAwareDriverAdapterFactory }) => PrismaClient;

let postgresClient: ClientClass | null = null;

export function postgresClientClass(): ClientClass {
  // Loaded on demand: SQLite deployments never need it, and a bare `import` of a `.prisma/…` path confuses bundlers.
  postgresClient ??= (createRequire(import.meta.url)(".prisma/client-postgresql") as { PrismaClient: ClientClass }).PrismaClient;
  return postgresClient;
}

const POSTGRES = Symbol("tierline.postgres");

/** True for a client (or a transaction's client) made by withSharedSql: the PostgreSQL one. */
export const isPostgresClient = (client: object): boolean => (client as { [POSTGRES]?: true })[POSTGRES] === true;

export function withSharedSql<T extends object>(client: T): T {
  const assemble = (query: unknown, values: unknown[]) =>
    Array.isArray(query) && Array.isArray((query as unknown as TemplateStringsArray).raw)
      ? Prisma.sql(query as unknown as TemplateStringsArray, ...values)
      : query;
  return new Proxy(client, {
    get(target, property) {
      if (property === POSTGRES) return true;
      const value = Reflect.get(target, property, target);
      if (typeof value !== "function") return value;
      // Raw results skip the model extension (withMoneyAsNumbers): their bigints (money, COUNT(*)) become numbers here.
      if (property === "$queryRaw")
        return (query: unknown, ...values: unknown[]) => (value.call(target, assemble(query, values)) as Promise<unknown>).then(numbersFromBigInts);
      if (property === "$executeRaw") return (query: unknown, ...values: unknown[]) => value.call(target, assemble(query, values));
      if (property === "$transaction") {
        return (arg: unknown, options?: unknown) =>
          typeof arg === "function"
            ? value.call(target, (tx: object) => (arg as (tx: object) => unknown)(withSharedSql(tx)), options)
            : value.call(target, arg, options);
      }
      return value.bind(target);
    },
  });
}
