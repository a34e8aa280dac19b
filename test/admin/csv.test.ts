import { describe, expect, it } from "vitest";
import { csvCell, parseCsv, toCsv } from "~/forms/csv";
import { levelCap, levelCapMessage } from "~/services/admin/plan-limits";
import { chartPath } from "~/components/GrowthChart/GrowthChart";

describe("csv", () => {
  it.each([
    ["plain", "plain"],
    ["a,b", '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ["two\nlines", '"two\nlines"'],
    ["=HYPERLINK(1)", "'=HYPERLINK(1)"],
    ["+1 555", "'+1 555"],
    ["@sum", "'@sum"],
    ["-12.50", "-12.50"],
    [null, ""],
    [42, "42"],
  ])("cell %j → %j", (value, expected) => {
    expect(csvCell(value)).toBe(expected);
  });

  it("parses what it writes", () => {
    const rows = [
      ["id", "name", "note"],
      ["1", "Ada, Countess", 'She said "hi"\nthen left'],
      ["2", "", ""],
    ];
    const text = toCsv(rows[0], rows.slice(1));
    expect(parseCsv(text)).toEqual(rows);
  });

  it.each([
    [
      "\uFEFFa,b\r\n1,2\r\n",
      [
        ["a", "b"],
        ["1", "2"],
      ],
    ],
    [
      "a,b\n1,2",
      [
        ["a", "b"],
        ["1", "2"],
      ],
    ],
    [
      "a,b\n\n1,2\n",
      [
        ["a", "b"],
        ["1", "2"],
      ],
    ],
    ['a\n"x,""y"""', [["a"], ['x,"y"']]],
  ])("parses %j", (text, rows) => {
    expect(parseCsv(text)).toEqual(rows);
  });

  it("rejects an unclosed quote", () => {
    expect(() => parseCsv('a\n"open')).toThrow(/closing/);
  });
});

describe("plan level cap", () => {
  it.each([
    ["basic", 2, null],
    ["basic", 3, "Your Basic plan allows 3 levels"],
    [null, 3, "Your Basic plan allows 3 levels"],
    ["unknown-plan", 3, "Your Basic plan allows 3 levels"],
    ["pro", 4, null],
    ["pro", 5, "Your Pro plan allows 5 levels"],
    ["plus", 9, null],
  ])("%s with %i levels", (plan, count, message) => {
    const got = levelCapMessage(plan, count);
    if (message === null) expect(got).toBeNull();
    else expect(got).toContain(message);
  });

  it("higher plans allow at least 5", () => {
    for (const plan of ["growth", "pro", "plus"]) expect(levelCap(plan).maxLevels).toBeGreaterThanOrEqual(5);
  });
});

describe("growth chart", () => {
  it("scales the series into the box, highest count at the top", () => {
    const path = chartPath(
      [
        { date: "2026-01-01", count: 0 },
        { date: "2026-01-02", count: 5 },
        { date: "2026-01-03", count: 10 },
      ],
      104,
      24,
    );
    expect(path).toBe("4.0,20.0 52.0,12.0 100.0,4.0");
  });
  it("draws nothing without data", () => {
    expect(chartPath([], 100, 20)).toBe("");
  });
});
