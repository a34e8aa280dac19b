import { describe, expect, it } from "vitest";
import { parseProgram, ProgramError } from "~/domain/index";
import { domainFieldErrors, FormValidationError } from "~/forms/form-errors";
import { applyLevelForm, levelFormValues, levelIdFrom, levelPayload, parseLevelForm, type ProgramJson } from "~/forms/level-form";
import { levelInput, ordersInput, programJson, scopeInput, spendInput } from "../support/admin-builders";

function errorsOf(input: unknown): Record<string, string> {
  try {
    parseLevelForm(input);
  } catch (e) {
    if (e instanceof FormValidationError) return e.errors;
    throw e;
  }
  throw new Error("expected the form to be rejected");
}

describe("level form: bad input names the field", () => {
  it.each([
    ["empty name", levelInput({ name: "  " }), "name", "Name is required"],
    ["bad colour", levelInput({ card: { ...levelInput().card, background: "red" } }), "card.background", "Background must be a colour"],
    ["unknown badge", levelInput({ card: { ...levelInput().card, badge: "rocket" } }), "card.badge", "Choose a badge"],
    ["negative spend", levelInput({ upgrade: [[spendInput("-5")]] }), "upgrade[0][0].amount", "Spend must be an amount"],
    ["three decimals", levelInput({ upgrade: [[spendInput("10.005")]] }), "upgrade[0][0].amount", "at most 2 decimals"],
    ["fractional order count", levelInput({ upgrade: [[spendInput("10"), ordersInput("2.5")]] }), "upgrade[0][1].count", "whole number"],
    ["zero order count", levelInput({ upgrade: [[ordersInput(0)]] }), "upgrade[0][0].count", "at least 1"],
    [
      "window of 0 days",
      levelInput({ upgrade: [[spendInput("10", { windowDays: "0" })]] }),
      "upgrade[0][0].windowDays",
      "Window must be a whole number",
    ],
    ["unknown kind", levelInput({ upgrade: [[{ kind: "lifetimeValue", amount: "1" }]] }), "upgrade[0][0].kind", "Choose a condition"],
    ["unknown role", levelInput({ upgrade: [[spendInput("10", { role: "sometimes" })]] }), "upgrade[0][0].role", "renewal only"],
    ["empty group", levelInput({ upgrade: [[]] }), "upgrade[0]", "at least one condition"],
    [
      "product purchase without products",
      levelInput({ upgrade: [[{ kind: "productPurchase", quantity: "1", scope: scopeInput() }]] }),
      "upgrade[0][0].scope",
      "Pick the products",
    ],
    ["no groups on an automatic level", levelInput({ upgrade: [] }), "upgrade", "internal-only"],
    ["custom renewal without groups", levelInput({ customRenewal: true, renewal: [] }), "renewal", "Add a renewal condition group"],
    ["bad retention amount", levelInput({ retainAmount: "lots" }), "retainAmount", "Retention amount must be"],
  ])("%s → %s", (_name, input, field, message) => {
    const errors = errorsOf(input);
    expect(errors[field]).toContain(message);
  });

  it("reports every bad field at once, not just the first", () => {
    const errors = errorsOf(levelInput({ name: "", upgrade: [[spendInput("x"), ordersInput("y")]] }));
    expect(Object.keys(errors).sort()).toEqual(["name", "upgrade[0][0].amount", "upgrade[0][1].count"]);
  });
});

describe("level form: good input becomes engine JSON", () => {
  it.each([
    ["thousands separators and currency sign", spendInput("$1,000"), { kind: "accumulatedSpend", amount: "1000.00" }],
    ["one decimal", spendInput("99.5"), { kind: "accumulatedSpend", amount: "99.50" }],
    [
      "order count with window and role",
      ordersInput("3", { windowDays: "30", role: "renewal", showProgress: false }),
      { kind: "orderCount", count: 3, windowDays: 30, role: "renewal", showProgress: false },
    ],
    [
      "scoped item count keeps only non-empty lists",
      {
        kind: "itemCount",
        count: "5",
        scope: scopeInput({ tags: "vip, limited", excludeProductIds: ["gid://shopify/Product/9"] }),
        windowDays: "",
        role: "both",
        showProgress: true,
      },
      { kind: "itemCount", count: 5, scope: { tags: ["vip", "limited"], excludeProductIds: ["gid://shopify/Product/9"] } },
    ],
    ["points", { kind: "points", amount: "250", windowDays: "", role: "both", showProgress: true }, { kind: "points", amount: 250 }],
  ])("%s", (_name, condition, expected) => {
    const form = parseLevelForm(levelInput({ upgrade: [[condition]] }));
    const { program } = applyLevelForm({ levels: [] }, null, form);
    expect(program.levels![0].upgrade).toEqual([[expected]]);
    // The engine accepts what the form produced.
    expect(() => parseProgram(program)).not.toThrow();
  });

  it("creates a level with a slug id and the rank above the highest", () => {
    const form = parseLevelForm(levelInput({ name: "Platinum Élite" }));
    const { program, levelId, index } = applyLevelForm(programJson(), null, form);
    expect(levelId).toBe("platinum-elite");
    expect(index).toBe(2);
    expect(program.levels![2]).toMatchObject({ id: "platinum-elite", name: "Platinum Élite", rank: 3, renewal: null, retainAmount: null });
  });

  it("keeps id, rank and fields it does not edit when updating", () => {
    const base = programJson();
    (base.levels[1] as Record<string, unknown>).upgradePoints = 250;
    const { program } = applyLevelForm(base as ProgramJson, "gold", parseLevelForm(levelInput({ name: "Gold+", upgrade: [[spendInput("900")]] })));
    expect(program.levels![1]).toMatchObject({
      id: "gold",
      rank: 2,
      name: "Gold+",
      upgradePoints: 250,
      upgrade: [[{ kind: "accumulatedSpend", amount: "900.00" }]],
    });
    expect(base.levels[1].name).toBe("Gold"); // the input program is not mutated
  });

  it("rejects an update of a level that is not in the draft with a 404", () => {
    expect(() => applyLevelForm(programJson() as ProgramJson, "bronze", parseLevelForm(levelInput()))).toThrow(
      expect.objectContaining({ status: 404 }),
    );
  });

  it.each([
    [new Set<string>(), "Gold", "gold"],
    [new Set(["gold"]), "Gold", "gold-2"],
    [new Set(["gold", "gold-2"]), "gold!", "gold-3"],
    [new Set<string>(), "★★★", "level"],
  ])("level ids are stable slugs: %s + %s → %s", (taken, name, id) => {
    expect(levelIdFrom(name, taken)).toBe(id);
  });

  it("round-trips: stored level → editor values → payload → same stored level", () => {
    const stored = applyLevelForm(
      programJson() as ProgramJson,
      "gold",
      parseLevelForm(
        levelInput({
          upgrade: [
            [spendInput("1000"), ordersInput("2", { windowDays: "90" })],
            [
              {
                kind: "productPurchase",
                quantity: "2",
                scope: scopeInput({ productIds: ["gid://shopify/Product/1"] }),
                windowDays: "",
                role: "upgrade",
                showProgress: true,
              },
            ],
          ],
          customRenewal: true,
          renewal: [[spendInput("500")]],
          retainAmount: "300",
          resourceTitles: { "gid://shopify/Product/1": "VIP card", "gid://shopify/Product/2": "unused" },
        }),
      ),
    ).program.levels![1];
    expect(stored.resourceTitles).toEqual({ "gid://shopify/Product/1": "VIP card" });
    const again = applyLevelForm(programJson() as ProgramJson, "gold", parseLevelForm(levelPayload(levelFormValues(stored)))).program.levels![1];
    expect(again).toEqual(stored);
  });
});

describe("engine errors land on the editor's field", () => {
  const mapTo = (program: ProgramJson, index: number) => {
    try {
      parseProgram(program);
    } catch (e) {
      if (e instanceof ProgramError) return domainFieldErrors(e, `program.levels[${index}]`, (p) => p);
      throw e;
    }
    throw new Error("expected the engine to reject the program");
  };

  it("a threshold that does not rise above a lower level maps to that condition's amount", () => {
    const { program, index } = applyLevelForm(
      programJson() as ProgramJson,
      "gold",
      parseLevelForm(levelInput({ upgrade: [[ordersInput(1), spendInput("50")]] })),
    );
    const errors = mapTo(program, index);
    expect(Object.keys(errors)).toEqual(["upgrade[0][1].amount"]);
    expect(errors["upgrade[0][1].amount"]).toMatch(/thresholds must rise with rank.*"gold" needs 50\.00.*"silver" \(100\.00\)/);
  });

  it("an error in another level goes to the form banner and names where it is", () => {
    // Raising Silver above Gold breaks Gold's (unchanged) condition.
    const { program, index } = applyLevelForm(
      programJson() as ProgramJson,
      "silver",
      parseLevelForm(levelInput({ name: "Silver", upgrade: [[spendInput("800")]] })),
    );
    const errors = mapTo(program, index);
    expect(Object.keys(errors)).toEqual(["_form"]);
    expect(errors._form).toContain("program.levels[1].upgrade[0][0].amount");
  });
});
