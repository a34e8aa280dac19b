import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createTranslator, MEMBER_MESSAGES_EN } from "~/shared/member-messages";
import { memberView, type ViewContext } from "~/shared/member-view";
import { programView } from "~/shared/program-view";
import { parseTierBenefits, parseTierLevel, parseTierProgram, parseTierProgress, type TierProgramV1 } from "~/shared/tier-metafield";
import { createShopifyLiquid, type StorefrontState } from "../../tools/shopper-surfaces/storefront/shopify-liquid";
import { readBlock } from "./support/read-block";

/**
 * The Membership levels app block (extensions/tierline-theme) rendered with the Shopify-like Liquid environment of
 * tools/shopper-surfaces/storefront/shopify-liquid.ts against fixture metafields, read as a shopper reads it. Where the
 * account page shows the same thing, the block must say it in the same words: those expectations come from the
 * shared view-models (programView, memberView) with the default English catalogue.
 */

const liquid = createShopifyLiquid();
const ctx: ViewContext = { locale: "en", t: createTranslator(MEMBER_MESSAGES_EN, "en"), timeZone: "UTC" };
const PROGRAM: TierProgramV1 = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, "fixtures/program.json"), "utf8"));

const programField = (program: unknown) => ({ type: "json", value: JSON.stringify(program) });
const render = async (state: StorefrontState, settings?: Record<string, unknown>) => readBlock(await liquid.renderBlock(state, { settings }));

const gold = {
  v: 1,
  id: "gold",
  name: "Gold",
  rank: 2,
  status: "active",
  since: "2026-03-02T10:00:00Z",
  expiresAt: "2027-03-02T10:00:00Z",
  card: { badge: "star", background: "#1f2937", text: "#ffffff", levelColor: "#d4af37", hideDates: false },
};
const goldProgress = {
  v: 1,
  currency: "USD",
  spend: "2600.00",
  points: 1234.5,
  next: {
    id: "platinum",
    name: "Platinum",
    remainingSpend: "2400.00",
    requirements: [{ kind: "accumulatedSpend", threshold: "5000.00", current: "2600.00", windowDays: null, scoped: false }],
  },
};
const goldBenefits = {
  v: 1,
  items: [
    { kind: "discount", type: "percentage", value: "10", minimumOrder: null },
    { kind: "freeShipping", countries: ["US", "CA"], minimumOrder: null },
    { kind: "points", multiplier: 2 },
    { kind: "custom", title: "Early access to sales", icon: "star" },
  ],
};
const member = (metafields: Record<string, unknown>) => ({
  id: 7001,
  firstName: "Ada",
  metafields: Object.fromEntries(Object.entries(metafields).map(([k, v]) => [k, { type: "json", value: JSON.stringify(v) }])),
});

describe("fixtures", () => {
  it("the programme fixture is a TierProgramV1 exactly as the shared reader reads it", () => {
    expect(parseTierProgram(PROGRAM)).toEqual(PROGRAM);
  });
  it("the member fixtures read back through the shared readers", () => {
    expect(parseTierLevel(gold)).not.toBeNull();
    expect(parseTierProgress(goldProgress)).not.toBeNull();
    expect(parseTierBenefits(goldBenefits)?.items).toHaveLength(4);
  });
});

describe("a visitor who is not logged in", () => {
  it("sees every level, what each takes, gives and how long it lasts, in the account page's words", async () => {
    const read = await render({ shopMetafields: { program: programField(PROGRAM) } });
    const view = programView(PROGRAM, ctx, null)!;
    expect(read.heading).toBe("Membership levels");
    expect(read.guest).toBe("Log in to see your member level and savings. Log in");
    expect(read.loginHref).toBe("/account/login");
    expect(read.member).toBeNull();
    expect(read.cards.map((c) => c.name)).toEqual(["Silver", "Gold", "Platinum"]);
    expect(read.cards.map((c) => c.requirements)).toEqual(view.levels.map((l) => l.requirements));
    expect(read.cards.map((c) => c.benefits)).toEqual(view.levels.map((l) => l.benefits.map((b) => b.text)));
    expect(read.cards.map((c) => c.validity)).toEqual(view.levels.map((l) => l.validity));
    expect(read.cards.some((c) => c.current)).toBe(false);
    // What that reads like, spelled out once.
    expect(read.cards[0]).toMatchObject({
      reachLabel: "How to reach it (any one of these)",
      requirements: [
        "3 orders and $1,000 spent in the last 365 days",
        "1 selected product bought in the last 365 days",
        "3 selected products bought in the last 365 days",
      ],
      joiners: ["or", "or"],
      benefits: ["5% off every order", "Early access to sales"],
      validity: "Lasts 1 year once reached",
    });
    expect(read.cards[1]).toMatchObject({
      reachLabel: "How to reach it",
      requirements: ["$2,500 spent in the last 365 days"],
      benefits: ["10% off every order", "Free shipping to US, CA", "2× points", "Early access to sales"],
    });
    expect(read.cards[2].requirements).toEqual(["$5,000 spent in the last 365 days", "$2,000 in a single order in the last 365 days"]);
    expect(read.notes).toEqual([]);
  });

  const kinds = [
    { condition: { kind: "accumulatedSpend", threshold: "1000.00", windowDays: null, scoped: false }, text: "$1,000 spent" },
    { condition: { kind: "accumulatedSpend", threshold: "250.50", windowDays: null, scoped: true }, text: "$250.50 spent on selected products" },
    { condition: { kind: "singleOrder", threshold: "200.00", windowDays: null, scoped: false }, text: "$200 in a single order" },
    { condition: { kind: "singleOrder", threshold: "200.00", windowDays: null, scoped: true }, text: "$200 on selected products in a single order" },
    { condition: { kind: "orderCount", threshold: "1", windowDays: null, scoped: false }, text: "1 order" },
    { condition: { kind: "orderCount", threshold: "1200", windowDays: null, scoped: true }, text: "1,200 orders with selected products" },
    { condition: { kind: "itemCount", threshold: "10", windowDays: null, scoped: false }, text: "10 items" },
    { condition: { kind: "itemCount", threshold: "1", windowDays: null, scoped: true }, text: "1 selected item" },
    { condition: { kind: "productPurchase", threshold: "2", windowDays: null, scoped: false }, text: "2 products bought" },
    { condition: { kind: "productPurchase", threshold: "1", windowDays: null, scoped: true }, text: "1 selected product bought" },
    { condition: { kind: "points", threshold: "500", windowDays: null, scoped: false }, text: "500 points earned" },
    { condition: { kind: "orderCount", threshold: "5", windowDays: 30, scoped: false }, text: "5 orders in the last 30 days" },
    { condition: { kind: "points", threshold: "1", windowDays: 1, scoped: false }, text: "1 point earned in the last day" },
  ] as const;
  it.each(kinds)("reads the condition $condition.kind ($text)", async ({ condition, text }) => {
    const program = { ...PROGRAM, window: { kind: "lifetime", days: null }, levels: [{ ...PROGRAM.levels[0], requirements: [[condition]] }] };
    const read = await render({ shopMetafields: { program: programField(program) } });
    expect(read.cards[0].requirements).toEqual([text]);
    expect(read.cards[0].requirements).toEqual(programView(program, ctx, null)!.levels[0].requirements);
  });

  const windows = [
    { window: { kind: "lifetime", days: null }, text: "3 orders and $1,000 spent" },
    { window: { kind: "rolling", days: 90 }, text: "3 orders and $1,000 spent in the last 90 days" },
    { window: { kind: "calendarYear", days: null }, text: "3 orders and $1,000 spent in a calendar year" },
    { window: { kind: "sinceLastUpgrade", days: null }, text: "3 orders and $1,000 spent since your last level change" },
    { window: { kind: "fixed", days: null }, text: "3 orders and $1,000 spent during the programme period" },
  ] as const;
  it.each(windows)("says the programme window $window.kind once per group", async ({ window, text }) => {
    const program = { ...PROGRAM, window };
    const read = await render({ shopMetafields: { program: programField(program) } });
    expect(read.cards[0].requirements[0]).toBe(text);
    expect(read.cards[0].requirements).toEqual(programView(program, ctx, null)!.levels[0].requirements);
  });

  it("gives each condition its own window when they differ, and says a level given by the shop", async () => {
    const program = {
      ...PROGRAM,
      levels: [
        {
          ...PROGRAM.levels[0],
          requirements: [
            [
              { kind: "orderCount", threshold: "3", windowDays: 30, scoped: false },
              { kind: "accumulatedSpend", threshold: "1000.00", windowDays: null, scoped: false },
            ],
          ],
          validityDays: 90,
        },
        { ...PROGRAM.levels[1], requirements: [], benefits: [], validityDays: null },
      ],
    };
    const read = await render({ shopMetafields: { program: programField(program) } });
    expect(read.cards[0].requirements).toEqual(["3 orders in the last 30 days and $1,000 spent in the last 365 days"]);
    expect(read.cards[0].validity).toBe("Lasts 90 days once reached");
    expect(read.cards[1]).toMatchObject({
      requirements: [],
      requirementNote: "By invitation only",
      benefits: [],
      benefitsNote: "No extra benefits",
      validity: "Yours for good once reached",
    });
    const view = programView(program, ctx, null)!;
    expect([read.cards[0].requirements, [read.cards[1].requirementNote]]).toEqual(view.levels.map((l) => l.requirements));
    expect(read.cards.map((c) => c.validity)).toEqual(view.levels.map((l) => l.validity));
  });

  it("reads every benefit kind, with minimum orders and fixed amounts in the shop's money format", async () => {
    const benefits = [
      { kind: "discount", type: "fixed", value: "5.00", minimumOrder: "50.00" },
      { kind: "discount", type: "percentage", value: "12.5", minimumOrder: null },
      { kind: "freeShipping", countries: null, minimumOrder: "75.00" },
      { kind: "freeShipping", countries: ["US"], minimumOrder: "75.50" },
      { kind: "points", multiplier: 1.5 },
      { kind: "custom", title: "Birthday <gift> & card", icon: "gift" },
    ];
    const program = { ...PROGRAM, levels: [{ ...PROGRAM.levels[0], benefits }] };
    const read = await render({ shopMetafields: { program: programField(program) } });
    expect(read.cards[0].benefits).toEqual([
      "$5 off every order over $50",
      "12.5% off every order",
      "Free shipping on orders over $75",
      "Free shipping to US on orders over $75.50",
      "1.5× points",
      "Birthday <gift> & card",
    ]);
    expect(read.cards[0].benefits).toEqual(programView(program, ctx, null)!.levels[0].benefits.map((b) => b.text));
  });

  it("prints merchant text as text, never as markup", async () => {
    const program = { ...PROGRAM, levels: [{ ...PROGRAM.levels[0], name: "<img src=x onerror=alert(1)>Silver" }] };
    const html = await liquid.renderBlock({ shopMetafields: { program: programField(program) } }, { settings: { heading: "<b>Our club</b>" } });
    expect(html).not.toContain("<img");
    expect(html).not.toContain("<b>");
    const read = readBlock(html);
    expect(read.heading).toBe("<b>Our club</b>");
    expect(read.cards[0].name).toBe("<img src=x onerror=alert(1)>Silver");
  });

  it("names the programme's currency when the shopper browses in another one", async () => {
    const read = await render({ shopMetafields: { program: programField(PROGRAM) }, presentmentCurrency: "EUR" });
    expect(read.notes).toEqual(["Amounts in USD."]);
    expect(read.cards[1].requirements).toEqual(["2,500.00 USD spent in the last 365 days"]);
  });

  it("uses each level's card colours, readable ones, or the theme's", async () => {
    const unreadable = {
      ...PROGRAM,
      levels: [{ ...PROGRAM.levels[0], card: { ...PROGRAM.levels[0].card, background: "#f9fafb", text: "#ffffff", levelColor: "#fefefe" } }],
    };
    const read = await render({ shopMetafields: { program: programField(unreadable) } });
    // White on near-white fails WCAG's 3:1: the text turns black, the level colour follows it.
    expect(read.cards[0].style).toBe("--tl-bg:#f9fafb;--tl-fg:#000000;--tl-accent:#000000");
    const styled = await render({ shopMetafields: { program: programField(PROGRAM) } });
    expect(styled.cards[1].style).toBe("--tl-bg:#1f2937;--tl-fg:#ffffff;--tl-accent:#d4af37");
    const themed = await render({ shopMetafields: { program: programField(PROGRAM) } }, { colors: "theme" });
    expect(themed.cards.map((c) => c.style)).toEqual([null, null, null]);
  });

  it("shows only what the merchant's settings keep", async () => {
    const read = await render(
      { shopMetafields: { program: programField(PROGRAM) } },
      { show_requirements: false, show_benefits: false, show_validity: false, show_login: false, heading: "Our club" },
    );
    expect(read.heading).toBe("Our club");
    expect(read.guest).toBeNull();
    expect(read.cards.map((c) => [c.name, c.requirements, c.benefits, c.validity])).toEqual([
      ["Silver", [], [], null],
      ["Gold", [], [], null],
      ["Platinum", [], [], null],
    ]);
  });
});

describe("a logged-in customer", () => {
  it("with a level sees it, points and progress, and their level marked in the programme, as the account page says", async () => {
    const docs = { level: gold, progress: goldProgress, benefits: goldBenefits };
    const read = await render({ shopMetafields: { program: programField(PROGRAM) }, customer: member(docs) });
    const view = memberView(docs, ctx);
    if (view.kind !== "member" || view.progress?.kind !== "next") throw new Error("fixture is not a member with a next level");
    expect(read.guest).toBeNull();
    expect(read.member).toMatchObject({
      heading: "Your membership",
      level: "Gold member",
      status: null,
      validity: "Valid until March 2, 2027",
      points: "1,234.5 points",
      next: "Spend $2,400.00 more to reach Platinum",
      lines: [{ text: "$2,600.00 of $5,000.00 spent", value: 260_000, max: 500_000 }],
      benefits: ["10% off every order", "Free shipping to US, CA", "2× points", "Early access to sales"],
      paused: null,
      style: "--tl-bg:#1f2937;--tl-fg:#ffffff;--tl-accent:#d4af37",
    });
    expect(read.member!.level).toBe(view.badgeText);
    expect(read.member!.validity).toBe(view.validity);
    expect(read.member!.points).toBe(view.points);
    expect(read.member!.next).toBe(view.progress.text);
    expect(read.member!.lines.map((l) => l.text)).toEqual(view.progress.lines.map((l) => l.text));
    expect(read.member!.benefits).toEqual(view.benefits.map((b) => b.text));
    expect(read.member!.lines[0].labelledBy).toMatch(/-line-1$/);
    expect(read.cards.map((c) => [c.name, c.current, c.badge])).toEqual([
      ["Silver", false, null],
      ["Gold", true, "Your level"],
      ["Platinum", false, null],
    ]);
  });

  const lines = [
    {
      requirement: { kind: "accumulatedSpend", threshold: "1000.00", current: "250.00", windowDays: 365, scoped: false },
      text: "$250.00 of $1,000.00 spent in the last 365 days",
      value: 25_000,
      max: 100_000,
    },
    {
      requirement: { kind: "accumulatedSpend", threshold: "500.00", current: "600.00", windowDays: null, scoped: true },
      text: "$600.00 of $500.00 spent on selected products",
      value: 50_000,
      max: 50_000,
    },
    {
      requirement: { kind: "singleOrder", threshold: "200.00", current: "120.00", windowDays: null, scoped: false },
      text: "$120.00 of $200.00 in a single order",
      value: 12_000,
      max: 20_000,
    },
    {
      requirement: { kind: "singleOrder", threshold: "200.00", current: "0.00", windowDays: null, scoped: true },
      text: "$0.00 of $200.00 on selected products in a single order",
      value: 0,
      max: 20_000,
    },
    { requirement: { kind: "orderCount", threshold: "5", current: "3", windowDays: null, scoped: false }, text: "3 of 5 orders", value: 3, max: 5 },
    {
      requirement: { kind: "orderCount", threshold: "1", current: "0", windowDays: 30, scoped: true },
      text: "0 of 1 order with selected products in the last 30 days",
      value: 0,
      max: 1,
    },
    { requirement: { kind: "itemCount", threshold: "10", current: "7", windowDays: null, scoped: false }, text: "7 of 10 items", value: 7, max: 10 },
    {
      requirement: { kind: "itemCount", threshold: "10", current: "7", windowDays: null, scoped: true },
      text: "7 of 10 selected items",
      value: 7,
      max: 10,
    },
    {
      requirement: { kind: "productPurchase", threshold: "2", current: "1", windowDays: null, scoped: false },
      text: "1 of 2 products bought",
      value: 1,
      max: 2,
    },
    {
      requirement: { kind: "productPurchase", threshold: "1", current: "0", windowDays: null, scoped: true },
      text: "0 of 1 selected product bought",
      value: 0,
      max: 1,
    },
    {
      requirement: { kind: "points", threshold: "1500", current: "120", windowDays: null, scoped: false },
      text: "120 of 1,500 points earned",
      value: 120,
      max: 1500,
    },
  ] as const;
  it.each(lines)("reads progress on $requirement.kind as $text", async ({ requirement, text, value, max }) => {
    const progress = { ...goldProgress, next: { id: "platinum", name: "Platinum", remainingSpend: null, requirements: [requirement] } };
    const docs = { level: gold, progress, benefits: goldBenefits };
    const read = await render({ shopMetafields: { program: programField(PROGRAM) }, customer: member(docs) });
    expect(read.member!.next).toBe("Next level: Platinum");
    expect(read.member!.lines).toEqual([expect.objectContaining({ text, value, max })]);
    const view = memberView(docs, ctx);
    expect(read.member!.lines.map((l) => l.text)).toEqual(
      view.kind === "member" && view.progress?.kind === "next" ? view.progress.lines.map((l) => l.text) : null,
    );
  });

  it("with an older progress document (no requirements) sees the spend still missing and a bar", async () => {
    const progress = { v: 1, currency: "USD", spend: "600.00", points: 1, next: { id: "gold", name: "Gold", remainingSpend: "1900.00" } };
    const read = await render({
      shopMetafields: { program: programField(PROGRAM) },
      customer: member({ level: { ...gold, id: "silver", name: "Silver" }, progress }),
    });
    expect(read.member).toMatchObject({
      level: "Silver member",
      points: "1 point",
      next: "Spend $1,900.00 more to reach Gold",
      lines: [],
      bar: { value: 60_000, max: 250_000 },
    });
  });

  it("at the top level reads that there is nothing above", async () => {
    const read = await render({
      shopMetafields: { program: programField(PROGRAM) },
      customer: member({ level: { ...gold, id: "platinum", name: "Platinum" }, progress: { ...goldProgress, next: null } }),
    });
    expect(read.member!.next).toBe("You've reached the top level");
    expect(read.cards.find((c) => c.current)?.name).toBe("Platinum");
  });

  it("without a level reads that they are not a member yet, and how far the first level is", async () => {
    const progress = {
      v: 1,
      currency: "USD",
      spend: "250.00",
      points: 0,
      next: {
        id: "silver",
        name: "Silver",
        remainingSpend: "750.00",
        requirements: [{ kind: "orderCount", threshold: "3", current: "1", windowDays: null, scoped: false }],
      },
    };
    const docs = { level: { v: 1, id: null }, progress, benefits: { v: 1, items: [] } };
    const read = await render({ shopMetafields: { program: programField(PROGRAM) }, customer: member(docs) });
    const view = memberView(docs, ctx);
    expect(read.member).toMatchObject({
      level: null,
      points: null,
      none: "You're not a member yet.",
      next: "Spend $750.00 more to reach Silver",
      lines: [{ text: "1 of 3 orders", value: 1, max: 3, labelledBy: "tierline-member-tierline-1-line-1" }],
      benefits: [],
      style: null,
    });
    expect(view.kind === "none" ? [view.text, view.progress?.text] : null).toEqual([read.member!.none, read.member!.next]);
    expect(read.cards.some((c) => c.current)).toBe(false);
  });

  it("with no Tierline metafields at all reads that they are not a member yet", async () => {
    const read = await render({ shopMetafields: { program: programField(PROGRAM) }, customer: { id: 1, metafields: {} } });
    expect(read.member).toMatchObject({ level: null, none: "You're not a member yet.", next: null, lines: [] });
  });

  const statuses = [
    { status: "grace", hideDates: false, text: ["Grace period", "Expired on March 2, 2027. Shop again soon to keep your level."], paused: null },
    { status: "grace", hideDates: true, text: ["Grace period", "Your level is in its grace period. Shop again soon to keep it."], paused: null },
    {
      status: "frozen",
      hideDates: false,
      text: ["Frozen", "Frozen since March 2, 2027. Your benefits are paused."],
      paused: "Your benefits are paused while your level is frozen.",
    },
    {
      status: "frozen",
      hideDates: true,
      text: ["Frozen", "Your level is frozen. Your benefits are paused."],
      paused: "Your benefits are paused while your level is frozen.",
    },
    { status: "active", hideDates: true, text: [null, null], paused: null },
  ] as const;
  it.each(statuses)("in status $status (hide dates: $hideDates) reads it", async ({ status, hideDates, text, paused }) => {
    const level = { ...gold, status, card: { ...gold.card, hideDates } };
    const docs = { level, progress: goldProgress, benefits: goldBenefits };
    const read = await render({ shopMetafields: { program: programField(PROGRAM) }, customer: member(docs) });
    expect([read.member!.status, read.member!.validity]).toEqual(text);
    expect(read.member!.paused).toBe(paused);
    const view = memberView(docs, ctx);
    expect(view.kind === "member" ? [view.statusText, view.validity, view.benefitsPaused] : null).toEqual([...text, paused]);
  });

  it("of a level without an end date reads since when", async () => {
    const read = await render({
      shopMetafields: { program: programField(PROGRAM) },
      customer: member({ level: { ...gold, expiresAt: null }, progress: goldProgress }),
    });
    expect(read.member!.validity).toBe("Member since March 2, 2026");
  });

  it("is not shown their status when the merchant turned it off, and sees the programme like a visitor without the login link", async () => {
    const read = await render(
      { shopMetafields: { program: programField(PROGRAM) }, customer: member({ level: gold, progress: goldProgress }) },
      { show_member: false },
    );
    expect(read.member).toBeNull();
    expect(read.guest).toBeNull();
    expect(read.cards.find((c) => c.current)?.name).toBe("Gold");
  });
});

describe("the compact layout (member status only)", () => {
  it("shows a member their status without the programme", async () => {
    const read = await render(
      { shopMetafields: { program: programField(PROGRAM) }, customer: member({ level: gold, progress: goldProgress, benefits: goldBenefits }) },
      { layout: "member" },
    );
    expect(read.heading).toBeNull();
    expect(read.cards).toEqual([]);
    expect(read.member?.level).toBe("Gold member");
  });
  it("invites a visitor to log in", async () => {
    const read = await render({ shopMetafields: { program: programField(PROGRAM) } }, { layout: "member" });
    expect(read).toMatchObject({ heading: null, cards: [], member: null, guest: "Log in to see your member level and savings. Log in" });
  });
});

describe("without a published programme", () => {
  const missing = [
    { name: "no metafield", shopMetafields: {} },
    { name: "an unknown version", shopMetafields: { program: programField({ ...PROGRAM, v: 2 }) } },
    { name: "no levels", shopMetafields: { program: programField({ ...PROGRAM, levels: [] }) } },
    { name: "a value that is not JSON", shopMetafields: { program: { type: "json", value: "{not json" } } },
  ];
  it.each(missing)("renders nothing for a visitor ($name)", async ({ shopMetafields }) => {
    const html = await liquid.renderBlock({ shopMetafields });
    expect(html.trim()).toBe("");
  });
  it.each(missing)("tells the merchant in the theme editor what to do ($name)", async ({ shopMetafields }) => {
    const read = await render({ shopMetafields, designMode: true });
    expect(read.hint).toBe(
      "Tierline: no membership programme is published yet. Publish your levels in the Tierline app and they appear here. Shoppers see nothing until then.",
    );
    expect(read.cards).toEqual([]);
  });
  it("still shows a logged-in member their own status", async () => {
    const read = await render({ shopMetafields: {}, customer: member({ level: gold, progress: goldProgress, benefits: goldBenefits }) });
    expect(read.cards).toEqual([]);
    expect(read.member).toMatchObject({
      level: "Gold member",
      benefits: ["10% off every order", "Free shipping to US, CA", "2× points", "Early access to sales"],
    });
  });
});
