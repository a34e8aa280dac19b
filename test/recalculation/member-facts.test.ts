import type { MemberAdjustment } from "@prisma/client";
import { describe, expect, it } from "vitest";
import type { Program } from "~/domain";
import { memberEvents, qualifiesAsMember, type MemberFacts, type OrderForEngine } from "~/services/recalculation/member-facts";
import type { ShopContext } from "~/services/shop-context.server";
import { buildProgram } from "../../tools/sample-data/program-builders";

/** A member's stored facts as the engine reads them (pure: no database). */

const t = (iso: string) => new Date(`2026-03-${iso}Z`);
const order = (gid: string, paidAt: string, over: Partial<OrderForEngine> = {}): OrderForEngine => ({
  orderGid: gid,
  customerGid: "c1",
  paidAt: t(paidAt),
  cancelledAt: null,
  total: 1000,
  subtotal: 1000,
  shipping: 0,
  tax: 0,
  hasDiscountCode: false,
  channel: null,
  lines: [],
  ...over,
});
const adjustment = (key: string, at: string, over: Partial<MemberAdjustment>): MemberAdjustment => ({
  id: key,
  shop: "s",
  customerGid: "c1",
  kind: "points",
  at: t(at),
  levelId: null,
  lock: false,
  points: null,
  note: null,
  key,
  actor: null,
  createdAt: t(at),
  ...over,
});
const facts = (over: Partial<MemberFacts>): MemberFacts => ({ orders: [], refunds: [], adjustments: [], ...over });
const program = buildProgram();
const versions: ShopContext["versions"] = [
  { versionId: "v1", publishedAt: t("01T00:00:00").getTime(), program },
  { versionId: "v2", publishedAt: t("02T10:00:00").getTime(), program },
];

describe("memberEvents", () => {
  it.each([
    {
      name: "ties at one instant: paid, refund, cancelled, manual level, points, publish; then by id",
      facts: facts({
        orders: [order("o2", "02T10:00:00", { cancelledAt: t("02T10:00:00") }), order("o1", "02T10:00:00")],
        refunds: [{ refundGid: "r1", orderGid: "o1", createdAt: t("02T10:00:00"), amount: 100, linesJson: "[]" }],
        adjustments: [adjustment("a1", "02T10:00:00", { kind: "assignLevel", levelId: "gold" }), adjustment("a2", "02T10:00:00", { points: 5 })],
      }),
      expected: ["orderPaid o1", "orderPaid o2", "refund r1", "orderCancelled o2", "manualAssign gold", "pointsAdjust a2", "publishProgram"],
    },
    {
      name: "by instant first; the first version is the fold's start, not an event",
      facts: facts({ orders: [order("o9", "03T00:00:00"), order("o1", "02T00:00:00")] }),
      expected: ["orderPaid o1", "publishProgram", "orderPaid o9"],
    },
    {
      name: "a points adjustment without points and an unknown kind are no events",
      facts: facts({ adjustments: [adjustment("a1", "01T12:00:00", {}), adjustment("a2", "01T12:00:00", { kind: "note" })] }),
      expected: ["publishProgram"],
    },
  ])("$name", ({ facts: f, expected }) => {
    const label = (e: ReturnType<typeof memberEvents>[number]) =>
      e.type === "orderPaid"
        ? `orderPaid ${e.order.id}`
        : e.type === "refund"
          ? `refund ${e.refund.id}`
          : e.type === "orderCancelled"
            ? `orderCancelled ${e.orderId}`
            : e.type === "manualAssign"
              ? `manualAssign ${e.level}`
              : e.type === "pointsAdjust"
                ? `pointsAdjust ${e.key}`
                : e.type;
    expect(memberEvents(f, versions).map(label)).toEqual(expected);
  });

  it("an imported level grants no rewards; a merchant's does", () => {
    const events = memberEvents(
      facts({
        adjustments: [
          adjustment("a1", "01T12:00:00", { kind: "assignLevel", levelId: "gold", actor: "import" }),
          adjustment("a2", "01T13:00:00", { kind: "assignLevel", levelId: "gold", actor: "merchant" }),
        ],
      }),
      versions.slice(0, 1),
    );
    expect(events.map((e) => (e.type === "manualAssign" ? e.rewards : "other"))).toEqual([false, undefined]);
  });
});

describe("qualifiesAsMember", () => {
  const activeFrom = t("02T00:00:00").getTime();
  it.each([
    { name: "no facts", facts: facts({}), program, expected: false },
    { name: "a paid order", facts: facts({ orders: [order("o1", "01T00:00:00")] }), program, expected: true },
    {
      name: "only a cancelled order",
      facts: facts({ orders: [order("o1", "01T00:00:00", { cancelledAt: t("01T01:00:00") })] }),
      program,
      expected: false,
    },
    { name: "a manual change alone", facts: facts({ adjustments: [adjustment("a1", "01T00:00:00", { points: 5 })] }), program, expected: true },
    {
      name: "an order before the program began",
      facts: facts({ orders: [order("o1", "01T00:00:00")] }),
      program: { ...program, activeFrom },
      expected: false,
    },
    {
      name: "an order at the instant it began",
      facts: facts({ orders: [order("o1", "02T00:00:00")] }),
      program: { ...program, activeFrom },
      expected: true,
    },
    {
      name: "an order in a channel the program leaves out",
      facts: facts({ orders: [order("o1", "01T00:00:00", { channel: "pos" })] }),
      program: { ...program, channels: ["web"] },
      expected: false,
    },
    {
      name: "an order with no channel recorded counts",
      facts: facts({ orders: [order("o1", "01T00:00:00")] }),
      program: { ...program, channels: ["web"] },
      expected: true,
    },
  ])("$name → $expected", ({ facts: f, program: p, expected }) => {
    expect(qualifiesAsMember(f, p as Program)).toBe(expected);
  });
});
