// npm run bench:webhooks -- [--count 2000 | --seconds S] [--rate 500] [--duplicates 0.2] [--worker during|after]
//                            [--sync after|skip] [--server server.js|remix-serve] [--warm-up 0] [--floor on|off]
//                            [--plan plus|standard] [--worker-log FILE]
//
// Webhooks end to end on SQLite: the local stack (production build under server.js, or stock `remix-serve` with
// `--server remix-serve`, to see what server.js's webhook path is worth; Shopify stand-in) receives
// `--count` signed orders/paid deliveries, refunds for every fifth customer and `--duplicates` × count repeats (half
// Shopify retries with the same webhook id, half the same order under a new webhook id), shuffled
// (bench/support/webhook-burst.ts), from a second process (bench/webhook-sender.ts) at `--rate` requests per second.
// `--seconds S` sizes the burst to S seconds of sending at `--rate` instead (the full size: --seconds 60).
//
// With `--worker during` (the default) a worker process (`npm run worker`) drains and syncs while the deliveries
// arrive, as in production, so the ack latency is measured with the drain competing for SQLite's single writer, and
// level freshness is measured:
// per delivery, from its ack to the moment its member's level and `$app:tierline` metafields in the stand-in reflect
// it (the stand-in polled every 100 ms). With `--worker after` everything is drained after the last ack and the drain's
// orders/s is compared with a bare batched insert of the same deliveries (bench/support/drain-floor.ts; bench:drain
// does the same without HTTP). `--sync skip` folds the deliveries into members but leaves the tag/metafield sync
// queued. With `--floor on` (the default) the same deliveries then go at the same rate to a bare node:http server
// doing only the HMAC check and an idempotent insert (bench/support/bare-ack-server.ts): the ack p99's floor, and the
// ratio. `--plan` sets the stand-in store's Admin API rate limit (Plus, 1000 points/s, by default; Standard 100/s),
// which paces the sync. Prints one JSON object; exits 1 when any delivery was refused, lost or counted twice.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { sqliteFilesOf } from "../app/db/sqlite-spool.server.ts";
import { JOB_HANDLERS } from "../app/jobs/handlers.server.ts";
import { SYNC_MEMBERS_JOB } from "../app/queue/job-kinds.ts";
import { runWorkerOnce, WORKER_NICE } from "../scripts/worker";
import { startLocalStack } from "../tools/local-stack";
import { buildProgramJson, onePointPerDollar } from "../tools/sample-data/program-builders";
import { PLUS_THROTTLE, STANDARD_THROTTLE } from "../tools/shopify-stand-in/index";
import { signWebhook } from "../tools/shopify-stand-in/signed-webhook";
import { bareBatchedInsertMs } from "./support/drain-floor.ts";
import { freshnessMs, watchStandInSpend } from "./support/freshness.ts";
import { BURST_FIRST_CUSTOMER_ID, burstChecks, webhookBurst } from "./support/webhook-burst.ts";

const { values: args } = parseArgs({
  options: {
    count: { type: "string", default: "2000" },
    seconds: { type: "string" },
    floor: { type: "string", default: "on" },
    rate: { type: "string", default: "500" },
    duplicates: { type: "string", default: "0.2" },
    worker: { type: "string", default: "during" },
    sync: { type: "string", default: "after" },
    "orders-per-customer": { type: "string", default: "4" },
    server: { type: "string", default: "server.js" },
    "warm-up": { type: "string", default: "0" },
    plan: { type: "string", default: "plus" },
    "worker-log": { type: "string" },
    help: { type: "boolean", default: false },
  },
});
const USAGE =
  "usage: npm run bench:webhooks -- [--count N>0 | --seconds S>0] [--rate R>0] [--duplicates ratio>=0] [--worker during|after] [--sync after|skip] [--server server.js|remix-serve] [--warm-up N>=0] [--floor on|off] [--plan plus|standard] [--worker-log FILE]";
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
const rate = Number(args.rate);
const duplicateRatio = Number(args.duplicates);
const ordersPerCustomer = Number(args["orders-per-customer"]);
// Deliveries per order: the order, its share of a refund (every fifth customer's first order) and of the repeats.
const count =
  args.seconds === undefined ? Number(args.count) : Math.round((rate * Number(args.seconds)) / (1 + duplicateRatio + 1 / (5 * ordersPerCustomer)));
const warmUpCount = Number(args["warm-up"]);
const workerDuring = args.worker === "during";
/** Where the worker process's job log goes (one JSON line per job: type, ms), to see what the time went to. */
const workerLog = args["worker-log"];

/** The worker's lanes (scripts/worker.ts) each log `worker.started` once loaded; resolves when both have (at most 120 s). */
function lanesStarted(worker: import("node:child_process").ChildProcess, logFile: string | undefined): Promise<void> {
  const log = logFile ? fs.createWriteStream(logFile) : null;
  const lanes = new Set<string>();
  let pending = "";
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the worker's lanes did not start within 120 s")), 120_000);
    worker.once("exit", (code) => reject(new Error(`the worker exited with ${code} before its lanes started`)));
    worker.stdout!.on("data", (chunk: Buffer) => {
      log?.write(chunk);
      pending += String(chunk);
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) {
        if (!line.includes('"worker.started"')) continue;
        try {
          lanes.add(String((JSON.parse(line) as { lane?: string }).lane));
        } catch {
          // not a log line of the worker's
        }
      }
      if (lanes.has("main") && lanes.has("shopify")) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}
const syncSkipped = args.sync === "skip";
if (
  !(count > 0 && rate > 0 && duplicateRatio >= 0 && ordersPerCustomer > 0 && Number.isInteger(warmUpCount) && warmUpCount >= 0) ||
  !["after", "during"].includes(String(args.worker)) ||
  !["after", "skip"].includes(String(args.sync)) ||
  !["on", "off"].includes(String(args.floor)) ||
  !["server.js", "remix-serve"].includes(String(args.server)) ||
  !["standard", "plus"].includes(String(args.plan))
) {
  console.error(USAGE);
  process.exit(2);
}

const root = path.resolve(import.meta.dirname, "..");
const DAY = 86_400_000;

/** CPU time (user + system, ms) a process has used so far, from /proc (Linux); null elsewhere. */
function cpuMs(pid: number | undefined): number | null {
  try {
    const fields = fs
      .readFileSync(`/proc/${pid}/stat`, "utf8")
      .replace(/^.*\) /, "")
      .split(" ");
    // utime and stime are fields 14 and 15 of stat(5), in clock ticks (100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

/** Lowers this process to the worker's niceness when it may raise it back later (root); whether it did. */
function niceDuringBurst(): boolean {
  try {
    os.setPriority(WORKER_NICE);
    os.setPriority(0);
    os.setPriority(WORKER_NICE);
    return true;
  } catch {
    try {
      os.setPriority(0);
    } catch {
      // stays where it is
    }
    return false;
  }
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
const round = (n: number, digits = 2) => Number(n.toFixed(digits));

const server = args.server as "server.js" | "remix-serve";
// The store's Admin API rate limit: a Plus store's by default (a shop taking 500 orders a second is one).
const throttle = { standard: STANDARD_THROTTLE, plus: PLUS_THROTTLE }[String(args.plan)];
const stack = await startLocalStack({ quiet: true, server, throttle });
let exitCode = 0;
try {
  const { shop } = stack;
  await stack.publishProgram(buildProgramJson({ points: onePointPerDollar }), { publishedAt: new Date(Date.now() - 400 * DAY) });
  const customers = Math.ceil(count / ordersPerCustomer);
  stack.standIn.seed({
    customers: Array.from({ length: customers }, (_, c) => ({
      id: `gid://shopify/Customer/${BURST_FIRST_CUSTOMER_ID + c}`,
      email: `bench.${c}@example.com`,
    })),
  });
  await stack.drain(); // the install's backfill

  const burst = webhookBurst({ count, ordersPerCustomer, duplicateRatio });
  const { deliveries } = burst;
  if (warmUpCount >= deliveries.length) throw new Error(`--warm-up ${warmUpCount} leaves none of the ${deliveries.length} deliveries to measure`);

  const signedLines = deliveries.map((d) => {
    const signed = signWebhook({ topic: d.topic, shop, payload: d.payload, appUrl: stack.appUrl, secret: stack.apiSecret, webhookId: d.webhookId });
    return JSON.stringify({ url: signed.url, headers: signed.headers, body: signed.body });
  });
  type Sent = {
    sent: number;
    sendSpanMs: number;
    ackSpanMs: number;
    statuses: Record<string, number>;
    latencies: number[];
    ackedAt: number[];
    cpuMs: number;
  };
  let standInNiced = false;
  /** Sends these deliveries from a second process (bench/webhook-sender.ts) at `--rate`; its summary. */
  const send = async (lines: string[]): Promise<Sent> => {
    const file = path.join(os.tmpdir(), `tierline-bench-webhooks-${process.pid}.jsonl`);
    fs.writeFileSync(file, lines.join("\n"));
    const sender = spawn(process.execPath, ["--import", "tsx", path.join(root, "bench/webhook-sender.ts"), file, String(rate)], {
      cwd: root,
      stdio: ["ignore", "pipe", "inherit"],
    });
    if (standInNiced) os.setPriority(sender.pid!, 0); // Shopify's sending side keeps its timing
    let out = "";
    sender.stdout.on("data", (d) => (out += d));
    const senderExit = await new Promise<number | null>((resolve) => sender.on("exit", resolve));
    fs.rmSync(file, { force: true });
    if (senderExit !== 0) throw new Error(`webhook sender exited with ${senderExit}`);
    return JSON.parse(out) as Sent;
  };
  /** The same deliveries at the same rate to the bare ack server (its own process and SQLite file): p50, p99. */
  const bareAckFloor = async (lines: string[]) => {
    const file = path.join(os.tmpdir(), `tierline-bench-bare-ack-${process.pid}.sqlite`);
    const server = spawn(process.execPath, ["--import", "tsx", path.join(root, "bench/support/bare-ack-server.ts"), file, stack.apiSecret], {
      cwd: root,
      stdio: ["ignore", "pipe", "inherit"],
    });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        server.stdout.once("data", (d) => resolve(Number(String(d).trim())));
        server.once("exit", (code) => reject(new Error(`the bare ack server exited with ${code}`)));
      });
      const to = `http://127.0.0.1:${port}`;
      const floorSent = await send(lines.map((line) => line.replace(stack.appUrl, to)));
      const sortedFloor = floorSent.latencies.slice().sort((a, b) => a - b);
      const refused = Object.entries(floorSent.statuses).reduce((n, [status, v]) => n + (status === "200" ? 0 : v), 0);
      return { p50: percentile(sortedFloor, 0.5), p99: percentile(sortedFloor, 0.99), refused };
    } finally {
      server.kill("SIGTERM");
      for (const f of sqliteFilesOf(file)) fs.rmSync(f, { force: true });
    }
  };
  // --warm-up N: the first N deliveries go out before the measured ones (counted in the checks, not in the figures),
  // so a server's first-use costs (database, query compiler, JIT) do not land on the measured deliveries.
  const warmUpLines = signedLines.slice(0, warmUpCount);
  const warmedUp = warmUpLines.length ? await send(warmUpLines) : null;

  // Freshness: with the worker loop running and syncing, the stand-in is watched from the first measured delivery on.
  const final = new Map<string, number>();
  for (const [gid, e] of burst.expected) final.set(gid, e.spend);
  // The worker as production runs it: its own process (`npm run worker`), so the stand-in's work in this process (its
  // GraphQL validation, bulk operations) never lands inside the worker's transactions. And, as in production, already
  // running when the burst comes: the burst starts once both lanes have started (each loads and compiles the app
  // first, 2–5 s of CPU that would otherwise land on the burst's first seconds, beside the acks).
  const worker = workerDuring
    ? spawn(process.execPath, ["--import", "tsx", path.join(root, "scripts/worker.ts")], {
        cwd: root,
        env: { ...process.env, ...stack.env, WORKER_IDLE_MS: "50" },
        stdio: ["ignore", "pipe", "inherit"],
      })
    : null;
  if (worker) await lanesStarted(worker, workerLog);
  const watch = workerDuring && !syncSkipped ? watchStandInSpend(stack.standIn, shop, [...final.keys()]) : null;
  // The stand-in plays Shopify's servers, whose work does not take the app's CPU: during the burst this process (the
  // stand-in and the freshness watcher) runs at the worker's niceness, so the web process's acks win the CPU over it
  // as they do over the worker. Only where this process may raise a priority back (as root): otherwise unchanged.
  standInNiced = niceDuringBurst();
  const sendStart = performance.now();
  const appCpuBefore = cpuMs(stack.app.process.pid);
  const sent = await send(signedLines.slice(warmUpCount));
  const appCpuAfter = cpuMs(stack.app.process.pid);
  for (const [status, n] of Object.entries(warmedUp?.statuses ?? {})) sent.statuses[status] = (sent.statuses[status] ?? 0) + n;
  // The worker loop keeps going until every member's metafields show all their deliveries (at most FRESHNESS_WAIT_MS).
  const FRESHNESS_WAIT_MS = 120_000;
  const waitStart = performance.now();
  while (watch && !watch.settled(final) && performance.now() - waitStart < FRESHNESS_WAIT_MS) await new Promise((r) => setTimeout(r, 100));
  const changes = watch?.stop();
  const settledMs = performance.now() - sendStart;
  if (standInNiced) os.setPriority(0);

  // What is left (everything with --worker after), drained here; with --worker during the worker process is stopped
  // first so two drainers do not share the timing.
  if (worker) {
    const exited = new Promise((resolve) => worker.once("exit", resolve));
    worker.kill("SIGTERM"); // it finishes its current job, then exits
    await exited;
  }
  const t0 = performance.now();
  const jobMs: Record<string, number> = {};
  const types = syncSkipped ? Object.keys(JOB_HANDLERS).filter((type) => type !== SYNC_MEMBERS_JOB) : undefined;
  while (true) {
    const started = performance.now();
    const result = await runWorkerOnce(stack.db, { adminFor: stack.adminFor, types });
    if (!result.ran) break;
    if (result.error) throw new Error(`${result.job.type} failed: ${result.error}`);
    jobMs[result.job.type] = Math.round((jobMs[result.job.type] ?? 0) + performance.now() - started);
  }
  const drainMs = performance.now() - t0;
  // Folding: deliveries into facts, members recomputed. Syncing (tags, metafields) talks to the stand-in, whose
  // GraphQL validation against the full Admin schema costs more than Shopify's would.
  const foldMs = (jobMs["process-webhooks"] ?? 0) + (jobMs.recalculate ?? 0);
  const drainFloorMs = workerDuring
    ? null
    : bareBatchedInsertMs(
        deliveries.map((d) => JSON.stringify(d.payload)),
        shop,
      );

  const result = await burstChecks(stack.db, shop, burst);
  const checks = {
    refused: Object.entries(sent.statuses)
      .filter(([s]) => s !== "200")
      .reduce((n, [, v]) => n + v, 0),
    ...result.checks,
  };
  const ok = checks.refused === 0 && result.ok;

  // The ack path's floor: the same deliveries, at the same rate, to a bare node:http server (HMAC check + idempotent insert).
  const floor = args.floor === "on" ? await bareAckFloor(signedLines.slice(warmUpCount)) : null;

  const sorted = sent.latencies.slice().sort((a, b) => a - b);
  const p99 = percentile(sorted, 0.99);
  const fresh = changes ? freshnessMs(deliveries, [...(warmedUp?.ackedAt ?? []), ...sent.ackedAt], changes, warmUpCount) : null;
  const freshSorted = fresh ? (fresh.filter((n) => n !== null) as number[]).sort((a, b) => a - b) : [];
  console.log(
    JSON.stringify({
      bench: "webhooks",
      database: "sqlite",
      server,
      worker: args.worker,
      sync: args.sync,
      plan: args.plan,
      targetRate: rate,
      deliveries: sent.sent,
      warmUpDeliveries: warmedUp?.sent ?? 0,
      uniqueOrders: burst.uniqueOrders,
      refunds: burst.uniqueRefunds,
      duplicates: burst.repeats,
      ack: {
        p50Ms: round(percentile(sorted, 0.5)),
        p90Ms: round(percentile(sorted, 0.9)),
        p99Ms: round(p99),
        maxMs: round(sorted[sorted.length - 1]),
        acksPerSec: Math.round(sent.sent / (sent.ackSpanMs / 1000)),
        offeredPerSec: Math.round(sent.sent / (sent.sendSpanMs / 1000)),
        // What one delivery costs the app server in CPU, whatever else the machine is doing; 1000 / this is the
        // rate one core sustains.
        appCpuMsPerDelivery: appCpuBefore === null || appCpuAfter === null ? null : round((appCpuAfter - appCpuBefore) / sent.sent),
        // The same for the sending process, which shares the machine with the app.
        senderCpuMsPerDelivery: round(sent.cpuMs / sent.sent),
        ...(floor
          ? { floorP50Ms: round(floor.p50), floorP99Ms: round(floor.p99), p99RatioToFloor: round(p99 / floor.p99, 1), floorRefused: floor.refused }
          : {}),
      },
      ...(fresh
        ? {
            freshness: {
              p50Ms: round(percentile(freshSorted, 0.5) ?? NaN),
              p99Ms: round(percentile(freshSorted, 0.99) ?? NaN),
              maxMs: round(freshSorted.at(-1) ?? NaN),
              neverFresh: fresh.filter((n) => n === null).length,
              settledAfterMs: Math.round(settledMs),
            },
          }
        : {}),
      loadAverage: os.loadavg().map((n) => round(n)),
      drain: workerDuring
        ? { afterSettledMs: Math.round(drainMs), msByJob: jobMs }
        : {
            ms: Math.round(drainMs),
            msByJob: jobMs,
            ordersFoldedPerSec: Math.round(burst.uniqueOrders / (foldMs / 1000)),
            floorMs: round(drainFloorMs!),
            foldRatioToFloor: round(foldMs / drainFloorMs!, 1),
            ordersFoldedAndSyncedPerSec: syncSkipped ? null : Math.round(burst.uniqueOrders / (drainMs / 1000)),
          },
      checks,
      ok,
      ...(result.firstMismatches.length ? { firstMismatches: result.firstMismatches } : {}),
    }),
  );
  if (!ok) exitCode = 1;
} finally {
  await stack.stop();
}
process.exit(exitCode);
