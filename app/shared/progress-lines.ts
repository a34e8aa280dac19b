/**
 * The lines of ProgressView (./member-view.ts): one per condition of the next level's closest group, from the
 * progress metafield's `next.requirements` ("3 of 5 orders", "$250.00 of $1,000.00 spent in the last 365 days").
 */

import type { ViewContext } from "./member-view";
import { decimalToMinor, formatMinor, formatNumber } from "./money-format";
import type { TierRequirementProgressV1 } from "./tier-metafield";

export interface ProgressLineView {
  /** Stable within one view ("orderCount-1"), for list keys. */
  key: string;
  /** "3 of 5 orders", "$250.00 of $1,000.00 spent in the last 365 days". */
  text: string;
  /** current / threshold in 0..1; null when an amount cannot be read. */
  fraction: number | null;
}

/** The lines of the next level's closest group, in the document's order. */
export function progressLines(requirements: readonly TierRequirementProgressV1[], currency: string, ctx: ViewContext): ProgressLineView[] {
  return requirements.map((r, i) => {
    const key = `${r.kind}-${i}`;
    const spendKind = r.kind === "accumulatedSpend" || r.kind === "singleOrder";
    const window =
      r.windowDays === null
        ? ""
        : ` ${ctx.t("requirement.window.rolling", { count: r.windowDays, formatted: formatNumber(r.windowDays, ctx.locale) })}`;
    const messageKey = `progress.line.${r.kind}${r.scoped ? "Scoped" : ""}`;
    if (spendKind) {
      const current = decimalToMinor(r.current, currency);
      const threshold = decimalToMinor(r.threshold, currency);
      if (current === null || threshold === null)
        return { key, text: ctx.t(messageKey, { current: r.current, threshold: r.threshold, window }), fraction: null };
      return {
        key,
        text: ctx.t(messageKey, {
          current: formatMinor(current, currency, ctx.locale),
          threshold: formatMinor(threshold, currency, ctx.locale),
          window,
        }),
        fraction: ratio(current, threshold),
      };
    }
    const current = Number(r.current);
    const threshold = Number(r.threshold);
    return {
      key,
      text: ctx.t(messageKey, {
        current: formatNumber(current, ctx.locale),
        threshold: formatNumber(threshold, ctx.locale),
        count: threshold,
        window,
      }),
      fraction: ratio(current, threshold),
    };
  });
}

function ratio(current: number, threshold: number): number {
  if (!(threshold > 0)) return 1;
  return Math.min(1, Math.max(0, current / threshold));
}

export function meanFraction(lines: readonly ProgressLineView[]): number | null {
  let sum = 0;
  for (const l of lines) {
    if (l.fraction === null) return null;
    sum += l.fraction;
  }
  return lines.length === 0 ? null : sum / lines.length;
}
