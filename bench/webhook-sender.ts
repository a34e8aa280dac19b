// The sending half of `npm run bench:webhooks`, run as its own process so the app server's latency is not measured
// through the load generator's event loop. Reads signed deliveries (JSONL: url, headers, body) from argv[2], sends
// them at argv[3] requests per second over keep-alive connections, and prints one JSON line: per-request ack latency
// (ms, in send order), status codes and timing.
import fs from "node:fs";
import http from "node:http";
import { performance } from "node:perf_hooks";

interface Delivery {
  url: string;
  headers: Record<string, string>;
  body: string;
}

const [file, rateArg, socketsArg] = process.argv.slice(2);
const deliveries: Delivery[] = fs
  .readFileSync(file, "utf8")
  .split("\n")
  .filter(Boolean)
  .map((line) => JSON.parse(line) as Delivery);
const rate = Number(rateArg ?? 500);
const agent = new http.Agent({ keepAlive: true, maxSockets: Number(socketsArg ?? 64) });

function post(d: Delivery): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const url = new URL(d.url);
    const req = http.request(
      { host: url.hostname, port: url.port, path: url.pathname, method: "POST", agent, headers: { ...d.headers, "Content-Length": Buffer.byteLength(d.body) } },
      (res) => {
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }));
      },
    );
    req.on("error", () => resolve({ status: 0, ms: performance.now() - started }));
    req.end(d.body);
  });
}

const latencies = new Array<number>(deliveries.length);
const statuses: Record<string, number> = {};
let lastAck = 0;
const t0 = performance.now();
const pending: Promise<void>[] = [];
for (let i = 0; i < deliveries.length; i++) {
  // Open-loop schedule: request i leaves at t0 + i/rate whether or not earlier ones were answered, so a slow server
  // shows up as latency instead of as a lower request rate.
  const wait = t0 + (i * 1000) / rate - performance.now();
  if (wait > 1) await new Promise((r) => setTimeout(r, wait));
  pending.push(
    post(deliveries[i]).then(({ status, ms }) => {
      latencies[i] = ms;
      statuses[status] = (statuses[status] ?? 0) + 1;
      lastAck = performance.now();
    }),
  );
}
const sendSpanMs = performance.now() - t0;
await Promise.all(pending);
agent.destroy();
process.stdout.write(`${JSON.stringify({ sent: deliveries.length, sendSpanMs, ackSpanMs: lastAck - t0, statuses, latencies })}\n`);
