import type { WebhookInbox } from "@prisma/client";
import type { Db } from "~/db/client.server";
import { rowsForTime } from "~/db/transaction-size.server";
import { recalculateMembers } from "~/services/member-recalculation.server";
import { loadShopContext } from "~/services/shop-context.server";
import {
  applyFactDeliveries,
  applyInboxRow,
  FACT_DELIVERY_TOPICS,
  markInboxRowsProcessed,
  profilesFromRows,
  type ApplyResult,
} from "~/services/webhook-apply.server";
import { parseWebhookPayload, type ParsedWebhook } from "~/services/webhook-payloads.server";
import { moveSpooledDeliveries } from "~/services/webhook-inbox-store.server";
import { PROCESS_WEBHOOKS_JOB, processWebhooksKey } from "~/queue/job-kinds";
import { describeError, enqueueJob } from "~/queue/queue.server";
import type { JobContext } from "./worker.server";

/**
 * The inbox drainer (job `process-webhooks`, one per shop at a time). Step 1 applies received deliveries in arrival
 * order, turning them into facts: order, refund and customer deliveries a group per transaction (at most
 * APPLY_GROUP_ROWS rows, written together by applyFactDeliveries), any other topic alone. A group that fails is
 * applied again one delivery at a time, so a bad delivery is retried alone (MAX_ROW_ATTEMPTS, then set aside) while
 * the good ones land. Step 2 recomputes every member those facts touched, a chunk of members per transaction (rows
 * left `applied` by a run that died are picked up here too), then marks the rows processed. Every write is
 * idempotent, so a run killed anywhere and started again ends in the same state.
 */

/** Deliveries read per pass; each member they touch is recomputed once per pass. */
export const INBOX_BATCH = 1000;
/** Deliveries applied in one transaction, at most: their facts cost a few statements together (applyFactDeliveries). */
export const APPLY_GROUP_ROWS = 200;
/** Members recomputed per transaction, at most (their facts read, folded and written together: recalculateMembers). */
export const RECOMPUTE_CHUNK = 200;
/**
 * How long (ms) one of the drainer's transactions should last: groups and chunks are sized from the last one's time
 * per row, so a webhook insert waiting for SQLite's single writer (the web process) waits at most about this long,
 * on a quiet machine or a busy one. Each transaction has a fixed cost, and under a sustained burst the machine's CPU
 * is shared by the acks, the drain and the sync: with 15 ms the drain spent a third more CPU per delivery and fell
 * behind. Measured by bench:webhooks (30 s at 500/s, worker and sync running): 40 ms against 15 ms, the drain 30 s
 * of work against 46 s, level freshness p50 8.7 s against 19.6 s, and the ack p99 no worse (120 ms against 148 ms).
 */
export const DRAIN_TRANSACTION_MS = 40;
/** The smallest group: below it, a transaction's fixed cost dominates. */
const MIN_GROUP_ROWS = 8;
/**
 * How long one run drains before it hands over (ms). Under a sustained burst the inbox never empties, and the sync
 * that carries the new levels to Shopify must not wait for the burst to end (bench:webhooks, level freshness).
 */
export const DRAIN_RUN_MS = 2_000;
/** Failed applications of one delivery before it is set aside (status failed) instead of blocking the shop. */
export const MAX_ROW_ATTEMPTS = 5;

export async function processWebhooksJob(ctx: JobContext): Promise<void> {
  const shop = ctx.job.shop;
  if (!shop) throw new Error("process-webhooks needs a shop");
  const started = performance.now();
  while (true) {
    // What the web process spooled since the last pass joins the inbox first (webhook-inbox-store.server.ts).
    await moveSpooledDeliveries(ctx.db);
    // Bodies parsed while applying, kept for the members' profiles (a body's validation costs more than its facts).
    const parsedById = new Map<string, ParsedWebhook>();
    const { received, purged } = await applyReceived(ctx.db, shop, ctx, parsedById);
    if (purged) return;
    await recomputeApplied(ctx.db, shop, ctx, parsedById);
    if (received < INBOX_BATCH) return;
    if (performance.now() - started >= (ctx.deps.drainRunMs ?? DRAIN_RUN_MS)) {
      // Deliveries keep coming: the shop's other jobs (the members' sync above all, queued by the passes so far) take
      // their turn, and the rest of the inbox is drained after them.
      await enqueueJob(ctx.db, { type: PROCESS_WEBHOOKS_JOB, shop, key: processWebhooksKey(shop) }, ctx.now());
      return;
    }
    await ctx.heartbeat();
  }
}

async function applyReceived(
  db: Db,
  shop: string,
  ctx: JobContext,
  parsedById: Map<string, ParsedWebhook>,
): Promise<{ received: number; purged: boolean }> {
  const rows = await db.webhookInbox.findMany({
    where: { shop, status: "received" },
    orderBy: [{ receivedAt: "asc" }, { id: "asc" }],
    take: INBOX_BATCH,
  });
  if (rows.length === 0) return { received: 0, purged: false };
  const shopRow = await db.shop.findUnique({ where: { domain: shop }, select: { uninstalledAt: true } });
  const shopUninstalled = shopRow?.uninstalledAt != null;
  let index = 0;
  const landed = async (row: WebhookInbox) => {
    ctx.advanced();
    const at = index++;
    await ctx.deps.hooks?.afterInboxRow?.({ shop, rowId: row.id, index: at, job: ctx.job });
  };
  // Each body is validated once; null: it cannot share a transaction (another topic, failed before, redacted).
  const groupable = rows.map((row) => (shopUninstalled ? null : groupableDelivery(row)));
  for (const [i, parsed] of groupable.entries()) if (parsed) parsedById.set(rows[i].id, parsed);

  let groupRows = MIN_GROUP_ROWS;
  for (let i = 0; i < rows.length;) {
    let end = i;
    while (end < rows.length && end - i < groupRows && groupable[end]) end++;
    if (end === i) {
      // Another topic, a delivery that failed before, or an uninstalled shop: alone, as it always was.
      const result = await applyAlone(db, rows[i], ctx, shopUninstalled);
      if (result?.purged) return { received: rows.length, purged: true };
      await landed(rows[i++]);
      continue;
    }
    const group = rows.slice(i, end).map((row, k) => ({ id: row.id, parsed: groupable[i + k]! }));
    const ms = await applyGroup(db, shop, group, ctx.now());
    if (ms !== null) groupRows = rowsForTime({ ms, rows: group.length }, DRAIN_TRANSACTION_MS, { min: MIN_GROUP_ROWS, max: APPLY_GROUP_ROWS });
    if (ms === null) {
      // Something in the group failed and nothing of it was written: one by one, so the bad one fails alone (and
      // throws, retrying the job, until it is set aside) and the ones before it land.
      for (const row of rows.slice(i, end)) {
        await applyAlone(db, row, ctx, false);
        await landed(row);
      }
    } else for (const row of rows.slice(i, end)) await landed(row);
    i = end;
  }
  return { received: rows.length, purged: false };
}

/** A delivery that can share a transaction with others (its body parsed), or null. */
function groupableDelivery(row: WebhookInbox): ParsedWebhook | null {
  if (row.attempts > 0 || !FACT_DELIVERY_TOPICS.has(row.topic)) return null;
  try {
    return parseWebhookPayload(row.topic, row.payload);
  } catch {
    return null; // a redacted body: applyInboxRow sets it aside
  }
}

/**
 * Applies a group's deliveries in one transaction; how long it held the transaction (ms), or null when any of them
 * failed (nothing of the group was written).
 */
async function applyGroup(db: Db, shop: string, group: { id: string; parsed: ParsedWebhook }[], now: Date): Promise<number | null> {
  try {
    return await db.$transaction(
      async (tx) => {
        const started = performance.now();
        await applyFactDeliveries(tx, shop, group, now);
        return performance.now() - started;
      },
      { timeout: 60_000 },
    );
  } catch {
    return null;
  }
}

/** One delivery in its own transaction; a failure counts against its attempts and, until it is set aside, throws. */
async function applyAlone(db: Db, row: WebhookInbox, ctx: JobContext, shopUninstalled: boolean): Promise<ApplyResult | null> {
  try {
    return await applyInboxRow(db, row, { now: ctx.now(), shopUninstalled });
  } catch (error) {
    const attempts = row.attempts + 1;
    await db.webhookInbox.update({
      where: { id: row.id },
      data: { attempts, error: describeError(error), ...(attempts >= MAX_ROW_ATTEMPTS ? { status: "failed", processedAt: ctx.now() } : {}) },
    });
    // Retry the job (with backoff) so later deliveries of this shop are not applied ahead of this one. Each delivery
    // has its own budget of attempts; the job's count restarts once one is applied or set aside, so two bad
    // deliveries in a row do not dead-letter the shop's drainer.
    if (attempts < MAX_ROW_ATTEMPTS) throw error;
    return null;
  }
}

async function recomputeApplied(db: Db, shop: string, ctx: JobContext, parsedById: Map<string, ParsedWebhook>): Promise<void> {
  const applied = await db.webhookInbox.findMany({ where: { shop, status: "applied" }, orderBy: [{ receivedAt: "asc" }, { id: "asc" }] });
  if (applied.length === 0) return;
  const customers = [...new Set(applied.flatMap((r) => JSON.parse(r.touchedJson ?? "[]") as string[]))].sort();
  const shopCtx = await loadShopContext(db, shop);
  let index = 0;
  await recalculateMembers(db, shopCtx, customers, {
    now: ctx.now(),
    profiles: profilesFromRows(applied, (row) => parsedById.get(row.id) ?? parseWebhookPayload(row.topic, row.payload)),
    origin: "live",
    chunkSize: RECOMPUTE_CHUNK,
    chunkMs: DRAIN_TRANSACTION_MS,
    afterMember: async ({ customerGid }) => {
      const at = index++; // counted outside the optional call: `?.` skips its arguments when there is no hook
      await ctx.deps.hooks?.afterMember?.({ shop, customerGid, index: at, job: ctx.job });
      if ((at + 1) % 500 === 0) await ctx.heartbeat();
    },
  });
  await markInboxRowsProcessed(
    db,
    applied.map((r) => r.id),
    ctx.now(),
    { onlyApplied: true },
  );
}
