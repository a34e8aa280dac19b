import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type { SqlDriverAdapter } from "@prisma/driver-adapter-utils";

/**
 * WAL checkpoints for a SQLite file, on a thread of their own.
 *
 * In WAL mode every commit appends to the -wal file, and by default the connection whose commit takes the WAL past
 * 1,000 pages copies it back into the database file right then, inside that commit, with an fsync: in the web
 * process that is the event loop standing still while deliveries wait for their answer (about 15 ms every 4 MB of
 * webhook bodies on this VM, up to 100 ms). With this, the app's connection never checkpoints (checkpointInBackground
 * turns wal_autocheckpoint off on it; client.server.ts calls it for `backgroundCheckpoints`), and a worker thread with its own connection runs PASSIVE checkpoints every
 * `intervalMs` instead. PASSIVE never waits for, nor blocks, readers and writers.
 *
 * If the thread cannot run (or dies), `onFailure` is told, so the caller can switch inline checkpoints back on and
 * the WAL never grows without bound.
 *
 * Removing it: delete this file and the `checkpointInBackground` call in client.server.ts; SQLite then checkpoints
 * inline again (correct; webhook answers get the occasional 15–100 ms stall back). The thread's code is a string run
 * with `eval: true` and finds better-sqlite3 by require.resolve, so it needs no file of its own in the build.
 */

export interface CheckpointThread {
  stop(): Promise<void>;
}

const CHECKPOINT_LOOP = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const database = new Database(workerData.file, { timeout: 0 });
database.pragma("busy_timeout = 0");
// A pass copies the frames the WAL had when it began; commits that land meanwhile stay behind, and the WAL only
// restarts from its start when a writer finds all of it copied. So passes repeat, each shorter than the last, until
// one finds no new frames (or a few have run).
const timer = setInterval(() => {
  try {
    let frames = -1;
    for (let pass = 0; pass < 8; pass++) {
      const [result] = database.pragma("wal_checkpoint(PASSIVE)");
      if (result.busy || result.log === frames) break;
      frames = result.log;
    }
  } catch (error) {
    // SQLITE_BUSY: another checkpoint is running (the other process's thread). The next tick tries again.
    if (error && error.code !== "SQLITE_BUSY" && error.code !== "SQLITE_LOCKED") throw error;
  }
}, workerData.intervalMs);
parentPort.on("message", (message) => {
  if (message !== "stop") return;
  clearInterval(timer);
  try { database.pragma("wal_checkpoint(PASSIVE)"); } catch {}
  database.close();
  parentPort.close();
});
`;

export function startCheckpointThread(file: string, opts: { intervalMs?: number; onFailure(error: unknown): void }): CheckpointThread {
  const driver = createRequire(import.meta.url).resolve("better-sqlite3");
  const worker = new Worker(CHECKPOINT_LOOP, { eval: true, workerData: { file, driver, intervalMs: opts.intervalMs ?? 200 } });
  worker.unref(); // a process that is otherwise done exits; its last WAL frames are checkpointed by the next opener
  let stopping = false;
  worker.on("error", (error) => {
    if (!stopping) opts.onFailure(error);
  });
  worker.on("exit", (code) => {
    if (!stopping) opts.onFailure(new Error(`the SQLite checkpoint thread exited with code ${code}`));
  });
  return {
    stop: () =>
      new Promise<void>((resolve) => {
        if (stopping) return resolve();
        stopping = true;
        // Held until it has exited (the thread and this timer are otherwise unref'd, and a process with nothing else
        // left would end before the awaited stop resolves: the worker's "stopped" line never written).
        worker.ref();
        const timer = setTimeout(() => void worker.terminate(), 1_000);
        worker.once("exit", () => {
          clearTimeout(timer);
          resolve();
        });
        worker.postMessage("stop");
      }),
  };
}

/**
 * A connection's checkpoints moved to a thread: `setAutocheckpoint(0)` now (no commit of its copies WAL back), the thread
 * started on `file`, and `setAutocheckpoint(1000)` (SQLite's default) should the thread fail, so the WAL never grows
 * without bound. For the client's main file (checkpointInBackground) and its spool (sqlite-spool.server.ts).
 */
export async function checkpointsOnThread(
  file: string,
  setAutocheckpoint: (pages: number) => void | Promise<void>,
  what = "SQLite checkpoints",
): Promise<CheckpointThread> {
  await setAutocheckpoint(0);
  return startCheckpointThread(file, {
    onFailure: (error) => {
      console.warn(`[tierline] ${what} back inline (${error instanceof Error ? error.message : String(error)})`);
      void Promise.resolve()
        .then(() => setAutocheckpoint(1000))
        .catch(() => undefined);
    },
  });
}

/** wal_autocheckpoint off on this connection, a checkpoint thread instead; inline checkpoints again if it fails. */
export async function checkpointInBackground(adapter: SqlDriverAdapter, file: string): Promise<void> {
  const thread = await checkpointsOnThread(file, (pages) => adapter.executeScript(`PRAGMA wal_autocheckpoint = ${pages};`));
  const dispose = adapter.dispose.bind(adapter);
  adapter.dispose = async () => {
    await thread.stop();
    return dispose();
  };
}
