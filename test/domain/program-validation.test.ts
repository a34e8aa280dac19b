import { describe, expect, it } from "vitest";
import { parseProgram, ProgramError } from "~/domain/index";
import { buildLevel, buildProgramJson, spend } from "../../tools/sample-data/program-builders";

type Json = Record<string, unknown>;

function errorOf(json: unknown): ProgramError {
  try {
    parseProgram(json);
  } catch (e) {
    if (e instanceof ProgramError) return e;
    throw e;
  }
  throw new Error("expected a ProgramError");
}

const levels = (...ls: Json[]) => ({ levels: ls });

describe("parseProgram: defaults", () => {
  it("fills every default of docs/scenario-format.md", () => {
    const p = parseProgram({ levels: [] });
    expect(p).toMatchObject({
      enabled: true,
      activeFrom: null,
      basis: "spend",
      spend: { base: "total", excludeShipping: true, excludeTaxes: true },
      window: { kind: "lifetime" },
      validity: { kind: "permanent" },
      graceDays: 0,
      onExpiry: "reevaluate",
      retention: null,
      downgradeOnRefund: true,
      points: { earn: [], rounding: "down", expiryDays: null },
    });
  });

  it("sorts levels by rank and parses amounts to minor units", () => {
    const p = parseProgram(
      buildProgramJson({
        levels: [
          buildLevel({ id: "gold", rank: 2, upgrade: [[spend("500.00")]] }),
          buildLevel({ id: "silver", rank: 1, upgrade: [[spend("120.50")]] }),
        ],
      }),
    );
    expect(p.levels.map((l) => l.id)).toEqual(["silver", "gold"]);
    expect(p.levels[0].upgrade[0][0].threshold).toBe(12050);
  });

  it.each([
    ["lifetime", { kind: "lifetime" }],
    [{ kind: "calendarYear" }, { kind: "calendarYear" }],
    [
      { kind: "rolling", days: 30 },
      { kind: "rolling", days: 30 },
    ],
    [
      { kind: "fixed", from: "2026-01-01T00:00:00Z", to: "2026-07-01T00:00:00Z" },
      { kind: "fixed", from: Date.UTC(2026, 0, 1), to: Date.UTC(2026, 6, 1) },
    ],
  ])("accepts window %j", (window, parsed) => {
    expect(parseProgram({ window, levels: [] }).window).toEqual(parsed);
  });
});

describe("parseProgram: errors name the field and carry a stable code", () => {
  const rising = (a: string, b: string) =>
    levels(buildLevel({ id: "silver", rank: 1, upgrade: [[spend(a)]] }), buildLevel({ id: "gold", rank: 2, upgrade: [[spend(b)]] }));
  it.each<[string, unknown, string, string]>([
    ["thresholds falling", rising("500.00", "499.99"), "PROGRAM.THRESHOLDS_NOT_RISING", "program.levels[1].upgrade[0][0].amount"],
    [
      "equal thresholds and nothing more (threshold-rule.test.ts has the rest)",
      rising("500.00", "500.00"),
      "PROGRAM.LEVEL_NOT_HARDER",
      "program.levels[1].upgrade[0][0].amount",
    ],
    [
      "thresholds falling (levels listed out of rank order)",
      levels(buildLevel({ id: "gold", rank: 2, upgrade: [[spend("50.00")]] }), buildLevel({ id: "silver", rank: 1, upgrade: [[spend("100.00")]] })),
      "PROGRAM.THRESHOLDS_NOT_RISING",
      "program.levels[0].upgrade[0][0].amount",
    ],
    [
      "order counts not rising",
      levels(
        buildLevel({ id: "a", rank: 1, upgrade: [[{ kind: "orderCount", count: 5 }]] }),
        buildLevel({ id: "b", rank: 2, upgrade: [[{ kind: "orderCount", count: 3 }]] }),
      ),
      "PROGRAM.THRESHOLDS_NOT_RISING",
      "program.levels[1].upgrade[0][0].count",
    ],
    ["amount as a number", rising("100.00", 500 as unknown as string), "PROGRAM.INVALID_AMOUNT", "program.levels[1].upgrade[0][0].amount"],
    ["amount with 3 decimals", rising("100.00", "500.001"), "PROGRAM.INVALID_AMOUNT", "program.levels[1].upgrade[0][0].amount"],
    ["negative amount", rising("-1.00", "500.00"), "PROGRAM.INVALID_AMOUNT", "program.levels[0].upgrade[0][0].amount"],
    [
      "duplicate ids",
      levels(buildLevel({ id: "a", rank: 1 }), buildLevel({ id: "a", rank: 2 })),
      "PROGRAM.DUPLICATE_LEVEL_ID",
      "program.levels[1].id",
    ],
    [
      "duplicate ranks",
      levels(buildLevel({ id: "a", rank: 1 }), buildLevel({ id: "b", rank: 1 })),
      "PROGRAM.DUPLICATE_RANK",
      "program.levels[1].rank",
    ],
    [
      "unknown condition kind",
      levels(buildLevel({ id: "a", rank: 1, upgrade: [[{ kind: "vibes", amount: "1.00" }]] })),
      "PROGRAM.UNKNOWN_CONDITION",
      "program.levels[0].upgrade[0][0].kind",
    ],
    [
      "negative count",
      levels(buildLevel({ id: "a", rank: 1, upgrade: [[{ kind: "orderCount", count: -1 }]] })),
      "PROGRAM.INVALID_NUMBER",
      "program.levels[0].upgrade[0][0].count",
    ],
    [
      "fractional count",
      levels(buildLevel({ id: "a", rank: 1, upgrade: [[{ kind: "itemCount", count: 1.5 }]] })),
      "PROGRAM.INVALID_NUMBER",
      "program.levels[0].upgrade[0][0].count",
    ],
    ["empty group", levels(buildLevel({ id: "a", rank: 1, upgrade: [[]] })), "PROGRAM.EMPTY_GROUP", "program.levels[0].upgrade[0]"],
    [
      "productPurchase without scope",
      levels(buildLevel({ id: "a", rank: 1, upgrade: [[{ kind: "productPurchase", quantity: 1 }]] })),
      "PROGRAM.MISSING_SCOPE",
      "program.levels[0].upgrade[0][0].scope",
    ],
    [
      "unknown scope field",
      levels(buildLevel({ id: "a", rank: 1, upgrade: [[spend("1.00", { scope: { products: ["p1"] } })]] })),
      "PROGRAM.UNKNOWN_FIELD",
      "program.levels[0].upgrade[0][0].scope.products",
    ],
    [
      "windowDays 0",
      levels(buildLevel({ id: "a", rank: 1, upgrade: [[spend("1.00", { windowDays: 0 })]] })),
      "PROGRAM.INVALID_NUMBER",
      "program.levels[0].upgrade[0][0].windowDays",
    ],
    ["unknown window kind", { window: { kind: "weekly" }, levels: [] }, "PROGRAM.INVALID_WINDOW", "program.window.kind"],
    ["rolling without days", { window: { kind: "rolling" }, levels: [] }, "PROGRAM.INVALID_WINDOW", "program.window.days"],
    ["rolling with negative days", { window: { kind: "rolling", days: -5 }, levels: [] }, "PROGRAM.INVALID_WINDOW", "program.window.days"],
    [
      "fixed window ending before it starts",
      { window: { kind: "fixed", from: "2026-06-01T00:00:00Z", to: "2026-01-01T00:00:00Z" }, levels: [] },
      "PROGRAM.INVALID_WINDOW",
      "program.window.to",
    ],
    [
      "fixed window with a bad time",
      { window: { kind: "fixed", from: "2026-13-01T00:00:00Z", to: "2027-01-01T00:00:00Z" }, levels: [] },
      "PROGRAM.INVALID_TIME",
      "program.window.from",
    ],
    ["bad activeFrom", { activeFrom: "yesterday", levels: [] }, "PROGRAM.INVALID_TIME", "program.activeFrom"],
    ["31 February", { activeFrom: "2026-02-31T00:00:00Z", levels: [] }, "PROGRAM.INVALID_TIME", "program.activeFrom"],
    ["unknown validity", { validity: { kind: "forever" }, levels: [] }, "PROGRAM.INVALID_VALIDITY", "program.validity.kind"],
    ["validity days 0", { validity: { kind: "days", days: 0 }, levels: [] }, "PROGRAM.INVALID_NUMBER", "program.validity.days"],
    ["negative grace", { graceDays: -1, levels: [] }, "PROGRAM.INVALID_NUMBER", "program.graceDays"],
    ["bad basis", { basis: "vibes", levels: [] }, "PROGRAM.INVALID_VALUE", "program.basis"],
    ["bad onExpiry", { onExpiry: "delete", levels: [] }, "PROGRAM.INVALID_VALUE", "program.onExpiry"],
    ["bad rounding", { points: { rounding: "banker" }, levels: [] }, "PROGRAM.INVALID_VALUE", "program.points.rounding"],
    [
      "earn rule for an unknown level",
      { points: { earn: [{ per: "amount", every: "1.00", points: 1, levels: ["vip"] }] }, levels: [buildLevel({ id: "gold", rank: 1 })] },
      "PROGRAM.UNKNOWN_LEVEL",
      "program.points.earn[0].levels[0]",
    ],
    [
      "earn every 0",
      { points: { earn: [{ per: "amount", every: "0.00", points: 1 }] }, levels: [] },
      "PROGRAM.INVALID_AMOUNT",
      "program.points.earn[0].every",
    ],
    [
      "negative earn points",
      { points: { earn: [{ per: "amount", every: "1.00", points: -1 }] }, levels: [] },
      "PROGRAM.INVALID_NUMBER",
      "program.points.earn[0].points",
    ],
    ["retention without extendDays", { retention: {}, levels: [] }, "PROGRAM.INVALID_NUMBER", "program.retention.extendDays"],
    ["levels not an array", { levels: {} }, "PROGRAM.INVALID_TYPE", "program.levels"],
    ["program not an object", "gold", "PROGRAM.INVALID_TYPE", "program"],
    ["enabled not a boolean", { enabled: "yes", levels: [] }, "PROGRAM.INVALID_TYPE", "program.enabled"],
  ])("%s", (_name, json, code, path) => {
    const err = errorOf(json);
    expect({ code: err.code, path: err.path }).toEqual({ code, path });
    expect(err.message.startsWith(`${path}: `)).toBe(true);
  });

  it("compares thresholds per kind and window: a rolling spend condition is not compared with a lifetime one", () => {
    expect(() =>
      parseProgram(
        levels(
          buildLevel({ id: "a", rank: 1, upgrade: [[spend("1000.00")]] }),
          buildLevel({ id: "b", rank: 2, upgrade: [[spend("300.00", { windowDays: 30 })]] }),
        ),
      ),
    ).not.toThrow();
  });

  it("compares each level's minimum across its groups with the lower level's", () => {
    const json = levels(
      buildLevel({ id: "a", rank: 1, upgrade: [[spend("100.00")], [{ kind: "orderCount", count: 5 }]] }),
      buildLevel({ id: "b", rank: 2, upgrade: [[spend("200.00")]] }),
    );
    expect(() => parseProgram(json)).not.toThrow();
    const bad = levels(
      buildLevel({ id: "a", rank: 1, upgrade: [[spend("300.00")]] }),
      buildLevel({ id: "b", rank: 2, upgrade: [[spend("900.00")], [spend("250.00")]] }),
    );
    expect(errorOf(bad)).toMatchObject({ code: "PROGRAM.THRESHOLDS_NOT_RISING", path: "program.levels[1].upgrade[1][0].amount" });
  });

  it("ignores scoped conditions and internal-only levels when checking that thresholds rise", () => {
    const json = levels(
      buildLevel({ id: "a", rank: 1, upgrade: [[spend("500.00")]] }),
      buildLevel({ id: "staff", rank: 2, internalOnly: true, upgrade: [[spend("1.00")]] }),
      buildLevel({ id: "b", rank: 3, upgrade: [[spend("50.00", { scope: { tags: ["vip"] } })]] }),
    );
    expect(() => parseProgram(json)).not.toThrow();
  });

  it("uses the given path prefix (publishProgram events)", () => {
    expect(() => parseProgram({ basis: 1 }, "events[3].program")).toThrow(expect.objectContaining({ path: "events[3].program.basis" }));
  });
});
