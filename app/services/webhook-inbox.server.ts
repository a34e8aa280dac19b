import { randomUUID } from "node:crypto";
import type { Db } from "~/db/client.server";
import { prepareInboxStore, storeInboxRow, storeUninstallRow, type InboxRow } from "./webhook-inbox-store.server";
import {
  normalizeTopic,
  parseWebhookPayload,
  payloadShopDomain,
  WEBHOOK_TOPICS,
  WebhookPayloadError,
  webhookSubjects,
} from "./webhook-payloads.server";

/**
 * The webhook inbox: a delivery is validated, stored and acknowledged, nothing more. The work it causes runs in the
 * worker (job `process-webhooks`, one per shop at a time), so the answer to Shopify takes milliseconds and a crash
 * after the answer loses nothing. Shopify retries a delivery with the same X-Shopify-Webhook-Id, which is the
 * inbox's unique key: a repeat is acknowledged and ignored.
 *
 * Storing (group commit, the SQLite fast path, the drainer job queued with the rows) is the inbox store's:
 * webhook-inbox-store.server.ts.
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
  { status: 200; stored: boolean; duplicate: boolean; inboxId: string | null } | { status: 400; code: string; message: string };

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
  const row: InboxRow = {
    id: randomUUID(),
    shop: delivery.shop,
    webhookId: delivery.webhookId,
    topic,
    eventId: delivery.eventId,
    apiVersion: delivery.apiVersion,
    triggeredAt,
    payload: delivery.rawBody,
    customerGid: subjects.customerGid,
    orderGid: subjects.orderGid,
    receivedAt: now,
  };
  const stored = topic === "app/uninstalled" ? await storeUninstallRow(db, row) : await storeInboxRow(db, row);
  return { status: 200, stored, duplicate: !stored, inboxId: stored ? row.id : null };
}

/**
 * Everything the first delivery would otherwise wait for, done before the app takes requests: the database
 * connection (and on SQLite the inbox's prepared statements), Prisma's query compiler, loaded by its first query, and
 * each topic's payload schema, compiled on its first use ("{}" is refused by all of them, after compiling).
 */
export async function prepareInbox(db: Db): Promise<void> {
  await db.$connect();
  await prepareInboxStore(db);
  await db.webhookInbox.findFirst({ where: { shop: "" }, select: { id: true } });
  for (const topic of WEBHOOK_TOPICS) {
    try {
      parseWebhookPayload(topic, "{}");
    } catch {
      // expected
    }
  }
}
