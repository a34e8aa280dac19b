// npm run bench:recalc — a full recalculation of a synthetic shop on the real database, against the floors of the
// same rows on the same database in the same run. The shop (default on SQLite: 100k customers, 1M orders, with
// refunds and cancellations; `--database postgres --members 1000000 --orders 10000000` for the large one) is written
// straight into a fresh database (timed, and printed against a raw insert of the same rows: generation / raw), every
// member is computed once (the cold run: members, ledgers and audit trails created), then for each worker count the
// program is published again with Gold's threshold moved and the whole shop is re-tiered by that many worker
// processes (`recalculate` with that many parts, run by the app's own job handlers). Each re-tier is printed against
// an ordered scan of the same order rows measured just before it (re-tier / scan; target ≤ 10), and the what-if
// preview of a draft that moves Gold again against the same scan (target < 10 s at 1M members). Prints one JSON
// object: members per second per worker count, scaling against one worker, the ratios, engine time (the fold, summed
// over workers, as wall-clock and as thread CPU time) against wall time, peak RSS and the load average.
//
//   npm run bench:recalc -- [--members N] [--orders N] [--workers 1,2] [--batch 500] [--database sqlite|postgres]
//                           [--cold-workers N] [--step generate|cold|retier] [--stop-after S] [--reuse] [--no-preview]
//
// With --step (PostgreSQL) the phases run separately on the database the previous step left, so each run stays short
// (the bench lock's time limit) and each worker count can be measured alone; --reuse is --step retier. --stop-after S
// kills the workers after S seconds: a cold run is resumed by the next --step cold; a re-tier is measured over that
// time slice (committed batches only) and given up.
//
// PostgreSQL: the server URL comes from TIERLINE_BENCH_DATABASE_URL (e.g. `$(scripts/postgres.sh start)`); a database
// `tierline_bench` is created on it afresh and migrated from prisma/postgresql/migrations.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import pg from "pg";
import { createDb, type Db } from "../app/db/client.server.ts";
import { previewDraft } from "../app/services/admin/publish.server.ts";
import type { FullRecalculationPayload, RangePayload } from "../app/jobs/full-recalculation.server.ts";
import type { BatchTimings } from "../app/services/full-recalculation.server.ts";
import {
  SYNTHETIC_AS_OF,
  generateSyntheticShop,
  generateSyntheticShopInPostgres,
  republish,
  type SyntheticShopSummary,
  syntheticProgramJson,
} from "./support/synthetic-shop.ts";
import { freshBenchDatabase, postgresBenchUrl } from "./support/bench-database.ts";
import { measured, orderedScanMs, postgresMeter, rawInsertFloor, type BenchDatabase } from "./support/recalc-floors.ts";
import { sqliteFilesOf } from "../app/db/sqlite-spool.server.ts";

const root = path.resolve(import.meta.dirname, "..");

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}
const DATABASE = arg("database", "sqlite") as BenchDatabase;
const MEMBERS = Number(arg("members", "100000"));
const ORDERS = Number(arg("orders", "1000000"));
// SQLite has one writer: a second worker process only waits for the first one's transactions.
const WORKERS = arg("workers", DATABASE === "sqlite" ? "1" : "1,2")
  .split(",")
  .map(Number);
const BATCH = Number(arg("batch", "500"));
/** PostgreSQL: connections loading the shop (and its floor) side by side. */
const PARALLEL_LOAD = 2;
const PREVIEW = !process.argv.includes("--no-preview");
/**
 * PostgreSQL, to keep each run short: `--step generate` (fresh database, the shop, nothing else), `--step cold` (the
 * cold run on the database left), `--step retier` (re-tiers on the database left; also `--reuse`). Default: all three.
 */
const STEP = process.argv.includes("--reuse") ? "retier" : arg("step", "all");
if (!["all", "generate", "cold", "retier", "preview"].includes(STEP)) throw new Error("--step must be generate, cold, retier or preview");
/** Skip the raw insert floor after the generation (it takes about as long as the generation). */
const FLOOR = !process.argv.includes("--no-floor");
/**
 * Kill the workers after this many seconds. Cold run: the next `--step cold` resumes it from its checkpoints. Re-tier:
 * the run is measured over that slice (members of the committed batches / seconds) and given up.
 */
const STOP_AFTER_S = Number(arg("stop-after", "0"));
const COLD_WORKERS = Number(arg("cold-workers", String(Math.max(...WORKERS))));
const SHOP = "bench.myshopify.com";
if (!(MEMBERS > 0 && ORDERS >= MEMBERS && WORKERS.every((w) => w >= 1 && w <= 8) && BATCH > 0))
  throw new Error("bad options (see the header of bench/recalc.ts)");
if (DATABASE !== "sqlite" && DATABASE !== "postgres") throw new Error("--database must be sqlite or postgres");

const benchDatabaseUrl = () => postgresBenchUrl("tierline_bench");

/**
 * Vacuumed tables with fresh statistics before each measured run (the bench servers run without autovacuum, and the
 * previous run's updates left dead rows): every run starts from the same kind of tables.
 */
async function analyze(url: string): Promise<void> {
  if (DATABASE !== "postgres") return;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const table of ["Member", "PointsEntry", "LevelChange", "SyncState", "Job"]) await client.query(`VACUUM ANALYZE "${table}"`);
  } finally {
    await client.end();
  }
}

async function countOf(url: string, sql: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return Number((await client.query<{ n: string }>(sql)).rows[0].n);
  } finally {
    await client.end();
  }
}

/** A fresh, migrated database; returns its URL. */
async function freshDatabase(): Promise<string> {
  return (
    await freshBenchDatabase(DATABASE === "postgres" ? "postgres" : "sqlite", DATABASE === "postgres" ? "tierline_bench" : "tierline-bench-recalc")
  ).url;
}

interface Worker {
  ready: Promise<void>;
  done: Promise<{ pid: number; jobs: string[]; peakRssMB: number }>;
  watch(jobId: string): void;
  /** Where the time of each batch this worker committed went (its "batch" lines; a killed worker's up to its last). */
  batches: BatchTimings[];
  /** SIGKILL; returns the worker's peak RSS so far (MB, from /proc). */
  kill(): number;
}

function startWorker(url: string): Worker {
  // node itself with tsx's loader (not the tsx wrapper), so the pid is the worker's and kill() reaches it.
  const child = spawn(process.execPath, ["--import", "tsx", path.join(root, "bench/support/recalc-worker.ts")], {
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
  const batches: BatchTimings[] = [];
  lines.on("line", (line) => {
    if (line === "ready") onReady();
    else if (line.startsWith("batch ")) batches.push(JSON.parse(line.slice("batch ".length)));
    else if (line.startsWith("{")) onDone(JSON.parse(line));
  });
  done.catch(() => undefined); // a killed worker rejects; the caller decides
  return {
    ready,
    done,
    batches,
    watch: (jobId) => child.stdin!.end(`${jobId}\n`),
    kill: () => {
      const peak = /VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${child.pid}/status`, "utf8"));
      child.kill("SIGKILL");
      return peak ? Math.round(Number(peak[1]) / 1024) : 0;
    },
  };
}

/**
 * One full recalculation by `workers` processes; wall time from the job's enqueue to its completion. With
 * `stopAfterMs` the workers are killed (SIGKILL) when the time is up and null is returned: the run's checkpoints stay
 * in its job rows, and a later call with `resume` takes the unfinished run up again (its leases given up, as after a
 * crash), so a long run can be spread over several short sessions.
 */
async function fullRun(db: Db, url: string, workers: number, opts: { stopAfterMs?: number; resume?: boolean; abandonOnStop?: boolean } = {}) {
  const pool = Array.from({ length: workers }, () => startWorker(url));
  await Promise.all(pool.map((w) => w.ready));
  const payload: FullRecalculationPayload = { parts: workers, batchSize: BATCH };
  const loadAtStart = +os.loadavg()[0].toFixed(2);
  const started = performance.now();
  const unfinished = opts.resume
    ? await db.job.findFirst({ where: { shop: SHOP, type: "recalculate", status: { in: ["queued", "running"] } }, orderBy: { createdAt: "desc" } })
    : null;
  if (unfinished) {
    await db.job.updateMany({
      where: { shop: SHOP, type: { startsWith: "recalculate" }, status: { in: ["queued", "running"] } },
      data: { status: "queued", leaseUntil: null, lockedBy: null, runAt: SYNTHETIC_AS_OF },
    });
    process.stderr.write(`resuming run ${unfinished.id}\n`);
  }
  const job =
    unfinished ?? (await db.job.create({ data: { type: "recalculate", shop: SHOP, runAt: SYNTHETIC_AS_OF, payload: JSON.stringify(payload) } }));
  for (const w of pool) w.watch(job.id);
  let timer: NodeJS.Timeout | undefined;
  const timeUp = new Promise<null>((resolve) => {
    if (opts.stopAfterMs !== undefined) timer = setTimeout(() => resolve(null), opts.stopAfterMs);
  });
  const reports = await Promise.race([Promise.all(pool.map((w) => w.done)), timeUp]);
  clearTimeout(timer);
  if (reports === null) {
    const wallMs = performance.now() - started;
    const peaks = pool.map((w) => w.kill());
    const jobs = await db.job.findMany({
      where: { shop: SHOP, type: { startsWith: "recalculate" }, status: { in: ["queued", "running"] } },
      select: { progress: true },
    });
    process.stderr.write(`stopped after ${Math.round(wallMs)} ms; unfinished jobs' progress ${jobs.map((j) => j.progress).join(", ")}\n`);
    if (!opts.abandonOnStop) return null;
    // A measurement over a time slice: what the committed batches did in it; the run is then given up.
    const stats = await runStats(
      db,
      job.id,
      workers,
      wallMs,
      peaks,
      [],
      loadAtStart,
      pool.flatMap((w) => w.batches),
    );
    await db.job.updateMany({
      where: { shop: SHOP, type: { startsWith: "recalculate" }, status: { in: ["queued", "running"] } },
      data: { status: "dead", lastError: "stopped by the bench" },
    });
    return { ...stats, stoppedAfterMs: Math.round(wallMs) };
  }
  const failed = reports.flatMap((r) => r.jobs).filter((j) => !j.includes(":done"));
  if (failed.length) throw new Error(`jobs failed: ${failed.join("; ")}`);
  const wallMs = performance.now() - started;
  const coordinator = await db.job.findUniqueOrThrow({ where: { id: job.id } });
  if (coordinator.status !== "done") throw new Error(`the recalculation ended ${coordinator.status}: ${coordinator.lastError}`);
  return {
    ...(await runStats(
      db,
      job.id,
      workers,
      wallMs,
      reports.map((r) => r.peakRssMB),
      reports.flatMap((r) => r.jobs),
      loadAtStart,
      pool.flatMap((w) => w.batches),
    )),
    stoppedAfterMs: null,
  };
}

/**
 * Members/s from the checkpoints in the run's job rows, and where the time went from the batches the workers reported
 * (committed batches only, both). A resumed run's earlier sessions count in `members` but not in the timings, so the
 * per-member figures divide by the members of the batches timed.
 */
async function runStats(
  db: Db,
  jobId: string,
  workers: number,
  wallMs: number,
  peaks: number[],
  jobsRun: string[],
  loadAtStart: number,
  batches: BatchTimings[],
) {
  const coordinator = await db.job.findUniqueOrThrow({ where: { id: jobId } });
  const run = (JSON.parse(coordinator.payload) as FullRecalculationPayload).run!;
  const parts = await db.job.findMany({ where: { id: { in: run.partJobIds } } });
  const checkpoints = [run.checkpoint, ...parts.map((p) => (JSON.parse(p.payload) as RangePayload).checkpoint)];
  const sum = (k: "done" | "written" | "syncOwed") => checkpoints.reduce((s, c) => s + c[k], 0);
  const timed = (k: keyof BatchTimings) => batches.reduce((s, b) => s + b[k], 0);
  const membersTimed = Math.max(1, timed("members"));
  const perMillion = (ms: number) => +((ms / membersTimed) * 1000).toFixed(1); // seconds for 1M members
  const seconds = (ms: number) => +(ms / 1000).toFixed(1);
  return {
    workers,
    members: sum("done"),
    written: sum("written"),
    syncOwed: sum("syncOwed"),
    wallMs: Math.round(wallMs),
    membersPerSecond: Math.round(sum("done") / (wallMs / 1000)),
    engineMs: Math.round(timed("engineMs")),
    engineMsPerMember: +(timed("engineMs") / membersTimed).toFixed(4),
    engineShareOfWall: +(timed("engineMs") / workers / wallMs).toFixed(3),
    // The fold in CPU time of the workers' main threads (summed over workers): what "engine time" means when the
    // workers and the database share the machine's cores, so the wall clock also counts time spent descheduled.
    engineCpuMs: Math.round(timed("engineCpuMs")),
    engineCpuMsPerMember: +(timed("engineCpuMs") / membersTimed).toFixed(4),
    engineWallSPer1M: perMillion(timed("engineMs")),
    engineCpuSPer1M: perMillion(timed("engineCpuMs")),
    // Summed over the workers' batches (seconds of one process each): where a member's time goes.
    split: {
      engineS: seconds(timed("engineMs")),
      engineCpuS: seconds(timed("engineCpuMs")),
      mappingS: seconds(timed("mappingMs")),
      readS: seconds(timed("readMs")),
      // Of readS: facts and profiles (outside the transaction), stored state (inside it); the rest is paging customers.
      readFactsS: seconds(timed("readFactsMs")),
      readStoredS: seconds(timed("readStoredMs")),
      writeS: seconds(timed("writeMs")),
      otherS: seconds(workers * wallMs - timed("engineMs") - timed("mappingMs") - timed("readMs") - timed("writeMs")),
    },
    partsDone: checkpoints.map((c) => c.done),
    peakRssMB: Math.max(...peaks),
    loadAverage1m: { atStart: loadAtStart, atEnd: +os.loadavg()[0].toFixed(2) },
    jobsRun,
  };
}

async function main() {
  if (STEP !== "all" && STEP !== "generate" && DATABASE !== "postgres")
    throw new Error("--step cold|retier|preview and --reuse need --database postgres");
  const reuse = STEP === "cold" || STEP === "retier" || STEP === "preview";
  const url = reuse ? benchDatabaseUrl() : await freshDatabase();
  const db = createDb(url);
  let generation: { result: SyntheticShopSummary; ms: number; cpuMs: number } | null = null;
  let cold = null;
  if (!reuse) {
    const onProgress = (message: string) => process.stderr.write(`${message}\n`);
    const meter = DATABASE === "postgres" ? postgresMeter(url) : null;
    generation = await measured(
      () =>
        meter
          ? generateSyntheticShopInPostgres({
              shop: SHOP,
              members: MEMBERS,
              orders: ORDERS,
              parallel: PARALLEL_LOAD,
              connect: meter.connect,
              onProgress,
            })
          : generateSyntheticShop(db, { shop: SHOP, members: MEMBERS, orders: ORDERS, onProgress }),
      meter?.cpuMs,
    );
  }
  const generated = generation?.result ?? null;
  const raw = generation && FLOOR ? await rawInsertFloor(DATABASE, url, PARALLEL_LOAD) : null;
  if (generation && !raw) process.stderr.write(`generated in ${generation.ms} ms, ${generation.cpuMs} ms CPU\n`);
  if (generation && raw)
    process.stderr.write(
      `generated in ${generation.ms} ms, ${generation.cpuMs} ms CPU; the floor, the same ${raw.rows} rows copied into the same tables and indexes: ` +
        `${raw.ms} ms, ${raw.cpuMs} ms CPU (${(generation.ms / raw.ms).toFixed(1)}×, CPU ${(generation.cpuMs / raw.cpuMs).toFixed(1)}×); bare copy ${raw.bareMs} ms\n`,
    );
  if (STEP === "all" || STEP === "cold") {
    cold = await fullRun(db, url, COLD_WORKERS, { stopAfterMs: STOP_AFTER_S ? STOP_AFTER_S * 1000 : undefined, resume: STEP === "cold" });
    if (cold) process.stderr.write(`cold run ${cold.wallMs} ms\n`);
  }
  const runs = [];
  // Each re-tier publishes again with Gold's threshold moved, alternating, so every run re-tiers about the same
  // members (up, then back down). The published versions already there count, so a reused database keeps alternating.
  const published = await db.programVersion.count({ where: { shop: SHOP } });
  for (const workers of STEP === "all" || STEP === "retier" ? WORKERS : []) {
    const i = (await db.programVersion.count({ where: { shop: SHOP } })) - 1;
    await republish(db, SHOP, i % 2 === 0 ? "1500.00" : "2500.00", new Date(SYNTHETIC_AS_OF.getTime() - (60 - i) * 86_400_000));
    await analyze(url);
    const scan = await orderedScanMs(DATABASE, url, SHOP);
    process.stderr.write(`ordered scan of ${scan.rows} orders: ${scan.ms} ms\n`);
    if (await db.job.count({ where: { shop: SHOP, type: { startsWith: "recalculate" }, status: { in: ["queued", "running"] } } }))
      throw new Error("a run is unfinished (run --step cold again)");
    const run = await fullRun(db, url, workers, { stopAfterMs: STOP_AFTER_S ? STOP_AFTER_S * 1000 : undefined, abandonOnStop: true });
    if (!run) throw new Error("unreachable: a stopped re-tier reports its slice");
    runs.push({ ...run, scanMs: scan.ms, overScan: +(run.wallMs / scan.ms).toFixed(1) });
    process.stderr.write(`re-tier with ${workers} worker(s): ${run.wallMs} ms (${(run.wallMs / scan.ms).toFixed(1)}× the scan)\n`);
  }
  const preview = PREVIEW && (STEP === "all" || STEP === "retier" || STEP === "preview") ? await timePreview(db, url) : null;
  const base = runs.find((r) => r.workers === 1)?.membersPerSecond ?? runs[0]?.membersPerSecond ?? 1;
  const levels = await db.member.groupBy({ by: ["levelId"], where: { shop: SHOP }, _count: true });
  await db.$disconnect();
  if (DATABASE === "sqlite") for (const f of sqliteFilesOf(url.slice("file:".length))) fs.rmSync(f, { force: true });

  const result = {
    database: DATABASE,
    members: MEMBERS,
    orders: ORDERS,
    step: STEP,
    programVersionsBefore: published,
    refunds: generated?.refunds ?? (await countOf(url, `SELECT count(*) AS n FROM "RefundFact"`)),
    cancellations: generated?.cancellations ?? (await countOf(url, `SELECT count(*) AS n FROM "OrderFact" WHERE "cancelledAt" IS NOT NULL`)),
    batchSize: BATCH,
    cpus: os.cpus().length,
    // Generation against the raw insert floor (recalc-floors.ts: the same rows copied by the database into tables of the
    // same definition, keys and indexes; target ≤ 5×), in wall and in CPU time; and against the bare copy (no key, no
    // index, nothing generated), for reference.
    generateMs: generation?.ms ?? null,
    generateCpuMs: generation?.cpuMs ?? null,
    rawInsertMs: raw?.ms ?? null,
    rawInsertCpuMs: raw?.cpuMs ?? null,
    generateOverRawInsert: generation && raw ? +(generation.ms / raw.ms).toFixed(1) : null,
    generateOverRawInsertCpu: generation && raw ? +(generation.cpuMs / raw.cpuMs).toFixed(1) : null,
    bareInsertMs: raw?.bareMs ?? null,
    generateOverBareInsert: generation && raw ? +(generation.ms / raw.bareMs).toFixed(1) : null,
    // Each re-tier's scanMs / overScan: an ordered scan of the same order rows just before it; target overScan ≤ 10.
    // The what-if preview of a draft moving Gold (target < 10 s at 1M members / 10M orders) against its own scan.
    preview,
    coldRun: cold ? { ...cold, jobsRun: undefined } : null,
    // engineMsForShop: the fold's time for every member of the shop (measured per member; a stopped run extrapolates).
    reTier: runs.map((r) => ({
      ...r,
      jobsRun: undefined,
      scaling: +(r.membersPerSecond / base).toFixed(2),
      engineMsForShop: Math.round(r.engineMsPerMember * MEMBERS),
      engineCpuMsForShop: Math.round(r.engineCpuMsPerMember * MEMBERS),
    })),
    // Wall-clock fold time (counts time descheduled: pessimistic with several workers on few cores) and CPU fold time.
    targetEngineUnder60s: runs.every((r) => r.engineMsPerMember * MEMBERS < 60_000),
    targetEngineCpuUnder60s: runs.every((r) => r.engineCpuMsPerMember * MEMBERS < 60_000),
    levelCounts: Object.fromEntries(levels.map((l) => [l.levelId ?? "none", l._count])),
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

/**
 * The what-if preview of a draft that moves Gold's threshold once more, as the admin's publish page computes it, with
 * an ordered scan of the same orders just before it. The draft is deleted again.
 */
async function timePreview(db: Db, url: string) {
  const published = await db.programVersion.findFirstOrThrow({ where: { shop: SHOP, status: "published" } });
  const goldAt = (JSON.parse(published.programJson) as ReturnType<typeof syntheticProgramJson>).levels[2].upgrade[0][0];
  const draft = await db.programVersion.create({
    data: {
      shop: SHOP,
      status: "draft",
      programJson: JSON.stringify(syntheticProgramJson("amount" in goldAt && goldAt.amount === "1500.00" ? "2000.00" : "1500.00")),
    },
  });
  try {
    const scan = await orderedScanMs(DATABASE, url, SHOP);
    const started = performance.now();
    const result = await previewDraft(db, SHOP, SYNTHETIC_AS_OF.getTime());
    const ms = Math.round(performance.now() - started);
    const moved = Object.values(result!.diff.perLevel).reduce((s, r) => s + r.up + r.down, 0);
    process.stderr.write(`preview: ${ms} ms (${(ms / scan.ms).toFixed(1)}× the scan), ${moved} members would move\n`);
    return { ms, scanMs: scan.ms, overScan: +(ms / scan.ms).toFixed(1), membersMoved: moved, loadAverage1m: +os.loadavg()[0].toFixed(2) };
  } finally {
    await db.programVersion.delete({ where: { id: draft.id } });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
