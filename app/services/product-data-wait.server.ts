import type { DbOrTx } from "~/db/client.server";
import { scopesMatterBefore } from "~/domain/program-scopes";
import { RESOLVE_ORDER_SCOPES_JOB, resolveOrderScopesKey } from "~/queue/job-kinds";
import { enqueueJob } from "~/queue/queue.server";
import type { ShopContext } from "./shop-context.server";

/**
 * Members who wait for product data: while a program that reads collections or tags applies to one of their paid
 * orders whose lines' collections and tags are not known yet (a live order the worker has not resolved), folding them
 * would count that order as "in no collection, no tag": exclusions silently ignored, levels wrong. So every fold
 * (the webhook drainer, reviews, the admin's recompute, a publish's full recalculation) leaves them as they are, and
 * the resolver (job `resolve-order-scopes`, app/services/order-scopes.server.ts) recomputes them once their orders
 * are resolved. Programs without collection or tag scopes hold no one, and cost no query here.
 */

/**
 * The resolver's job: one per shop, deduped; failures retry with backoff (5 s doubling, capped at an hour). A job
 * waiting for its retry is queued too (without its key, which the queue releases at a claim), so it is looked for
 * here: new work waits for the retry instead of starting a second chain of retries. `unlessRunning` (the folds'
 * backstop): nothing either while the resolver runs, which picks up every unresolved order before it stops; a new
 * order queues the next run (the one running may have looked already).
 */
export async function queueScopeResolution(db: DbOrTx, shop: string, now: Date, opts: { unlessRunning?: boolean } = {}): Promise<boolean> {
  const pending = await db.job.findFirst({
    where: { shop, type: RESOLVE_ORDER_SCOPES_JOB, status: { in: opts.unlessRunning ? ["queued", "running"] : ["queued"] } },
    select: { id: true },
  });
  if (pending) return false;
  return enqueueJob(db, { type: RESOLVE_ORDER_SCOPES_JOB, shop, key: resolveOrderScopesKey(shop), maxAttempts: 20, backoffMs: 5_000 }, now);
}

/**
 * The customers among `customerGids` to leave for the resolver (one indexed query, none when no published version
 * reads collections or tags), making sure the resolver is queued when there are any.
 */
export async function customersWaitingForProductData(db: DbOrTx, ctx: ShopContext, customerGids: string[], now: Date): Promise<Set<string>> {
  const before = scopesMatterBefore(ctx.versions);
  if (before === null || customerGids.length === 0) return new Set();
  const rows = await db.orderFact.findMany({
    where: {
      shop: ctx.shop,
      customerGid: { in: customerGids },
      paidAt: Number.isFinite(before) ? { not: null, lt: new Date(before) } : { not: null },
      test: false,
      scopeState: "unresolved",
    },
    select: { customerGid: true },
    distinct: ["customerGid"],
  });
  const waiting = new Set(rows.map((r) => r.customerGid!));
  if (waiting.size) await queueScopeResolution(db, ctx.shop, now, { unlessRunning: true });
  return waiting;
}
