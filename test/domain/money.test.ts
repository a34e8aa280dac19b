import { describe, expect, it } from "vitest";
import { formatMoney, parseMoney, ProgramError } from "~/domain/index";
import { formatMoneyDisplay } from "~/domain/money";

describe("parseMoney", () => {
  it.each([
    ["120.50", 12050],
    ["0", 0],
    ["0.5", 50],
    ["7", 700],
    ["1000.00", 100000],
    ["0.01", 1],
    ["19.99", 1999],
    ["9999999999.99", 999999999999],
  ])("parses %s exactly into %i minor units", (s, minor) => {
    expect(parseMoney(s, "x")).toBe(minor);
  });

  it.each([["120.505"], ["-1.00"], ["1,000.00"], ["1e3"], [""], [" 1.00"], ["01.00"], ["1."], [".5"], ["+1"], ["abc"]])(
    "rejects %j with the field path",
    (s) => {
      const err = (() => {
        try {
          parseMoney(s, "program.levels[0].retainAmount");
        } catch (e) {
          return e;
        }
      })();
      expect(err).toBeInstanceOf(ProgramError);
      expect(err).toMatchObject({ code: "PROGRAM.INVALID_AMOUNT", path: "program.levels[0].retainAmount" });
    },
  );

  it.each([[120], [null], [undefined], [{}]])("rejects the non-string %j", (v) => {
    expect(() => parseMoney(v, "a.b")).toThrow(/must be a decimal string like "120.50"/);
  });

  it("adds without float drift: 0.10 + 0.20 is exactly 0.30", () => {
    expect(parseMoney("0.10", "x") + parseMoney("0.20", "x")).toBe(parseMoney("0.30", "x"));
  });
});

describe("formatMoney", () => {
  it.each([
    [0, "0.00"],
    [5, "0.05"],
    [12050, "120.50"],
    [100000, "1000.00"],
    [-2500, "-25.00"],
  ])("%i → %s", (m, s) => expect(formatMoney(m)).toBe(s));

  it("round-trips every cent value from 0.00 to 20.00", () => {
    for (let m = 0; m <= 2000; m++) expect(parseMoney(formatMoney(m), "x")).toBe(m);
  });

  it.each([
    [102000, "USD", "$1,020.00"],
    [100, "EUR", "€1.00"],
    [123456789, "USD", "$1,234,567.89"],
    [500, "SEK", "5.00 SEK"],
  ])("displays %i %s as %s", (m, c, s) => expect(formatMoneyDisplay(m, c)).toBe(s));
});
