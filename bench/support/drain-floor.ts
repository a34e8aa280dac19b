// The drain's floor for bench:drain and bench:webhooks: a bare batched insert of the same deliveries on the same
// database engine — each body parsed and one row per delivery inserted with ON CONFLICT DO NOTHING, 200 to a
// transaction, through prepared statements on a fresh SQLite file in WAL mode with synchronous=NORMAL (as the app's
// database runs). What folding a burst would cost if a delivery were nothing but a row.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import Database from "better-sqlite3";
import { sqliteFilesOf } from "../../app/db/sqlite-spool.server.ts";

/** Milliseconds the bare batched insert of these delivery bodies takes (the best of `runs`). */
export function bareBatchedInsertMs(bodies: string[], shop: string, runs = 2): number {
  let best = Infinity;
  for (let r = 0; r < runs; r++) {
    const file = path.join(os.tmpdir(), `tierline-drain-floor-${process.pid}-${Date.now()}-${r}.sqlite`);
    const sqlite = new Database(file);
    try {
      sqlite.pragma("journal_mode = WAL");
      sqlite.pragma("synchronous = NORMAL");
      sqlite.exec(
        `CREATE TABLE "BareDelivery" ("shop" TEXT NOT NULL, "key" TEXT NOT NULL, "customer" TEXT, "body" TEXT NOT NULL, PRIMARY KEY ("shop", "key"))`,
      );
      const insert = sqlite.prepare(`INSERT INTO "BareDelivery" VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`);
      const insertMany = sqlite.transaction((rows: string[]) => {
        for (const body of rows) {
          const p = JSON.parse(body) as { admin_graphql_api_id?: string; id?: number; customer?: { admin_graphql_api_id?: string } | null };
          insert.run(shop, p.admin_graphql_api_id ?? String(p.id), p.customer?.admin_graphql_api_id ?? null, body);
        }
      });
      const t0 = performance.now();
      for (let i = 0; i < bodies.length; i += 200) insertMany.immediate(bodies.slice(i, i + 200));
      best = Math.min(best, performance.now() - t0);
    } finally {
      sqlite.close();
      for (const f of sqliteFilesOf(file)) fs.rmSync(f, { force: true });
    }
  }
  return best;
}
