// The production server (`npm start`): what `remix-serve build/server/index.js` does (compression, the build's
// static assets, public/, a request log, Remix for everything), plus one fast path. A POST to a webhook route goes
// straight to that route module's action, as Remix calls a resource route's action, without Express, compression,
// the request log and Remix's route matching in between: at hundreds of deliveries a second those cost more than
// the delivery's own work (bench:webhooks). The action is the same code either way (app/routes/webhooks.*.tsx:
// body limits, HMAC, validation, the inbox). Express and its middleware are taken from @remix-run/serve's own
// dependencies, so they are the versions remix-serve runs.
import "./scripts/check-node-version.js"; // first: stops on Node < 22 before anything native loads
import { Buffer } from "node:buffer";
import console from "node:console";
import { createRequire } from "node:module";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import process from "node:process";
import { setTimeout } from "node:timers";
import url from "node:url";
import { createReadableStreamFromReadable, installGlobals } from "@remix-run/node";

const fromRemixServe = createRequire(createRequire(import.meta.url).resolve("@remix-run/serve/package.json"));
const express = fromRemixServe("express");
const compression = fromRemixServe("compression");
const morgan = fromRemixServe("morgan");
const sourceMapSupport = fromRemixServe("source-map-support");
const { createRequestHandler } = fromRemixServe("@remix-run/express");

process.env.NODE_ENV = process.env.NODE_ENV ?? "production";
sourceMapSupport.install({
  retrieveSourceMap(source) {
    if (!source.startsWith("file://")) return null;
    const mapPath = `${url.fileURLToPath(source)}.map`;
    return fs.existsSync(mapPath) ? { url: source, map: fs.readFileSync(mapPath, "utf8") } : null;
  },
});

// Webhook deliveries are stored in the spool, a SQLite file of their own beside the database, so an answer never waits
// for the worker's transactions on the main file; the worker moves them into the inbox (app/db/sqlite-spool.server.ts,
// app/services/webhook-inbox-store.server.ts). TIERLINE_SPOOL=off stores them in the inbox directly. PostgreSQL has
// no single writer and ignores it.
process.env.TIERLINE_SPOOL = process.env.TIERLINE_SPOOL ?? "on";

const buildPath = path.resolve(process.argv[2] ?? "build/server/index.js");
const build = await import(url.pathToFileURL(buildPath).href);
installGlobals({ nativeFetch: build.future.v3_singleFetch });
// The fetch classes the build sees (installGlobals may have replaced Node's own).
const { AbortController, Headers, Request, Response } = globalThis;

/** "/webhooks/orders/paid" → the action of routes/webhooks.orders.paid (resource routes: no component). */
const webhookActions = new Map(
  Object.values(build.routes)
    .filter((route) => route.id.startsWith("routes/webhooks.") && route.module.action && !route.module.default)
    .map((route) => [`/${route.path}`, route.module.action]),
);

/** Bodies up to this size (by Content-Length) are read before the action runs; larger or unsized ones are streamed. */
const BUFFERED_BODY_BYTES = 1024 * 1024;

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on("data", (chunk) => chunks.push(chunk));
    req.on("end", () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    req.on("error", reject);
    req.on("close", () => {
      if (!req.complete) reject(new Error("the client closed the connection before the body ended"));
    });
  });
}

/** A webhook delivery, answered by its route's action. Errors are answered as Remix answers them for a resource route. */
async function answerWebhook(req, res, action) {
  const controller = new AbortController();
  res.on("close", () => {
    if (!res.writableFinished) controller.abort();
  });
  const requestHeaders = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) requestHeaders.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
  const declared = Number(req.headers["content-length"]);
  const body = declared <= BUFFERED_BODY_BYTES ? await readBody(req) : createReadableStreamFromReadable(req);
  const request = new Request(`http://${req.headers.host ?? "localhost"}${req.url}`, {
    method: req.method,
    headers: requestHeaders,
    body,
    duplex: "half",
    signal: controller.signal,
  });
  let response;
  try {
    response = await action({ request, params: {}, context: {} });
  } catch (thrown) {
    if (thrown instanceof Response) response = thrown;
    else {
      console.error(thrown);
      response = new Response("Unexpected Server Error", { status: 500, headers: { "Content-Type": "text/plain" } });
    }
  }
  const text = response.body ? Buffer.from(await response.arrayBuffer()) : null;
  const headers = [...response.headers].flat();
  if (response.statusText) res.writeHead(response.status, response.statusText, headers);
  else res.writeHead(response.status, headers);
  res.end(text);
  // The request log keeps what needs a look: every refused or failed delivery (a 200 is the normal case).
  if (response.status !== 200) console.log(`${req.method} ${req.url} ${response.status} ${text?.length ?? "-"}`);
}

const app = express();
app.disable("x-powered-by");
app.use(compression());
app.use(build.publicPath, express.static(build.assetsBuildDirectory, { immutable: true, maxAge: "1y" }));
app.use(express.static("public", { maxAge: "1h" }));
app.use(morgan("tiny"));
app.all("*", createRequestHandler({ build, mode: process.env.NODE_ENV }));

const server = http.createServer((req, res) => {
  const action = req.method === "POST" ? webhookActions.get(req.url) : undefined;
  if (!action) return app(req, res);
  answerWebhook(req, res, action).catch((error) => {
    console.error(error);
    if (!res.headersSent) res.writeHead(500);
    res.end();
  });
});

// The webhook path's first use (database connection, Prisma's query compiler, the library's code) happens here, not
// while the first deliveries after a deploy wait (app/shopify.server.ts, warmUpWebhooks).
// At most WARM_UP_MS: a database that does not answer must not keep the server from listening (its health check says so).
const WARM_UP_MS = 10_000;
if (typeof build.entry.module.warmUp === "function") {
  const warmUp = build.entry.module
    .warmUp()
    .catch((error) => console.warn(`[tierline] warm-up failed (the first requests pay for it): ${error?.message ?? error}`));
  await Promise.race([warmUp, new Promise((resolve) => setTimeout(resolve, WARM_UP_MS).unref())]);
}

const port = Number(process.env.PORT ?? 3000);
const onListen = () => console.log(`[tierline] http://${process.env.HOST ?? "localhost"}:${port}`);
if (process.env.HOST) server.listen(port, process.env.HOST, onListen);
else server.listen(port, onListen);
for (const signal of ["SIGTERM", "SIGINT"]) process.once(signal, () => server.close(console.error));
