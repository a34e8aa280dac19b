import { describe, expect, it } from "vitest";
import { canonicalJson, sameJson } from "~/shared/json-checks";

// sameJson answers "same canonicalJson?" without building the texts (the contract check of every metafield document
// a sync sends). Each pair: whether the two values are the same JSON document, and canonicalJson must agree.
const pairs: [string, unknown, unknown, boolean][] = [
  ["equal numbers", 1, 1, true],
  ["different numbers", 1, 2, false],
  ["-0 and 0 (both written 0)", -0, 0, true],
  ["NaN and null (both written null)", Number.NaN, null, true],
  ["Infinity and null", Number.POSITIVE_INFINITY, null, true],
  ["a number and its text", 1, "1", false],
  ["undefined and null", undefined, null, false],
  ["undefined and undefined", undefined, undefined, true],
  ["an empty object and an empty array", {}, [], false],
  ["an object and null", {}, null, false],
  ["keys in another order", { a: 1, b: [1, { c: "x", d: null }] }, { b: [1, { d: null, c: "x" }], a: 1 }, true],
  ["an undefined member left out", { a: 1, b: undefined }, { a: 1 }, true],
  ["an undefined member on the other side", { a: 1 }, { a: 1, b: undefined }, true],
  ["a null member is not left out", { a: 1, b: null }, { a: 1 }, false],
  ["a missing member", { a: 1, b: 2 }, { a: 1, c: 2 }, false],
  ["arrays in another order", [1, 2], [2, 1], false],
  ["a shorter array", [1, 2], [1], false],
  ["undefined in an array is not null", [undefined], [null], false],
  ["nested difference", { v: 1, lines: [{ id: "a", n: 2 }] }, { v: 1, lines: [{ id: "a", n: 3 }] }, false],
  ["a string that looks like an object", "{}", {}, false],
  ["a Date is an object without members", new Date(0), {}, true],
];

describe("sameJson", () => {
  it.each(pairs)("%s", (_name, a, b, same) => {
    expect(sameJson(a, b)).toBe(same);
    expect(sameJson(b, a)).toBe(same);
    expect(canonicalJson(a) === canonicalJson(b)).toBe(same);
  });
});
