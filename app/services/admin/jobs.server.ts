import type { Job } from "@prisma/client";
import { enqueueJob as enqueue, type DbOrTx } from "~/jobs/queue.server";

export interface NewJob {
  type: string;
  shop: string;
  /** Dedupe key: while a job with this key is queued, asking again keeps that one job. */
  key: string;
  payload: object;
  runAt: Date;
  total?: number | null;
}

/**
 * Queues a durable job and returns the queued row (the new one, or the one already queued under the key), so the
 * admin can follow it. Inside a transaction it commits or rolls back with the rest of the write.
 */
export async function enqueueJob(db: DbOrTx, job: NewJob): Promise<Job> {
  await enqueue(db, { type: job.type, shop: job.shop, key: job.key, payload: job.payload, runAt: job.runAt, total: job.total ?? null }, job.runAt);
  // Keys are global; reading by key and shop means a key that another shop holds never returns that shop's job.
  return db.job.findFirstOrThrow({ where: { key: job.key, shop: job.shop } });
}
