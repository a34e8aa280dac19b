import type { ActionFunctionArgs } from "@remix-run/node";
import db from "~/db/client.server";
import { recordWebhook } from "~/services/webhook-inbox.server";
import { limitWebhookBody } from "~/services/webhook-limits.server";
import { authenticateWebhook } from "~/shopify.server";

// A product was deleted: its cached collections and tags are read again (Shopify then answers none).
// Stored and acknowledged here; the worker applies it (app/jobs/process-webhooks.server.ts, app/services/order-scopes.server.ts).
export const action = async ({ request }: ActionFunctionArgs) => {
  const delivery = await authenticateWebhook(await limitWebhookBody(request));
  const result = await recordWebhook(db, delivery, "products/delete");
  return new Response(result.status === 200 ? null : result.message, { status: result.status });
};
