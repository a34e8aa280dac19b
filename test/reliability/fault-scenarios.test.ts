import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, dbProvider, type Db } from "~/db/client.server";
import { spoolFileOf } from "~/db/sqlite-spool.server";
import { MAX_ROW_ATTEMPTS } from "~/jobs/process-webhooks.server";
import { PROCESS_WEBHOOKS_JOB, processWebhooksKey } from "~/queue/job-kinds";
import { enqueueJob } from "~/queue/queue.server";
import { runWorkerOnce } from "../../scripts/worker";
import { recordWebhook } from "~/services/webhook-inbox.server";
import { testPostgresUrl } from "../support/db";
import { generateStream, randomInt, shuffled, type StreamEvent } from "../support/reliability/event-stream";
import { seededRandom } from "../../tools/sample-data/seeded-random";
import { dropConnectionAt } from "../support/reliability/dropping-connection";
import { reconcileOrders, type FinalState } from "../support/reliability/final-state";
import {
  API_KEY,
  API_SECRET,
  APP_URL,
  deliver,
  drainAll,
  freshShop,
  inboxDelivery,
  loadWebhookRoutes,
  oracleRun,
  pointAppAt,
  SHOP,
  skippingClock,
  stateOf,
  workerDeps,
  type ReliabilityShop,
} from "../support/reliability/harness";
import { startStandIn, type StandIn } from "../../tools/shopify-stand-in/index";

/**
 * The reliability suite: the same stream of order webhooks (payments, edits, refunds, cancellations for 24 customers)
 * goes through the app under one fault at a time, and every run must end exactly where an in-order replay of the
 * stream ends — the same members, levels, points, spend, ledger, audit trail, order facts, and the same tags and
 * metafields in the Shopify stand-in. Runs on the database createTestDb gives (SQLite, or PostgreSQL when configured).
 */

const clock = skippingClock();
const syncOptions = { sleep: clock.sleep, now: clock.now, random: () => 0.5, pollIntervalMs: 50 };
const stream = generateStream({ seed: 20261124, customers: 24, ordersPerCustomer: [1, 4] });
const events = stream.events;

let standIn: StandIn;
let oracle: FinalState;
const shops: ReliabilityShop[] = [];
const tally: { scenario: string; lost: number; doubled: number }[] = [];

beforeAll(async () => {
  standIn = await startStandIn({ now: clock.now, apiSecret: API_SECRET });
  const reference = await oracleRun(standIn, stream, syncOptions);
  shops.push(reference.shop);
  oracle = reference.state;
  await loadWebhookRoutes(reference.shop.db);
}, 120_000);

afterAll(async () => {
  for (const s of shops) await s.t.cleanup().catch(() => undefined);
  await standIn?.close();
  const lost = tally.reduce((n, t) => n + t.lost, 0);
  const doubled = tally.reduce((n, t) => n + t.doubled, 0);
  console.log(`reliability: ${tally.length} fault scenarios, ${lost} lost, ${doubled} double-counted`);
});

async function newShop(label: string, storeDomain?: string): Promise<ReliabilityShop> {
  const shop = await freshShop(standIn, stream, label, storeDomain);
  shops.push(shop);
  return shop;
}

/** Past any job's backoff: a retried job is due. */
const later = () => new Date(Date.now() + 10 * 60_000);

const deps = (shop: ReliabilityShop, over: Parameters<typeof workerDeps>[2] = {}) => workerDeps(standIn, shop, { syncOptions, ...over });

/** Compares a run with the oracle, order by order first (the tally), then everything. */
async function expectOracle(scenario: string, shop: ReliabilityShop): Promise<void> {
  const state = await stateOf(standIn, shop, stream);
  const { lost, doubled } = reconcileOrders(oracle, state);
  tally.push({ scenario, lost: lost.length, doubled: doubled.length });
  expect({ lost, doubled }).toEqual({ lost: [], doubled: [] });
  expect(state).toEqual(oracle);
}

/** Every event of the stream `min`–`max` times, and now and then again as a new delivery (a new webhook id, the same event id). */
function repeated(random: () => number, min: number, max: number): StreamEvent[] {
  const deliveries: StreamEvent[] = [];
  for (const e of events) {
    for (let i = randomInt(random, min, max); i > 0; i--) deliveries.push(e);
    if (random() < 0.15) deliveries.push({ ...e, webhookId: `${e.webhookId}-again` });
  }
  return deliveries;
}

/** Records every event as the inbox would (in the given order) without running the worker. */
async function recordAll(db: Db, list: StreamEvent[]): Promise<void> {
  for (const e of list) expect((await recordWebhook(db, inboxDelivery(e), e.topic, new Date(e.at))).status).toBe(200);
}

describe("the oracle", () => {
  it("is a stream worth replaying: members at every level, refunds, cancellations, edits, upgrade rewards", () => {
    const topics = new Set(events.map((e) => e.topic));
    expect([...topics].sort()).toEqual(["orders/cancelled", "orders/paid", "orders/updated", "refunds/create"]);
    const levels = new Set(oracle.members.map((m) => m.levelId));
    expect(levels).toEqual(new Set(["silver", "gold", null]));
    expect(oracle.ledger.some((l) => l.includes(" upgrade:gold "))).toBe(true);
    expect(oracle.ledger.some((l) => l.includes(" reverse:"))).toBe(true);
    expect(oracle.ledger.some((l) => l.includes(" cancel:"))).toBe(true);
    expect(oracle.levelChanges.some((c) => c.includes("gold→silver") || c.includes("silver→-"))).toBe(true);
    expect(Object.values(oracle.shopify).filter((s) => s.tags.includes("tier:gold")).length).toBeGreaterThan(0);
    expect(oracle.orders).toHaveLength(stream.orderGids.length);
  });
});

// Each scenario takes 2–15 s on an idle 2-core machine; the bound leaves room for a loaded one (CI neighbours).
describe(`fault scenarios on ${testPostgresUrl ? "PostgreSQL" : "SQLite"}`, { timeout: 120_000 }, () => {
  it("a duplicate storm: every webhook 3–10 times, shuffled, from 4 concurrent senders, while a worker drains", async () => {
    const shop = await newShop("storm");
    pointAppAt(shop.db);
    const random = seededRandom(7);
    const deliveries = repeated(random, 3, 10);
    const queue = shuffled(deliveries, random);
    const statuses: number[] = [];
    const sender = async () => {
      for (let next = queue.pop(); next; next = queue.pop()) statuses.push(await deliver(next));
    };
    // The worker is another process in production: its own database client, draining while deliveries arrive.
    const workerDb = createDb(shop.t.url);
    let sending = true;
    const workerRuns: string[] = [];
    const worker = (async () => {
      while (sending) {
        const ran = await runWorkerOnce(workerDb, { ...deps(shop), types: ["process-webhooks"] });
        if (ran.ran) workerRuns.push(ran.status);
        else await new Promise((r) => setTimeout(r, 5));
      }
    })();
    await Promise.all([sender(), sender(), sender(), sender()]);
    sending = false;
    await worker;
    await workerDb.$disconnect();

    expect(statuses.length).toBe(deliveries.length);
    expect(new Set(statuses)).toEqual(new Set([200]));
    const distinct = new Set(deliveries.map((d) => d.webhookId)).size;
    expect(await shop.db.webhookInbox.count()).toBe(distinct);
    expect(workerRuns.length).toBeGreaterThan(0);
    await drainAll(shop, deps(shop, { now: later }));
    await expectOracle("duplicate storm", shop);
  });

  it("refunds before their orders and orders/updated before orders/paid (the stream backwards, applied as it arrives)", async () => {
    const shop = await newShop("backwards");
    pointAppAt(shop.db);
    // Every refund before any order event, every update and cancellation before any payment; newest first inside each.
    const rank: Record<string, number> = { "refunds/create": 0, "orders/updated": 1, "orders/cancelled": 2, "orders/paid": 3 };
    const backwards = [...events].sort((a, b) => rank[a.topic] - rank[b.topic] || b.at - a.at);
    let refundsWaiting = 0;
    for (const [i, e] of backwards.entries()) {
      expect(await deliver(e)).toBe(200);
      if (i % 8 !== 7) continue;
      await drainAll(shop, { ...deps(shop), types: ["process-webhooks"] });
      // Refunds applied while their orders are unknown are kept, waiting for them.
      refundsWaiting = Math.max(refundsWaiting, await shop.db.refundFact.count({ where: { customerGid: null } }));
    }
    expect(refundsWaiting).toBeGreaterThan(0);
    await drainAll(shop, { ...deps(shop), types: ["process-webhooks"] });
    expect(await shop.db.webhookInbox.count({ where: { status: { not: "processed" } } })).toBe(0);
    await drainAll(shop, deps(shop));
    await expectOracle("refund before order, update before paid", shop);
  });

  it("two webhooks for one customer processed at the same instant by two workers", async () => {
    const shop = await newShop("two-workers");
    // A customer whose last two deliveries change their level or points.
    const byCustomer = new Map<string, StreamEvent[]>();
    for (const e of events) byCustomer.set(e.customerGid, [...(byCustomer.get(e.customerGid) ?? []), e]);
    const [customer, own] = [...byCustomer].find(
      ([, list]) => list.length >= 4 && list.slice(-2).some((e) => e.topic === "refunds/create" || e.topic === "orders/cancelled"),
    )!;
    const lastTwo = own.slice(-2);
    await recordAll(
      shop.db,
      events.filter((e) => !lastTwo.includes(e)),
    );
    await drainAll(shop, { ...deps(shop), types: ["process-webhooks"] });
    await recordAll(shop.db, lastTwo.slice(0, 1));

    // Worker A claims the drainer and is slow: its lease runs out while it works, so worker B takes the same job over.
    // Both wait for each other after their first delivery, then apply and recompute the same customer together.
    // Deliveries are applied a group per transaction, so both of them would be in A's first group: the second arrives
    // while A waits after applying the first, and B applies it while A is still inside the job.
    // On PostgreSQL each worker has its own connection. On SQLite both share one client: better-sqlite3 waits for
    // another connection's write lock synchronously, so a second connection in the same process would stall the event
    // loop (and with it the transaction holding the lock) until the busy timeout. One client's transactions take turns
    // instead (app/db/sqlite-direct-writes.server.ts), and the two workers still interleave between transactions.
    const dbA = createDb(shop.t.url);
    const dbB = testPostgresUrl ? createDb(shop.t.url) : dbA;
    let arrive!: () => void;
    const aInside = new Promise<void>((r) => (arrive = r));
    let bArrive!: () => void;
    let bApplied = false;
    const bInside = new Promise<void>((r) => (bArrive = r));
    const runA = runWorkerOnce(dbA, {
      ...deps(shop),
      workerId: "A",
      leaseMs: 1,
      types: ["process-webhooks"],
      hooks: {
        afterInboxRow: async ({ index }) => {
          if (index !== 0) return;
          arrive();
          await Promise.race([bInside, new Promise((r) => setTimeout(r, 2000))]);
        },
      },
    });
    await aInside;
    await recordAll(shop.db, lastTwo.slice(1));
    const runB = runWorkerOnce(dbB, {
      ...deps(shop),
      workerId: "B",
      now: () => new Date(Date.now() + 60_000),
      types: ["process-webhooks"],
      hooks: {
        afterInboxRow: () => {
          bApplied = true;
          bArrive();
        },
      },
    });
    const [a, b] = await Promise.all([runA, runB]);
    await dbA.$disconnect();
    if (dbB !== dbA) await dbB.$disconnect();
    expect(a).toMatchObject({ ran: true });
    expect(b).toMatchObject({ ran: true, job: { lockedBy: "B" } });
    // B applied a delivery while A was still inside the same job: the two really overlapped.
    expect(bApplied).toBe(true);
    expect(lastTwo.every((e) => e.customerGid === customer)).toBe(true);

    await drainAll(shop, deps(shop, { now: () => new Date(Date.now() + 120_000) }));
    await expectOracle("two workers, one customer, same instant", shop);
  });

  // Deliveries are applied a group per transaction: a connection lost while applying one rolls its whole group back,
  // and the drainer applies the group again one delivery at a time on a fresh connection, in the same run (status
  // done). A member's writes lost with the connection fail the run, which is retried after its backoff (queued).
  // Where the drop falls: PostgreSQL counts rows (a trigger fires per row), SQLite counts statements, and a group's or
  // a chunk's rows share one statement per table (applyFactDeliveries, applyBatchWrites), so the n-th statement is the
  // n-th group or chunk: a low n, reached however the drainer sizes its groups.
  it.each([
    { name: "applying a delivery", table: "OrderFact", at: { postgresql: 30, sqlite: 3 }, status: "done" },
    { name: "writing a member's ledger", table: "PointsEntry", at: { postgresql: 12, sqlite: 2 }, status: "queued" },
    { name: "writing a member's audit trail", table: "LevelChange", at: { postgresql: 9, sqlite: 2 }, status: "queued" },
  ])("the database connection dropped mid-transaction ($name): rolled back, retried, nothing half-written", async ({ name, table, at, status }) => {
    const shop = await newShop("dropped");
    await recordAll(shop.db, events);
    const dropping = await dropConnectionAt(shop.t.url, table, at[dbProvider(shop.db)]);
    let first;
    try {
      first = await runWorkerOnce(dropping.db, { ...deps(shop), types: ["process-webhooks"] });
      expect(await dropping.dropped()).toBe(1);
    } finally {
      await dropping.release();
    }
    expect(first).toMatchObject(
      status === "queued"
        ? { ran: true, status, error: expect.stringMatching(/Connection terminated|terminating connection|closed the connection/i) }
        : { ran: true, status },
    );

    // Whatever committed before the drop is whole: every member's balance is its ledger, its level its last change.
    const members = await shop.db.member.findMany({
      include: { pointsEntries: true, levelChanges: { where: { retractedAt: null }, orderBy: { at: "asc" } } },
    });
    for (const m of members) {
      expect(m.points).toBeCloseTo(
        m.pointsEntries.reduce((s, e) => s + e.points, 0),
        4,
      );
      expect(m.levelId ?? "").toBe(m.levelChanges.at(-1)?.toLevelId ?? "");
    }
    // The job comes back after its backoff and finishes the work.
    await drainAll(shop, deps(shop, { now: () => new Date(Date.now() + 10 * 60_000) }));
    await expectOracle(`connection dropped while ${name}`, shop);
  });

  it("a delivery the database refuses, in the middle of a group: it fails alone and is set aside, the rest land", async () => {
    const shop = await newShop("poison");
    await recordAll(shop.db, events);
    const poison = events[Math.floor(events.length / 2)];
    const poisonRow = await shop.db.webhookInbox.findFirstOrThrow({ where: { webhookId: poison.webhookId } });
    const refuse = await refuseDelivery(shop.db, poisonRow.id);
    const runs: string[] = [];
    // Each run is 5 minutes after the last (past the job's backoff); what they queue is due by afterTheRuns.
    const afterTheRuns = () => new Date(Date.now() + 60 * 60_000);
    try {
      // Each run: the poison's group fails and is applied again one by one; the deliveries before the poison land,
      // the poison fails alone (its attempts count up) and the job is retried after its backoff, until the poison has
      // had MAX_ROW_ATTEMPTS and is set aside; then everything after it lands.
      for (let i = 1; i <= MAX_ROW_ATTEMPTS + 1; i++) {
        const result = await runWorkerOnce(shop.db, {
          ...deps(shop, { now: () => new Date(Date.now() + i * 5 * 60_000) }),
          types: ["process-webhooks"],
        });
        if (!result.ran) break;
        runs.push(result.status);
      }
    } finally {
      await refuse.release();
    }
    expect(runs).toEqual([...Array(MAX_ROW_ATTEMPTS - 1).fill("queued"), "done"]);
    const row = await shop.db.webhookInbox.findUniqueOrThrow({ where: { id: poisonRow.id } });
    expect(row).toMatchObject({ status: "failed", attempts: MAX_ROW_ATTEMPTS, error: expect.stringMatching(/poisoned delivery|constraint/i) });
    expect(await shop.db.webhookInbox.count({ where: { status: { notIn: ["processed", "failed"] } } })).toBe(0);
    await drainAll(shop, deps(shop, { now: afterTheRuns }));
    // Nothing is counted twice; at most the poison's own order is short of what it should have.
    const { lost, doubled } = reconcileOrders(oracle, await stateOf(standIn, shop, stream));
    expect(doubled).toEqual([]);
    expect(lost.filter((gid) => gid !== poison.orderGid)).toEqual([]);

    // The cause fixed, an operator sends the delivery through again: the shop ends exactly where the oracle does.
    await shop.db.webhookInbox.update({ where: { id: row.id }, data: { status: "received", attempts: 0, processedAt: null } });
    await enqueueJob(shop.db, { type: PROCESS_WEBHOOKS_JOB, shop: SHOP, key: processWebhooksKey(SHOP) }, new Date());
    await drainAll(shop, deps(shop, { now: afterTheRuns }));
    await expectOracle("a delivery refused in the middle of a group", shop);
  });

  it("Shopify answering 5xx, THROTTLED and 429 with Retry-After: the sync backs off, growing, and respects Retry-After", async () => {
    const shop = await newShop("throttled");
    await recordAll(shop.db, events);
    await drainAll(shop, { ...deps(shop), types: ["process-webhooks"] });
    standIn.injectFault({ kind: "http", status: 503, count: 2, shop: shop.storeDomain });
    standIn.injectFault({ kind: "throttled", count: 2, shop: shop.storeDomain });
    standIn.injectFault({ kind: "http", status: 429, retryAfterSeconds: 30, count: 1, shop: shop.storeDomain });
    await drainAll(shop, deps(shop));

    const calls = standIn.calls(shop.storeDomain);
    const failed = calls.slice(0, 6);
    expect(failed.map((c) => c.outcome)).toEqual(["fault", "fault", "throttled", "throttled", "fault", "ok"]);
    expect(failed.map((c) => c.status)).toEqual([503, 503, 200, 200, 429, 200]);
    const gaps = failed.slice(1).map((c, i) => c.at - failed[i].at);
    // Exponential backoff (1 s base, equal jitter): at least half of 1, 2, 4, 8 s, each wait longer than the last…
    gaps.slice(0, 4).forEach((gap, i) => expect(gap).toBeGreaterThanOrEqual(500 * 2 ** i));
    for (let i = 1; i < gaps.length; i++) expect(gaps[i]).toBeGreaterThan(gaps[i - 1]);
    // …and never sooner than Shopify's Retry-After.
    expect(gaps[4]).toBeGreaterThanOrEqual(30_000);
    await expectOracle("Shopify 5xx, throttled and 429", shop);
  });

  it("a bulk operation that fails half-way: the sync resumes the lines it never reached", async () => {
    const shop = await newShop("bulk-half");
    await recordAll(shop.db, events);
    await drainAll(shop, { ...deps(shop), types: ["process-webhooks"] });
    standIn.injectFault({ kind: "bulkFailHalfway", count: 2, shop: shop.storeDomain });
    await drainAll(shop, deps(shop, { syncOptions: { ...syncOptions, bulk: true, tagBulkThreshold: 0 } }));

    const operations = Object.values(standIn.shop(shop.storeDomain).bulkOperations);
    expect(operations.filter((o) => o.status === "FAILED")).toHaveLength(2);
    expect(operations.filter((o) => o.status === "COMPLETED").length).toBeGreaterThanOrEqual(1);
    await expectOracle("bulk operation failed half-way", shop);
  });

  it("a worker process killed with SIGKILL mid-batch, then restarted", async () => {
    const shop = await workerProcessShop("sigkill");
    await recordAll(shop.db, events);

    const first = startWorker(shop.t.url);
    // Mid-batch: the worker has applied some deliveries (a group per transaction) and not yet finished recomputing
    // their members (a chunk per transaction), so deliveries are still waiting. (Waiting for the first audit-trail row
    // instead left a window of one chunk, which a loaded machine's polling missed.)
    await waitFor(
      async () => (await shop.db.orderFact.count()) > 0 && (await shop.db.webhookInbox.count({ where: { status: { not: "processed" } } })) > 0,
      30_000,
    );
    first.kill("SIGKILL");
    await exited(first);
    const midway = await shop.db.webhookInbox.count({ where: { status: { not: "processed" } } });
    expect(midway).toBeGreaterThan(0);
    expect(await shop.db.job.count({ where: { type: "process-webhooks", status: "running" } })).toBe(1);

    // The dead worker's lease (5 minutes) runs out; the restarted worker takes its job over.
    await shop.db.job.updateMany({ where: { status: "running" }, data: { leaseUntil: new Date(Date.now() - 1000) } });
    const second = startWorker(shop.t.url);
    try {
      await waitFor(
        () => allDone(shop),
        40_000,
        async () => ({
          inbox: await shop.db.webhookInbox.groupBy({ by: ["status"], _count: true }),
          jobs: await shop.db.job.findMany({
            where: { status: { in: ["queued", "running"] } },
            select: { type: true, status: true, attempts: true, lastError: true, runAt: true },
          }),
        }),
      );
    } finally {
      second.kill("SIGTERM");
      await exited(second);
    }
    expect(await shop.db.job.findFirst({ where: { type: "process-webhooks", attempts: { gt: 1 } } })).toMatchObject({ status: "done" });
    await expectOracle("worker SIGKILLed mid-batch and restarted", shop);
  }, 90_000);

  it("deliveries answered from the app's spool while a worker process moves and drains them, SIGKILLed mid-way and restarted", async () => {
    // The app's client as server.js opens it: on SQLite its deliveries go to the spool beside the database
    // (app/db/sqlite-spool.server.ts) and only the worker moves them into the inbox; PostgreSQL has no spool.
    const shop = await workerProcessShop("spool");
    const appDb = createDb(shop.t.url, { spool: true });
    pointAppAt(appDb);
    const random = seededRandom(11);
    const deliveries = repeated(random, 1, 3);
    const queue = shuffled(deliveries, random);
    const statuses: number[] = [];
    const sender = async (until: number) => {
      while (queue.length > until) {
        const next = queue.pop()!;
        statuses.push(await deliver(next));
        await new Promise((r) => setTimeout(r, 1));
      }
    };
    const spooled = async () => {
      if (!shop.t.file) return 0;
      const spool = new Database(spoolFileOf(shop.t.file), { readonly: true, fileMustExist: true });
      try {
        return (spool.prepare(`SELECT count(*) AS n FROM "SpooledDelivery"`).get() as { n: number }).n;
      } finally {
        spool.close();
      }
    };
    try {
      // Before any worker runs, the first answers are in the spool alone (SQLite).
      const early = queue.slice(-10);
      await sender(queue.length - 10);
      if (shop.t.file) {
        expect(await spooled()).toBe(new Set(early.map((d) => d.webhookId)).size);
        expect(await shop.db.webhookInbox.count()).toBe(0);
      }
      const first = startWorker(shop.t.url);
      await sender(Math.floor(queue.length / 2));
      // Mid-way: some deliveries applied, more still arriving.
      await waitFor(async () => (await shop.db.orderFact.count()) > 0, 30_000);
      first.kill("SIGKILL");
      await exited(first);
      await shop.db.job.updateMany({ where: { status: "running" }, data: { leaseUntil: new Date(Date.now() - 1000) } });
      const second = startWorker(shop.t.url);
      try {
        await Promise.all([sender(0), sender(0)]);
        await waitFor(
          async () => (await spooled()) === 0 && (await allDone(shop)),
          40_000,
          async () => ({ spooled: await spooled(), inbox: await shop.db.webhookInbox.groupBy({ by: ["status"], _count: true }) }),
        );
      } finally {
        second.kill("SIGTERM");
        await exited(second);
      }
    } finally {
      await appDb.$disconnect();
    }
    expect(statuses).toEqual(deliveries.map(() => 200));
    expect(await shop.db.webhookInbox.count()).toBe(new Set(deliveries.map((d) => d.webhookId)).size);
    await expectOracle("spooled deliveries, worker SIGKILLed mid-way and restarted", shop);
  }, 90_000);
});

// ── A real worker process ─────────────────────────────────────────────────────────────────────────────────────────

/** A shop on SHOP with the offline session a worker process's sync needs (it asks the stand-in as that shop). */
async function workerProcessShop(label: string): Promise<ReliabilityShop> {
  const shop = await newShop(label, SHOP);
  await shop.db.session.create({
    data: {
      id: `offline_${SHOP}`,
      shop: SHOP,
      state: "",
      isOnline: false,
      accessToken: "shpat_reliability",
      scope: "read_customers,write_customers,read_orders",
    },
  });
  return shop;
}

/** Every delivery processed, no job left, nothing owed to Shopify. */
async function allDone(shop: ReliabilityShop): Promise<boolean> {
  const pending = await shop.db.webhookInbox.count({ where: { status: { not: "processed" } } });
  const jobs = await shop.db.job.count({ where: { status: { in: ["queued", "running"] } } });
  const owed = (await shop.db.syncState.findMany({ where: { shop: SHOP } })).filter((s) => s.pendingHash !== s.syncedHash).length;
  return pending === 0 && jobs === 0 && owed === 0;
}

const root = path.resolve(import.meta.dirname, "../..");

function startWorker(databaseUrl: string): ChildProcess {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(root, "scripts/worker.ts")], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      SHOPIFY_API_KEY: API_KEY,
      SHOPIFY_API_SECRET: API_SECRET,
      SHOPIFY_APP_URL: APP_URL,
      SHOPIFY_ADMIN_ORIGIN: standIn.url,
      WORKER_IDLE_MS: "50",
      NODE_ENV: "production",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let err = "";
  child.stderr?.on("data", (d: Buffer) => (err += d.toString()));
  child.stdout?.resume();
  child.on("exit", (code, signal) => {
    if (code && code !== 0) console.error(`worker exited ${code} ${signal ?? ""}: ${err.slice(-2000)}`);
  });
  return child;
}

/**
 * Makes the database refuse to mark one inbox row applied or processed (a trigger), as a delivery whose facts cannot be
 * written fails: every transaction that applies it rolls back. Counting its attempts and setting it aside still work.
 */
async function refuseDelivery(db: Db, rowId: string): Promise<{ release(): Promise<void> }> {
  const id = `'${rowId.replace(/'/g, "''")}'`;
  if (dbProvider(db) === "postgresql") {
    await db.$executeRawUnsafe(`
      CREATE FUNCTION "reliability_poison"() RETURNS trigger AS $$
      BEGIN
        IF NEW."id" = ${id} AND NEW."status" IN ('applied', 'processed') THEN RAISE EXCEPTION 'poisoned delivery'; END IF;
        RETURN NEW;
      END $$ LANGUAGE plpgsql`);
    await db.$executeRawUnsafe(
      `CREATE TRIGGER "reliability_poison" BEFORE UPDATE ON "WebhookInbox" FOR EACH ROW EXECUTE FUNCTION "reliability_poison"()`,
    );
    return {
      release: async () => {
        await db.$executeRawUnsafe(`DROP TRIGGER "reliability_poison" ON "WebhookInbox"`);
        await db.$executeRawUnsafe(`DROP FUNCTION "reliability_poison"()`);
      },
    };
  }
  await db.$executeRawUnsafe(
    `CREATE TRIGGER "reliability_poison" BEFORE UPDATE ON "WebhookInbox" WHEN NEW."id" = ${id} AND NEW."status" IN ('applied', 'processed')
     BEGIN SELECT RAISE(ABORT, 'poisoned delivery'); END`,
  );
  return { release: async () => void (await db.$executeRawUnsafe(`DROP TRIGGER "reliability_poison"`)) };
}

const exited = (child: ChildProcess) =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise<void>((resolve) => child.once("exit", () => resolve()));

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number, state?: () => Promise<unknown>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms${state ? `: ${JSON.stringify(await state())}` : ""}`);
    await new Promise((r) => setTimeout(r, 3));
  }
}
