import { beforeEach, describe, expect, it } from "vitest";
import type { Db } from "~/db/client.server";
import { parseCsv } from "~/forms/csv";
import { memberCentre } from "~/services/admin/dashboard.server";
import { recomputeMemberNow } from "~/services/admin/member-recompute.server";
import {
  exportMembersCsv,
  importMembersAction,
  memberAction,
  memberDetailView,
  membersView,
  parseMembersFilter,
} from "~/services/admin/members.server";
import { adminTestDb, rejected } from "../support/admin-test-db";
import { formData, programJson, seedOrder, seedPublished } from "../support/admin-builders";

const SHOP = "members.myshopify.com";
const NOW = Date.parse("2026-03-01T12:00:00Z");
const C = (n: number) => `gid://shopify/Customer/${n}`;
const shopDb = adminTestDb(SHOP);
let db: Db;

beforeEach(async () => {
  db = shopDb.db;
  await seedPublished(
    db,
    SHOP,
    programJson({
      points: { earn: [{ per: "amount", every: "1.00", points: 1 }] },
      levels: [...programJson().levels, { id: "vip", name: "VIP", rank: 3, internalOnly: true, upgrade: [] }],
    }),
  );
});

async function member(n: number, total: string, profile: { email?: string; firstName?: string; lastName?: string } = {}) {
  await seedOrder(db, SHOP, C(n), { total, paidAt: "2026-02-01T10:00:00Z" });
  await recomputeMemberNow(db, SHOP, C(n), NOW);
  return db.member.update({
    where: { shop_customerGid: { shop: SHOP, customerGid: C(n) } },
    data: { email: `m${n}@example.com`, firstName: "Member", lastName: `No${n}`, ...profile },
  });
}

const list = (query: string) => membersView(db, SHOP, parseMembersFilter(new URLSearchParams(query)), NOW);

describe("member list", () => {
  beforeEach(async () => {
    await member(1, "150.00", { firstName: "Ada", lastName: "Lovelace", email: "ada@example.com" });
    await member(2, "600.00", { firstName: "Grace", lastName: "Hopper" });
    await member(3, "50.00");
    await member(4, "700.00");
  });

  it.each([
    ["", [4, 2, 1, 3]],
    ["q=ada", [1]],
    ["q=hopper", [2]],
    ["q=3", [3]],
    ["q=gid://shopify/Customer/4", [4]],
    ["level=gold", [4, 2]],
    ["level=none", [3]],
    ["status=active", [4, 2, 1]],
    ["minSpend=100&maxSpend=650", [2, 1]],
    ["minSpend=$1,000", []],
    ["status=bogus&page=x", [4, 2, 1, 3]],
  ])("%j → customers %j", async (query, expected) => {
    const view = await list(query);
    expect(view.members.map((m) => Number(m.customerGid.split("/").pop()))).toEqual(expected);
    expect(view.total).toBe(expected.length);
  });

  it("shows level names, spend and per-level counts", async () => {
    const view = await list("");
    expect(view.members[0]).toMatchObject({ levelName: "Gold", spend: "700.00", points: 700, status: "active" });
    expect(view.counts).toEqual({ gold: 2, silver: 1, none: 1 });
    expect(view.levels.map((l) => l.id)).toEqual(["silver", "gold", "vip"]);
  });

  it("pages by 50", async () => {
    for (let n = 10; n < 70; n++) await db.member.create({ data: { shop: SHOP, customerGid: C(n), spend: 0 } });
    expect((await list("")).members).toHaveLength(50);
    expect((await list("page=2")).members).toHaveLength(14);
    expect((await list("page=2")).page).toBe(2);
  });

  it("exports the filtered list as CSV", async () => {
    const rows = parseCsv(await exportMembersCsv(db, SHOP, parseMembersFilter(new URLSearchParams("level=gold")), NOW));
    expect(rows[0]).toEqual([
      "customer_id",
      "level",
      "locked",
      "email",
      "name",
      "level_name",
      "status",
      "level_since",
      "level_expires_at",
      "spend",
      "points",
      "birthday",
    ]);
    expect(
      rows
        .slice(1)
        .map((r) => [r[0], r[1], r[5], r[9]])
        .sort(),
    ).toEqual([
      [C(2), "gold", "Gold", "600.00"],
      [C(4), "gold", "Gold", "700.00"],
    ]);
  });
});

describe("member page", () => {
  it("shows level, progress, ledger, orders and the audit trail with the engine's reasons", async () => {
    const m = await member(1, "150.00");
    await db.refundFact.create({
      data: {
        shop: SHOP,
        refundGid: "gid://shopify/Refund/1",
        orderGid: (await db.orderFact.findFirstOrThrow()).orderGid,
        customerGid: C(1),
        createdAt: new Date("2026-02-02T00:00:00Z"),
        amount: 2000,
        linesJson: "[]",
      },
    });
    await recomputeMemberNow(db, SHOP, C(1), NOW);
    const v = await memberDetailView(db, SHOP, m.id, NOW);
    expect(v.member).toMatchObject({ level: "silver", levelName: "Silver", status: "active", spend: "130.00", points: 130 });
    expect(v.progress).toEqual({ next: { id: "gold", name: "Gold" }, remainingSpend: "370.00", remainingPoints: null, percent: 26 });
    expect(v.ledger.map((e) => [e.kind, e.points, e.balance])).toEqual([
      ["refund", -20, 130],
      ["earn", 150, 150],
    ]);
    expect(v.orders).toEqual([expect.objectContaining({ total: "150.00", refunded: "20.00", cancelled: false })]);
    expect(v.audit.map((a) => a.text)).toEqual(["reached Silver: group 1 met, spend $150.00 ≥ $100.00 on 2026-02-01"]);
  });

  it("is a 404 for another shop's member", async () => {
    const m = await member(1, "150.00");
    expect((await rejected(() => memberDetailView(db, "other.myshopify.com", m.id, NOW))).status).toBe(404);
  });
});

describe("manual changes", () => {
  it("assigns a level with lock; the audit trail says so and the lock holds", async () => {
    const m = await member(1, "150.00");
    const result = await memberAction(db, SHOP, m.id, formData({ intent: "assign", level: "vip", lock: "true", key: "form-00000001" }), NOW);
    expect(result).toEqual({ memberId: m.id, applied: true });
    const after = await db.member.findUniqueOrThrow({ where: { id: m.id } });
    expect(after).toMatchObject({ levelId: "vip", locked: true });
    const v = await memberDetailView(db, SHOP, m.id, NOW);
    expect(v.audit[0].text).toBe("assigned VIP by hand (locked) on 2026-03-01");
    // A later big order does not move a locked member.
    await seedOrder(db, SHOP, C(1), { total: "900.00", paidAt: "2026-03-02T00:00:00Z" });
    await recomputeMemberNow(db, SHOP, C(1), Date.parse("2026-03-03T00:00:00Z"));
    expect((await db.member.findUniqueOrThrow({ where: { id: m.id } })).levelId).toBe("vip");
  });

  it.each([
    [{ intent: "assign", level: "bronze" }, "level", /published program/],
    [{ intent: "assign", level: "gold", lock: "maybe" }, "lock", /./],
    [{ intent: "adjustPoints", points: "50", note: "" }, "note", /Note is required/],
    [{ intent: "adjustPoints", points: "1.5", note: "x" }, "points", /whole number/],
    [{ intent: "adjustPoints", points: "0", note: "x" }, "points", /must not be 0/],
    [{ intent: "adjustPoints", points: "-500", note: "too much" }, "points", /has 150 points; at most 150/],
    [{ intent: "redeem" }, "intent", /Unknown action/],
  ])("rejects %j and writes nothing", async (fields, field, message) => {
    const m = await member(1, "150.00");
    const e = await rejected(() => memberAction(db, SHOP, m.id, formData(fields), NOW));
    expect(e.errors[field]).toMatch(message);
    expect(await db.memberAdjustment.count()).toBe(0);
    expect((await db.member.findUniqueOrThrow({ where: { id: m.id } })).points).toBe(150);
  });

  it("adds points as a new ledger entry with its note; the same form twice counts once", async () => {
    const m = await member(1, "150.00");
    const form = () => formData({ intent: "adjustPoints", points: "-40", note: "Goodwill correction", key: "form-00000002" });
    expect((await memberAction(db, SHOP, m.id, form(), NOW)).applied).toBe(true);
    expect((await memberAction(db, SHOP, m.id, form(), NOW + 5000)).applied).toBe(false);
    const v = await memberDetailView(db, SHOP, m.id, NOW);
    expect(v.member.points).toBe(110);
    expect(v.ledger[0]).toMatchObject({ kind: "adjust", points: -40, note: "Goodwill correction", balance: 110 });
    expect(await db.pointsEntry.count({ where: { memberId: m.id, kind: "adjust" } })).toBe(1);
  });
});

describe("CSV import", () => {
  const file = (text: string) => {
    const fd = new FormData();
    fd.append("intent", "import");
    fd.append("file", new File([text], "members.csv", { type: "text/csv" }));
    return fd;
  };

  it("rejects a file with bad lines, listing each, and writes nothing", async () => {
    const e = await rejected(() => importMembersAction(db, SHOP, file("customer_id,level\n1,gold\nabc,gold\n3,platinum\n"), NOW));
    expect(Object.values(e.errors)).toEqual([
      expect.stringMatching(/^Line 3: customer_id "abc"/),
      expect.stringMatching(/^Line 4: level "platinum"/),
    ]);
    expect(await db.memberAdjustment.count()).toBe(0);
    expect(await db.member.count()).toBe(0);
  });

  it("requires a file", async () => {
    expect((await rejected(() => importMembersAction(db, SHOP, formData({ intent: "import" }), NOW))).errors.file).toMatch(/Choose a CSV file/);
  });

  it("creates and assigns members, adds points, and a second import of the same file changes nothing", async () => {
    await member(1, "150.00");
    const text = "customer_id,level,locked,points\n1,gold,yes,\n2,Silver,no,25\n3,,no,\n";
    expect(await importMembersAction(db, SHOP, file(text), NOW)).toEqual({ imported: 3, created: 2, birthdays: [] });
    const rows = await db.member.findMany({ orderBy: { customerGid: "asc" } });
    expect(rows.map((m) => [m.customerGid, m.levelId, m.locked, m.points])).toEqual([
      [C(1), "gold", true, 150],
      [C(2), "silver", false, 25],
      [C(3), null, false, 0],
    ]);
    const adjustments = await db.memberAdjustment.count();
    expect(await importMembersAction(db, SHOP, file(text), NOW + 60_000)).toEqual({ imported: 3, created: 0, birthdays: [] });
    expect(await db.memberAdjustment.count()).toBe(adjustments);
    expect((await db.member.findFirstOrThrow({ where: { customerGid: C(2) } })).points).toBe(25);
  });
});

describe("member centre", () => {
  it("counts members, growth, members per level, recent changes and sync health", async () => {
    await member(1, "150.00");
    await member(2, "600.00");
    await member(3, "50.00");
    await db.member.updateMany({ where: { customerGid: C(3) }, data: { createdAt: new Date(NOW - 40 * 86_400_000) } });
    await db.job.create({ data: { type: "sync-members", shop: SHOP, status: "dead", lastError: "Error: THROTTLED" } });
    const v = await memberCentre(db, SHOP, NOW);
    expect(v).toMatchObject({ memberCount: 3, newMembers30d: 2, hasPublished: true, programEnabled: true, draftPending: false });
    expect(v.perLevel).toEqual([
      { levelId: "vip", name: "VIP", count: 0 },
      { levelId: "gold", name: "Gold", count: 1 },
      { levelId: "silver", name: "Silver", count: 1 },
      { levelId: null, name: "No level", count: 1 },
    ]);
    expect(v.growth).toHaveLength(90);
    expect(v.growth[0].count).toBe(0);
    expect(v.growth[89]).toEqual({ date: "2026-03-01", count: 3 });
    expect(v.growth.find((g) => g.date === "2026-01-20")!.count).toBe(1);
    expect(v.recentChanges.map((c) => c.text).sort()).toEqual([
      "reached Gold: group 1 met, spend $600.00 ≥ $500.00 on 2026-02-01",
      "reached Silver: group 1 met, spend $150.00 ≥ $100.00 on 2026-02-01",
    ]);
    expect(v.sync).toMatchObject({ failed: 1, lastError: { type: "sync-members", message: "Error: THROTTLED" } });
    expect(v.sync.queued).toBeGreaterThanOrEqual(1); // the member syncs the recomputes owe Shopify
  });
});

describe("imports and one-time rewards", () => {
  // Imported levels must not hand out upgrade points (docs/programme-rules.md: "Backfills and imports grant none"). The
  // engine grants a manual assignment's upgrade points unless the whole replay runs with grantRewards: false, and
  // the worker's replay always grants; an import needs a per-assignment "no reward" flag in the engine and in the
  // worker's event mapping (MemberAdjustment.actor = "import"). Until then this documents the gap.
  it("an imported level grants no upgrade points", async () => {
    await db.programVersion.deleteMany();
    await seedPublished(
      db,
      SHOP,
      programJson({
        levels: [{ id: "gold", name: "Gold", rank: 1, upgradePoints: 500, upgrade: [[{ kind: "accumulatedSpend", amount: "500.00" }]] }],
      }),
    );
    const fd = new FormData();
    fd.append("intent", "import");
    fd.append("file", new File(["customer_id,level\n9,gold\n"], "m.csv"));
    await importMembersAction(db, SHOP, fd, NOW);
    expect((await db.member.findFirstOrThrow({ where: { customerGid: C(9) } })).points).toBe(0);
  });
});

describe("recomputing a member the worker is writing at the same moment", () => {
  /** A Db whose next `$transaction` fails with `error`, as when the worker committed the same keys first. */
  function racingDb(error: Error & { code?: string }): Db {
    let raced = false;
    return new Proxy(db, {
      get(target, key, receiver) {
        if (key === "$transaction" && !raced) {
          raced = true;
          return () => Promise.reject(error);
        }
        return Reflect.get(target, key, receiver);
      },
    });
  }

  it.each<[string, string | undefined, "retried" | "thrown"]>([
    ["a unique-key race (P2002) is folded again once", "P2002", "retried"],
    ["any other error reaches the merchant", "P2028", "thrown"],
  ])("%s", async (_name, code, outcome) => {
    await seedOrder(db, SHOP, C(7), { total: "600.00", paidAt: "2026-02-01T10:00:00Z" });
    const run = recomputeMemberNow(racingDb(Object.assign(new Error("race"), { code })), SHOP, C(7), NOW);
    if (outcome === "thrown") {
      await expect(run).rejects.toThrow("race");
      expect(await db.member.count()).toBe(0);
    } else {
      await run;
      expect(await db.member.findFirstOrThrow({ where: { customerGid: C(7) } })).toMatchObject({ points: 600 });
    }
  });
});
