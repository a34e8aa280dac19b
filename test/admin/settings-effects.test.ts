import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { benefitsFormSchema } from "~/forms/benefits-form";
import { levelFormSchema } from "~/forms/level-form";
import { settingsFormSchema } from "~/forms/settings-form";

/**
 * Every field a merchant can save changes behaviour somewhere a test can see. This lists each field of the admin's
 * forms (found by walking the forms' own zod schemas, so a field added to a form fails here until it is listed), what
 * it changes for a member or a shopper, and the test that proves it: a test file and the test's title or table case
 * (or the fixture/scenario file the test runs). The proving test goes from the stored setting to what a member,
 * a shopper or Shopify sees; the forms' round-trip tests (test/admin/*-form.test.ts) prove that what the form saves is
 * that stored setting.
 */

interface Proof {
  /** A test file (test/** or extensions/*\/tests/**). */
  test: string;
  /** A test title, a table case's name, or a scenario/fixture file the test runs (in the test's folder or its fixtures/). */
  name: string;
}
interface Effect {
  effect: string;
  proof: Proof;
}

const root = path.resolve(import.meta.dirname, "../..");
const t = (test: string, name: string, effect: string): Effect => ({ effect, proof: { test, name } });

const RULE0 = "test/domain/rule-0-boundaries.test.ts";
const RULE1 = "test/domain/rule-1-which-level.test.ts";
const RULE2 = "test/domain/rule-2-moving-up.test.ts";
const RULE3 = "test/domain/rule-3-expiry.test.ts";
const RULE5 = "test/domain/rule-5-points.test.ts";
const CONDITIONS = "test/domain/windows-and-conditions.test.ts";
const SCOPES = "test/domain/spend-and-scopes.test.ts";
const FN_FIXTURES = "extensions/tier-discount/tests/fixtures.test.ts";
const FN_LINES = "extensions/tier-discount/tests/line-discounts.test.ts";
const BENEFITS_SERVICE = "test/admin/benefits-settings-service.test.ts";
const BIRTHDAYS = "test/rewards/birthday-rewards.test.ts";
const LEVEL_EVENTS = "test/flow/level-events.test.ts";
const FLOW_TRIGGERS = "test/flow/flow-triggers.test.ts";
const REWARD_FLOW = "a reward issued and a birthday reward reach Flow with the code, the value and the merchant's text";
const POINTS_EXPIRING = "test/flow/points-expiring.test.ts";

/** A condition's fields, the same for upgrade and renewal groups. */
function conditionEffects(group: "upgrade" | "renewal"): Record<string, Effect> {
  const p = `level.${group}[][]`;
  const when = group === "upgrade" ? "reaching the level" : "keeping the level at its expiry (renewal)";
  return {
    [`${p}.kind`]: t(
      CONDITIONS,
      "singleOrder: two smaller orders do not add up",
      `what is measured for ${when}: spend, one order, orders, items, products, points`,
    ),
    [`${p}.amount`]: t(RULE1, "AND inside a group: spend without 3 orders is not enough", `the spend, order amount or points threshold for ${when}`),
    [`${p}.count`]: t(CONDITIONS, "itemCount counts units", `the number of orders or items for ${when}`),
    [`${p}.quantity`]: t(SCOPES, "productPurchase counts units of the scoped products", `units of the picked products for ${when}`),
    [`${p}.scope.productIds`]: t(SCOPES, "productIds", "only these products count"),
    [`${p}.scope.collectionIds`]: t(SCOPES, "collectionIds", "only products in these collections count"),
    [`${p}.scope.tags`]: t(SCOPES, "tags", "only products with these tags count"),
    [`${p}.scope.excludeProductIds`]: t(SCOPES, "exclude product", "these products never count"),
    [`${p}.scope.excludeCollectionIds`]: t(SCOPES, "exclude only (everything else)", "products in these collections never count"),
    [`${p}.scope.excludeTags`]: t(SCOPES, "include collection, exclude tag", "products with these tags never count"),
    [`${p}.windowDays`]: t(
      CONDITIONS,
      "per-condition windowDays overrides the program window with a rolling one",
      "the condition's own rolling window",
    ),
    [`${p}.role`]: t(
      "test/domain/condition-roles-and-earn-options.test.ts",
      "a renewal-only condition does not block the upgrade",
      "whether the condition counts for the upgrade, the renewal or both",
    ),
    [`${p}.showProgress`]: t(
      "test/domain/rule-8-requirements.test.ts",
      "leaves out conditions hidden from progress, but they still weigh in choosing the group",
      "whether shoppers see progress on the condition",
    ),
  };
}

export const SETTING_EFFECTS: Record<string, Effect> = {
  // Levels (app/forms/level-form.ts): programme rules, effective on publish.
  "level.name": t(
    "test/shared/program-view.test.ts",
    "lists every level shoppers can see with what it takes, gives and how long it lasts",
    "the level's name on every shopper surface",
  ),
  "level.enabled": t(
    "test/domain/rule-6-disabled-levels.test.ts",
    "a disabled level is never reached; members qualify for the next enabled level below",
    "a disabled level is never reached",
  ),
  "level.internalOnly": t(RULE1, "internal-only and disabled levels are never reached automatically", "an internal level is only assigned by hand"),
  "level.card.badge": t(
    "test/shared/member-card-image.test.ts",
    "leaves the caption out when dates are hidden, and the badge out for",
    "the badge on the member card",
  ),
  "level.card.background": t("test/shared/member-card-image.test.ts", "paints the merchant", "the member card's background colour"),
  "level.card.text": t("test/shared/member-card-image.test.ts", "paints the merchant", "the member card's text colour"),
  "level.card.levelColor": t("test/shared/member-card-image.test.ts", "paints the merchant", "the member card's level colour"),
  "level.card.hideDates": t(
    "test/theme/membership-levels.test.ts",
    "in status $status (hide dates: $hideDates) reads it",
    "the level's dates are not shown to the shopper",
  ),
  ...conditionEffects("upgrade"),
  "level.customRenewal": t(
    RULE3,
    "uses the renewal conditions when the level has them",
    "renewal uses its own conditions instead of the upgrade ones",
  ),
  ...conditionEffects("renewal"),
  "level.retainAmount": t(RULE3, "needs fresh spend in each retention period", "spend needed in each period to keep the level (retention)"),
  "level.resourceTitles": t(
    "test/admin/level-form.test.ts",
    "round-trips: stored level → editor values → payload → same stored level",
    "the editor shows picked products by name when reopened",
  ),

  // Benefits (app/forms/benefits-form.ts): shopper benefits effective on save, points rules on publish.
  "benefits.discount.amount.type": t(FN_FIXTURES, "fixed-amount.json", "percentage or fixed amount off at checkout"),
  "benefits.discount.amount.value": t(FN_FIXTURES, "gold-member-10-percent.json", "how much is taken off at checkout"),
  "benefits.discount.minimumOrder": t(FN_FIXTURES, "minimum-not-met.json", "no discount below the minimum order"),
  "benefits.discount.appliesTo": t(
    FN_FIXTURES,
    "sale-items-discounted-price.json",
    "the discount is taken off the retail or the already-discounted price",
  ),
  "benefits.discount.scope.productIds": t(
    FN_LINES,
    "includes a line in any of the listed collections (Premium and Sale), by tag, or by product",
    "only these products are discounted",
  ),
  "benefits.discount.scope.collectionIds": t(
    FN_LINES,
    "includes a line in any of the listed collections (Premium and Sale), by tag, or by product",
    "only products in these collections are discounted",
  ),
  "benefits.discount.scope.tags": t(
    FN_LINES,
    "includes a line in any of the listed collections (Premium and Sale), by tag, or by product",
    "only products with these tags are discounted",
  ),
  "benefits.discount.scope.excludeProductIds": t(FN_LINES, "excludes wins over includes", "these products are never discounted"),
  "benefits.discount.scope.excludeCollectionIds": t(
    FN_LINES,
    "gives five levels, each excluding its own brand",
    "products in these collections are never discounted",
  ),
  "benefits.discount.scope.excludeTags": t(FN_LINES, "excludes wins over includes", "products with these tags are never discounted"),
  "benefits.discount.saleItemExtra": t(FN_FIXTURES, "fixed-amount-sale-extra.json", "an extra percentage off items already on sale"),
  "benefits.discount.combinesWith.productDiscounts": t(
    BENEFITS_SERVICE,
    "is written to the shop",
    "whether the level discount combines with product discounts (strictest over levels)",
  ),
  "benefits.discount.combinesWith.orderDiscounts": t(
    BENEFITS_SERVICE,
    "is written to the shop",
    "whether the level discount combines with order discounts (strictest over levels)",
  ),
  "benefits.discount.combinesWith.shippingDiscounts": t(
    BENEFITS_SERVICE,
    "is written to the shop",
    "whether the level discount combines with shipping discounts",
  ),
  "benefits.freeShipping.countries": t(FN_FIXTURES, "free-shipping-by-country.json", "free shipping only to these countries"),
  "benefits.freeShipping.minimumOrder": t(FN_FIXTURES, "free-shipping-minimum-not-met.json", "no free shipping below the minimum order"),
  "benefits.points.rules[].per": t(RULE5, "earns per item: 5 points per unit, gift cards excluded", "points per amount spent or per item"),
  "benefits.points.rules[].every": t(RULE5, "no prorate: 25.00 at 3 points per 10.00 → 2 whole steps → 6", "the spend or items each award is for"),
  "benefits.points.rules[].points": t(RULE5, "prorate: 25.00 at 3 points per 10.00 → 7.5 → down 7", "points per step"),
  "benefits.points.rules[].prorate": t(
    RULE5,
    "no prorate: 25.00 at 3 points per 10.00 → 2 whole steps → 6",
    "partial steps earn their share, or only whole steps earn",
  ),
  "benefits.points.rules[].scope.productIds": t(
    "test/domain/condition-roles-and-earn-options.test.ts",
    "scoped earn rule: only the scoped subtotal earns",
    "only these products earn",
  ),
  "benefits.points.rules[].scope.collectionIds": t(
    "test/domain/condition-roles-and-earn-options.test.ts",
    "scoped earn rule: only the scoped subtotal earns",
    "only products in these collections earn",
  ),
  "benefits.points.rules[].scope.tags": t(
    "test/domain/condition-roles-and-earn-options.test.ts",
    "scoped earn rule: only the scoped subtotal earns",
    "only products with these tags earn",
  ),
  "benefits.points.rules[].scope.excludeProductIds": t(SCOPES, "exclude product", "these products never earn (the scope is the conditions' scope)"),
  "benefits.points.rules[].scope.excludeCollectionIds": t(SCOPES, "exclude only (everything else)", "products in these collections never earn"),
  "benefits.points.rules[].scope.excludeTags": t(SCOPES, "include collection, exclude tag", "products with these tags never earn"),
  "benefits.points.rules[].excludeDiscountCodes": t(
    "test/domain/condition-roles-and-earn-options.test.ts",
    "excludeDiscountCodes: orders with a discount code earn nothing under that rule",
    "orders with a discount code earn nothing under the rule",
  ),
  "benefits.points.multiplier": t(
    "test/admin/benefits-form.test.ts",
    "points rules become the level",
    "the level's earn rules are multiplied (and the engine earns what they say)",
  ),
  "benefits.points.rounding": t(
    "test/domain/points-rounding.test.ts",
    "applies once per order, not per rule (%s)",
    "how fractional points are rounded",
  ),
  "benefits.points.expiryDays": t(
    RULE5,
    "expires earned points expiryDays later; the balance excludes them",
    "earned points expire after this many days",
  ),
  "benefits.upgradePoints": t(
    RULE5,
    "are granted once per level, including levels skipped in one jump",
    "points granted once when the level is first reached",
  ),
  "benefits.welcome.amount.type": t(
    "test/rewards/welcome-rewards.test.ts",
    "skipped levels give their welcome reward only where the merchant chose it",
    "the welcome code is a percentage or a fixed amount off",
  ),
  "benefits.welcome.amount.value": t(
    "test/rewards/welcome-rewards.test.ts",
    "gets exactly one code, unique to them, limited to them and to one use, valid for the level's 30 days, shown everywhere",
    "how much the welcome code takes off",
  ),
  "benefits.welcome.validDays": t(
    "test/rewards/welcome-rewards.test.ts",
    "gets exactly one code, unique to them, limited to them and to one use, valid for the level's 30 days, shown everywhere",
    "how long the welcome code is valid",
  ),
  "benefits.welcome.whenSkipped": t(
    "test/rewards/welcome-rewards.test.ts",
    "skipped levels give their welcome reward only where the merchant chose it",
    "the code is also given to members who skip past the level",
  ),
  "benefits.birthday.kind": t(
    BIRTHDAYS,
    "points (day mode): on the birthday, once, in the ledger, with a Flow event",
    "a birthday discount code or birthday points",
  ),
  "benefits.birthday.amount.type": t(
    BIRTHDAYS,
    "discount code (month mode): on the 1st of the birthday month, pending for the issue job, valid 30 days",
    "the birthday code is a percentage or a fixed amount off",
  ),
  "benefits.birthday.amount.value": t(
    BIRTHDAYS,
    "discount code (month mode): on the 1st of the birthday month, pending for the issue job, valid 30 days",
    "how much the birthday code takes off",
  ),
  "benefits.birthday.points": t(
    BIRTHDAYS,
    "points (day mode): on the birthday, once, in the ledger, with a Flow event",
    "points given on the birthday",
  ),
  "benefits.birthday.when": t(
    BIRTHDAYS,
    "discount code (month mode): on the 1st of the birthday month, pending for the issue job, valid 30 days",
    "on the birthday or on the first day of its month",
  ),
  "benefits.custom[].title": t(
    "test/theme/membership-levels.test.ts",
    "reads every benefit kind, with minimum orders and fixed amounts in the shop",
    "the privilege's title on every shopper surface",
  ),
  "benefits.custom[].icon": t(
    "test/shared/tier-metafield.test.ts",
    "defaults a missing minimum to null and a missing custom icon to the star",
    "the privilege's icon",
  ),
  "benefits.custom[].description": t("test/shared/tier-metafield.test.ts", "reads every kind of the contract", "the privilege's description"),
  "benefits.resourceTitles": t(
    "test/admin/benefits-form.test.ts",
    "round-trips: stored → editor values → payload → same benefits and rules",
    "the editor shows picked products by name when reopened",
  ),

  // Programme settings (app/forms/settings-form.ts): programme rules on publish, templates on save.
  "settings.enabled": t(
    "test/domain/rule-1-which-level.test.ts",
    "a disabled program shows no level",
    "a disabled programme shows no level and gives no discount",
  ),
  "settings.activeFrom": t(RULE5, "earns nothing on orders before activeFrom", "orders before this date count for nothing"),
  "settings.basis": t(CONDITIONS, "points (basis points): points earned inside the window, not the balance", "levels follow spend or points earned"),
  "settings.spend.base": t(SCOPES, "subtotal base ignores the shipping/tax toggles", "spend counts the order total or the subtotal"),
  "settings.spend.excludeShipping": t(SCOPES, "shipping counted", "shipping counts toward spend or not"),
  "settings.spend.excludeTaxes": t(SCOPES, "taxes counted", "taxes count toward spend or not"),
  "settings.window.kind": t(RULE0, "rule 0: calendar year", "which orders count: lifetime, since the last upgrade, calendar year, rolling, fixed"),
  "settings.window.days": t(RULE0, "rule 0: rolling window (T − N days, T]", "the rolling window's length"),
  "settings.window.from": t(RULE0, "rule 0: fixed window [from, to)", "the fixed window's start"),
  "settings.window.to": t(RULE0, "rule 0: fixed window [from, to)", "the fixed window's end"),
  "settings.validity.kind": t(RULE2, "validity %j", "how long a level lasts once reached"),
  "settings.validity.days": t(RULE2, "validity %j", "the number of days a level lasts"),
  "settings.graceDays": t(
    RULE3,
    "starts grace at expiry: level kept with status grace until graceEndsAt",
    "days a level is kept after it expires unrenewed",
  ),
  "settings.onExpiry": t(RULE3, "keeps the level with status frozen, and time no longer moves the member", "at expiry: re-evaluate or freeze"),
  "settings.retention.on": t(RULE3, "one cent short: not retained", "spending the level's retention amount extends the level"),
  "settings.retention.extendDays": t(
    RULE3,
    "spend after levelSince reaches retainAmount: extended by extendDays",
    "how far retention extends the level",
  ),
  "settings.downgradeOnRefund": t(
    RULE2,
    "with downgradeOnRefund off, refunds and cancellations neither lower counted spend nor the level",
    "refunds move members down or not",
  ),
  "settings.channels[]": t(
    CONDITIONS,
    "channels: orders from non-participating channels never count",
    "orders from other sales channels never count",
  ),
  "settings.currency": t("test/shared/program-view.test.ts", "formats amounts in the programme", "amounts shown to shoppers are in this currency"),
  "settings.notifications.levelUp.subject": t(
    LEVEL_EVENTS,
    "uses the merchant's saved template and the level's discount",
    "the level-up message sent to Flow",
  ),
  "settings.notifications.levelUp.body": t(
    LEVEL_EVENTS,
    "uses the merchant's saved template and the level's discount",
    "the level-up message sent to Flow",
  ),
  "settings.notifications.levelDown.subject": t(
    LEVEL_EVENTS,
    "a refund that lowers the level records a level-down with the previous level",
    "the level-down message sent to Flow",
  ),
  "settings.notifications.levelDown.body": t(
    LEVEL_EVENTS,
    "a refund that lowers the level records a level-down with the previous level",
    "the level-down message sent to Flow",
  ),
  "settings.notifications.rewardIssued.subject": t(FLOW_TRIGGERS, REWARD_FLOW, "the reward-issued message sent to Flow"),
  "settings.notifications.rewardIssued.body": t(FLOW_TRIGGERS, REWARD_FLOW, "the reward-issued message sent to Flow"),
  "settings.notifications.birthdayReward.subject": t(FLOW_TRIGGERS, REWARD_FLOW, "the birthday-reward message sent to Flow"),
  "settings.notifications.birthdayReward.body": t(FLOW_TRIGGERS, REWARD_FLOW, "the birthday-reward message sent to Flow"),
  "settings.notifications.pointsExpiring.subject": t(
    POINTS_EXPIRING,
    "follows the merchant's notice: 5 days before expiry",
    "the points-expiring message sent to Flow",
  ),
  "settings.notifications.pointsExpiring.body": t(
    POINTS_EXPIRING,
    "follows the merchant's notice: 5 days before expiry",
    "the points-expiring message sent to Flow",
  ),
  "settings.notifications.pointsExpiring.daysBefore": t(
    POINTS_EXPIRING,
    "follows the merchant's notice: 5 days before expiry",
    "how many days before points expire Flow hears of it",
  ),
  "settings.redemption.enabled": t("test/rewards/redemption.test.ts", "redemption off", "shoppers can spend points on the account page, or not"),
  "settings.redemption.points": t(
    "test/rewards/redemption.test.ts",
    "turns points into a one-use discount code for the shopper",
    "how many points buy the rate's value",
  ),
  "settings.redemption.value": t(
    "test/rewards/redemption.test.ts",
    "turns points into a one-use discount code for the shopper",
    "what the rate's points are worth",
  ),
  "settings.redemption.minimumPoints": t("test/rewards/redemption.test.ts", "below the minimum", "the fewest points one redemption takes"),
  "settings.redemption.stepPoints": t("test/rewards/redemption.test.ts", "off the step", "redemptions go in multiples of the step"),
  "settings.redemption.storeCredit": t(
    "test/rewards/redemption.test.ts",
    "store credit not offered",
    "store credit is offered beside discount codes, or not",
  ),
};

/** The leaf fields of a form schema, as dotted paths (`[]` for a list's items; unions contribute every option's fields). */
export function formFields(schema: z.ZodType, prefix: string): string[] {
  const out = new Set<string>();
  const walk = (s: unknown, p: string) => {
    const def = (s as { _zod?: { def?: Record<string, any> } })?._zod?.def;
    if (!def) return void out.add(p);
    switch (def.type) {
      case "object":
        for (const [k, v] of Object.entries(def.shape as Record<string, unknown>)) walk(v, `${p}.${k}`);
        return;
      case "pipe":
        return walk(def.in, p);
      case "default":
      case "prefault":
      case "optional":
      case "nullable":
      case "catch":
      case "readonly":
      case "nonoptional":
        return walk(def.innerType, p);
      case "array":
        return walk(def.element, `${p}[]`);
      case "union":
        for (const o of def.options as unknown[]) walk(o, p);
        return;
      default:
        out.add(p);
    }
  };
  walk(schema, prefix);
  return [...out];
}

const FORMS: [string, z.ZodType][] = [
  ["level", levelFormSchema],
  ["benefits", benefitsFormSchema],
  ["settings", settingsFormSchema],
];

function proofHolds({ test, name }: Proof): string | null {
  const file = path.join(root, test);
  if (!/^(test\/|extensions\/[^/]+\/tests\/).*\.test\.tsx?$/.test(test)) return `${test} is not a test file the suite runs`;
  if (!fs.existsSync(file)) return `${test} does not exist`;
  if (fs.readFileSync(file, "utf8").includes(name)) return null;
  const dir = path.dirname(file);
  if (fs.existsSync(path.join(dir, name)) || fs.existsSync(path.join(dir, "fixtures", name))) return null;
  return `${test} has no test or case "${name}"`;
}

describe("every form field that saves a setting changes behaviour a test proves", () => {
  const fields = FORMS.flatMap(([name, schema]) => formFields(schema, name));

  it("finds the forms' fields (the walk itself works)", () => {
    expect(fields).toEqual(expect.arrayContaining(["level.name", "benefits.discount.amount.value", "settings.window.days", "settings.channels[]"]));
    expect(fields.length).toBeGreaterThan(90);
  });

  it("lists exactly the fields the forms save", () => {
    expect(Object.keys(SETTING_EFFECTS).sort()).toEqual([...new Set(fields)].sort());
  });

  it.each(Object.entries(SETTING_EFFECTS))("%s is proven by its test", (_field, { effect, proof }) => {
    expect(effect.length).toBeGreaterThan(10);
    expect(proofHolds(proof)).toBeNull();
  });
});
