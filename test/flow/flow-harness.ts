import type { Db } from "~/db/client.server";
import { JOB_HANDLERS } from "~/jobs/handlers.server";
import { drainJobs, type RunOnceResult, type WorkerDeps } from "~/jobs/worker.server";
import { recordWebhook } from "~/services/webhook-inbox.server";
import { createTestDb, publishProgram, seedShop, type TestDb } from "../support/db";
import { buildProgramJson, onePointPerDollar } from "../../tools/sample-data/program-builders";
import { delivery, orderPayload, refundPayload, type OrderInput, type RefundInput } from "../../tools/sample-data/webhook-payloads";
import { flowTriggersOf, type FlowTriggerRecord } from "../../tools/shopify-stand-in/flow-triggers";
import { standInAdminClient, startStandIn, type StandIn } from "../../tools/shopify-stand-in/index";

/**
 * One shop for the Flow tests: a database from createTestDb (SQLite, or PostgreSQL when the suite runs there), the
 * Shopify stand-in answering the Admin API (flowTriggerReceive included), and the real worker handlers.
 */

export const SHOP = "flow-shop.myshopify.com";
export const TOKEN = "shpat_flow";

/** Silver at 100.00, Gold at 500.00, refunds lower levels, a point per dollar. */
export const PROGRAM = buildProgramJson({
  points: onePointPerDollar,
  downgradeOnRefund: true,
  levels: [
    { id: "silver", name: "Silver", rank: 1, upgrade: [[{ kind: "accumulatedSpend", amount: "100.00" }]] },
    { id: "gold", name: "Gold", rank: 2, upgrade: [[{ kind: "accumulatedSpend", amount: "500.00" }]] },
  ],
});

export interface FlowShop {
  t: TestDb;
  db: Db;
  standIn: StandIn;
  deps(now: Date, over?: WorkerDeps): WorkerDeps;
  /** A webhook delivery as Shopify sends it, recorded at `now`. */
  deliver(topic: string, payload: unknown, now: Date, webhookId?: string): Promise<void>;
  order(input: OrderInput, now: Date, webhookId?: string): Promise<void>;
  refund(input: RefundInput, now: Date): Promise<void>;
  /** Runs every due job at `now` with the real handlers; throws on a job that did not finish. */
  work(now: Date, over?: WorkerDeps): Promise<RunOnceResult[]>;
  /** What the shop's Flow received. */
  received(): FlowTriggerRecord[];
  close(): Promise<void>;
}

let seq = 0;

export async function flowShop(program: unknown = PROGRAM, opts: { rewardsFrom?: Date | null; programAt?: Date } = {}): Promise<FlowShop> {
  const t = await createTestDb();
  await seedShop(t.db, SHOP, { rewardsFrom: opts.rewardsFrom });
  await publishProgram(t.db, SHOP, program, opts.programAt);
  const standIn = await startStandIn({ shops: [{ domain: SHOP, accessToken: TOKEN }] });
  const deps = (now: Date, over: WorkerDeps = {}): WorkerDeps => ({
    now: () => now,
    leaseMs: 60_000,
    random: () => 0.5,
    workerId: `flow-test-${++seq}`,
    adminFor: async () => standInAdminClient({ url: standIn.url, shop: SHOP, accessToken: TOKEN }),
    syncOptions: { random: () => 0.5, pollIntervalMs: 1, sleep: async () => {} },
    ...over,
  });
  const shop: FlowShop = {
    t,
    db: t.db,
    standIn,
    deps,
    async deliver(topic, payload, now, webhookId) {
      const result = await recordWebhook(t.db, delivery(topic, SHOP, payload, { webhookId, triggeredAt: now.toISOString() }), topic, now);
      if (result.status !== 200) throw new Error(`${topic} refused: ${JSON.stringify(result)}`);
    },
    order: (input, now, webhookId) => shop.deliver("orders/paid", orderPayload(input), now, webhookId),
    refund: (input, now) => shop.deliver("refunds/create", refundPayload(input), now),
    async work(now, over) {
      const results = await drainJobs(t.db, deps(now, over), JOB_HANDLERS);
      const failed = results.filter((r) => r.ran && r.status !== "done");
      if (failed.length) throw new Error(`jobs failed: ${failed.map((r) => (r.ran ? `${r.job.type}: ${r.error}` : "")).join("; ")}`);
      return results;
    },
    received: () => flowTriggersOf(standIn.shop(SHOP)),
    async close() {
      await t.cleanup();
      await standIn.close();
    },
  };
  return shop;
}

export const customer = (id: number, firstName = "Ada") => ({ id, firstName, lastName: "Lovelace", email: `member.${id}@example.com` });
export const customerGid = (id: number) => `gid://shopify/Customer/${id}`;
