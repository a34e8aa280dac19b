import { randomUUID } from "node:crypto";
import type { Db } from "~/db.server";
import { enqueueJob } from "~/jobs/queue.server";
import { normalizeTopic, parseWebhookPayload, WebhookPayloadError, webhookSubjects } from "./webhook-payloads.server";

/**
 * The webhook inbox: a delivery is validated, stored and acknowledged, nothing more. The work it causes runs in the
 * worker (job `process-webhooks`, one per shop at a time), so the answer to Shopify takes milliseconds and a crash
 * after the answer loses nothing. Shopify retries a delivery with the same X-Shopify-Webhook-Id, which is the
 * inbox's unique key: a repeat is acknowledged and ignored.
 */

export interface WebhookDelivery {
  shop: string;
  topic: string;
  webhookId: string;
  eventId: string | null;
  triggeredAt: string | null;
  apiVersion: string | null;
  rawBody: string;
}

export type RecordWebhookResult =
  | { status: 200; stored: boolean; duplicate: boolean; inboxId: string | null }
  | { status: 400; code: string; message: string };

export const PROCESS_WEBHOOKS_JOB = "process-webhooks";
export const processWebhooksKey = (shop: string) => `${PROCESS_WEBHOOKS_JOB}:${shop}`;

export async function recordWebhook(db: Db, delivery: WebhookDelivery, expectedTopic: string, now: Date = new Date()): Promise<RecordWebhookResult> {
  const topic = normalizeTopic(delivery.topic);
  if (topic !== expectedTopic) {
    return { status: 400, code: "WEBHOOK.TOPIC_MISMATCH", message: `this endpoint receives ${expectedTopic}, the delivery says ${delivery.topic}` };
  }
  if (!delivery.webhookId) return { status: 400, code: "WEBHOOK.MISSING_ID", message: "X-Shopify-Webhook-Id is required" };

  let subjects: { customerGid: string | null; orderGid: string | null };
  try {
    subjects = webhookSubjects(parseWebhookPayload(topic, delivery.rawBody));
  } catch (error) {
    if (error instanceof WebhookPayloadError) return { status: 400, code: error.code, message: error.message };
    throw error;
  }

  const triggeredAt = delivery.triggeredAt && !Number.isNaN(Date.parse(delivery.triggeredAt)) ? new Date(delivery.triggeredAt) : null;
  const id = randomUUID();
  const inserted = await db.$transaction(async (tx) => {
    const count = await tx.$executeRaw`
      INSERT INTO "WebhookInbox" ("id", "shop", "webhookId", "topic", "eventId", "apiVersion", "triggeredAt", "payload", "customerGid", "orderGid", "receivedAt", "status", "attempts")
      VALUES (${id}, ${delivery.shop}, ${delivery.webhookId}, ${topic}, ${delivery.eventId}, ${delivery.apiVersion}, ${triggeredAt}, ${delivery.rawBody},
              ${subjects.customerGid}, ${subjects.orderGid}, ${now}, 'received', 0)
      ON CONFLICT ("shop", "webhookId") DO NOTHING`;
    if (count > 0) await enqueueJob(tx, { type: PROCESS_WEBHOOKS_JOB, shop: delivery.shop, key: processWebhooksKey(delivery.shop) }, now);
    // The shop's tokens are revoked the moment it uninstalls: forget them now (one indexed delete), not when the
    // worker gets to the purge, so nothing in between can use them.
    if (count > 0 && topic === "app/uninstalled") await tx.session.deleteMany({ where: { shop: delivery.shop } });
    return count > 0;
  });
  return { status: 200, stored: inserted, duplicate: !inserted, inboxId: inserted ? id : null };
}
