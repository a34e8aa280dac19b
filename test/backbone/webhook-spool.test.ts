import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import fs from "node:fs";
import { createDb, type Db, type DbOptions } from "~/db/client.server";
import { spoolOf } from "~/db/sqlite-direct-writes.server";
import { spoolFileOf, sqliteFilesOf } from "~/db/sqlite-spool.server";
import { moveSpooledDeliveries } from "~/services/webhook-inbox-store.server";
import { recordWebhook, type WebhookDelivery } from "~/services/webhook-inbox.server";
import { createTestDb, publishProgram, runJobs, seedShop, storedInboxRows, testPostgresUrl, type TestDb } from "../support/db";
import { buildProgramJson, onePointPerDollar } from "../../tools/sample-data/program-builders";
import { delivery, gid, orderPayload, refundPayload } from "../../tools/sample-data/webhook-payloads";

/**
 * The spool (SQLite): the web process stores deliveries in a file of its own beside the database, so its answers
 * never wait for the worker's transactions on the main file, and the worker moves them into the inbox. What ends up
 * stored must be exactly what the direct path stores, each delivery once, whatever dies in between.
 */

const SHOP = "spool.myshopify.com";
const NOW = new Date("2026-06-01T12:34:56.789Z");
const opened: { cleanup(): Promise<void> }[] = [];
afterEach(async () => {
  for (const t of opened.splice(0).reverse()) await t.cleanup();
});

async function testDb(opts: DbOptions): Promise<TestDb> {
  const t = await createTestDb(opts);
  opened.push(t);
  return t;
}

/** A second client on the same file, as the worker process opens it (with the spool, to move it). */
function workerClient(url: string, opts: DbOptions = {}): Db {
  const client = createDb(url, { spool: true, ...opts });
  opened.push({ cleanup: () => client.$disconnect() });
  return client;
}

const deliveries: WebhookDelivery[] = [
  delivery("orders/paid", SHOP, orderPayload({ id: 7001, customer: { id: 42 }, lines: [{ id: 70010, quantity: 1, price: "600.00" }] }), {
    webhookId: "d-1",
  }),
  delivery("orders/paid", SHOP, orderPayload({ id: 7002, customer: { id: 43 } }), { webhookId: "d-2" }),
  delivery("refunds/create", SHOP, refundPayload({ id: 801, orderId: 7002 }), { webhookId: "d-3" }),
  delivery("orders/paid", "other.myshopify.com", orderPayload({ id: 7003, customer: { id: 44 } }), { webhookId: "d-1" }),
];

/** Every column of the inbox and job tables as the file holds them (storedInboxRows), and what the spool holds. */
function stored(file: string) {
  const spool = new Database(spoolFileOf(file), { fileMustExist: false });
  try {
    const hasSpool = spool.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE name = 'SpooledDelivery'`).get() as { n: number };
    const spooled = hasSpool.n ? (spool.prepare(`SELECT "shop", "webhookId" FROM "SpooledDelivery" ORDER BY "seq"`).all() as object[]) : [];
    return { ...storedInboxRows(file), spooled };
  } finally {
    spool.close();
  }
}

const answers = (db: Db, at: Date) => Promise.all(deliveries.map((d) => recordWebhook(db, d, d.topic, at)));
const later = new Date(NOW.getTime() + 1000);

describe.skipIf(testPostgresUrl)("SQLite: deliveries stored in the spool, moved into the inbox by the worker", () => {
  it("stores nothing in the inbox until moved, then exactly the rows and drainer jobs the direct path stores", async () => {
    const direct = await testDb({ spool: false });
    const spooled = await testDb({ spool: true });
    expect((await answers(direct.db, NOW)).map((r) => r.status === 200 && r.stored)).toEqual([true, true, true, true]);
    expect((await answers(spooled.db, NOW)).map((r) => r.status === 200 && r.stored)).toEqual([true, true, true, true]);

    const before = stored(spooled.file);
    expect(before.inbox).toEqual([]);
    expect(before.jobs).toEqual([]);
    expect(before.spooled).toHaveLength(4);
    // Repeats while spooled are known at once.
    expect((await answers(spooled.db, later)).map((r) => r.status === 200 && r.duplicate)).toEqual([true, true, true, true]);

    expect(await moveSpooledDeliveries(workerClient(spooled.url))).toBe(4);
    const after = stored(spooled.file);
    expect(after).toEqual({ ...stored(direct.file), spooled: [] });
    expect(after.inbox[0]).toMatchObject({ receivedAt: "2026-06-01T12:34:56.789+00:00", status: "received", attempts: 0 });
    // Repeats once moved are known too (the inbox is read before the spool is written): nothing new to move.
    expect((await answers(spooled.db, later)).map((r) => r.status === 200 && r.duplicate)).toEqual([true, true, true, true]);
    expect(stored(spooled.file).spooled).toEqual([]);
  });

  it("moves a delivery once when the mover died between the inbox and the spool, or a repeat slipped past the read", async () => {
    const spooled = await testDb({ spool: true });
    const worker = workerClient(spooled.url);
    await answers(spooled.db, NOW);
    // Copies of the spool's rows, written back after the move: as if the mover had died before deleting them.
    const copy = new Database(spoolFileOf(spooled.file));
    const rows = copy.prepare(`SELECT * FROM "SpooledDelivery"`).all() as Record<string, unknown>[];
    expect(await moveSpooledDeliveries(worker)).toBe(4);
    const moved = stored(spooled.file);
    const insert = copy.prepare(
      `INSERT INTO "SpooledDelivery" VALUES (@seq, @id, @shop, @webhookId, @topic, @eventId, @apiVersion, @triggeredAt, @payload, @customerGid, @orderGid, @receivedAt)`,
    );
    for (const row of rows) insert.run(row);
    copy.close();
    expect(await moveSpooledDeliveries(worker)).toBe(4);
    expect(stored(spooled.file)).toEqual(moved);
    expect(moved.inbox).toHaveLength(4);
  });

  it("answers while the worker holds the main file's write lock, and the worker drains what was spooled", async () => {
    const spooled = await testDb({ spool: true });
    await seedShop(spooled.db, SHOP);
    await publishProgram(spooled.db, SHOP, buildProgramJson({ points: onePointPerDollar }));
    // Another process's transaction on the main file, held open: the direct path would wait for it.
    const writer = new Database(spooled.file, { timeout: 0 });
    writer.prepare("BEGIN IMMEDIATE").run();
    const answered = await Promise.race([answers(spooled.db, NOW), new Promise((resolve) => setTimeout(() => resolve("waited"), 2_000))]);
    expect(answered).toEqual(deliveries.map(() => ({ status: 200, stored: true, duplicate: false, inboxId: expect.any(String) })));
    writer.prepare("COMMIT").run();
    writer.close();

    const worker = workerClient(spooled.url);
    await runJobs(worker, later);
    const member = await worker.member.findUniqueOrThrow({ where: { shop_customerGid: { shop: SHOP, customerGid: gid("Customer", 42) } } });
    expect({ spend: member.spend, orderCount: member.orderCount }).toEqual({ spend: 60_000, orderCount: 1 }); // cents
    expect(await worker.webhookInbox.count({ where: { shop: SHOP, status: "processed" } })).toBe(3);
    expect(stored(spooled.file).spooled).toEqual([]);
  });

  it("the web's client leaves both files' checkpoints to the worker's, whose thread copies the spool back", async () => {
    const web = await testDb({ spool: true, checkpointsElsewhere: true });
    const worker = workerClient(web.url, { backgroundCheckpoints: true });
    await worker.$connect();
    const [{ wal_autocheckpoint }] = await web.db.$queryRawUnsafe<{ wal_autocheckpoint: number }[]>("PRAGMA wal_autocheckpoint");
    expect(Number(wal_autocheckpoint)).toBe(0);
    expect((await spoolOf(web.db))?.pragma("wal_autocheckpoint", { simple: true })).toBe(0);
    await answers(web.db, NOW);
    // The spool's file alone (without its -wal) holds the rows once the worker's thread has copied them back.
    const copy = `${web.file}-copy`;
    const inFile = () => {
      fs.copyFileSync(spoolFileOf(web.file), copy);
      const sqlite = new Database(copy);
      try {
        const table = sqlite.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE name = 'SpooledDelivery'`).get() as { n: number };
        return table.n ? (sqlite.prepare(`SELECT count(*) AS n FROM "SpooledDelivery"`).get() as { n: number }).n : 0;
      } finally {
        sqlite.close();
        for (const f of sqliteFilesOf(copy)) fs.rmSync(f, { force: true });
      }
    };
    const deadline = Date.now() + 10_000;
    while (inFile() < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(inFile()).toBe(4);
  });
});
