import type { Db } from "~/db/client.server";
import { recalculateMember } from "~/services/member-recalculation.server";
import { loadShopContext } from "~/services/shop-context.server";
import { applyInboxRow, profilesFromRows } from "~/services/webhook-apply.server";
import { describeError } from "~/queue/queue.server";
import type { JobContext, WorkerHooks } from "./worker.server";

/**
 * The inbox drainer (job `process-webhooks`, one per shop at a time). Step 1 applies received deliveries in arrival
 * order, each in its own transaction, turning them into facts. Step 2 recomputes every member those facts touched
 * (rows left `applied` by a run that died are picked up here too), then marks the rows processed. Every write is
 * idempotent, so a run killed anywhere and started again ends in the same state.
 */

export const INBOX_BATCH = 200;
/** Failed applications of one delivery before it is set aside (status failed) instead of blocking the shop. */
export const MAX_ROW_ATTEMPTS = 5;

export async function processWebhooksJob(ctx: JobContext): Promise<void> {
  const shop = ctx.job.shop;
  if (!shop) throw new Error("process-webhooks needs a shop");
  while (true) {
    const { received, purged } = await applyReceived(ctx.db, shop, ctx);
    if (purged) return;
    await recomputeApplied(ctx.db, shop, ctx, ctx.deps.hooks);
    if (received < INBOX_BATCH) return;
    await ctx.heartbeat();
  }
}

async function applyReceived(db: Db, shop: string, ctx: JobContext): Promise<{ received: number; purged: boolean }> {
  const rows = await db.webhookInbox.findMany({
    where: { shop, status: "received" },
    orderBy: [{ receivedAt: "asc" }, { id: "asc" }],
    take: INBOX_BATCH,
  });
  if (rows.length === 0) return { received: 0, purged: false };
  const shopRow = await db.shop.findUnique({ where: { domain: shop }, select: { uninstalledAt: true } });
  for (const [index, row] of rows.entries()) {
    try {
      const result = await applyInboxRow(db, row, { now: ctx.now(), shopUninstalled: shopRow?.uninstalledAt != null });
      if (result.purged) return { received: rows.length, purged: true };
      ctx.advanced();
      await ctx.deps.hooks?.afterInboxRow?.({ shop, rowId: row.id, index, job: ctx.job });
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
      ctx.advanced();
    }
  }
  return { received: rows.length, purged: false };
}

async function recomputeApplied(db: Db, shop: string, ctx: JobContext, hooks: WorkerHooks | undefined): Promise<void> {
  const applied = await db.webhookInbox.findMany({ where: { shop, status: "applied" }, orderBy: [{ receivedAt: "asc" }, { id: "asc" }] });
  if (applied.length === 0) return;
  const customers = [...new Set(applied.flatMap((r) => JSON.parse(r.touchedJson ?? "[]") as string[]))].sort();
  const profiles = profilesFromRows(applied);
  const shopCtx = await loadShopContext(db, shop);
  let index = 0;
  for (const customerGid of customers) {
    await recalculateMember(db, shopCtx, customerGid, { now: ctx.now(), profile: profiles.get(customerGid) ?? null, origin: "live" });
    await hooks?.afterMember?.({ shop, customerGid, index: index++, job: ctx.job });
    if (index % 100 === 0) await ctx.heartbeat();
  }
  await db.webhookInbox.updateMany({
    where: { id: { in: applied.map((r) => r.id) }, status: "applied" },
    data: { status: "processed", processedAt: ctx.now() },
  });
}
