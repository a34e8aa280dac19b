import { describe, expect, it } from "vitest";
import { currencyDigits, decimalToMinor, formatDecimalAmount, formatMinor, formatNumber, formatPercent, safeLocale } from "~/shared/money-format";

describe("formatDecimalAmount per locale and currency", () => {
  it.each([
    ["en-US", "USD", "1200.50", {}, "$1,200.50"],
    ["de-DE", "EUR", "1200.50", {}, "1.200,50\u00a0€"],
    ["ja-JP", "JPY", "1200.00", {}, "￥1,200"],
    ["ja-JP", "JPY", "1200.50", {}, "￥1,201"],
    ["fr-CA", "CAD", "1200.50", {}, "1\u00a0200,50\u00a0$"],
    ["en-US", "JPY", "300", {}, "¥300"],
    ["en-US", "KWD", "1.2345", {}, "KWD\u00a01.235"],
    ["en-US", "USD", "50.00", { trimWhole: true }, "$50"],
    ["en-US", "USD", "50.25", { trimWhole: true }, "$50.25"],
    ["de-DE", "EUR", "50.00", { trimWhole: true }, "50\u00a0€"],
    ["en-US", "usd", "0.05", {}, "$0.05"],
    ["en-US", "USD", "-3.00", {}, "-$3.00"],
  ])("%s %s %s %j → %s", (locale, currency, decimal, options, expected) => {
    expect(formatDecimalAmount(decimal, currency, locale, options)).toBe(expected);
  });

  it.each([["1,200.00"], ["1e3"], ["12."], [".5"], ["abc"], [""], ["--1"]])("returns null for %j", (decimal) => {
    expect(formatDecimalAmount(decimal, "USD", "en-US")).toBeNull();
  });

  it("falls back to English for a locale Intl refuses, and to the code for a malformed currency", () => {
    expect(formatMinor(120050, "USD", "not a locale!!")).toBe("$1,200.50");
    expect(formatMinor(120050, "US1", "en-US")).toBe("1,200.50 US1");
    expect(safeLocale(undefined)).toBe("en");
    expect(safeLocale("fr-ca")).toBe("fr-CA");
  });
});

describe("decimalToMinor", () => {
  it.each([
    ["120.50", "USD", 12050],
    ["120.5", "USD", 12050],
    ["120", "USD", 12000],
    ["120.005", "USD", 12001],
    ["120.004", "USD", 12000],
    ["1200.00", "JPY", 1200],
    ["1200.49", "JPY", 1200],
    ["1.2345", "KWD", 1235],
    ["-0.00", "USD", 0],
    ["-3.10", "USD", -310],
    ["99999999999999999999", "USD", null],
  ])("%s %s → %s", (decimal, currency, expected) => {
    expect(decimalToMinor(decimal, currency)).toBe(expected);
  });

  it.each([
    ["USD", 2],
    ["JPY", 0],
    ["KWD", 3],
    ["EUR", 2],
    ["not-a-code", 2],
  ])("currencyDigits(%s) = %s", (currency, digits) => {
    expect(currencyDigits(currency)).toBe(digits);
  });
});

describe("numbers and percentages", () => {
  it.each([
    ["10", "en-US", "10%"],
    ["12.5", "en-US", "12.5%"],
    ["12.5", "de-DE", "12,5\u00a0%"],
    ["100", "fr-CA", "100\u00a0%"],
  ])("formatPercent(%s, %s) = %s", (value, locale, expected) => {
    expect(formatPercent(value, locale)).toBe(expected);
  });

  it("formats numbers per locale and rejects a non-decimal percentage", () => {
    expect(formatNumber(1234.5, "de-DE")).toBe("1.234,5");
    expect(formatNumber(1.5, "en-US")).toBe("1.5");
    expect(formatPercent("ten", "en-US")).toBeNull();
  });
});
