import { describe, expect, it } from "vitest";
import { assign, at, buildLevel, buildProgramJson, evaluate, paid, publish, refund, spend } from "../../tools/sample-data/program-builders";

type Json = Record<string, unknown>;
const program = (over: Json = {}) =>
  buildProgramJson({
    levels: [
      buildLevel({ id: "silver", rank: 1, upgrade: [[spend("100.00")]] }),
      buildLevel({ id: "gold", rank: 2, upgrade: [[spend("500.00")]] }),
      buildLevel({ id: "staff", rank: 3, internalOnly: true, upgrade: [] }),
    ],
    ...over,
  });

describe("rule 4: manual assignment", () => {
  it("sets the level now, with a fresh validity period", () => {
    const out = evaluate(program({ validity: { kind: "days", days: 10 } }), [assign("2026-01-01T00:00:00Z", "gold")], "2026-01-05T00:00:00Z");
    expect(out).toMatchObject({
      level: "gold",
      status: "active",
      levelSince: at("2026-01-01T00:00:00Z"),
      levelExpiresAt: at("2026-01-11T00:00:00Z"),
      locked: false,
    });
    expect(out.levelChanges[0]).toMatchObject({ cause: "manual", from: null, to: "gold", reason: { kind: "manual", lock: false } });
  });

  it("without a lock, later orders still move the member up", () => {
    const events = [assign("2026-01-01T00:00:00Z", "silver"), paid("2026-01-02T00:00:00Z", { amount: "600.00" })];
    expect(evaluate(program(), events, "2026-02-01T00:00:00Z").level).toBe("gold");
  });

  it("without a lock, the assigned level expires like any other", () => {
    const out = evaluate(program({ validity: { kind: "days", days: 10 } }), [assign("2026-01-01T00:00:00Z", "gold")], "2026-02-01T00:00:00Z");
    expect(out).toMatchObject({ level: null });
  });

  it("can remove the level", () => {
    const events = [paid("2026-01-01T00:00:00Z", { amount: "600.00" }), assign("2026-01-02T00:00:00Z", null)];
    expect(evaluate(program(), events, "2026-01-03T00:00:00Z")).toMatchObject({ level: null, status: "none" });
  });
});

describe("rule 4: an assignment without rewards (import)", () => {
  const withUpgradePoints = () =>
    program({
      levels: [
        buildLevel({ id: "silver", rank: 1, upgradePoints: 100, upgrade: [[spend("100.00")]] }),
        buildLevel({ id: "gold", rank: 2, upgradePoints: 500, upgrade: [[spend("500.00")]] }),
      ],
    });
  it.each<[string, boolean | undefined, number]>([
    ["a manual assignment grants the upgrade points of every level passed", undefined, 600],
    ["an imported level grants none", false, 0],
  ])("%s", (_name, rewards, points) => {
    const event = { ...assign("2026-01-01T00:00:00Z", "gold"), ...(rewards === undefined ? {} : { rewards }) };
    expect(evaluate(withUpgradePoints(), [event], "2026-01-05T00:00:00Z")).toMatchObject({ level: "gold", points });
  });

  it("an imported level still counts as reached: earning it again later grants nothing", () => {
    const events = [
      { ...assign("2026-01-01T00:00:00Z", "gold"), rewards: false },
      assign("2026-01-02T00:00:00Z", null),
      paid("2026-01-03T00:00:00Z", { amount: "600.00" }),
    ];
    expect(evaluate(withUpgradePoints(), events, "2026-01-05T00:00:00Z")).toMatchObject({ level: "gold", points: 0 });
  });
});

describe("rule 4: lock", () => {
  const locked = [assign("2026-01-01T00:00:00Z", "silver", true)];
  it.each<[string, ReturnType<typeof paid>[], Json]>([
    ["upgrades", [paid("2026-01-02T00:00:00Z", { id: "o1", amount: "900.00" })], {}],
    ["refunds", [paid("2025-12-01T00:00:00Z", { id: "o0", amount: "150.00" }), refund("2026-01-02T00:00:00Z", "o0", { amount: "150.00" })], {}],
    ["expiry", [], { validity: { kind: "days", days: 5 } }],
    [
      "publish",
      [
        publish(
          "2026-01-03T00:00:00Z",
          program({
            levels: [
              buildLevel({ id: "silver", rank: 1, upgrade: [[spend("9000.00")]] }),
              buildLevel({ id: "gold", rank: 2, upgrade: [[spend("10000.00")]] }),
            ],
          }),
        ),
      ],
      {},
    ],
  ])("automatic changes never move a locked member: %s", (_name, events, over) => {
    const out = evaluate(program(over), [...locked, ...events], "2026-06-01T00:00:00Z");
    expect(out).toMatchObject({ level: "silver", locked: true, levelExpiresAt: null });
  });

  it("a locked member still earns and loses points", () => {
    const p = program({ points: { earn: [{ per: "amount", every: "1.00", points: 1 }] } });
    const events = [
      ...locked,
      paid("2026-01-02T00:00:00Z", { id: "o1", amount: "900.00" }),
      refund("2026-01-03T00:00:00Z", "o1", { amount: "100.00" }),
    ];
    expect(evaluate(p, events, "2026-02-01T00:00:00Z")).toMatchObject({ level: "silver", points: 800 });
  });

  it("a new manual assignment without lock unlocks", () => {
    const events = [...locked, assign("2026-01-02T00:00:00Z", "silver", false), paid("2026-01-03T00:00:00Z", { amount: "900.00" })];
    expect(evaluate(program(), events, "2026-02-01T00:00:00Z")).toMatchObject({ level: "gold", locked: false });
  });
});

describe("rule 4: internal-only levels are kept until changed by hand", () => {
  it("no expiry, no upgrades, no refund downgrades", () => {
    const events = [
      paid("2025-12-01T00:00:00Z", { id: "o0", amount: "100.00" }),
      assign("2026-01-01T00:00:00Z", "staff"),
      paid("2026-01-02T00:00:00Z", { id: "o1", amount: "900.00" }),
      refund("2026-01-03T00:00:00Z", "o0", { amount: "100.00" }),
    ];
    const out = evaluate(program({ validity: { kind: "days", days: 5 } }), events, "2027-01-01T00:00:00Z");
    expect(out).toMatchObject({ level: "staff", status: "active", levelExpiresAt: null, locked: false });
  });

  it("progress from an internal level names the next enabled, non-internal level above it (none here)", () => {
    expect(evaluate(program(), [assign("2026-01-01T00:00:00Z", "staff")], "2026-01-02T00:00:00Z").next).toBeNull();
  });
});
