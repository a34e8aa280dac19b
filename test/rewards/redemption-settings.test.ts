import { describe, expect, it } from "vitest";
import { FormValidationError } from "~/forms/form-errors";
import {
  DEFAULT_REDEMPTION,
  parseRedemptionSettings,
  publicRedemptionRules,
  redemptionFormValues,
  storedRedemptionSettings,
} from "~/forms/redemption-settings";
import {
  minorToDecimal,
  parseRedemptionRules,
  redemptionChoices,
  redemptionProblem,
  redemptionValueMinor,
  type RedemptionRulesV1,
} from "~/shared/redemption";

// The merchant's redemption settings (form model) and the rules every side reads from them (app/shared/redemption.ts).

const on = { enabled: true, points: "100", value: "5.00", minimumPoints: "200", stepPoints: "100", storeCredit: true };

function errorsOf(input: unknown): Record<string, string> {
  try {
    parseRedemptionSettings(input);
  } catch (e) {
    if (e instanceof FormValidationError) return e.errors;
    throw e;
  }
  throw new Error("expected the form to be rejected");
}

describe("redemption settings form", () => {
  it.each([
    ["a rate, minimum and step", on, { enabled: true, points: 100, value: "5.00", minimumPoints: 200, stepPoints: 100, storeCredit: true }],
    [
      "no step (any whole number from the minimum)",
      { ...on, stepPoints: "" },
      { ...DEFAULT_REDEMPTION, enabled: true, minimumPoints: 200, stepPoints: null, storeCredit: true },
    ],
    [
      "money as a merchant types it",
      { ...on, value: "$7.5" },
      { enabled: true, points: 100, value: "7.50", minimumPoints: 200, stepPoints: 100, storeCredit: true },
    ],
    ["off with a half-typed rate: saved as the defaults", { ...on, enabled: false, points: "" }, DEFAULT_REDEMPTION],
    [
      "off with a valid rate: kept for later",
      { ...on, enabled: false },
      { enabled: false, points: 100, value: "5.00", minimumPoints: 200, stepPoints: 100, storeCredit: true },
    ],
  ])("accepts %s", (_label, input, expected) => {
    expect(parseRedemptionSettings(input)).toEqual(expected);
  });

  it.each([
    ["no points in the rate", { ...on, points: "" }, "points", "Points in the rate must be a whole number from 1"],
    ["a fractional rate", { ...on, points: "1.5" }, "points", "Points in the rate must be a whole number"],
    ["a rate worth nothing", { ...on, value: "0" }, "value", "Value in the rate must be more than 0"],
    ["a rate with 3 decimals", { ...on, value: "0.005" }, "value", "at most 2 decimals"],
    ["a minimum of 0", { ...on, minimumPoints: "0" }, "minimumPoints", "Minimum points must be a whole number from 1"],
    ["a step of 0", { ...on, stepPoints: "0" }, "stepPoints", "Step must be a whole number from 1"],
    ["a minimum that is no step multiple", { ...on, minimumPoints: "150" }, "minimumPoints", "multiple of the step (100)"],
  ])("refuses %s, naming the field", (_label, input, field, message) => {
    expect(errorsOf(input)[field]).toContain(message);
  });

  it("round-trips through the form's text fields", () => {
    const saved = parseRedemptionSettings(on);
    expect(parseRedemptionSettings(redemptionFormValues(saved))).toEqual(saved);
    expect(redemptionFormValues(DEFAULT_REDEMPTION)).toMatchObject({ enabled: false, points: "100", value: "5.00", stepPoints: "100" });
  });

  it.each([
    ["nothing stored (shops from before redemption)", undefined, DEFAULT_REDEMPTION],
    ["a stored setting", { ...parseRedemptionSettings(on) }, parseRedemptionSettings(on)],
    ["a stored setting that no longer validates", { enabled: true, points: -1 }, DEFAULT_REDEMPTION],
  ])("reads %s", (_label, stored, expected) => {
    expect(storedRedemptionSettings(stored)).toEqual(expected);
  });

  it("shows shoppers the rules only while redemption is on", () => {
    expect(publicRedemptionRules(DEFAULT_REDEMPTION)).toBeNull();
    expect(publicRedemptionRules(parseRedemptionSettings(on))).toEqual({
      points: 100,
      value: "5.00",
      minimumPoints: 200,
      stepPoints: 100,
      storeCredit: true,
    });
  });
});

describe("redemption rules", () => {
  const rules: RedemptionRulesV1 = { points: 100, value: "5.00", minimumPoints: 200, stepPoints: 100, storeCredit: false };

  it.each([
    [200, "USD", "10.00"],
    [300, "USD", "15.00"],
    [150, "USD", "7.50"],
    [1, "USD", "0.05"],
    [200, "JPY", "10"],
    [3, { ...rules, points: 7, value: "1.00" }, "0.42"], // 0.428… rounded down
  ] as const)("%s points are worth the rate, rounded down", (points, currencyOrRules, expected) => {
    const [r, currency] = typeof currencyOrRules === "string" ? [rules, currencyOrRules] : [currencyOrRules, "USD"];
    expect(minorToDecimal(redemptionValueMinor(r, points, currency), currency)).toBe(expected);
  });

  it.each([
    ["a fraction of a point", { points: 250.5, form: "discountCode", balance: 1000 }, "invalid-points"],
    ["zero", { points: 0, form: "discountCode", balance: 1000 }, "invalid-points"],
    ["below the minimum", { points: 100, form: "discountCode", balance: 1000 }, "below-minimum"],
    ["off the step", { points: 250, form: "discountCode", balance: 1000 }, "not-a-step-multiple"],
    ["store credit the shop does not offer", { points: 200, form: "storeCredit", balance: 1000 }, "store-credit-not-offered"],
    ["more than the balance", { points: 300, form: "discountCode", balance: 299.5 }, "not-enough-points"],
    ["the whole balance", { points: 300, form: "discountCode", balance: 300 }, null],
  ] as const)("%s → %s", (_label, input, expected) => {
    expect(redemptionProblem(rules, input, "USD")).toBe(expected);
  });

  it("refuses an amount worth less than the currency's smallest unit", () => {
    expect(
      redemptionProblem(
        { ...rules, points: 1000, value: "0.01", minimumPoints: 1, stepPoints: null },
        { points: 5, form: "discountCode", balance: 9 },
        "USD",
      ),
    ).toBe("worth-nothing");
  });

  it.each([
    ["steps up to the balance", rules, 560, [200, 300, 400, 500]],
    ["nothing below the minimum", rules, 199, []],
    ["no step: multiples of the minimum", { ...rules, stepPoints: null }, 700, [200, 400, 600]],
    ["at most six choices", { ...rules, minimumPoints: 100 }, 5000, [100, 200, 300, 400, 500, 600]],
  ] as const)("choices: %s", (_label, r, balance, expected) => {
    expect(redemptionChoices(r, balance)).toEqual(expected);
  });

  it.each([
    ["the saved rules", { points: 100, value: "5.00", minimumPoints: 200, stepPoints: null, storeCredit: true }, true],
    ["a JSON string", JSON.stringify(rules), true],
    ["a negative rate", { ...rules, points: -1 }, false],
    ["a value that is no decimal", { ...rules, value: "five" }, false],
    ["no store credit flag", { points: 100, value: "5.00", minimumPoints: 200, stepPoints: null }, false],
    ["nothing", undefined, false],
  ])("reads %s from the programme metafield", (_label, json, readable) => {
    expect(parseRedemptionRules(json) !== null).toBe(readable);
  });
});
