import { z } from "zod";
import type { RedemptionRulesV1 } from "~/shared/redemption";
import { FormValidationError, zodFieldErrors } from "./form-errors";
import { bool, int, money, optionalInt } from "./form-fields";

// Points redemption: whether shoppers may spend points, at what rate, from what minimum, in what steps, and whether
// store credit is offered beside discount codes. A shop setting (Shop.settingsJson `redemption`), effective on save
// like the notification templates: it changes no member's level, so nothing waits for a publish. The shopper-visible
// part is copied into the shop's `program` metafield (app/services/program-metafield.server.ts) when saved.

export interface RedemptionSettings extends RedemptionRulesV1 {
  enabled: boolean;
}

export const MAX_REDEMPTION_POINTS = 10_000_000;

/** Off, with a rate a merchant can switch on as is: 100 points = 5.00, from 100 points, in steps of 100, codes only. */
export const DEFAULT_REDEMPTION: RedemptionSettings = {
  enabled: false,
  points: 100,
  value: "5.00",
  minimumPoints: 100,
  stepPoints: 100,
  storeCredit: false,
};

const rulesSchema = z
  .object({
    points: int("Points in the rate", 1, MAX_REDEMPTION_POINTS),
    value: money("Value in the rate").refine((v) => Number(v) > 0, "Value in the rate must be more than 0"),
    minimumPoints: int("Minimum points", 1, MAX_REDEMPTION_POINTS),
    stepPoints: optionalInt("Step", 1, MAX_REDEMPTION_POINTS),
    storeCredit: bool,
  })
  .superRefine((r, ctx) => {
    if (r.stepPoints !== null && r.minimumPoints % r.stepPoints !== 0)
      ctx.addIssue({
        code: "custom",
        path: ["minimumPoints"],
        message: `Minimum points must be a multiple of the step (${r.stepPoints}), or shoppers could never redeem exactly the minimum`,
      });
  });

/**
 * Switched on, every field must be right. Switched off, what the merchant typed is kept when it is valid and the
 * defaults otherwise: a half-typed rate must not stop them from saving the rest of the settings.
 */
export const redemptionSettingsSchema = z
  .object({
    enabled: bool,
    // Read by rulesSchema below; listed so the form's fields are the schema's own (test/admin/settings-effects.test.ts).
    points: z.unknown().optional(),
    value: z.unknown().optional(),
    minimumPoints: z.unknown().optional(),
    stepPoints: z.unknown().optional(),
    storeCredit: z.unknown().optional(),
  })
  .transform((input, ctx): RedemptionSettings => {
    const rules = rulesSchema.safeParse(input);
    if (rules.success) return { enabled: input.enabled, ...rules.data };
    if (!input.enabled) return { ...DEFAULT_REDEMPTION };
    for (const issue of rules.error.issues) ctx.addIssue({ code: "custom", path: issue.path, message: issue.message });
    return z.NEVER;
  });

export function parseRedemptionSettings(input: unknown): RedemptionSettings {
  const result = redemptionSettingsSchema.safeParse(input);
  if (!result.success) throw new FormValidationError(zodFieldErrors(result.error), 422);
  return result.data;
}

/** What is stored (Shop.settingsJson `redemption`, possibly missing or from an older save) → the settings in force. */
export function storedRedemptionSettings(stored: unknown): RedemptionSettings {
  const parsed = redemptionSettingsSchema.safeParse(stored ?? {});
  return parsed.success ? parsed.data : { ...DEFAULT_REDEMPTION };
}

/** The shopper-visible rules (the programme metafield's `redemption`), or null while redemption is off. */
export function publicRedemptionRules(s: RedemptionSettings): RedemptionRulesV1 | null {
  if (!s.enabled) return null;
  return { points: s.points, value: s.value, minimumPoints: s.minimumPoints, stepPoints: s.stepPoints, storeCredit: s.storeCredit };
}

/** The form's text fields. */
export interface RedemptionFormValues {
  enabled: boolean;
  points: string;
  value: string;
  minimumPoints: string;
  stepPoints: string;
  storeCredit: boolean;
}

export function redemptionFormValues(s: RedemptionSettings): RedemptionFormValues {
  return {
    enabled: s.enabled,
    points: String(s.points),
    value: s.value,
    minimumPoints: String(s.minimumPoints),
    stepPoints: s.stepPoints === null ? "" : String(s.stepPoints),
    storeCredit: s.storeCredit,
  };
}
