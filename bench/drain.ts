// npm run bench:drain -- [--count 5000] [--duplicates 0.2] [--orders-per-customer 4] [--runs 1]
//
// The webhook inbox drain on SQLite, beside its floor, in one process run. A burst of `--count` orders/paid
// deliveries with refunds and repeats (bench/support/webhook-burst.ts, the same burst bench:webhooks sends) is stored
// in the inbox as the ack path stores it (recordWebhook, group commit); then the drainer (job process-webhooks, the
// app's own handler) folds it into order facts and members, without the tag/metafield sync (bench:webhooks measures
// that against the stand-in). The floor is a bare batched insert of the same deliveries on the same database engine
// (bench/support/drain-floor.ts), run before and after the drain (the better of the two). Prints one JSON object with orders folded per second and the ratio drain / floor; exits 1 when
// any order was lost or counted twice. Also printed: the drain's CPU time and its ratio to the floor's, which a loaded
// machine disturbs far less than wall time (the drain's many awaits each wait for a core; the floor never yields).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { createDb } from "../app/db/client.server.ts";
import { JOB_HANDLERS } from "../app/jobs/handlers.server.ts";
import { runWorkerOnce } from "../app/jobs/worker.server.ts";
import { PROCESS_WEBHOOKS_JOB } from "../app/queue/job-kinds.ts";
import { recordWebhook } from "../app/services/webhook-inbox.server.ts";
import { migratedTemplate, publishProgram } from "../tools/local-stack/database";
import { buildProgramJson, onePointPerDollar } from "../tools/sample-data/program-builders";
import { bareBatchedInsertMs } from "./support/drain-floor.ts";
import { burstChecks, webhookBurst, type BurstDelivery } from "./support/webhook-burst.ts";
import { sqliteFilesOf } from "../app/db/sqlite-spool.server.ts";

const { values: args } = parseArgs({
  options: {
    count: { type: "string", default: "5000" },
    duplicates: { type: "string", default: "0.2" },
    "orders-per-customer": { type: "string", default: "4" },
    runs: { type: "string", default: "1" },
    help: { type: "boolean", default: false },
  },
});
const USAGE = "usage: npm run bench:drain -- [--count N>0] [--duplicates ratio>=0] [--orders-per-customer N>0] [--runs N>0]";
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
const count = Number(args.count);
const duplicateRatio = Number(args.duplicates);
const ordersPerCustomer = Number(args["orders-per-customer"]);
const runs = Number(args.runs);
if (!(count > 0 && duplicateRatio >= 0 && ordersPerCustomer > 0 && Number.isInteger(runs) && runs > 0)) {
  console.error(USAGE);
  process.exit(2);
}

const SHOP = "bench-drain.myshopify.com";
const DAY = 86_400_000;
const round = (n: number, digits = 2) => Number(n.toFixed(digits));
const burst = webhookBurst({ count, ordersPerCustomer, duplicateRatio });
const bodies = burst.deliveries.map((d) => ({ ...d, rawBody: JSON.stringify(d.payload) }));
const rawBodies = bodies.map((d) => d.rawBody);

function tempFile(label: string): string {
  const file = path.join(os.tmpdir(), `tierline-bench-drain-${label}-${process.pid}-${Date.now()}.sqlite`);
  fs.copyFileSync(migratedTemplate(), file);
  return file;
}
const removeFile = (file: string) => {
  for (const f of sqliteFilesOf(file)) fs.rmSync(f, { force: true });
};

/** Stores the burst as the ack path does, 100 deliveries arriving together at a time (group commit). */
async function storeBurst(db: ReturnType<typeof createDb>, list: (BurstDelivery & { rawBody: string })[]): Promise<void> {
  const receivedAt = new Date();
  for (let i = 0; i < list.length; i += 100) {
    const results = await Promise.all(
      list
        .slice(i, i + 100)
        .map((d, k) =>
          recordWebhook(
            db,
            { shop: SHOP, topic: d.topic, webhookId: d.webhookId, eventId: null, triggeredAt: null, apiVersion: "2026-10", rawBody: d.rawBody },
            d.topic,
            new Date(receivedAt.getTime() + i + k),
          ),
        ),
    );
    const refused = results.find((r) => r.status !== 200);
    if (refused) throw new Error(`a delivery was refused: ${JSON.stringify(refused)}`);
  }
}

/** The drain: every due process-webhooks job, run by the app's own worker code; ms spent. */
async function drainRun() {
  const file = tempFile("app");
  const db = createDb(`file:${file}`);
  try {
    await db.shop.create({ data: { domain: SHOP, currency: "USD", installedAt: new Date(Date.now() - 400 * DAY), rewardsFrom: null } });
    await publishProgram(db, SHOP, buildProgramJson({ points: onePointPerDollar }), new Date(Date.now() - 400 * DAY));
    await storeBurst(db, bodies);
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    let jobs = 0;
    while (true) {
      const result = await runWorkerOnce(db, { types: [PROCESS_WEBHOOKS_JOB] }, JOB_HANDLERS);
      if (!result.ran) break;
      if (result.status !== "done") throw new Error(`${result.job.type} ${result.status}: ${result.error}`);
      jobs++;
    }
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    return { ms, cpuMs: (cpu.user + cpu.system) / 1000, jobs, ...(await burstChecks(db, SHOP, burst)) };
  } finally {
    await db.$disconnect();
    removeFile(file);
  }
}

let exitCode = 0;
const results = [];
for (let r = 0; r < runs; r++) {
  // Floor and drain interleaved, so a noisy neighbour lands on both.
  const floorMs = bareBatchedInsertMs(rawBodies, SHOP, 1);
  const drain = await drainRun();
  const floor = Math.min(floorMs, bareBatchedInsertMs(rawBodies, SHOP, 1));
  // The floor is synchronous work in this process, so its wall time is its CPU time; the drain's CPU time is what it
  // would take with a core to itself (on a loaded machine its wall time also counts waiting for one).
  const cpuFloor = floor;
  if (!drain.ok) exitCode = 1;
  results.push({
    drainMs: Math.round(drain.ms),
    jobs: drain.jobs,
    ordersFoldedPerSec: Math.round(burst.uniqueOrders / (drain.ms / 1000)),
    floorMs: round(floor),
    floorOrdersPerSec: Math.round(burst.uniqueOrders / (floor / 1000)),
    ratioToFloor: round(drain.ms / floor, 1),
    drainCpuMs: Math.round(drain.cpuMs),
    ordersFoldedPerCpuSec: Math.round(burst.uniqueOrders / (drain.cpuMs / 1000)),
    cpuRatioToFloor: round(drain.cpuMs / cpuFloor, 1),
    ok: drain.ok,
    checks: drain.checks,
    ...(drain.ok ? {} : { firstMismatches: drain.firstMismatches }),
  });
}
const best = results.reduce((a, b) => (b.ordersFoldedPerSec > a.ordersFoldedPerSec ? b : a));
console.log(
  JSON.stringify({
    bench: "drain",
    database: "sqlite",
    deliveries: burst.deliveries.length,
    uniqueOrders: burst.uniqueOrders,
    refunds: burst.uniqueRefunds,
    duplicates: burst.repeats,
    customers: burst.customers,
    ordersFoldedPerSec: best.ordersFoldedPerSec,
    ratioToFloor: best.ratioToFloor,
    ordersFoldedPerCpuSec: best.ordersFoldedPerCpuSec,
    cpuRatioToFloor: best.cpuRatioToFloor,
    loadAverage: os.loadavg().map((n) => round(n)),
    runs: results,
  }),
);
process.exit(exitCode);
