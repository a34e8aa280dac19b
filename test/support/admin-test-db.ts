import { afterEach, beforeEach } from "vitest";
import type { Db } from "~/db/client.server";
import { FormValidationError } from "~/forms/form-errors";
import { seedShop } from "./admin-builders";
import { createTestDb, type TestDb } from "./db";

/**
 * A fresh database per test for the admin's service tests: the shop installed, then `seed` (a published program,
 * orders...). Read `.db` inside a test or hook; it changes for every test.
 */
export function adminTestDb(shop: string, seed?: (db: Db) => Promise<unknown>): { readonly db: Db } {
  let current: TestDb | null = null;
  beforeEach(async () => {
    current = await createTestDb();
    await seedShop(current.db, shop);
    await seed?.(current.db);
  });
  afterEach(async () => current?.cleanup());
  return {
    get db(): Db {
      if (!current) throw new Error("adminTestDb: the database exists only inside a test");
      return current.db;
    },
  };
}

/** The form error an admin action refused with; fails the test when it did not refuse. */
export async function rejected(run: () => Promise<unknown>): Promise<FormValidationError> {
  try {
    await run();
  } catch (e) {
    if (e instanceof FormValidationError) return e;
    throw e;
  }
  throw new Error("expected the action to be rejected");
}
