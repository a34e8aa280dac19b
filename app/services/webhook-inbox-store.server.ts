import { Prisma } from "@prisma/client";
import type BetterSqlite3 from "better-sqlite3";
import type { Db } from "~/db/client.server";
import {
  immediateWithoutBlocking,
  preparedStatement,
  readSqliteDirectly,
  spoolOf,
  sqliteDate,
  writeSqliteDirectly,
} from "~/db/sqlite-direct-writes.server";
import { PROCESS_WEBHOOKS_JOB, processWebhooksKey } from "~/queue/job-kinds";
import { enqueueJob, queueDrainerForNewInboxRows, sqliteDrainerQueuer } from "~/queue/queue.server";

/**
 * Writing the webhook inbox: the rows recordWebhook (webhook-inbox.server.ts) accepted, each with its shop's drainer
 * job queued in the same transaction.
 *
 * Deliveries that arrive together are stored together (group commit, InboxWriter): one transaction inserts all of
 * them and queues each shop's drainer, and every delivery is answered only after that transaction committed. A
 * statement through Prisma costs far more than the row it writes, so under load (hundreds of deliveries a second) this
 * is what keeps the answer fast; a lone delivery is written at once. On SQLite the batch is written with prepared
 * statements on Prisma's own connection (app/db/sqlite-direct-writes.server.ts); elsewhere as one Prisma batch
 * transaction. Both paths store the same rows and queue the same job (the Job statements come from app/queue).
 *
 * The spool (SQLite, a client opened with `spool`: the app's web process under server.js, and the worker): the web
 * process writes the batch into the spool, a file of its own beside the database (app/db/sqlite-spool.server.ts), so
 * an answer never waits for the drain's transactions on the main file. The worker moves spooled deliveries into the
 * inbox (moveSpooledDeliveries: before it claims a job, and before each pass of the drainer), queueing their shops'
 * drainers as the direct path does. A repeat is still known at once: the spool is unique by delivery as the inbox is,
 * and the inbox is read (without a lock) before the spool is written. Moving is idempotent: the rows go into the inbox
 * first (ON CONFLICT DO NOTHING), then leave the spool, so a mover killed in between moves nothing twice.
 */

/** A new inbox row (status 'received', no attempts yet). */
export interface InboxRow {
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

/** The columns a new row's values fill, in order (InboxRow, SqliteInboxValues): the inbox's and the spool's. */
const NEW_ROW_COLUMNS = [
  "id",
  "shop",
  "webhookId",
  "topic",
  "eventId",
  "apiVersion",
  "triggeredAt",
  "payload",
  "customerGid",
  "orderGid",
  "receivedAt",
];
const columnList = (names: string[]) => `(${names.map((name) => `"${name}"`).join(", ")})`;
/** The inbox's columns for a new row: its values, then status and attempts. */
const INBOX_COLUMN_LIST = columnList([...NEW_ROW_COLUMNS, "status", "attempts"]);
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

/** Stores `row` (group-committed with the deliveries arriving with it); false when the delivery was a repeat. */
export function storeInboxRow(db: Db, row: InboxRow): Promise<boolean> {
  return inboxWriter(db).store(row);
}

/**
 * app/uninstalled in its own interactive transaction: the row, the drainer, and the shop's sessions forgotten at once
 * (its tokens are revoked the moment it uninstalls), so nothing in between can use them.
 */
export async function storeUninstallRow(db: Db, row: InboxRow): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const count = await tx.$executeRaw(insertRows([row]));
    if (count === 0) return false;
    await enqueueJob(tx, { type: PROCESS_WEBHOOKS_JOB, shop: row.shop, key: processWebhooksKey(row.shop) }, row.receivedAt);
    await tx.session.deleteMany({ where: { shop: row.shop } });
    return true;
  });
}

/** On SQLite, prepares the store's statements on the client's connection and spool (before the first delivery needs them). */
export async function prepareInboxStore(db: Db): Promise<void> {
  await writeSqliteDirectly(db, (database) => void sqliteStatements(database));
  const spool = await spoolOf(db);
  if (spool) spoolStatements(spool);
}

/**
 * Stores rows in one transaction: into the spool when the client has one (spoolRows), else on SQLite directly on the
 * connection (storeRowsOnSqlite), elsewhere as one Prisma batch transaction (no interactive transaction's round
 * trips): the insert, then per shop its drainer, queued only if a row of that shop was new. Returns the ids of the
 * rows stored; the rest were repeats.
 */
async function storeRows(db: Db, rows: InboxRow[]): Promise<Set<string>> {
  const spooled = await spoolRows(db, rows);
  if (spooled) return spooled;
  const direct = await writeSqliteDirectly(db, (database) => storeRowsOnSqlite(database, rows.map(sqliteValues)));
  if (direct) return direct;
  const byShop = new Map<string, string[]>();
  for (const row of rows) byShop.set(row.shop, [...(byShop.get(row.shop) ?? []), row.id]);
  const drainers = [...byShop].map(([shop, ids]) => queueDrainerForNewInboxRows(db, shop, ids));
  const [inserted] = await db.$transaction([db.$executeRaw(insertRows(rows)), ...drainers]);
  if (inserted === rows.length) return new Set(rows.map((r) => r.id));
  if (inserted === 0) return new Set();
  // Some were repeats: which, the ids tell (ours are fresh UUIDs, so a row with one of them is one this batch stored).
  const found = await db.$queryRaw<{ id: string }[]>(
    Prisma.sql`SELECT "id" FROM "WebhookInbox" WHERE "id" IN (${Prisma.join(rows.map((r) => r.id))})`,
  );
  return new Set(found.map((r) => r.id));
}

/** The statements of storeRowsOnSqlite, prepared once per connection. */
const preparedStatements = new WeakMap<
  BetterSqlite3.Database,
  { insert: BetterSqlite3.Statement; queueDrainer: (shop: string, runAt: string) => void }
>();

function sqliteStatements(database: BetterSqlite3.Database) {
  let statements = preparedStatements.get(database);
  if (!statements) {
    statements = {
      insert: database.prepare(
        `INSERT INTO "WebhookInbox" ${INBOX_COLUMN_LIST} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'received', 0) ON CONFLICT ("shop", "webhookId") DO NOTHING`,
      ),
      queueDrainer: sqliteDrainerQueuer(database),
    };
    preparedStatements.set(database, statements);
  }
  return statements;
}

/** A new row's values (NEW_ROW_COLUMNS) as SQLite stores them: dates as Prisma writes them. */
type SqliteInboxValues = [
  id: string,
  shop: string,
  webhookId: string,
  topic: string,
  eventId: string | null,
  apiVersion: string | null,
  triggeredAt: string | null,
  payload: string,
  customerGid: string | null,
  orderGid: string | null,
  receivedAt: string,
];

const sqliteValues = (r: InboxRow): SqliteInboxValues => [
  r.id,
  r.shop,
  r.webhookId,
  r.topic,
  r.eventId,
  r.apiVersion,
  r.triggeredAt && sqliteDate(r.triggeredAt),
  r.payload,
  r.customerGid,
  r.orderGid,
  sqliteDate(r.receivedAt),
];

/**
 * storeRows on SQLite's own connection (inside writeSqliteDirectly's transaction): the same rows, the same drainer
 * job (sqliteDrainerQueuer: same columns, defaults and ON CONFLICT as the Prisma path), one prepared statement per
 * row, so which rows were new is known without a second query.
 */
function storeRowsOnSqlite(database: BetterSqlite3.Database, rows: SqliteInboxValues[]): Set<string> {
  const statements = sqliteStatements(database);
  const stored = new Set<string>();
  /** Per shop, the earliest receivedAt of its new rows: when its drainer is due. */
  const due = new Map<string, string>();
  for (const values of rows) {
    if (statements.insert.run(...values).changes === 0) continue;
    const [id, shop, , , , , , , , , receivedAt] = values;
    stored.add(id);
    const earliest = due.get(shop);
    if (earliest === undefined || receivedAt < earliest) due.set(shop, receivedAt);
  }
  for (const [shop, runAt] of due) statements.queueDrainer(shop, runAt);
  return stored;
}

/** The spool's table: a new inbox row's columns (NEW_ROW_COLUMNS), unique by delivery as the inbox is; `seq` is arrival order. */
const SPOOL_TABLE = `CREATE TABLE IF NOT EXISTS "SpooledDelivery" (
  "seq" INTEGER PRIMARY KEY, "id" TEXT NOT NULL, "shop" TEXT NOT NULL, "webhookId" TEXT NOT NULL, "topic" TEXT NOT NULL,
  "eventId" TEXT, "apiVersion" TEXT, "triggeredAt" TEXT, "payload" TEXT NOT NULL, "customerGid" TEXT, "orderGid" TEXT,
  "receivedAt" TEXT NOT NULL, UNIQUE ("shop", "webhookId"))`;
const SPOOL_COLUMN_LIST = columnList(NEW_ROW_COLUMNS);

/** The spool's statements on `spool`, its table made first if the file is new. */
function spoolStatements(spool: BetterSqlite3.Database) {
  if (!spoolsReady.has(spool)) {
    spool.exec(SPOOL_TABLE);
    spoolsReady.add(spool);
  }
  return {
    insert: preparedStatement(
      spool,
      `INSERT INTO "SpooledDelivery" ${SPOOL_COLUMN_LIST} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT ("shop", "webhookId") DO NOTHING`,
    ),
    oldest: preparedStatement(spool, `SELECT "seq", ${SPOOL_COLUMN_LIST.slice(1, -1)} FROM "SpooledDelivery" ORDER BY "seq" LIMIT ?`).raw(true),
    remove: preparedStatement(spool, `DELETE FROM "SpooledDelivery" WHERE "seq" = ?`),
  };
}
const spoolsReady = new WeakSet<BetterSqlite3.Database>();

/**
 * storeRows into the client's spool, or null when it has none. Rows the inbox already holds (read on the main
 * connection, no lock taken) or the spool already holds are repeats; the rest are written in one transaction on the
 * spool. Returns the ids of the rows stored.
 */
async function spoolRows(db: Db, rows: InboxRow[]): Promise<Set<string> | null> {
  const spool = await spoolOf(db);
  if (!spool) return null;
  const inInbox = await readSqliteDirectly(db, (database) => {
    const find = preparedStatement(database, `SELECT 1 FROM "WebhookInbox" WHERE "shop" = ? AND "webhookId" = ?`).pluck();
    return new Set(rows.filter((r) => find.get(r.shop, r.webhookId) !== undefined).map((r) => r.id));
  });
  const fresh = rows.filter((r) => !inInbox?.has(r.id));
  return immediateWithoutBlocking(spool, () => {
    const { insert } = spoolStatements(spool);
    return new Set(fresh.filter((r) => insert.run(...sqliteValues(r)).changes > 0).map((r) => r.id));
  });
}

/** Spooled deliveries moved into the inbox per transaction, at most. */
const SPOOL_MOVE_ROWS = 500;

/**
 * Moves the deliveries in the client's spool into the inbox, oldest first, and queues their shops' drainers; how
 * many it moved (0 when the client has no spool). Each batch is written into the inbox (repeats ignored, as the
 * direct path ignores them) before it is deleted from the spool, so a mover that dies in between leaves rows that
 * the next one moves again without effect. The worker calls it before claiming a job and before each drain pass.
 */
export async function moveSpooledDeliveries(db: Db): Promise<number> {
  const spool = await spoolOf(db);
  if (!spool) return 0;
  const { oldest, remove } = spoolStatements(spool);
  let moved = 0;
  while (true) {
    const batch = oldest.all(SPOOL_MOVE_ROWS) as [number, ...SqliteInboxValues][];
    if (batch.length === 0) return moved;
    const stored = await writeSqliteDirectly(db, (database) =>
      storeRowsOnSqlite(
        database,
        batch.map(([, ...values]) => values),
      ),
    );
    // Never deleted unless written: a client with a spool always offers its connection, but should it not, stop here.
    if (stored === null) throw new Error("the spool's deliveries could not be written into the inbox: no SQLite connection");
    await immediateWithoutBlocking(spool, () => {
      for (const [seq] of batch) remove.run(seq);
    });
    moved += batch.length;
    if (batch.length < SPOOL_MOVE_ROWS) return moved;
  }
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
          const stored = await storeRows(
            this.db,
            batch.map((w) => w.row),
          );
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
