import path from "node:path";
import { defineConfig } from "prisma/config";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";

// Prisma's binary engines cannot be downloaded on our build machines, so the CLI
// runs on the JS query compiler and talks to SQLite through the driver adapter.
const url = process.env.DATABASE_URL ?? "file:./prisma/dev.sqlite";
process.env.DATABASE_URL ??= url;

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join("prisma", "schema.prisma"),
  adapter: async () => new PrismaBetterSQLite3({ url }),
});
