import { describe, expect, it } from "vitest";
import { describeLevelChange } from "~/domain/index";
import { assign, buildLevel, buildProgramJson, evaluate, orderCount, paid, publish, refund, spend } from "../../tools/sample-data/program-builders";

const program = (over: Record<string, unknown> = {}) =>
  buildProgramJson({
    levels: [
      buildLevel({ id: "silver", name: "Silver", rank: 1, upgrade: [[spend("100.00")]] }),
      buildLevel({ id: "gold", name: "Gold", rank: 2, upgrade: [[orderCount(5)], [spend("1000.00"), orderCount(2)]] }),
    ],
    ...over,
  });

describe("level changes record why they happened", () => {
  it("an upgrade names the group met with measured values", () => {
    const events = [paid("2026-03-01T10:00:00Z", { amount: "100.00" }), paid("2026-03-02T10:00:00Z", { amount: "920.00" })];
    const out = evaluate(program(), events, "2026-04-01T00:00:00Z");
    expect(out.levelChanges[1]).toMatchObject({
      from: "silver",
      to: "gold",
      cause: "upgrade",
      reason: {
        kind: "conditionsMet",
        met: {
          group: 2,
          groupIndex: 1,
          conditions: [
            { kind: "accumulatedSpend", actual: 102000, required: 100000, window: "lifetime" },
            { kind: "orderCount", actual: 2, required: 2 },
          ],
        },
      },
    });
    expect(describeLevelChange(out.levelChanges[1], "USD")).toBe(
      "reached Gold: group 2 met, spend $1,020.00 ≥ $1,000.00, orders 2 ≥ 2 on 2026-03-02",
    );
  });

  it.each<[string, ReturnType<typeof paid>[], Record<string, unknown>, RegExp]>([
    [
      "refund",
      [paid("2026-03-01T00:00:00Z", { id: "o1", amount: "150.00" }), refund("2026-03-02T00:00:00Z", "o1", { id: "r1", amount: "150.00" })],
      { cause: "refund", reason: { kind: "refund", orderId: "o1", refundId: "r1", met: null } },
      /^moved down from Silver to no level: refund r1 of order o1 on 2026-03-02$/,
    ],
    [
      "manual",
      [assign("2026-03-01T00:00:00Z", "gold", true)],
      { cause: "manual", reason: { kind: "manual", lock: true } },
      /^assigned Gold by hand \(locked\) on 2026-03-01$/,
    ],
    [
      "expiry",
      [paid("2026-03-01T00:00:00Z", { amount: "150.00" })],
      { cause: "expiry", to: null, reason: { kind: "expired", met: null } },
      /^Silver expired on 2026-03-11; no level qualifies$/,
    ],
    [
      "publish",
      [
        paid("2026-03-01T00:00:00Z", { amount: "150.00" }),
        publish(
          "2026-03-05T00:00:00Z",
          buildProgramJson({ levels: [buildLevel({ id: "silver", name: "Silver", rank: 1, upgrade: [[spend("200.00")]] })] }),
        ),
      ],
      { cause: "publish", reason: { kind: "published", met: null } },
      /^new program rules: moved from Silver to no level on 2026-03-05$/,
    ],
  ])("%s", (_name, events, expected, text) => {
    const p = program({ window: { kind: "rolling", days: 5 }, validity: { kind: "days", days: 10 } });
    const out = evaluate(p, events, "2026-03-20T00:00:00Z");
    const last = out.levelChanges.at(-1)!;
    expect(last).toMatchObject(expected);
    expect(describeLevelChange(last)).toMatch(text);
  });

  it("grace, retention and freeze are described", () => {
    const p = program({ validity: { kind: "days", days: 10 }, graceDays: 5, onExpiry: "freeze", window: { kind: "rolling", days: 3 } });
    const out = evaluate(p, [paid("2026-03-01T00:00:00Z", { amount: "150.00" })], "2026-04-01T00:00:00Z");
    expect(out.levelChanges.map((c) => describeLevelChange(c))).toEqual([
      "reached Silver: group 1 met, spend $150.00 ≥ $100.00 (rolling 3 days) on 2026-03-01",
      "Silver expired on 2026-03-11; grace period of 5 days until 2026-03-16",
      "Silver expired 2026-03-11; frozen (level kept without benefits) on 2026-03-16",
    ]);
  });
});
