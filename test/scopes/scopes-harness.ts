import { expect } from "vitest";
import type { OrderLine } from "~/domain";
import { JOB_HANDLERS } from "~/jobs/handlers.server";
import { drainJobs } from "~/jobs/worker.server";
import { BACKFILL_JOB, backfillKey, RECALCULATE_JOB, recalculateKey } from "~/queue/job-kinds";
import { enqueueJob } from "~/queue/queue.server";
import { recordWebhook } from "~/services/webhook-inbox.server";
import { createTestDb, publishProgram, seedShop, type TestDb } from "../support/db";
import { buildLevel, productPurchase, spend } from "../../tools/sample-data/program-builders";
import { delivery } from "../../tools/sample-data/webhook-payloads";
import { standInAdminClient, startStandIn, type StandIn } from "../../tools/shopify-stand-in/index";

/**
 * Two shops with the same catalogue and the same orders in the local Shopify stand-in, on a database from
 * createTestDb (SQLite, or PostgreSQL with TIERLINE_TEST_DATABASE_URL): one imports the orders by the install's
 * backfill, the other receives them live as orders/paid webhooks through the app's inbox. The app's real job handlers
 * run them (drainer, resolver, recalculation, backfill) with the stand-in as the Admin API.
 */

export const BACKFILLED = "scopes-backfill.myshopify.com";
export const LIVE = "scopes-live.myshopify.com";
const TOKEN = "shpat_scopes";

export const PREMIUM = "gid://shopify/Collection/9001";
export const JACKET = "gid://shopify/Product/501"; // in Premium
export const SOCKS = "gid://shopify/Product/502"; // tagged clearance
export const SCARF = "gid://shopify/Product/503"; // in Premium and tagged clearance
export const customerGid = (n: number) => `gid://shopify/Customer/${n}`;

/** Silver: 100.00 spent. Gold: 2 items from the Premium collection, or 300.00 spent on anything except clearance. */
export const SCOPED_PROGRAM = {
  levels: [
    buildLevel({ id: "silver", name: "Silver", rank: 1, upgrade: [[spend("100.00")]] }),
    buildLevel({
      id: "gold",
      name: "Gold",
      rank: 2,
      upgrade: [[productPurchase(2, { collectionIds: [PREMIUM] })], [spend("300.00", { scope: { excludeTags: ["clearance"] } })]],
    }),
  ],
};

/** The same levels without scopes: Silver at 100.00, Gold at 500.00. */
export const UNSCOPED_PROGRAM = {
  levels: [
    buildLevel({ id: "silver", name: "Silver", rank: 1, upgrade: [[spend("100.00")]] }),
    buildLevel({ id: "gold", name: "Gold", rank: 2, upgrade: [[spend("500.00")]] }),
  ],
};

export interface OrderSpec {
  n: number;
  customer: number;
  at: string;
  lines: { product: string; quantity: number; price: string }[];
}

/**
 * 601: 2 Premium jackets (200.00): Gold by the collection. 602: 4 clearance socks (400.00): Silver (clearance is
 * excluded). 603: a jacket and 2 socks: Silver. 604: 2 scarves (Premium and clearance): Gold by the collection.
 */
export const ORDERS: OrderSpec[] = [
  { n: 1, customer: 601, at: "2026-05-02T10:00:00Z", lines: [{ product: JACKET, quantity: 2, price: "100.00" }] },
  { n: 2, customer: 602, at: "2026-05-03T10:00:00Z", lines: [{ product: SOCKS, quantity: 4, price: "100.00" }] },
  {
    n: 3,
    customer: 603,
    at: "2026-05-04T10:00:00Z",
    lines: [
      { product: JACKET, quantity: 1, price: "100.00" },
      { product: SOCKS, quantity: 2, price: "50.00" },
    ],
  },
  { n: 4, customer: 604, at: "2026-05-05T10:00:00Z", lines: [{ product: SCARF, quantity: 2, price: "80.00" }] },
];
export const orderGid = (n: number) => `gid://shopify/Order/${7000 + n}`;

export const NOW = new Date("2026-06-01T00:00:00Z");

export interface ScopesWorld {
  t: TestDb;
  standIn: StandIn;
  /** Runs the due jobs of the app (those of this feature and the ones it relies on) at `now`; returns the failures. */
  work(now: Date, types?: string[]): Promise<string[]>;
  /** Delivers a webhook through the app's inbox, as the route would (signature checking is the routes' own test). */
  receive(shop: string, topic: string, payload: unknown, now: Date): Promise<void>;
  /** Delivers an order of the stand-in live (orders/paid). */
  deliverOrder(n: number, now: Date, shop?: string): Promise<void>;
  /** Seeds order `spec` in a shop of the stand-in. */
  seedOrder(shop: string, spec: OrderSpec): void;
  publish(shop: string, program: unknown, at: Date): Promise<string>;
  /** Queues the publication's full recalculation, as the admin's publish does. */
  recalculateAll(shop: string, versionId: string, now: Date): Promise<void>;
  backfill(shop: string, now: Date): Promise<void>;
  lines(shop: string, n: number): Promise<OrderLine[]>;
  member(shop: string, customer: number): Promise<{ levelId: string | null; spend: number; orderCount: number } | null>;
  /** Product reads the app sent to the stand-in (nodes queries), as lists of product GIDs. */
  productReads(shop: string): string[][];
  close(): Promise<void>;
}

export const WORK_TYPES = ["process-webhooks", "resolve-order-scopes", "recalculate", "review-members", "backfill"];

export async function scopesWorld(): Promise<ScopesWorld> {
  const t = await createTestDb();
  const standIn = await startStandIn({
    shops: [BACKFILLED, LIVE].map((domain) => ({ domain, accessToken: TOKEN })),
  });
  for (const shop of [BACKFILLED, LIVE]) {
    await seedShop(t.db, shop, { installedAt: new Date("2026-04-01T00:00:00Z") });
    standIn.seed(
      {
        products: [
          { id: JACKET, title: "Premium jacket", collections: [PREMIUM] },
          { id: SOCKS, title: "Socks", tags: ["clearance"] },
          { id: SCARF, title: "Scarf", tags: ["clearance", "winter"], collections: [PREMIUM, "gid://shopify/Collection/9002"] },
        ],
        customers: [601, 602, 603, 604, 605].map((n) => ({ id: customerGid(n), firstName: `Buyer${n}`, email: `buyer${n}@example.com` })),
      },
      shop,
    );
  }
  const world: ScopesWorld = {
    t,
    standIn,
    async work(now, types = WORK_TYPES) {
      const results = await drainJobs(
        t.db,
        {
          now: () => now,
          types,
          adminFor: async (shop) => standInAdminClient({ url: standIn.url, shop, accessToken: TOKEN }),
          syncOptions: { sleep: async () => {}, pollIntervalMs: 1, maxAttempts: 1 },
        },
        JOB_HANDLERS,
      );
      return results.filter((r) => r.ran && r.status !== "done").map((r) => (r.ran ? `${r.job.type}: ${r.error}` : ""));
    },
    async receive(shop, topic, payload, now) {
      const result = await recordWebhook(t.db, delivery(topic, shop, payload), topic, now);
      expect(result.status).toBe(200);
    },
    async deliverOrder(n, now, shop = LIVE) {
      await world.receive(shop, "orders/paid", standIn.catalog.ordersPaidPayload(standIn.shop(shop), orderGid(n)), now);
    },
    seedOrder(shop, spec) {
      standIn.seed(
        {
          orders: [
            {
              id: orderGid(spec.n),
              name: `#${1000 + spec.n}`,
              customerId: customerGid(spec.customer),
              processedAt: spec.at,
              lineItems: spec.lines.map((l, i) => ({
                id: `gid://shopify/LineItem/${80_000 + spec.n * 10 + i}`,
                productId: l.product,
                quantity: l.quantity,
                unitPrice: l.price,
              })),
            },
          ],
        },
        shop,
      );
    },
    publish: (shop, program, at) => publishProgram(t.db, shop, program, at),
    async recalculateAll(shop, versionId, now) {
      await enqueueJob(t.db, { type: RECALCULATE_JOB, shop, key: recalculateKey(versionId), payload: { versionId } }, now);
    },
    async backfill(shop, now) {
      await enqueueJob(t.db, { type: BACKFILL_JOB, shop, key: backfillKey(shop) }, now);
    },
    async lines(shop, n) {
      const row = await t.db.orderFact.findUniqueOrThrow({ where: { shop_orderGid: { shop, orderGid: orderGid(n) } } });
      return JSON.parse(row.linesJson) as OrderLine[];
    },
    async member(shop, customer) {
      return t.db.member.findUnique({
        where: { shop_customerGid: { shop, customerGid: customerGid(customer) } },
        select: { levelId: true, spend: true, orderCount: true },
      });
    },
    productReads: (shop) =>
      standIn
        .calls(shop)
        .filter((c) => c.operationName === "ProductScopes" && c.outcome === "ok")
        .map((c) => [...((c.variables?.ids as string[]) ?? [])].sort()),
    async close() {
      await t.cleanup();
      await standIn.close();
    },
  };
  return world;
}
