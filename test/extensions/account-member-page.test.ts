// @vitest-environment happy-dom
// The member card page rendered for real: Preact into a DOM, Polaris web components, the `shopify` global of
// customer-account.page.render typed by @shopify/ui-extensions, and the Customer Account API answered by the stand-in
// from what the sync (member metafields) and a publish (the shop's programme) wrote.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import entry from "../../extensions/account-member-page/src/MemberPage";
import en from "../../extensions/account-member-page/locales/en.default.json";
import type { MemberPageApi } from "../../extensions/account-member-page/src/target-api";
import type { TierProgramV1 } from "../../app/shared/tier-metafield";
import { buildPointsHistory, buildTierBenefits, buildTierLevel, buildTierProgress } from "../../tools/sample-data/tier-builders";
import { hostApi, hostI18n, hostSignal, readable, runExtension, tags, unmount } from "./support/extension-host";
import { startMemberShop, type MemberFields, type MemberShop } from "./support/member-shop";

const json = (v: unknown) => JSON.stringify(v);

function pageApi(settings: Record<string, string> = {}, locale = "en-US"): MemberPageApi {
  return hostApi<MemberPageApi>({
    localization: { language: hostSignal({ isoCode: locale }) },
    i18n: hostI18n<MemberPageApi["i18n"]>(en, locale),
    settings: hostSignal(settings),
  });
}

let shop: MemberShop;
beforeAll(async () => {
  shop = await startMemberShop();
});
afterAll(() => shop.close());
afterEach(unmount);

const card = (levelColor: string) => ({ badge: "star", background: "#1f2937", text: "#ffffff", levelColor, hideDates: false });
/** The shop's programme as a publish writes it: three levels, every shape of requirement. */
const PROGRAM: TierProgramV1 = {
  v: 1,
  currency: "USD",
  window: { kind: "rolling", days: 365 },
  levels: [
    {
      id: "silver",
      name: "Silver",
      rank: 1,
      card: card("#c0c0c0"),
      requirements: [[{ kind: "accumulatedSpend", threshold: "500.00", windowDays: null, scoped: false }]],
      benefits: [{ kind: "discount", type: "percentage", value: "5", minimumOrder: null }],
      validityDays: 365,
    },
    {
      id: "gold",
      name: "Gold",
      rank: 2,
      card: card("#d4af37"),
      requirements: [
        [
          { kind: "accumulatedSpend", threshold: "1000.00", windowDays: null, scoped: false },
          { kind: "orderCount", threshold: "5", windowDays: null, scoped: false },
        ],
        [{ kind: "singleOrder", threshold: "400.00", windowDays: 30, scoped: false }],
      ],
      benefits: [
        { kind: "discount", type: "percentage", value: "10", minimumOrder: "50.00" },
        { kind: "freeShipping", countries: ["US", "CA"], minimumOrder: null },
      ],
      validityDays: 365,
    },
    {
      id: "vip",
      name: "VIP",
      rank: 3,
      card: card("#ffffff"),
      requirements: [],
      benefits: [{ kind: "custom", title: "Personal shopper", icon: "star" }],
      validityDays: null,
    },
  ],
};

async function show(fields: MemberFields, opts: { program?: string | null; settings?: Record<string, string> } = {}) {
  await shop.setProgram(opts.program === undefined ? json(PROGRAM) : opts.program);
  const customerId = await shop.addMember(fields);
  await runExtension(entry, pageApi(opts.settings), shop.customerAccountFetch(customerId));
}

const goldProgress = buildTierProgress({
  next: {
    id: "platinum",
    name: "Platinum",
    remainingSpend: "300.00",
    requirements: [
      { kind: "accumulatedSpend", threshold: "1500.00", current: "1200.00", windowDays: 365, scoped: false },
      { kind: "orderCount", threshold: "8", current: "5", windowDays: null, scoped: false },
      { kind: "points", threshold: "2500", current: "1200", windowDays: null, scoped: false },
    ],
  },
});
const gold: MemberFields = {
  level: json(buildTierLevel()),
  progress: json(goldProgress),
  benefits: json(buildTierBenefits()),
  history: json(buildPointsHistory()),
};

const PROGRAMME = [
  "Membership levels",
  "Silver",
  "$500 spent in the last 365 days",
  "5% off every order",
  "Lasts 1 year once reached",
  "Gold",
  "Your level",
  "$1,000 spent and 5 orders in the last 365 days or $400 in a single order in the last 30 days",
  "10% off every order over $50",
  "Free shipping to US, CA",
  "Lasts 1 year once reached",
  "VIP",
  "By invitation only",
  "Personal shopper",
  "Yours for good once reached",
];

/** A shopper with no birthday on file sees the birthday form last, before the merchant's texts (BirthdayForm.tsx). */
const BIRTHDAY_FORM = ["Your birthday", "Tell us your birthday and get a treat from us when it comes round.", "Save birthday"];
function withBirthdayForm(lines: string[]): string[] {
  const at = lines.indexOf("How membership works");
  return at < 0 ? [...lines, ...BIRTHDAY_FORM] : [...lines.slice(0, at), ...BIRTHDAY_FORM, ...lines.slice(at)];
}

describe("member card page", () => {
  it("shows a gold member's card, progress on every condition, benefits, the whole programme and points", async () => {
    await show(gold);
    expect(readable()).toEqual(
      withBirthdayForm([
        "Membership",
        "Gold member card",
        "Gold member",
        "Valid until March 2, 2027",
        "Your progress",
        "Spend $300.00 more to reach Platinum",
        "$1,200.00 of $1,500.00 spent in the last 365 days",
        "5 of 8 orders",
        "1,200 of 2,500 points earned",
        "Your benefits",
        "10% off every order over $50",
        "Free shipping to US, CA",
        "2× points",
        "Early access",
        ...PROGRAMME,
        "Points",
        "120 points",
        "Points history",
        "April 1, 2026",
        "Points earned",
        "+120",
        "March 15, 2026",
        "Refund",
        "\u221230",
      ]),
    );
    expect(tags("s-progress").map((p) => p.getAttribute("value"))).toEqual(["0.8"]);
    expect(tags("s-image")[0].getAttribute("src")).toMatch(/^data:image\/svg\+xml;charset=utf-8,/);
  });

  it.each<[string, MemberFields, { program?: string | null; settings?: Record<string, string> }, string[]]>([
    [
      "a visitor who is not a member yet sees the way in and every level",
      { progress: json(buildTierProgress({ spend: "450.00", points: 0, next: { id: "silver", name: "Silver", remainingSpend: "50.00" } })) },
      {},
      ["Membership", "You're not a member yet.", "Spend $50.00 more to reach Silver", ...PROGRAMME.filter((l) => l !== "Your level")],
    ],
    [
      "without a published programme the levels section is left out",
      {
        level: json(buildTierLevel({ card: { hideDates: true } })),
        progress: json(buildTierProgress({ next: null })),
        benefits: json(buildTierBenefits([])),
      },
      { program: null },
      [
        "Membership",
        "Gold member card",
        "Gold member",
        "Your progress",
        "You've reached the top level",
        "Your benefits",
        "This level has no listed benefits yet.",
        "Points",
        "120 points",
        "Points history",
        "No points activity yet.",
      ],
    ],
    [
      "a frozen member is told the benefits are paused",
      { level: json(buildTierLevel({ status: "frozen", expiresAt: null })), benefits: json(buildTierBenefits([{ kind: "points", multiplier: 2 }])) },
      { program: null },
      [
        "Membership",
        "Gold member card",
        "Gold member",
        "Frozen",
        "Your level is frozen. Your benefits are paused.",
        "Your benefits",
        "Your benefits are paused while your level is frozen.",
        "2× points",
      ],
    ],
    [
      "the merchant's texts, each part only when written",
      { level: json(buildTierLevel()) },
      { program: null, settings: { upgrade_rules: "Spend more.\n\nEvery order counts.", membership_notice: "  " } },
      [
        "Membership",
        "Gold member card",
        "Gold member",
        "Valid until March 2, 2027",
        "Your benefits",
        "This level has no listed benefits yet.",
        "How membership works",
        "Reaching a higher level",
        "Spend more.",
        "Every order counts.",
      ],
    ],
  ])("%s", async (_case, fields, opts, lines) => {
    await show(fields, opts);
    expect(readable()).toEqual(withBirthdayForm(lines));
  });

  it("says plainly when the membership cannot be loaded", async () => {
    await runExtension(entry, pageApi(), async () => ({ ok: false, status: 503, json: async () => ({}) }));
    expect(readable()).toEqual(["Membership", "We couldn't load your membership right now. Please try again later."]);
    expect(tags("s-banner")[0].getAttribute("tone")).toBe("critical");
  });
});
