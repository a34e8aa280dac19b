import { z } from "zod";

// The texts Tierline renders for each member event and sends to Shopify Flow with the event (the Tierline triggers,
// app/services/flow/): the merchant builds the message itself in Flow (email, SMS, tag) and puts these fields in it.
// Tierline sends no email. Each kind takes its own placeholders; anything else in braces is a typo the merchant
// should see now, not a literal "{levle}" in a customer's inbox.

export const PLACEHOLDERS = ["name", "level", "discount", "reward", "code", "points", "date"] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];
export type PlaceholderValues = Record<Placeholder, string>;

export const TEMPLATE_KINDS = ["levelUp", "levelDown", "rewardIssued", "birthdayReward", "pointsExpiring"] as const;
export type TemplateKind = (typeof TEMPLATE_KINDS)[number];

/** The placeholders each kind of message may use (the event carries their values). */
export const KIND_PLACEHOLDERS: Record<TemplateKind, readonly Placeholder[]> = {
  levelUp: ["name", "level", "discount"],
  levelDown: ["name", "level", "discount"],
  rewardIssued: ["name", "level", "reward", "code", "date"],
  birthdayReward: ["name", "reward", "code", "date"],
  pointsExpiring: ["name", "points", "date"],
};

/** The settings page's title for each kind. */
export const TEMPLATE_TITLES: Record<TemplateKind, string> = {
  levelUp: "Level up",
  levelDown: "Level down",
  rewardIssued: "Reward issued",
  birthdayReward: "Birthday reward",
  pointsExpiring: "Points expiring soon",
};

export interface MessageTemplate {
  subject: string;
  body: string;
}
/** The points-expiring message also says when it is sent: this many days before the points expire. */
export interface PointsExpiringTemplate extends MessageTemplate {
  daysBefore: number;
}
export type NotificationTemplates = Record<Exclude<TemplateKind, "pointsExpiring">, MessageTemplate> & { pointsExpiring: PointsExpiringTemplate };

export const DEFAULT_POINTS_EXPIRY_NOTICE_DAYS = 14;
export const MAX_POINTS_EXPIRY_NOTICE_DAYS = 90;

export const DEFAULT_TEMPLATES: NotificationTemplates = {
  levelUp: { subject: "Welcome to {level}, {name}!", body: "Hi {name}, you have reached {level}. Enjoy {discount} on your next orders." },
  levelDown: { subject: "Your membership is now {level}", body: "Hi {name}, your level is now {level}. Your benefits: {discount}." },
  rewardIssued: { subject: "A reward for you, {name}", body: "Hi {name}, here is your {level} reward: {reward}. Use code {code} by {date}." },
  birthdayReward: { subject: "Happy birthday, {name}!", body: "Hi {name}, happy birthday! Your gift: {reward}. Use code {code} by {date}." },
  pointsExpiring: {
    subject: "Your points expire on {date}",
    body: "Hi {name}, {points} of your points expire on {date}. Spend them before then.",
    daysBefore: DEFAULT_POINTS_EXPIRY_NOTICE_DAYS,
  },
};

export const SAMPLE_VALUES: PlaceholderValues = {
  name: "Ada",
  level: "Gold",
  discount: "10% off",
  reward: "15% off",
  code: "TIER-7K2Q-9XWD",
  points: "250",
  date: "2026-12-31",
};

/** Stored templates with any kind saved before it existed filled from the defaults. */
export function withDefaultTemplates(stored: Partial<NotificationTemplates> | null | undefined): NotificationTemplates {
  const out = Object.fromEntries(TEMPLATE_KINDS.map((k) => [k, stored?.[k] ?? DEFAULT_TEMPLATES[k]])) as NotificationTemplates;
  return { ...out, pointsExpiring: { ...out.pointsExpiring, daysBefore: out.pointsExpiring.daysBefore ?? DEFAULT_POINTS_EXPIRY_NOTICE_DAYS } };
}

const TOKEN = /\{([^{}]*)\}/g;

/** The placeholders in `template` that `allowed` (a kind's, KIND_PLACEHOLDERS) does not offer. */
export function unknownPlaceholders(template: string, allowed: readonly string[] = PLACEHOLDERS): string[] {
  const out: string[] = [];
  for (const m of template.matchAll(TOKEN)) if (!allowed.includes(m[1])) out.push(`{${m[1]}}`);
  return [...new Set(out)];
}

/** Replaces known placeholders; unknown ones are left as written (the form rejects them before they are saved). */
export function renderTemplate(template: string, values: Partial<PlaceholderValues>): string {
  return template.replace(TOKEN, (whole, key: string) => values[key as Placeholder] ?? whole);
}

/** A template rendered with an event's values: the subject and body sent to Flow. */
export function renderMessage(t: MessageTemplate, values: Partial<PlaceholderValues>): MessageTemplate {
  return { subject: renderTemplate(t.subject, values), body: renderTemplate(t.body, values) };
}

const placeholderList = (allowed: readonly string[]) => {
  const names = allowed.map((p) => `{${p}}`);
  return names.length > 1 ? `${names.slice(0, -1).join(", ")} or ${names[names.length - 1]}` : names.join("");
};

const templateText = (label: string, max: number, allowed: readonly Placeholder[]) =>
  z
    .string({ error: `${label} is required` })
    .trim()
    .min(1, `${label} is required`)
    .max(max, `${label} must be at most ${max} characters`)
    .superRefine((s, ctx) => {
      const bad = unknownPlaceholders(s, allowed);
      if (bad.length) ctx.addIssue({ code: "custom", message: `Unknown placeholder ${bad.join(", ")}: use ${placeholderList(allowed)}` });
    });

const messageSchema = (label: string, kind: TemplateKind) =>
  z.object({
    subject: templateText(`${label} subject`, 150, KIND_PLACEHOLDERS[kind]),
    body: templateText(`${label} message`, 2000, KIND_PLACEHOLDERS[kind]),
  });

/** Kinds missing from a save (a form from before they existed) keep their defaults. */
export const templatesSchema = z.object({
  levelUp: messageSchema("Level-up", "levelUp"),
  levelDown: messageSchema("Level-down", "levelDown"),
  rewardIssued: messageSchema("Reward", "rewardIssued").default(DEFAULT_TEMPLATES.rewardIssued),
  birthdayReward: messageSchema("Birthday reward", "birthdayReward").default(DEFAULT_TEMPLATES.birthdayReward),
  pointsExpiring: messageSchema("Points expiring", "pointsExpiring")
    .extend({
      daysBefore: z.coerce
        .number({ error: "Days before expiry must be a whole number" })
        .int("Days before expiry must be a whole number")
        .min(1, `Days before expiry must be from 1 to ${MAX_POINTS_EXPIRY_NOTICE_DAYS}`)
        .max(MAX_POINTS_EXPIRY_NOTICE_DAYS, `Days before expiry must be from 1 to ${MAX_POINTS_EXPIRY_NOTICE_DAYS}`)
        .default(DEFAULT_POINTS_EXPIRY_NOTICE_DAYS),
    })
    .default(DEFAULT_TEMPLATES.pointsExpiring),
});

/** Each template given, rendered with `values` (the settings page's preview of what Flow receives). */
export function previewTemplates<T extends Partial<NotificationTemplates>>(t: T, values: PlaceholderValues = SAMPLE_VALUES): T {
  return Object.fromEntries(TEMPLATE_KINDS.filter((k) => t[k]).map((k) => [k, renderMessage(t[k]!, values)])) as T;
}
