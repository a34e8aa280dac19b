// The sending half of `npm run bench:webhooks`, run as its own process so the app server's latency is not measured
// through the load generator's event loop. Reads signed deliveries (JSONL: url, headers, body) from argv[2], sends
// them at argv[3] requests per second over at most argv[4] (64) keep-alive connections, and prints one JSON line:
// per-request ack latency (ms, in send order), when each was acknowledged (ackedAt: epoch ms, the wall clock bench
// processes share), status codes, timing and the CPU time this process used (ms).
//
// The machine the bench runs on may have two cores, one of them the app's: each request is therefore written to
// the socket as prepared bytes and each answer read with a minimal HTTP/1.1 parser, instead of node:http's client,
// which cost about as much CPU per request as the app's own work.
import fs from "node:fs";
import net from "node:net";
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
const maxConnections = Number(socketsArg ?? 64);
const target = new URL(deliveries[0]?.url ?? "http://127.0.0.1/");

/** The whole request as bytes: request line, headers (Host, Content-Length, keep-alive) and body. */
function requestBytes(d: Delivery): Buffer {
  const url = new URL(d.url);
  if (url.host !== target.host) throw new Error(`every delivery must go to ${target.host}, not ${url.host}`);
  const body = Buffer.from(d.body);
  const head = [`POST ${url.pathname}${url.search} HTTP/1.1`, `Host: ${url.host}`, "Connection: keep-alive", `Content-Length: ${body.length}`];
  for (const [name, value] of Object.entries(d.headers)) if (!/^(host|content-length|connection)$/i.test(name)) head.push(`${name}: ${value}`);
  return Buffer.concat([Buffer.from(`${head.join("\r\n")}\r\n\r\n`), body]);
}
const prepared = deliveries.map(requestBytes);

type Done = (status: number) => void;
const HEADER_END = Buffer.from("\r\n\r\n");

/** One keep-alive connection carrying one request at a time, reading Content-Length or chunked answers. */
class Connection {
  readonly socket: net.Socket;
  #buffer: Buffer = Buffer.alloc(0);
  #done: Done | null = null;
  closed = false;
  /** When it last finished an answer (performance.now()). */
  idleSince = 0;

  constructor(onIdle: (c: Connection) => void) {
    this.socket = net.connect({ host: target.hostname, port: Number(target.port || 80), noDelay: true });
    this.socket.on("data", (chunk: Buffer) => {
      this.#buffer = this.#buffer.length ? Buffer.concat([this.#buffer, chunk]) : chunk;
      const status = this.#parse();
      if (status === null) return;
      const done = this.#done!;
      this.#done = null;
      done(status);
      if (!this.closed) onIdle(this);
    });
    const close = () => {
      if (this.closed) return;
      this.closed = true;
      const done = this.#done;
      this.#done = null;
      done?.(0);
    };
    this.socket.on("error", close);
    this.socket.on("close", close);
  }

  send(bytes: Buffer, done: Done): void {
    this.#done = done;
    this.socket.write(bytes);
  }

  /** The status of a complete answer at the start of the buffer (consumed), or null while it is incomplete. */
  #parse(): number | null {
    const headerEnd = this.#buffer.indexOf(HEADER_END);
    if (headerEnd < 0) return null;
    const head = this.#buffer.toString("latin1", 0, headerEnd);
    const status = Number(head.slice(9, 12));
    let bodyStart = headerEnd + 4;
    const length = /\r\ncontent-length: *(\d+)/i.exec(head);
    let end: number;
    if (length) end = bodyStart + Number(length[1]);
    else if (/\r\ntransfer-encoding: *chunked/i.test(head)) {
      // Chunks until the zero-length one (no trailers from the app).
      while (true) {
        const lineEnd = this.#buffer.indexOf("\r\n", bodyStart);
        if (lineEnd < 0) return null;
        const size = parseInt(this.#buffer.toString("latin1", bodyStart, lineEnd), 16);
        bodyStart = lineEnd + 2 + size + 2;
        if (bodyStart > this.#buffer.length) return null;
        if (size === 0) break;
      }
      end = bodyStart;
    } else end = bodyStart;
    if (this.#buffer.length < end) return null;
    this.#buffer = this.#buffer.subarray(end);
    if (/\r\nconnection: *close/i.test(head)) this.socket.end();
    return status;
  }
}

const idle: Connection[] = [];
const waiting: { bytes: Buffer; done: Done }[] = [];
const open = new Set<Connection>();

/**
 * Node's server closes a keep-alive connection after 5 s without a request; a request written just as that happens
 * would be lost with the connection. Connections idle this long are closed here first, and a new one is opened.
 */
const STALE_AFTER_MS = 4_000;

function onIdle(c: Connection): void {
  const next = waiting.shift();
  if (next) return c.send(next.bytes, next.done);
  c.idleSince = performance.now();
  idle.push(c);
}

function send(bytes: Buffer, done: Done): void {
  let c = idle.pop();
  while (c && (c.closed || performance.now() - c.idleSince > STALE_AFTER_MS)) {
    open.delete(c);
    c.socket.destroy();
    c = idle.pop();
  }
  if (c) return c.send(bytes, done);
  if (open.size < maxConnections) return connect().send(bytes, done);
  waiting.push({ bytes, done });
}

function connect(): Connection {
  const c = new Connection(onIdle);
  open.add(c);
  c.socket.once("close", () => {
    open.delete(c);
    // Requests waiting for a connection get a new one if this was the last to carry them.
    const next = waiting.shift();
    if (next) connect().send(next.bytes, next.done);
  });
  return c;
}

function post(bytes: Buffer): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  return new Promise((resolve) => send(bytes, (status) => resolve({ status, ms: performance.now() - started })));
}

const latencies = new Array<number>(deliveries.length);
const ackedAt = new Array<number>(deliveries.length);
const statuses: Record<string, number> = {};
let lastAck = 0;
const cpuAtStart = process.cpuUsage();
const t0 = performance.now();
const pending: Promise<void>[] = [];
for (let i = 0; i < deliveries.length; i++) {
  // Open-loop schedule: request i leaves at t0 + i/rate whether or not earlier ones were answered, so a slow server
  // shows up as latency instead of as a lower request rate.
  const wait = t0 + (i * 1000) / rate - performance.now();
  if (wait > 1) await new Promise((r) => setTimeout(r, wait));
  pending.push(
    post(prepared[i]).then(({ status, ms }) => {
      latencies[i] = ms;
      ackedAt[i] = Math.round(performance.timeOrigin + performance.now());
      statuses[status] = (statuses[status] ?? 0) + 1;
      lastAck = performance.now();
    }),
  );
}
const sendSpanMs = performance.now() - t0;
await Promise.all(pending);
for (const c of idle) c.socket.destroy();
const cpu = process.cpuUsage(cpuAtStart);
const cpuMs = (cpu.user + cpu.system) / 1000;
process.stdout.write(`${JSON.stringify({ sent: deliveries.length, sendSpanMs, ackSpanMs: lastAck - t0, statuses, latencies, ackedAt, cpuMs })}\n`);
