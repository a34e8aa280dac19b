// The ack path's floor for bench:webhooks: a bare node:http server that does only what acknowledging a webhook
// cannot skip — read the body, check X-Shopify-Hmac-Sha256 against the app secret (HMAC-SHA256, constant-time
// compare), and insert the delivery once (ON CONFLICT DO NOTHING on shop + webhook id) into a SQLite file in WAL mode
// with synchronous=NORMAL, as the app's database runs — then answer 200 (401 for a bad signature). No framework, no
// validation, no group commit. Run as its own process: `tsx bench/support/bare-ack-server.ts <sqlite file> <secret>`;
// prints its port on the first line of stdout and serves until killed.
import { createHmac, timingSafeEqual } from "node:crypto";
import http from "node:http";
import Database from "better-sqlite3";

const [file, secret] = process.argv.slice(2);
if (!file || !secret) {
  console.error("usage: tsx bench/support/bare-ack-server.ts <sqlite file> <secret>");
  process.exit(2);
}
const sqlite = new Database(file);
sqlite.pragma("journal_mode = WAL");
sqlite.pragma("synchronous = NORMAL");
sqlite.exec(
  `CREATE TABLE IF NOT EXISTS "BareInbox" ("shop" TEXT NOT NULL, "webhookId" TEXT NOT NULL, "topic" TEXT NOT NULL, "payload" TEXT NOT NULL, "receivedAt" TEXT NOT NULL, PRIMARY KEY ("shop", "webhookId"))`,
);
const insert = sqlite.prepare(`INSERT INTO "BareInbox" VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`);

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    const body = Buffer.concat(chunks);
    const given = Buffer.from(String(req.headers["x-shopify-hmac-sha256"] ?? ""), "base64");
    const expected = createHmac("sha256", secret).update(body).digest();
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      res.writeHead(401).end();
      return;
    }
    insert.run(
      String(req.headers["x-shopify-shop-domain"] ?? ""),
      String(req.headers["x-shopify-webhook-id"] ?? ""),
      String(req.headers["x-shopify-topic"] ?? ""),
      body.toString("utf8"),
      new Date().toISOString(),
    );
    res.writeHead(200, { "Content-Length": "0" }).end();
  });
});
server.keepAliveTimeout = 5_000;
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  process.stdout.write(`${typeof address === "object" && address ? address.port : 0}\n`);
});
