import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * A webhook delivery's signature and Shopify's headers, checked as `authenticate.webhook` of @shopify/shopify-app-remix
 * (15.x, through @shopify/shopify-api's `webhooks.validate`) checks them, verdict for verdict: Shopify signs the raw
 * body, HMAC-SHA256 with the app's secret, base64, in X-Shopify-Hmac-Sha256 (Shopify-Hmac-Sha256 for an event
 * delivery, whose headers are the Shopify-* family).
 *
 * Why not the library's: at hundreds of deliveries a second its path was about a third of the web process's CPU per
 * delivery (bench:webhooks profile: header canonicalisation on every lookup, a Web Crypto key imported per delivery,
 * a second Request built to hand it the body, and the whole payload parsed once more), and the ack's tail follows
 * that CPU. This is the same check with node:crypto, synchronous, on the headers and body already in hand.
 * test/security/webhook-signature-differential.test.ts holds it to the library's verdicts on every case of the
 * security corpus and the header edge cases; the rest of the security suite runs through it.
 */

const FAMILIES = {
  webhooks: {
    hmac: "x-shopify-hmac-sha256",
    topic: "x-shopify-topic",
    domain: "x-shopify-shop-domain",
    apiVersion: "x-shopify-api-version",
    webhookId: "x-shopify-webhook-id",
    triggeredAt: "x-shopify-triggered-at",
    eventId: "x-shopify-event-id",
  },
  events: {
    hmac: "shopify-hmac-sha256",
    topic: "shopify-topic",
    domain: "shopify-shop-domain",
    apiVersion: "shopify-api-version",
    webhookId: "shopify-webhook-id",
    triggeredAt: "shopify-triggered-at",
    eventId: null,
  },
} as const;

export type WebhookSignatureCheck =
  | {
      valid: true;
      /** The topic as the library gives it: upper case, `/` and `.` as `_` ("ORDERS_PAID"). */
      topic: string;
      shop: string;
      apiVersion: string;
      webhookId: string;
      triggeredAt: string | undefined;
      eventId: string | undefined;
    }
  /** 401: the signature does not match the body; 400: no body, no signature of the family, or a required header missing. */
  | { valid: false; status: 400 | 401 };

/** `headers` of a POST with `rawBody`, checked against the app's `secret`. */
export function checkWebhookSignature(headers: Headers, rawBody: string, secret: string): WebhookSignatureCheck {
  // An event delivery is told by its own signature header; anything else is checked as a classic webhook.
  const family = headers.get(FAMILIES.events.hmac) ? FAMILIES.events : FAMILIES.webhooks;
  if (rawBody.length === 0) return { valid: false, status: 400 };
  const signature = headers.get(family.hmac);
  if (!signature) return { valid: false, status: 400 };
  if (!sameText(signature, createHmac("sha256", secret).update(rawBody, "utf8").digest("base64"))) return { valid: false, status: 401 };
  const topic = headers.get(family.topic);
  const shop = headers.get(family.domain);
  const apiVersion = headers.get(family.apiVersion);
  const webhookId = headers.get(family.webhookId);
  if (!topic || !shop || !apiVersion || !webhookId) return { valid: false, status: 400 };
  return {
    valid: true,
    topic: topic.toUpperCase().replace(/\/|\./g, "_"),
    shop,
    apiVersion,
    webhookId,
    triggeredAt: headers.get(family.triggeredAt) || undefined,
    eventId: (family.eventId && headers.get(family.eventId)) || undefined,
  };
}

/** Equal texts, compared in time that depends only on their length. */
function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a, "utf8");
  const y = Buffer.from(b, "utf8");
  return x.length === y.length && timingSafeEqual(x, y);
}
