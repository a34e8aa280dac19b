import "@shopify/shopify-app-remix/adapters/node";
import { ApiVersion, shopifyApp } from "@shopify/shopify-app-remix/server";
import type { Session } from "@shopify/shopify-api";
import { describe, expect, it } from "vitest";
import { customerSessionToken } from "../../tools/shopify-stand-in/customer-session-token";

// The stand-in's customer account session token, checked by the library's own `authenticate.public.customerAccount`.

const API_KEY = "token-test-key";
const API_SECRET = "token-test-secret";
const SHOP = "token-test.myshopify.com";
const CUSTOMER = "gid://shopify/Customer/42";

const noSessions = {
  storeSession: async () => true,
  loadSession: async (): Promise<Session | undefined> => undefined,
  deleteSession: async () => true,
  deleteSessions: async () => true,
  findSessionsByShop: async (): Promise<Session[]> => [],
};
const app = shopifyApp({
  apiKey: API_KEY,
  apiSecretKey: API_SECRET,
  apiVersion: ApiVersion.October26,
  appUrl: "https://tierline.test",
  sessionStorage: noSessions,
  logger: { level: 0 },
});

function requestWith(token: string | null): Request {
  return new Request("https://tierline.test/api/account/redemptions", {
    method: "POST",
    headers: { Origin: "https://extensions.shopifycdn.com", ...(token ? { Authorization: `Bearer ${token}` } : {}) },
  });
}

describe("customerSessionToken", () => {
  it("is accepted by authenticate.public.customerAccount, which hands back the shop and the customer", async () => {
    const token = customerSessionToken({ shop: SHOP, customerGid: CUSTOMER, apiKey: API_KEY, apiSecret: API_SECRET });
    const { sessionToken } = await app.authenticate.public.customerAccount(requestWith(token));
    expect({ dest: sessionToken.dest, sub: sessionToken.sub, aud: sessionToken.aud }).toEqual({ dest: SHOP, sub: CUSTOMER, aud: API_KEY });
    expect(sessionToken.exp - sessionToken.iat).toBe(300);
  });

  it.each([
    ["signed with another secret", customerSessionToken({ shop: SHOP, customerGid: CUSTOMER, apiKey: API_KEY, apiSecret: "other" })],
    ["expired", customerSessionToken({ shop: SHOP, customerGid: CUSTOMER, apiKey: API_KEY, apiSecret: API_SECRET, now: Date.now() - 3_600_000 })],
    ["missing", null],
  ])("a token %s is refused with 401", async (_label, token) => {
    const outcome = await app.authenticate.public.customerAccount(requestWith(token)).catch((thrown: unknown) => thrown);
    expect(outcome).toBeInstanceOf(Response);
    expect((outcome as Response).status).toBe(401);
  });
});
