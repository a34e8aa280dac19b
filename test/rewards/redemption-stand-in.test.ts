import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { creditCustomerStoreCredit, recentStoreCredits, StoreCreditRefusedError } from "~/shopify/store-credit.server";
import { standInAdminClient } from "../../tools/shopify-stand-in/admin-client";
import { startStandIn, type StandIn } from "../../tools/shopify-stand-in/index";
import { refuseNextMutation, storeCreditBalance, storeCreditTransactions } from "../../tools/shopify-stand-in/store-credit";

// The stand-in's store credit, through the app's own documents (validated against the real 2026-10 schema).

const SHOP = "credit-test.myshopify.com";
let store: StandIn;
let admin: ReturnType<typeof standInAdminClient>;
let customer: string;

beforeAll(async () => {
  store = await startStandIn({ shops: [{ domain: SHOP, accessToken: "shpat_credit" }] });
  admin = standInAdminClient({ url: store.url, shop: SHOP, accessToken: "shpat_credit" });
  [customer] = store.seed({ customers: [{ firstName: "Ada", email: "ada@example.com" }] }).customers;
});
afterAll(() => store.close());

describe("stand-in store credit", () => {
  it("credits a customer, opening their account in that currency, and keeps the balance per currency", async () => {
    const first = await creditCustomerStoreCredit(admin, { customerGid: customer, amount: "5.00", currency: "USD" });
    await creditCustomerStoreCredit(admin, { customerGid: customer, amount: "2.50", currency: "USD" });
    await creditCustomerStoreCredit(admin, { customerGid: customer, amount: "3.00", currency: "EUR" });
    expect(first.transactionGid).toMatch(/^gid:\/\/shopify\/StoreCreditAccountCreditTransaction\/\d+$/);
    expect(storeCreditBalance(store.shop(SHOP), customer, "USD")).toBe("7.50");
    expect(storeCreditBalance(store.shop(SHOP), customer, "EUR")).toBe("3.00");
    const recent = await recentStoreCredits(admin, { customerGid: customer, currency: "USD" });
    expect(recent.map((c) => c.amount)).toEqual(["2.50", "5.00"]);
  });

  it.each([
    ["an unknown customer", "gid://shopify/Customer/999999", "5.00", /Owner does not exist/],
    ["a zero amount", null, "0", /positive amount/],
  ])("answers %s with a userError, crediting nothing", async (_label, owner, amount, message) => {
    const before = storeCreditTransactions(store.shop(SHOP)).length;
    await expect(creditCustomerStoreCredit(admin, { customerGid: owner ?? customer, amount, currency: "USD" })).rejects.toThrow(message);
    expect(storeCreditTransactions(store.shop(SHOP))).toHaveLength(before);
  });

  it("refuses the next call when told to (the failure switch), then works again", async () => {
    refuseNextMutation(store.shop(SHOP), "storeCreditAccountCredit", "Store credit is unavailable");
    const refused = await creditCustomerStoreCredit(admin, { customerGid: customer, amount: "1.00", currency: "USD" }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(StoreCreditRefusedError);
    expect((refused as Error).message).toBe("Store credit is unavailable");
    await creditCustomerStoreCredit(admin, { customerGid: customer, amount: "1.00", currency: "USD" });
    expect(storeCreditBalance(store.shop(SHOP), customer, "USD")).toBe("8.50");
  });
});
