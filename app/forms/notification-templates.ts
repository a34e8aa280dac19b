import { z } from "zod";

// Messages sent (through Flow or an email tool reading the level metafield) when a member moves up or down.
// Templates take {name}, {level} and {discount}; anything else in braces is a typo the merchant should see now,
// not a literal "{levle}" in a customer's inbox.

export const PLACEHOLDERS = ["name", "level", "discount"] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];
export type PlaceholderValues = Record<Placeholder, string>;

export const TEMPLATE_KINDS = ["levelUp", "levelDown"] as const;
export type TemplateKind = (typeof TEMPLATE_KINDS)[number];

export interface MessageTemplate {
  subject: string;
  body: string;
}
export type NotificationTemplates = Record<TemplateKind, MessageTemplate>;

export const DEFAULT_TEMPLATES: NotificationTemplates = {
  levelUp: { subject: "Welcome to {level}, {name}!", body: "Hi {name}, you have reached {level}. Enjoy {discount} on your next orders." },
  levelDown: { subject: "Your membership is now {level}", body: "Hi {name}, your level is now {level}. Your benefits: {discount}." },
};

export const SAMPLE_VALUES: PlaceholderValues = { name: "Ada", level: "Gold", discount: "10% off" };

const TOKEN = /\{([^{}]*)\}/g;

export function unknownPlaceholders(template: string): string[] {
  const out: string[] = [];
  for (const m of template.matchAll(TOKEN)) if (!(PLACEHOLDERS as readonly string[]).includes(m[1])) out.push(`{${m[1]}}`);
  return [...new Set(out)];
}

/** Replaces known placeholders; unknown ones are left as written (the form rejects them before they are saved). */
export function renderTemplate(template: string, values: PlaceholderValues): string {
  return template.replace(TOKEN, (whole, key: string) => ((PLACEHOLDERS as readonly string[]).includes(key) ? values[key as Placeholder] : whole));
}

const templateText = (label: string, max: number) =>
  z
    .string({ error: `${label} is required` })
    .trim()
    .min(1, `${label} is required`)
    .max(max, `${label} must be at most ${max} characters`)
    .superRefine((s, ctx) => {
      const bad = unknownPlaceholders(s);
      if (bad.length) ctx.addIssue({ code: "custom", message: `Unknown placeholder ${bad.join(", ")}: use {name}, {level} or {discount}` });
    });

const messageSchema = (label: string) => z.object({ subject: templateText(`${label} subject`, 150), body: templateText(`${label} message`, 2000) });

export const templatesSchema = z.object({ levelUp: messageSchema("Level-up"), levelDown: messageSchema("Level-down") });

export function previewTemplates(t: NotificationTemplates, values: PlaceholderValues = SAMPLE_VALUES): NotificationTemplates {
  return {
    levelUp: { subject: renderTemplate(t.levelUp.subject, values), body: renderTemplate(t.levelUp.body, values) },
    levelDown: { subject: renderTemplate(t.levelDown.subject, values), body: renderTemplate(t.levelDown.body, values) },
  };
}
