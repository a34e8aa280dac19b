import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { createDb, type Db } from "~/db/client.server";
import { sqliteFilesOf } from "~/db/sqlite-spool.server";
import { scheduleRunner } from "~/jobs/schedules.server";
import { workerLoop, type RunOnceResult, type WorkerDeps } from "~/jobs/worker.server";
import { onShopInstalled, type InstallResult } from "~/services/install.server";
import type { AdminGraphqlClient } from "~/shopify/admin-graphql.server";
import { JOB_HANDLERS } from "~/jobs/handlers.server";
import { drain as drainWorker } from "../../scripts/worker";
import { startAppBridgeStandIn, type AppBridgeStandIn } from "../shopify-stand-in/app-bridge";
import { ensureAppBuilt, freePort, startAppServer, type AppServer, type AppServerProgram } from "./app-server";
import { migratedTemplate, publishProgram } from "./database";
import { embeddedAdminUrl } from "../shopify-stand-in/session-token";
import { signWebhook } from "../shopify-stand-in/signed-webhook";
import { standInAdminClient, startStandIn, type StandIn, type ThrottleSettings } from "../shopify-stand-in";

/**
 * Tierline running locally as in production, for the end-to-end suite, the webhook bench and `npm run demo`: the
 * production build served by server.js (`npm start`: remix-serve's setup plus the webhook fast path) on a migrated
 * SQLite file, a Shopify stand-in as the shop's Admin API (reached only through SHOPIFY_ADMIN_ORIGIN), a local App
 * Bridge script, and the shop installed the way Shopify's managed install leaves it: an offline session plus the
 * app's own install hook (Shop row, metafield definitions, backfill job). The worker runs in this process (`drain`,
 * `startWorkerLoop`) or as `tsx scripts/worker.ts` with `stack.env`; either way its Admin API calls go to the stand-in
 * with the offline session's token.
 */

export interface LocalStack {
  /** http://127.0.0.1:PORT — the production build served by server.js, as `npm start` serves it. */
  appUrl: string;
  standIn: StandIn;
  /** A Prisma client on the stack's database (the same DATABASE_URL the app server uses). */
  db: Db;
  databaseUrl: string;
  databaseFile: string;
  shop: string;
  apiKey: string;
  apiSecret: string;
  /** The default shop's offline session token (the stand-in accepts only this one for the shop). */
  accessToken: string;
  /** The App Bridge stand-in's script URL (SHOPIFY_APP_BRIDGE_URL). */
  appBridgeUrl: string;
  /** The app server's environment: what a worker process (`tsx scripts/worker.ts`) needs to join the stack. */
  env: Record<string, string>;
  /** What the install hook reported for the default shop (currency, metafield definitions, backfill queued, errors). */
  install: InstallResult;
  /** Installs another shop the same way (stand-in store, offline session, install hook); the stand-in accepts only its token. */
  installShop(shop: string): Promise<InstallResult>;
  /** Stores `program` (scenario JSON) as the shop's published program, effective `publishedAt` (default now). */
  publishProgram(program: unknown, opts?: { shop?: string; publishedAt?: Date }): Promise<string>;
  app: AppServer;
  /** A signed embedded admin URL: `${appUrl}${path}?embedded=1&shop=..&host=..&id_token=..`. */
  adminUrl(path?: string): string;
  /** POSTs a delivery signed like Shopify's to the app's route for `topic`. `hmac: null` leaves the header out. */
  sendWebhook(
    topic: string,
    payload: unknown,
    opts?: { webhookId?: string; hmac?: string | null; rawBody?: string; shop?: string },
  ): Promise<Response>;
  /** The Admin API client the worker uses for a shop (offline session token → stand-in). */
  adminFor(shop: string): Promise<AdminGraphqlClient>;
  /** Runs every due job now, in this process, like `npm run worker` would; throws when a job failed. */
  drain(): Promise<RunOnceResult[]>;
  /** A background worker loop in this process (for the demo); stop() ends it. */
  startWorkerLoop(opts?: { idleMs?: number; onError?: (error: unknown) => void }): void;
  /** Stops the background worker loop after its current job (stop() does this too). */
  stopWorkerLoop(): Promise<void>;
  stop(): Promise<void>;
}

export interface LocalStackOptions {
  /** SQLite file; a temporary one (deleted by stop()) when omitted. */
  databaseFile?: string;
  /** Start from an empty migrated database (default true). With false an existing file is kept as it is. */
  fresh?: boolean;
  port?: number;
  standInPort?: number;
  shop?: string;
  apiKey?: string;
  apiSecret?: string;
  /** Extra environment for the app server (and `stack.env`). */
  env?: Record<string, string>;
  /** What serves the build: server.js (default, as `npm start`) or stock remix-serve (bench:webhooks --server). */
  server?: AppServerProgram;
  /** Build the app without printing Vite's output. */
  quiet?: boolean;
  /** Forwarded to the stand-in: pause between bulk-operation work slices. */
  bulkLatencyMs?: number;
  /** Forwarded to the stand-in: keep the Shopify store in this JSON file across runs (with `fresh: false`). */
  standInPersistPath?: string;
  /** The store's Admin API rate limit (the stand-in's Standard plan when omitted). */
  throttle?: ThrottleSettings;
}

export const LOCAL_SHOP = "tierline-demo.myshopify.com";
export const LOCAL_API_KEY = "tierline-local-api-key";
export const LOCAL_API_SECRET = "tierline-local-api-secret";
const TIER_DISCOUNT_FUNCTION_HANDLE = "tier-discount";
// Required and optional scopes, all granted (read_all_orders: the demo's import reads the whole history).
const SCOPES = "read_customers,write_customers,read_orders,read_customer_merge,write_discounts,read_products,customer_read_customers,read_all_orders";

/**
 * ensureAppBuilt under a cross-process lock: test files run in parallel processes, and two Vite builds writing
 * build/ at once would serve a half-written bundle. The second process waits, then finds the build fresh.
 */
async function buildAppOnce(opts: { quiet?: boolean }): Promise<void> {
  const lock = path.join(
    os.tmpdir(),
    `tierline-build-${Buffer.from(path.resolve(import.meta.dirname, "../.."))
      .toString("hex")
      .slice(-24)}.lock`,
  );
  const deadline = Date.now() + 5 * 60_000;
  while (true) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      // A lock its build stopped touching (every 15 s, below) was left by a killed process.
      const age = Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 60_000) fs.rmSync(lock, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`waited 5 minutes for the app build lock ${lock}`);
      else await new Promise((r) => setTimeout(r, 250));
    }
  }
  // The lock's age tells a live build from a killed one: touched while the build runs, however long it takes.
  const heartbeat = setInterval(() => fs.promises.utimes(lock, new Date(), new Date()).catch(() => undefined), 15_000);
  try {
    await ensureAppBuilt({ quiet: opts.quiet });
  } finally {
    clearInterval(heartbeat);
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

export async function startLocalStack(opts: LocalStackOptions = {}): Promise<LocalStack> {
  const shop = opts.shop ?? LOCAL_SHOP;
  const apiKey = opts.apiKey ?? LOCAL_API_KEY;
  const apiSecret = opts.apiSecret ?? LOCAL_API_SECRET;
  const accessToken = `shpat_local_${randomUUID().replace(/-/g, "")}`;
  const temporary = !opts.databaseFile;
  const databaseFile = opts.databaseFile ?? path.join(os.tmpdir(), `tierline-stack-${process.pid}-${randomUUID()}.sqlite`);
  const fresh = opts.fresh ?? true;

  if (fresh || !fs.existsSync(databaseFile)) {
    for (const f of sqliteFilesOf(databaseFile)) fs.rmSync(f, { force: true });
    fs.mkdirSync(path.dirname(databaseFile), { recursive: true });
    fs.copyFileSync(migratedTemplate(), databaseFile);
  }
  const databaseUrl = `file:${databaseFile}`;
  await buildAppOnce({ quiet: opts.quiet });

  const cleanups: (() => Promise<void>)[] = [];
  const cleanup = async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn().catch(() => undefined);
  };
  try {
    const port = opts.port ?? (await freePort());
    const appUrl = `http://127.0.0.1:${port}`;
    // As the worker's client: the app server (server.js) spools its deliveries and leaves checkpoints to the worker;
    // this process's drain moves them in, and its thread checkpoints both files.
    const db = createDb(databaseUrl, { spool: true, backgroundCheckpoints: true });
    cleanups.push(async () => {
      await db.$disconnect();
      if (temporary) for (const f of sqliteFilesOf(databaseFile)) fs.rmSync(f, { force: true });
    });

    const standIn = await startStandIn({
      port: opts.standInPort,
      shops: [{ domain: shop, accessToken, throttle: opts.throttle }],
      apiSecret,
      functionHandles: [TIER_DISCOUNT_FUNCTION_HANDLE],
      bulkLatencyMs: opts.bulkLatencyMs,
      persistPath: opts.standInPersistPath,
      bulkFinishWebhook: { appUrl },
    });
    cleanups.push(() => standIn.close());
    // The resource picker offers the stand-in store's own products and collections, read afresh on each page load.
    const pickerResources = () => ({
      product: Object.values(standIn.shop(shop).products).map(({ id, title }) => ({ id, title })),
      collection: Object.values(standIn.shop(shop).collections).map(({ id, title }) => ({ id, title })),
    });
    const bridge: AppBridgeStandIn = await startAppBridgeStandIn({ shop, apiKey, apiSecret, pickerResources });
    cleanups.push(() => bridge.close());

    const adminFor = async (forShop: string): Promise<AdminGraphqlClient> => {
      // As unauthenticated.admin(shop) does: the shop's offline session carries the token.
      const session = await db.session.findFirst({ where: { shop: forShop, isOnline: false } });
      if (!session) throw new Error(`no offline session for ${forShop} (not installed, or uninstalled)`);
      return standInAdminClient({ url: standIn.url, shop: forShop, accessToken: session.accessToken });
    };
    const installShop = async (forShop: string): Promise<InstallResult> => {
      // Shopify-managed install: the offline token exists before the app first runs for the shop.
      const token = forShop === shop ? accessToken : `shpat_local_${randomUUID().replace(/-/g, "")}`;
      standIn.addShop({ domain: forShop }).accessToken = token;
      await db.session.upsert({
        where: { id: `offline_${forShop}` },
        create: { id: `offline_${forShop}`, shop: forShop, state: "", isOnline: false, scope: SCOPES, accessToken: token },
        update: { accessToken: token, scope: SCOPES },
      });
      const result = await onShopInstalled(db, await adminFor(forShop), forShop, { now: new Date() });
      if (result.errors.length) throw new Error(`install of ${forShop} failed: ${result.errors.join("; ")}`);
      return result;
    };
    const install = await installShop(shop);

    const env: Record<string, string> = {
      SHOPIFY_API_KEY: apiKey,
      SHOPIFY_API_SECRET: apiSecret,
      SHOPIFY_APP_URL: appUrl,
      DATABASE_URL: databaseUrl,
      SHOPIFY_ADMIN_ORIGIN: standIn.url,
      SHOPIFY_APP_BRIDGE_URL: bridge.scriptUrl,
      SCOPES,
      ...opts.env,
    };
    const app = await startAppServer({ port, env, server: opts.server });
    cleanups.push(() => app.stop());

    const workerDeps: WorkerDeps = { adminFor };
    let loop: { controller: AbortController; done: Promise<void> } | null = null;
    const stopWorkerLoop = async () => {
      const current = loop;
      loop = null;
      current?.controller.abort();
      await current?.done;
    };
    cleanups.push(stopWorkerLoop);

    return {
      appUrl,
      standIn,
      db,
      databaseUrl,
      databaseFile,
      shop,
      apiKey,
      apiSecret,
      accessToken,
      appBridgeUrl: bridge.scriptUrl,
      env,
      install,
      app,
      adminUrl: (p = "/app") => embeddedAdminUrl(appUrl, p, { shop, apiKey, apiSecret, ttlSeconds: 3600 }),
      async sendWebhook(topic, payload, o = {}) {
        const signed = signWebhook({ topic, shop: o.shop ?? shop, payload: o.rawBody ?? payload, appUrl, secret: apiSecret, webhookId: o.webhookId });
        const headers: Record<string, string> = { ...signed.headers };
        if (o.hmac === null) delete headers["X-Shopify-Hmac-Sha256"];
        else if (o.hmac !== undefined) headers["X-Shopify-Hmac-Sha256"] = o.hmac;
        return fetch(signed.url, { method: "POST", headers, body: signed.body });
      },
      adminFor,
      installShop,
      publishProgram: (program, o = {}) => publishProgram(db, o.shop ?? shop, program, o.publishedAt ?? new Date()),
      async drain() {
        const results = await drainWorker(db, workerDeps);
        const failed = results.filter((r) => r.ran && r.error);
        if (failed.length) throw new Error(`jobs failed: ${failed.map((r) => (r.ran ? `${r.job.type} (${r.status}): ${r.error}` : "")).join("; ")}`);
        return results;
      },
      startWorkerLoop(o = {}) {
        if (loop) return;
        const controller = new AbortController();
        const run = async (): Promise<void> => {
          while (!controller.signal.aborted) {
            try {
              await workerLoop(db, workerDeps, JOB_HANDLERS, { signal: controller.signal, idleMs: o.idleMs ?? 250, onIdle: scheduleRunner(db) });
            } catch (error) {
              (o.onError ?? ((e: unknown) => console.error("[local-stack worker]", e)))(error);
              await new Promise((r) => setTimeout(r, 500));
            }
          }
        };
        loop = { controller, done: run() };
      },
      stopWorkerLoop,
      stop: cleanup,
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
