import type { WebhookInbox } from "@prisma/client";
import type { Db } from "~/db/client.server";
import { recalculateMembers } from "~/services/member-recalculation.server";
import { loadShopContext } from "~/services/shop-context.server";
import { applyInboxRow, applyParsedDelivery, profilesFromRows, recordApplyOutcomes, type ApplyResult } from "~/services/webhook-apply.server";
import { parseWebhookPayload, type ParsedWebhook } from "~/services/webhook-payloads.server";
import { describeError } from "~/queue/queue.server";
import type { JobContext } from "./worker.server";

/**
 * The inbox drainer (job `process-webhooks`, one per shop at a time). Step 1 applies received deliveries in arrival
 * order, turning them into facts: order, refund and customer deliveries a group per transaction (at most
 * APPLY_GROUP_ROWS rows, closed after APPLY_GROUP_MS so the web process's acks never wait long for the database), any
 * other topic alone. A group that fails is applied again one delivery at a time, so a bad delivery is retried alone
 * (MAX_ROW_ATTEMPTS, then set aside) while the good ones land. Step 2 recomputes every member those facts touched, a
 * chunk of members per transaction (rows left `applied` by a run that died are picked up here too), then marks the
 * rows processed. Every write is idempotent, so a run killed anywhere and started again ends in the same state.
 */

/** Deliveries read per pass; each member they touch is recomputed once per pass. */
export const INBOX_BATCH = 1000;
/** Deliveries applied in one transaction, at most. */
export const APPLY_GROUP_ROWS = 200;
/**
 * A group's transaction takes no further delivery once it has been open this long (ms) and holds at least
 * APPLY_GROUP_MIN_ROWS: short enough that an ack waiting for SQLite's single writer is not held up, long enough that a
 * loaded machine (where every statement takes longer) still applies deliveries in groups rather than one by one.
 */
export const APPLY_GROUP_MS = 20;
export const APPLY_GROUP_MIN_ROWS = 8;
/** Members recomputed per transaction. */
export const RECOMPUTE_CHUNK = 20;
/** Failed applications of one delivery before it is set aside (status failed) instead of blocking the shop. */
export const MAX_ROW_ATTEMPTS = 5;

/** Topics whose deliveries only write facts (and their keyed follow-ups), so many can share one transaction. */
const GROUPED_TOPICS = new Set(["orders/paid", "orders/updated", "orders/cancelled", "refunds/create", "customers/create", "customers/update"]);

export async function processWebhooksJob(ctx: JobContext): Promise<void> {
  const shop = ctx.job.shop;
  if (!shop) throw new Error("process-webhooks needs a shop");
  while (true) {
    // Bodies parsed while applying, kept for the members' profiles (a body's validation costs more than its facts).
    const parsedById = new Map<string, ParsedWebhook>();
    const { received, purged } = await applyReceived(ctx.db, shop, ctx, parsedById);
    if (purged) return;
    await recomputeApplied(ctx.db, shop, ctx, parsedById);
    if (received < INBOX_BATCH) return;
    await ctx.heartbeat();
  }
}

type Parsed = { row: WebhookInbox; parsed: ParsedWebhook };

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
    await ctx.deps.hooks?.afterInboxRow?.({ shop, rowId: row.id, index: index++, job: ctx.job });
  };

  for (let i = 0; i < rows.length;) {
    const group = shopUninstalled ? [] : groupFrom(rows, i);
    for (const { row, parsed } of group) parsedById.set(row.id, parsed);
    if (group.length === 0) {
      // Another topic, a delivery that failed before, or an uninstalled shop: alone, as it always was.
      const result = await applyAlone(db, rows[i], ctx, shopUninstalled);
      if (result?.purged) return { received: rows.length, purged: true };
      await landed(rows[i++]);
      continue;
    }
    const applied = await applyGroup(db, group, ctx.now());
    if (applied === null) {
      // Something in the group failed and nothing of it was written: one by one, so the bad one fails alone (and
      // throws, retrying the job, until it is set aside) and the ones before it land.
      for (const { row } of group) {
        await applyAlone(db, row, ctx, false);
        await landed(row);
      }
      i += group.length;
    } else {
      for (const { row } of group.slice(0, applied)) await landed(row);
      i += applied;
    }
  }
  return { received: rows.length, purged: false };
}

/** The deliveries from `start` on that can share a transaction: grouped topics, never failed before, in arrival order. */
function groupFrom(rows: WebhookInbox[], start: number): Parsed[] {
  const group: Parsed[] = [];
  for (let i = start; i < rows.length && group.length < APPLY_GROUP_ROWS; i++) {
    const row = rows[i];
    if (row.attempts > 0 || !GROUPED_TOPICS.has(row.topic)) break;
    let parsed: ParsedWebhook;
    try {
      parsed = parseWebhookPayload(row.topic, row.payload);
    } catch {
      break; // a redacted body: applyInboxRow sets it aside
    }
    group.push({ row, parsed });
  }
  return group;
}

/**
 * Applies a group's deliveries in one transaction, in order, until APPLY_GROUP_MS have passed; returns how many (at
 * least one), or null when any of them failed (the transaction rolled back: nothing of the group was written).
 */
async function applyGroup(db: Db, group: Parsed[], now: Date): Promise<number | null> {
  try {
    return await db.$transaction(
      async (tx) => {
        const started = performance.now();
        const outcomes: { id: string; result: ApplyResult }[] = [];
        for (const { row, parsed } of group) {
          outcomes.push({ id: row.id, result: await applyParsedDelivery(tx, row, parsed, { now, shopUninstalled: false }) });
          if (outcomes.length >= APPLY_GROUP_MIN_ROWS && performance.now() - started >= APPLY_GROUP_MS) break;
        }
        await recordApplyOutcomes(tx, outcomes, now);
        return outcomes.length;
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
    afterMember: async ({ customerGid }) => {
      await ctx.deps.hooks?.afterMember?.({ shop, customerGid, index: index++, job: ctx.job });
      if (index % 100 === 0) await ctx.heartbeat();
    },
  });
  await db.webhookInbox.updateMany({
    where: { id: { in: applied.map((r) => r.id) }, status: "applied" },
    data: { status: "processed", processedAt: ctx.now() },
  });
}
