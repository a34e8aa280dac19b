import { describe, expect, it } from "vitest";
import { isInstant, safeHexColour } from "~/shared/json-checks";
import {
  DEFAULT_TIER_CARD,
  parseTierBenefits,
  parseTierCard,
  parseTierLevel,
  parseTierPointsHistory,
  parseTierProgress,
} from "~/shared/tier-metafield";
import { buildPointsHistory, buildTierBenefits, buildTierLevel, buildTierProgress } from "../../tools/sample-data/tier-builders";

type Json = Record<string, unknown>;
const without = (o: Json, key: string): Json => Object.fromEntries(Object.entries(o).filter(([k]) => k !== key));
const level = buildTierLevel() as unknown as Json;
const progress = buildTierProgress() as unknown as Json;

describe("parseTierLevel", () => {
  it("reads a valid document, raw or as the metafield's JSON string", () => {
    expect(parseTierLevel(level)).toEqual(level);
    expect(parseTierLevel(JSON.stringify(level))).toEqual(level);
  });

  it.each([
    ["grace, no expiry", { status: "grace", expiresAt: null }],
    ["frozen", { status: "frozen" }],
    ["offset instant with fraction", { since: "2026-03-02T10:00:00.123+01:00" }],
    ["a fractional rank", { rank: 1.5 }],
    ["an unknown extra field (additive change inside v1)", { tagline: "hello" }],
  ])("accepts %s", (_name, patch) => {
    const doc = { ...level, ...patch };
    expect(parseTierLevel(doc)).toMatchObject(without(doc, "tagline"));
  });

  it.each<[string, unknown]>([
    ["no level: {v:1,id:null}", { v: 1, id: null }],
    ["a future version", { ...level, v: 2 }],
    ["a version as a string", { ...level, v: "1" }],
    ["no version", without(level, "v")],
    ["an empty id", { ...level, id: "" }],
    ["a numeric id", { ...level, id: 7 }],
    ["a 65-character id", { ...level, id: "x".repeat(65) }],
    ["no name", without(level, "name")],
    ["an empty name", { ...level, name: "" }],
    ["a rank as a string", { ...level, rank: "2" }],
    ["a NaN rank", { ...level, rank: Number.NaN }],
    ["an unknown status", { ...level, status: "paused" }],
    ["no status", without(level, "status")],
    ["a date-only since", { ...level, since: "2026-03-02" }],
    ["a zone-less since", { ...level, since: "2026-03-02T10:00:00" }],
    ["an impossible date", { ...level, since: "2026-02-30T10:00:00Z" }],
    ["since as epoch ms", { ...level, since: 1_772_445_600_000 }],
    ["expiresAt missing (must be null, not absent)", without(level, "expiresAt")],
    ["expiresAt garbage", { ...level, expiresAt: "soon" }],
    ["an array", [level]],
    ["null", null],
    ["a number", 42],
    ["broken JSON text", '{"v":1,"id":"gold"'],
    ["JSON text of a string", JSON.stringify(JSON.stringify(level))],
  ])("reads %s as no level", (_name, doc) => {
    expect(parseTierLevel(doc)).toBeNull();
  });

  it("repairs a malformed card field by field instead of dropping the level", () => {
    const parsed = parseTierLevel({ ...level, card: { badge: "", background: "red", text: "#abc", levelColor: "#12345g", hideDates: "yes" } });
    expect(parsed?.card).toEqual({
      badge: DEFAULT_TIER_CARD.badge,
      background: DEFAULT_TIER_CARD.background,
      text: "#abc",
      levelColor: DEFAULT_TIER_CARD.levelColor,
      hideDates: false,
    });
    expect(parseTierLevel(without(level, "card"))?.card).toEqual(DEFAULT_TIER_CARD);
    expect(parseTierLevel({ ...level, card: "gold" })?.card).toEqual(DEFAULT_TIER_CARD);
  });
});

describe("parseTierProgress", () => {
  it.each([
    ["the contract example", progress],
    ["the top level (next null)", { ...progress, next: null }],
    ["a next level not reached by spend", { ...progress, next: { id: "vip", name: "VIP", remainingSpend: null } }],
    ["negative spend after refunds", { ...progress, spend: "-5.00" }],
    ["whole-number decimals", { ...progress, spend: "1200", next: { id: "p", name: "P", remainingSpend: "3" } }],
  ])("accepts %s", (_name, doc) => {
    expect(parseTierProgress(doc)).toEqual(doc);
  });

  it.each<[string, unknown]>([
    ["a future version", { ...progress, v: 2 }],
    ["a lower-case currency", { ...progress, currency: "usd" }],
    ["a 4-letter currency", { ...progress, currency: "USDT" }],
    ["spend as a number", { ...progress, spend: 1200 }],
    ["spend with grouping", { ...progress, spend: "1,200.00" }],
    ["spend with an exponent", { ...progress, spend: "1e3" }],
    ["spend with a trailing dot", { ...progress, spend: "12." }],
    ["points as a string", { ...progress, points: "120" }],
    ["infinite points", { ...progress, points: Number.POSITIVE_INFINITY }],
    ["next missing (must be null, not absent)", without(progress, "next")],
    ["next without a name", { ...progress, next: { id: "p", remainingSpend: "1.00" } }],
    ["a negative remaining spend", { ...progress, next: { id: "p", name: "P", remainingSpend: "-1.00" } }],
    ["next as a string", { ...progress, next: "platinum" }],
  ])("rejects %s", (_name, doc) => {
    expect(parseTierProgress(doc)).toBeNull();
  });
});

describe("parseTierBenefits", () => {
  it("reads every kind of the contract", () => {
    const doc = buildTierBenefits();
    expect(parseTierBenefits(doc)).toEqual(doc);
    expect(parseTierBenefits(JSON.stringify(doc))).toEqual(doc);
  });

  it.each<[string, unknown]>([
    ["an unknown kind", { kind: "cashback", percent: 5 }],
    ["a discount with an unknown type", { kind: "discount", type: "bogo", value: "10", minimumOrder: null }],
    ["a discount with a numeric value", { kind: "discount", type: "percentage", value: 10, minimumOrder: null }],
    ["a discount with a bad minimum", { kind: "discount", type: "fixed", value: "5.00", minimumOrder: "fifty" }],
    ["free shipping to a 3-letter country", { kind: "freeShipping", countries: ["USA"], minimumOrder: null }],
    ["free shipping to no country at all", { kind: "freeShipping", countries: [], minimumOrder: null }],
    ["a zero multiplier", { kind: "points", multiplier: 0 }],
    ["a multiplier as a string", { kind: "points", multiplier: "2" }],
    ["a custom privilege without a title", { kind: "custom", title: "", icon: "star" }],
    ["a string", "free coffee"],
    ["null", null],
  ])("leaves out %s and keeps the rest", (_name, bad) => {
    const good = { kind: "points", multiplier: 2 };
    expect(parseTierBenefits({ v: 1, items: [bad, good] })).toEqual({ v: 1, items: [good] });
  });

  it("defaults a missing minimum to null and a missing custom icon to the star", () => {
    expect(
      parseTierBenefits({
        v: 1,
        items: [
          { kind: "discount", type: "percentage", value: "5" },
          { kind: "custom", title: "Gift" },
        ],
      })?.items,
    ).toEqual([
      { kind: "discount", type: "percentage", value: "5", minimumOrder: null },
      { kind: "custom", title: "Gift", icon: "star" },
    ]);
  });

  it.each<[string, unknown]>([
    ["a future version", { v: 2, items: [] }],
    ["items missing", { v: 1 }],
    ["items as an object", { v: 1, items: { 0: { kind: "points", multiplier: 2 } } }],
    ["not JSON", "{{"],
  ])("rejects %s", (_name, doc) => {
    expect(parseTierBenefits(doc)).toBeNull();
  });
});

describe("parseTierPointsHistory", () => {
  it("reads entries and leaves out malformed ones", () => {
    const good = buildPointsHistory();
    expect(parseTierPointsHistory(good)).toEqual(good);
    const mixed = {
      v: 1,
      entries: [
        ...good.entries,
        { at: "yesterday", kind: "earn", points: 1 },
        { at: "2026-01-01T00:00:00Z", kind: "gift", points: 1 },
        { at: "2026-01-01T00:00:00Z", kind: "earn", points: "1" },
      ],
    };
    expect(parseTierPointsHistory(mixed)).toEqual(good);
    expect(parseTierPointsHistory({ v: 2, entries: [] })).toBeNull();
  });
});

describe("small checks", () => {
  it.each([
    ["#fff", "#fff"],
    ["#A1B2C3", "#a1b2c3"],
    ["#a1b2c", "fallback"],
    ["a1b2c3", "fallback"],
    ["#ggg", "fallback"],
    ["red", "fallback"],
    ["url(javascript:alert(1))", "fallback"],
    [null, "fallback"],
  ])("safeHexColour(%j) = %s", (input, expected) => {
    expect(safeHexColour(input, "fallback")).toBe(expected);
  });

  it.each([
    ["2024-02-29T00:00:00Z", true],
    ["2025-02-29T00:00:00Z", false],
    ["2026-13-01T00:00:00Z", false],
    ["2026-03-02T10:00:00-05:30", true],
    ["2026-03-02T10:00:00+0530", false],
    ["2026-03-02T10:00:00.Z", false],
  ])("isInstant(%s) = %s", (input, expected) => {
    expect(isInstant(input)).toBe(expected);
  });

  it("parseTierCard keeps a valid card as it is", () => {
    const card = { badge: "crown", background: "#000", text: "#fff", levelColor: "#c0c0c0", hideDates: true };
    expect(parseTierCard(card)).toEqual(card);
  });
});
