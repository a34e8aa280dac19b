// A fresh, migrated database for a bench: SQLite, a file in the temporary folder; PostgreSQL, a database of its own
// (dropped first) on the server TIERLINE_BENCH_DATABASE_URL names, migrated from the repo's migration folders.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { migrationScripts } from "../../tools/local-stack/database.ts";
import { sqliteFilesOf } from "../../app/db/sqlite-spool.server.ts";

const root = path.resolve(import.meta.dirname, "../..");

/** The URL of the bench's PostgreSQL database `name` on the server TIERLINE_BENCH_DATABASE_URL names. */
export function postgresBenchUrl(name: string): string {
  const server = process.env.TIERLINE_BENCH_DATABASE_URL;
  if (!server)
    throw new Error("set TIERLINE_BENCH_DATABASE_URL to a PostgreSQL server URL, e.g. TIERLINE_BENCH_DATABASE_URL=$(scripts/postgres.sh start)");
  const url = new URL(server);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A new, migrated database called `name` (the SQLite file's name carries this process's id); drop() removes a SQLite file. */
export async function freshBenchDatabase(database: "sqlite" | "postgres", name: string): Promise<{ url: string; drop: () => void }> {
  if (database === "sqlite") {
    const file = path.join(os.tmpdir(), `${name}-${process.pid}.sqlite`);
    const drop = () => {
      for (const f of sqliteFilesOf(file)) fs.rmSync(f, { force: true });
    };
    drop();
    const sqlite = new Database(file);
    for (const sql of migrationScripts(path.join(root, "prisma/migrations"))) sqlite.exec(sql);
    sqlite.close();
    return { url: `file:${file}`, drop };
  }
  const url = postgresBenchUrl(name);
  const admin = new pg.Client({ connectionString: process.env.TIERLINE_BENCH_DATABASE_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  for (const sql of migrationScripts(path.join(root, "prisma/postgresql/migrations"))) await client.query(sql);
  await client.end();
  return { url, drop: () => undefined };
}
