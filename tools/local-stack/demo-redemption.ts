import type { RedemptionSettings } from "~/forms/redemption-settings";
import { loadRedemptionSettings, saveRedemptionSettings } from "~/services/rewards/redemption.server";
import { redemptionChoices } from "~/shared/redemption";
import { customerSessionToken } from "../shopify-stand-in/customer-session-token";
import type { LocalStack } from "./index";

/** What the demo offers when the shop has redemption off: 100 points = 5.00, from 100 points, in steps of 100, store credit too. */
export const DEMO_REDEMPTION: RedemptionSettings = {
  enabled: true,
  points: 100,
  value: "5.00",
  minimumPoints: 100,
  stepPoints: 100,
  storeCredit: true,
};

export interface DemoRedemption {
  customerGid: string;
  name: string;
  points: number;
  balanceBefore: number;
  /** The route's HTTP status and its `redemption` (or `error`) body. */
  status: number;
  code: string | null;
  value: string | null;
  currency: string | null;
  balanceAfter: number | null;
  /** One line for the demo's summary table. */
  line: string;
}

/**
 * A shopper converts points into a discount code through the real route, as the account page does: the demo member
 * with the most points (at least the minimum) POSTs /api/account/redemptions to the running app with a stand-in
 * customer account session token, for the largest amount up to 500 points. Turns redemption on first (DEMO_REDEMPTION)
 * when the merchant has not. Null when no member has enough points.
 */
export async function redeemDemoPoints(stack: LocalStack, opts: { fetch?: typeof fetch } = {}): Promise<DemoRedemption | null> {
  const { db, shop } = stack;
  let settings = await loadRedemptionSettings(db, shop);
  if (!settings.enabled) {
    settings = DEMO_REDEMPTION;
    await saveRedemptionSettings(db, shop, settings, new Date());
  }
  const member = await db.member.findFirst({
    where: { shop, deletedAt: null, points: { gte: settings.minimumPoints } },
    orderBy: [{ points: "desc" }, { customerGid: "asc" }],
  });
  if (!member) return null;
  const choices = redemptionChoices(settings, member.points, 1000).filter((p) => p <= 500);
  const points = choices.at(-1) ?? settings.minimumPoints;
  const token = customerSessionToken({ shop, customerGid: member.customerGid, apiKey: stack.apiKey, apiSecret: stack.apiSecret });
  const res = await (opts.fetch ?? fetch)(`${stack.appUrl}/api/account/redemptions`, {
    method: "POST",
    // As the account page sends it from a shopper's browser (the library answers self-identifying bots, Node's fetch among them, 410).
    headers: {
      "Content-Type": "application/json",
      Authorization: `Bearer ${token}`,
      Origin: "https://extensions.shopifycdn.com",
      "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
    },
    body: JSON.stringify({ points, form: "discountCode", idempotencyKey: `demo-${member.id}-${Date.now()}` }),
  });
  const body = (await res.json().catch(() => ({}))) as {
    redemption?: { code: string | null; value: string; currency: string; balance: number };
    error?: { message?: string };
  };
  const name = [member.firstName, member.lastName].filter(Boolean).join(" ") || member.email || member.customerGid;
  const r = body.redemption;
  const line =
    res.status === 200 && r?.code
      ? `${name} turned ${points} points into code ${r.code} (${r.value} ${r.currency} off, one use); balance ${member.points} → ${r.balance}`
      : `${name} tried to turn ${points} points into a code: HTTP ${res.status} ${body.error?.message ?? ""}`.trim();
  return {
    customerGid: member.customerGid,
    name,
    points,
    balanceBefore: member.points,
    status: res.status,
    code: r?.code ?? null,
    value: r?.value ?? null,
    currency: r?.currency ?? null,
    balanceAfter: r?.balance ?? null,
    line,
  };
}
