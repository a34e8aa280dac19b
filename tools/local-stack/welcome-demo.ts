import type { Db } from "~/db/client.server";
import { rewardsSummary } from "~/services/rewards/rewards-summary.server";
import { loadWelcomeBenefits } from "~/services/rewards/welcome-rewards.server";
import { currentProgram, loadShopContext } from "~/services/shop-context.server";
import { recordWebhook } from "~/services/webhook-inbox.server";
import { delivery, orderPayload } from "../sample-data/webhook-payloads";
import type { StandIn } from "../shopify-stand-in/index";

/**
 * For the demo's summary: a welcome reward issued end to end through the local stand-in. A new customer places one
 * live order (paid now, after the install, so it may reward) worth exactly what the lowest level with a welcome code
 * takes; the worker drains (the inbox, the member's recomputation, the issue job that makes the code in Shopify, the
 * Flow event, the metafield sync). The demo's replayed history is paid before the install and so rightly rewards
 * nobody; this is the member who reaches the level today.
 *
 * Returns one line for the summary, e.g.
 *   "Welcome reward: gid://shopify/Customer/2001 reached Gold with order #990001 and got code GOLD-7KQ2M9XAPB (15% off, valid until 2027-01-06), for them only, one use. Rewards: welcome 1 issued."
 * or says why there is none (no level with a welcome code, a level not reached by spend alone, the code still pending).
 */
export async function runWelcomeDemo(
  stack: { db: Db; shop: string; standIn: StandIn; drain(): Promise<unknown> },
  opts: { now?: Date; orderId?: number } = {},
): Promise<{ line: string; customerGid: string | null; code: string | null }> {
  const { db, shop, standIn } = stack;
  const now = opts.now ?? new Date();
  const ctx = await loadShopContext(db, shop);
  const program = currentProgram(ctx);
  const welcome = await loadWelcomeBenefits(db, shop);
  const level = program?.levels
    .filter((l) => l.enabled && !l.internalOnly && welcome.has(l.id))
    .sort((a, b) => a.rank - b.rank)
    .find((l) => l.upgrade.some((g) => g.length > 0 && g.every((c) => c.kind === "accumulatedSpend" || c.kind === "singleOrder")));
  if (!program || !level)
    return { line: "Welcome reward: no level has a welcome code reachable by spend, so none was issued.", customerGid: null, code: null };
  const group = level.upgrade.find((g) => g.length > 0 && g.every((c) => c.kind === "accumulatedSpend" || c.kind === "singleOrder"))!;
  const minor = Math.max(...group.map((c) => c.threshold));

  const orderId = opts.orderId ?? 990_001;
  const [customerGid] = standIn.seed(
    { customers: [{ firstName: "Wendy", lastName: "Welcome", email: `welcome.${orderId}@example.com` }] },
    shop,
  ).customers;
  const customerId = Number(customerGid.split("/").pop());
  const payload = orderPayload({
    id: orderId,
    name: `#${orderId}`,
    customer: { id: customerId, firstName: "Wendy", lastName: "Welcome", email: `welcome.${orderId}@example.com` },
    lines: [{ price: (minor / 100).toFixed(2) }],
    shipping: "0.00",
    tax: "0.00",
    currency: ctx.currency,
    processedAt: now.toISOString(),
  });
  await recordWebhook(
    db,
    delivery("orders/paid", shop, payload, { webhookId: `welcome-demo-${orderId}`, triggeredAt: now.toISOString() }),
    "orders/paid",
    now,
  );
  await stack.drain();

  const member = await db.member.findUnique({ where: { shop_customerGid: { shop, customerGid } } });
  const reward = await db.reward.findUnique({ where: { shop_key: { shop, key: `welcome:${customerGid}:${level.id}` } } });
  const summary = await rewardsSummary(db, shop);
  const counts = Object.entries(summary.byKind)
    .map(([kind, c]) => `${kind} ${c.issued} issued${c.pending ? `, ${c.pending} pending` : ""}${c.failed ? `, ${c.failed} failed` : ""}`)
    .join("; ");
  const reached = member?.levelId ? (ctx.levels.get(member.levelId)?.name ?? member.levelId) : "no level";
  if (!reward?.code)
    return {
      line: `Welcome reward: ${customerGid} reached ${reached} with order #${orderId}; the code is ${reward ? `still ${reward.status}${reward.error ? ` (${reward.error})` : ""}` : "not due"}.`,
      customerGid,
      code: null,
    };
  const example = summary.example?.code === reward.code ? summary.example : null;
  const value = example?.value ?? `${reward.value}`;
  const until = reward.endsAt ? `, valid until ${reward.endsAt.toISOString().slice(0, 10)}` : "";
  return {
    line: `Welcome reward: ${customerGid} reached ${reached} with order #${orderId} and got code ${reward.code} (${value}${until}), for them only, one use. Rewards: ${counts}.`,
    customerGid,
    code: reward.code,
  };
}
