import type { ActionFunctionArgs } from "@remix-run/node";
import type { Db } from "~/db/client.server";
import type { RunOnceResult, WorkerDeps } from "~/jobs/worker.server";
import { recordWebhook } from "~/services/webhook-inbox.server";
import type { SyncMembersOptions } from "~/shopify/member-sync.server";
import { drain } from "../../../scripts/worker";
import { createTestDb, publishProgram, seedShop, type TestDb } from "../db";
import { buildProgramJson, onePointPerDollar } from "../../../tools/sample-data/program-builders";
import { signWebhook } from "../../../tools/shopify-stand-in/signed-webhook";
import { standInAdminClient, type StandIn } from "../../../tools/shopify-stand-in/index";
import type { EventStream, StreamEvent } from "./event-stream";
import { finalState, type FinalState } from "./final-state";

/**
 * The shop every reliability scenario runs: one program (Silver at 100.00, Gold at 500.00 with 50 upgrade points, a
 * point per dollar, refunds downgrade), a database from createTestDb (SQLite, or PostgreSQL when the suite runs
 * there), and a store in the Shopify stand-in holding the stream's customers.
 */

export const SHOP = "reliability.myshopify.com";
export const APP_URL = "https://tierline-reliability.example";
export const API_KEY = "reliability-key";
export const API_SECRET = "reliability-secret";
/**
 * Workers run on the real clock: the routes queue their jobs at the real time. Members do not depend on it (levels are
 * permanent, points never expire), so runs at different instants are comparable.
 */
export const realNow = () => new Date();

export const PROGRAM = buildProgramJson({
  points: onePointPerDollar,
  downgradeOnRefund: true,
  levels: [
    { id: "silver", name: "Silver", rank: 1, upgrade: [[{ kind: "accumulatedSpend", amount: "100.00" }]] },
    { id: "gold", name: "Gold", rank: 2, upgradePoints: 50, upgrade: [[{ kind: "accumulatedSpend", amount: "500.00" }]] },
  ],
});

export interface ReliabilityShop {
  t: TestDb;
  db: Db;
  /** The stand-in shop this database's members sync to. */
  storeDomain: string;
}

let storeSeq = 0;

export async function freshShop(
  standIn: StandIn,
  stream: EventStream,
  label: string,
  storeDomain = `${label}-${++storeSeq}.myshopify.com`,
): Promise<ReliabilityShop> {
  const t = await createTestDb();
  await seedShop(t.db, SHOP);
  await publishProgram(t.db, SHOP, PROGRAM);
  standIn.addShop({ domain: storeDomain });
  standIn.seed(
    { customers: stream.customerIds.map((id) => ({ id: `gid://shopify/Customer/${id}`, email: `member.${id}@example.com` })) },
    storeDomain,
  );
  return { t, db: t.db, storeDomain };
}

/** The worker as `npm run worker` runs it, with the Admin API of this run's stand-in shop and a virtual clock. */
export function workerDeps(standIn: StandIn, shop: ReliabilityShop, over: WorkerDeps & { syncOptions?: SyncMembersOptions } = {}): WorkerDeps {
  return {
    now: realNow,
    leaseMs: 60_000,
    random: () => 0.5,
    adminFor: async () => standInAdminClient({ url: standIn.url, shop: shop.storeDomain, accessToken: "shpat_reliability" }),
    ...over,
    syncOptions: { random: () => 0.5, pollIntervalMs: 1, ...over.syncOptions },
  };
}

/** Drains until no job is due, failing on a job that did not finish. */
export async function drainAll(shop: ReliabilityShop, deps: WorkerDeps): Promise<RunOnceResult[]> {
  const results = await drain(shop.db, deps);
  const failed = results.filter((r) => r.ran && r.status !== "done");
  if (failed.length) throw new Error(`jobs failed: ${failed.map((r) => (r.ran ? `${r.job.type}: ${r.error}` : "")).join("; ")}`);
  return results;
}

/**
 * The reference: every event delivered exactly once, in the order Shopify produced them, and applied in that order
 * by one uninterrupted worker.
 */
export async function oracleRun(
  standIn: StandIn,
  stream: EventStream,
  syncOptions: SyncMembersOptions,
): Promise<{ shop: ReliabilityShop; state: FinalState }> {
  const shop = await freshShop(standIn, stream, "oracle");
  const deps = workerDeps(standIn, shop, { types: ["process-webhooks"] });
  for (const e of stream.events) {
    const result = await recordWebhook(shop.db, inboxDelivery(e), e.topic, new Date(e.at));
    if (result.status !== 200 || !result.stored) throw new Error(`oracle: ${e.webhookId} not stored`);
  }
  await drainAll(shop, deps);
  await drainAll(shop, workerDeps(standIn, shop, { syncOptions }));
  return { shop, state: await stateOf(standIn, shop, stream) };
}

export const stateOf = (standIn: StandIn, shop: ReliabilityShop, stream: EventStream) =>
  finalState(shop.db, SHOP, { standIn, domain: shop.storeDomain, customerGids: stream.customerGids });

export function inboxDelivery(e: StreamEvent) {
  return {
    shop: SHOP,
    topic: e.topic,
    webhookId: e.webhookId,
    eventId: e.eventId,
    triggeredAt: new Date(e.at).toISOString(),
    apiVersion: "2026-10",
    rawBody: JSON.stringify(e.payload),
  };
}

// ── The webhook routes, called as Remix calls them ──────────────────────────────────────────────────────────────

type Action = (args: ActionFunctionArgs) => Promise<Response>;
const routes = new Map<string, Action>();

/** Configures the app as production does (env read at import) and loads the webhook routes, using `db`. */
export async function loadWebhookRoutes(db: Db): Promise<void> {
  Object.assign(process.env, { SHOPIFY_API_KEY: API_KEY, SHOPIFY_API_SECRET: API_SECRET, SHOPIFY_APP_URL: APP_URL });
  pointAppAt(db);
  const modules = import.meta.glob<{ action: Action }>("../../../app/routes/webhooks.*.tsx");
  for (const [file, load] of Object.entries(modules)) routes.set(/webhooks\.(.+)\.tsx$/.exec(file)![1].replace(".", "/"), (await load()).action);
}

/**
 * Points the app's database client (the `db` the routes import) at a run's database. The client is created lazily
 * into this global by app/db/client.server.ts; every query goes through it, so swapping it switches the routes.
 */
export function pointAppAt(db: Db): void {
  globalThis.__tierlineDb = db;
}

/** One signed delivery through its route: Shopify's headers, HMAC over the raw body, the event's webhook id. */
export async function deliver(e: StreamEvent): Promise<number> {
  const action = routes.get(e.topic);
  if (!action) throw new Error(`no route for ${e.topic}`);
  const s = signWebhook({
    topic: e.topic,
    shop: SHOP,
    payload: e.payload,
    appUrl: APP_URL,
    secret: API_SECRET,
    webhookId: e.webhookId,
    eventId: e.eventId,
    triggeredAt: new Date(e.at).toISOString(),
  });
  const request = new Request(s.url, { method: "POST", headers: s.headers, body: s.body });
  try {
    return (await action({ request, params: {}, context: {} })).status;
  } catch (thrown) {
    if (thrown instanceof Response) return thrown.status;
    throw thrown;
  }
}

/**
 * The clock shared by the stand-in's cost bucket and the app's Admin API caller: real time plus every pause the app
 * asked for, so backoff plays out at once but real work (a separate worker process) still moves the bucket on.
 */
export interface SkippingClock {
  now(): number;
  sleep(ms: number): Promise<void>;
  /** Every pause requested, in order. */
  sleeps: number[];
}

export function skippingClock(): SkippingClock {
  let skipped = 0;
  const sleeps: number[] = [];
  return {
    now: () => Date.now() + skipped,
    sleep: async (ms) => {
      sleeps.push(ms);
      skipped += ms;
      // Yield to the event loop, so the stand-in's background bulk operations move on while "time passes".
      await new Promise<void>((resolve) => setImmediate(resolve));
    },
    sleeps,
  };
}
