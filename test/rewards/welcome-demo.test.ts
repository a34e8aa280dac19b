import { afterAll, beforeAll, expect, it } from "vitest";
import { SHOP, flowShop, type FlowShop } from "../flow/flow-harness";
import { buildProgramJson, onePointPerDollar } from "../../tools/sample-data/program-builders";
import { runWelcomeDemo } from "../../tools/local-stack/welcome-demo";
import { discountCodesOf } from "../../tools/shopify-stand-in/discount-codes";

// The demo's welcome line (tools/local-stack/welcome-demo.ts): a new customer's live order reaches Gold, the worker
// drains, one code is made in the stand-in for that customer, and the line the summary prints says so.

let shop: FlowShop;
const now = new Date("2026-12-07T09:00:00Z");

beforeAll(async () => {
  shop = await flowShop(
    buildProgramJson({
      points: onePointPerDollar,
      levels: [
        { id: "silver", name: "Silver", rank: 1, upgrade: [[{ kind: "accumulatedSpend", amount: "100.00" }]] },
        { id: "gold", name: "Gold", rank: 2, upgrade: [[{ kind: "accumulatedSpend", amount: "500.00" }]] },
        { id: "platinum", name: "Platinum", rank: 3, upgrade: [[{ kind: "accumulatedSpend", amount: "2000.00" }]] },
      ],
    }),
  );
  await shop.db.benefit.create({
    data: {
      shop: SHOP,
      levelId: "gold",
      kind: "welcome",
      position: 0,
      configJson: JSON.stringify({ type: "percentage", value: "15", validDays: 30 }),
    },
  });
});
afterAll(async () => shop.close());

it("a new customer's live order reaches Gold and the summary line names the code made for them", async () => {
  const result = await runWelcomeDemo({ db: shop.db, shop: SHOP, standIn: shop.standIn, drain: () => shop.work(now) }, { now });
  expect(result.line).toMatch(
    /^Welcome reward: gid:\/\/shopify\/Customer\/\d+ reached Gold with order #990001 and got code GOLD-[A-Z2-9]{10} \(15% off, valid until 2027-01-06\), for them only, one use\. Rewards: welcome 1 issued\.$/,
  );
  const codes = discountCodesOf(shop.standIn.shop(SHOP));
  expect(codes).toEqual([expect.objectContaining({ code: result.code, customerIds: [result.customerGid], usageLimit: 1 })]);
});
