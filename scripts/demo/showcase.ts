import { scopedLiveOrderShowcase } from "~/services/order-scopes-showcase.server";
import type { LocalStack } from "../../tools/local-stack";
import { runBirthdayDemo } from "../../tools/local-stack/birthday-demo";
import { redeemDemoPoints } from "../../tools/local-stack/demo-redemption";
import { runWelcomeDemo } from "../../tools/local-stack/welcome-demo";
import { discountCodesOf } from "../../tools/shopify-stand-in/discount-codes";
import { flowTriggerSummary, flowTriggerSummaryLines } from "../../tools/shopify-stand-in/flow-triggers";
import { orderPayload } from "../../tools/sample-data/webhook-payloads";
import { KNITWEAR_PRODUCTS } from "./shop-data";

/**
 * The demo's last act, after the replay: every benefit a merchant sets up, seen reaching the shopper through the
 * local stand-in — a welcome code, a birthday reward from the scheduled job, points turned into a code through the
 * account page's route, a Flow payload for each level move, and a condition scoped by collection counting a live
 * order. Each row says what happened (or why it did not), so the summary table is the proof, not a claim.
 */

export interface ShowcaseRow {
  benefit: string;
  ok: boolean;
  detail: string;
}

const KNITWEAR_ORDER_ID = 990_101;

/** A new customer's live order of three Knitwear scarves (45.00 each): Silver through the collection-scoped group, not spend. */
async function knitwearOrder(stack: LocalStack): Promise<void> {
  const [customerGid] = stack.standIn.seed(
    { customers: [{ firstName: "Kit", lastName: "Knitter", email: `kit.knitter.${KNITWEAR_ORDER_ID}@example.com` }] },
    stack.shop,
  ).customers;
  const payload = orderPayload({
    id: KNITWEAR_ORDER_ID,
    customer: {
      id: Number(customerGid.split("/").pop()),
      firstName: "Kit",
      lastName: "Knitter",
      email: `kit.knitter.${KNITWEAR_ORDER_ID}@example.com`,
    },
    lines: [{ price: "45.00", quantity: 3, productId: KNITWEAR_PRODUCTS[0] }],
    processedAt: new Date().toISOString(),
  });
  const res = await stack.sendWebhook("orders/paid", payload, { webhookId: `demo-knitwear-${KNITWEAR_ORDER_ID}` });
  if (res.status !== 200) throw new Error(`orders/paid for the Knitwear order answered ${res.status}`);
}

/** Runs the worker until nothing is due: no delivery waiting, no job due now, no live order waiting for product data. */
async function settle(stack: LocalStack): Promise<void> {
  for (let round = 0; round < 50; round++) {
    await stack.drain();
    const [inbox, due, unresolved] = await Promise.all([
      stack.db.webhookInbox.count({ where: { shop: stack.shop, status: { in: ["received", "applied"] } } }),
      stack.db.job.count({ where: { status: "queued", runAt: { lte: new Date() } } }),
      stack.db.orderFact.count({ where: { shop: stack.shop, scopeState: "unresolved", paidAt: { not: null } } }),
    ]);
    if (inbox === 0 && due === 0 && unresolved === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The newest welcome code the replay's own level moves earned (the demo's Gold gives 15% off), or one made now. */
async function welcomeRow(stack: LocalStack): Promise<ShowcaseRow> {
  const { db, shop } = stack;
  const benefit = "Welcome code on reaching a level";
  const reward = await db.reward.findFirst({
    where: { shop, kind: "welcome", status: "issued", code: { not: null } },
    orderBy: [{ issuedAt: "desc" }, { id: "asc" }],
    include: { member: true },
  });
  if (!reward) {
    const made = await runWelcomeDemo(stack);
    return { benefit, ok: made.code !== null, detail: made.line.replace(/^Welcome reward: /, "") };
  }
  const issued = await db.reward.count({ where: { shop, kind: "welcome", status: "issued" } });
  const codes = new Set((await db.reward.findMany({ where: { shop, kind: "welcome" }, select: { code: true } })).map((r) => r.code));
  const who = [reward.member.firstName, reward.member.lastName].filter(Boolean).join(" ") || reward.customerGid;
  const inShopify = discountCodesOf(stack.standIn.shop(shop)).some((c) => c.code === reward.code);
  return {
    benefit,
    ok: inShopify && codes.size === issued,
    detail:
      `${who} reached ${reward.levelId} and got ${reward.code} (${reward.valueType === "percentage" ? `${reward.value}% off` : `${reward.value} ${reward.currency} off`}` +
      `${reward.endsAt ? `, until ${reward.endsAt.toISOString().slice(0, 10)}` : ""}, for them only, one use${inShopify ? ", in Shopify" : ""}); ${issued} welcome codes issued, all different`,
  };
}

export async function benefitShowcase(stack: LocalStack): Promise<{ rows: ShowcaseRow[]; details: string[] }> {
  const { db, shop, standIn } = stack;
  const rows: ShowcaseRow[] = [];
  const details: string[] = [];
  // The worker runs here, step by step, so each row reads a settled shop.
  await stack.stopWorkerLoop();
  await settle(stack);

  rows.push(await welcomeRow(stack));

  const birthday = await runBirthdayDemo(stack);
  await settle(stack);
  rows.push({
    benefit: "Birthday reward (scheduled job)",
    ok: birthday.rewardKey !== null && / got /.test(birthday.line),
    detail: birthday.line.replace(/^Birthday reward: /, ""),
  });

  const redemption = await redeemDemoPoints(stack);
  await settle(stack);
  rows.push({
    benefit: "Points converted to a code",
    ok: redemption?.code != null,
    detail: redemption?.line ?? "no member has enough points to redeem",
  });

  await knitwearOrder(stack);
  await settle(stack);
  const s = standIn.shop(shop);
  const scoped = await scopedLiveOrderShowcase(db, shop, {
    product: (g) => s.products[g]?.title,
    collection: (g) => s.collections[g]?.title,
  });
  rows.push({
    benefit: "Collection-scoped condition on a live order",
    ok: scoped.found,
    detail: scoped.lines[0].replace(/^Scoped condition on a live order: /, ""),
  });

  // Every move of a level since the install (the replay's, and the ones above) reached Flow, once.
  const since = (await db.shop.findUniqueOrThrow({ where: { domain: shop }, select: { rewardsFrom: true } })).rewardsFrom ?? new Date(0);
  const changes = await db.levelChange.findMany({
    where: { shop, at: { gte: since }, retractedAt: null },
    select: { fromLevelId: true, toLevelId: true },
  });
  const moves = changes.filter((c) => (c.fromLevelId ?? "") !== c.toLevelId).length;
  const flows = flowTriggerSummary(s);
  const levelPayloads = flows.filter((f) => f.handle === "tierline-level-up" || f.handle === "tierline-level-down").reduce((n, f) => n + f.count, 0);
  rows.push({
    benefit: "Flow payload for each level move",
    ok: moves > 0 && levelPayloads === moves,
    detail: `${levelPayloads} level-up/level-down payloads recorded by the stand-in for ${moves} level moves since the install`,
  });
  details.push(...flowTriggerSummaryLines(s), ...scoped.lines);
  return { rows, details };
}

/** The rows as a table: one line each, ✔ or ✘, the benefit and what happened. */
export function showcaseTable(rows: ShowcaseRow[]): string[] {
  const width = Math.max(...rows.map((r) => r.benefit.length));
  return rows.map((r) => `${r.ok ? "✔" : "✘"} ${r.benefit.padEnd(width)}  ${r.detail}`);
}
