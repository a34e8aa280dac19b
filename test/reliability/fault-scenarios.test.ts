import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "~/db/client.server";
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
    const deliveries: StreamEvent[] = [];
    for (const e of events) {
      for (let i = randomInt(random, 3, 10); i > 0; i--) deliveries.push(e);
      // Now and then Shopify sends an event again as a new delivery (a new webhook id, the same event id).
      if (random() < 0.15) deliveries.push({ ...e, webhookId: `${e.webhookId}-again` });
    }
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
    await recordAll(shop.db, lastTwo);

    // Worker A claims the drainer and is slow: its lease runs out while it works, so worker B takes the same job over.
    // Both wait for each other after their first delivery, then apply and recompute the same customer together.
    const dbA = createDb(shop.t.url);
    const dbB = createDb(shop.t.url);
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
    await dbB.$disconnect();
    expect(a).toMatchObject({ ran: true });
    expect(b).toMatchObject({ ran: true, job: { lockedBy: "B" } });
    // B applied a delivery while A was still inside the same job: the two really overlapped.
    expect(bApplied).toBe(true);
    expect(lastTwo.every((e) => e.customerGid === customer)).toBe(true);

    await drainAll(shop, deps(shop, { now: () => new Date(Date.now() + 120_000) }));
    await expectOracle("two workers, one customer, same instant", shop);
  });

  it.each([
    { name: "applying a delivery", table: "WebhookInbox", at: 30 },
    { name: "writing a member's ledger", table: "PointsEntry", at: 12 },
    { name: "writing a member's audit trail", table: "LevelChange", at: 9 },
  ])("the database connection dropped mid-transaction ($name): rolled back, retried, nothing half-written", async ({ name, table, at }) => {
    const shop = await newShop("dropped");
    await recordAll(shop.db, events);
    const dropping = await dropConnectionAt(shop.t.url, table, at);
    let first;
    try {
      first = await runWorkerOnce(dropping.db, { ...deps(shop), types: ["process-webhooks"] });
      expect(await dropping.dropped()).toBe(1);
    } finally {
      await dropping.release();
    }
    expect(first).toMatchObject({
      ran: true,
      status: "queued",
      error: expect.stringMatching(/Connection terminated|terminating connection|closed the connection/i),
    });

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
    const shop = await newShop("sigkill", SHOP);
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
    await recordAll(shop.db, events);

    const first = startWorker(shop.t.url);
    // Mid-batch: the worker has written some members' audit trail, and deliveries are still waiting.
    await waitFor(
      async () => (await shop.db.levelChange.count()) > 0 && (await shop.db.webhookInbox.count({ where: { status: { not: "processed" } } })) > 0,
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
      await waitFor(async () => {
        const pending = await shop.db.webhookInbox.count({ where: { status: { not: "processed" } } });
        const jobs = await shop.db.job.count({ where: { status: { in: ["queued", "running"] } } });
        const owed = (await shop.db.syncState.findMany({ where: { shop: SHOP } })).filter((s) => s.pendingHash !== s.syncedHash).length;
        return pending === 0 && jobs === 0 && owed === 0;
      }, 40_000);
    } finally {
      second.kill("SIGTERM");
      await exited(second);
    }
    expect(await shop.db.job.findFirst({ where: { type: "process-webhooks", attempts: { gt: 1 } } })).toMatchObject({ status: "done" });
    await expectOracle("worker SIGKILLed mid-batch and restarted", shop);
  }, 90_000);
});

// ── A real worker process ─────────────────────────────────────────────────────────────────────────────────────────

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

const exited = (child: ChildProcess) =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise<void>((resolve) => child.once("exit", () => resolve()));

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 3));
  }
}
