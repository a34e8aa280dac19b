import type { Db } from "~/db/client.server";
import { enqueueBirthdayRewards } from "~/services/rewards/birthdays.server";
import { enqueuePointsExpiringChecks } from "~/services/flow/points-expiring.server";
import { enqueueDueReviews } from "./recalculate.server";

/**
 * Work the clock starts, with no webhook or merchant action behind it: levels expiring, birthdays coming round,
 * points about to expire. The worker runs each schedule at most every `everyMs` when it is idle (scripts/worker.ts,
 * the local stack's worker loop); each one only queues deduped jobs, so several workers running them at once, or a
 * worker restarted, queue the same work once.
 */
export interface Schedule {
  name: string;
  everyMs: number;
  run(db: Db, now: Date): Promise<unknown>;
}

export const SCHEDULES: Schedule[] = [
  // Levels expire with time alone: queue the members whose review time has come.
  { name: "due-reviews", everyMs: 60_000, run: enqueueDueReviews },
  // Points about to expire (Shopify Flow's "Member points expiring soon"): every shop whose points expire, hourly.
  { name: "points-expiring", everyMs: 3_600_000, run: enqueuePointsExpiringChecks },
  // Birthday rewards (UTC days): every shop with a birthday benefit, hourly; each member's reward is recorded once a year.
  { name: "birthday-rewards", everyMs: 3_600_000, run: enqueueBirthdayRewards },
];

/** An onIdle for workerLoop: runs each schedule whose time has come (per process). */
export function scheduleRunner(db: Db, schedules: Schedule[] = SCHEDULES, clock: () => Date = () => new Date()): () => Promise<void> {
  const lastRun = new Map<string, number>();
  return async () => {
    const now = clock();
    for (const s of schedules) {
      if (now.getTime() - (lastRun.get(s.name) ?? -Infinity) < s.everyMs) continue;
      lastRun.set(s.name, now.getTime());
      await s.run(db, now);
    }
  };
}
