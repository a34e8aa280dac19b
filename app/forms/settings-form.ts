import { z } from "zod";
import { SALES_CHANNELS, type SalesChannelId } from "~/domain/sales-channels";
import { FormValidationError, zodFieldErrors } from "./form-errors";
import { bool, instant, int, optionalInstant } from "./form-fields";
import type { ProgramJson } from "./level-form";
import { templatesSchema, type NotificationTemplates, DEFAULT_TEMPLATES, withDefaultTemplates } from "./notification-templates";
import {
  DEFAULT_REDEMPTION,
  redemptionFormValues,
  redemptionSettingsSchema,
  type RedemptionFormValues,
  type RedemptionSettings,
} from "./redemption-settings";

// Program settings: the program-wide rules (saved on the draft, effective on publish) and the notification
// templates (shop settings, effective on save). Field keys mirror the engine's paths below `program`.

/** Channel ids as order facts carry them (`OrderFact.channel`): the one list in app/domain/sales-channels.ts. */
export const CHANNELS = SALES_CHANNELS;
export type ChannelId = SalesChannelId;

const windowSchema = z.discriminatedUnion(
  "kind",
  [
    z.object({ kind: z.literal("lifetime") }),
    z.object({ kind: z.literal("sinceLastUpgrade") }),
    z.object({ kind: z.literal("calendarYear") }),
    z.object({ kind: z.literal("rolling"), days: int("Rolling window", 1, 3650) }),
    z
      .object({ kind: z.literal("fixed"), from: instant("Window start"), to: instant("Window end") })
      .refine((w) => Date.parse(w.to) > Date.parse(w.from), { path: ["to"], message: "Window end must be after its start" }),
  ],
  { error: "Choose a counting window" },
);

const validitySchema = z.discriminatedUnion(
  "kind",
  [
    z.object({ kind: z.literal("permanent") }),
    z.object({ kind: z.literal("oneYear") }),
    z.object({ kind: z.literal("days"), days: int("Validity", 1, 3650) }),
  ],
  { error: "Choose how long a level lasts" },
);

export const settingsFormSchema = z.object({
  enabled: bool,
  activeFrom: optionalInstant("Active from"),
  basis: z.enum(["spend", "points"], { error: "Choose spend or points earned" }),
  spend: z.object({
    base: z.enum(["total", "subtotal"], { error: "Choose order total or subtotal" }),
    excludeShipping: bool,
    excludeTaxes: bool,
  }),
  window: windowSchema,
  validity: validitySchema,
  graceDays: int("Grace period", 0, 365),
  onExpiry: z.enum(["reevaluate", "freeze"], { error: "Choose re-evaluate or freeze" }),
  retention: z.object({ on: bool, extendDays: z.unknown().optional() }).transform((r, ctx) => {
    if (!r.on) return null;
    const days = int("Extension", 1, 3650).safeParse(r.extendDays);
    if (!days.success) {
      ctx.addIssue({ code: "custom", path: ["extendDays"], message: "Extension must be a whole number of days from 1 to 3650" });
      return z.NEVER;
    }
    return { extendDays: days.data };
  }),
  downgradeOnRefund: bool,
  channels: z
    .array(z.enum(CHANNELS.map((c) => c.id) as [ChannelId, ...ChannelId[]], { error: "Unknown sales channel" }))
    .min(1, "Choose at least one channel, or the program counts no orders")
    .transform((list) => [...new Set(list)]),
  currency: z
    .string()
    .trim()
    .regex(/^[A-Z]{3}$/, "Currency must be a three-letter code like USD")
    .default("USD"),
  notifications: templatesSchema.default(DEFAULT_TEMPLATES),
  /** A shop setting like the templates (effective on save): app/forms/redemption-settings.ts. */
  redemption: redemptionSettingsSchema.default(DEFAULT_REDEMPTION),
});

export type SettingsForm = z.output<typeof settingsFormSchema>;

export function parseSettingsForm(input: unknown): SettingsForm {
  const result = settingsFormSchema.safeParse(input);
  if (!result.success) throw new FormValidationError(zodFieldErrors(result.error), 422);
  return result.data;
}

/** Writes the program-wide rules into a copy of the draft program (levels and points rules untouched). */
export function applySettings(program: ProgramJson, form: SettingsForm): ProgramJson {
  return {
    ...program,
    enabled: form.enabled,
    activeFrom: form.activeFrom,
    basis: form.basis,
    spend: form.spend,
    window: form.window,
    validity: form.validity,
    graceDays: form.graceDays,
    onExpiry: form.onExpiry,
    retention: form.retention,
    downgradeOnRefund: form.downgradeOnRefund,
    // Every channel ticked means "all", so orders from a channel added later still count.
    channels: form.channels.length === CHANNELS.length ? null : form.channels,
    currency: form.currency,
  };
}

export interface SettingsFormValues {
  enabled: boolean;
  activeFrom: string;
  basis: "spend" | "points";
  spend: { base: "total" | "subtotal"; excludeShipping: boolean; excludeTaxes: boolean };
  window: { kind: "lifetime" | "sinceLastUpgrade" | "calendarYear" | "rolling" | "fixed"; days: string; from: string; to: string };
  validity: { kind: "permanent" | "oneYear" | "days"; days: string };
  graceDays: string;
  onExpiry: "reevaluate" | "freeze";
  retention: { on: boolean; extendDays: string };
  downgradeOnRefund: boolean;
  channels: ChannelId[];
  currency: string;
  notifications: NotificationTemplates;
  redemption: RedemptionFormValues;
}

const dateInput = (iso: unknown) => (typeof iso === "string" ? iso.slice(0, 10) : "");

export function settingsFormValues(
  program: ProgramJson,
  notifications: NotificationTemplates | null,
  redemption: RedemptionSettings | null = null,
): SettingsFormValues {
  const p = program as Record<string, any>;
  const w = typeof p.window === "string" ? { kind: p.window } : (p.window ?? { kind: "lifetime" });
  const v = typeof p.validity === "string" ? { kind: p.validity } : (p.validity ?? { kind: "permanent" });
  return {
    enabled: p.enabled ?? true,
    activeFrom: dateInput(p.activeFrom),
    basis: p.basis ?? "spend",
    spend: { base: p.spend?.base ?? "total", excludeShipping: p.spend?.excludeShipping ?? true, excludeTaxes: p.spend?.excludeTaxes ?? true },
    window: { kind: w.kind, days: w.days ? String(w.days) : "365", from: dateInput(w.from), to: dateInput(w.to) },
    validity: { kind: v.kind, days: v.days ? String(v.days) : "365" },
    graceDays: String(p.graceDays ?? 0),
    onExpiry: p.onExpiry ?? "reevaluate",
    retention: { on: !!p.retention, extendDays: String(p.retention?.extendDays ?? 365) },
    downgradeOnRefund: p.downgradeOnRefund ?? true,
    channels: p.channels ?? CHANNELS.map((c) => c.id),
    currency: p.currency ?? "USD",
    notifications: withDefaultTemplates(notifications),
    redemption: redemptionFormValues(redemption ?? DEFAULT_REDEMPTION),
  };
}

/** Only the fields the chosen kinds use are sent, so an unused "days" box cannot fail validation. */
export function settingsPayload(v: SettingsFormValues): Record<string, unknown> {
  const window =
    v.window.kind === "rolling"
      ? { kind: "rolling", days: v.window.days }
      : v.window.kind === "fixed"
        ? { kind: "fixed", from: v.window.from, to: v.window.to }
        : { kind: v.window.kind };
  const validity = v.validity.kind === "days" ? { kind: "days", days: v.validity.days } : { kind: v.validity.kind };
  return { ...v, window, validity };
}
