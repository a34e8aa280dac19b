// npm run bench:webhooks -- [--count 1000] [--rate 500] [--duplicates 0.2] [--worker after|during] [--sync after|skip]
//                            [--server server.js|remix-serve] [--warm-up 0]
//
// Webhooks end to end on SQLite: the local stack (production build under server.js, or stock `remix-serve` with
// `--server remix-serve`, to see what server.js's webhook path is worth; Shopify stand-in) receives
// `--count` signed orders/paid deliveries, refunds for every fifth customer and `--duplicates` × count repeats (half
// Shopify retries with the same webhook id, half the same order under a new webhook id), shuffled, from a second
// process (bench/webhook-sender.ts) at `--rate` requests per second. Then the worker drains everything in this
// process (with `--worker during` a worker loop runs while the deliveries arrive, as in production; with `--sync skip`
// the drain folds the deliveries into members but leaves the tag/metafield sync to the stand-in queued, which takes
// most of a long run and is not what this bench is about). Prints one JSON object; exits 1 when any delivery was
// refused, lost or counted twice.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { JOB_HANDLERS } from "../app/jobs/handlers.server.ts";
import { SYNC_MEMBERS_JOB } from "../app/queue/job-kinds.ts";
import { runWorkerOnce } from "../scripts/worker";
import { startLocalStack } from "../tools/local-stack";
import { buildProgramJson, onePointPerDollar } from "../tools/sample-data/program-builders";
import { signWebhook } from "../tools/shopify-stand-in/signed-webhook";
import { gid, orderPayload, refundPayload } from "../tools/sample-data/webhook-payloads";
import { seededRandom } from "../tools/sample-data/seeded-random";

const { values: args } = parseArgs({
  options: {
    count: { type: "string", default: "1000" },
    rate: { type: "string", default: "500" },
    duplicates: { type: "string", default: "0.2" },
    worker: { type: "string", default: "after" },
    sync: { type: "string", default: "after" },
    "orders-per-customer": { type: "string", default: "4" },
    server: { type: "string", default: "server.js" },
    "warm-up": { type: "string", default: "0" },
    help: { type: "boolean", default: false },
  },
});
const USAGE =
  "usage: npm run bench:webhooks -- [--count N>0] [--rate R>0] [--duplicates ratio>=0] [--worker after|during] [--sync after|skip] [--server server.js|remix-serve] [--warm-up N>=0]";
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
const count = Number(args.count);
const rate = Number(args.rate);
const duplicateRatio = Number(args.duplicates);
const ordersPerCustomer = Number(args["orders-per-customer"]);
const warmUpCount = Number(args["warm-up"]);
const workerDuring = args.worker === "during";
const syncSkipped = args.sync === "skip";
if (
  !(count > 0 && rate > 0 && duplicateRatio >= 0 && ordersPerCustomer > 0 && Number.isInteger(warmUpCount) && warmUpCount >= 0) ||
  !["after", "during"].includes(String(args.worker)) ||
  !["after", "skip"].includes(String(args.sync)) ||
  !["server.js", "remix-serve"].includes(String(args.server))
) {
  console.error(USAGE);
  process.exit(2);
}

const root = path.resolve(import.meta.dirname, "..");
const DAY = 86_400_000;
const UNIT_PRICE = 4500;

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

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
const round = (n: number, digits = 2) => Number(n.toFixed(digits));

const server = args.server as "server.js" | "remix-serve";
const stack = await startLocalStack({ quiet: true, server });
let exitCode = 0;
try {
  const { shop } = stack;
  await stack.publishProgram(buildProgramJson({ points: onePointPerDollar }), { publishedAt: new Date(Date.now() - 400 * DAY) });
  const customers = Math.ceil(count / ordersPerCustomer);
  stack.standIn.seed({
    customers: Array.from({ length: customers }, (_, c) => ({ id: gid("Customer", 10_001 + c), email: `bench.${c}@example.com` })),
  });
  await stack.drain(); // the install's backfill

  // What the shop should end with, per customer: spend in minor units and order count.
  const expected = new Map<string, { spend: number; orders: number }>();
  type Delivery = { topic: string; payload: unknown; webhookId: string };
  const unique: Delivery[] = [];
  const base = Date.now() - 300 * DAY;
  for (let i = 0; i < count; i++) {
    const c = Math.floor(i / ordersPerCustomer);
    const customerId = 10_001 + c;
    const orderId = 1_000_000 + i;
    const quantity = 1 + (c % 3);
    const processedAt = new Date(base + i * 60_000).toISOString();
    unique.push({
      topic: "orders/paid",
      webhookId: `bench-order-${orderId}`,
      payload: orderPayload({ id: orderId, customer: { id: customerId }, processedAt, lines: [{ id: orderId * 10, quantity, price: "45.00" }] }),
    });
    const e = expected.get(gid("Customer", customerId)) ?? { spend: 0, orders: 0 };
    e.spend += UNIT_PRICE * quantity;
    e.orders += 1;
    expected.set(gid("Customer", customerId), e);
    // Every fifth customer returns one unit of their first order.
    if (c % 5 === 0 && i % ordersPerCustomer === 0) {
      unique.push({
        topic: "refunds/create",
        webhookId: `bench-refund-${orderId}`,
        payload: refundPayload({
          id: 2_000_000 + i,
          orderId,
          createdAt: new Date(base + i * 60_000 + DAY).toISOString(),
          lines: [{ lineId: orderId * 10, quantity: 1, price: "45.00" }],
        }),
      });
      e.spend -= UNIT_PRICE;
    }
  }
  const random = seededRandom(42);
  const orders = unique.filter((d) => d.topic === "orders/paid");
  const repeats: Delivery[] = [];
  const duplicateCount = Math.round(count * duplicateRatio);
  for (let k = 0; k < duplicateCount; k++) {
    const original = orders[Math.floor(random() * orders.length)];
    // A Shopify retry keeps the webhook id; a second subscription or a replay sends the same order under a new one.
    repeats.push(k % 2 === 0 ? original : { ...original, webhookId: `${original.webhookId}-again-${k}` });
  }
  const deliveries = [...unique, ...repeats];
  for (let i = deliveries.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [deliveries[i], deliveries[j]] = [deliveries[j], deliveries[i]];
  }
  const distinctWebhookIds = new Set(deliveries.map((d) => d.webhookId)).size;
  if (warmUpCount >= deliveries.length) throw new Error(`--warm-up ${warmUpCount} leaves none of the ${deliveries.length} deliveries to measure`);

  const signedLines = deliveries.map((d) => {
    const signed = signWebhook({ topic: d.topic, shop, payload: d.payload, appUrl: stack.appUrl, secret: stack.apiSecret, webhookId: d.webhookId });
    return JSON.stringify({ url: signed.url, headers: signed.headers, body: signed.body });
  });
  type Sent = { sent: number; sendSpanMs: number; ackSpanMs: number; statuses: Record<string, number>; latencies: number[]; cpuMs: number };
  /** Sends these deliveries from a second process (bench/webhook-sender.ts) at `--rate`; its summary. */
  const send = async (lines: string[]): Promise<Sent> => {
    const file = path.join(os.tmpdir(), `tierline-bench-webhooks-${process.pid}.jsonl`);
    fs.writeFileSync(file, lines.join("\n"));
    const sender = spawn(process.execPath, ["--import", "tsx", path.join(root, "bench/webhook-sender.ts"), file, String(rate)], {
      cwd: root,
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    sender.stdout.on("data", (d) => (out += d));
    const senderExit = await new Promise<number | null>((resolve) => sender.on("exit", resolve));
    fs.rmSync(file, { force: true });
    if (senderExit !== 0) throw new Error(`webhook sender exited with ${senderExit}`);
    return JSON.parse(out) as Sent;
  };
  // --warm-up N: the first N deliveries go out before the measured ones (counted in the checks, not in the figures),
  // so a server's first-use costs (database, query compiler, JIT) do not land on the measured deliveries.
  const warmUpLines = signedLines.slice(0, warmUpCount);
  const warmedUp = warmUpLines.length ? await send(warmUpLines) : null;

  if (workerDuring) stack.startWorkerLoop({ idleMs: 50 });
  const sendStart = performance.now();
  const appCpuBefore = cpuMs(stack.app.process.pid);
  const sent = await send(signedLines.slice(warmUpCount));
  const appCpuAfter = cpuMs(stack.app.process.pid);
  for (const [status, n] of Object.entries(warmedUp?.statuses ?? {})) sent.statuses[status] = (sent.statuses[status] ?? 0) + n;

  // What is left after the last ack (everything with --worker after), drained here; with --worker during the loop
  // is stopped first so two drainers do not share the timing.
  if (workerDuring) await stack.stopWorkerLoop();
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
  const endToEndMs = performance.now() - sendStart;
  // Folding: deliveries into facts, members recomputed. Syncing (tags, metafields) talks to the stand-in, whose
  // GraphQL validation against the full Admin schema costs more than Shopify's would.
  const foldMs = (jobMs["process-webhooks"] ?? 0) + (jobMs.recalculate ?? 0);

  const db = stack.db;
  const members = await db.member.findMany({ where: { shop }, select: { customerGid: true, spend: true, orderCount: true } });
  const mismatched = [...expected].filter(([customerGid, e]) => {
    const m = members.find((x) => x.customerGid === customerGid);
    return !m || m.spend !== e.spend || m.orderCount !== e.orders;
  });
  const checks = {
    refused: Object.entries(sent.statuses)
      .filter(([s]) => s !== "200")
      .reduce((n, [, v]) => n + v, 0),
    inboxRows: await db.webhookInbox.count({ where: { shop, topic: { in: ["orders/paid", "refunds/create"] } } }),
    distinctWebhookIds,
    unprocessed: await db.webhookInbox.count({ where: { shop, status: { notIn: ["processed", "skipped"] } } }),
    ordersCounted: await db.orderFact.count({ where: { shop } }),
    uniqueOrdersSent: orders.length,
    refundsCounted: await db.refundFact.count({ where: { shop } }),
    uniqueRefundsSent: unique.length - orders.length,
    members: members.length,
    customers,
    membersWithWrongSpendOrCount: mismatched.length,
    orderCountSum: members.reduce((n, m) => n + m.orderCount, 0),
  };
  const ok =
    checks.refused === 0 &&
    checks.inboxRows === checks.distinctWebhookIds &&
    checks.unprocessed === 0 &&
    checks.ordersCounted === checks.uniqueOrdersSent &&
    checks.orderCountSum === checks.uniqueOrdersSent &&
    checks.refundsCounted === checks.uniqueRefundsSent &&
    checks.members === customers &&
    checks.membersWithWrongSpendOrCount === 0;

  const sorted = sent.latencies.slice().sort((a, b) => a - b);
  console.log(
    JSON.stringify({
      bench: "webhooks",
      database: "sqlite",
      server,
      worker: args.worker,
      sync: args.sync,
      targetRate: rate,
      deliveries: sent.sent,
      warmUpDeliveries: warmedUp?.sent ?? 0,
      uniqueOrders: orders.length,
      refunds: checks.uniqueRefundsSent,
      duplicates: repeats.length,
      ack: {
        p50Ms: round(percentile(sorted, 0.5)),
        p90Ms: round(percentile(sorted, 0.9)),
        p99Ms: round(percentile(sorted, 0.99)),
        maxMs: round(sorted[sorted.length - 1]),
        acksPerSec: Math.round(sent.sent / (sent.ackSpanMs / 1000)),
        offeredPerSec: Math.round(sent.sent / (sent.sendSpanMs / 1000)),
        // What one delivery costs the app server in CPU, whatever else the machine is doing; 1000 / this is the
        // rate one core sustains.
        appCpuMsPerDelivery: appCpuBefore === null || appCpuAfter === null ? null : round((appCpuAfter - appCpuBefore) / sent.sent),
        // The same for the sending process, which shares the machine with the app.
        senderCpuMsPerDelivery: round(sent.cpuMs / sent.sent),
      },
      loadAverage: os.loadavg().map((n) => round(n)),
      drain: workerDuring
        ? {
            afterLastAckMs: Math.round(drainMs),
            endToEndMs: Math.round(endToEndMs),
            ordersFoldedPerSec: Math.round(orders.length / (endToEndMs / 1000)),
          }
        : {
            ms: Math.round(drainMs),
            msByJob: jobMs,
            ordersFoldedPerSec: Math.round(orders.length / (foldMs / 1000)),
            ordersFoldedAndSyncedPerSec: syncSkipped ? null : Math.round(orders.length / (drainMs / 1000)),
          },
      checks,
      ok,
      ...(mismatched.length ? { firstMismatches: mismatched.slice(0, 3) } : {}),
    }),
  );
  if (!ok) exitCode = 1;
} finally {
  await stack.stop();
}
process.exit(exitCode);
