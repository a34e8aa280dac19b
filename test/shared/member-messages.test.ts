import { describe, expect, it } from "vitest";
import { createTranslator, interpolate, MEMBER_MESSAGES_EN, messageAt, messageKeys } from "~/shared/member-messages";

describe("createTranslator", () => {
  const fr = createTranslator(
    { level: { badge: "Membre {{level}}" }, points: { balance: { one: "{{formatted}} point", other: "{{formatted}} points" } } },
    "fr-FR",
  );

  it.each([
    ["level.badge", { level: "Or" }, "Membre Or"],
    // French puts 0 and 1 in "one"; English puts 0 in "other".
    ["points.balance", { count: 0, formatted: "0" }, "0 point"],
    ["points.balance", { count: 2, formatted: "2" }, "2 points"],
    ["progress.top", {}, "You've reached the top level"],
    ["no.such.key", {}, "no.such.key"],
    ["level", {}, "level"],
  ])("fr %s %j → %s", (key, params, text) => {
    expect(fr(key, params)).toBe(text);
  });

  it("uses English plural rules for English, and for a locale Intl refuses", () => {
    const en = createTranslator(MEMBER_MESSAGES_EN, "en");
    expect(en("points.balance", { count: 0, formatted: "0" })).toBe("0 points");
    expect(en("points.balance", { count: 1, formatted: "1" })).toBe("1 point");
    expect(createTranslator(MEMBER_MESSAGES_EN, "@@")("points.balance", { count: 1, formatted: "1" })).toBe("1 point");
  });

  it.each([
    ["{{a}} and {{ b }}", { a: 1, b: "two" }, "1 and two"],
    ["{{missing}} stays", {}, "{{missing}} stays"],
    ["unclosed {{a", { a: 1 }, "unclosed {{a"],
    ["{{constructor}}", {}, "{{constructor}}"],
  ])("interpolate(%j)", (template, params, text) => {
    expect(interpolate(template, params)).toBe(text);
  });

  it("lists leaf keys and reads them", () => {
    const keys = messageKeys(MEMBER_MESSAGES_EN);
    expect(keys).toContain("progress.spendMore");
    expect(keys).toContain("points.balance.one");
    expect(messageAt(MEMBER_MESSAGES_EN, "progress.spendMore")).toBe("Spend {{amount}} more to reach {{level}}");
    expect(messageAt(MEMBER_MESSAGES_EN, "points.balance")).toBeNull();
  });
});
