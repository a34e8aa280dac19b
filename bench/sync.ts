// npm run bench:sync — what syncing N members (default 1M) to Shopify costs, in API calls and simulated Shopify time:
//   (a) the bulk path a full recalculation uses (staged JSONL upload + bulkOperationRunMutation per batch of
//       FULL_SYNC_BATCH members, for the metafields and, for members whose level changed, the tier tags), and
//   (b) one metafieldsSet per customer (plus a tag swap for the changed ones) under the standard rate limit.
// Costs come from the stand-in's query cost calculation run on the app's real documents against Shopify's 2026-10
// schema; the leaky bucket is simulated on a virtual clock (no sleeping). Prints one JSON object.
//
// Options: --members N, --changed FRACTION (members whose level changes), --rate POINTS_PER_S (100),
// --bucket POINTS (1000), --latency-ms MS (per request round trip, 100), --bulk-lines-per-second N (Shopify's
// processing rate of bulk mutation lines: not published; 1000 by default, see sensitivity in the output).
import { parse, type FragmentDefinitionNode, type OperationDefinitionNode } from "graphql";
import { FULL_SYNC_BATCH } from "../app/jobs/full-recalculation.server.ts";
import {
  BULK_MUTATION_RUN,
  BULK_OPERATION_STATUS,
  BULK_VARIABLES_STAGED_UPLOAD,
  MEMBER_METAFIELDS_SET,
  MEMBER_METAFIELDS_SET_BULK,
  MEMBER_TIER_TAG_ADD,
  MEMBER_TIER_TAG_SWAP,
} from "../app/shopify/documents.ts";
import { memberMetafields } from "../app/shopify/member-sync.server.ts";
import { MEMBER_METAFIELD_KEYS } from "../app/shared/metafield-keys.ts";
import { tierTag } from "../app/shopify/types.ts";
import { buildMemberSyncRecord } from "../tools/shopify-stand-in/builders.ts";
import { calculateQueryCost } from "../tools/shopify-stand-in/cost.ts";
import { loadShopifySchema } from "../tools/shopify-stand-in/schemas.ts";

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a non-negative number`);
  return value;
}

const MEMBERS = option("members", 1_000_000);
const CHANGED = option("changed", 0.3);
const RATE = option("rate", 100);
const BUCKET = option("bucket", 1000);
const LATENCY_MS = option("latency-ms", 100);
const LINES_PER_S = option("bulk-lines-per-second", 1000);
const BATCH = FULL_SYNC_BATCH;
/** Shopify's cap on a bulk mutation's staged JSONL file. */
const MAX_UPLOAD_BYTES = 100 * 1024 * 1024;

const schema = loadShopifySchema("admin");
function cost(document: string, variables: Record<string, unknown>): number {
  const doc = parse(document);
  const operation = doc.definitions.find((d): d is OperationDefinitionNode => d.kind === "OperationDefinition")!;
  const fragments = Object.fromEntries(
    doc.definitions.filter((d): d is FragmentDefinitionNode => d.kind === "FragmentDefinition").map((f) => [f.name.value, f]),
  );
  return calculateQueryCost(schema, operation, fragments, variables).cost;
}

/** A leaky bucket on a virtual clock: each request waits for its cost, then takes a round trip. */
class SimulatedShop {
  t = 0;
  available = BUCKET;
  calls = 0;
  points = 0;
  request(points: number): void {
    if (this.available < points) {
      const wait = (points - this.available) / RATE;
      this.t += wait;
      this.available = points;
    }
    this.available -= points;
    this.calls++;
    this.points += points;
    const trip = LATENCY_MS / 1000;
    this.t += trip;
    this.available = Math.min(BUCKET, this.available + trip * RATE);
  }
  wait(seconds: number): void {
    this.t += seconds;
    this.available = Math.min(BUCKET, this.available + seconds * RATE);
  }
}

// --- what one member's writes look like -----------------------------------------------------------------------
const sample = Array.from({ length: 100 }, (_, i) =>
  buildMemberSyncRecord(`gid://shopify/Customer/${1_000_000_000 + i}`, {
    previousLevelId: i % 3 === 0 ? "silver" : "gold",
    history: { v: 1, entries: Array.from({ length: 10 }, (_, j) => ({ at: `2026-0${1 + (j % 9)}-02T10:00:00Z`, kind: "earn", points: 10 * j + i })) },
  }),
);
const lines = sample.map((m) => JSON.stringify({ metafields: MEMBER_METAFIELD_KEYS.map((key) => memberMetafields(m)[key]) }));
const lineBytes = Math.ceil(lines.reduce((s, l) => s + Buffer.byteLength(l) + 1, 0) / lines.length);
const tagLineBytes = Buffer.byteLength(JSON.stringify({ id: sample[0].customerGid, tags: [tierTag("platinum")] })) + 1;
const one = sample[0];
const oneMemberVars = { metafields: MEMBER_METAFIELD_KEYS.map((key) => memberMetafields(one)[key]) };
const costs = {
  metafieldsSetPerCustomer: cost(MEMBER_METAFIELDS_SET_BULK, oneMemberVars),
  metafieldsSet25PerCall: cost(MEMBER_METAFIELDS_SET, Object.fromEntries(MEMBER_METAFIELD_KEYS.map((k) => [k, []]))),
  tagSwap: cost(MEMBER_TIER_TAG_SWAP, { id: one.customerGid, add: ["tier:gold"], remove: ["tier:silver"] }),
  stagedUpload: cost(BULK_VARIABLES_STAGED_UPLOAD, {
    input: [{ resource: "BULK_MUTATION_VARIABLES", filename: "x.jsonl", mimeType: "text/jsonl", httpMethod: "POST" }],
  }),
  bulkRun: cost(BULK_MUTATION_RUN, { mutation: MEMBER_TIER_TAG_ADD, stagedUploadPath: "tmp/x" }),
  bulkStatus: cost(BULK_OPERATION_STATUS, { id: "gid://shopify/BulkOperation/1" }),
};
const changed = Math.round(MEMBERS * CHANGED);

// --- (a) the bulk path ------------------------------------------------------------------------------------------
function bulkPath(linesPerSecond: number, byWebhook: boolean) {
  const shop = new SimulatedShop();
  let uploads = 0;
  let uploadBytes = 0;
  let largestUpload = 0;
  let operations = 0;
  let polls = 0;
  const runOperation = (count: number, bytesPerLine: number) => {
    const bytes = count * bytesPerLine;
    if (bytes > MAX_UPLOAD_BYTES) throw new Error(`a ${bytes}-byte upload exceeds Shopify's 100 MB cap: lower FULL_SYNC_BATCH`);
    shop.request(costs.stagedUpload);
    uploads++;
    uploadBytes += bytes;
    largestUpload = Math.max(largestUpload, bytes);
    shop.wait(LATENCY_MS / 1000 + bytes / (50 * 1024 * 1024)); // the multipart POST to storage, at 50 MB/s
    shop.request(costs.bulkRun);
    operations++;
    const runSeconds = count / linesPerSecond;
    if (byWebhook) {
      shop.wait(runSeconds);
      shop.request(costs.bulkStatus); // one read of the finished operation (result URL)
      polls++;
    } else {
      // awaitBulkOperation: 1 s, growing ×1.5 to at most 10 s between polls.
      let waited = 0;
      let interval = 1;
      for (;;) {
        shop.request(costs.bulkStatus);
        polls++;
        if (waited >= runSeconds) break;
        shop.wait(interval);
        waited += interval;
        interval = Math.min(10, Math.ceil(interval * 1.5));
      }
    }
    shop.wait((count * 120) / (50 * 1024 * 1024)); // result JSONL download (~120 B per line)
  };
  for (let done = 0; done < MEMBERS; done += BATCH) {
    const members = Math.min(BATCH, MEMBERS - done);
    runOperation(members, lineBytes);
    const batchChanged = Math.round(members * CHANGED);
    if (batchChanged > 250) {
      runOperation(batchChanged, tagLineBytes); // tagsAdd
      runOperation(batchChanged, tagLineBytes); // tagsRemove
    } else if (batchChanged > 0) {
      for (let i = 0; i < batchChanged; i++) shop.request(costs.tagSwap);
    }
  }
  return {
    apiCalls: shop.calls,
    bulkOperations: operations,
    stagedUploads: uploads,
    statusReads: polls,
    stagedUploadMB: +(uploadBytes / 1048576).toFixed(1),
    largestUploadMB: +(largestUpload / 1048576).toFixed(1),
    pointsSpent: shop.points,
    simulatedSeconds: Math.round(shop.t),
    simulatedHours: +(shop.t / 3600).toFixed(2),
  };
}

// --- (b) one metafieldsSet per customer ---------------------------------------------------------------------------
function perCustomer() {
  const shop = new SimulatedShop();
  for (let i = 0; i < MEMBERS; i++) shop.request(costs.metafieldsSetPerCustomer);
  for (let i = 0; i < changed; i++) shop.request(costs.tagSwap);
  return { apiCalls: shop.calls, pointsSpent: shop.points, simulatedSeconds: Math.round(shop.t), simulatedHours: +(shop.t / 3600).toFixed(2) };
}

/** The app's small-change path for reference: 25 members per metafieldsSet request (3 aliased fields). */
function batchesOf25() {
  const shop = new SimulatedShop();
  for (let i = 0; i < MEMBERS; i += 25) shop.request(costs.metafieldsSet25PerCall);
  for (let i = 0; i < changed; i++) shop.request(costs.tagSwap);
  return { apiCalls: shop.calls, pointsSpent: shop.points, simulatedSeconds: Math.round(shop.t), simulatedHours: +(shop.t / 3600).toFixed(2) };
}

const started = performance.now();
const bulk = bulkPath(LINES_PER_S, false);
const result = {
  members: MEMBERS,
  levelChanged: changed,
  assumptions: {
    restorePointsPerSecond: RATE,
    bucketPoints: BUCKET,
    latencyMs: LATENCY_MS,
    bulkLinesPerSecond: LINES_PER_S,
    membersPerBulkOperation: BATCH,
    jsonlBytesPerMember: lineBytes,
  },
  costPerCall: costs,
  bulk: { polling: bulk, finishWebhook: bulkPath(LINES_PER_S, true) },
  bulkHoursByShopifyLineRate: Object.fromEntries([250, 500, 1000, 2000].map((r) => [r, bulkPath(r, true).simulatedHours])),
  metafieldsSetPerCustomer: perCustomer(),
  metafieldsSet25PerCall: batchesOf25(),
  speedupBulkVsPerCustomer: 0,
  underOneHour: bulk.simulatedSeconds < 3600,
  benchMs: 0,
};
result.speedupBulkVsPerCustomer = +(result.metafieldsSetPerCustomer.simulatedSeconds / bulk.simulatedSeconds).toFixed(1);
result.benchMs = Math.round(performance.now() - started);
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
