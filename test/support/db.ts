import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { createDb, dbProvider, type Db, type DbOptions } from "~/db/client.server";
import { sqliteFilesOf } from "~/db/sqlite-spool.server";
import { JOB_HANDLERS } from "~/jobs/handlers.server";
import { drainJobs } from "~/jobs/worker.server";
import { migratedTemplate, migrationScripts, publishProgram, schemaHash } from "../../tools/local-stack/database";

export { migratedTemplate, publishProgram };

/**
 * Isolated databases for tests. The migrations are applied once to a template (keyed by the migration SQL, so a
 * schema change makes a new one), and every test database is a copy of it: a few milliseconds instead of a migration
 * per test.
 *
 * SQLite by default (the template is a file). With TIERLINE_TEST_DATABASE_URL set to a PostgreSQL server
 * (`scripts/postgres.sh start` prints one), every test gets its own database, `CREATE DATABASE … TEMPLATE`.
 */

const root = path.resolve(import.meta.dirname, "../..");
const postgresMigrationsDir = path.join(root, "prisma/postgresql/migrations");

/** The PostgreSQL server the suites run against, or null for SQLite. */
export const testPostgresUrl: string | null = process.env.TIERLINE_TEST_DATABASE_URL || null;

export interface TestDb {
  db: Db;
  url: string;
  /** The SQLite file; "" on PostgreSQL. */
  file: string;
  /** Disconnects and deletes the database. */
  cleanup(): Promise<void>;
}

/** `opts` are createDb's (SQLite only: PostgreSQL clients take none). */
export async function createTestDb(opts: DbOptions = {}): Promise<TestDb> {
  if (testPostgresUrl) return createPostgresTestDb(testPostgresUrl);
  const file = path.join(os.tmpdir(), `tierline-test-${process.pid}-${randomUUID()}.sqlite`);
  fs.copyFileSync(migratedTemplate(), file);
  const url = `file:${file}`;
  const db = createDb(url, opts);
  return {
    db,
    url,
    file,
    async cleanup() {
      await db.$disconnect();
      for (const f of sqliteFilesOf(file)) fs.rmSync(f, { force: true });
    },
  };
}

function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

let adminPool: pg.Pool | null = null;

/** Connections to the server's own database, for CREATE/DROP DATABASE (never to a test database). */
function admin(serverUrl: string): pg.Pool {
  adminPool ??= new pg.Pool({ connectionString: serverUrl, max: 2, allowExitOnIdle: true });
  return adminPool;
}

let postgresTemplate: Promise<string> | null = null;

/** The migrated template database, built once per server and schema version (test processes race for it safely). */
export function postgresTemplateDb(serverUrl: string): Promise<string> {
  postgresTemplate ??= (async () => {
    const scripts = migrationScripts(postgresMigrationsDir);
    const name = `tierline_template_${schemaHash(scripts)}`;
    const client = await admin(serverUrl).connect();
    try {
      // A session lock: the processes of one test run wait for whichever builds the template first.
      await client.query("SELECT pg_advisory_lock(hashtext('tierline test template'))");
      const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
      if (exists.rowCount === 0) {
        const building = `${name}_building`;
        await client.query(`DROP DATABASE IF EXISTS "${building}" WITH (FORCE)`);
        await client.query(`CREATE DATABASE "${building}" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`);
        const target = new pg.Client({ connectionString: databaseUrl(serverUrl, building) });
        await target.connect();
        try {
          for (const sql of scripts) await target.query(sql);
        } finally {
          await target.end();
        }
        await client.query(`ALTER DATABASE "${building}" RENAME TO "${name}"`);
      }
    } finally {
      await client.query("SELECT pg_advisory_unlock(hashtext('tierline test template'))").catch(() => undefined);
      client.release();
    }
    return name;
  })();
  postgresTemplate.catch(() => (postgresTemplate = null));
  return postgresTemplate;
}

const TEST_DB_PREFIX = "tierline_test_";

/** A fresh copy of the template. */
async function clonePostgresTemplate(serverUrl: string): Promise<string> {
  const template = await postgresTemplateDb(serverUrl);
  const name = `${TEST_DB_PREFIX}${process.pid}_${randomUUID().replace(/-/g, "").slice(0, 12)}`;
  // FILE_COPY: for a database this small, about twice as fast as the default WAL_LOG strategy.
  await admin(serverUrl).query(`CREATE DATABASE "${name}" TEMPLATE "${template}" STRATEGY FILE_COPY`);
  return name;
}

/** The next test's database, cloned while the current test runs. */
let spare: Promise<string> | null = null;
let sweptLeftovers = false;

/** Databases left by test processes that have exited (each process's last spare, a killed run). */
async function dropLeftovers(serverUrl: string): Promise<void> {
  const { rows } = await admin(serverUrl).query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE $1", [`${TEST_DB_PREFIX}%`]);
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  for (const { datname } of rows) {
    const pid = Number(datname.slice(TEST_DB_PREFIX.length).split("_")[0]);
    if (pid && !alive(pid))
      await admin(serverUrl)
        .query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`)
        .catch(() => undefined);
  }
}

async function createPostgresTestDb(serverUrl: string): Promise<TestDb> {
  if (!sweptLeftovers) {
    sweptLeftovers = true;
    await dropLeftovers(serverUrl);
  }
  const name = await (spare ?? clonePostgresTemplate(serverUrl));
  spare = clonePostgresTemplate(serverUrl);
  spare.catch(() => (spare = null));
  const url = databaseUrl(serverUrl, name);
  const db = createDb(url);
  return {
    db,
    url,
    file: "",
    async cleanup() {
      await db.$disconnect();
      // FORCE cannot end a superuser's backend (an autovacuum worker that just started on this database): wait it out.
      for (let attempt = 1; ; attempt++) {
        try {
          await admin(serverUrl).query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
          return;
        } catch (error) {
          if (attempt >= 20 || !/pg_signal_backend|being accessed by other users/.test(String(error))) throw error;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    },
  };
}

/** Every table's rows for one shop column value, or all rows: used to prove purges and redactions. */
export async function dumpTables(db: Db): Promise<Record<string, Record<string, unknown>[]>> {
  const tables =
    dbProvider(db) === "postgresql"
      ? await db.$queryRawUnsafe<{ name: string }[]>(
          `SELECT table_name::text AS name FROM information_schema.tables
            WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name NOT LIKE '\\_prisma%' ORDER BY table_name`,
        )
      : await db.$queryRawUnsafe<{ name: string }[]>(
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
    data: {
      domain: shop,
      currency: over.currency ?? "USD",
      installedAt,
      rewardsFrom: over.rewardsFrom === undefined ? installedAt : over.rewardsFrom,
    },
  });
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

/** Every column of a SQLite file's inbox and job tables exactly as the file holds them (ids left out), for comparison. */
export function storedInboxRows(file: string) {
  const sqlite = new Database(file, { readonly: true });
  try {
    const inbox = sqlite.prepare(`SELECT * FROM "WebhookInbox" ORDER BY "shop", "webhookId"`).all() as Record<string, unknown>[];
    const jobs = sqlite.prepare(`SELECT * FROM "Job" ORDER BY "key"`).all() as Record<string, unknown>[];
    return { inbox: inbox.map(({ id: _id, ...row }) => row), jobs: jobs.map(({ id: _id, ...row }) => row) };
  } finally {
    sqlite.close();
  }
}
