import path from "node:path";
import { defineConfig } from "prisma/config";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { postgresPrismaConfig } from "./prisma/postgresql/config";

// Prisma's binary engines cannot be downloaded on our build machines, so the CLI runs on the JS query compiler and
// talks to the database through a driver adapter.
//
// DATABASE_URL picks the database: postgres:// or postgresql:// → prisma/postgresql (its schema copy, migrations and
// the pg adapter), anything else → SQLite. `prisma generate` is the exception: here it always builds the SQLite
// client, and `npm run postinstall` builds the PostgreSQL one with --config prisma/postgresql/prisma.config.ts, so an
// install has both whatever DATABASE_URL says.
const postgres = /^postgres(ql)?:\/\//.test(process.env.DATABASE_URL ?? "") && !process.argv.includes("generate");
const url =
  process.env.DATABASE_URL && !postgres && process.env.DATABASE_URL.startsWith("file:") ? process.env.DATABASE_URL : "file:./prisma/dev.sqlite";
if (!postgres) process.env.DATABASE_URL = url;

export default postgres
  ? postgresPrismaConfig()
  : defineConfig({
      experimental: { adapter: true },
      engine: "js",
      schema: path.join("prisma", "schema.prisma"),
      adapter: async () => new PrismaBetterSQLite3({ url }),
    });
