import type { FlowEvent } from "@prisma/client";
import type { Db } from "~/db/client.server";
import { FLOW_EVENTS_JOB, flowEventsKey, flowEventsRetryKey } from "~/queue/job-kinds";
import { enqueueJob } from "~/queue/queue.server";
import { asCaller, type AdminCaller, type AdminGraphqlClient } from "~/shopify/admin-graphql.server";
import { FLOW_TRIGGER_RECEIVE } from "~/shopify/flow-documents";
import { flowFields, flowTriggerOfHandle } from "~/shared/flow-triggers";

/**
 * Sends a shop's pending Flow events to Shopify (`flowTriggerReceive`), oldest first, after the transactions that
 * recorded them have committed (./flow-events.server.ts). A sent event is marked sent and never sent again; a failed
 * send (Shopify's userErrors, or a call that failed after the Admin client's own retries) counts an attempt, keeps the
 * error on the row, and is tried again later with backoff; after FLOW_SEND_MAX_ATTEMPTS it is marked failed, error
 * kept, for the merchant and the operator to see. Jobs of one type run one at a time per shop, so two workers never
 * send the same event.
 */

/** Sends per event before it is marked failed. */
export const FLOW_SEND_MAX_ATTEMPTS = 5;
/** The wait before the second attempt; doubled for each attempt after it, at most FLOW_SEND_MAX_BACKOFF_MS. */
export const FLOW_SEND_BACKOFF_MS = 30_000;
export const FLOW_SEND_MAX_BACKOFF_MS = 30 * 60_000;
/** Events sent per job run; more queue the next run at once. */
export const FLOW_SEND_BATCH = 100;

export const flowSendBackoffMs = (attempts: number): number =>
  Math.min(FLOW_SEND_MAX_BACKOFF_MS, FLOW_SEND_BACKOFF_MS * 2 ** Math.max(0, attempts - 1));

/**
 * The payload flowTriggerReceive gets: the customer as Flow's customer reference (`customer_id`, the numeric id) and
 * exactly the trigger extension's fields (flowFields).
 */
export function flowTriggerPayload(event: Pick<FlowEvent, "trigger" | "customerGid" | "payloadJson">): Record<string, unknown> {
  const trigger = flowTriggerOfHandle(event.trigger);
  if (!trigger) throw new Error(`Tierline has no Flow trigger ${event.trigger}`);
  const id = /\/Customer\/(\d+)$/.exec(event.customerGid)?.[1];
  if (!id) throw new Error(`not a customer GID: ${event.customerGid}`);
  return { customer_id: Number(id), ...flowFields(trigger, JSON.parse(event.payloadJson) as Record<string, unknown>) };
}

export interface FlowSendResult {
  sent: number;
  retrying: number;
  failed: number;
}

interface Outcome {
  ok: boolean;
  error?: string;
}

async function send(admin: AdminCaller, event: FlowEvent): Promise<Outcome> {
  try {
    const payload = flowTriggerPayload(event);
    const data = await admin.request<{ flowTriggerReceive: { userErrors: { field: string[] | null; message: string }[] } | null }>(
      FLOW_TRIGGER_RECEIVE,
      {
        handle: event.trigger,
        payload,
      },
    );
    const errors = data.flowTriggerReceive?.userErrors ?? [];
    if (errors.length === 0) return { ok: true };
    return { ok: false, error: errors.map((e) => (e.field?.length ? `${e.field.join(".")}: ${e.message}` : e.message)).join("; ") };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}

export async function sendPendingFlowEvents(db: Db, client: AdminGraphqlClient | AdminCaller, shop: string, now: Date): Promise<FlowSendResult> {
  const admin = asCaller(client);
  const result: FlowSendResult = { sent: 0, retrying: 0, failed: 0 };
  const pending = await db.flowEvent.findMany({
    where: { shop, status: "pending" },
    orderBy: [{ at: "asc" }, { createdAt: "asc" }, { id: "asc" }],
    take: FLOW_SEND_BATCH,
  });
  let nextRetryAt: number | null = null;
  for (const event of pending) {
    // An event that failed before waits out its backoff (measured from its last attempt, stored as updatedAt-free: sentAt null, at + error).
    const dueAt = event.attempts === 0 ? 0 : lastAttemptAt(event) + flowSendBackoffMs(event.attempts);
    if (dueAt > now.getTime()) {
      nextRetryAt = Math.min(nextRetryAt ?? Infinity, dueAt);
      continue;
    }
    const outcome = await send(admin, event);
    const attempts = event.attempts + 1;
    if (outcome.ok) {
      await db.flowEvent.updateMany({ where: { id: event.id, status: "pending" }, data: { status: "sent", attempts, sentAt: now, error: null } });
      result.sent++;
    } else if (attempts >= FLOW_SEND_MAX_ATTEMPTS) {
      await db.flowEvent.updateMany({
        where: { id: event.id, status: "pending" },
        data: { status: "failed", attempts, error: attemptError(now, outcome.error) },
      });
      result.failed++;
    } else {
      await db.flowEvent.updateMany({ where: { id: event.id, status: "pending" }, data: { attempts, error: attemptError(now, outcome.error) } });
      result.retrying++;
      const dueNext = now.getTime() + flowSendBackoffMs(attempts);
      nextRetryAt = Math.min(nextRetryAt ?? Infinity, dueNext);
    }
  }
  if (pending.length === FLOW_SEND_BATCH) await enqueueJob(db, { type: FLOW_EVENTS_JOB, shop, key: flowEventsKey(shop) }, now);
  if (nextRetryAt !== null) await enqueueJob(db, { type: FLOW_EVENTS_JOB, shop, key: flowEventsRetryKey(shop), runAt: new Date(nextRetryAt) }, now);
  return result;
}

/**
 * The error kept on the row, prefixed with the attempt's time: the row has no column of its own for the last
 * attempt, and the backoff is measured from it.
 */
function attemptError(now: Date, message = "unknown error"): string {
  return `${now.toISOString()} ${message}`;
}

function lastAttemptAt(event: FlowEvent): number {
  const stamp = event.error ? Date.parse(event.error.slice(0, 24)) : NaN;
  return Number.isFinite(stamp) ? stamp : event.createdAt.getTime();
}
