// Builders for the member metafield documents (docs/contracts.md), with overridable defaults.
import { createTranslator, MEMBER_MESSAGES_EN } from "~/shared/member-messages";
import type { ViewContext } from "~/shared/member-view";
import type { TierBenefitsV1, TierLevelV1, TierPointsHistoryV1, TierProgramV1, TierProgressV1 } from "~/shared/tier-metafield";

export function buildTierLevel(over: Partial<Omit<TierLevelV1, "card">> & { card?: Partial<TierLevelV1["card"]> } = {}): TierLevelV1 {
  const { card, ...rest } = over;
  return {
    v: 1,
    id: "gold",
    name: "Gold",
    rank: 2,
    status: "active",
    since: "2026-03-02T10:00:00Z",
    expiresAt: "2027-03-02T10:00:00Z",
    ...rest,
    card: { badge: "star", background: "#1f2937", text: "#ffffff", levelColor: "#d4af37", hideDates: false, ...card },
  };
}

export function buildTierProgress(over: Partial<TierProgressV1> = {}): TierProgressV1 {
  return { v: 1, currency: "USD", spend: "1200.00", points: 120, next: { id: "platinum", name: "Platinum", remainingSpend: "300.00" }, ...over };
}

export function buildTierBenefits(items: TierBenefitsV1["items"] = defaultBenefitItems()): TierBenefitsV1 {
  return { v: 1, items };
}

export function defaultBenefitItems(): TierBenefitsV1["items"] {
  return [
    { kind: "discount", type: "percentage", value: "10", minimumOrder: "50.00" },
    { kind: "freeShipping", countries: ["US", "CA"], minimumOrder: null },
    { kind: "points", multiplier: 2 },
    { kind: "custom", title: "Early access", icon: "star" },
  ];
}

export function buildPointsHistory(entries: TierPointsHistoryV1["entries"] = [
  { at: "2026-04-01T12:00:00Z", kind: "earn", points: 120 },
  { at: "2026-03-15T12:00:00Z", kind: "refund", points: -30 },
]): TierPointsHistoryV1 {
  return { v: 1, entries };
}

/** English texts in `locale`, the way POS and tests translate. */
export function viewContext(locale = "en-US", timeZone?: string): ViewContext {
  return { locale, t: createTranslator(MEMBER_MESSAGES_EN, locale), timeZone };
}

/** A programme document (the shop's `program` metafield) of three levels: every condition kind appears once. */
export function buildTierProgram(over: Partial<TierProgramV1> = {}): TierProgramV1 {
  const card = (levelColor: string) => ({ badge: "star", background: "#1f2937", text: "#ffffff", levelColor, hideDates: false });
  return {
    v: 1,
    currency: "USD",
    window: { kind: "rolling", days: 365 },
    levels: [
      {
        id: "silver",
        name: "Silver",
        rank: 1,
        card: card("#c0c0c0"),
        requirements: [[{ kind: "accumulatedSpend", threshold: "500.00", windowDays: null, scoped: false }]],
        benefits: [{ kind: "discount", type: "percentage", value: "5", minimumOrder: null }],
        validityDays: 365,
      },
      {
        id: "gold",
        name: "Gold",
        rank: 2,
        card: card("#d4af37"),
        requirements: [
          [
            { kind: "accumulatedSpend", threshold: "1000.00", windowDays: null, scoped: false },
            { kind: "orderCount", threshold: "5", windowDays: null, scoped: false },
          ],
          [{ kind: "singleOrder", threshold: "400.00", windowDays: 30, scoped: false }],
        ],
        benefits: defaultBenefitItems(),
        validityDays: 365,
      },
      {
        id: "vip",
        name: "VIP",
        rank: 3,
        card: card("#ffffff"),
        requirements: [],
        benefits: [{ kind: "custom", title: "Personal shopper", icon: "star" }],
        validityDays: null,
      },
    ],
    ...over,
  };
}
