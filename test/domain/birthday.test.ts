import { describe, expect, it } from "vitest";
import { birthdayRewardDay, birthdaysDueOn, formatBirthday, isBirthdayRewardDue, parseBirthday } from "~/domain/birthday";

describe("parseBirthday", () => {
  it.each([
    ["03-14", "03-14"],
    [" 12-31 ", "12-31"],
    ["02-29", "02-29"],
    ["01-01", "01-01"],
    ["1990-03-14", "03-14"],
    ["2000-02-29", "02-29"],
    ["1996-02-29", "02-29"],
  ])("accepts %j as %s", (input, birthday) => expect(parseBirthday(input)).toEqual({ ok: true, birthday }));

  it.each([
    ["02-30", /February has no day 30/],
    ["04-31", /April has no day 31/],
    ["13-01", /month must be 01 to 12/],
    ["00-10", /month must be 01 to 12/],
    ["06-00", /June has no day 0/],
    ["1999-02-29", /1999 had no 29 February/],
    ["1900-02-29", /1900 had no 29 February/],
    ["1850-05-05", /1900 or later/],
    ["3-14", /write it as MM-DD/],
    ["03/14", /write it as MM-DD/],
    ["14.03", /write it as MM-DD/],
    ["", /write it as MM-DD/],
    ["March 14", /write it as MM-DD/],
  ])("refuses %j", (input, message) => {
    const result = parseBirthday(input);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toMatch(message);
  });

  it.each([[null], [undefined], [314], [{}]])("refuses %j (not text)", (input) => expect(parseBirthday(input).ok).toBe(false));
});

describe("when a birthday reward is due", () => {
  it.each([
    // birthday, year, when, due day
    ["03-14", 2026, "day", "2026-03-14"],
    ["03-14", 2026, "month", "2026-03-01"],
    ["02-29", 2028, "day", "2028-02-29"],
    ["02-29", 2027, "day", "2027-02-28"],
    ["02-29", 2100, "day", "2100-02-28"],
    ["02-29", 2000, "day", "2000-02-29"],
    ["02-29", 2027, "month", "2027-02-01"],
    ["12-31", 2026, "day", "2026-12-31"],
  ] as const)("%s in %i (%s) is due on %s", (birthday, year, when, due) => {
    const d = birthdayRewardDay(birthday, year, when)!;
    expect(`${d.year}-${String(d.month).padStart(2, "0")}-${String(d.day).padStart(2, "0")}`).toBe(due);
  });

  it.each([
    ["12-07", { year: 2026, month: 12, day: 7 }, "day", true],
    ["12-08", { year: 2026, month: 12, day: 7 }, "day", false],
    ["12-25", { year: 2026, month: 12, day: 1 }, "month", true],
    ["12-25", { year: 2026, month: 12, day: 2 }, "month", false],
    ["11-25", { year: 2026, month: 12, day: 1 }, "month", false],
    ["02-29", { year: 2027, month: 2, day: 28 }, "day", true],
    ["02-28", { year: 2027, month: 2, day: 28 }, "day", true],
    ["02-29", { year: 2028, month: 2, day: 28 }, "day", false],
    ["02-29", { year: 2028, month: 2, day: 29 }, "day", true],
  ] as const)("%s on %j (%s): %s", (birthday, today, when, due) => expect(isBirthdayRewardDue(birthday, today, when)).toBe(due));

  it.each([
    [{ year: 2026, month: 12, day: 7 }, "day", ["12-07"]],
    [{ year: 2027, month: 2, day: 28 }, "day", ["02-28", "02-29"]],
    [{ year: 2028, month: 2, day: 28 }, "day", ["02-28"]],
    [{ year: 2026, month: 12, day: 2 }, "month", []],
  ] as const)("birthdays due on %j (%s)", (today, when, list) => expect(birthdaysDueOn(today, when)).toEqual(list));

  it("in month mode every day of the month is due on the 1st, 29 February included", () => {
    expect(birthdaysDueOn({ year: 2027, month: 2, day: 1 }, "month")).toHaveLength(29);
    expect(birthdaysDueOn({ year: 2026, month: 4, day: 1 }, "month").at(-1)).toBe("04-30");
  });

  it("formats a stored birthday for the admin", () => {
    expect(formatBirthday("03-14")).toBe("March 14");
    expect(formatBirthday("02-29")).toBe("February 29");
  });
});
