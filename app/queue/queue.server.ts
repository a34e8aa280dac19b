import { randomUUID } from "node:crypto";
import { Prisma, type Job } from "@prisma/client";
import type BetterSqlite3 from "better-sqlite3";
import { dbProvider, type Db, type DbOrTx } from "~/db/client.server";
import { PROCESS_WEBHOOKS_JOB, processWebhooksKey } from "./job-kinds";

/**
 * A durable job queue on the Job table. Claiming takes a lease (status running, leaseUntil, lockedBy) in one atomic
 * statement, so two workers never run the same job; a worker that dies leaves a lease that simply runs out and the
 * job is claimed again. Failures back off exponentially; after maxAttempts a job is dead-lettered (status dead) and
 * stays in the table with its last error for an operator to read.
 *
 * `key` dedupes pending work: enqueueing a key that is already queued does nothing. The key is released when the job
 * is claimed, so work that arrives while a job runs queues a fresh one instead of being lost.
 *
 * This module is the only code that writes Job rows in SQL (the job kinds and keys: ./job-kinds.ts; the handlers and
 * the worker loop: app/jobs/). It sits below the services, which queue work through `enqueueJob`.
 */

export type JobStatus = "queued" | "running" | "done" | "dead";

export interface EnqueueInput {
  /** The job's id when the caller must know it before the job exists (a payload that names it); a fresh UUID otherwise. */
  id?: string;
  type: string;
  shop?: string | null;
  key?: string | null;
  payload?: unknown;
  runAt?: Date;
  maxAttempts?: number;
  backoffMs?: number;
  total?: number | null;
}

/** A job's attempts and first backoff unless the enqueuer says otherwise. */
export const DEFAULT_MAX_ATTEMPTS = 8;
export const DEFAULT_BACKOFF_MS = 2000;

/** The Job columns every insert names, in this order (enqueueJob and the inbox drainer's two inserts below). */
const JOB_COLUMN_LIST = `("id", "type", "shop", "key", "payload", "status", "runAt", "attempts", "maxAttempts", "backoffMs", "progress", "total", "createdAt", "updatedAt")`;
const JOB_INSERT_COLUMNS = Prisma.raw(JOB_COLUMN_LIST);

/** Inserts a job unless one with the same key is still queued. Returns true when a job was added. */
export async function enqueueJob(db: DbOrTx, input: EnqueueInput, now: Date = new Date()): Promise<boolean> {
  const id = input.id ?? randomUUID();
  const payload = JSON.stringify(input.payload ?? {});
  // ON CONFLICT DO NOTHING rather than catching the unique error: on PostgreSQL a failed statement aborts the
  // surrounding transaction (the webhook's inbox insert), on SQLite it would not. This form behaves the same on both.
  const inserted = await db.$executeRaw`
    INSERT INTO "Job" ${JOB_INSERT_COLUMNS}
    VALUES (${id}, ${input.type}, ${input.shop ?? null}, ${input.key ?? null}, ${payload}, 'queued', ${input.runAt ?? now}, 0,
            ${input.maxAttempts ?? DEFAULT_MAX_ATTEMPTS}, ${input.backoffMs ?? DEFAULT_BACKOFF_MS}, 0, ${input.total ?? null}, ${now}, ${now})
    ON CONFLICT ("key") DO NOTHING`;
  return inserted > 0;
}

/**
 * The job queued under `key` for `shop` (the one just enqueued, or the one already queued under the key), for
 * callers that follow it (the admin's progress views). Throws when there is none. Keys are global; reading by key
 * and shop means a key that another shop holds never returns that shop's job.
 */
export async function jobByKey(db: DbOrTx, shop: string, key: string): Promise<Job> {
  return db.job.findFirstOrThrow({ where: { key, shop } });
}

// ── The inbox's drainer, queued in the inbox's own write (app/services/webhook-inbox-store.server.ts) ──────────────

/**
 * The shop's `process-webhooks` job, queued only if one of inbox rows `inboxIds` exists (i.e. one of the shop's
 * deliveries in this batch was new; the ids are fresh) and none is queued yet (ON CONFLICT keeps a queued one). Due at
 * the earliest of those rows' receivedAt. A statement, not a call, so it joins the inbox insert in one Prisma batch
 * transaction. Same columns and defaults as enqueueJob; the times come from the inbox row and the numbers are
 * literals, so PostgreSQL types every value of the SELECT from its column.
 */
export function queueDrainerForNewInboxRows(db: Db, shop: string, inboxIds: string[]): Prisma.PrismaPromise<number> {
  return db.$executeRaw`
    INSERT INTO "Job" ${JOB_INSERT_COLUMNS}
    SELECT ${randomUUID()}, ${PROCESS_WEBHOOKS_JOB}, "shop", ${processWebhooksKey(shop)}, '{}', 'queued', "receivedAt", 0,
           ${Prisma.raw(String(DEFAULT_MAX_ATTEMPTS))}, ${Prisma.raw(String(DEFAULT_BACKOFF_MS))}, 0, NULL, "receivedAt", "receivedAt"
      FROM "WebhookInbox" WHERE "id" IN (${Prisma.join(inboxIds)})
     ORDER BY "receivedAt" LIMIT 1
    ON CONFLICT ("key") DO NOTHING`;
}

/** The drainer insert as a prepared statement, once per connection. */
const sqliteDrainerInserts = new WeakMap<BetterSqlite3.Database, BetterSqlite3.Statement>();

/**
 * SQLite, for the connection writeSqliteDirectly hands out: a function that queues a shop's drainer, due at `runAt`
 * (a date as sqliteDate formats it), unless one is queued; to be run inside that connection's transaction. Its
 * statement is prepared on the first call per connection (prepareInbox makes that call before the app takes requests).
 * The same row as enqueueJob would write.
 */
export function sqliteDrainerQueuer(database: BetterSqlite3.Database): (shop: string, runAt: string) => void {
  let insert = sqliteDrainerInserts.get(database);
  if (!insert) {
    insert = database.prepare(
      `INSERT INTO "Job" ${JOB_COLUMN_LIST} VALUES (?, '${PROCESS_WEBHOOKS_JOB}', ?, ?, '{}', 'queued', ?, 0, ${DEFAULT_MAX_ATTEMPTS}, ${DEFAULT_BACKOFF_MS}, 0, NULL, ?, ?) ON CONFLICT ("key") DO NOTHING`,
    );
    sqliteDrainerInserts.set(database, insert);
  }
  const statement = insert;
  return (shop, runAt) => void statement.run(randomUUID(), shop, processWebhooksKey(shop), runAt, runAt, runAt);
}

export interface ClaimOptions {
  workerId: string;
  now: Date;
  leaseMs: number;
  /** Only these job types (a worker dedicated to some work); all when absent. */
  types?: string[];
}

/**
 * Claims the next due job, or returns null. Due: queued with runAt <= now, or running with an expired lease (its
 * worker died). Jobs of one type for one shop run one at a time, so a shop's webhooks are applied in order and its
 * members are never recomputed by two workers at once.
 *
 * The whole claim is this one function. On SQLite the UPDATE … RETURNING is atomic (one writer at a time). On
 * PostgreSQL claims take turns on a transaction-scoped advisory lock, so each claim's statement sees the jobs the
 * previous claim leased (under READ COMMITTED two simultaneous claims could otherwise both find "no job of this shop
 * and type running" and start two); the inner SELECT gets `FOR UPDATE SKIP LOCKED` so a claim never waits for a row
 * another worker is completing, failing or heartbeating. A claim is one short statement, so the turn costs little.
 */
export async function claimNextJob(db: Db, opts: ClaimOptions): Promise<Job | null> {
  await deadLetterAbandoned(db, opts.now);
  const leaseUntil = new Date(opts.now.getTime() + opts.leaseMs);
  const typeFilter = opts.types && opts.types.length > 0 ? Prisma.sql`AND j."type" IN (${Prisma.join(opts.types)})` : Prisma.empty;
  const postgres = dbProvider(db) === "postgresql";
  const skipLocked = postgres ? Prisma.raw("FOR UPDATE SKIP LOCKED") : Prisma.empty;
  const claim = (client: DbOrTx) => client.$queryRaw<Job[]>`
    UPDATE "Job"
       SET "status" = 'running', "leaseUntil" = ${leaseUntil}, "lockedBy" = ${opts.workerId}, "attempts" = "attempts" + 1,
           "key" = NULL, "updatedAt" = ${opts.now}
     WHERE "id" = (
       SELECT j."id" FROM "Job" j
        WHERE ((j."status" = 'queued' AND j."runAt" <= ${opts.now}) OR (j."status" = 'running' AND j."leaseUntil" < ${opts.now}))
          AND j."attempts" < j."maxAttempts"
          ${typeFilter}
          AND NOT EXISTS (
            SELECT 1 FROM "Job" r
             WHERE r."status" = 'running' AND r."leaseUntil" >= ${opts.now} AND r."id" <> j."id"
               AND r."type" = j."type" AND r."shop" = j."shop")
        ORDER BY j."runAt", j."createdAt"
        LIMIT 1
        ${skipLocked})
    RETURNING *`;
  const rows = postgres
    ? await db.$transaction(async (tx) => {
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('tierline:claim-job'))`;
        return claim(tx);
      })
    : await claim(db);
  return rows[0] ? normalizeJob(rows[0]) : null;
}

/** A job whose worker died on its last allowed attempt is never claimed again: it is dead-lettered instead. */
async function deadLetterAbandoned(db: Db, now: Date): Promise<void> {
  await db.job.updateMany({
    where: { status: "running", leaseUntil: { lt: now }, attempts: { gte: db.job.fields.maxAttempts } },
    data: { status: "dead", lastError: "lease expired on the last attempt (the worker stopped while running it)", finishedAt: now, lockedBy: null },
  });
}

/** Raw rows come back with the database's types (SQLite: dates as text, PostgreSQL: dates as Date); give them the model's. */
function normalizeJob(row: Job): Job {
  const date = (v: unknown) => (v === null || v === undefined ? null : v instanceof Date ? v : new Date(String(v)));
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    ...row,
    runAt: date(row.runAt)!,
    leaseUntil: date(row.leaseUntil),
    createdAt: date(row.createdAt)!,
    updatedAt: date(row.updatedAt)!,
    finishedAt: date(row.finishedAt),
    attempts: num(row.attempts)!,
    maxAttempts: num(row.maxAttempts)!,
    backoffMs: num(row.backoffMs)!,
    progress: num(row.progress)!,
    total: num(row.total),
  };
}

/**
 * Claims one given job (a coordinator running a part of its own run), with claimNextJob's lease rules: only while
 * queued or abandoned (lease run out) and attempts are left. Returns the claimed row, or null.
 */
export async function claimJob(db: Db, id: string, opts: { lockedBy: string; now: Date; leaseMs: number }): Promise<Job | null> {
  const { count } = await db.job.updateMany({
    where: { id, OR: [{ status: "queued" }, { status: "running", leaseUntil: { lt: opts.now } }], attempts: { lt: db.job.fields.maxAttempts } },
    data: {
      status: "running",
      lockedBy: opts.lockedBy,
      leaseUntil: new Date(opts.now.getTime() + opts.leaseMs),
      attempts: { increment: 1 },
      key: null,
      updatedAt: opts.now,
    },
  });
  return count === 0 ? null : db.job.findUniqueOrThrow({ where: { id } });
}

/**
 * Writes a running job's payload (its checkpoint) and progress, only while this worker still holds it; false when
 * the lease was lost. Inside the transaction of the work the checkpoint covers, so both commit or neither.
 */
export async function saveJobPayload(db: DbOrTx, job: Pick<Job, "id" | "lockedBy">, payload: unknown, progress: number): Promise<boolean> {
  const { count } = await db.job.updateMany({
    where: { id: job.id, status: "running", lockedBy: job.lockedBy },
    data: { payload: JSON.stringify(payload), progress },
  });
  return count > 0;
}

/** Marks a job done, only while this worker still holds it (a job deleted by a shop purge is simply gone). */
export async function completeJob(db: Db, job: Pick<Job, "id" | "lockedBy">, now: Date): Promise<boolean> {
  const { count } = await db.job.updateMany({
    where: { id: job.id, status: "running", lockedBy: job.lockedBy },
    data: { status: "done", finishedAt: now, leaseUntil: null, lastError: null },
  });
  return count > 0;
}

/** Exponential backoff: base × 2^(attempt−1), capped, with up to 20% jitter so retries of a burst spread out. */
export function backoffDelay(attempts: number, baseMs: number, random: () => number = Math.random, capMs = 60 * 60_000): number {
  const raw = Math.min(capMs, baseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(raw * (1 + 0.2 * random()));
}

/**
 * Records a failed attempt: back to queued after the backoff, or dead after the last attempt. An attempt that
 * `advanced` the job (made durable progress before failing) counts as the first of a fresh run of attempts.
 */
export async function failJob(
  db: Db,
  job: Pick<Job, "id" | "lockedBy" | "attempts" | "maxAttempts" | "backoffMs">,
  error: unknown,
  now: Date,
  random: () => number = Math.random,
  opts: { advanced?: boolean } = {},
): Promise<JobStatus> {
  const message = describeError(error);
  const attempts = opts.advanced ? 1 : job.attempts;
  const dead = attempts >= job.maxAttempts;
  const runAt = new Date(now.getTime() + backoffDelay(attempts, job.backoffMs, random));
  await db.job.updateMany({
    where: { id: job.id, status: "running", lockedBy: job.lockedBy },
    data: dead
      ? { status: "dead", lastError: message, finishedAt: now, leaseUntil: null, lockedBy: null }
      : { status: "queued", lastError: message, runAt, leaseUntil: null, lockedBy: null, ...(opts.advanced ? { attempts } : {}) },
  });
  return dead ? "dead" : "queued";
}

/** Extends the lease of a long job; false when the lease was lost (another worker took the job over). */
export async function extendLease(db: Db, job: Pick<Job, "id" | "lockedBy">, until: Date): Promise<boolean> {
  const { count } = await db.job.updateMany({ where: { id: job.id, status: "running", lockedBy: job.lockedBy }, data: { leaseUntil: until } });
  return count > 0;
}

export async function reportProgress(db: DbOrTx, job: Pick<Job, "id">, progress: number, total: number | null): Promise<void> {
  await db.job.updateMany({ where: { id: job.id }, data: { progress, total } });
}

/** Dead jobs queued again with fresh attempts, due `now` (a failed part of a run whose coordinator will retry). */
export async function requeueDeadJobs(db: DbOrTx, ids: string[], now: Date): Promise<void> {
  await db.job.updateMany({ where: { id: { in: ids }, status: "dead" }, data: { status: "queued", attempts: 0, runAt: now } });
}

/** Withdraws the jobs still queued under `keys` (running or finished ones stay). */
export async function cancelQueuedJobs(db: DbOrTx, keys: string[]): Promise<void> {
  await db.job.deleteMany({ where: { key: { in: keys }, status: "queued" } });
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`.slice(0, 2000);
  return String(error).slice(0, 2000);
}
