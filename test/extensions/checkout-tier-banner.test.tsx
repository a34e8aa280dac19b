import { beforeEach, describe, expect, it, vi } from "vitest";
import en from "../../extensions/checkout-tier-banner/locales/en.default.json";
import { buildTierBenefits, buildTierLevel, buildTierProgress } from "../shared/support/tier-builders";
import { render } from "./support/render";
import { checkout, freshCheckout, type Registration } from "./support/ui-mocks";

vi.mock("@shopify/ui-extensions-react/checkout", async () => (await import("./support/ui-mocks")).checkoutModule());

const { default: registration, TierBanner } = await import("../../extensions/checkout-tier-banner/src/Checkout");

const json = (v: unknown) => JSON.stringify(v);
const tierAllocation = (amount: number, title = "Gold member: 10% off") => ({ type: "automatic", title, discountedAmount: { amount, currencyCode: "USD" } });

beforeEach(() => {
  Object.assign(checkout, freshCheckout(en));
});

function signIn(level: unknown, progress: unknown = json(buildTierProgress()), benefits: unknown = json(buildTierBenefits())) {
  checkout.customer = { id: "gid://shopify/Customer/1" };
  checkout.metafields = { level, progress, benefits };
}

describe("checkout tier banner", () => {
  it("registers for purchase.checkout.block.render and asks for the $app:tierline customer metafields", async () => {
    expect((registration as unknown as Registration).target).toBe("purchase.checkout.block.render");
    signIn(json(buildTierLevel()));
    await render(<TierBanner />);
    expect(checkout.metafieldFilters).toEqual([
      { namespace: "$app:tierline", key: "level", type: "customer" },
      { namespace: "$app:tierline", key: "progress", type: "customer" },
      { namespace: "$app:tierline", key: "benefits", type: "customer" },
    ]);
  });

  it("asks a guest to log in, linking to the store's account page", async () => {
    const view = await render(<TierBanner />);
    expect(view.texts()).toEqual(["Log in to see your member level and savings.", "Log in"]);
    expect(view.all("Banner")[0].props).toMatchObject({ status: "info", title: "Members save more" });
    expect(view.all("Link")[0].props.to).toBe("https://shop.example/account");
  });

  it("shows a gold member's badge, the savings on lines and cart, and the spend to platinum", async () => {
    signIn(json(buildTierLevel()));
    checkout.lines = [{ discountAllocations: [tierAllocation(4.5)] }, { discountAllocations: [tierAllocation(3.25), { type: "code", code: "X", discountedAmount: { amount: 9, currencyCode: "USD" } }] }];
    checkout.cartAllocations = [tierAllocation(1.25, "Summer sale")];
    const view = await render(<TierBanner />);
    expect(view.texts()).toEqual(["Gold member", "You saved $7.75 as a Gold member", "Spend $300.00 more to reach Platinum"]);
    expect(view.all("Progress")[0].props).toMatchObject({ value: 0.8, max: 1, accessibilityLabel: "Progress to Platinum" });
    expect(view.all("Badge")[0].props.tone).toBe("default");
  });

  it("names the level's discount when this cart got none from it (below the minimum order)", async () => {
    signIn(json(buildTierLevel()));
    checkout.lines = [{ discountAllocations: [] }];
    const view = await render(<TierBanner />);
    expect(view.texts()).toEqual(["Gold member", "10% off every order over $50", "Spend $300.00 more to reach Platinum"]);
  });

  it("recognises the merchant's renamed discount title from the settings", async () => {
    signIn(json(buildTierLevel()));
    checkout.settings = { discount_title: "VIP pricing" };
    checkout.cartAllocations = [tierAllocation(20, "VIP pricing")];
    const view = await render(<TierBanner />);
    expect(view.texts()).toContain("You saved $20.00 as a Gold member");
  });

  it("formats for the buyer's language", async () => {
    signIn(json(buildTierLevel()), json(buildTierProgress({ currency: "EUR" })));
    checkout.locale = "de-DE";
    checkout.lines = [{ discountAllocations: [{ type: "automatic", title: "Gold member: 10% off", discountedAmount: { amount: 12.5, currencyCode: "EUR" } }] }];
    const view = await render(<TierBanner />);
    expect(view.texts()).toEqual(["Gold member", "You saved 12,50\u00a0€ as a Gold member", "Spend 300,00\u00a0€ more to reach Platinum"]);
  });

  it("congratulates a member at the top level, with no bar", async () => {
    const platinumBenefits = json(buildTierBenefits([{ kind: "discount", type: "percentage", value: "15", minimumOrder: null }]));
    signIn(json(buildTierLevel({ id: "platinum", name: "Platinum", rank: 3 })), json(buildTierProgress({ next: null })), platinumBenefits);
    checkout.cartAllocations = [tierAllocation(30, "Platinum member: 15% off")];
    const view = await render(<TierBanner />);
    expect(view.texts()).toEqual(["Platinum member", "You saved $30.00 as a Platinum member", "You've reached the top level"]);
    expect(view.all("Progress")).toHaveLength(0);
  });

  it("tells a frozen member the benefits are paused, and claims no savings", async () => {
    signIn(json(buildTierLevel({ status: "frozen" })));
    checkout.lines = [{ discountAllocations: [tierAllocation(5)] }];
    const view = await render(<TierBanner />);
    expect(view.texts()).toEqual(["Gold member", "Frozen", "Your benefits are paused while your level is frozen.", "Spend $300.00 more to reach Platinum"]);
    expect(view.all("Badge")[0].props.tone).toBe("subdued");
  });

  it("shows a signed-in customer without a level the way to the first level", async () => {
    signIn(undefined, json(buildTierProgress({ spend: "60.00", next: { id: "silver", name: "Silver", remainingSpend: "40.00" } })));
    const view = await render(<TierBanner />);
    expect(view.texts()).toEqual(["Spend $40.00 more to reach Silver"]);
    expect(view.all("Progress")[0].props.value).toBeCloseTo(0.6, 10);
  });

  it.each([
    ["broken JSON", "{\"v\":1,", "{"],
    ["a future version", json({ ...buildTierLevel(), v: 2 }), json({ ...buildTierProgress(), v: 2 })],
    ["wrong types", json({ v: 1, id: 7 }), json({ v: 1, currency: "usd" })],
  ])("renders nothing, without crashing, for malformed metafields (%s)", async (_name, level, progress) => {
    signIn(level, progress);
    const view = await render(<TierBanner />);
    expect(view.isEmpty()).toBe(true);
  });

  it("shows the level but no progress when only the progress metafield is malformed", async () => {
    signIn(json(buildTierLevel()), "not json");
    const view = await render(<TierBanner />);
    // Without progress there is no currency to state the discount's minimum in, so the hint goes too.
    expect(view.texts()).toEqual(["Gold member"]);
  });
});
