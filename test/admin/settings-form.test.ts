import { describe, expect, it } from "vitest";
import { parseProgram } from "~/domain/index";
import { FormValidationError } from "~/forms/form-errors";
import type { ProgramJson } from "~/forms/level-form";
import { previewTemplates, renderTemplate, unknownPlaceholders } from "~/forms/notification-templates";
import { applySettings, parseSettingsForm, settingsFormValues, settingsPayload } from "~/forms/settings-form";
import { programJson, settingsInput } from "../support/admin-builders";

function errorsOf(input: unknown): Record<string, string> {
  try {
    parseSettingsForm(input);
  } catch (e) {
    if (e instanceof FormValidationError) return e.errors;
    throw e;
  }
  throw new Error("expected the form to be rejected");
}

describe("settings form: bad input names the field", () => {
  it.each([
    ["unknown basis", { basis: "visits" }, "basis", "spend or points"],
    ["bad active-from", { activeFrom: "next tuesday" }, "activeFrom", "Active from must be a date"],
    ["30 February", { activeFrom: "2026-02-30" }, "activeFrom", "Active from must be a date"],
    ["rolling window of 0 days", { window: { kind: "rolling", days: "0" } }, "window.days", "Rolling window must be a whole number"],
    ["fixed window ending before it starts", { window: { kind: "fixed", from: "2026-06-01", to: "2026-01-01" } }, "window.to", "after its start"],
    ["unknown window", { window: { kind: "fortnight" } }, "window.kind", "counting window"],
    ["validity of 0 days", { validity: { kind: "days", days: "0" } }, "validity.days", "Validity must be"],
    ["negative grace", { graceDays: "-1" }, "graceDays", "Grace period must be"],
    ["unknown expiry behaviour", { onExpiry: "delete" }, "onExpiry", "re-evaluate or freeze"],
    ["retention on without days", { retention: { on: true, extendDays: "" } }, "retention.extendDays", "Extension must be"],
    ["no channel", { channels: [] }, "channels", "at least one channel"],
    ["unknown channel", { channels: ["tiktok"] }, "channels[0]", "Unknown sales channel"],
    ["lower-case currency", { currency: "usd" }, "currency", "three-letter code"],
    [
      "typo in a placeholder",
      { notifications: { ...settingsInput().notifications, levelUp: { subject: "Hi {nmae}", body: "x" } } },
      "notifications.levelUp.subject",
      "Unknown placeholder {nmae}",
    ],
    [
      "empty message",
      { notifications: { ...settingsInput().notifications, levelDown: { subject: "x", body: " " } } },
      "notifications.levelDown.body",
      "Level-down message is required",
    ],
  ])("%s → %s", (_name, over, field, message) => {
    expect(errorsOf(settingsInput(over))[field]).toContain(message);
  });
});

describe("settings form: good input becomes program rules", () => {
  it.each([
    [
      "defaults",
      {},
      {
        enabled: true,
        activeFrom: null,
        window: { kind: "lifetime" },
        validity: { kind: "permanent" },
        graceDays: 0,
        retention: null,
        channels: null,
      },
    ],
    [
      "rolling window, days validity, grace and retention",
      {
        window: { kind: "rolling", days: "365" },
        validity: { kind: "days", days: "180" },
        graceDays: "14",
        retention: { on: true, extendDays: "90" },
      },
      { window: { kind: "rolling", days: 365 }, validity: { kind: "days", days: 180 }, graceDays: 14, retention: { extendDays: 90 } },
    ],
    [
      "fixed window and active-from",
      { activeFrom: "2026-01-01", window: { kind: "fixed", from: "2026-01-01", to: "2027-01-01" } },
      { activeFrom: "2026-01-01T00:00:00Z", window: { kind: "fixed", from: "2026-01-01T00:00:00Z", to: "2027-01-01T00:00:00Z" } },
    ],
    ["some channels", { channels: ["pos", "online_store", "pos"] }, { channels: ["pos", "online_store"] }],
    [
      "freeze, subtotal, no downgrade, points basis",
      { onExpiry: "freeze", spend: { base: "subtotal", excludeShipping: true, excludeTaxes: true }, downgradeOnRefund: false, basis: "points" },
      { onExpiry: "freeze", spend: { base: "subtotal" }, downgradeOnRefund: false, basis: "points" },
    ],
  ])("%s", (_name, over, expected) => {
    const program = applySettings(programJson() as ProgramJson, parseSettingsForm(settingsInput(over)));
    expect(program).toMatchObject(expected);
    expect(program.levels).toEqual(programJson().levels);
    expect(() => parseProgram(program)).not.toThrow();
  });

  it("round-trips: program → editor values → payload → same program", () => {
    const form = parseSettingsForm(
      settingsInput({
        window: { kind: "rolling", days: "90" },
        validity: { kind: "oneYear" },
        retention: { on: true, extendDays: "30" },
        channels: ["pos"],
      }),
    );
    const program = applySettings(programJson() as ProgramJson, form);
    const again = parseSettingsForm(settingsPayload(settingsFormValues(program, form.notifications)));
    expect(applySettings(programJson() as ProgramJson, again)).toEqual(program);
    expect(again.notifications).toEqual(form.notifications);
  });

  it("a stale 'days' value of an unused window kind does not block saving", () => {
    const values = settingsFormValues(programJson() as ProgramJson, null);
    values.window = { kind: "calendarYear", days: "oops", from: "", to: "" };
    expect(parseSettingsForm(settingsPayload(values)).window).toEqual({ kind: "calendarYear" });
  });
});

describe("notification templates", () => {
  it.each([
    ["Hi {name}, welcome to {level}: {discount}", "Hi Ada, welcome to Gold: 10% off"],
    ["{name}{name}", "AdaAda"],
    ["Braces {unknown} stay", "Braces {unknown} stay"],
    ["No placeholders", "No placeholders"],
  ])("renders %j", (template, expected) => {
    expect(renderTemplate(template, { name: "Ada", level: "Gold", discount: "10% off" })).toBe(expected);
  });

  it.each([
    ["{name} {lvl} {Level} {}", ["{lvl}", "{Level}", "{}"]],
    ["{name} {level} {discount}", []],
  ])("finds unknown placeholders in %j", (template, expected) => {
    expect(unknownPlaceholders(template)).toEqual(expected);
  });

  it("previews both messages with sample values", () => {
    const p = previewTemplates({ levelUp: { subject: "{level}!", body: "{name}" }, levelDown: { subject: "down to {level}", body: "{discount}" } });
    expect(p).toEqual({ levelUp: { subject: "Gold!", body: "Ada" }, levelDown: { subject: "down to Gold", body: "10% off" } });
  });
});
