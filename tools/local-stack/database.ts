import { createHash, randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import type { Db } from "~/db/client.server";

/**
 * The local stack's database: a SQLite file copied from a migrated template (keyed by the migration SQL, so a
 * schema change makes a new one, built once per machine), and a published programme stored as the admin's publish
 * stores it. The tests' isolated databases (test/support/db.ts) are copies of the same template.
 */

const root = path.resolve(import.meta.dirname, "../..");
const migrationsDir = path.join(root, "prisma/migrations");

/** The migration scripts of `dir` (one folder per migration, applied in name order). */
export function migrationScripts(dir: string = migrationsDir): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .map((name) => fs.readFileSync(path.join(dir, name, "migration.sql"), "utf8"));
}

export const schemaHash = (scripts: string[]) => createHash("sha256").update(scripts.join("\n-- next migration --\n")).digest("hex").slice(0, 16);

let templatePath: string | null = null;

/** The migrated template for this schema, built once per machine and schema version. */
export function migratedTemplate(): string {
  if (templatePath && fs.existsSync(templatePath)) return templatePath;
  const scripts = migrationScripts();
  const hash = schemaHash(scripts);
  const file = path.join(os.tmpdir(), `tierline-template-${hash}.sqlite`);
  if (!fs.existsSync(file)) {
    // Built under a unique name and renamed, so parallel processes never copy a half-written template.
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

/** Stores a program version as published at `publishedAt` (earlier published versions become superseded). */
export async function publishProgram(
  db: Db,
  shop: string,
  programJson: unknown,
  publishedAt: Date = new Date("2026-01-01T00:00:00Z"),
): Promise<string> {
  await db.programVersion.updateMany({ where: { shop, status: "published" }, data: { status: "superseded" } });
  const version = await db.programVersion.create({
    data: { shop, status: "published", programJson: JSON.stringify(programJson), publishedAt, createdAt: publishedAt },
  });
  return version.id;
}
