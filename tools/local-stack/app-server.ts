import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import net from "node:net";

const root = path.resolve(import.meta.dirname, "../..");
const serverEntry = path.join(root, "build/server/index.js");

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : fs.statSync(full).mtimeMs);
  }
  return newest;
}

/**
 * Builds the Remix app (production build) unless build/ is newer than every source file. The build runs as a child
 * process awaited without blocking: a vitest worker stays responsive to the runner's RPC (a synchronous build of over
 * a minute made vitest fail an otherwise green run with "Timeout calling onTaskUpdate").
 */
export async function ensureAppBuilt(opts: { force?: boolean; quiet?: boolean } = {}): Promise<void> {
  const fresh =
    !opts.force &&
    fs.existsSync(serverEntry) &&
    fs.statSync(serverEntry).mtimeMs >= Math.max(newestMtime(path.join(root, "app")), fs.statSync(path.join(root, "vite.config.ts")).mtimeMs);
  if (fresh) return;
  const child = spawn(process.execPath, [path.join(root, "node_modules/@remix-run/dev/dist/cli.js"), "vite:build"], {
    cwd: root,
    stdio: opts.quiet ? ["ignore", "pipe", "pipe"] : "inherit",
    env: { ...process.env, NODE_ENV: "production" },
  });
  let output = "";
  child.stdout?.on("data", (d) => (output += d));
  child.stderr?.on("data", (d) => (output += d));
  const status = await new Promise<number | null>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => resolve(code));
  });
  if (status !== 0) {
    // The cause is where Vite reports it ("error during build:"); the output's tail is Rollup's list of watched files.
    const cause = output.search(/error during build|\bError:/);
    const from = cause >= 0 ? cause : Math.max(0, output.length - 3000);
    throw new Error(`remix vite:build failed (${status}): ${output.slice(from, from + 3000)}`);
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

export interface AppServer {
  url: string;
  port: number;
  process: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** Which program serves the build: server.js (`npm start`) or stock `remix-serve` (bench:webhooks compares them). */
export type AppServerProgram = "server.js" | "remix-serve";

/** Starts the built app with server.js, as `npm start` does in production (or stock remix-serve), and waits until /healthz answers. */
export async function startAppServer(opts: {
  env: Record<string, string>;
  port?: number;
  timeoutMs?: number;
  server?: AppServerProgram;
}): Promise<AppServer> {
  const port = opts.port ?? (await freePort());
  let output = "";
  const program = opts.server === "remix-serve" ? path.join(root, "node_modules/@remix-run/serve/dist/cli.js") : path.join(root, "server.js");
  const child = spawn(process.execPath, [program, serverEntry], {
    cwd: root,
    env: { ...process.env, NODE_ENV: "production", PORT: String(port), HOST: "127.0.0.1", ...opts.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  while (true) {
    if (child.exitCode !== null) throw new Error(`app server exited (${child.exitCode}):\n${output}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`app server did not answer /healthz within ${opts.timeoutMs ?? 30_000} ms:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    port,
    process: child,
    output: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 5000).unref();
      }),
  };
}
