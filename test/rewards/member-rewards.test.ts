import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "~/db/client.server";
import { memberRewardsView } from "~/services/rewards/member-rewards.server";
import { createTestDb, seedShop, type TestDb } from "../support/db";
import { seedPublished } from "../support/admin-builders";

// The admin member page's Rewards card: every reward of the member with its level, value, code, last day and status,
// a failed one with Shopify's reason, and the welcome points of each level reached.

const SHOP = "member-rewards.myshopify.com";
const C = "gid://shopify/Customer/77";
const PROGRAM = {
  enabled: true,
  currency: "USD",
  levels: [
    { id: "silver", name: "Silver", rank: 1, upgrade: [[{ kind: "accumulatedSpend", amount: "100.00" }]] },
    { id: "gold", name: "Gold", rank: 2, upgrade: [[{ kind: "accumulatedSpend", amount: "500.00" }]], upgradePoints: 200 },
  ],
};

let t: TestDb;
let db: Db;
beforeEach(async () => {
  t = await createTestDb();
  db = t.db;
  await seedShop(db, SHOP);
  await seedPublished(db, SHOP, PROGRAM);
});
afterEach(async () => t.cleanup());

describe("memberRewardsView", () => {
  it("lists issued, pending and failed rewards newest first, with the welcome points, as the merchant reads them", async () => {
    const m = await db.member.create({ data: { shop: SHOP, customerGid: C, levelId: "gold", status: "active" } });
    const base = { shop: SHOP, memberId: m.id, customerGid: C, form: "discountCode", currency: "USD" };
    await db.reward.createMany({
      data: [
        {
          ...base,
          kind: "welcome",
          key: `welcome:${C}:gold`,
          levelId: "gold",
          valueType: "percentage",
          value: "15",
          status: "issued",
          code: "GOLD-ABCDEFGHJK",
          at: new Date("2026-03-01T10:00:00Z"),
          issuedAt: new Date("2026-03-01T10:01:00Z"),
          endsAt: new Date("2026-03-31T10:01:00Z"),
        },
        {
          ...base,
          kind: "birthday",
          key: `birthday:${C}:2026`,
          levelId: "gold",
          valueType: "fixed",
          value: "5.00",
          status: "failed",
          attempts: 6,
          error: "ShopifyAdminError: discountCodeBasicCreate: INVALID: Customer does not exist",
          at: new Date("2026-04-02T00:00:00Z"),
        },
        {
          ...base,
          kind: "welcome",
          key: `welcome:${C}:silver`,
          levelId: "silver",
          valueType: "fixed",
          value: "5.00",
          status: "pending",
          at: new Date("2026-02-01T00:00:00Z"),
        },
      ],
    });
    await db.pointsEntry.create({
      data: {
        shop: SHOP,
        memberId: m.id,
        key: "upgrade:gold",
        kind: "upgrade",
        points: 200,
        at: new Date("2026-03-01T10:00:00Z"),
        idempotencyKey: `${m.id}:upgrade:gold`,
      },
    });

    const rows = await memberRewardsView(db, SHOP, m.id);
    expect(rows.map((r) => [r.kind, r.level, r.value, r.code, r.validUntil?.slice(0, 10) ?? null, r.status])).toEqual([
      ["Birthday", "Gold", "$5.00 off", null, null, "failed"],
      ["Welcome", "Gold", "15% off", "GOLD-ABCDEFGHJK", "2026-03-31", "issued"],
      ["Welcome", "Gold", "200 points", null, null, "issued"],
      ["Welcome", "Silver", "$5.00 off", null, null, "pending"],
    ]);
    expect(rows[0]).toMatchObject({ attempts: 6, error: expect.stringContaining("Customer does not exist") });
  });

  it("is empty for a member without rewards", async () => {
    const m = await db.member.create({ data: { shop: SHOP, customerGid: C } });
    expect(await memberRewardsView(db, SHOP, m.id)).toEqual([]);
  });
});
