// @vitest-environment happy-dom
// The POS tile, modal and customer details block rendered for real: Preact into a DOM, POS web components, each
// target's `shopify` global typed by @shopify/ui-extensions, and direct Admin API access answered by the stand-in
// from what the sync wrote. Assertions on what the staff member reads.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import blockEntry from "../../extensions/pos-member-tile/src/CustomerBlock";
import modalEntry from "../../extensions/pos-member-tile/src/Modal";
import tileEntry from "../../extensions/pos-member-tile/src/Tile";
import en from "../../extensions/pos-member-tile/locales/en.default.json";
import type { CustomerDetailsBlockApi, HomeModalApi, HomeTileApi } from "../../extensions/pos-member-tile/src/target-api";
import { numericPart } from "../../tools/shopify-stand-in/store";
import { buildTierBenefits, buildTierLevel, buildTierProgress } from "../../tools/sample-data/tier-builders";
import { hostApi, hostI18n, hostSignal, readable, runExtension, settle, tags, unmount } from "./support/extension-host";
import { startMemberShop, type MemberFields, type MemberShop } from "./support/member-shop";

const json = (v: unknown) => JSON.stringify(v);
const gold: MemberFields = { level: json(buildTierLevel()), progress: json(buildTierProgress()), benefits: json(buildTierBenefits()) };

let shop: MemberShop;
let goldId: number;
let newcomerId: number;
let strangerId: number;
beforeAll(async () => {
  shop = await startMemberShop();
  goldId = numericPart(await shop.addMember(gold));
  newcomerId = numericPart(
    await shop.addMember({
      progress: json(buildTierProgress({ spend: "10.00", points: 0, next: { id: "silver", name: "Silver", remainingSpend: "490.00" } })),
    }),
  );
  strangerId = numericPart(await shop.addMember({}));
});
afterAll(() => shop.close());
afterEach(unmount);

const common = (locale = "en-US") => ({ locale: { current: hostSignal(locale) }, i18n: hostI18n<HomeTileApi["i18n"]>(en, locale) });
const cartOf = (customerId: number | undefined) => hostSignal({ customer: customerId === undefined ? undefined : { id: customerId } });

const GOLD_DETAILS = [
  "Gold member",
  "Valid until March 2, 2027",
  "10% off every order over $50",
  "Free shipping to US, CA",
  "2× points",
  "Early access",
  "120 points",
  "Spend $300.00 more to reach Platinum",
];

describe("POS customer details block", () => {
  it.each<[string, () => number, string[]]>([
    ["a gold member's level, validity, benefits, points and progress", () => goldId, ["Member level", ...GOLD_DETAILS]],
    [
      "a customer on the way to the first level",
      () => newcomerId,
      ["Member level", "You're not a member yet.", "Spend $490.00 more to reach Silver"],
    ],
    ["a customer the app knows nothing about", () => strangerId, ["Member level", "You're not a member yet."]],
    ["a customer the Admin API does not know", () => 999999, ["Member level", "You're not a member yet."]],
  ])("%s", async (_case, id, lines) => {
    const api = hostApi<CustomerDetailsBlockApi>({ ...common(), customer: { id: id() } });
    await runExtension(blockEntry, api, shop.posFetch());
    expect(readable()).toEqual(lines);
  });

  it("says so when the member level cannot be loaded", async () => {
    const api = hostApi<CustomerDetailsBlockApi>({ ...common(), customer: { id: goldId } });
    await runExtension(blockEntry, api, async () => ({ ok: false, status: 502, json: async () => ({}) }));
    expect(readable()).toEqual(["Member level", "Couldn't load the member level."]);
  });
});

describe("POS smart grid tile", () => {
  it.each<[string, () => number | undefined, string[], boolean]>([
    ["no customer in the cart", () => undefined, ["Member level", "No customer in cart"], true],
    ["a gold member in the cart: level and first benefit", () => goldId, ["Member level", "Gold member · 10% off every order over $50"], false],
    ["a customer who is not a member", () => strangerId, ["Member level", "Not a member"], false],
  ])("%s", async (_case, id, lines, disabled) => {
    const api = hostApi<HomeTileApi>({ ...common(), cart: { current: cartOf(id()) }, action: { presentModal: vi.fn() } });
    await runExtension(tileEntry, api, shop.posFetch());
    expect(readable()).toEqual(lines);
    expect(tags("s-tile")[0].hasAttribute("disabled")).toBe(disabled);
  });

  it("opens the modal when tapped, and follows the cart's customer", async () => {
    const presentModal = vi.fn();
    const cart = cartOf(undefined);
    const api = hostApi<HomeTileApi>({ ...common(), cart: { current: cart }, action: { presentModal } });
    await runExtension(tileEntry, api, shop.posFetch());
    expect(readable()).toEqual(["Member level", "No customer in cart"]);
    cart.value = { customer: { id: goldId } };
    await settle();
    expect(readable()).toEqual(["Member level", "Gold member · 10% off every order over $50"]);
    (tags("s-tile")[0] as HTMLElement).click();
    expect(presentModal).toHaveBeenCalledTimes(1);
  });
});

describe("POS modal", () => {
  it.each<[string, () => number | undefined, string[]]>([
    ["a gold member in full", () => goldId, ["Member level", "Gold", ...GOLD_DETAILS]],
    ["no customer yet", () => undefined, ["Member level", "Member level", "Add a customer to the cart to see their level."]],
  ])("%s", async (_case, id, lines) => {
    const api = hostApi<HomeModalApi>({ ...common(), cart: { current: cartOf(id()) } });
    await runExtension(modalEntry, api, shop.posFetch());
    expect(readable()).toEqual(lines);
  });
});
