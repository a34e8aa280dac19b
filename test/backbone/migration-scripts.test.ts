import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

// `prisma migrate deploy` on PostgreSQL runs each migration through the pg driver adapter, which splits the script at
// every semicolon, comments included: a comment holding one turns its tail into a statement and the deploy fails
// ("syntax error at or near …") on a production database while every test, which applies the scripts itself, passes.
const root = path.resolve(import.meta.dirname, "../..");
const scripts = ["prisma/migrations", "prisma/postgresql/migrations"].flatMap((dir) =>
  fs
    .readdirSync(path.join(root, dir), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => path.join(dir, d.name, "migration.sql")),
);

describe("migration scripts", () => {
  it("exist for both databases under the same names", () => {
    const names = (dir: string) => scripts.filter((s) => path.dirname(path.dirname(s)) === dir).map((s) => path.basename(path.dirname(s)));
    expect(names("prisma/postgresql/migrations")).toEqual(names("prisma/migrations"));
  });

  it.each(scripts)("%s has no semicolon inside a comment", (script) => {
    const commentsWithSemicolons = fs
      .readFileSync(path.join(root, script), "utf8")
      .split("\n")
      .map((line, i) => ({ line: i + 1, comment: line.includes("--") ? line.slice(line.indexOf("--")) : "" }))
      .filter((l) => l.comment.includes(";"));
    expect(commentsWithSemicolons).toEqual([]);
  });
});
