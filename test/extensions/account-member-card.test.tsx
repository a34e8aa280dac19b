import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import en from "../../extensions/account-member-card/locales/en.default.json";
import { buildPointsHistory, buildTierBenefits, buildTierLevel, buildTierProgress } from "../shared/support/tier-builders";
import { render } from "./support/render";
import { account, graphqlFetch, type Registration } from "./support/ui-mocks";

vi.mock("@shopify/ui-extensions-react/customer-account", async () => (await import("./support/ui-mocks")).customerAccountModule());

const { default: profileRegistration, ProfileBlock, MEMBER_PAGE_URL } = await import("../../extensions/account-member-card/src/ProfileBlock");
const { default: pageRegistration, MemberPage } = await import("../../extensions/account-member-card/src/MemberPage");

const json = (v: unknown) => JSON.stringify(v);
type Fields = Partial<Record<"level" | "progress" | "benefits" | "history", unknown>>;

/** The Customer Account API answering with these metafield values (a missing key = no metafield). */
function serve(fields: Fields) {
  const customer: Record<string, unknown> = { id: "gid://shopify/Customer/1" };
  for (const key of ["level", "progress", "benefits", "history"] as const) customer[key] = fields[key] === undefined ? null : { value: fields[key] };
  return stub(() => ({ body: { data: { customer } } }));
}

function stub(answer: Parameters<typeof graphqlFetch>[0]) {
  const f = graphqlFetch(answer);
  vi.stubGlobal("fetch", f.fn);
  return f;
}

const gold: Fields = { level: json(buildTierLevel()), progress: json(buildTierProgress()), benefits: json(buildTierBenefits()), history: json(buildPointsHistory()) };

beforeEach(() => {
  Object.assign(account, { settings: {}, locale: "en-US", timezone: "UTC", messages: en });
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe("account member card: registration", () => {
  it("registers the profile block and the full page", () => {
    expect((profileRegistration as unknown as Registration).target).toBe("customer-account.profile.block.render");
    expect((pageRegistration as unknown as Registration).target).toBe("customer-account.page.render");
  });
});

describe("profile block", () => {
  it("sends the summary query to the Customer Account API", async () => {
    const { sent } = serve(gold);
    await render(<ProfileBlock />);
    expect(sent).toHaveLength(1);
    expect(sent[0].url).toBe("shopify://customer-account/api/2026-10/graphql.json");
    expect(sent[0].query).toContain("query TierlineMemberSummary");
  });

  it("shows a gold member's level, validity, points and progress, linking to the card page", async () => {
    serve(gold);
    const view = await render(<ProfileBlock />);
    expect(view.texts()).toEqual(["Membership", "Gold member", "Valid until March 2, 2027", "120 points", "Spend $300.00 more to reach Platinum", "View member card"]);
    expect(view.all("Button")[0].props.to).toBe(MEMBER_PAGE_URL);
    expect(view.all("Progress")[0].props.value).toBe(0.8);
  });

  it("shows a skeleton while loading", async () => {
    vi.stubGlobal("fetch", () => new Promise(() => {}));
    const view = await render(<ProfileBlock />);
    expect(view.all("SkeletonTextBlock")).toHaveLength(1);
  });

  it.each([
    ["a customer with no member metafields", () => serve({})],
    ["malformed metafields", () => serve({ level: "{", progress: json({ v: 1 }) })],
    ["an API error", () => stub(() => ({ body: { errors: [{ message: "Access denied for metafield" }] } }))],
    ["an unreachable API", () => stub(() => new Error("offline"))],
  ])("stays out of the way for %s", async (_name, setUp) => {
    setUp();
    const view = await render(<ProfileBlock />);
    expect(view.isEmpty()).toBe(true);
  });
});

describe("member card page", () => {
  it("sends the full member card query", async () => {
    const { sent } = serve(gold);
    await render(<MemberPage />);
    expect(sent[0].query).toContain("query TierlineMemberCard");
    expect(sent[0].query).toContain('history: metafield(namespace: "$app:tierline", key: "history")');
  });

  it("shows a gold member mid-progress: card, validity, progress, benefits, points and history", async () => {
    serve(gold);
    const view = await render(<MemberPage />);
    expect(view.all("Page")[0].props.title).toBe("Membership");
    expect(view.texts()).toEqual([
      "Gold",
      "Gold member",
      "Valid until March 2, 2027",
      "Your progress",
      "Spend $300.00 more to reach Platinum",
      "Your benefits",
      "10% off every order over $50",
      "Free shipping to US, CA",
      "2× points",
      "Early access",
      "Points",
      "120 points",
      "Points history",
      "April 1, 2026",
      "Points earned",
      "+120",
      "March 15, 2026",
      "Refund",
      "\u221230",
    ]);
    const image = view.all("Image")[0].props;
    expect(image.accessibilityDescription).toBe("Gold member card");
    const svg = decodeURIComponent(image.source.slice(image.source.indexOf(",") + 1));
    expect(svg).toContain('fill="#1f2937"');
    expect(svg).toContain("Valid until March 2, 2027");
  });

  it("hides dates everywhere when the card style says so", async () => {
    serve({ ...gold, level: json(buildTierLevel({ card: { hideDates: true } })) });
    const view = await render(<MemberPage />);
    expect(view.texts().join(" ")).not.toMatch(/2027|Valid until/);
    const image = view.all("Image")[0].props;
    expect(decodeURIComponent(image.source)).not.toContain("2027");
  });

  it("congratulates a member at the top level", async () => {
    serve({ ...gold, level: json(buildTierLevel({ id: "platinum", name: "Platinum", rank: 3 })), progress: json(buildTierProgress({ next: null })) });
    const view = await render(<MemberPage />);
    expect(view.texts()).toContain("You've reached the top level");
    expect(view.all("Progress")).toHaveLength(0);
  });

  it("warns a frozen member that the benefits are paused", async () => {
    serve({ ...gold, level: json(buildTierLevel({ status: "frozen" })) });
    const view = await render(<MemberPage />);
    expect(view.texts().slice(0, 3)).toEqual(["Gold", "Gold member", "Frozen"]);
    expect(view.all("Banner").map((b) => b.props.status)).toEqual(["warning"]);
    expect(view.texts()).toContain("Your benefits are paused while your level is frozen.");
    expect(view.texts()).toContain("Frozen since March 2, 2027. Your benefits are paused.");
  });

  it("shows a customer without a level the way to the first level", async () => {
    serve({ progress: json(buildTierProgress({ spend: "10.00", next: { id: "silver", name: "Silver", remainingSpend: "90.00" } })) });
    const view = await render(<MemberPage />);
    expect(view.texts()).toEqual(["You're not a member yet.", "Spend $90.00 more to reach Silver"]);
  });

  it.each([
    ["broken JSON everywhere", { level: "{", progress: "[", benefits: "nope", history: 12 }],
    ["future versions", { level: json({ ...buildTierLevel(), v: 2 }), progress: json({ ...buildTierProgress(), v: 2 }) }],
  ])("falls back to 'not a member' for %s, without crashing", async (_name, fields) => {
    serve(fields);
    const view = await render(<MemberPage />);
    expect(view.texts()).toEqual(["You're not a member yet."]);
  });

  it("keeps what it can read when only some metafields are malformed", async () => {
    serve({ level: json(buildTierLevel()), progress: "{", benefits: json({ v: 1, items: [{ kind: "teleport" }, { kind: "points", multiplier: 3 }] }) });
    const view = await render(<MemberPage />);
    expect(view.texts()).toEqual(["Gold", "Gold member", "Valid until March 2, 2027", "Your benefits", "3× points"]);
  });

  it("says so when the membership cannot be loaded", async () => {
    stub(() => ({ status: 500, body: {} }));
    const view = await render(<MemberPage />);
    expect(view.all("Banner")[0].props.status).toBe("critical");
    expect(view.texts()).toEqual(["We couldn't load your membership right now. Please try again later."]);
  });

  it("shows the rules section only with the parts the merchant wrote", async () => {
    serve(gold);
    account.settings = { upgrade_rules: "Spend $500 in a year to reach Gold.\n\nSpend $1,500 for Platinum.", benefit_instructions: "   ", membership_notice: "Levels are reviewed yearly." };
    const view = await render(<MemberPage />);
    const texts = view.texts();
    const rules = texts.slice(texts.indexOf("How membership works"));
    expect(rules).toEqual(["How membership works", "Reaching a higher level", "Spend $500 in a year to reach Gold.", "Spend $1,500 for Platinum.", "Membership terms", "Levels are reviewed yearly."]);
  });

  it("hides the rules section when nothing is configured", async () => {
    serve(gold);
    account.settings = { upgrade_rules: "", benefit_instructions: undefined };
    const view = await render(<MemberPage />);
    expect(view.texts()).not.toContain("How membership works");
  });
});
