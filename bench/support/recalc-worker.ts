// One worker process of bench/recalc.ts: the app's job worker (same handlers, same claims and leases) restricted to
// the full-recalculation job types, at the bench's fixed instant. Prints "ready", runs jobs until the watched
// coordinator job is finished, then prints one JSON line (its pid, jobs run, peak RSS) and exits. Meanwhile it prints
// a "batch {…}" line per committed batch: where the batch's time went (WorkerHooks.recalculationBatch), which the bench
// sums; the app stores none of it.
import { createDb } from "../../app/db/client.server.ts";
import { JOB_HANDLERS } from "../../app/jobs/handlers.server.ts";
import { runWorkerOnce, type WorkerHooks } from "../../app/jobs/worker.server.ts";
import { RECALCULATE_JOB, RECALCULATION_PART_JOBS } from "../../app/queue/job-kinds.ts";

const db = createDb(process.env.DATABASE_URL);
const now = new Date(process.env.BENCH_NOW ?? Date.now());
const types = [RECALCULATE_JOB, ...RECALCULATION_PART_JOBS];
const workerId = `bench-${process.pid}`;
const hooks: WorkerHooks = {
  recalculationBatch: ({ job: _job, ...timings }) => void process.stdout.write(`batch ${JSON.stringify(timings)}\n`),
};

async function main(): Promise<void> {
  await db.job.count(); // connect before reporting ready
  process.stdout.write("ready\n");
  const watched = await new Promise<string>((resolve) => {
    process.stdin.once("data", (chunk) => resolve(String(chunk).trim()));
  });
  const ran: string[] = [];
  let retried = 0;
  for (;;) {
    const result = await runWorkerOnce(db, { now: () => now, workerId, types, hooks }, JOB_HANDLERS);
    if (result.ran) {
      ran.push(`${result.job.type}:${result.status}${result.error ? ` ${result.error}` : ""}`);
      if (result.status === "queued") {
        // A failed attempt (on SQLite: the other worker held the write lock past the busy timeout) would wait out its
        // backoff on the bench's frozen clock: it is due again at once, and resumes from its checkpoint.
        retried++;
        await db.job.update({ where: { id: result.job.id }, data: { runAt: now } });
        continue;
      }
      if (result.status !== "done") break;
      continue;
    }
    const job = await db.job.findUnique({ where: { id: watched }, select: { status: true } });
    if (!job || job.status === "done" || job.status === "dead") break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  process.stdout.write(
    `${JSON.stringify({ pid: process.pid, jobs: ran.filter((j) => !j.includes(":queued")), retried, peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`,
  );
  await db.$disconnect();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
