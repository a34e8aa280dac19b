import { randomUUID } from "node:crypto";
import type { Tx } from "~/db/client.server";
import { FLOW_EVENTS_JOB, flowEventsKey } from "~/queue/job-kinds";
import { enqueueJob } from "~/queue/queue.server";
import { flowTriggerHandle, type FlowTrigger } from "~/shared/flow-triggers";

/**
 * The one place a Shopify Flow event is recorded (the outbox): a FlowEvent row keyed per shop, written inside the
 * transaction that caused it, and the shop's sender job queued beside it. The sender (./flow-sender.server.ts) calls
 * Shopify's `flowTriggerReceive` after commit, so a rolled-back transaction sends nothing, and a repeat of the same
 * event (a duplicate delivery, a retry, a second worker) finds its key taken and records nothing.
 */

/** The triggers and their handles live with their fields (app/shared/flow-triggers.ts); re-exported for the recorders. */
export { FLOW_TRIGGERS, flowTriggerHandle, flowTriggerOfHandle, type FlowTrigger } from "~/shared/flow-triggers";

export interface FlowEventInput {
  shop: string;
  trigger: FlowTrigger;
  /** The event's identity in the shop: the same key twice is the same event, recorded and sent once. */
  key: string;
  customerGid: string;
  /** When the event happened (not in the future: the sender runs from then). */
  at: Date;
  /** The trigger's fields by their keys in the extension's TOML (FLOW_TRIGGER_DEFINITIONS in app/shared/flow-triggers.ts), customer excluded. */
  payload: Record<string, unknown>;
}

/** Records `e` unless its key is taken, and queues the shop's sender job. Inside the caller's transaction. */
export async function recordFlowEvent(tx: Tx, e: FlowEventInput): Promise<void> {
  const recordedAt = new Date();
  // ON CONFLICT DO NOTHING, not a caught unique error: on PostgreSQL a failed statement aborts the whole transaction.
  const inserted = await tx.$executeRaw`
    INSERT INTO "FlowEvent" ("id", "shop", "trigger", "key", "customerGid", "payloadJson", "status", "attempts", "at", "createdAt")
    VALUES (${randomUUID()}, ${e.shop}, ${flowTriggerHandle(e.trigger)}, ${e.key}, ${e.customerGid}, ${JSON.stringify(e.payload)},
            'pending', 0, ${e.at}, ${recordedAt})
    ON CONFLICT ("shop", "key") DO NOTHING`;
  if (inserted === 0) return;
  // Due from the event's time, so a worker on any clock (tests, the demo's simulated days) sends it at once.
  const runAt = e.at.getTime() < recordedAt.getTime() ? e.at : recordedAt;
  await enqueueJob(tx, { type: FLOW_EVENTS_JOB, shop: e.shop, key: flowEventsKey(e.shop), runAt }, runAt);
}
