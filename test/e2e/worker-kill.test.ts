import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startLocalStack, type LocalStack } from "../../tools/local-stack";
import { buildProgramJson, onePointPerDollar } from "../../tools/sample-data/program-builders";
import { gid, orderPayload, refundPayload } from "../../tools/sample-data/webhook-payloads";

/**
 * `npm run worker` as a real process, SIGKILLed while it works through a batch of deliveries, then started again:
 * the shop ends exactly where an uninterrupted, in-order run ends (test/backbone/kill-safety.test.ts freezes a
 * drainer at chosen points in-process; this one kills the process wherever it happens to be). The restarted worker
 * reaches the Admin API the production way: the offline session through SHOPIFY_ADMIN_ORIGIN to the stand-in.
 */

const root = path.resolve(import.meta.dirname, "../..");
const DAY = 86_400_000;
const CUSTOMERS = 60;
const BASE = Date.now() - 200 * DAY;
let stack: LocalStack;
const workers: ChildProcess[] = [];

beforeAll(async () => {
  stack = await startLocalStack({ quiet: true });
}, 240_000);
afterAll(async () => {
  for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill("SIGKILL");
  await stack?.stop();
});

/** Three orders per customer, a refund for every fourth customer (sent before its order for every eighth). */
function deliveries(): { topic: string; payload: unknown; webhookId: string }[] {
  const base = BASE;
  const list: { topic: string; payload: unknown; webhookId: string }[] = [];
  for (let c = 0; c < CUSTOMERS; c++) {
    const customer = { id: 50_000 + c };
    const refund = {
      topic: "refunds/create",
      webhookId: `refund-${c}`,
      payload: refundPayload({
        id: 70_000 + c,
        orderId: 60_000 + c * 10,
        createdAt: new Date(base + c * 60_000 + DAY).toISOString(),
        lines: [{ lineId: (60_000 + c * 10) * 10, quantity: 1, price: "150.00" }],
      }),
    };
    if (c % 8 === 0) list.push(refund);
    for (let k = 0; k < 3; k++) {
      const id = 60_000 + c * 10 + k;
      list.push({
        topic: "orders/paid",
        webhookId: `order-${id}`,
        payload: orderPayload({
          id,
          customer,
          processedAt: new Date(base + c * 60_000 + k * 1000).toISOString(),
          lines: [{ id: id * 10, quantity: 1 + (k % 2), price: "150.00" }],
        }),
      });
    }
    if (c % 4 === 0 && c % 8 !== 0) list.push(refund);
  }
  return list;
}

async function shopWithDeliveries(shop: string): Promise<void> {
  await stack.installShop(shop);
  await stack.publishProgram(buildProgramJson({ points: onePointPerDollar }), { shop, publishedAt: new Date(Date.now() - 365 * DAY) });
  stack.standIn.seed({ customers: Array.from({ length: CUSTOMERS }, (_, c) => ({ id: gid("Customer", 50_000 + c) })) }, shop);
  await stack.drain(); // the install's backfill, so only the deliveries are left
  for (const d of deliveries()) {
    const res = await stack.sendWebhook(d.topic, d.payload, { shop, webhookId: d.webhookId });
    expect(res.status).toBe(200);
  }
}

/** The shop's members, ledger, audit and Shopify-side tags and level metafields, without ids and write times. */
async function finalState(shop: string) {
  const members = await stack.db.member.findMany({ where: { shop }, orderBy: { customerGid: "asc" } });
  const gidOf = new Map(members.map((m) => [m.id, m.customerGid]));
  const store = stack.standIn.shop(shop);
  return {
    members: members.map((m) => ({
      customerGid: m.customerGid,
      levelId: m.levelId,
      levelSince: m.levelSince,
      points: m.points,
      spend: m.spend,
      orderCount: m.orderCount,
    })),
    ledger: (await stack.db.pointsEntry.findMany({ where: { shop } })).map((e) => `${gidOf.get(e.memberId)} ${e.key} ${e.kind} ${e.points}`).sort(),
    audit: (await stack.db.levelChange.findMany({ where: { shop } }))
      .map((c) => `${gidOf.get(c.memberId)} ${c.fromLevelId}→${c.toLevelId} ${c.cause}`)
      .sort(),
    inbox: await stack.db.webhookInbox.groupBy({ by: ["status"], where: { shop, topic: { not: "bulk_operations/finish" } }, _count: true }),
    tags: members.map((m) => store.customers[m.customerGid]?.tags.filter((t) => t.startsWith("tier:"))),
    levelMetafields: members.map(
      (m) => (stack.standIn.metafieldJson(m.customerGid, "level", "$app:tierline", shop) as { id?: string } | undefined)?.id ?? null,
    ),
  };
}

function startWorker(): ChildProcess {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(root, "scripts/worker.ts")], {
    cwd: root,
    env: { ...process.env, ...stack.env, WORKER_IDLE_MS: "100" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  workers.push(child);
  return child;
}

const processed = (shop: string) => stack.db.webhookInbox.count({ where: { shop, status: "processed", topic: { not: "bulk_operations/finish" } } });

it("a worker process SIGKILLed mid-batch and restarted ends in the uninterrupted run's state", async () => {
  const reference = "kill-reference.myshopify.com";
  await shopWithDeliveries(reference);
  await stack.drain();
  const expected = await finalState(reference);
  expect(expected.members).toHaveLength(CUSTOMERS);
  expect(expected.members.filter((m) => m.levelId === "gold").length).toBeGreaterThan(0);
  expect(expected.tags.every((t, i) => (expected.members[i].levelId ? t?.[0] === `tier:${expected.members[i].levelId}` : t?.length === 0))).toBe(
    true,
  );

  const shop = "kill-victim.myshopify.com";
  await shopWithDeliveries(shop);
  const total = deliveries().length;
  const worker = startWorker();
  let log = "";
  worker.stdout!.on("data", (chunk: Buffer) => (log += chunk.toString()));
  // Kill it as soon as it has applied some of the batch and not all of it.
  const deadline = Date.now() + 60_000;
  let done = 0;
  while ((done = await processed(shop)) === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  worker.kill("SIGKILL");
  await new Promise((r) => worker.once("exit", r));
  expect(done, "the worker got no work done before the deadline").toBeGreaterThan(0);
  // Its Shopify lane (a child process writing to the same stdout) notices and stops by itself, not left running.
  const laneStopped = () => log.includes('"event":"worker.stopped","lane":"shopify"');
  const laneDeadline = Date.now() + 30_000;
  while (!laneStopped() && Date.now() < laneDeadline) await new Promise((r) => setTimeout(r, 50));
  expect(laneStopped(), "the killed worker's Shopify lane kept running").toBe(true);
  const midway = await finalState(shop);
  expect(midway).not.toEqual(expected);

  // The dead worker's lease would run out after five minutes; let it run out now, as a restart after it would see.
  const taken = await stack.db.job.updateMany({ where: { shop, status: "running" }, data: { leaseUntil: new Date(Date.now() - 1) } });
  // At most one job per lane: the drain's and the Shopify sync's (scripts/worker.ts runs them in two processes).
  expect(taken.count).toBeLessThanOrEqual(2);
  const restarted = startWorker();
  const settle = Date.now() + 90_000;
  const idle = async () =>
    (await stack.db.job.count({ where: { shop, status: { in: ["queued", "running"] } } })) === 0 && (await processed(shop)) === total;
  while (!(await idle()) && Date.now() < settle) await new Promise((r) => setTimeout(r, 100));
  restarted.kill("SIGTERM");
  await new Promise((r) => restarted.once("exit", r));
  expect(await stack.db.job.count({ where: { shop, status: "dead" } })).toBe(0);
  expect(await finalState(shop)).toEqual(expected);
}, 180_000);
