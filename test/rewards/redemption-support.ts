import type { Db } from "~/db/client.server";
import { DEFAULT_REDEMPTION, type RedemptionSettings } from "~/forms/redemption-settings";
import { recomputeMemberNow } from "~/services/admin/member-recompute.server";
import type { RedemptionDeps } from "~/services/rewards/redemption.server";
import { publishProgram } from "../support/db";
import { standInAdminClient } from "../../tools/shopify-stand-in/admin-client";
import type { StandIn } from "../../tools/shopify-stand-in/index";
import { buildProgramJson, onePointPerDollar } from "../../tools/sample-data/program-builders";

/** Redemption on: 100 points = 5.00, from 200 points, in steps of 100, store credit offered. */
export const REDEMPTION_ON: RedemptionSettings = { ...DEFAULT_REDEMPTION, enabled: true, minimumPoints: 200, stepPoints: 100, storeCredit: true };

/**
 * A shop with a published programme (points: 1 per 1.00), redemption settings, and one member per `balances` entry,
 * holding that many points (a merchant's adjustment), all known to the stand-in as customers.
 */
export async function seedRedemptionShop(
  db: Db,
  store: StandIn,
  opts: { shop: string; balances: number[]; settings?: RedemptionSettings; now: Date; accessToken?: string | null },
): Promise<string[]> {
  await db.shop.create({
    data: { domain: opts.shop, currency: "USD", settingsJson: JSON.stringify({ redemption: opts.settings ?? REDEMPTION_ON }) },
  });
  await publishProgram(db, opts.shop, buildProgramJson({ points: onePointPerDollar }));
  // An installed shop (test/shopify/support/app-with-stand-in.ts) keeps the token its install issued.
  store.addShop({ domain: opts.shop, accessToken: opts.accessToken === undefined ? "shpat_redeem" : opts.accessToken });
  const { customers } = store.seed({ customers: opts.balances.map((_, i) => ({ firstName: `Shopper${i}`, email: `s${i}@example.com` })) }, opts.shop);
  for (const [i, balance] of opts.balances.entries()) {
    await db.memberAdjustment.create({
      data: {
        shop: opts.shop,
        customerGid: customers[i],
        kind: "points",
        at: new Date("2026-06-01T00:00:00Z"),
        points: balance,
        key: `seed:${i}`,
        actor: "admin",
      },
    });
    await recomputeMemberNow(db, opts.shop, customers[i], opts.now.getTime());
  }
  return customers;
}

export function standInDeps(store: StandIn, now: () => Date): RedemptionDeps {
  return { admin: async (shop) => standInAdminClient({ url: store.url, shop, accessToken: "shpat_redeem" }), now, policy: { sleep: async () => {} } };
}

export async function balanceOf(db: Db, shop: string, customerGid: string): Promise<number> {
  return (await db.member.findUniqueOrThrow({ where: { shop_customerGid: { shop, customerGid } } })).points;
}
