import type { PrismaClient } from "@prisma/client";

/**
 * PostgreSQL: money columns come back as numbers, the type they have on SQLite.
 *
 * Why it exists: PostgreSQL's INTEGER is 32-bit, so the money columns (minor units) are BIGINT there
 * (prisma/postgresql/schema.prisma) and Prisma returns them as bigint. Every model result hands them back as numbers,
 * so services do arithmetic on one type on both databases (raw query results are converted by postgres-client.server.ts
 * with `numbersFromBigInts`). Session.userId (Shopify's session storage) stays bigint. Amounts beyond 2^53 minor units
 * are refused at the webhook boundary; a bigger value here is a bug, not rounding, and throws.
 *
 * Removing it would mean bigint arithmetic (or Number() at every read) in every service that touches money, and
 * `1n + 1` TypeErrors on PostgreSQL only: keep it as long as the schemas differ in integer width.
 */
export function withMoneyAsNumbers<T extends PrismaClient>(client: T): T {
  return client.$extends({
    query: {
      $allModels: {
        async $allOperations({ model, args, query }) {
          const result = await query(args);
          return model === "Session" ? result : numbersFromBigInts(result);
        },
      },
    },
  }) as unknown as T;
}

/** Replaces bigints in a result (in place: plain objects and arrays only) with numbers; throws past 2^53. */
export function numbersFromBigInts<T>(value: T): T {
  if (typeof value === "bigint") {
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER))
      throw new RangeError(`database value ${value} exceeds 2^53`);
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
