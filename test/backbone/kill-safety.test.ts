import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "~/db/client.server";
import { JOB_HANDLERS } from "~/jobs/handlers.server";
import { drainJobs, runWorkerOnce, type WorkerHooks } from "~/jobs/worker.server";
import { recordWebhook } from "~/services/webhook-inbox.server";
import { createTestDb, publishProgram, seedShop, type TestDb } from "../support/db";
import { buildProgramJson, onePointPerDollar } from "../../tools/sample-data/program-builders";
import { delivery, gid, orderPayload, refundPayload } from "../../tools/sample-data/webhook-payloads";

/**
 * A drainer killed anywhere — after some deliveries were applied, or after some members were written — and run
 * again once its lease expires ends in exactly the state of a run that was never interrupted.
 */

const SHOP = "kill.myshopify.com";
const NOW = new Date("2026-06-01T00:00:00Z");
const LEASE = 60_000;
const AFTER_LEASE = new Date(NOW.getTime() + LEASE + 1);

let dbs: TestDb[] = [];
beforeEach(() => {
  dbs = [];
});
afterEach(async () => {
  for (const t of dbs) await t.cleanup();
});

/** Eight customers, seventeen deliveries: orders, a duplicate, an edit, a refund before its order, a cancellation. */
function deliveries() {
  const list: { topic: string; payload: unknown }[] = [];
  for (let c = 1; c <= 8; c++) {
    const customer = { id: 9000 + c, email: `c${c}@example.com` };
    list.push({
      topic: "orders/paid",
      payload: orderPayload({
        id: 100 * c + 1,
        customer,
        processedAt: `2026-03-0${c}T10:00:00Z`,
        lines: [{ id: 1000 * c + 1, quantity: c, price: "90.00" }],
      }),
    });
    if (c % 2 === 0)
      list.push({
        topic: "orders/paid",
        payload: orderPayload({ id: 100 * c + 2, customer, processedAt: `2026-04-0${c}T10:00:00Z`, lines: [{ id: 1000 * c + 2, price: "250.00" }] }),
      });
  }
  list.push({
    topic: "refunds/create",
    payload: refundPayload({ id: 71, orderId: 801, createdAt: "2026-03-20T00:00:00Z", lines: [{ lineId: 8001, quantity: 3, price: "90.00" }] }),
  });
  list.push({
    topic: "orders/updated",
    payload: orderPayload({
      id: 402,
      customer: { id: 9004, email: "c4@example.com" },
      processedAt: "2026-04-04T10:00:00Z",
      updatedAt: "2026-04-05T00:00:00Z",
      lines: [{ id: 4002, price: "50.00" }],
    }),
  });
  list.push({
    topic: "orders/cancelled",
    payload: orderPayload({
      id: 601,
      customer: { id: 9006, email: "c6@example.com" },
      processedAt: "2026-03-06T10:00:00Z",
      cancelledAt: "2026-03-07T00:00:00Z",
      updatedAt: "2026-03-07T00:00:00Z",
      lines: [{ id: 6001, quantity: 6, price: "90.00" }],
    }),
  });
  list.push({
    topic: "orders/paid",
    payload: orderPayload({
      id: 301,
      customer: { id: 9003, email: "c3@example.com" },
      processedAt: "2026-03-03T10:00:00Z",
      lines: [{ id: 3001, quantity: 3, price: "90.00" }],
    }),
  });
  // A refund for an order not delivered yet: it must wait for it, not be lost in a restart.
  list.unshift({
    topic: "refunds/create",
    payload: refundPayload({ id: 72, orderId: 201, createdAt: "2026-03-25T00:00:00Z", lines: [{ lineId: 2001, quantity: 1, price: "90.00" }] }),
  });
  return list;
}

async function freshShop(): Promise<Db> {
  const t = await createTestDb();
  dbs.push(t);
  await seedShop(t.db, SHOP);
  await publishProgram(t.db, SHOP, buildProgramJson({ points: onePointPerDollar }));
  for (const d of deliveries()) {
    const result = await recordWebhook(t.db, delivery(d.topic, SHOP, d.payload), d.topic, NOW);
    expect(result.status).toBe(200);
  }
  return t.db;
}

/** Everything a member is and everything that was written for them, without row ids and write times. */
async function finalState(db: Db) {
  const members = await db.member.findMany({ orderBy: { customerGid: "asc" } });
  const gidOf = new Map(members.map((m) => [m.id, m.customerGid]));
  const ledger = await db.pointsEntry.findMany();
  const audit = await db.levelChange.findMany();
  return {
    members: members.map((m) => ({
      customerGid: m.customerGid,
      email: m.email,
      levelId: m.levelId,
      status: m.status,
      levelSince: m.levelSince,
      points: m.points,
      spend: m.spend,
      orderCount: m.orderCount,
    })),
    ledger: ledger.map((e) => `${gidOf.get(e.memberId)} ${e.key} ${e.kind} ${e.points}`).sort(),
    audit: audit
      .map((c) => `${gidOf.get(c.memberId)} ${c.at.toISOString()} ${c.fromLevelId}→${c.toLevelId} ${c.cause} ${c.retractedAt ? "retracted" : ""}`)
      .sort(),
    sync: (await db.syncState.findMany({ orderBy: { subject: "asc" } })).map((s) => `${s.subject} ${s.pendingHash} ${s.syncedHash}`),
    inbox: (await db.webhookInbox.findMany({ select: { status: true } })).map((r) => r.status).sort(),
    facts: {
      orders: await db.orderFact.count(),
      refunds: await db.refundFact.count(),
      refundsWithoutCustomer: await db.refundFact.count({ where: { customerGid: null } }),
    },
    syncJobsQueued: await db.job.count({ where: { type: "sync-members", status: "queued" } }),
  };
}

const drainAll = (db: Db, now: Date) => drainJobs(db, { now: () => now, leaseMs: LEASE, types: ["process-webhooks"] }, JOB_HANDLERS);

/** Starts the drainer and freezes it forever at the kill point, as a process that died there; resolves when it got there. */
async function startAndKill(db: Db, killAt: { afterRows?: number; afterMembers?: number }): Promise<void> {
  let killed!: () => void;
  const reached = new Promise<void>((resolve) => (killed = resolve));
  const die = () => {
    killed();
    return new Promise<never>(() => {});
  };
  const hooks: WorkerHooks = {
    afterInboxRow: ({ index }) => (killAt.afterRows !== undefined && index + 1 >= killAt.afterRows ? die() : undefined),
    afterMember: ({ index }) => (killAt.afterMembers !== undefined && index + 1 >= killAt.afterMembers ? die() : undefined),
  };
  void runWorkerOnce(db, { now: () => NOW, workerId: "doomed", leaseMs: LEASE, hooks, types: ["process-webhooks"] }, JOB_HANDLERS);
  await reached;
}

describe("a drainer killed mid-batch", () => {
  it.each([
    { name: "after the first delivery was applied", killAt: { afterRows: 1 } },
    { name: "after 9 of 17 deliveries were applied", killAt: { afterRows: 9 } },
    { name: "after all deliveries were applied, before any member", killAt: { afterRows: 17 } },
    { name: "after 1 member was written", killAt: { afterMembers: 1 } },
    { name: "after 5 of 8 members were written", killAt: { afterMembers: 5 } },
  ])("reaches the uninterrupted run's final state when re-run after its lease expires ($name)", async ({ killAt }) => {
    expect(deliveries()).toHaveLength(17);
    const reference = await freshShop();
    await drainAll(reference, NOW);
    const expected = await finalState(reference);
    expect(expected.members).toHaveLength(8);
    expect(expected.inbox.every((s) => s === "processed")).toBe(true);

    const db = await freshShop();
    await startAndKill(db, killAt);
    const midway = await finalState(db);
    expect(midway).not.toEqual(expected);
    expect(await db.job.findFirstOrThrow({ where: { type: "process-webhooks" } })).toMatchObject({ status: "running", lockedBy: "doomed" });

    // Another worker before the lease runs out finds nothing to do; after it, it takes the job over.
    expect(await drainAll(db, new Date(NOW.getTime() + LEASE - 1))).toEqual([]);
    const rerun = await drainAll(db, AFTER_LEASE);
    expect(rerun.map((r) => r.ran && `${r.job.type} attempt ${r.job.attempts}: ${r.status}`)).toEqual(["process-webhooks attempt 2: done"]);
    expect(await finalState(db)).toEqual(expected);
  });

  it("applies the early refund to its order's member after the restart", async () => {
    const db = await freshShop();
    await startAndKill(db, { afterRows: 1 });
    await drainAll(db, AFTER_LEASE);
    const member = await db.member.findUniqueOrThrow({ where: { shop_customerGid: { shop: SHOP, customerGid: gid("Customer", 9002) } } });
    // 2 × 90 + 250 − 90 refunded = 340.
    expect(member).toMatchObject({ spend: 34000, points: 340, levelId: "silver" });
  });
});
