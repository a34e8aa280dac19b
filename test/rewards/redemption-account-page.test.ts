// The account page's RedeemPoints rendered for real (Preact into a happy-dom document, Polaris web components) with its
// backend answered by the real route (app/routes/api.account.redemptions.tsx: the library's customer account
// authentication, the database, the Shopify stand-in), reached through the fetch the extension sandbox hands it. The
// test runs in Node with only `document` from happy-dom: a global `window` would make the app's Admin API client refuse
// to run ("should not be used in the browser"), as it must in a real browser.
import { Window } from "happy-dom";
import { h, render } from "preact";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import en from "../../extensions/account-member-page/locales/en.default.json";
import { RedeemPoints } from "../../extensions/account-member-page/src/RedeemPoints";
import type { MemberAnswer } from "../../app/shared/member-query";
import { createTranslator } from "../../app/shared/member-messages";
import { publishedProgramMetafield } from "../../app/services/program-metafield.server";
import { customerSessionToken } from "../../tools/shopify-stand-in/customer-session-token";
import { refuseNextMutation, storeCreditBalance } from "../../tools/shopify-stand-in/store-credit";
import { buildTierProgress } from "../../tools/sample-data/tier-builders";
import { readable, settle, tags } from "../extensions/support/extension-host";
import { appWithStandIn } from "../shopify/support/app-with-stand-in";
import { balanceOf, seedRedemptionShop } from "./redemption-support";

const dom = new Window();
Object.assign(globalThis, { document: dom.document });

const app = appWithStandIn("redeem-page");
const SHOP = "redeem-page.myshopify.com";
const APP_URL = "https://tierline.example";
type Action = (args: { request: Request }) => Promise<Response>;
let action: Action;
let customers: string[];
let program: unknown;
/** Every body the page sent to the backend. */
let sent: { points: number; form: string; idempotencyKey: string }[] = [];

beforeAll(async () => {
  await app.install(SHOP, { scopes: ["read_customers", "write_customers", "read_orders", "write_discounts"], expiring: false });
  customers = await seedRedemptionShop(app.db, app.standIn, { shop: SHOP, balances: [1000, 1000, 1000, 150], now: new Date(), accessToken: null });
  action = ((await import("../../app/routes/api.account.redemptions.tsx")) as unknown as { action: Action }).action;
  program = await publishedProgramMetafield(app.db, SHOP);
});
afterEach(() => {
  render(null, document.body);
  sent = [];
});

/** The sandbox's fetch: the request the extension makes, answered by the route (thrown Responses included). */
function sandboxFetch() {
  return (async (url: string, init: { method: string; headers: Record<string, string>; body: string }) => {
    expect(url).toBe(`${APP_URL}/api/account/redemptions`);
    sent.push(JSON.parse(init.body));
    const request = new Request(url, { ...init, headers: { ...init.headers, Origin: "https://extensions.shopifycdn.com" } });
    return action({ request }).catch((thrown: unknown) => {
      if (thrown instanceof Response) return thrown;
      throw thrown;
    });
  }) as unknown as typeof fetch;
}

async function show(customer: string, points: number, programDoc: unknown = program) {
  (globalThis as { fetch?: unknown }).fetch = sandboxFetch();
  const answer: MemberAnswer = {
    docs: { progress: JSON.stringify(buildTierProgress({ points })) } as MemberAnswer["docs"],
    program: JSON.stringify(programDoc),
  };
  const sessionToken = { get: async () => customerSessionToken({ shop: SHOP, customerGid: customer, apiKey: app.apiKey, apiSecret: app.apiSecret }) };
  render(h(RedeemPoints, { answer, ctx: { locale: "en", t: createTranslator(en, "en") }, sessionToken, appUrl: APP_URL }), document.body);
  await settle();
}

async function choose(label: string, value: string) {
  const select = tags("s-select").find((s) => s.getAttribute("label") === label)!;
  (select as unknown as { value: string }).value = value;
  select.dispatchEvent(new dom.Event("change") as unknown as Event);
  await settle();
}

function clickButton(text: string) {
  const button = tags("s-button").find((b) => b.textContent === text)!;
  button.dispatchEvent(new dom.Event("click") as unknown as Event);
}

/** Waits until the backend answered (the route runs a real transaction and a Shopify call). */
async function answered() {
  for (let i = 0; i < 750 && !readable().some((l) => /discount code:|store credit\.|given back|reserved|couldn't|enough|minimum/.test(l)); i++)
    await new Promise((r) => setTimeout(r, 20));
  await settle();
}

describe("RedeemPoints on the account page", () => {
  it("shows the balance, the rate and the minimum, and offers the amounts the backend accepts", async () => {
    await show(customers[0], 1000);
    expect(readable()).toEqual(
      expect.arrayContaining(["Spend your points", "You have 1,000 points", "100 points = $5.00. Redeem from 200 points in steps of 100."]),
    );
    expect(tags("s-option").map((o) => o.textContent)).toEqual([
      "200 points for $10.00",
      "300 points for $15.00",
      "400 points for $20.00",
      "500 points for $25.00",
      "600 points for $30.00",
      "700 points for $35.00",
      "A discount code",
      "Store credit",
    ]);
  });

  it("redeems for a code, shows it and the new balance; the ledger is debited once even for a double click", async () => {
    await show(customers[0], 1000);
    await choose("Points to redeem", "400");
    clickButton("Redeem points");
    clickButton("Redeem points");
    await answered();
    const code = readable().find((l) => l.startsWith("Your discount code: "));
    expect(code, readable().join(" | ")).toMatch(/^Your discount code: POINTS-[A-Z0-9]{10}$/);
    expect(readable()).toEqual(expect.arrayContaining(["$20.00 off your next order. Use it once at checkout.", "You have 600 points"]));
    expect(new Set(sent.map((s) => s.idempotencyKey)).size).toBe(1);
    expect(await balanceOf(app.db, SHOP, customers[0])).toBe(600);
    // The next click is a new redemption, with a new key.
    clickButton("Redeem points");
    await answered();
    expect(new Set(sent.map((s) => s.idempotencyKey)).size).toBe(2);
  });

  it("redeems for store credit, which lands in the shopper's Shopify account", async () => {
    await show(customers[1], 1000);
    await choose("Get", "storeCredit");
    clickButton("Redeem points");
    await answered();
    expect(readable()).toContain("$10.00 was added to your store credit.");
    expect(storeCreditBalance(app.standIn.shop(SHOP), customers[1], "USD")).toBe("10.00");
  });

  it("says the points were given back when Shopify fails, and the balance is untouched", async () => {
    await show(customers[2], 1000);
    refuseNextMutation(app.standIn.shop(SHOP), "discountCodeBasicCreate", "Shopify is down");
    clickButton("Redeem points");
    await answered();
    expect(readable()).toContain("It couldn't be created, so your points were given back. Please try again.");
    expect(await balanceOf(app.db, SHOP, customers[2])).toBe(1000);
  });

  it("below the minimum, says how many more points are needed and offers nothing", async () => {
    await show(customers[3], 150);
    expect(readable()).toContain("Collect 50 more points to redeem them.");
    expect(tags("s-button")).toHaveLength(0);
  });

  it("shows nothing while the shop has redemption off (no rules in the programme metafield)", async () => {
    const { redemption: _off, ...withoutRedemption } = program as Record<string, unknown>;
    await show(customers[0], 1000, withoutRedemption);
    expect(readable()).toEqual([]);
  });
});
