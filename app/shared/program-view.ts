/**
 * The shopper-facing view-model of the programme: every level a shopper can reach, what each takes and what each
 * gives, from the shop's `$app:tierline.program` metafield (TierProgramV1). The account page and the storefront
 * show it to members and logged-out visitors alike. Pure; nothing here throws on bad data.
 */

import { formatDecimalAmount, formatNumber } from "./money-format";
import { benefitLines, cardStyle, type BenefitLine, type CardStyleView, type ViewContext } from "./member-view";
import { parseTierProgram, type TierProgramV1, type TierRequirementV1 } from "./tier-metafield";

export interface ProgramView {
  levels: ProgramLevelView[];
}

export interface ProgramLevelView {
  id: string;
  name: string;
  /** The shopper's own level. */
  current: boolean;
  /** One readable line per condition group; any one group reaches the level ("$1,000 spent and 5 orders"). */
  requirements: string[];
  benefits: BenefitLine[];
  /** "Lasts 365 days once reached", "Yours for good once reached". */
  validity: string | null;
  card: CardStyleView;
}

/** The programme for shoppers; null when the metafield is missing or unreadable (the surface hides the section). */
export function programView(raw: unknown, ctx: ViewContext, currentLevelId: string | null): ProgramView | null {
  const program = parseTierProgram(raw);
  if (!program) return null;
  return {
    levels: program.levels.map((level) => ({
      id: level.id,
      name: level.name,
      current: level.id === currentLevelId,
      requirements: level.requirements.length === 0 ? [ctx.t("requirement.none")] : level.requirements.map((g) => groupText(g, program, ctx)),
      benefits: benefitLines({ v: 1, items: level.benefits }, program.currency, ctx),
      validity: validityDaysText(level.validityDays, ctx),
      card: cardStyle(level.card),
    })),
  };
}

/**
 * "$1,000 spent and 5 orders in the last 365 days". When every condition counts in the same window, the window is
 * said once at the end; otherwise each condition says its own.
 */
export function groupText(group: readonly TierRequirementV1[], program: Pick<TierProgramV1, "currency" | "window">, ctx: ViewContext): string {
  const windows = group.map((c) => windowText(c.windowDays, program.window, ctx));
  const shared = windows.every((w) => w === windows[0]);
  const phrases = group.map((c, i) =>
    shared ? requirementText(c, program.currency, ctx) : withWindow(requirementText(c, program.currency, ctx), windows[i], ctx),
  );
  let text = phrases[0] ?? "";
  for (let i = 1; i < phrases.length; i++) text = ctx.t("requirement.and", { first: text, next: phrases[i] });
  return shared ? withWindow(text, windows[0] ?? null, ctx) : text;
}

/** One condition without its window: "$1,000 spent", "5 orders with selected products", "500 points earned". */
export function requirementText(c: TierRequirementV1, currency: string, ctx: ViewContext): string {
  const key = `requirement.${c.kind}${c.scoped && c.kind !== "points" ? "Scoped" : ""}`;
  if (c.kind === "accumulatedSpend" || c.kind === "singleOrder") {
    return ctx.t(key, { amount: formatDecimalAmount(c.threshold, currency, ctx.locale, { trimWhole: true }) ?? c.threshold });
  }
  const count = Number(c.threshold);
  return ctx.t(key, counted(count, ctx));
}

/** The window a condition counts in, as a phrase; null for lifetime (nothing to say). */
export function windowText(windowDays: number | null, program: TierProgramV1["window"], ctx: ViewContext): string | null {
  if (windowDays !== null) return ctx.t("requirement.window.rolling", counted(windowDays, ctx));
  switch (program.kind) {
    case "lifetime":
      return null;
    case "rolling":
      return ctx.t("requirement.window.rolling", counted(program.days ?? 0, ctx));
    default:
      return ctx.t(`requirement.window.${program.kind}`);
  }
}

function withWindow(requirement: string, window: string | null, ctx: ViewContext): string {
  return window === null ? requirement : ctx.t("requirement.withWindow", { requirement, window });
}

/** How long a level lasts once reached: whole years when the days are whole years. */
export function validityDaysText(days: number | null, ctx: ViewContext): string {
  if (days === null) return ctx.t("program.validity.permanent");
  if (days % 365 === 0) return ctx.t("program.validity.years", counted(days / 365, ctx));
  return ctx.t("program.validity.days", counted(days, ctx));
}

/** Plural `count` plus its locale text `formatted` ("1,000"), the parameters of every counted message. */
export function counted(count: number, ctx: Pick<ViewContext, "locale">): { count: number; formatted: string } {
  return { count, formatted: formatNumber(count, ctx.locale) };
}
