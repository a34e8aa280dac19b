import "./check-node-version.js"; // first: stops on Node < 22 before anything native loads
import path from "node:path";
import { parseArgs } from "node:util";
import { startDemo } from "./demo/start";

/**
 * `npm run demo`: Tierline on SQLite with the local Shopify stand-in — no Shopify account, no network.
 * Seeds a demo shop, prints signed admin URLs, replays a stream of signed webhooks and shows members moving
 * between levels. Ctrl-C stops everything. See scripts/demo/start.ts.
 *
 *   --fresh               start over (the default when prisma/demo.sqlite does not exist yet)
 *   --port N              app server port (default: a free one)
 *   --instant             replay as fast as the app takes it instead of about five webhooks a second
 *   --customers N         shop size (default 300)
 *   --exit-after-replay   stop once the replay is processed (smoke tests, CI)
 */

const DATABASE_FILE = path.resolve(import.meta.dirname, "../prisma/demo.sqlite");

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      fresh: { type: "boolean" },
      port: { type: "string" },
      instant: { type: "boolean" },
      customers: { type: "string" },
      "exit-after-replay": { type: "boolean" },
    },
  });
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65_536))
    throw new Error(`--port must be a port number, got "${values.port}"`);
  const customers = values.customers === undefined ? undefined : Number(values.customers);
  if (customers !== undefined && !(Number.isInteger(customers) && customers > 0))
    throw new Error(`--customers must be a whole number, got "${values.customers}"`);

  const started = Date.now();
  const demo = await startDemo({
    databaseFile: DATABASE_FILE,
    fresh: values.fresh || undefined,
    port,
    pace: values.instant ? "instant" : "live",
    customers,
  });
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log("\nStopping the demo…");
    await demo.stop();
    process.exit(code);
  };
  process.on("SIGINT", () => void stop(0));
  process.on("SIGTERM", () => void stop(0));

  try {
    await demo.replayDone;
  } catch (error) {
    console.error(`\nThe replay failed: ${error instanceof Error ? error.message : String(error)}`);
    await stop(1);
    return;
  }
  if (values["exit-after-replay"]) {
    console.log(`Done in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
    await stop(0);
    return;
  }
  console.log("\nThe app keeps running (the worker too: publish a change in the admin and watch it apply). Ctrl-C stops it.");
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
