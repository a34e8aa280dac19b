// The Customer Account API stand-in the account extensions read in tests and in the demo: real schema validation,
// answers from the Admin stand-in's records, and a plain error for what it does not implement.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TIERLINE_MEMBER_CARD } from "~/shared/member-query";
import { startMemberShop, type MemberShop } from "./support/member-shop";

let shop: MemberShop;
let customerId: string;
beforeAll(async () => {
  shop = await startMemberShop();
  customerId = await shop.addMember({ level: '{"v":1}' });
  await shop.setProgram('{"v":1,"levels":[]}');
});
afterAll(() => shop.close());

const ask = async (query: string, url = "shopify://customer-account/api/2026-10/graphql.json") => {
  const res = await shop.customerAccountFetch(customerId)(url, { body: JSON.stringify({ query }) });
  return { status: res.status, body: (await res.json()) as { data?: unknown; errors?: { message: string }[] } };
};

describe("Customer Account API stand-in", () => {
  it("answers the member card document from what the sync and the publish wrote", async () => {
    const { status, body } = await ask(TIERLINE_MEMBER_CARD);
    expect(status).toBe(200);
    expect(body).toEqual({
      data: {
        customer: { id: customerId, level: { value: '{"v":1}' }, progress: null, benefits: null, history: null, rewards: null },
        shop: { program: { value: '{"v":1,"levels":[]}' } },
      },
    });
  });

  it.each<[string, string, RegExp]>([
    ["a field the schema does not have", "query { customer { tierLevel } }", /Cannot query field "tierLevel" on type "Customer"/],
    ["a field the stand-in does not implement", "query { customer { emailAddress { emailAddress } } }", /does not implement Customer\.emailAddress/],
    ["a syntax error", "query { customer { id }", /Syntax Error/],
  ])("refuses %s with Shopify's errors shape", async (_case, query, message) => {
    const { body } = await ask(query);
    expect(body.errors?.map((e) => e.message).join("; ")).toMatch(message);
  });

  it("knows only API versions it has a schema for", async () => {
    expect((await ask(TIERLINE_MEMBER_CARD, "shopify://customer-account/api/2024-01/graphql.json")).status).toBe(404);
  });

  it("gives the extension no other network", async () => {
    await expect(shop.customerAccountFetch(customerId)("https://example.com/graphql", { body: "{}" })).rejects.toThrow(/network access is off/);
  });
});
