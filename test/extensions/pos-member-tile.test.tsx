import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { customerGid, fetchPosMember } from "../../extensions/pos-member-tile/src/member-client";
import { buildTierBenefits, buildTierLevel, buildTierProgress } from "../shared/support/tier-builders";
import { render } from "./support/render";
import { graphqlFetch, pos, type Registration } from "./support/ui-mocks";

vi.mock("@shopify/ui-extensions-react/point-of-sale", async () => (await import("./support/ui-mocks")).pointOfSaleModule());

const { default: blockRegistration, CustomerMemberBlock } = await import("../../extensions/pos-member-tile/src/CustomerBlock");
const { default: tileRegistration, MemberTile } = await import("../../extensions/pos-member-tile/src/Tile");
const { default: modalRegistration, MemberModal } = await import("../../extensions/pos-member-tile/src/Modal");

const json = (v: unknown) => JSON.stringify(v);
type Fields = Partial<Record<"level" | "progress" | "benefits", unknown>>;

function serve(byCustomer: Record<string, Fields | null>) {
  const f = graphqlFetch((req) => {
    const fields = byCustomer[String(req.variables?.id)];
    if (fields === undefined || fields === null) return { body: { data: { customer: null } } };
    const customer: Record<string, unknown> = { id: req.variables?.id };
    for (const key of ["level", "progress", "benefits"] as const) customer[key] = fields[key] === undefined ? null : { value: fields[key] };
    return { body: { data: { customer } } };
  });
  vi.stubGlobal("fetch", f.fn);
  return f;
}

const gold: Fields = { level: json(buildTierLevel()), progress: json(buildTierProgress()), benefits: json(buildTierBenefits()) };
const GOLD_GID = "gid://shopify/Customer/42";

beforeEach(() => {
  Object.assign(pos, { customerId: undefined, cartCustomerId: undefined, locale: "en-US", presentModal: vi.fn() });
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe("POS member level: registration", () => {
  it.each([
    [blockRegistration, "pos.customer-details.block.render"],
    [tileRegistration, "pos.home.tile.render"],
    [modalRegistration, "pos.home.modal.render"],
  ])("registers %#", (registration, target) => {
    expect((registration as unknown as Registration).target).toBe(target);
  });
});

describe("customer details block", () => {
  it("asks the Admin API for the selected customer's metafields by GID", async () => {
    const { sent } = serve({ [GOLD_GID]: gold });
    pos.customerId = 42;
    await render(<CustomerMemberBlock />);
    expect(sent).toEqual([{ url: "shopify:admin/api/graphql.json", query: expect.stringContaining("query TierlinePosMember($id: ID!)"), variables: { id: GOLD_GID } }]);
  });

  it("shows a gold member's level, validity, benefits, points and progress", async () => {
    serve({ [GOLD_GID]: gold });
    pos.customerId = 42;
    const view = await render(<CustomerMemberBlock />);
    expect(view.texts()).toEqual([
      "Member level",
      "Valid until March 2, 2027",
      "10% off every order over $50",
      "Free shipping to US, CA",
      "2× points",
      "Early access",
      "120 points",
      "Spend $300.00 more to reach Platinum",
    ]);
    expect(view.all("Badge")[0].props).toEqual({ text: "Gold member", variant: "success" });
  });

  it("shows a frozen member's paused benefits", async () => {
    serve({ [GOLD_GID]: { ...gold, level: json(buildTierLevel({ status: "frozen" })) } });
    pos.customerId = 42;
    const view = await render(<CustomerMemberBlock />);
    expect(view.all("Badge")[0].props).toEqual({ text: "Gold member", variant: "neutral" });
    expect(view.texts().slice(0, 4)).toEqual(["Member level", "Frozen", "Frozen since March 2, 2027. Your benefits are paused.", "Your benefits are paused while your level is frozen."]);
  });

  it("shows the top level without a next step", async () => {
    serve({ [GOLD_GID]: { ...gold, progress: json(buildTierProgress({ next: null })) } });
    pos.customerId = 42;
    const view = await render(<CustomerMemberBlock />);
    expect(view.texts().at(-1)).toBe("You've reached the top level");
  });

  it.each([
    ["malformed metafields", { level: "{", progress: json({ v: 9 }), benefits: "x" } as Fields],
    ["no metafields", {} as Fields],
    ["an unknown customer", null],
  ])("says 'not a member' for %s, without crashing", async (_name, fields) => {
    serve({ [GOLD_GID]: fields });
    pos.customerId = 42;
    const view = await render(<CustomerMemberBlock />);
    expect(view.texts()).toEqual(["Member level", "You're not a member yet."]);
  });

  it("says so when the Admin API fails", async () => {
    vi.stubGlobal("fetch", graphqlFetch(() => ({ body: { errors: [{ message: "Throttled" }] } })).fn);
    pos.customerId = 42;
    const view = await render(<CustomerMemberBlock />);
    expect(view.texts()).toEqual(["Member level", "Couldn't load the member level."]);
  });
});

describe("smart grid tile and modal", () => {
  it("is disabled with no customer in the cart (the POS 'guest')", async () => {
    const { sent } = serve({});
    const view = await render(<MemberTile />);
    expect(view.all("Tile")[0].props).toMatchObject({ title: "Member level", subtitle: "No customer in cart", enabled: false });
    expect(sent).toHaveLength(0);
  });

  it("shows the cart customer's level and first benefit, and opens the modal", async () => {
    serve({ [GOLD_GID]: gold });
    pos.cartCustomerId = 42;
    const view = await render(<MemberTile />);
    const tile = view.all("Tile")[0].props;
    expect(tile).toMatchObject({ subtitle: "Gold member · 10% off every order over $50", enabled: true });
    tile.onPress();
    expect(pos.presentModal).toHaveBeenCalledTimes(1);
  });

  it("says 'not a member' on the tile for a malformed level", async () => {
    serve({ [GOLD_GID]: { level: json({ v: 1, id: "gold" }) } });
    pos.cartCustomerId = 42;
    const view = await render(<MemberTile />);
    expect(view.all("Tile")[0].props.subtitle).toBe("Not a member");
  });

  it("modal: shows the member in full under the level's name, or asks for a customer", async () => {
    serve({ [GOLD_GID]: gold });
    pos.cartCustomerId = 42;
    const member = await render(<MemberModal />);
    expect(member.all("Section")[0].props.title).toBe("Gold");
    expect(member.texts()).toContain("10% off every order over $50");

    pos.cartCustomerId = undefined;
    const empty = await render(<MemberModal />);
    expect(empty.texts()).toEqual(["Add a customer to the cart to see their level."]);
  });
});

describe("member client", () => {
  it.each([
    [42, "gid://shopify/Customer/42"],
    ["gid://shopify/Customer/7", "gid://shopify/Customer/7"],
    ["0", null],
    ["abc", null],
    [-3, null],
  ])("customerGid(%j) = %s", (input, gid) => {
    expect(customerGid(input)).toBe(gid);
  });

  it("refuses an id that is not a customer's before sending anything", async () => {
    const f = graphqlFetch(() => ({ body: {} }));
    await expect(fetchPosMember(f.fn, "abc")).rejects.toThrow(/not a customer id/);
    expect(f.sent).toHaveLength(0);
  });
});
