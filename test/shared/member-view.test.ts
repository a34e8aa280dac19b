import { describe, expect, it } from "vitest";
import {
  benefitLines,
  benefitText,
  cardStyle,
  checkoutView,
  contrastRatio,
  memberView,
  pointsHistoryRows,
  progressFraction,
  progressView,
  tierSavings,
  validityText,
  type DiscountAllocationInput,
} from "~/shared/member-view";
import type { TierBenefitItemV1 } from "~/shared/tier-metafield";
import { buildPointsHistory, buildTierBenefits, buildTierLevel, buildTierProgress, viewContext } from "../../tools/sample-data/tier-builders";

const en = viewContext("en-US");

describe("progress", () => {
  it.each([
    ["mid-way", "1200.00", "300.00", 0.8, "Spend $300.00 more to reach Platinum"],
    ["just started", "0.00", "500.00", 0, "Spend $500.00 more to reach Platinum"],
    ["one cent short", "499.99", "0.01", 0.99998, "Spend $0.01 more to reach Platinum"],
    ["already qualifies (sync pending)", "500.00", "0.00", 1, "You qualify for Platinum. Your level updates shortly."],
    ["negative spend after refunds", "-20.00", "100.00", 0, "Spend $100.00 more to reach Platinum"],
  ])("%s: spend %s, remaining %s → %s", (_name, spend, remainingSpend, fraction, text) => {
    const view = progressView(buildTierProgress({ spend, next: { id: "platinum", name: "Platinum", remainingSpend } }), en);
    expect(view?.kind).toBe("next");
    if (view?.kind !== "next") return;
    expect(view.fraction).toBeCloseTo(fraction, 5);
    expect(view.text).toBe(text);
    expect(view.label).toBe("Progress to Platinum");
  });

  it("says the top level is reached when there is no next level", () => {
    expect(progressView(buildTierProgress({ next: null }), en)).toEqual({
      kind: "top",
      fraction: 1,
      text: "You've reached the top level",
      lines: [],
    });
  });

  it("draws no bar toward a level that spend does not reach", () => {
    expect(progressView(buildTierProgress({ next: { id: "vip", name: "VIP", remainingSpend: null } }), en)).toMatchObject({
      fraction: null,
      text: "Next level: VIP",
    });
  });

  it.each([
    ["en-US", "USD", "Spend $300.00 more to reach Platinum"],
    ["de-DE", "EUR", "Spend 300,00\u00a0€ more to reach Platinum"],
    ["ja-JP", "JPY", "Spend ￥300 more to reach Platinum"],
    ["fr-CA", "CAD", "Spend 300,00\u00a0$ more to reach Platinum"],
  ])("formats the amount for %s %s", (locale, currency, text) => {
    expect(progressView(buildTierProgress({ currency }), viewContext(locale))).toMatchObject({ text });
  });

  it.each([
    [0, 0, 1],
    [50, 50, 0.5],
    [-10, 10, 0],
    [10, -5, 1],
  ])("progressFraction(%s, %s) = %s", (spent, remaining, fraction) => {
    expect(progressFraction(spent, remaining)).toBe(fraction);
  });
});

describe("benefit texts", () => {
  it.each<[TierBenefitItemV1, string, string, string | null]>([
    [{ kind: "discount", type: "percentage", value: "10", minimumOrder: "50.00" }, "USD", "en-US", "10% off every order over $50"],
    [{ kind: "discount", type: "percentage", value: "12.5", minimumOrder: null }, "USD", "en-US", "12.5% off every order"],
    [{ kind: "discount", type: "fixed", value: "5.00", minimumOrder: null }, "USD", "en-US", "$5 off every order"],
    [{ kind: "discount", type: "fixed", value: "5.50", minimumOrder: "49.99" }, "EUR", "de-DE", "5,50\u00a0€ off every order over 49,99\u00a0€"],
    [{ kind: "discount", type: "fixed", value: "500", minimumOrder: null }, "JPY", "ja-JP", "￥500 off every order"],
    [{ kind: "freeShipping", countries: ["US", "CA"], minimumOrder: null }, "USD", "en-US", "Free shipping to US, CA"],
    [{ kind: "freeShipping", countries: null, minimumOrder: null }, "USD", "en-US", "Free shipping"],
    [{ kind: "freeShipping", countries: null, minimumOrder: "75.00" }, "CAD", "fr-CA", "Free shipping on orders over 75\u00a0$"],
    [{ kind: "freeShipping", countries: ["US"], minimumOrder: "75.00" }, "USD", "en-US", "Free shipping to US on orders over $75"],
    [{ kind: "points", multiplier: 2 }, "USD", "en-US", "2× points"],
    [{ kind: "points", multiplier: 1.5 }, "EUR", "de-DE", "1,5× points"],
    [{ kind: "custom", title: "Early access to sales", icon: "star" }, "USD", "en-US", "Early access to sales"],
  ])("%j in %s/%s → %s", (item, currency, locale, text) => {
    expect(benefitText(item, currency, viewContext(locale))).toBe(text);
  });

  it("leaves out amount texts when the currency is unknown, and keeps the rest", () => {
    const lines = benefitLines(buildTierBenefits(), null, en);
    expect(lines.map((l) => l.text)).toEqual(["Free shipping to US, CA", "2× points", "Early access"]);
    expect(lines.map((l) => l.icon)).toEqual(["delivery", "star", "star"]);
  });
});

describe("validity and hidden dates", () => {
  it.each([
    ["active with an expiry", { status: "active" as const }, false, "Valid until March 2, 2027"],
    ["active, permanent", { status: "active" as const, expiresAt: null }, false, "Member since March 2, 2026"],
    ["in grace", { status: "grace" as const }, false, "Expired on March 2, 2027. Shop again soon to keep your level."],
    ["frozen", { status: "frozen" as const }, false, "Frozen since March 2, 2027. Your benefits are paused."],
    ["active, dates hidden", { status: "active" as const }, true, null],
    ["in grace, dates hidden", { status: "grace" as const }, true, "Your level is in its grace period. Shop again soon to keep it."],
    ["frozen, dates hidden", { status: "frozen" as const }, true, "Your level is frozen. Your benefits are paused."],
  ])("%s", (_name, patch, hideDates, text) => {
    expect(validityText(buildTierLevel({ ...patch, card: { hideDates } }), en)).toBe(text);
  });

  it("formats dates in the shopper's locale and zone", () => {
    expect(validityText(buildTierLevel(), viewContext("de-DE"))).toBe("Valid until 2. März 2027");
    expect(validityText(buildTierLevel({ expiresAt: "2027-03-02T02:00:00Z" }), viewContext("en-US", "America/Toronto"))).toBe(
      "Valid until March 1, 2027",
    );
    expect(validityText(buildTierLevel({ expiresAt: "2027-03-02T02:00:00Z" }), viewContext("en-US", "Not/AZone"))).toBe("Valid until March 2, 2027");
  });
});

describe("card style", () => {
  it.each([
    [
      "a valid card as it is",
      { background: "#1f2937", text: "#ffffff", levelColor: "#d4af37" },
      { background: "#1f2937", text: "#ffffff", levelColor: "#d4af37" },
    ],
    [
      "invalid colours → defaults",
      { background: "blue", text: "#fffffff", levelColor: "javascript:x" },
      { background: "#1f2937", text: "#ffffff", levelColor: "#d4af37" },
    ],
    [
      "unreadable text on a light card → black",
      { background: "#fafafa", text: "#ffffff", levelColor: "#000080" },
      { background: "#fafafa", text: "#000000", levelColor: "#000080" },
    ],
    [
      "unreadable text on a dark card → white",
      { background: "#111111", text: "#222222", levelColor: "#d4af37" },
      { background: "#111111", text: "#ffffff", levelColor: "#d4af37" },
    ],
    [
      "a level colour lost in the background → the text colour",
      { background: "#ffffff", text: "#111111", levelColor: "#fefefe" },
      { background: "#ffffff", text: "#111111", levelColor: "#111111" },
    ],
  ])("%s", (_name, card, expected) => {
    expect(cardStyle({ badge: "star", hideDates: false, ...card })).toMatchObject(expected);
  });

  it("measures contrast as WCAG does", () => {
    expect(contrastRatio("#000000", "#ffffff")).toBeCloseTo(21, 5);
    expect(contrastRatio("#fff", "#ffffff")).toBe(1);
  });
});

describe("points", () => {
  it("formats the history newest first with signed amounts", () => {
    expect(pointsHistoryRows(buildPointsHistory(), en)).toEqual([
      { key: "2026-04-01T12:00:00Z#0", date: "April 1, 2026", label: "Points earned", points: "+120", positive: true },
      { key: "2026-03-15T12:00:00Z#1", date: "March 15, 2026", label: "Refund", points: "\u221230", positive: false },
    ]);
  });
});

describe("memberView", () => {
  const docs = { level: buildTierLevel(), progress: buildTierProgress(), benefits: buildTierBenefits(), history: buildPointsHistory() };

  it("shows a gold member mid-way to platinum", () => {
    const view = memberView(docs, en);
    expect(view).toMatchObject({
      kind: "member",
      levelName: "Gold",
      badgeText: "Gold member",
      statusText: null,
      validity: "Valid until March 2, 2027",
      progress: { kind: "next", fraction: 0.8, text: "Spend $300.00 more to reach Platinum" },
      benefitsPaused: null,
      pointsBalance: 120,
      points: "120 points",
    });
    if (view.kind !== "member") return;
    expect(view.benefits.map((b) => b.text)).toEqual(["10% off every order over $50", "Free shipping to US, CA", "2× points", "Early access"]);
    expect(view.history).toHaveLength(2);
  });

  it("pauses a frozen member's benefits", () => {
    const view = memberView({ ...docs, level: buildTierLevel({ status: "frozen" }) }, en);
    expect(view).toMatchObject({ kind: "member", statusText: "Frozen", benefitsPaused: "Your benefits are paused while your level is frozen." });
  });

  it.each([
    ["1 point", 1],
    ["0 points", 0],
    ["1,250 points", 1250],
  ])("says %s", (text, points) => {
    expect(memberView({ ...docs, progress: buildTierProgress({ points }) }, en)).toMatchObject({ points: text });
  });

  it.each<[string, unknown]>([
    ["missing", undefined],
    ["no level", { v: 1, id: null }],
    ["a future version", { ...buildTierLevel(), v: 2 }],
    ["garbage text", "not json at all"],
  ])("shows no level when the level metafield is %s, with progress toward the first level", (_name, level) => {
    const view = memberView({ ...docs, level, progress: buildTierProgress({ next: { id: "silver", name: "Silver", remainingSpend: "40.00" } }) }, en);
    expect(view).toEqual({
      kind: "none",
      text: "You're not a member yet.",
      progress: {
        kind: "next",
        levelId: "silver",
        levelName: "Silver",
        fraction: 1200 / 1240,
        text: "Spend $40.00 more to reach Silver",
        label: "Progress to Silver",
        lines: [],
      },
    });
  });

  it("hides what cannot be read and keeps the rest", () => {
    const view = memberView({ level: buildTierLevel(), progress: { v: 1, currency: 5 }, benefits: "[]", history: null }, en);
    expect(view).toMatchObject({ kind: "member", levelName: "Gold", progress: null, benefits: [], points: null, pointsBalance: null, history: [] });
  });
});

describe("savings at checkout", () => {
  const allocation = (title: string, amount: number, currencyCode = "USD", type = "automatic"): DiscountAllocationInput => ({
    type,
    title,
    discountedAmount: { amount, currencyCode },
  });

  it.each<[string, DiscountAllocationInput[], string[], { minor: number; currency: string } | null]>([
    [
      "the Function's message on lines",
      [allocation("Gold member: 10% off", 4.99), allocation("Gold member: 10% off", 0.11)],
      [],
      { minor: 510, currency: "USD" },
    ],
    ["the merchant's discount title", [allocation("VIP pricing", 12)], ["VIP pricing "], { minor: 1200, currency: "USD" }],
    ["another level's message", [allocation("Silver member: 5% off", 3)], [], null],
    ["a code discount", [{ type: "code", code: "GOLD10", discountedAmount: { amount: 3, currencyCode: "USD" } }], [], null],
    ["another automatic discount", [allocation("Summer sale", 9), allocation("Gold member: free shipping", 0)], [], null],
    [
      "mixed currencies (kept to the first)",
      [allocation("Gold member: 10% off", 1000, "JPY"), allocation("Gold member: 10% off", 5, "USD")],
      [],
      { minor: 1000, currency: "JPY" },
    ],
    [
      "float sums that do not add up in binary",
      [allocation("Gold member: 10% off", 0.1), allocation("Gold member: 10% off", 0.2)],
      [],
      { minor: 30, currency: "USD" },
    ],
  ])("%s", (_name, allocations, titles, expected) => {
    expect(tierSavings(allocations, "Gold", titles)).toEqual(expected);
  });
});

describe("checkoutView", () => {
  const base = {
    signedIn: true,
    level: buildTierLevel(),
    progress: buildTierProgress(),
    benefits: buildTierBenefits(),
    allocations: [{ type: "automatic", title: "Gold member: 10% off", discountedAmount: { amount: 12, currencyCode: "USD" } }],
  };

  it.each([
    [
      "a guest",
      { signedIn: false },
      { kind: "guest", title: "Members save more", body: "Log in to see your member level and savings.", action: "Log in" },
    ],
    [
      "a gold member",
      {},
      {
        kind: "member",
        badgeText: "Gold member",
        savings: "You saved $12.00 as a Gold member",
        hint: null,
        paused: null,
        progress: { text: "Spend $300.00 more to reach Platinum" },
      },
    ],
    ["a gold member whose cart got no level discount", { allocations: [] }, { kind: "member", savings: null, hint: "10% off every order over $50" }],
    [
      "a gold member whose level has no discount",
      { allocations: [], benefits: buildTierBenefits([{ kind: "points", multiplier: 2 }]) },
      { kind: "member", savings: null, hint: null },
    ],
    [
      "the top level",
      { progress: buildTierProgress({ next: null }) },
      { kind: "member", progress: { kind: "top", text: "You've reached the top level" } },
    ],
    [
      "a frozen member (no savings claimed)",
      { level: buildTierLevel({ status: "frozen" }) },
      { kind: "member", statusText: "Frozen", savings: null, hint: null, paused: "Your benefits are paused while your level is frozen." },
    ],
    ["a signed-in customer without a level", { level: undefined }, { kind: "none", progress: { text: "Spend $300.00 more to reach Platinum" } }],
    ["a malformed level and progress", { level: "{", progress: "{" }, { kind: "hidden" }],
  ])("%s", (_name, patch, expected) => {
    expect(checkoutView({ ...base, ...patch }, en)).toMatchObject(expected);
  });
});
