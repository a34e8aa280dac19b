import { describe, expect, it } from "vitest";
import { addOneYear, formatInstant, parseInstant, ProgramError } from "~/domain/index";

describe("parseInstant", () => {
  it.each([
    ["2026-03-01T10:00:00Z", Date.UTC(2026, 2, 1, 10)],
    ["2026-03-01T10:00:00.250Z", Date.UTC(2026, 2, 1, 10, 0, 0, 250)],
    ["2026-03-01T10:00Z", Date.UTC(2026, 2, 1, 10)],
    ["2026-03-01", Date.UTC(2026, 2, 1)],
    ["2026-03-01T10:00:00", Date.UTC(2026, 2, 1, 10)],
    ["2026-03-01T12:00:00+02:00", Date.UTC(2026, 2, 1, 10)],
    ["2026-03-01T05:30:00-0430", Date.UTC(2026, 2, 1, 10)],
    ["2028-02-29T00:00:00Z", Date.UTC(2028, 1, 29)],
  ])("%s", (s, t) => expect(parseInstant(s, "x")).toBe(t));

  it.each([["2026-02-29T00:00:00Z"], ["2026-13-01T00:00:00Z"], ["2026-03-01T24:00:00Z"], ["March 1, 2026"], ["1700000000000"], [""]])(
    "rejects %j",
    (s) => {
      expect(() => parseInstant(s, "events[0].at")).toThrow(ProgramError);
      expect(() => parseInstant(s, "events[0].at")).toThrow(/^events\[0\]\.at: must be an ISO-8601 time/);
    },
  );
});

describe("formatInstant and addOneYear", () => {
  it.each([
    [Date.UTC(2026, 2, 1, 10), "2026-03-01T10:00:00Z"],
    [Date.UTC(2026, 2, 1, 10, 0, 0, 5), "2026-03-01T10:00:00.005Z"],
  ])("formats %d as %s", (t, s) => expect(formatInstant(t)).toBe(s));

  it.each([
    ["2026-03-01T10:00:00Z", "2027-03-01T10:00:00Z"],
    ["2028-02-29T10:00:00Z", "2029-02-28T10:00:00Z"],
    ["2027-02-28T10:00:00Z", "2028-02-28T10:00:00Z"],
    ["2026-12-31T23:59:59Z", "2027-12-31T23:59:59Z"],
  ])("one year after %s is %s", (from, to) => expect(formatInstant(addOneYear(parseInstant(from, "x")))).toBe(to));
});
