import { createHash, randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { createDb, type Db } from "~/db.server";
import { JOB_HANDLERS } from "~/jobs/handlers.server";
import { drainJobs } from "~/jobs/worker.server";

/**
 * Isolated SQLite databases for tests. The migrations are applied once to a template file (keyed by the migration
 * SQL, so a schema change makes a new one), and every test database is a copy of it: a few milliseconds instead of a
 * migration per test.
 */

const root = path.resolve(import.meta.dirname, "../..");
const migrationsDir = path.join(root, "prisma/migrations");

export interface TestDb {
  db: Db;
  url: string;
  file: string;
  /** Disconnects and deletes the file. */
  cleanup(): Promise<void>;
}

function migrationScripts(): string[] {
  return fs
    .readdirSync(migrationsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .map((name) => fs.readFileSync(path.join(migrationsDir, name, "migration.sql"), "utf8"));
}

let templatePath: string | null = null;

/** The migrated template for this schema, built once per machine and schema version. */
export function migratedTemplate(): string {
  if (templatePath && fs.existsSync(templatePath)) return templatePath;
  const scripts = migrationScripts();
  const hash = createHash("sha256").update(scripts.join("\n-- next migration --\n")).digest("hex").slice(0, 16);
  const file = path.join(os.tmpdir(), `tierline-template-${hash}.sqlite`);
  if (!fs.existsSync(file)) {
    // Built under a unique name and renamed, so parallel test processes never copy a half-written template.
    const building = `${file}.${process.pid}.${randomUUID()}`;
    const sqlite = new Database(building);
    try {
      for (const sql of scripts) sqlite.exec(sql);
    } finally {
      sqlite.close();
    }
    fs.renameSync(building, file);
  }
  templatePath = file;
  return file;
}

export async function createTestDb(): Promise<TestDb> {
  const file = path.join(os.tmpdir(), `tierline-test-${process.pid}-${randomUUID()}.sqlite`);
  fs.copyFileSync(migratedTemplate(), file);
  const url = `file:${file}`;
  const db = createDb(url);
  return {
    db,
    url,
    file,
    async cleanup() {
      await db.$disconnect();
      for (const suffix of ["", "-wal", "-shm"]) fs.rmSync(`${file}${suffix}`, { force: true });
    },
  };
}

/** Every table's rows for one shop column value, or all rows: used to prove purges and redactions. */
export async function dumpTables(db: Db): Promise<Record<string, Record<string, unknown>[]>> {
  const tables = await db.$queryRawUnsafe<{ name: string }[]>(
    `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_prisma%' ORDER BY name`,
  );
  const out: Record<string, Record<string, unknown>[]> = {};
  for (const { name } of tables) out[name] = await db.$queryRawUnsafe<Record<string, unknown>[]>(`SELECT * FROM "${name}"`);
  return out;
}

/** A shop as installed: its row (rewards from `installedAt`). */
export async function seedShop(db: Db, shop: string, over: { currency?: string; installedAt?: Date; rewardsFrom?: Date | null } = {}): Promise<void> {
  const installedAt = over.installedAt ?? new Date("2026-01-01T00:00:00Z");
  await db.shop.create({
    data: { domain: shop, currency: over.currency ?? "USD", installedAt, rewardsFrom: over.rewardsFrom === undefined ? installedAt : over.rewardsFrom },
  });
}

/** Stores a program version as published at `publishedAt` (earlier published versions become superseded). */
export async function publishProgram(db: Db, shop: string, programJson: unknown, publishedAt: Date = new Date("2026-01-01T00:00:00Z")): Promise<string> {
  await db.programVersion.updateMany({ where: { shop, status: "published" }, data: { status: "superseded" } });
  const version = await db.programVersion.create({
    data: { shop, status: "published", programJson: JSON.stringify(programJson), publishedAt, createdAt: publishedAt },
  });
  return version.id;
}

/**
 * Runs the due jobs of the given types (and the follow-ups they queue) at a fixed instant, like the worker would.
 * Throws when any of them did not finish, with its error, so a test fails on the real cause.
 */
export async function runJobs(db: Db, now: Date, types: string[] = ["process-webhooks", "recalculate", "review-members"]): Promise<string[]> {
  const results = await drainJobs(db, { now: () => now, types }, JOB_HANDLERS);
  const failed = results.filter((r) => r.ran && r.status !== "done");
  if (failed.length) throw new Error(`jobs failed: ${failed.map((r) => (r.ran ? `${r.job.type}: ${r.error}` : "")).join("; ")}`);
  return results.map((r) => (r.ran ? r.job.type : ""));
}
