import { describe, expect, it } from "vitest";
import { dueWelcomeRewards, rewardEndsAt, type RewardLevelChange, type RewardOrigin, type WelcomeBenefit } from "~/domain/rewards";

// Which welcome rewards a member write makes due, from the level changes it inserted.

const CUSTOMER = "gid://shopify/Customer/7";
const INSTALL = Date.parse("2026-06-01T00:00:00Z");
const AFTER = Date.parse("2026-07-01T00:00:00Z");
const BEFORE = Date.parse("2026-05-01T00:00:00Z");

const level = (id: string, rank: number, over: { enabled?: boolean; internalOnly?: boolean } = {}) => ({
  id,
  rank,
  enabled: over.enabled ?? true,
  internalOnly: over.internalOnly ?? false,
});
const LEVELS = [level("bronze", 1), level("silver", 2), level("gold", 3), level("vip", 4, { internalOnly: true })];

const code = (whenSkipped = false): WelcomeBenefit => ({ type: "percentage", value: "10", validDays: 30, whenSkipped });
const ALL_WELCOME = new Map([
  ["bronze", code()],
  ["silver", code()],
  ["gold", code()],
]);

const change = (from: string | null, to: string | null, cause = "upgrade", at = AFTER): RewardLevelChange => ({
  at,
  fromLevelId: from,
  toLevelId: to,
  cause,
});

interface Case {
  name: string;
  changes: RewardLevelChange[];
  origin?: RewardOrigin;
  welcome?: Map<string, WelcomeBenefit>;
  levels?: ReturnType<typeof level>[];
  rewardsFrom?: number | null;
  /** levelId, or levelId+"(skipped)" */
  due: string[];
}

const cases: Case[] = [
  { name: "a live order reaches Silver: Silver's welcome", changes: [change("bronze", "silver")], due: ["silver"] },
  { name: "a due review (time passing over own orders) rewards too", changes: [change(null, "bronze")], origin: "review", due: ["bronze"] },
  { name: "a publish replay never rewards", changes: [change(null, "gold")], origin: "replay", due: [] },
  { name: "the admin's recompute never rewards", changes: [change(null, "gold")], origin: "admin", due: [] },
  { name: "a manual level never rewards", changes: [change(null, "gold", "manual")], due: [] },
  { name: "a publish change never rewards", changes: [change("silver", "gold", "publish")], due: [] },
  { name: "a disabled level's move never rewards", changes: [change("gold", "silver", "disabled")], due: [] },
  { name: "a renewal is no new level", changes: [change("gold", "gold", "renewal")], due: [] },
  { name: "a refund down never rewards", changes: [change("gold", "silver", "refund")], due: [] },
  { name: "an upgrade before the install never rewards", changes: [change(null, "gold", "upgrade", BEFORE)], due: [] },
  { name: "an upgrade at the install instant rewards", changes: [change(null, "gold", "upgrade", INSTALL)], due: ["gold"] },
  { name: "no install recorded: no limit", changes: [change(null, "gold", "upgrade", BEFORE)], rewardsFrom: null, due: ["gold"] },
  { name: "a level without a welcome benefit gives nothing", changes: [change("gold", "vip")], due: [] },
  { name: "a level no longer in the programme gives nothing", changes: [change("silver", "platinum")], due: [] },
  { name: "skipped levels give nothing unless the merchant chose it", changes: [change(null, "gold")], due: ["gold"] },
  {
    name: "skipped levels whose welcome says whenSkipped are given too",
    changes: [change(null, "gold")],
    welcome: new Map([
      ["bronze", code(true)],
      ["silver", code(false)],
      ["gold", code()],
    ]),
    due: ["bronze(skipped)", "gold"],
  },
  {
    name: "a disabled level is never passed through",
    changes: [change(null, "gold")],
    levels: [level("bronze", 1, { enabled: false }), level("silver", 2), level("gold", 3)],
    welcome: new Map([
      ["bronze", code(true)],
      ["silver", code(true)],
      ["gold", code()],
    ]),
    due: ["silver(skipped)", "gold"],
  },
  {
    name: "only ranks between where the member was and where they landed are skipped",
    changes: [change("silver", "vip")],
    levels: [level("bronze", 1), level("silver", 2), level("gold", 3), level("vip", 4)],
    welcome: new Map([
      ["bronze", code(true)],
      ["gold", code(true)],
      ["vip", code()],
    ]),
    due: ["gold(skipped)", "vip"],
  },
  {
    name: "several upgrades in one write: each level once",
    changes: [change(null, "bronze"), change("bronze", "gold", "upgrade", AFTER + 1000), change("gold", "silver", "refund", AFTER + 2000)],
    welcome: new Map([
      ["bronze", code()],
      ["silver", code(true)],
      ["gold", code()],
    ]),
    due: ["bronze", "silver(skipped)", "gold"],
  },
];

describe("dueWelcomeRewards", () => {
  it.each(cases)("$name", (c) => {
    const due = dueWelcomeRewards({
      customerGid: CUSTOMER,
      origin: c.origin ?? "live",
      rewardsFrom: c.rewardsFrom === undefined ? INSTALL : c.rewardsFrom,
      changes: c.changes,
      levels: c.levels ?? LEVELS,
      welcome: c.welcome ?? ALL_WELCOME,
    });
    expect(due.map((r) => r.levelId + (r.skipped ? "(skipped)" : ""))).toEqual(c.due);
    for (const r of due) expect(r.key).toBe(`welcome:${CUSTOMER}:${r.levelId}`);
  });

  it("the reward carries the upgrade's instant and the level's saved benefit", () => {
    const benefit: WelcomeBenefit = { type: "fixed", value: "5.00", validDays: 14, whenSkipped: false };
    const [r] = dueWelcomeRewards({
      customerGid: CUSTOMER,
      origin: "live",
      rewardsFrom: INSTALL,
      changes: [change("bronze", "silver")],
      levels: LEVELS,
      welcome: new Map([["silver", benefit]]),
    });
    expect(r).toEqual({ key: `welcome:${CUSTOMER}:silver`, levelId: "silver", at: AFTER, skipped: false, benefit });
  });
});

describe("rewardEndsAt", () => {
  it.each([
    [1, "2026-07-02T00:00:00.000Z"],
    [30, "2026-07-31T00:00:00.000Z"],
    [90, "2026-09-29T00:00:00.000Z"],
  ])("a code valid %i days from 2026-07-01 ends at %s", (days, iso) => {
    expect(new Date(rewardEndsAt(AFTER, days)).toISOString()).toBe(iso);
  });
});
