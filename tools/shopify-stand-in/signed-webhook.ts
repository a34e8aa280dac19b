import { createHmac, randomUUID } from "node:crypto";

/**
 * Webhook deliveries signed like Shopify's: X-Shopify-Hmac-Sha256 is the base64 HMAC-SHA256 of the raw body with the
 * app's API secret, next to the topic, shop, webhook id, event id, trigger time and API version headers.
 * Used by tests, the local store stand-in and `npm run demo`; no test-runner imports.
 */

export const WEBHOOK_API_VERSION = "2026-10";

export function webhookHmac(body: string | Buffer, secret: string): string {
  return createHmac("sha256", secret).update(body).digest("base64");
}

/** `orders/paid` → `/webhooks/orders/paid`, matching the `webhooks.orders.paid.tsx` route. */
export function webhookPath(topic: string): string {
  if (!/^[a-z_]+\/[a-z_]+$/.test(topic)) throw new Error(`webhook topic must look like "orders/paid", got "${topic}"`);
  return `/webhooks/${topic}`;
}

export interface SignedWebhookInput {
  topic: string;
  shop: string;
  payload: unknown;
  /** The app's origin, e.g. http://127.0.0.1:3000 */
  appUrl: string;
  secret: string;
  webhookId?: string;
  eventId?: string;
  triggeredAt?: string;
  apiVersion?: string;
}

export interface SignedWebhookRequest {
  url: string;
  body: string;
  headers: Record<string, string>;
  webhookId: string;
}

export function signWebhook(input: SignedWebhookInput): SignedWebhookRequest {
  const body = typeof input.payload === "string" ? input.payload : JSON.stringify(input.payload);
  const webhookId = input.webhookId ?? randomUUID();
  return {
    url: `${input.appUrl.replace(/\/$/, "")}${webhookPath(input.topic)}`,
    body,
    webhookId,
    headers: {
      "Content-Type": "application/json",
      "X-Shopify-Topic": input.topic,
      "X-Shopify-Hmac-Sha256": webhookHmac(body, input.secret),
      "X-Shopify-Shop-Domain": input.shop,
      "X-Shopify-Webhook-Id": webhookId,
      "X-Shopify-Event-Id": input.eventId ?? randomUUID(),
      "X-Shopify-Triggered-At": input.triggeredAt ?? new Date().toISOString(),
      "X-Shopify-API-Version": input.apiVersion ?? WEBHOOK_API_VERSION,
    },
  };
}

export async function sendSignedWebhook(
  input: SignedWebhookInput,
  fetchImpl: typeof fetch = fetch,
): Promise<{ status: number; body: string; webhookId: string }> {
  const request = signWebhook(input);
  const res = await fetchImpl(request.url, { method: "POST", headers: request.headers, body: request.body });
  return { status: res.status, body: await res.text(), webhookId: request.webhookId };
}
