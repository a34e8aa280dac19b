import "./check-node-version.js"; // first: stops on Node < 22 before anything native loads
import { spawn, type ChildProcess } from "node:child_process";
import os from "node:os";
import { pathToFileURL } from "node:url";
import { createDb, type Db } from "~/db/client.server";
import { JOB_HANDLERS } from "~/jobs/handlers.server";
import { SYNC_MEMBERS_JOB } from "~/queue/job-kinds";
import { scheduleRunner } from "~/jobs/schedules.server";
import { drainJobs, runWorkerOnce as runOnce, workerLoop, type RunOnceResult, type WorkerDeps } from "~/jobs/worker.server";
import type { AdminGraphqlClient } from "~/shopify/admin-graphql.server";

/**
 * `npm run worker`: runs Tierline's durable jobs against DATABASE_URL until SIGTERM/SIGINT — drains the webhook
 * inbox, recomputes members, syncs Shopify, backfills new shops, and re-evaluates members whose level expires.
 * Several workers may run at once (leases keep them apart). `runWorkerOnce` and `drain` are the same steps for
 * tests and the demo.
 *
 * Two lanes, each a process of its own: the members' sync to Shopify (SHOPIFY_LANE_TYPES) runs in a child process
 * beside everything else, so a sync waiting on Shopify's answers or rate limit never holds up the drain, and a
 * burst's drain never holds up the sync: a member's new level reaches Shopify seconds after its order is folded,
 * not after the burst. (Not two loops in one process: on SQLite a process has one connection, and a second loop's
 * statements would land inside the first one's open transaction.) `WORKER_LANES=one` runs every job in one process.
 */

/**
 * The Admin API of a shop through its offline session (SHOPIFY_ADMIN_ORIGIN applies), refreshing the expiring
 * token as a job goes (app/shopify/offline-token.server.ts).
 */
async function productionAdminFor(shop: string): Promise<AdminGraphqlClient> {
  const { offlineAdmin } = await import("~/shopify.server");
  return offlineAdmin(shop);
}

function withDefaults(deps: WorkerDeps): WorkerDeps {
  return { adminFor: productionAdminFor, ...deps };
}

export function runWorkerOnce(db: Db, deps: WorkerDeps = {}): Promise<RunOnceResult> {
  return runOnce(db, withDefaults(deps), JOB_HANDLERS);
}

/** Runs every due job (and the follow-ups they queue) and returns what ran. */
export function drain(db: Db, deps: WorkerDeps = {}, opts: { maxJobs?: number } = {}): Promise<RunOnceResult[]> {
  return drainJobs(db, withDefaults(deps), JOB_HANDLERS, opts);
}

/** The worker's niceness (0 normal, 19 lowest): the web process's acks win the CPU over the worker's backlog. */
export const WORKER_NICE = 10;

/** How much nicer than the main lane the Shopify lane runs (when the worker is niced at all). */
export const SHOPIFY_LANE_NICE_STEP = 5;

/** The job types the Shopify lane runs; the main lane runs every other type. */
export const SHOPIFY_LANE_TYPES = [SYNC_MEMBERS_JOB];

type Lane = "one" | "main" | "shopify";

function laneOf(env: NodeJS.ProcessEnv): Lane {
  if (env.TIERLINE_WORKER_LANE === "shopify") return "shopify";
  return env.WORKER_LANES === "one" ? "one" : "main";
}

/** The Shopify lane: this script again, in a child process, restarted if it dies while the worker runs. */
function startShopifyLane(signal: AbortSignal): { stopped: () => Promise<void> } {
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  const start = () => {
    child = spawn(process.execPath, [...process.execArgv, process.argv[1]], {
      env: { ...process.env, TIERLINE_WORKER_LANE: "shopify" },
      // The IPC channel closes when this process dies, however it dies: the lane then stops too (see main).
      stdio: ["inherit", "inherit", "inherit", "ipc"],
    });
    exited = new Promise((resolve) =>
      child!.once("exit", (code, by) => {
        resolve();
        if (signal.aborted) return;
        console.log(JSON.stringify({ event: "worker.lane-exited", lane: "shopify", code, signal: by }));
        setTimeout(() => signal.aborted || start(), 1000);
      }),
    );
  };
  start();
  signal.addEventListener("abort", () => child?.kill("SIGTERM"), { once: true });
  return { stopped: () => exited };
}

async function main(): Promise<void> {
  const lane = laneOf(process.env);
  // WAL checkpoints on a thread of their own, as in the app process: not inside the drain's commits.
  // The spool: deliveries the web process stored beside the database, moved into the inbox by the lane that drains it
  // (moveSpooledDeliveries, before each job and each drain pass).
  const db = createDb(undefined, { backgroundCheckpoints: true, spool: lane !== "shopify" });
  const controller = new AbortController();
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      console.log(JSON.stringify({ event: "worker.stopping", lane, signal }));
      controller.abort();
    });
  }
  // Below the web process in the CPU's queue when they share a host: a webhook's answer is due within seconds (Shopify
  // retries it), the worker's backlog is not. WORKER_NICE=0 turns this off.
  // The Shopify lane a step further down: the drain must keep up with a burst, while a sync that falls behind only
  // sends bigger batches (each member as it is now, once).
  const nice = Number(process.env.WORKER_NICE ?? WORKER_NICE);
  try {
    os.setPriority(lane === "shopify" && nice > 0 ? Math.min(19, nice + SHOPIFY_LANE_NICE_STEP) : nice);
  } catch {
    // not allowed here: the worker runs at the priority it was given
  }
  // A lane whose worker died (even SIGKILLed) finishes its job in hand and stops, rather than run on unsupervised.
  if (lane === "shopify") {
    process.once("disconnect", () => controller.abort());
    process.channel?.unref(); // the channel alone does not keep the lane alive once it has stopped
  }
  const types =
    lane === "shopify"
      ? SHOPIFY_LANE_TYPES
      : lane === "main"
        ? Object.keys(JOB_HANDLERS).filter((type) => !SHOPIFY_LANE_TYPES.includes(type))
        : undefined;
  const deps = withDefaults({ log: (entry) => console.log(JSON.stringify(entry)), types, workerId: `${os.hostname()}:${process.pid}:${lane}` });
  console.log(JSON.stringify({ event: "worker.started", lane, pid: process.pid }));
  const shopifyLane = lane === "main" ? startShopifyLane(controller.signal) : null;
  await workerLoop(db, deps, JOB_HANDLERS, {
    signal: controller.signal,
    idleMs: Number(process.env.WORKER_IDLE_MS ?? 1000),
    // Work the clock starts (expiry, birthdays, points about to expire): app/jobs/schedules.server.ts. Once per worker.
    onIdle: lane === "shopify" ? undefined : scheduleRunner(db),
  });
  await shopifyLane?.stopped();
  await db.$disconnect();
  console.log(JSON.stringify({ event: "worker.stopped", lane }));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
