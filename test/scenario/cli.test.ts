// Runs every example scenario through the real CLI (a child process) and checks its `expect` block.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(__dirname, "../..");
const examples = path.join(root, "examples/scenarios");
const files = readdirSync(examples)
  .filter((f) => f.endsWith(".json"))
  .sort();

function runCli(...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(root, "node_modules/.bin/tsx"), path.join(root, "scripts/scenario.ts"), ...args], {
    cwd: root,
    encoding: "utf8",
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const DECIMAL = /^-?\d+(\.\d+)?$/;

/** Paths where `actual` differs from the subset `expected` (decimal strings compare numerically). */
export function mismatches(expected: unknown, actual: unknown, at = "$"): string[] {
  if (expected === null || typeof expected !== "object") {
    if (typeof expected === "string" && DECIMAL.test(expected) && (typeof actual === "string" || typeof actual === "number")) {
      return Number(expected) === Number(actual) ? [] : [`${at}: expected ${expected}, got ${JSON.stringify(actual)}`];
    }
    return expected === actual ? [] : [`${at}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`];
  }
  if (actual === null || typeof actual !== "object") return [`${at}: expected an object, got ${JSON.stringify(actual)}`];
  return Object.entries(expected).flatMap(([k, v]) => mismatches(v, (actual as Record<string, unknown>)[k], `${at}.${k}`));
}

describe("subset matcher", () => {
  it.each<[unknown, unknown, boolean]>([
    [{ a: "400.00" }, { a: "400", b: 1 }, true],
    [{ a: "400.00" }, { a: "400.01" }, false],
    [{ a: null }, { a: null }, true],
    [{ a: null }, { a: "gold" }, false],
    [{ a: null }, {}, false],
    [{ a: [{ k: 1 }] }, { a: [{ k: 1, j: 2 }, { k: 3 }] }, true],
    [{ a: [{ k: 1 }, { k: 2 }] }, { a: [{ k: 1 }] }, false],
    [{ a: { b: "x" } }, { a: "x" }, false],
  ])("%j ⊆ %j is %s", (e, a, ok) => expect(mismatches(e, a).length === 0).toBe(ok));
});

describe("npm run scenario: every example meets its expect block", () => {
  it("has the public examples and at least ten more", () => {
    expect(files).toEqual(expect.arrayContaining(["condition-groups.json", "refund-downgrade.json"]));
    expect(files.length).toBeGreaterThanOrEqual(12);
  });

  it.each(files)("%s", (file) => {
    const scenario = JSON.parse(readFileSync(path.join(examples, file), "utf8"));
    expect(typeof scenario.about).toBe("string");
    expect(scenario.expect).toBeTypeOf("object");
    const r = runCli(path.join(examples, file));
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(mismatches(scenario.expect, out)).toEqual([]);
    // Output contract: every member has the required fields; levelCounts lists every enabled level.
    for (const m of Object.values<Record<string, unknown>>(out.members)) {
      for (const k of ["level", "status", "levelSince", "levelExpiresAt", "points", "spend", "next", "levelChanges", "ledger"])
        expect(m).toHaveProperty(k);
      expect(m.spend).toMatch(/^\d+\.\d{2}$/);
    }
    expect(out.asOf).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/);
  });
});

describe("npm run scenario: bad input exits 1 with one line naming the problem", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "tierline-scenario-"));
  const write = (name: string, content: string) => {
    const f = path.join(dir, name);
    writeFileSync(f, content);
    return f;
  };
  const valid = JSON.parse(readFileSync(path.join(examples, "refund-downgrade.json"), "utf8"));
  const variant = (mutate: (s: any) => void) => {
    const s = structuredClone(valid);
    mutate(s);
    return JSON.stringify(s);
  };

  it.each<[string, () => string[], RegExp]>([
    [
      "a non-decimal amount",
      () => [
        write(
          "amount.json",
          variant((s) => (s.program.levels[1].upgrade[0][0].amount = 500)),
        ),
      ],
      /^invalid scenario: program\.levels\[1\]\.upgrade\[0\]\[0\]\.amount: must be a decimal string like "120\.50".*\(PROGRAM\.INVALID_AMOUNT\)$/,
    ],
    [
      "thresholds that do not rise",
      () => [
        write(
          "rising.json",
          variant((s) => (s.program.levels[1].upgrade[0][0].amount = "50.00")),
        ),
      ],
      /^invalid scenario: program\.levels\[1\]\.upgrade\[0\]\[0\]\.amount: .*\(PROGRAM\.THRESHOLDS_NOT_RISING\)$/,
    ],
    [
      "an unknown event type",
      () => [
        write(
          "type.json",
          variant((s) => (s.events[1].type = "orderRefunded")),
        ),
      ],
      /^invalid scenario: events\[1\]\.type: must be one of .*\(SCENARIO\.UNKNOWN_EVENT\)$/,
    ],
    [
      "a bad time",
      () => [
        write(
          "time.json",
          variant((s) => (s.events[0].at = "March 1st")),
        ),
      ],
      /^invalid scenario: events\[0\]\.at: .*\(SCENARIO\.INVALID_TIME\)$/,
    ],
    [
      "a bad order amount",
      () => [
        write(
          "total.json",
          variant((s) => (s.events[0].order.total = "6OO.00")),
        ),
      ],
      /^invalid scenario: events\[0\]\.order\.total: .*\(SCENARIO\.INVALID_AMOUNT\)$/,
    ],
    [
      "a manual assignment to an unknown level",
      () => [
        write(
          "assign.json",
          variant((s) => s.events.push({ at: "2026-03-06T00:00:00Z", type: "manualAssign", customer: "c1", level: "platinum" })),
        ),
      ],
      /^invalid scenario: events\[2\]\.level: .*\(SCENARIO\.UNKNOWN_LEVEL\)$/,
    ],
    [
      "a bad asOf",
      () => [
        write(
          "asof.json",
          variant((s) => (s.asOf = "2026-02-30T00:00:00Z")),
        ),
      ],
      /^invalid scenario: asOf: .*\(SCENARIO\.INVALID_TIME\)$/,
    ],
    [
      "a missing program",
      () => [
        write(
          "noprogram.json",
          variant((s) => delete s.program),
        ),
      ],
      /^invalid scenario: program: is required \(SCENARIO\.MISSING_FIELD\)$/,
    ],
    ["invalid JSON", () => [write("broken.json", '{ "program": ')], /^invalid scenario: .*broken\.json is not valid JSON/],
    ["an unreadable file", () => [path.join(dir, "missing.json")], /^cannot read .*missing\.json: ENOENT$/],
    ["no file argument", () => [], /^usage: npm run scenario -- <scenario\.json>$/],
  ])("%s", (_name, args, message) => {
    const r = runCli(...args());
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    const lines = r.stderr.split("\n").filter((l) => l !== "");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("ignores unknown top-level fields such as about and expect", () => {
    const r = runCli(
      write(
        "extra.json",
        variant((s) => (s.notes = ["anything"])),
      ),
    );
    expect(r.status).toBe(0);
  });
});
