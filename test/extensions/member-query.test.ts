// The extensions' one member client (app/shared/member-query.ts): what it sends, and how it reads every answer
// an API can give. The fetch is the test's: the client is pure.
import { describe, expect, it } from "vitest";
import { ACCOUNT_MEMBER_CARD, customerGid, fetchMember, loadMember, posMemberRequest, type FetchLike, type MemberState } from "~/shared/member-query";

const answering =
  (status: number, body: unknown, sent: { url: string; body: unknown }[] = []): FetchLike =>
  async (url, init) => {
    sent.push({ url, body: JSON.parse(init.body) });
    return { ok: status >= 200 && status < 300, status, json: async () => (body === undefined ? Promise.reject(new SyntaxError("no body")) : body) };
  };

describe("member query client", () => {
  it("sends the POS document with the customer's GID to the Admin API", async () => {
    const sent: { url: string; body: unknown }[] = [];
    await fetchMember(answering(200, { data: { customer: null } }, sent), posMemberRequest(42));
    expect(sent).toEqual([
      {
        url: "shopify:admin/api/graphql.json",
        body: { query: expect.stringContaining("query TierlinePosMember($id: ID!)"), variables: { id: "gid://shopify/Customer/42" } },
      },
    ]);
  });

  it.each<[string, number, unknown, MemberState]>([
    [
      "a member with the programme",
      200,
      {
        data: {
          customer: { id: "c", level: { value: "L" }, progress: null, benefits: { value: "B" }, history: { value: "H" } },
          shop: { program: { value: "P" } },
        },
      },
      { status: "ready", answer: { docs: { level: "L", progress: undefined, benefits: "B", history: "H" }, program: "P" } },
    ],
    ["no such customer", 200, { data: { customer: null } }, { status: "ready", answer: null }],
    ["GraphQL errors", 200, { errors: [{ message: "Access denied" }] }, { status: "error", message: "Customer Account API errors: Access denied" }],
    ["an HTTP failure", 503, {}, { status: "error", message: "Customer Account API answered HTTP 503" }],
    ["no JSON body", 200, undefined, { status: "error", message: "Customer Account API answered with no JSON body" }],
  ])("reads %s", async (_case, status, body, state) => {
    expect(await loadMember(answering(status, body), ACCOUNT_MEMBER_CARD)).toEqual(state);
  });

  it("says when the API cannot be reached", async () => {
    const offline: FetchLike = async () => {
      throw new TypeError("fetch failed");
    };
    expect(await loadMember(offline, ACCOUNT_MEMBER_CARD)).toEqual({ status: "error", message: "Customer Account API unreachable: fetch failed" });
  });

  it.each<[number | string, string | null]>([
    [42, "gid://shopify/Customer/42"],
    ["42", "gid://shopify/Customer/42"],
    ["gid://shopify/Customer/7", "gid://shopify/Customer/7"],
    [0, null],
    ["gid://shopify/Order/7", null],
    ["4 2", null],
  ])("customer id %s → %s", (id, gid) => {
    expect(customerGid(id)).toBe(gid);
  });
});
