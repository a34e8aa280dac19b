import "./check-node-version.js"; // first: stops on Node < 22 before anything native loads
import os from "node:os";
import { pathToFileURL } from "node:url";
import { createDb, type Db } from "~/db/client.server";
import { JOB_HANDLERS } from "~/jobs/handlers.server";
import { scheduleRunner } from "~/jobs/schedules.server";
import { drainJobs, runWorkerOnce as runOnce, workerLoop, type RunOnceResult, type WorkerDeps } from "~/jobs/worker.server";
import type { AdminGraphqlClient } from "~/shopify/admin-graphql.server";

/**
 * `npm run worker`: runs Tierline's durable jobs against DATABASE_URL until SIGTERM/SIGINT — drains the webhook
 * inbox, recomputes members, syncs Shopify, backfills new shops, and re-evaluates members whose level expires.
 * Several workers may run at once (leases keep them apart). `runWorkerOnce` and `drain` are the same steps for
 * tests and the demo.
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

async function main(): Promise<void> {
  const db = createDb();
  const controller = new AbortController();
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      console.log(JSON.stringify({ event: "worker.stopping", signal }));
      controller.abort();
    });
  }
  // Below the web process in the CPU's queue when they share a host: a webhook's answer is due within seconds (Shopify
  // retries it), the worker's backlog is not. WORKER_NICE=0 turns this off.
  try {
    os.setPriority(Number(process.env.WORKER_NICE ?? WORKER_NICE));
  } catch {
    // not allowed here: the worker runs at the priority it was given
  }
  const deps = withDefaults({ log: (entry) => console.log(JSON.stringify(entry)) });
  console.log(JSON.stringify({ event: "worker.started", pid: process.pid }));
  await workerLoop(db, deps, JOB_HANDLERS, {
    signal: controller.signal,
    idleMs: Number(process.env.WORKER_IDLE_MS ?? 1000),
    // Work the clock starts (expiry, birthdays, points about to expire): app/jobs/schedules.server.ts.
    onIdle: scheduleRunner(db),
  });
  await db.$disconnect();
  console.log(JSON.stringify({ event: "worker.stopped" }));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
