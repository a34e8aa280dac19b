import { randomUUID } from "node:crypto";
import type { Prisma } from "@prisma/client";
import type { Db } from "~/db.server";
import { enqueueJob } from "~/jobs/queue.server";
import { normalizeTopic, parseWebhookPayload, payloadShopDomain, WebhookPayloadError, webhookSubjects } from "./webhook-payloads.server";

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

/**
 * The shop's `process-webhooks` job as one batch: enqueueJob's insert (same columns and defaults; ON CONFLICT keeps a
 * queued one), then that job taken back unless inbox row `inboxId` exists, i.e. unless the delivery was new. Plain
 * VALUES and id comparisons only, so PostgreSQL types every parameter from its column as it does for enqueueJob.
 */
function queueDrainerIfStored(db: Db, inboxId: string, shop: string, now: Date) {
  const jobId = randomUUID();
  return [
    db.$executeRaw`
      INSERT INTO "Job" ("id", "type", "shop", "key", "payload", "status", "runAt", "attempts", "maxAttempts", "backoffMs", "progress", "total", "createdAt", "updatedAt")
      VALUES (${jobId}, ${PROCESS_WEBHOOKS_JOB}, ${shop}, ${processWebhooksKey(shop)}, '{}', 'queued', ${now}, 0, 8, 2000, 0, NULL, ${now}, ${now})
      ON CONFLICT ("key") DO NOTHING`,
    db.$executeRaw`DELETE FROM "Job" WHERE "id" = ${jobId} AND NOT EXISTS (SELECT 1 FROM "WebhookInbox" WHERE "id" = ${inboxId})`,
  ];
}

export async function recordWebhook(db: Db, delivery: WebhookDelivery, expectedTopic: string, now: Date = new Date()): Promise<RecordWebhookResult> {
  const topic = normalizeTopic(delivery.topic);
  if (topic !== expectedTopic) {
    return { status: 400, code: "WEBHOOK.TOPIC_MISMATCH", message: `this endpoint receives ${expectedTopic}, the delivery says ${delivery.topic}` };
  }
  if (!delivery.webhookId) return { status: 400, code: "WEBHOOK.MISSING_ID", message: "X-Shopify-Webhook-Id is required" };

  let subjects: { customerGid: string | null; orderGid: string | null };
  try {
    const parsed = parseWebhookPayload(topic, delivery.rawBody);
    const bodyShop = payloadShopDomain(parsed);
    if (bodyShop !== null && bodyShop.toLowerCase() !== delivery.shop.toLowerCase()) {
      return { status: 400, code: "WEBHOOK.SHOP_MISMATCH", message: `the body is about ${bodyShop}, the delivery says ${delivery.shop}` };
    }
    subjects = webhookSubjects(parsed);
  } catch (error) {
    if (error instanceof WebhookPayloadError) return { status: 400, code: error.code, message: error.message };
    throw error;
  }

  const triggeredAt = delivery.triggeredAt && !Number.isNaN(Date.parse(delivery.triggeredAt)) ? new Date(delivery.triggeredAt) : null;
  const id = randomUUID();
  const store = (client: Db | Prisma.TransactionClient) => client.$executeRaw`
      INSERT INTO "WebhookInbox" ("id", "shop", "webhookId", "topic", "eventId", "apiVersion", "triggeredAt", "payload", "customerGid", "orderGid", "receivedAt", "status", "attempts")
      VALUES (${id}, ${delivery.shop}, ${delivery.webhookId}, ${topic}, ${delivery.eventId}, ${delivery.apiVersion}, ${triggeredAt}, ${delivery.rawBody},
              ${subjects.customerGid}, ${subjects.orderGid}, ${now}, 'received', 0)
      ON CONFLICT ("shop", "webhookId") DO NOTHING`;
  let inserted: boolean;
  if (topic === "app/uninstalled") {
    inserted = await db.$transaction(async (tx) => {
      const count = await store(tx);
      if (count > 0) await enqueueJob(tx, { type: PROCESS_WEBHOOKS_JOB, shop: delivery.shop, key: processWebhooksKey(delivery.shop) }, now);
      // The shop's tokens are revoked the moment it uninstalls: forget them now (one indexed delete), not when the
      // worker gets to the purge, so nothing in between can use them.
      if (count > 0) await tx.session.deleteMany({ where: { shop: delivery.shop } });
      return count > 0;
    });
  } else {
    // Every other delivery is one batch transaction, without an interactive transaction's round trips (this is the
    // path Shopify waits on; profiling bench:webhooks showed the interactive one costing about a millisecond a
    // delivery). The drainer is queued only when the row is new.
    const [count] = await db.$transaction([store(db), ...queueDrainerIfStored(db, id, delivery.shop, now)]);
    inserted = count > 0;
  }
  return { status: 200, stored: inserted, duplicate: !inserted, inboxId: inserted ? id : null };
}
