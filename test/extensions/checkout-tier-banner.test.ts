// @vitest-environment happy-dom
// The checkout banner rendered for real: Preact into a DOM, Polaris web components, the `shopify` global of
// purchase.checkout.block.render typed by @shopify/ui-extensions; assertions on what the buyer reads.
import { afterEach, describe, expect, it } from "vitest";
import entry from "../../extensions/checkout-tier-banner/src/Checkout";
import en from "../../extensions/checkout-tier-banner/locales/en.default.json";
import type { CheckoutBlockApi } from "../../extensions/checkout-tier-banner/src/target-api";
import { buildTierBenefits, buildTierLevel, buildTierProgress } from "../../tools/sample-data/tier-builders";
import { hostApi, hostI18n, hostSignal, readable, runExtension, tags, unmount } from "./support/extension-host";

const json = (v: unknown) => JSON.stringify(v);
type Allocation = CheckoutBlockApi["discountAllocations"]["value"][number];
type Currency = Allocation["discountedAmount"]["currencyCode"];
const levelSaving = (amount: number, title = "Gold member: 10% off", currencyCode: Currency = "USD"): Allocation => ({
  type: "automatic",
  title,
  discountedAmount: { amount, currencyCode },
});

interface Checkout {
  member?: { level: unknown; progress?: unknown; benefits?: unknown };
  lines?: Allocation[][];
  cart?: Allocation[];
  settings?: Record<string, string>;
  locale?: string;
}

function checkoutApi(c: Checkout): CheckoutBlockApi {
  const locale = c.locale ?? "en-US";
  const metafield = (key: string, value: unknown): CheckoutBlockApi["appMetafields"]["value"][number] => ({
    target: { type: "customer", id: "gid://shopify/Customer/1" },
    metafield: { namespace: "$app:tierline", key, value: String(value), type: "json", valueType: "json_string" },
  });
  const m = c.member;
  return hostApi<CheckoutBlockApi>({
    buyerIdentity: { customer: hostSignal(m ? { id: "gid://shopify/Customer/1" } : undefined) },
    appMetafields: hostSignal(
      m
        ? [
            metafield("level", m.level),
            ...(m.progress === undefined ? [] : [metafield("progress", m.progress)]),
            ...(m.benefits === undefined ? [] : [metafield("benefits", m.benefits)]),
          ]
        : [],
    ),
    discountAllocations: hostSignal(c.cart ?? []),
    lines: hostSignal((c.lines ?? []).map((allocations, i) => ({ id: `gid://shopify/CartLine/${i}`, discountAllocations: allocations }))),
    settings: hostSignal(c.settings ?? {}),
    shop: { id: "gid://shopify/Shop/1", name: "Demo", storefrontUrl: "https://shop.example/", myshopifyDomain: "shop.myshopify.com" },
    localization: { language: hostSignal({ isoCode: locale }), timezone: hostSignal("America/Toronto") },
    i18n: hostI18n<CheckoutBlockApi["i18n"]>(en, locale),
  });
}

const gold = { level: json(buildTierLevel()), progress: json(buildTierProgress()), benefits: json(buildTierBenefits()) };
const platinum = {
  level: json(buildTierLevel({ id: "platinum", name: "Platinum", rank: 3 })),
  progress: json(buildTierProgress({ next: null })),
  benefits: json(buildTierBenefits([{ kind: "discount", type: "percentage", value: "15", minimumOrder: null }])),
};

afterEach(unmount);

describe("checkout tier banner", () => {
  it.each<[string, Checkout, string[]]>([
    ["a guest is asked to log in", {}, ["Members save more", "Log in to see your member level and savings.", "Log in"]],
    [
      "a gold member sees what the level saved on lines and cart, and the way to platinum",
      {
        member: gold,
        lines: [
          [levelSaving(4.5)],
          [levelSaving(3.25), { type: "code", code: "X", discountedAmount: { amount: 9, currencyCode: "USD" } } as Allocation],
        ],
        cart: [levelSaving(1.25, "Summer sale")],
      },
      ["Gold member", "You saved $7.75 as a Gold member", "Spend $300.00 more to reach Platinum"],
    ],
    [
      "below the minimum order, the level's discount is named instead",
      { member: gold, lines: [[]] },
      ["Gold member", "10% off every order over $50", "Spend $300.00 more to reach Platinum"],
    ],
    [
      "the merchant's renamed discount title counts as the level's",
      { member: gold, cart: [levelSaving(20, "VIP pricing")], settings: { discount_title: "VIP pricing" } },
      ["Gold member", "You saved $20.00 as a Gold member", "Spend $300.00 more to reach Platinum"],
    ],
    [
      "amounts follow the buyer's language",
      {
        member: { ...gold, progress: json(buildTierProgress({ currency: "EUR" })) },
        lines: [[levelSaving(12.5, "Gold member: 10% off", "EUR")]],
        locale: "de-DE",
      },
      ["Gold member", "You saved 12,50\u00a0€ as a Gold member", "Spend 300,00\u00a0€ more to reach Platinum"],
    ],
    [
      "the top level says so",
      { member: platinum, cart: [levelSaving(30, "Platinum member: 15% off")] },
      ["Platinum member", "You saved $30.00 as a Platinum member", "You've reached the top level"],
    ],
    [
      "a frozen level claims no savings and says the benefits are paused",
      { member: { ...gold, level: json(buildTierLevel({ status: "frozen" })) }, cart: [levelSaving(5)] },
      ["Gold member", "Frozen", "Your benefits are paused while your level is frozen.", "Spend $300.00 more to reach Platinum"],
    ],
    [
      "a signed-in customer with no level sees the way to the first one",
      {
        member: {
          level: "null",
          progress: json(buildTierProgress({ next: { id: "silver", name: "Silver", remainingSpend: "50.00" }, spend: "450.00" })),
        },
      },
      ["Spend $50.00 more to reach Silver"],
    ],
    ["a member whose documents are unreadable sees nothing", { member: { level: "{not json", progress: "{" } }, []],
  ])("%s", async (_case, checkout, lines) => {
    await runExtension(entry, checkoutApi(checkout));
    expect(readable()).toEqual(lines);
  });

  it("links a guest to the store's account page", async () => {
    await runExtension(entry, checkoutApi({}));
    expect(tags("s-link").map((a) => a.getAttribute("href"))).toEqual(["https://shop.example/account"]);
    expect(tags("s-banner")[0].getAttribute("tone")).toBe("info");
  });

  it("draws the bar toward the next level", async () => {
    await runExtension(entry, checkoutApi({ member: gold }));
    expect(
      tags("s-progress").map((p) => [
        p.getAttribute("value"),
        p.getAttribute("accessibilityLabel") ?? (p as unknown as { accessibilityLabel?: string }).accessibilityLabel,
      ]),
    ).toEqual([["0.8", "Progress to Platinum"]]);
  });

  it("updates when the checkout's discounts change (Shopify's signals)", async () => {
    const api = checkoutApi({ member: gold, cart: [] });
    await runExtension(entry, api);
    expect(readable()).toContain("10% off every order over $50");
    (api.discountAllocations as unknown as { value: Allocation[] }).value = [levelSaving(8)];
    await new Promise((r) => setTimeout(r, 0));
    expect(readable()).toContain("You saved $8.00 as a Gold member");
  });
});
