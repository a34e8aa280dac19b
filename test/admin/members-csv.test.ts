import { describe, expect, it } from "vitest";
import { parseCsv } from "~/forms/csv";
import { customerGid, membersCsv, parseMembersImport } from "~/forms/members-csv";

const levels = [
  { id: "silver", name: "Silver" },
  { id: "gold", name: "Gold Club" },
];

describe("member import file", () => {
  it("reads ids, levels by id or name, locks and points", () => {
    const { rows, problems } = parseMembersImport(
      "customer_id,level,locked,points\n123,silver,,\ngid://shopify/Customer/456,gold club,yes,250\n789,,no,-5\n",
      levels,
    );
    expect(problems).toEqual([]);
    expect(rows).toEqual([
      { line: 2, customerGid: "gid://shopify/Customer/123", level: "silver", locked: false, points: 0, birthday: null },
      { line: 3, customerGid: "gid://shopify/Customer/456", level: "gold", locked: true, points: 250, birthday: null },
      { line: 4, customerGid: "gid://shopify/Customer/789", level: null, locked: false, points: -5, birthday: null },
    ]);
  });

  it.each([
    ["", 1, "The file is empty"],
    ["id,level\n1,gold", 1, 'no "customer_id" column'],
    ["customer_id,tier\n1,gold", 1, 'no "level" column'],
    ["customer_id,level\nbob,gold", 2, 'customer_id "bob" is not a Shopify customer id'],
    ["customer_id,level\n1,bronze", 2, 'level "bronze" is not one of: silver, gold'],
    ["customer_id,level,locked\n1,gold,maybe", 2, 'locked "maybe" must be yes or no'],
    ["customer_id,level,points\n1,gold,1.5", 2, 'points "1.5" must be a whole number'],
    ["customer_id,level,birthday\n1,gold,02-30", 2, 'birthday: "02-30" is not a birthday: February has no day 30'],
    ["customer_id,level,birthday\n1,gold,30/02", 2, 'birthday: "30/02" is not a birthday: write it as MM-DD'],
    ["customer_id,level\n1,gold\n1,silver", 3, "already on line 2"],
    ['customer_id,level\n"1,gold', 0, "closing"],
  ])("rejects %j at line %i", (text, line, message) => {
    const { problems } = parseMembersImport(text, levels);
    expect(problems[0]).toEqual({ line, message: expect.stringContaining(message) });
  });

  it("lists every bad line, not just the first", () => {
    const { problems } = parseMembersImport("customer_id,level\nx,gold\n2,gold\n3,nope\n", levels);
    expect(problems.map((p) => p.line)).toEqual([2, 4]);
  });

  it.each([
    ["42", "gid://shopify/Customer/42"],
    [" gid://shopify/Customer/42 ", "gid://shopify/Customer/42"],
    ["gid://shopify/Order/42", null],
    ["4.2", null],
  ])("customer id %j → %j", (raw, gid) => {
    expect(customerGid(raw)).toBe(gid);
  });
});

describe("member export file", () => {
  it("writes the import's columns first, so an export imports back", () => {
    const text = membersCsv([
      {
        customerId: "gid://shopify/Customer/1",
        level: "gold",
        levelName: "Gold Club",
        locked: true,
        email: "a@example.com",
        name: "=cmd|' /C calc'!A0",
        status: "active",
        levelSince: "2026-03-02T10:00:00Z",
        levelExpiresAt: null,
        spend: "1020.00",
        points: 120,
      },
      {
        customerId: "gid://shopify/Customer/2",
        level: null,
        levelName: null,
        locked: false,
        email: null,
        name: "Bo, Jr.",
        status: "none",
        levelSince: null,
        levelExpiresAt: null,
        spend: "0.00",
        points: 0,
      },
    ]);
    const table = parseCsv(text);
    expect(table[0].slice(0, 3)).toEqual(["customer_id", "level", "locked"]);
    expect(table[1]).toEqual([
      "gid://shopify/Customer/1",
      "gold",
      "yes",
      "a@example.com",
      "'=cmd|' /C calc'!A0",
      "Gold Club",
      "active",
      "2026-03-02T10:00:00Z",
      "",
      "1020.00",
      "120",
      "",
    ]);
    expect(table[2][4]).toBe("Bo, Jr.");
    const back = parseMembersImport(text, levels);
    expect(back.problems).toEqual([]);
    expect(back.rows.map((r) => [r.customerGid, r.level, r.locked])).toEqual([
      ["gid://shopify/Customer/1", "gold", true],
      ["gid://shopify/Customer/2", null, false],
    ]);
  });
});
