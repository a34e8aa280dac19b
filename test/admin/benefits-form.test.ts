import { createElement } from "react";
import { describe, expect, it } from "vitest";
import { BenefitsForm } from "~/components/BenefitsForm/BenefitsForm";
import { evaluateMember, parseProgram } from "~/domain/index";
import { discountLimitIssues, parseDiscountConfig } from "~/shared/discount-config";
import {
  applyPointsRules,
  benefitsFormValues,
  benefitsPayload,
  parseBenefitsForm,
  shopperBenefitsOf,
  NO_SHOPPER_BENEFITS,
} from "~/forms/benefits-form";
import { buildDiscountConfig, combinedStacking } from "~/services/admin/discount-config";
import { FormValidationError } from "~/forms/form-errors";
import type { ProgramJson } from "~/forms/level-form";
import { benefitsInput, installBrowserStandIns, programJson, renderAdmin, scopeInput } from "../support/admin-builders";
import { at, paid } from "../../tools/sample-data/program-builders";

function errorsOf(input: unknown): Record<string, string> {
  try {
    parseBenefitsForm(input);
  } catch (e) {
    if (e instanceof FormValidationError) return e.errors;
    throw e;
  }
  throw new Error("expected the form to be rejected");
}

const discount = (over: Record<string, unknown>) => ({ ...benefitsInput().discount, ...over });

describe("benefits form: bad input names the field", () => {
  it.each([
    ["percentage over 100", { discount: discount({ amount: { type: "percentage", value: "120" } }) }, "discount.amount.value", "at most 100"],
    ["percentage of 0", { discount: discount({ amount: { type: "percentage", value: "0" } }) }, "discount.amount.value", "more than 0"],
    ["fixed amount of 0", { discount: discount({ amount: { type: "fixed", value: "0" } }) }, "discount.amount.value", "more than 0"],
    ["unknown discount type", { discount: discount({ amount: { type: "bogo", value: "1" } }) }, "discount.amount.type", "percentage or fixed"],
    ["bad minimum order", { discount: discount({ minimumOrder: "fifty" }) }, "discount.minimumOrder", "Minimum order must be"],
    ["bad price basis", { discount: discount({ appliesTo: "msrp" }) }, "discount.appliesTo", "retail"],
    ["sale extra over 100", { discount: discount({ saleItemExtra: "150" }) }, "discount.saleItemExtra", "at most 100"],
    [
      "country name instead of code",
      { freeShipping: { countries: "US, Canada", minimumOrder: "" } },
      "freeShipping.countries",
      '"CANADA" is not a two-letter country code',
    ],
    ["welcome valid 0 days", { welcome: { amount: { type: "percentage", value: "5" }, validDays: "0" } }, "welcome.validDays", "from 1 to 90"],
    ["welcome valid 91 days", { welcome: { amount: { type: "percentage", value: "5" }, validDays: "91" } }, "welcome.validDays", "from 1 to 90"],
    [
      "earn every 0.00",
      { points: { ...benefitsInput().points, rules: [{ per: "amount", every: "0", points: "1", prorate: true }] } },
      "points.rules[0].every",
      "above 0",
    ],
    [
      "earn per 1.5 items",
      { points: { ...benefitsInput().points, rules: [{ per: "item", every: "1.5", points: "1", prorate: true }] } },
      "points.rules[0].every",
      "whole number",
    ],
    [
      "negative points",
      { points: { ...benefitsInput().points, rules: [{ per: "amount", every: "1", points: "-1", prorate: true }] } },
      "points.rules[0].points",
      "Points must be a number",
    ],
    ["multiplier 0", { points: { ...benefitsInput().points, multiplier: "0" } }, "points.multiplier", "from 0.1"],
    ["unknown rounding", { points: { ...benefitsInput().points, rounding: "banker" } }, "points.rounding", "rounded"],
    ["negative upgrade points", { upgradePoints: "-10" }, "upgradePoints", "Upgrade points must be a whole number"],
    ["birthday of an unknown kind", { birthday: { kind: "cake" } }, "birthday.kind", "birthday discount or birthday points"],
    [
      "birthday given on an unknown day",
      { birthday: { kind: "points", points: "5", when: "week" } },
      "birthday.when",
      "first day of the birthday month",
    ],
    ["privilege without title", { custom: [{ title: " ", icon: "star" }] }, "custom[0].title", "Privilege is required"],
  ])("%s → %s", (_name, over, field, message) => {
    expect(errorsOf(benefitsInput(over))[field]).toContain(message);
  });
});

describe("benefits form: good input", () => {
  it("normalises amounts, countries and lists", () => {
    const b = shopperBenefitsOf(
      parseBenefitsForm(
        benefitsInput({ discount: discount({ scope: scopeInput({ tags: "sale", collectionIds: ["gid://shopify/Collection/3"] }) }) }),
      ),
    );
    expect(b).toEqual({
      discount: {
        type: "percentage",
        value: "10",
        minimumOrder: "50.00",
        appliesTo: "retail",
        scope: { tags: ["sale"], collectionIds: ["gid://shopify/Collection/3"] },
        saleItemExtra: null,
        combinesWith: { productDiscounts: false, orderDiscounts: false, shippingDiscounts: true },
      },
      freeShipping: { countries: ["US", "CA"], minimumOrder: null },
      welcome: { type: "fixed", value: "5.00", validDays: 30, whenSkipped: false },
      birthday: { kind: "points", points: 50, when: "day" },
      custom: [{ title: "Early access", icon: "star", description: "" }],
    });
  });

  it("switched-off benefits are null", () => {
    expect(shopperBenefitsOf(parseBenefitsForm({}))).toEqual(NO_SHOPPER_BENEFITS);
  });

  it("points rules become the level's earn rules with the multiplier applied, leaving shared rules alone", () => {
    const base: ProgramJson = {
      ...programJson(),
      points: {
        earn: [
          { per: "amount", every: "1.00", points: 1, levels: null },
          { per: "amount", every: "1.00", points: 9, levels: ["gold"] },
        ],
      },
    };
    const form = parseBenefitsForm(benefitsInput({ points: { ...benefitsInput().points, multiplier: "1.5" }, upgradePoints: "75" }));
    const program = applyPointsRules(base, "gold", form);
    expect((program.points as any).earn).toEqual([
      { per: "amount", every: "1.00", points: 1, levels: null },
      { per: "amount", every: "1.00", points: 1.5, prorate: true, levels: ["gold"] },
    ]);
    expect(program.levels!.find((l) => l.id === "gold")!.upgradePoints).toBe(75);
    // Applying twice is the same as once (saving again does not stack rules).
    expect(applyPointsRules(program, "gold", form)).toEqual(program);

    // The engine earns with it: a gold member (reached at 500.00) gets 1 + 1.5 points per 1.00 on the next order.
    const parsed = parseProgram(program);
    const outcome = evaluateMember(parsed, [paid("2026-01-01", { amount: "500.00" }), paid("2026-01-02", { amount: "100.00" })], at("2026-02-01"), {
      grantRewards: false,
    });
    expect(outcome.level).toBe("gold");
    expect(outcome.points).toBe(500 + 100 + 150);
  });

  it("round-trips: stored → editor values → payload → same benefits and rules", () => {
    const form = parseBenefitsForm(benefitsInput({ birthday: { kind: "discount", amount: { type: "percentage", value: "15" } } }));
    const shopper = shopperBenefitsOf(form);
    const program = applyPointsRules(programJson() as ProgramJson, "gold", form);
    const again = parseBenefitsForm(benefitsPayload(benefitsFormValues(program, "gold", shopper)));
    expect(shopperBenefitsOf(again)).toEqual(shopper);
    expect(applyPointsRules(programJson() as ProgramJson, "gold", again)).toEqual(program);
  });
});

describe("discount configuration", () => {
  const gold = shopperBenefitsOf(parseBenefitsForm(benefitsInput()));
  const silver = shopperBenefitsOf(
    parseBenefitsForm(
      benefitsInput({
        freeShipping: null,
        discount: discount({
          amount: { type: "fixed", value: "5" },
          minimumOrder: "",
          combinesWith: { productDiscounts: true, orderDiscounts: true, shippingDiscounts: false },
        }),
      }),
    ),
  );

  it("follows docs/contracts.md (DiscountConfigV1) and only lists enabled, published levels", () => {
    const published = programJson({
      levels: [
        ...programJson().levels,
        { id: "old", name: "Old", rank: 3, enabled: false, upgrade: [[{ kind: "accumulatedSpend", amount: "900.00" }]] },
      ],
    });
    const config = buildDiscountConfig(published as ProgramJson, { gold, silver, old: gold, draftOnly: gold });
    // The Function's own reader accepts it as it is.
    expect(parseDiscountConfig(config)).toEqual({ ok: true, config });
    expect(Object.keys(config.levels).sort()).toEqual(["gold", "silver"]);
    expect(config.levels.gold).toEqual({
      discount: { type: "percentage", value: "10", minimumOrder: "50.00", appliesTo: "retail", scope: null, saleItemExtra: null },
      freeShipping: { countries: ["US", "CA"], minimumOrder: null },
    });
    expect(config.levels.silver.discount).toMatchObject({ type: "fixed", value: "5.00", minimumOrder: null });
    expect(config.levels.silver.freeShipping).toBeNull();
    expect(config.enabled).toBe(true);
  });

  it.each([
    ["a disabled program", programJson({ enabled: false }), false],
    ["nothing published yet", null, false],
  ])("%s gives no discount", (_n, published, enabled) => {
    expect(buildDiscountConfig(published as ProgramJson | null, { gold }).enabled).toBe(enabled);
  });

  it("stacking is the strictest over levels with a discount", () => {
    expect(combinedStacking({ gold, silver }, ["silver", "gold"])).toEqual({
      productDiscounts: false,
      orderDiscounts: false,
      shippingDiscounts: false,
    });
    expect(combinedStacking({ silver }, ["silver", "gold"])).toEqual({ productDiscounts: true, orderDiscounts: true, shippingDiscounts: false });
  });
});

describe("benefits form: a configuration over Shopify's Function limits", () => {
  it("shows what to trim under the discount's products and above the form", async () => {
    installBrowserStandIns();
    const tags = Array.from({ length: 120 }, (_, i) => `tag-${i}`);
    const shopper = shopperBenefitsOf(parseBenefitsForm(benefitsInput({ discount: discount({ scope: scopeInput({ excludeTags: tags }) }) })));
    const config = buildDiscountConfig(programJson() as ProgramJson, { gold: shopper });
    const [tooMany] = discountLimitIssues(config, (id) => (id === "gold" ? "Gold" : id));
    expect(tooMany.message).toBe(
      "A level discount's scope can name at most 100 tags to include and 100 to exclude (Shopify's limit for one list). Over it: Gold (120 excluded). Remove 20 tags or more from each.",
    );
    const errors = {
      "discount.scope": tooMany.message,
      _form: "The level discounts' settings take 10,412 bytes, and Shopify passes at most 10,000 bytes",
    };
    const r = await renderAdmin(
      createElement(BenefitsForm, {
        levelName: "Gold",
        initial: benefitsFormValues(programJson(), "gold", shopper),
        currencyCode: "USD",
        errors,
        onSubmit: () => undefined,
      }),
    );
    const shown = JSON.stringify(r.toJSON());
    expect(shown).toContain("Over it: Gold (120 excluded). Remove 20 tags or more from each.");
    expect(shown).toContain("The benefits were not saved");
    expect(shown).toContain("Shopify passes at most 10,000 bytes");
  });
});
