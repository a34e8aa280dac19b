import { randomUUID } from "node:crypto";
import { Prisma } from "@prisma/client";
import type BetterSqlite3 from "better-sqlite3";
import { sqliteDate, writeSqliteDirectly, type Db } from "~/db.server";
import { DEFAULT_BACKOFF_MS, DEFAULT_MAX_ATTEMPTS, enqueueJob, JOB_INSERT_COLUMNS } from "~/jobs/queue.server";
import { normalizeTopic, parseWebhookPayload, payloadShopDomain, WEBHOOK_TOPICS, WebhookPayloadError, webhookSubjects } from "./webhook-payloads.server";

/**
 * The webhook inbox: a delivery is validated, stored and acknowledged, nothing more. The work it causes runs in the
 * worker (job `process-webhooks`, one per shop at a time), so the answer to Shopify takes milliseconds and a crash
 * after the answer loses nothing. Shopify retries a delivery with the same X-Shopify-Webhook-Id, which is the
 * inbox's unique key: a repeat is acknowledged and ignored.
 *
 * Deliveries that arrive together are stored together (group commit): one transaction inserts all of them and
 * queues each shop's drainer, and every delivery is answered only after that transaction committed. A statement
 * through Prisma costs far more than the row it writes, so under load (hundreds of deliveries a second) this is what
 * keeps the answer fast; a lone delivery is written at once, as before (see InboxWriter).
 */

export interface WebhookDelivery {
  shop: string;
  topic: string;
  webhookId: string;
  eventId: string | null;
  triggeredAt: string | null;
  apiVersion: string | null;
  rawBody: string;
}

export type RecordWebhookResult =
  | { status: 200; stored: boolean; duplicate: boolean; inboxId: string | null }
  | { status: 400; code: string; message: string };

export const PROCESS_WEBHOOKS_JOB = "process-webhooks";
export const processWebhooksKey = (shop: string) => `${PROCESS_WEBHOOKS_JOB}:${shop}`;

export async function recordWebhook(db: Db, delivery: WebhookDelivery, expectedTopic: string, now: Date = new Date()): Promise<RecordWebhookResult> {
  const topic = normalizeTopic(delivery.topic);
  if (topic !== expectedTopic) {
    return { status: 400, code: "WEBHOOK.TOPIC_MISMATCH", message: `this endpoint receives ${expectedTopic}, the delivery says ${delivery.topic}` };
  }
  if (!delivery.webhookId) return { status: 400, code: "WEBHOOK.MISSING_ID", message: "X-Shopify-Webhook-Id is required" };

  let subjects: { customerGid: string | null; orderGid: string | null };
  try {
    const parsed = parseWebhookPayload(topic, delivery.rawBody);
    const bodyShop = payloadShopDomain(parsed);
    if (bodyShop !== null && bodyShop.toLowerCase() !== delivery.shop.toLowerCase()) {
      return { status: 400, code: "WEBHOOK.SHOP_MISMATCH", message: `the body is about ${bodyShop}, the delivery says ${delivery.shop}` };
    }
    subjects = webhookSubjects(parsed);
  } catch (error) {
    if (error instanceof WebhookPayloadError) return { status: 400, code: error.code, message: error.message };
    throw error;
  }

  const triggeredAt = delivery.triggeredAt && !Number.isNaN(Date.parse(delivery.triggeredAt)) ? new Date(delivery.triggeredAt) : null;
  const row: InboxRow = {
    id: randomUUID(),
    shop: delivery.shop,
    webhookId: delivery.webhookId,
    topic,
    eventId: delivery.eventId,
    apiVersion: delivery.apiVersion,
    triggeredAt,
    payload: delivery.rawBody,
    customerGid: subjects.customerGid,
    orderGid: subjects.orderGid,
    receivedAt: now,
  };
  const stored = topic === "app/uninstalled" ? await storeUninstall(db, row) : await inboxWriter(db).store(row);
  return { status: 200, stored, duplicate: !stored, inboxId: stored ? row.id : null };
}

// ── Storing ───────────────────────────────────────────────────────────────────────────────────────────────────────

/** A new inbox row (status 'received', no attempts yet). */
interface InboxRow {
  id: string;
  shop: string;
  webhookId: string;
  topic: string;
  eventId: string | null;
  apiVersion: string | null;
  triggeredAt: Date | null;
  payload: string;
  customerGid: string | null;
  orderGid: string | null;
  receivedAt: Date;
}

const INBOX_COLUMN_LIST = `("id", "shop", "webhookId", "topic", "eventId", "apiVersion", "triggeredAt", "payload", "customerGid", "orderGid", "receivedAt", "status", "attempts")`;
const INBOX_COLUMNS = Prisma.raw(INBOX_COLUMN_LIST);

const insertRows = (rows: InboxRow[]) => Prisma.sql`
  INSERT INTO "WebhookInbox" ${INBOX_COLUMNS}
  VALUES ${Prisma.join(
    rows.map(
      (r) => Prisma.sql`(${r.id}, ${r.shop}, ${r.webhookId}, ${r.topic}, ${r.eventId}, ${r.apiVersion}, ${r.triggeredAt}, ${r.payload},
              ${r.customerGid}, ${r.orderGid}, ${r.receivedAt}, 'received', 0)`,
    ),
  )}
  ON CONFLICT ("shop", "webhookId") DO NOTHING`;

/**
 * The shop's `process-webhooks` job, queued only if one of inbox rows `inboxIds` exists (i.e. one of the shop's
 * deliveries in this batch was new; the ids are fresh) and none is queued yet (ON CONFLICT keeps a queued one). Due at
 * the earliest of those rows' receivedAt. Same columns and defaults as enqueueJob; the times come from the inbox row
 * and the numbers are literals, so PostgreSQL types every value of the SELECT from its column.
 */
function queueDrainerIfStored(db: Db, shop: string, inboxIds: string[]) {
  return db.$executeRaw`
    INSERT INTO "Job" ${JOB_INSERT_COLUMNS}
    SELECT ${randomUUID()}, ${PROCESS_WEBHOOKS_JOB}, "shop", ${processWebhooksKey(shop)}, '{}', 'queued', "receivedAt", 0,
           ${Prisma.raw(String(DEFAULT_MAX_ATTEMPTS))}, ${Prisma.raw(String(DEFAULT_BACKOFF_MS))}, 0, NULL, "receivedAt", "receivedAt"
      FROM "WebhookInbox" WHERE "id" IN (${Prisma.join(inboxIds)})
     ORDER BY "receivedAt" LIMIT 1
    ON CONFLICT ("key") DO NOTHING`;
}

/**
 * Stores rows in one transaction: on SQLite directly on the connection (storeRowsOnSqlite), elsewhere as one Prisma
 * batch transaction (no interactive transaction's round trips): the insert, then per shop its drainer, queued only if
 * a row of that shop was new. Returns the ids of the rows stored; the rest were repeats.
 */
async function storeRows(db: Db, rows: InboxRow[]): Promise<Set<string>> {
  const direct = await writeSqliteDirectly(db, (database) => storeRowsOnSqlite(database, rows));
  if (direct) return direct;
  const byShop = new Map<string, string[]>();
  for (const row of rows) byShop.set(row.shop, [...(byShop.get(row.shop) ?? []), row.id]);
  const drainers = [...byShop].map(([shop, ids]) => queueDrainerIfStored(db, shop, ids));
  const [inserted] = await db.$transaction([db.$executeRaw(insertRows(rows)), ...drainers]);
  if (inserted === rows.length) return new Set(rows.map((r) => r.id));
  if (inserted === 0) return new Set();
  // Some were repeats: which, the ids tell (ours are fresh UUIDs, so a row with one of them is one this batch stored).
  const found = await db.$queryRaw<{ id: string }[]>(Prisma.sql`SELECT "id" FROM "WebhookInbox" WHERE "id" IN (${Prisma.join(rows.map((r) => r.id))})`);
  return new Set(found.map((r) => r.id));
}

/** The statements of storeRowsOnSqlite, prepared once per connection. */
const sqliteStatements = new WeakMap<BetterSqlite3.Database, { insert: BetterSqlite3.Statement; queueDrainer: BetterSqlite3.Statement }>();

function inboxStatements(database: BetterSqlite3.Database) {
  let statements = sqliteStatements.get(database);
  if (!statements) {
    statements = {
      insert: database.prepare(`INSERT INTO "WebhookInbox" ${INBOX_COLUMN_LIST} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'received', 0) ON CONFLICT ("shop", "webhookId") DO NOTHING`),
      queueDrainer: database.prepare(
        `INSERT INTO "Job" ${JOB_INSERT_COLUMNS.sql} VALUES (?, '${PROCESS_WEBHOOKS_JOB}', ?, ?, '{}', 'queued', ?, 0, ${DEFAULT_MAX_ATTEMPTS}, ${DEFAULT_BACKOFF_MS}, 0, NULL, ?, ?) ON CONFLICT ("key") DO NOTHING`,
      ),
    };
    sqliteStatements.set(database, statements);
  }
  return statements;
}

/**
 * Everything the first delivery would otherwise wait for, done before the app takes requests: the database
 * connection (and on SQLite the inbox's prepared statements), Prisma's query compiler, loaded by its first query, and
 * each topic's payload schema, compiled on its first use ("{}" is refused by all of them, after compiling).
 */
export async function prepareInbox(db: Db): Promise<void> {
  await db.$connect();
  await writeSqliteDirectly(db, (database) => void inboxStatements(database));
  await db.webhookInbox.findFirst({ where: { shop: "" }, select: { id: true } });
  for (const topic of WEBHOOK_TOPICS) {
    try {
      parseWebhookPayload(topic, "{}");
    } catch {
      // expected
    }
  }
}

/**
 * storeRows on SQLite's own connection (inside writeSqliteDirectly's transaction): the same rows, the same drainer
 * job (same columns, defaults and ON CONFLICT as queueDrainerIfStored), one prepared statement per row, so which rows
 * were new is known without a second query.
 */
function storeRowsOnSqlite(database: BetterSqlite3.Database, rows: InboxRow[]): Set<string> {
  const statements = inboxStatements(database);
  const stored = new Set<string>();
  /** Per shop, the earliest receivedAt of its new rows: when its drainer is due. */
  const due = new Map<string, string>();
  for (const r of rows) {
    const receivedAt = sqliteDate(r.receivedAt);
    const { changes } = statements.insert.run(
      r.id, r.shop, r.webhookId, r.topic, r.eventId, r.apiVersion, r.triggeredAt && sqliteDate(r.triggeredAt), r.payload, r.customerGid, r.orderGid, receivedAt,
    );
    if (changes === 0) continue;
    stored.add(r.id);
    const earliest = due.get(r.shop);
    if (earliest === undefined || receivedAt < earliest) due.set(r.shop, receivedAt);
  }
  for (const [shop, runAt] of due) statements.queueDrainer.run(randomUUID(), shop, processWebhooksKey(shop), runAt, runAt, runAt);
  return stored;
}

/** How long a batch waits for more deliveries when they arrive faster than this (PostgreSQL's commit_delay, in spirit). */
const COMMIT_DELAY_MS = 3;

/** At most this many deliveries per transaction (11 parameters each; SQLite allows 32,766 per statement). */
const MAX_BATCH_ROWS = 100;

interface Waiting {
  row: InboxRow;
  resolve(stored: boolean): void;
  reject(error: unknown): void;
}

/**
 * Group commit for one client: deliveries that arrive while a batch is being written wait and go together into the
 * next one. A failed batch is retried one delivery at a time, so one row the database refuses fails only its own
 * delivery (answered 500, retried by Shopify) and nothing is half-written.
 */
class InboxWriter {
  #waiting: Waiting[] = [];
  #writing = false;
  /** Recent time between deliveries, ms (a moving average). */
  #gapMs = 1_000;
  #lastArrival = 0;

  constructor(private readonly db: Db) {}

  store(row: InboxRow): Promise<boolean> {
    const arrival = performance.now();
    if (this.#lastArrival > 0) this.#gapMs = 0.8 * this.#gapMs + 0.2 * Math.min(arrival - this.#lastArrival, 1_000);
    this.#lastArrival = arrival;
    return new Promise<boolean>((resolve, reject) => {
      this.#waiting.push({ row, resolve, reject });
      if (this.#writing) return;
      this.#writing = true;
      // When deliveries come faster than COMMIT_DELAY_MS apart, the batch waits that long for company: a write's
      // fixed cost is several times a row's. Otherwise it starts after the current I/O callbacks (deliveries read in
      // the same turn of the event loop still share it).
      if (this.#gapMs < COMMIT_DELAY_MS) setTimeout(() => void this.#writeAll(), COMMIT_DELAY_MS);
      else setImmediate(() => void this.#writeAll());
    });
  }

  async #writeAll(): Promise<void> {
    try {
      while (this.#waiting.length > 0) {
        const batch = this.#waiting.splice(0, MAX_BATCH_ROWS);
        try {
          const stored = await storeRows(this.db, batch.map((w) => w.row));
          for (const w of batch) w.resolve(stored.has(w.row.id));
        } catch (error) {
          if (batch.length === 1) batch[0].reject(error);
          else {
            for (const w of batch) {
              await storeRows(this.db, [w.row]).then(
                (stored) => w.resolve(stored.has(w.row.id)),
                (e: unknown) => w.reject(e),
              );
            }
          }
        }
      }
    } finally {
      this.#writing = false;
    }
  }
}

const writers = new WeakMap<Db, InboxWriter>();

function inboxWriter(db: Db): InboxWriter {
  let writer = writers.get(db);
  if (!writer) writers.set(db, (writer = new InboxWriter(db)));
  return writer;
}

/**
 * app/uninstalled in its own interactive transaction: the row, the drainer, and the shop's sessions forgotten at once
 * (its tokens are revoked the moment it uninstalls), so nothing in between can use them.
 */
async function storeUninstall(db: Db, row: InboxRow): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const count = await tx.$executeRaw(insertRows([row]));
    if (count === 0) return false;
    await enqueueJob(tx, { type: PROCESS_WEBHOOKS_JOB, shop: row.shop, key: processWebhooksKey(row.shop) }, row.receivedAt);
    await tx.session.deleteMany({ where: { shop: row.shop } });
    return true;
  });
}
