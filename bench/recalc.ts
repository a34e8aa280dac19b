// npm run bench:recalc — a full recalculation of a synthetic shop on the real database, by 1, 2 and 4 worker processes.
// The shop (default 1M customers, 10M orders, refunds and cancellations) is written straight into a fresh database,
// every member is computed once (the cold run: members, ledgers and audit trails created), then for each worker
// count the program is published again with Gold's threshold moved and the whole shop is re-tiered by that many
// worker processes (`recalculate` with that many parts, run by the app's own job handlers). Prints one JSON object:
// members per second per worker count, scaling against one worker, engine time (the fold, summed) against wall time,
// and peak RSS.
//
//   npm run bench:recalc -- [--members N] [--orders N] [--workers 1,2,4] [--batch 500] [--database sqlite|postgres]
//
// PostgreSQL: the server URL comes from TIERLINE_BENCH_DATABASE_URL (e.g. `$(scripts/postgres.sh start)`); a database
// `tierline_bench` is created on it afresh and migrated from prisma/postgresql/migrations.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import Database from "better-sqlite3";
import pg from "pg";
import { createDb, type Db } from "../app/db.server.ts";
import type { FullRecalculationPayload, RangePayload } from "../app/jobs/full-recalculation.server.ts";
import { SYNTHETIC_AS_OF, generateSyntheticShop, republish } from "./support/synthetic-shop.ts";

const root = path.resolve(import.meta.dirname, "..");

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}
const MEMBERS = Number(arg("members", "1000000"));
const ORDERS = Number(arg("orders", "10000000"));
const WORKERS = arg("workers", "1,2,4").split(",").map(Number);
const BATCH = Number(arg("batch", "500"));
const DATABASE = arg("database", "postgres");
const SHOP = "bench.myshopify.com";
if (!(MEMBERS > 0 && ORDERS >= MEMBERS && WORKERS.every((w) => w >= 1 && w <= 8) && BATCH > 0)) throw new Error("bad options (see the header of bench/recalc.ts)");
if (DATABASE !== "sqlite" && DATABASE !== "postgres") throw new Error("--database must be sqlite or postgres");

const migrations = (dir: string) =>
  fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .map((name) => fs.readFileSync(path.join(dir, name, "migration.sql"), "utf8"));

/** A fresh, migrated database; returns its URL. */
async function freshDatabase(): Promise<string> {
  if (DATABASE === "sqlite") {
    const file = path.join(os.tmpdir(), `tierline-bench-recalc-${process.pid}.sqlite`);
    for (const suffix of ["", "-wal", "-shm"]) fs.rmSync(`${file}${suffix}`, { force: true });
    const sqlite = new Database(file);
    for (const sql of migrations(path.join(root, "prisma/migrations"))) sqlite.exec(sql);
    sqlite.close();
    return `file:${file}`;
  }
  const server = process.env.TIERLINE_BENCH_DATABASE_URL;
  if (!server) throw new Error("set TIERLINE_BENCH_DATABASE_URL to a PostgreSQL server URL, e.g. TIERLINE_BENCH_DATABASE_URL=$(scripts/postgres.sh start)");
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query("DROP DATABASE IF EXISTS tierline_bench WITH (FORCE)");
  await admin.query("CREATE DATABASE tierline_bench");
  await admin.end();
  const url = new URL(server);
  url.pathname = "/tierline_bench";
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  for (const sql of migrations(path.join(root, "prisma/postgresql/migrations"))) await client.query(sql);
  await client.end();
  return url.toString();
}

interface Worker {
  ready: Promise<void>;
  done: Promise<{ pid: number; jobs: string[]; peakRssMB: number }>;
  watch(jobId: string): void;
}

function startWorker(url: string): Worker {
  const child = spawn(path.join(root, "node_modules/.bin/tsx"), [path.join(root, "bench/support/recalc-worker.ts")], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: url, BENCH_NOW: SYNTHETIC_AS_OF.toISOString() },
    stdio: ["pipe", "pipe", "inherit"],
  });
  const lines = readline.createInterface({ input: child.stdout! });
  let onReady: () => void;
  let onDone: (v: { pid: number; jobs: string[]; peakRssMB: number }) => void;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  const done = new Promise<{ pid: number; jobs: string[]; peakRssMB: number }>((resolve, reject) => {
    onDone = resolve;
    child.once("exit", (code) => (code === 0 ? undefined : reject(new Error(`worker exited with ${code}`))));
  });
  lines.on("line", (line) => {
    if (line === "ready") onReady();
    else if (line.startsWith("{")) onDone(JSON.parse(line));
  });
  return { ready, done, watch: (jobId) => child.stdin!.end(`${jobId}\n`) };
}

/** One full recalculation by `workers` processes; wall time from the job's enqueue to its completion. */
async function fullRun(db: Db, url: string, workers: number) {
  const pool = Array.from({ length: workers }, () => startWorker(url));
  await Promise.all(pool.map((w) => w.ready));
  const payload: FullRecalculationPayload = { parts: workers, batchSize: BATCH };
  const started = performance.now();
  const job = await db.job.create({ data: { type: "recalculate", shop: SHOP, runAt: SYNTHETIC_AS_OF, payload: JSON.stringify(payload) } });
  for (const w of pool) w.watch(job.id);
  const reports = await Promise.all(pool.map((w) => w.done));
  const failed = reports.flatMap((r) => r.jobs).filter((j) => !j.includes(":done"));
  if (failed.length) throw new Error(`jobs failed: ${failed.join("; ")}`);
  const wallMs = performance.now() - started;
  const coordinator = await db.job.findUniqueOrThrow({ where: { id: job.id } });
  if (coordinator.status !== "done") throw new Error(`the recalculation ended ${coordinator.status}: ${coordinator.lastError}`);
  const run = (JSON.parse(coordinator.payload) as FullRecalculationPayload).run!;
  const parts = await db.job.findMany({ where: { id: { in: run.partJobIds } } });
  const checkpoints = [run.checkpoint, ...parts.map((p) => (JSON.parse(p.payload) as RangePayload).checkpoint)];
  const sum = (k: "done" | "written" | "engineMs" | "syncOwed") => checkpoints.reduce((s, c) => s + c[k], 0);
  return {
    workers,
    members: sum("done"),
    written: sum("written"),
    syncOwed: sum("syncOwed"),
    wallMs: Math.round(wallMs),
    membersPerSecond: Math.round(sum("done") / (wallMs / 1000)),
    engineMs: Math.round(sum("engineMs")),
    engineShareOfWall: +(sum("engineMs") / workers / wallMs).toFixed(3),
    partsDone: checkpoints.map((c) => c.done),
    peakRssMB: Math.max(...reports.map((r) => r.peakRssMB)),
    jobsRun: reports.flatMap((r) => r.jobs),
  };
}

async function main() {
  const url = await freshDatabase();
  const db = createDb(url);
  const t0 = performance.now();
  const generated = await generateSyntheticShop(db, {
    shop: SHOP,
    members: MEMBERS,
    orders: ORDERS,
    chunk: DATABASE === "postgres" ? 5000 : 2000,
    onProgress: (n) => {
      if (n % 1_000_000 < (DATABASE === "postgres" ? 5000 : 2000)) process.stderr.write(`generated ${n} orders\n`);
    },
  });
  const generateMs = Math.round(performance.now() - t0);

  process.stderr.write(`generated in ${generateMs} ms\n`);
  const cold = await fullRun(db, url, Math.max(...WORKERS));
  process.stderr.write(`cold run ${cold.wallMs} ms\n`);
  const runs = [];
  for (const [i, workers] of WORKERS.entries()) {
    // Alternate Gold's threshold, so every run re-tiers about the same members (up, then back down).
    await republish(db, SHOP, i % 2 === 0 ? "1500.00" : "2500.00", new Date(SYNTHETIC_AS_OF.getTime() - (30 - i) * 86_400_000));
    runs.push(await fullRun(db, url, workers));
  }
  const base = runs.find((r) => r.workers === 1)?.membersPerSecond ?? runs[0].membersPerSecond;
  const levels = await db.member.groupBy({ by: ["levelId"], where: { shop: SHOP }, _count: true });
  await db.$disconnect();
  if (DATABASE === "sqlite") for (const suffix of ["", "-wal", "-shm"]) fs.rmSync(`${url.slice("file:".length)}${suffix}`, { force: true });

  const result = {
    database: DATABASE,
    members: MEMBERS,
    orders: ORDERS,
    refunds: generated.refunds,
    cancellations: generated.cancellations,
    batchSize: BATCH,
    cpus: os.cpus().length,
    generateMs,
    coldRun: { ...cold, jobsRun: undefined },
    reTier: runs.map((r) => ({ ...r, jobsRun: undefined, scaling: +(r.membersPerSecond / base).toFixed(2) })),
    targetEngineUnder60s: runs.every((r) => r.engineMs < 60_000),
    levelCounts: Object.fromEntries(levels.map((l) => [l.levelId ?? "none", l._count])),
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
