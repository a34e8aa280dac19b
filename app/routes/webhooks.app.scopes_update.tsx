import type { ActionFunctionArgs } from "@remix-run/node";
import db from "~/db/client.server";
import { recordWebhook } from "~/services/webhook-inbox.server";
import { limitWebhookBody } from "~/services/webhook-limits.server";
import { authenticateWebhook } from "~/shopify.server";

// The granted scopes changed: the stored sessions are updated (their `scope` says whether read_all_orders was granted:
// the install import's 60-day window and the member centre's order-history banner read it).
// Stored and acknowledged here; the worker applies it (app/jobs/process-webhooks.server.ts).
export const action = async ({ request }: ActionFunctionArgs) => {
  const delivery = await authenticateWebhook(await limitWebhookBody(request));
  const result = await recordWebhook(db, delivery, "app/scopes_update");
  return new Response(result.status === 200 ? null : result.message, { status: result.status });
};
