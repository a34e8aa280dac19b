/**
 * The shopper-facing view-model of a member: every text, number and colour the checkout banner, the account member
 * card, the POS tile and the admin's card preview show. Pure: metafield documents (raw or parsed) and a locale in,
 * plain data out; the React layers only lay it out. Nothing here throws on bad data: a document that does not parse
 * hides its section.
 */

import { currencyDigits, decimalToMinor, formatDecimalAmount, formatMinor, formatNumber, formatPercent, safeLocale } from "./money-format";
import type { Translate } from "./member-messages";
import { isCurrencyCode } from "./json-checks";
import { meanFraction, progressLines, type ProgressLineView } from "./progress-lines";
import {
  parseTierBenefits,
  parseTierCard,
  parseTierLevel,
  parseTierPointsHistory,
  parseTierProgress,
  type TierBenefitItemV1,
  type TierBenefitsV1,
  type TierCardV1,
  type TierLevelV1,
  type TierPointsHistoryV1,
  type TierProgressV1,
  type TierStatusV1,
} from "./tier-metafield";

export interface ViewContext {
  locale: string;
  t: Translate;
  /** IANA zone for dates ("America/Toronto"); UTC when absent or unknown. */
  timeZone?: string;
}

// ---------------------------------------------------------------------------------------------
// Card style

export type CardStyleView = TierCardV1;

const BLACK = "#000000";
const WHITE = "#ffffff";
/** WCAG's large-text minimum: the level name on the card is large. */
const MIN_TEXT_CONTRAST = 3;

/**
 * The card's colours, each a valid hex colour, with text that stays readable: when the merchant's text colour is
 * too close to the background it becomes black or white, whichever reads better; the same for the level colour.
 */
export function cardStyle(card: unknown): CardStyleView {
  const c = parseTierCard(card);
  const text = contrastRatio(c.text, c.background) >= MIN_TEXT_CONTRAST ? c.text : bestOf(c.background);
  const levelColor = contrastRatio(c.levelColor, c.background) >= MIN_TEXT_CONTRAST ? c.levelColor : text;
  return { ...c, text, levelColor };
}

function bestOf(background: string): string {
  return contrastRatio(BLACK, background) >= contrastRatio(WHITE, background) ? BLACK : WHITE;
}

/** WCAG 2 contrast ratio of two valid hex colours (1..21). */
export function contrastRatio(a: string, b: string): number {
  const la = luminance(a);
  const lb = luminance(b);
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

function luminance(hex: string): number {
  const full = hex.length === 4 ? `#${hex[1]}${hex[1]}${hex[2]}${hex[2]}${hex[3]}${hex[3]}` : hex;
  const channel = (i: number) => {
    const v = parseInt(full.slice(i, i + 2), 16) / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

// ---------------------------------------------------------------------------------------------
// Dates and validity

export function formatDate(iso: string, ctx: Pick<ViewContext, "locale" | "timeZone">): string {
  const date = new Date(iso);
  const locale = safeLocale(ctx.locale);
  try {
    return new Intl.DateTimeFormat(locale, { dateStyle: "long", timeZone: ctx.timeZone ?? "UTC" }).format(date);
  } catch {
    return new Intl.DateTimeFormat(locale, { dateStyle: "long", timeZone: "UTC" }).format(date);
  }
}

/**
 * One line about how long the level holds. With `hideDates` the dates go, but a grace period or a freeze is still
 * said, because the member can act on it.
 */
export function validityText(level: TierLevelV1, ctx: ViewContext): string | null {
  const { t } = ctx;
  const hide = level.card.hideDates;
  switch (level.status) {
    case "active":
      if (hide) return null;
      return level.expiresAt
        ? t("validity.until", { date: formatDate(level.expiresAt, ctx) })
        : t("validity.since", { date: formatDate(level.since, ctx) });
    case "grace":
      return !hide && level.expiresAt ? t("validity.grace", { date: formatDate(level.expiresAt, ctx) }) : t("validity.graceNoDate");
    case "frozen":
      return !hide && level.expiresAt ? t("validity.frozen", { date: formatDate(level.expiresAt, ctx) }) : t("validity.frozenNoDate");
  }
}

export function statusText(status: TierStatusV1, ctx: ViewContext): string {
  return ctx.t(`level.status.${status}`);
}

// ---------------------------------------------------------------------------------------------
// Progress

export type { ProgressLineView } from "./progress-lines";

export type ProgressView =
  | {
      kind: "next";
      levelId: string;
      levelName: string;
      /**
       * 0..1 for a progress bar: spend toward the next level, or, when it is not reached by spend, the mean of the
       * lines' fractions; null when neither is known (no bar to draw).
       */
      fraction: number | null;
      text: string;
      /** Accessibility label of the bar. */
      label: string;
      /** One line per condition of the next level's closest group ("3 of 5 orders"); [] for older documents. */
      lines: ProgressLineView[];
    }
  | { kind: "top"; fraction: 1; text: string; lines: ProgressLineView[] };

/** Progress toward the next level. Null without a readable progress document. */
export function progressView(progress: TierProgressV1 | null, ctx: ViewContext): ProgressView | null {
  if (!progress) return null;
  const { t } = ctx;
  const next = progress.next;
  if (!next) return { kind: "top", fraction: 1, text: t("progress.top"), lines: [] };
  const label = t("progress.label", { level: next.name });
  const lines = progressLines(next.requirements ?? [], progress.currency, ctx);
  const base = { kind: "next" as const, levelId: next.id, levelName: next.name, label, lines };
  if (next.remainingSpend === null) return { ...base, fraction: meanFraction(lines), text: t("progress.next", { level: next.name }) };
  const remaining = decimalToMinor(next.remainingSpend, progress.currency);
  const spent = decimalToMinor(progress.spend, progress.currency);
  if (remaining === null || spent === null) return { ...base, fraction: null, text: t("progress.next", { level: next.name }) };
  if (remaining <= 0) return { ...base, fraction: 1, text: t("progress.reached", { level: next.name }) };
  return {
    ...base,
    fraction: progressFraction(spent, remaining),
    text: t("progress.spendMore", { amount: formatMinor(remaining, progress.currency, ctx.locale), level: next.name }),
  };
}

/**
 * How far along the way to the next threshold: spend / (spend + remaining), in 0..1. The threshold is inferred as
 * what is spent plus what is missing, which is exact for the unscoped spend condition the contract reports.
 */
export function progressFraction(spentMinor: number, remainingMinor: number): number {
  const spent = Math.max(0, spentMinor);
  const remaining = Math.max(0, remainingMinor);
  if (remaining === 0) return 1;
  const f = spent / (spent + remaining);
  return Math.min(1, Math.max(0, f));
}

// ---------------------------------------------------------------------------------------------
// Benefits

export interface BenefitLine {
  kind: TierBenefitItemV1["kind"];
  /** The custom privilege's icon name; a fixed name per kind otherwise. */
  icon: string;
  text: string;
}

const KIND_ICONS: Record<TierBenefitItemV1["kind"], string> = { discount: "discount", freeShipping: "delivery", points: "star", custom: "star" };

/**
 * "10% off every order over $50", "Free shipping to US, CA", "2× points". `currency` is the shop's (amounts in the
 * contract are in it); null when unknown, and then texts that need an amount are null rather than wrong.
 */
export function benefitText(item: TierBenefitItemV1, currency: string | null, ctx: ViewContext): string | null {
  const { t, locale } = ctx;
  const money = (decimal: string) => (currency ? formatDecimalAmount(decimal, currency, locale, { trimWhole: true }) : null);
  switch (item.kind) {
    case "discount": {
      const value = item.type === "percentage" ? formatPercent(item.value, locale) : money(item.value);
      if (value === null) return null;
      if (item.minimumOrder === null) return t("benefit.discount", { value });
      const minimum = money(item.minimumOrder);
      return minimum === null ? null : t("benefit.discountOver", { value, minimum });
    }
    case "freeShipping": {
      const countries = item.countries?.join(", ") ?? null;
      if (item.minimumOrder === null) return countries ? t("benefit.freeShippingTo", { countries }) : t("benefit.freeShipping");
      const minimum = money(item.minimumOrder);
      if (minimum === null) return null;
      return countries ? t("benefit.freeShippingToOver", { countries, minimum }) : t("benefit.freeShippingOver", { minimum });
    }
    case "points":
      return t("benefit.points", { multiplier: formatNumber(item.multiplier, locale) });
    case "custom":
      return item.title;
  }
}

export function benefitLines(benefits: TierBenefitsV1 | null, currency: string | null, ctx: ViewContext): BenefitLine[] {
  if (!benefits) return [];
  const lines: BenefitLine[] = [];
  for (const item of benefits.items) {
    const text = benefitText(item, currency, ctx);
    if (text !== null) lines.push({ kind: item.kind, icon: item.kind === "custom" ? item.icon : KIND_ICONS[item.kind], text });
  }
  return lines;
}

// ---------------------------------------------------------------------------------------------
// Points

export function pointsText(points: number, ctx: ViewContext): string {
  return ctx.t("points.balance", { count: points, formatted: formatNumber(points, ctx.locale) });
}

export interface PointsHistoryRow {
  key: string;
  date: string;
  label: string;
  /** Signed and formatted: "+120", "−30". */
  points: string;
  positive: boolean;
}

export function pointsHistoryRows(history: TierPointsHistoryV1 | null, ctx: ViewContext): PointsHistoryRow[] {
  if (!history) return [];
  return history.entries.map((e, i) => ({
    key: `${e.at}#${i}`,
    date: formatDate(e.at, ctx),
    label: ctx.t(`points.kind.${e.kind}`),
    // U+2212 MINUS SIGN: the typographic minus, which screen readers read as "minus".
    points: `${e.points >= 0 ? "+" : "\u2212"}${formatNumber(Math.abs(e.points), ctx.locale)}`,
    positive: e.points >= 0,
  }));
}

// ---------------------------------------------------------------------------------------------
// The member, all together

/** The metafield values as they arrive (JSON strings or parsed JSON); any may be missing or malformed. */
export interface MemberDocuments {
  level: unknown;
  progress: unknown;
  benefits: unknown;
  history?: unknown;
  /** The `rewards` metafield (./reward-view.ts reads it). */
  rewards?: unknown;
}

export type MemberView =
  | {
      kind: "none";
      /** Progress toward the first level, when the program reports one. */
      progress: ProgressView | null;
      text: string;
    }
  | {
      kind: "member";
      levelId: string;
      levelName: string;
      rank: number;
      status: TierStatusV1;
      /** "Gold member". */
      badgeText: string;
      /** Null while active: only a state the member should notice gets a label. */
      statusText: string | null;
      card: CardStyleView;
      validity: string | null;
      progress: ProgressView | null;
      benefits: BenefitLine[];
      /** Set while frozen: the benefits are listed but do not apply. */
      benefitsPaused: string | null;
      pointsBalance: number | null;
      points: string | null;
      history: PointsHistoryRow[];
    };

export function memberView(docs: MemberDocuments, ctx: ViewContext): MemberView {
  const level = parseTierLevel(docs.level);
  const progress = parseTierProgress(docs.progress);
  if (!level) {
    const p = progress?.next ? progressView(progress, ctx) : null;
    return { kind: "none", progress: p, text: ctx.t("noLevel.body") };
  }
  const benefits = parseTierBenefits(docs.benefits);
  const currency = progress && isCurrencyCode(progress.currency) ? progress.currency : null;
  return {
    kind: "member",
    levelId: level.id,
    levelName: level.name,
    rank: level.rank,
    status: level.status,
    badgeText: ctx.t("level.badge", { level: level.name }),
    statusText: level.status === "active" ? null : statusText(level.status, ctx),
    card: cardStyle(level.card),
    validity: validityText(level, ctx),
    progress: progressView(progress, ctx),
    benefits: benefitLines(benefits, currency, ctx),
    benefitsPaused: level.status === "frozen" ? ctx.t("benefit.paused") : null,
    pointsBalance: progress ? progress.points : null,
    points: progress ? pointsText(progress.points, ctx) : null,
    history: pointsHistoryRows(parseTierPointsHistory(docs.history), ctx),
  };
}

// ---------------------------------------------------------------------------------------------
// Checkout

/** A cart discount allocation as checkout reports it (`CartDiscountAllocation` fits). */
export interface DiscountAllocationInput {
  discountedAmount: { amount: number; currencyCode: string };
  type: string;
  title?: string;
  code?: string;
}

export interface Savings {
  minor: number;
  currency: string;
}

/**
 * What the level discount saved in this cart: the automatic allocations whose title is the Function's message for
 * this level ("Gold member: 10% off") or one of the discount titles the merchant configured. Amounts are summed in
 * integer minor units; allocations in another currency than the first match are left out rather than mixed.
 */
export function tierSavings(
  allocations: readonly DiscountAllocationInput[],
  levelName: string,
  discountTitles: readonly string[] = [],
): Savings | null {
  const prefix = `${levelName} member`.toLowerCase();
  const titles = new Set(discountTitles.map((s) => s.trim().toLowerCase()).filter((s) => s.length > 0));
  let currency: string | null = null;
  let minor = 0;
  for (const a of allocations) {
    if (a.type !== "automatic" || typeof a.title !== "string") continue;
    const title = a.title.trim().toLowerCase();
    if (!title.startsWith(prefix) && !titles.has(title)) continue;
    const amount = a.discountedAmount?.amount;
    const code = a.discountedAmount?.currencyCode;
    if (typeof amount !== "number" || !Number.isFinite(amount) || amount <= 0 || !isCurrencyCode(code)) continue;
    currency ??= code;
    if (code !== currency) continue;
    minor += Math.round(amount * 10 ** currencyDigits(code));
  }
  return currency && minor > 0 ? { minor, currency } : null;
}

export interface CheckoutInput {
  /** False for a guest (no customer on the checkout). */
  signedIn: boolean;
  level: unknown;
  progress: unknown;
  benefits?: unknown;
  allocations: readonly DiscountAllocationInput[];
  discountTitles?: readonly string[];
}

export type CheckoutView =
  | { kind: "guest"; title: string; body: string; action: string }
  | { kind: "hidden" }
  | { kind: "none"; progress: ProgressView }
  | {
      kind: "member";
      badgeText: string;
      statusText: string | null;
      savings: string | null;
      /** The level's discount, said when this cart got none from it (e.g. below the minimum order). */
      hint: string | null;
      progress: ProgressView | null;
      paused: string | null;
    };

export function checkoutView(input: CheckoutInput, ctx: ViewContext): CheckoutView {
  const { t } = ctx;
  if (!input.signedIn) return { kind: "guest", title: t("guest.title"), body: t("guest.body"), action: t("guest.action") };
  const level = parseTierLevel(input.level);
  const progressDoc = parseTierProgress(input.progress);
  const progress = progressView(progressDoc, ctx);
  if (!level) return progress && progress.kind === "next" ? { kind: "none", progress } : { kind: "hidden" };
  const frozen = level.status === "frozen";
  // A frozen member gets no discount, so nothing in the cart is theirs to claim as savings.
  const saved = frozen ? null : tierSavings(input.allocations, level.name, input.discountTitles);
  const discount = parseTierBenefits(input.benefits)?.items.find((i) => i.kind === "discount");
  const hint = !frozen && !saved && discount && progressDoc ? benefitText(discount, progressDoc.currency, ctx) : null;
  return {
    kind: "member",
    badgeText: t("level.badge", { level: level.name }),
    statusText: level.status === "active" ? null : statusText(level.status, ctx),
    savings: saved ? t("savings.applied", { amount: formatMinor(saved.minor, saved.currency, ctx.locale), level: level.name }) : null,
    hint,
    progress,
    paused: frozen ? t("benefit.paused") : null,
  };
}
