// What a shopper reads about the next level's conditions (contract 2 → ProgressView.lines), for every kind.
import { describe, expect, it } from "vitest";
import { progressView } from "~/shared/member-view";
import type { TierRequirementProgressV1 } from "~/shared/tier-metafield";
import { parseTierProgress } from "~/shared/tier-metafield";
import { buildTierProgress, viewContext } from "../../tools/sample-data/tier-builders";

const en = viewContext("en-US");
const req = (
  kind: TierRequirementProgressV1["kind"],
  current: string,
  threshold: string,
  over: Partial<TierRequirementProgressV1> = {},
): TierRequirementProgressV1 => ({
  kind,
  current,
  threshold,
  windowDays: null,
  scoped: false,
  ...over,
});

describe("progress lines", () => {
  it.each<[string, TierRequirementProgressV1, string, number]>([
    ["spend", req("accumulatedSpend", "250.00", "1000.00"), "$250.00 of $1,000.00 spent", 0.25],
    [
      "spend in its own window",
      req("accumulatedSpend", "250.00", "1000.00", { windowDays: 365 }),
      "$250.00 of $1,000.00 spent in the last 365 days",
      0.25,
    ],
    ["scoped spend", req("accumulatedSpend", "80.00", "200.00", { scoped: true }), "$80.00 of $200.00 spent on selected products", 0.4],
    ["single order", req("singleOrder", "120.00", "400.00"), "$120.00 of $400.00 in a single order", 0.3],
    [
      "scoped single order",
      req("singleOrder", "0.00", "100.00", { scoped: true, windowDays: 30 }),
      "$0.00 of $100.00 on selected products in a single order in the last 30 days",
      0,
    ],
    ["orders", req("orderCount", "3", "5"), "3 of 5 orders", 0.6],
    ["one order", req("orderCount", "0", "1"), "0 of 1 order", 0],
    ["scoped orders", req("orderCount", "2", "4", { scoped: true }), "2 of 4 orders with selected products", 0.5],
    ["items", req("itemCount", "12", "10"), "12 of 10 items", 1],
    ["scoped items in a day", req("itemCount", "1", "2", { scoped: true, windowDays: 1 }), "1 of 2 selected items in the last day", 0.5],
    ["product purchase", req("productPurchase", "0", "1", { scoped: true }), "0 of 1 selected product bought", 0],
    ["points", req("points", "1200", "2500"), "1,200 of 2,500 points earned", 0.48],
  ])("%s → %s", (_name, r, text, fraction) => {
    const doc = buildTierProgress({ next: { id: "gold", name: "Gold", remainingSpend: null, requirements: [r] } });
    // What the app writes reads back whole.
    expect(parseTierProgress(JSON.stringify(doc))).toEqual(doc);
    const view = progressView(doc, en);
    if (view?.kind !== "next") throw new Error("expected a next level");
    expect(view.lines).toEqual([{ key: `${r.kind}-0`, text, fraction: expect.closeTo(fraction, 5) as unknown as number }]);
    // Not reached by spend: the bar is the mean of the lines.
    expect(view.fraction).toBeCloseTo(fraction, 5);
    expect(view.text).toBe("Next level: Gold");
  });

  it("keeps the spend bar and adds a line per condition of the group", () => {
    const doc = buildTierProgress({
      spend: "250.00",
      next: {
        id: "gold",
        name: "Gold",
        remainingSpend: "750.00",
        requirements: [req("accumulatedSpend", "250.00", "1000.00"), req("orderCount", "1", "3")],
      },
    });
    const view = progressView(doc, en);
    if (view?.kind !== "next") throw new Error("expected a next level");
    expect(view.text).toBe("Spend $750.00 more to reach Gold");
    expect(view.fraction).toBeCloseTo(0.25, 5);
    expect(view.lines.map((l) => l.text)).toEqual(["$250.00 of $1,000.00 spent", "1 of 3 orders"]);
  });

  it("formats amounts in the shopper's locale", () => {
    const doc = buildTierProgress({
      currency: "EUR",
      next: { id: "gold", name: "Gold", remainingSpend: null, requirements: [req("accumulatedSpend", "1250.50", "2000.00")] },
    });
    const view = progressView(doc, viewContext("de-DE"));
    expect(view?.lines[0]?.text).toBe("1.250,50\u00a0€ of 2.000,00\u00a0€ spent");
  });

  it("reads a document without requirements (older writers) with no lines", () => {
    const view = progressView(buildTierProgress(), en);
    expect(view?.lines).toEqual([]);
  });

  it.each([
    ["a count with decimals", [{ kind: "orderCount", current: "1.5", threshold: "3", windowDays: null, scoped: false }]],
    ["a missing current", [{ kind: "orderCount", threshold: "3", windowDays: null, scoped: false }]],
    ["a zero window", [{ kind: "orderCount", current: "1", threshold: "3", windowDays: 0, scoped: false }]],
    ["not a list", { kind: "orderCount" }],
  ])("refuses progress with %s", (_name, requirements) => {
    const doc = { ...buildTierProgress(), next: { id: "gold", name: "Gold", remainingSpend: null, requirements } };
    expect(parseTierProgress(doc)).toBeNull();
  });

  it("shows no line for a condition kind it does not know (a newer writer)", () => {
    const doc = {
      ...buildTierProgress(),
      next: {
        id: "gold",
        name: "Gold",
        remainingSpend: null,
        requirements: [{ kind: "visits", current: "1", threshold: "3", windowDays: null, scoped: false }],
      },
    };
    expect(parseTierProgress(doc)?.next?.requirements).toEqual([]);
  });
});
