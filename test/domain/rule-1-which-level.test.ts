import { describe, expect, it } from "vitest";
import { buildLevel, buildProgramJson, evaluate, line, orderCount, paid, productPurchase, spend } from "../../tools/sample-data/program-builders";

const program = buildProgramJson({
  levels: [
    buildLevel({
      id: "silver",
      rank: 1,
      upgrade: [[orderCount(3), spend("1000.00")], [productPurchase(1, { productIds: ["p-vip-card"] })]],
    }),
    buildLevel({ id: "gold", rank: 2, upgrade: [[spend("2000.00")]] }),
    buildLevel({ id: "staff", rank: 3, internalOnly: true, upgrade: [[spend("1.00")]] }),
    buildLevel({ id: "hidden", rank: 4, enabled: false, upgrade: [[spend("3000.00")]] }),
  ],
});

describe("rule 1: the highest-ranked enabled, non-internal level with a fully satisfied group", () => {
  it.each<[string, ReturnType<typeof paid>[], string | null]>([
    ["no group satisfied → no level", [paid("2026-01-01T00:00:00Z", { amount: "999.99" })], null],
    ["AND inside a group: spend without 3 orders is not enough", [paid("2026-01-01T00:00:00Z", { amount: "1500.00" })], null],
    [
      "AND inside a group: 3 orders and 1000 spent",
      ["2026-01-01", "2026-01-02", "2026-01-03"].map((d) => paid(`${d}T00:00:00Z`, { amount: "400.00" })),
      "silver",
    ],
    ["OR of groups: the VIP card alone", [paid("2026-01-01T00:00:00Z", { lines: [line("l1", "25.00", 1, { productId: "p-vip-card" })] })], "silver"],
    ["the highest qualifying level, skipping lower ones", [paid("2026-01-01T00:00:00Z", { amount: "2500.00" })], "gold"],
    ["internal-only and disabled levels are never reached automatically", [paid("2026-01-01T00:00:00Z", { amount: "5000.00" })], "gold"],
  ])("%s", (_name, events, level) => {
    expect(evaluate(program, events, "2026-02-01T00:00:00Z").level).toBe(level);
  });

  it("a level with no upgrade groups is never reached automatically", () => {
    const p = buildProgramJson({ levels: [buildLevel({ id: "invite", rank: 1, upgrade: [] })] });
    expect(evaluate(p, [paid("2026-01-01T00:00:00Z", { amount: "9999.00" })], "2026-02-01T00:00:00Z").level).toBeNull();
  });

  it("a disabled program shows no level", () => {
    const p = { ...program, enabled: false };
    expect(evaluate(p, [paid("2026-01-01T00:00:00Z", { amount: "2500.00" })], "2026-02-01T00:00:00Z")).toMatchObject({
      level: null,
      status: "none",
      next: null,
    });
  });
});
