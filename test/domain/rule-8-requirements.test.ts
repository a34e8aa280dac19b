// Rule 8, requirements: the next level's condition group closest to being met, every condition kind measured.
import { describe, expect, it } from "vitest";
import {
  buildLevel,
  buildProgramJson,
  evaluate,
  itemCount,
  line,
  orderCount,
  paid,
  pointsCond,
  productPurchase,
  singleOrder,
  spend,
} from "../../tools/sample-data/program-builders";

const req = (kind: string, threshold: number, current: number, windowDays: number | null = null, scoped = false) => ({
  kind,
  threshold,
  current,
  windowDays,
  scoped,
});
const vip = { tags: ["vip"] };
// $220.00 (2 × $100.00 tagged vip, 1 × $20.00) and $900.00 (3 × $300.00): 6 items, 2 of them vip.
const twoOrders = [
  paid("2026-01-10T00:00:00Z", { amount: "120.00", lines: [line("l1", "100.00", 2, { tags: ["vip"] }), line("l2", "20.00", 1)] }),
  paid("2026-01-20T00:00:00Z", { amount: "300.00", lines: [line("l3", "300.00", 3)] }),
];

const nextOf = (upgrade: unknown[][], program: Record<string, unknown> = {}) =>
  evaluate(
    buildProgramJson({ window: { kind: "lifetime" }, ...program, levels: [buildLevel({ id: "gold", rank: 1, upgrade })] }),
    twoOrders,
    "2026-02-01T00:00:00Z",
  ).next;

describe("rule 8: requirements toward the next level", () => {
  it.each<[string, unknown, ReturnType<typeof req>]>([
    ["spend", spend("5000.00"), req("accumulatedSpend", 500000, 112000)],
    ["scoped spend", spend("500.00", { scope: vip }), req("accumulatedSpend", 50000, 20000, null, true)],
    ["spend in its own window", spend("5000.00", { windowDays: 15 }), req("accumulatedSpend", 500000, 90000, 15)],
    ["single order: the largest order", singleOrder("1000.00"), req("singleOrder", 100000, 90000)],
    ["scoped single order: the largest scoped part", singleOrder("400.00", { scope: vip }), req("singleOrder", 40000, 20000, null, true)],
    ["orders", orderCount(5), req("orderCount", 5, 2)],
    ["scoped orders", orderCount(3, { scope: vip }), req("orderCount", 3, 1, null, true)],
    ["items", itemCount(10), req("itemCount", 10, 6)],
    ["scoped items", itemCount(10, { scope: vip }), req("itemCount", 10, 2, null, true)],
    ["product purchase", productPurchase(3, vip), req("productPurchase", 3, 2, null, true)],
  ])("%s", (_name, condition, expected) => {
    expect(nextOf([[condition]])?.requirements).toEqual([expected]);
  });

  it("points earned in the window", () => {
    const next = nextOf([[pointsCond(5000)]], { basis: "points", points: { earn: [{ per: "amount", every: "1.00", points: 1 }] } });
    expect(next?.requirements).toEqual([req("points", 5000, 1120)]);
  });

  it("picks the group closest to being met (mean of each condition's share), the first on a tie", () => {
    // Group 1: 1,120/5,000 spent and 2/3 orders → (0.224 + 0.667) / 2 = 0.45; group 2: 6/8 items → 0.75.
    expect(nextOf([[spend("5000.00"), orderCount(3)], [itemCount(8)]])?.requirements).toEqual([req("itemCount", 8, 6)]);
    expect(nextOf([[itemCount(12)], [orderCount(4)]])?.requirements).toEqual([req("itemCount", 12, 6)]);
  });

  it("a met condition counts as a full share, never more", () => {
    // Group 1: 2/1 orders (capped at 1, not 2) and 6/100 items → 0.53; group 2: 1,120/2,000 → 0.56.
    expect(nextOf([[orderCount(1), itemCount(100)], [spend("2000.00")]])?.requirements).toEqual([req("accumulatedSpend", 200000, 112000)]);
  });

  it("leaves out conditions hidden from progress, but they still weigh in choosing the group", () => {
    // Group 1: (0.224 + 0.667) / 2 = 0.45 with the hidden orders; group 2: 1,120/10,000 → 0.11.
    const next = nextOf([[spend("5000.00"), orderCount(3, { showProgress: false })], [spend("10000.00")]]);
    expect(next?.requirements).toEqual([req("accumulatedSpend", 500000, 112000)]);
  });

  it("has no requirements when the next level is not reached by orders", () => {
    expect(nextOf([])).toEqual({ level: "gold", remaining: {} });
  });
});
