// What a shopper reads about the programme (contract 1 → programView), for every condition kind and shape.
import { describe, expect, it } from "vitest";
import { groupText, programView, validityDaysText } from "~/shared/program-view";
import { parseTierProgram, type TierProgramV1, type TierRequirementV1 } from "~/shared/tier-metafield";
import { buildTierProgram, viewContext } from "../../tools/sample-data/tier-builders";

const en = viewContext("en-US");
const lifetime: Pick<TierProgramV1, "currency" | "window"> = { currency: "USD", window: { kind: "lifetime", days: null } };
const req = (kind: TierRequirementV1["kind"], threshold: string, over: Partial<TierRequirementV1> = {}): TierRequirementV1 => ({
  kind,
  threshold,
  windowDays: null,
  scoped: false,
  ...over,
});

describe("programView", () => {
  it("lists every level shoppers can see with what it takes, gives and how long it lasts", () => {
    const view = programView(JSON.stringify(buildTierProgram()), en, "gold");
    expect(view?.levels.map(({ card: _card, ...l }) => l)).toEqual([
      {
        id: "silver",
        name: "Silver",
        current: false,
        requirements: ["$500 spent in the last 365 days"],
        benefits: [{ kind: "discount", icon: "discount", text: "5% off every order" }],
        validity: "Lasts 1 year once reached",
      },
      {
        id: "gold",
        name: "Gold",
        current: true,
        requirements: ["$1,000 spent and 5 orders in the last 365 days", "$400 in a single order in the last 30 days"],
        benefits: [
          { kind: "discount", icon: "discount", text: "10% off every order over $50" },
          { kind: "freeShipping", icon: "delivery", text: "Free shipping to US, CA" },
          { kind: "points", icon: "star", text: "2× points" },
          { kind: "custom", icon: "star", text: "Early access" },
        ],
        validity: "Lasts 1 year once reached",
      },
      {
        id: "vip",
        name: "VIP",
        current: false,
        requirements: ["By invitation only"],
        benefits: [{ kind: "custom", icon: "star", text: "Personal shopper" }],
        validity: "Lasts 1 year once reached",
      },
    ]);
    // A white level colour on the dark card stays readable as it is.
    expect(view?.levels[2]?.card).toEqual({ badge: "star", background: "#1f2937", text: "#ffffff", levelColor: "#ffffff", hideDates: false });
  });

  it("says a permanent level lasts for good", () => {
    expect(
      programView({ ...buildTierProgram(), levels: buildTierProgram().levels.map((l) => ({ ...l, validityDays: null })) }, en, null)?.levels[0]
        ?.validity,
    ).toBe("Yours for good once reached");
  });

  it("marks no level current for a visitor", () => {
    expect(programView(buildTierProgram(), en, null)?.levels.some((l) => l.current)).toBe(false);
  });

  it.each<[string, TierRequirementV1[], string]>([
    ["spend", [req("accumulatedSpend", "1000.00")], "$1,000 spent"],
    ["spend with cents", [req("accumulatedSpend", "99.50")], "$99.50 spent"],
    ["scoped spend", [req("accumulatedSpend", "200.00", { scoped: true })], "$200 spent on selected products"],
    ["single order", [req("singleOrder", "150.00")], "$150 in a single order"],
    ["scoped single order", [req("singleOrder", "150.00", { scoped: true })], "$150 on selected products in a single order"],
    ["one order", [req("orderCount", "1")], "1 order"],
    ["orders", [req("orderCount", "1200")], "1,200 orders"],
    ["scoped orders", [req("orderCount", "3", { scoped: true })], "3 orders with selected products"],
    ["items", [req("itemCount", "10")], "10 items"],
    ["scoped items", [req("itemCount", "1", { scoped: true })], "1 selected item"],
    ["a product", [req("productPurchase", "1", { scoped: true })], "1 selected product bought"],
    ["products", [req("productPurchase", "2", { scoped: true })], "2 selected products bought"],
    ["points", [req("points", "500")], "500 points earned"],
    ["own window", [req("orderCount", "3", { windowDays: 30 })], "3 orders in the last 30 days"],
    ["a one-day window", [req("orderCount", "3", { windowDays: 1 })], "3 orders in the last day"],
    [
      "AND of three",
      [req("accumulatedSpend", "500.00"), req("orderCount", "3"), req("points", "100")],
      "$500 spent and 3 orders and 100 points earned",
    ],
    [
      "AND with different windows",
      [req("accumulatedSpend", "500.00"), req("orderCount", "3", { windowDays: 90 })],
      "$500 spent and 3 orders in the last 90 days",
    ],
  ])("%s → %s (lifetime programme)", (_name, group, text) => {
    expect(groupText(group, lifetime, en)).toBe(text);
  });

  it.each<[TierProgramV1["window"], TierRequirementV1[], string]>([
    [{ kind: "calendarYear", days: null }, [req("accumulatedSpend", "500.00")], "$500 spent in a calendar year"],
    [{ kind: "sinceLastUpgrade", days: null }, [req("orderCount", "2")], "2 orders since your last level change"],
    [{ kind: "fixed", days: null }, [req("itemCount", "4")], "4 items during the programme period"],
    [{ kind: "rolling", days: 730 }, [req("accumulatedSpend", "500.00")], "$500 spent in the last 730 days"],
    // Each condition says its own window when they differ.
    [
      { kind: "calendarYear", days: null },
      [req("accumulatedSpend", "500.00"), req("orderCount", "3", { windowDays: 30 })],
      "$500 spent in a calendar year and 3 orders in the last 30 days",
    ],
  ])("programme window %j: %j → %s", (window, group, text) => {
    expect(groupText(group, { currency: "USD", window }, en)).toBe(text);
  });

  it("formats amounts in the programme's currency and the shopper's locale", () => {
    expect(groupText([req("accumulatedSpend", "1000.00")], { currency: "EUR", window: { kind: "lifetime", days: null } }, viewContext("de-DE"))).toBe(
      "1.000\u00a0€ spent",
    );
    expect(groupText([req("singleOrder", "5000")], { currency: "JPY", window: { kind: "lifetime", days: null } }, en)).toBe(
      "¥5,000 in a single order",
    );
  });

  it.each<[number | null, string]>([
    [null, "Yours for good once reached"],
    [1, "Lasts 1 day once reached"],
    [90, "Lasts 90 days once reached"],
    [365, "Lasts 1 year once reached"],
    [730, "Lasts 2 years once reached"],
  ])("validity %s → %s", (days, text) => {
    expect(validityDaysText(days, en)).toBe(text);
  });

  it.each<[string, unknown]>([
    ["missing", undefined],
    ["garbage", "{not json"],
    ["a future version", { ...buildTierProgram(), v: 2 }],
    ["a bad currency", { ...buildTierProgram(), currency: "usd" }],
    ["a rolling window without days", { ...buildTierProgram(), window: { kind: "rolling", days: null } }],
    ["a level without a name", { ...buildTierProgram(), levels: [{ ...buildTierProgram().levels[0], name: "" }] }],
    [
      "a count threshold with decimals",
      { ...buildTierProgram(), levels: [{ ...buildTierProgram().levels[0], requirements: [[req("orderCount", "2.5")]] }] },
    ],
    ["a zero validity", { ...buildTierProgram(), levels: [{ ...buildTierProgram().levels[0], validityDays: 0 }] }],
  ])("is null when the metafield is %s", (_name, raw) => {
    expect(programView(raw, en, null)).toBeNull();
  });

  it("leaves out a group holding a condition kind it does not know, and a benefit it cannot read", () => {
    const base = buildTierProgram();
    const gold = base.levels[1];
    const raw = {
      ...base,
      levels: [
        {
          ...gold,
          requirements: [[{ kind: "visits", threshold: "3", windowDays: null, scoped: false }], ...gold.requirements],
          benefits: [{ kind: "hug" }, ...gold.benefits],
        },
      ],
    };
    const parsed = parseTierProgram(raw);
    expect(parsed?.levels[0]?.requirements).toEqual(gold.requirements);
    expect(parsed?.levels[0]?.benefits).toEqual(gold.benefits);
  });

  it("reads what it is given back unchanged", () => {
    expect(parseTierProgram(JSON.stringify(buildTierProgram()))).toEqual(buildTierProgram());
  });
});
