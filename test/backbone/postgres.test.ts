import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createDb, dbProvider, type Db } from "~/db/client.server";
import { claimNextJob, completeJob, enqueueJob } from "~/queue/queue.server";
import { recalculateMember, recalculateMembers } from "~/services/member-recalculation.server";
import { loadShopContext } from "~/services/shop-context.server";
import { createTestDb, publishProgram, seedShop, testPostgresUrl, type TestDb } from "../support/db";
import { buildProgramJson, onePointPerDollar } from "../../tools/sample-data/program-builders";

/**
 * PostgreSQL as the scale path: the two schemas cannot drift, and on a real server (TIERLINE_TEST_DATABASE_URL) several
 * workers share one queue and never fold the same member at once.
 */

const root = path.resolve(import.meta.dirname, "../..");
const read = (file: string) => fs.readFileSync(path.join(root, file), "utf8");

describe("the PostgreSQL schema is the SQLite schema", () => {
  /** The models and everything else, without the lines allowed to differ (the copy's header, provider, output). */
  const comparable = (schema: string) =>
    schema
      .replace(/^(\/\/[^\n]*\n)+\n(?=\/\/ Tierline's data model)/, "")
      .split("\n")
      .filter((line) => !/^\s*(output\s*=|provider\s*=\s*"(sqlite|postgresql)")/.test(line))
      .join("\n");

  /** Money columns: 64-bit on PostgreSQL (its INTEGER is 32-bit; SQLite's is already 64-bit). */
  const MONEY = [
    "Member.spend",
    "Member.remainingSpend",
    "OrderFact.total",
    "OrderFact.subtotal",
    "OrderFact.shipping",
    "OrderFact.tax",
    "RefundFact.amount",
  ];
  const bigIntFields = (schema: string) => {
    const fields: string[] = [];
    let model = "";
    for (const line of schema.split("\n")) {
      model = /^model (\w+)/.exec(line)?.[1] ?? model;
      const field = /^\s+(\w+)\s+BigInt\b/.exec(line);
      if (field) fields.push(`${model}.${field[1]}`);
    }
    return fields;
  };

  it("differs only in the datasource provider, the generator output and 64-bit money columns", () => {
    const sqlite = read("prisma/schema.prisma");
    const postgres = read("prisma/postgresql/schema.prisma");
    expect(sqlite).toMatch(/provider = "sqlite"/);
    expect(postgres).toMatch(/provider = "postgresql"/);
    const alsoOnSqlite = new Set(bigIntFields(sqlite)); // Session.userId, from Shopify's session storage
    expect(bigIntFields(postgres).filter((f) => !alsoOnSqlite.has(f))).toEqual(MONEY);
    const moneyAsInt = (schema: string) => schema.replace(/^(\s+(?:spend|remainingSpend|total|subtotal|shipping|tax|amount)\s+)BigInt\b/gm, "$1Int");
    expect(comparable(moneyAsInt(postgres))).toBe(comparable(sqlite));
  });

  it("stores money beyond 32 bits in the PostgreSQL migration", () => {
    const sql = read("prisma/postgresql/migrations/0001_init/migration.sql");
    for (const field of MONEY) {
      const [table, column] = field.split(".");
      const body = new RegExp(`CREATE TABLE "${table}" \\(([^;]*)\\);`).exec(sql)?.[1] ?? "";
      expect(body, field).toMatch(new RegExp(`"${column}" BIGINT`));
    }
  });

  it("has the same migrations, each for its provider", () => {
    const migrations = (dir: string) =>
      fs
        .readdirSync(path.join(root, dir), { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => d.name)
        .sort();
    expect(migrations("prisma/postgresql/migrations")).toEqual(migrations("prisma/migrations"));
    expect(read("prisma/postgresql/migrations/migration_lock.toml")).toMatch(/provider = "postgresql"/);
    // Every table and index of the SQLite migrations exists in the PostgreSQL ones.
    const objects = (dir: string) =>
      migrations(dir)
        .flatMap((m) => [...read(`${dir}/${m}/migration.sql`).matchAll(/CREATE (?:UNIQUE )?(?:TABLE|INDEX) "([^"]+)"/g)].map((x) => x[1]))
        .sort();
    expect(objects("prisma/postgresql/migrations")).toEqual(objects("prisma/migrations"));
  });
});

const SHOP = "pg.myshopify.com";
const NOW = new Date("2026-06-01T00:00:00Z");

describe.skipIf(!testPostgresUrl)("on PostgreSQL", () => {
  let t: TestDb;
  const others: Db[] = [];
  /** Another worker process: its own client and connection pool on the same database. */
  const worker = () => {
    const db = createDb(t.url);
    others.push(db);
    return db;
  };
  beforeEach(async () => {
    t = await createTestDb();
  });
  afterEach(async () => {
    await Promise.all(others.splice(0).map((db) => db.$disconnect()));
    await t.cleanup();
  });

  it("runs on the PostgreSQL client", async () => {
    expect(dbProvider(t.db)).toBe("postgresql");
    expect(await t.db.$queryRaw<{ v: string }[]>`SELECT current_setting('server_version_num') AS v`).toHaveLength(1);
  });

  it.each([
    ["just past 32 bits (21,474,836.48)", 2_147_483_648],
    ["30 billion minor units (a 300M IDR order)", 30_000_000_000],
    ["2^53 − 1, the largest the webhook boundary accepts", Number.MAX_SAFE_INTEGER],
  ])("stores and reads back money %s as a number, through models, aggregates and raw SQL", async (_case, amount) => {
    const shop = SHOP;
    await t.db.refundFact.create({
      data: { shop, refundGid: "gid://shopify/Refund/1", orderGid: "gid://shopify/Order/1", amount, linesJson: "[]", createdAt: NOW },
    });
    expect((await t.db.refundFact.findFirstOrThrow({ where: { shop } })).amount).toBe(amount);
    expect((await t.db.refundFact.aggregate({ where: { shop }, _sum: { amount: true } }))._sum.amount).toBe(amount);
    const [raw] = await t.db.$queryRaw<{ amount: number }[]>`SELECT "amount" FROM "RefundFact" WHERE "shop" = ${shop}`;
    expect(raw.amount).toBe(amount);
  });

  it("keeps serving after more connections die mid-transaction than its pool holds (adapter-pg would leak each one)", async () => {
    const other = worker();
    for (let i = 0; i < 12; i++) {
      const attempt = t.db.$transaction(async (tx) => {
        const [{ pid }] = await tx.$queryRaw<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`;
        await other.$queryRaw`SELECT pg_terminate_backend(${pid}::int)`;
        await tx.$queryRaw`SELECT 1`;
      });
      await expect(attempt).rejects.toThrow();
    }
    const answered = await Promise.race([
      t.db.$queryRaw<{ one: number }[]>`SELECT 1 AS one`,
      new Promise((resolve) => setTimeout(() => resolve("pool exhausted"), 5_000)),
    ]);
    expect(answered).toEqual([{ one: 1 }]);
  });

  it("four workers claim 40 jobs: each exactly once, never two of one shop and type at the same time", async () => {
    // Two lanes for four workers: most claims race another claim for the same lane.
    for (let i = 0; i < 40; i++) await enqueueJob(t.db, { type: "process-webhooks", shop: `s${i % 2}.myshopify.com` }, NOW);
    const workers = [t.db, worker(), worker(), worker()];
    const running = new Map<string, string>();
    const claimed: string[] = [];
    const overlaps: string[] = [];
    await Promise.all(
      workers.map(async (db, w) => {
        let idle = 0;
        while (idle < 50) {
          const job = await claimNextJob(db, { workerId: `w${w}`, now: NOW, leaseMs: 60_000 });
          if (!job) {
            idle++;
            await new Promise((r) => setTimeout(r, 1));
            continue;
          }
          idle = 0;
          const lane = `${job.shop} ${job.type}`;
          if (running.has(lane)) overlaps.push(`${lane}: ${running.get(lane)} and ${job.id}`);
          running.set(lane, job.id);
          claimed.push(job.id);
          await new Promise((r) => setTimeout(r, 5));
          running.delete(lane);
          expect(await completeJob(db, job, NOW)).toBe(true);
        }
      }),
    );
    expect(overlaps).toEqual([]);
    expect(claimed).toHaveLength(40);
    expect(new Set(claimed).size).toBe(40);
    expect(await t.db.job.count({ where: { status: "done" } })).toBe(40);
  });

  describe("folding one member from two workers", () => {
    const CUSTOMER = "gid://shopify/Customer/1";
    let order = 0;
    const addOrder = (db: Db, amount: number) => {
      order++;
      const paidAt = new Date(NOW.getTime() - 86_400_000 + order * 1000);
      const line = {
        id: `gid://shopify/LineItem/${order}`,
        productId: "gid://shopify/Product/1",
        quantity: 1,
        price: amount,
        collectionIds: [],
        tags: [],
        giftCard: false,
      };
      return db.orderFact.create({
        data: {
          shop: SHOP,
          orderGid: `gid://shopify/Order/${order}`,
          customerGid: CUSTOMER,
          paidAt,
          currency: "USD",
          total: amount,
          subtotal: amount,
          shipping: 0,
          tax: 0,
          linesJson: JSON.stringify([line]),
          sourceUpdatedAt: paidAt,
        },
      });
    };
    beforeEach(async () => {
      await seedShop(t.db, SHOP);
      await publishProgram(t.db, SHOP, buildProgramJson({ points: onePointPerDollar }));
    });

    it("waits for the fold in progress, then reads the facts committed meanwhile", async () => {
      await addOrder(t.db, 8_000);
      const ctx = await loadShopContext(t.db, SHOP);
      // A third session holds the member's lock, as a worker in the middle of folding them would.
      const holder = new pg.Client({ connectionString: t.url });
      await holder.connect();
      try {
        await holder.query("BEGIN");
        await holder.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [`${SHOP} ${CUSTOMER}`]);
        let settled = false;
        const fold = recalculateMember(worker(), ctx, CUSTOMER, { now: NOW }).finally(() => (settled = true));
        await new Promise((r) => setTimeout(r, 400));
        expect(settled).toBe(false);
        await addOrder(t.db, 50_000); // committed while the fold waits
        await holder.query("COMMIT");
        expect((await fold).outcome).toBe("written");
      } finally {
        await holder.end();
      }
      expect(await t.db.member.findFirstOrThrow({ where: { shop: SHOP, customerGid: CUSTOMER } })).toMatchObject({
        spend: 58_000,
        levelId: "gold",
        orderCount: 2,
      });
    });

    it("two workers folding while orders arrive end in the in-order result, with no duplicate or failed writes", async () => {
      const a = worker();
      const b = worker();
      const [ctxA, ctxB] = [await loadShopContext(a, SHOP), await loadShopContext(b, SHOP)];
      for (let round = 0; round < 12; round++) {
        await addOrder(t.db, 1_500);
        await Promise.all([
          recalculateMember(a, ctxA, CUSTOMER, { now: NOW }),
          recalculateMembers(b, ctxB, [CUSTOMER], { now: NOW }),
          recalculateMember(b, ctxB, CUSTOMER, { now: NOW }),
        ]);
      }
      const member = await t.db.member.findFirstOrThrow({ where: { shop: SHOP, customerGid: CUSTOMER } });
      expect(member).toMatchObject({ spend: 18_000, orderCount: 12, levelId: "silver", points: 180 });
      const keys = (await t.db.pointsEntry.findMany({ where: { memberId: member.id } })).map((e) => e.key);
      expect(keys.sort()).toEqual([...new Set(keys)].sort());
      expect(keys.filter((k) => k.startsWith("earn:"))).toHaveLength(12);
      // Folding again, alone, changes nothing: the concurrent folds already wrote the sequential result.
      expect((await recalculateMember(t.db, await loadShopContext(t.db, SHOP), CUSTOMER, { now: NOW })).outcome).toBe("unchanged");
    });
  });
});
