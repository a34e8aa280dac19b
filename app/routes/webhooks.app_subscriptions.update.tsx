import type { ActionFunctionArgs } from "@remix-run/node";
import db from "~/db/client.server";
import { recordWebhook } from "~/services/webhook-inbox.server";
import { limitWebhookBody } from "~/services/webhook-limits.server";
import { authenticateWebhook } from "~/shopify.server";

// The shop's app subscription changed (a plan chosen on Shopify's plan page, cancelled, frozen or resumed): the plan,
// and with it the level cap, is read again from Shopify.
// Stored and acknowledged here; the worker applies it (app/services/webhook-apply.server.ts → job plan-refresh).
export const action = async ({ request }: ActionFunctionArgs) => {
  const delivery = await authenticateWebhook(await limitWebhookBody(request));
  const result = await recordWebhook(db, delivery, "app_subscriptions/update");
  return new Response(result.status === 200 ? null : result.message, { status: result.status });
};
