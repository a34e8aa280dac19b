import Database from "better-sqlite3";
import type { SqlDriverAdapter } from "@prisma/driver-adapter-utils";
import { checkpointsOnThread } from "./sqlite-checkpoints.server";
import type { SqliteConnectionSlot } from "./sqlite-direct-writes.server";

/**
 * SQLite: a second file beside the database, `<file>-spool`, for writes that must never wait for the main file's
 * single writer.
 *
 * Why it exists: SQLite lets one connection write at a time, per file. The web process answers Shopify's webhooks
 * only after their rows are committed, and the worker's drain holds the main file's write lock for tens of
 * milliseconds per transaction (a group of deliveries applied, a chunk of members recomputed). A delivery that
 * arrived while the drain wrote waited for it: bench:webhooks (20 s at 500 deliveries/s, worker running) measured the
 * web's lock waits at p90 16 ms, p99 73 ms, max 185 ms, which made most of the ack's p99. In a file of its own the
 * web's inserts wait only for each other and for the spool's mover, whose transactions are a few deletes.
 * The webhook inbox uses it (app/services/webhook-inbox-store.server.ts: the rows and the mover).
 *
 * What is here is only the connection: opened with the client's adapter when the client asks for it (`spool` in
 * DbOptions), WAL like the main file, closed with the adapter, and checkpointed as the client's main file is: on a
 * thread of its own (`backgroundCheckpoints`: the worker's), by another process (`checkpointsElsewhere`: the web's, so
 * its commits never checkpoint), or inline. What the spool holds, its table and who empties it, belong to its user.
 *
 * Removing it: delete this file and the openSpool call in client.server.ts; spoolOf (sqlite-direct-writes.server.ts)
 * then finds no spool, and the inbox writes into the main file again (correct; the acks wait for the drain's
 * transactions again).
 */

/** The spool's file for the database file `file`. */
export const spoolFileOf = (file: string): string => `${file}-spool`;

/**
 * Every file of the SQLite database `file`: it, its WAL and shared memory, and the same of its spool. Deleting a
 * database means deleting all of them: a spool left behind would be moved into the next database made at that path.
 */
export const sqliteFilesOf = (file: string): string[] => [file, spoolFileOf(file)].flatMap((f) => [f, `${f}-wal`, `${f}-shm`]);

/** Opens `file`'s spool beside it and offers it in `slot`; closed when the adapter is disposed. */
export async function openSpool(
  adapter: SqlDriverAdapter,
  slot: SqliteConnectionSlot,
  file: string,
  opts: { busyTimeoutMs: number; checkpoints: "thread" | "elsewhere" | "inline" },
): Promise<void> {
  const spoolFile = spoolFileOf(file);
  const spool = new Database(spoolFile, { timeout: opts.busyTimeoutMs });
  spool.pragma("journal_mode = WAL");
  spool.pragma("synchronous = NORMAL");
  if (opts.checkpoints === "elsewhere") spool.pragma("wal_autocheckpoint = 0");
  const thread =
    opts.checkpoints === "thread"
      ? await checkpointsOnThread(spoolFile, (pages) => void (spool.open && spool.pragma(`wal_autocheckpoint = ${pages}`)), "spool checkpoints")
      : null;
  slot.spool = spool;
  const dispose = adapter.dispose.bind(adapter);
  adapter.dispose = async () => {
    if (slot.spool === spool) slot.spool = undefined;
    await thread?.stop();
    spool.close();
    return dispose();
  };
}
