// Fixtures of the `$app:tierline` documents (docs/contracts.md), made by the app's own builder
// (app/shared/tier-metafield-builder.ts) from a stored gold member and a published programme, with overridable fields.
// Surfaces' tests (test/shared, test/extensions, test/theme), the Shopify-side tests and the benches use what the sync really writes.
import { parseProgram } from "~/domain";
import { createTranslator, MEMBER_MESSAGES_EN } from "~/shared/member-messages";
import type { ViewContext } from "~/shared/member-view";
import type { TierBenefitsV1, TierLevelV1, TierPointsHistoryV1, TierProgramV1, TierProgressV1 } from "~/shared/tier-metafield";
import {
  buildMemberMetafields,
  buildTierProgram as buildProgramDocument,
  type MemberStateInput,
  type PointsEntryInput,
  type ShopDisplayInput,
} from "~/shared/tier-metafield-builder";

const at = (iso: string) => Date.parse(iso);

/** The fixture shop: silver, gold (the member's level) and platinum, in USD. */
export const FIXTURE_SHOP: ShopDisplayInput = {
  currency: "USD",
  levels: new Map([
    ["silver", { name: "Silver", rank: 1, card: { levelColor: "#c0c0c0" } }],
    ["gold", { name: "Gold", rank: 2, card: null }],
    ["platinum", { name: "Platinum", rank: 3, card: { badge: "crown", background: "#111111", levelColor: "#e5e4e2" } }],
  ]),
  benefits: new Map([
    ["silver", [{ kind: "discount", type: "percentage", value: "5", minimumOrder: null }]],
    [
      "gold",
      [
        { kind: "custom", title: "Early access", icon: "star" },
        { kind: "points", multiplier: 2 },
        { kind: "freeShipping", countries: ["US", "CA"], minimumOrder: null },
        { kind: "discount", type: "percentage", value: "10", minimumOrder: "50.00" },
      ],
    ],
    ["platinum", [{ kind: "custom", title: "Personal shopper", icon: "star" }]],
  ]),
};

/** A gold member as stored: $1,200 spent, 120 points, $300 short of platinum. */
export const FIXTURE_MEMBER: MemberStateInput = {
  levelId: "gold",
  status: "active",
  levelSince: at("2026-03-02T10:00:00Z"),
  levelExpiresAt: at("2027-03-02T10:00:00Z"),
  points: 120,
  spend: 120_000,
  nextLevelId: "platinum",
  remainingSpend: 30_000,
  nextRequirements: null,
};

export const FIXTURE_LEDGER: PointsEntryInput[] = [
  { key: "earn:o1", kind: "earn", points: 150, at: at("2026-03-02T10:00:00Z") },
  { key: "reverse:r1", kind: "refund", points: -30, at: at("2026-03-15T12:00:00Z") },
  { key: "earn:o2", kind: "earn", points: 120, at: at("2026-04-01T12:00:00Z") },
];

/** The four member documents the sync writes for `member` (the gold fixture by default). */
export function buildMemberDocuments(member: Partial<MemberStateInput> = {}, ledger: PointsEntryInput[] = FIXTURE_LEDGER) {
  return buildMemberMetafields({ ...FIXTURE_MEMBER, ...member }, FIXTURE_SHOP, ledger);
}

export function buildTierLevel(over: Partial<Omit<TierLevelV1, "card">> & { card?: Partial<TierLevelV1["card"]> } = {}): TierLevelV1 {
  const { card, ...rest } = over;
  const base = buildMemberDocuments().level!;
  return { ...base, ...rest, card: { ...base.card, ...card } };
}

export function buildTierProgress(over: Partial<TierProgressV1> = {}): TierProgressV1 {
  return { ...buildMemberDocuments().progress, ...over };
}

export function buildTierBenefits(items: TierBenefitsV1["items"] = defaultBenefitItems()): TierBenefitsV1 {
  return { v: 1, items };
}

export function defaultBenefitItems(): TierBenefitsV1["items"] {
  return buildMemberDocuments().benefits.items;
}

export function buildPointsHistory(
  entries: TierPointsHistoryV1["entries"] = buildMemberDocuments({}, FIXTURE_LEDGER.slice(1)).history.entries,
): TierPointsHistoryV1 {
  return { v: 1, entries };
}

/** English texts in `locale`, the way POS and tests translate. */
export function viewContext(locale = "en-US", timeZone?: string): ViewContext {
  return { locale, t: createTranslator(MEMBER_MESSAGES_EN, locale), timeZone };
}

/**
 * The fixture programme as published (a 365-day rolling window, levels held a year): silver by spend; gold by spend
 * and orders, or one large order in 30 days; an invitation-only VIP level; a disabled and an internal level that
 * shoppers never see. Every condition kind appears in FIXTURE_PROGRAM_JSON's shapes below.
 */
export const FIXTURE_PROGRAM_JSON = {
  currency: "USD",
  window: { kind: "rolling", days: 365 },
  validity: { kind: "oneYear" },
  levels: [
    { id: "silver", name: "Silver", rank: 1, upgrade: [[{ kind: "accumulatedSpend", amount: "500.00" }]] },
    {
      id: "gold",
      name: "Gold",
      rank: 2,
      upgrade: [
        [
          { kind: "accumulatedSpend", amount: "1000.00" },
          { kind: "orderCount", count: 5 },
        ],
        [{ kind: "singleOrder", amount: "400.00", windowDays: 30 }],
      ],
    },
    { id: "retired", name: "Retired", rank: 3, enabled: false, upgrade: [[{ kind: "orderCount", count: 10 }]] },
    { id: "staff", name: "Staff", rank: 4, internalOnly: true },
    { id: "vip", name: "VIP", rank: 5, upgrade: [] },
  ],
};

/** The shop's `program` document the app writes for FIXTURE_PROGRAM_JSON, with overridable fields. */
export function buildTierProgram(over: Partial<TierProgramV1> = {}): TierProgramV1 {
  const shop: ShopDisplayInput = {
    currency: "USD",
    levels: new Map([
      ["silver", { name: "Silver", rank: 1, card: { levelColor: "#c0c0c0" } }],
      ["gold", { name: "Gold", rank: 2, card: { levelColor: "#d4af37" } }],
      ["vip", { name: "VIP", rank: 5, card: { levelColor: "#ffffff" } }],
    ]),
    benefits: new Map([
      ["silver", [{ kind: "discount", type: "percentage", value: "5", minimumOrder: null }]],
      ["gold", FIXTURE_SHOP.benefits.get("gold")!],
      ["vip", [{ kind: "custom", title: "Personal shopper", icon: "star" }]],
    ]),
  };
  return { ...buildProgramDocument(parseProgram(FIXTURE_PROGRAM_JSON), shop), ...over };
}
